// sniff --workers N -w FILE: N libpcap handles on one interface in one PACKET_FANOUT group
// hashed by flow (the kernel's symmetric flow hash: both directions of a conversation
// reach the same socket), each with a capture thread of its own writing its share as pcap
// records (the direct path of ./live-dump.ts), so capture spreads over N cores. At the end
// the N shares, each already in timestamp order, are merged into FILE in timestamp order
// (a k-way merge reading each share a megabyte at a time), and the shares are removed.
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { writeAll } from '../sinks/write-all.js';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PktError, fileError } from '../runtime/errors.js';
import { PCAP_HEADER_BYTES, writePcapHeader } from '../sinks/pcap-writer.js';
import { openCaptureOutput } from '../sinks/output-file.js';
import type { LivePcap } from '../sources/live-pcap.js';
import type { SourceStats } from '../sources/source.js';
import type { StageConfig } from './stage-config.js';

type WriteConfig = NonNullable<StageConfig['write']>;

const CHUNK = 1 << 20;
/** How often -c looks at the shares' record counts. */
const COUNT_POLL_MS = 20;
const REC_HDR = 16;

/** One share being merged: its records, read a chunk at a time. */
class ShareReader {
  private readonly fd: number;
  private buf = Buffer.alloc(CHUNK);
  private start = 0;
  private end = 0;
  private eof = false;
  /** The current record: its timestamp (seconds, fraction) and bytes in `buf`. */
  sec = 0;
  frac = 0;
  at = 0;
  len = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
    this.fill();
    this.start = PCAP_HEADER_BYTES; // the shares' headers are ours; FILE gets one of its own
  }

  private fill(): void {
    if (this.start > 0) {
      this.buf.copy(this.buf, 0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    while (!this.eof && this.end < this.buf.length) {
      const n = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, null);
      if (n === 0) this.eof = true;
      this.end += n;
    }
  }

  /** Moves to the next whole record; false at the end of the share. */
  next(): boolean {
    if (this.end - this.start < REC_HDR) this.fill();
    if (this.end - this.start < REC_HDR) return false;
    const caplen = this.buf.readUInt32LE(this.start + 8);
    const len = REC_HDR + caplen;
    if (len > this.buf.length) {
      const bigger = Buffer.alloc(len);
      this.buf.copy(bigger, 0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
      this.buf = bigger;
    }
    if (this.end - this.start < len) this.fill();
    // A record cut short can only be the last of a share whose write failed: stop there.
    if (this.end - this.start < len) return false;
    this.sec = this.buf.readUInt32LE(this.start);
    this.frac = this.buf.readUInt32LE(this.start + 4);
    this.at = this.start;
    this.len = len;
    this.start += len;
    return true;
  }

  get bytes(): Buffer {
    return this.buf;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/**
 * Merges the shares into `fd` (after its header) in timestamp order, ties to the lower
 * share; at most `limit` records when limit > 0. Returns the records written.
 */
export function mergeShares(shares: string[], fd: number, limit: number): number {
  const readers = shares.map((p) => new ShareReader(p));
  const live = readers.filter((r) => r.next());
  const out = Buffer.alloc(CHUNK);
  let used = 0;
  let written = 0;
  const flush = (): void => {
    writeAll(fd, out, 0, used);
    used = 0;
  };
  try {
    while (live.length > 0 && (limit === 0 || written < limit)) {
      let k = 0;
      for (let i = 1; i < live.length; i++) {
        const a = live[i];
        const b = live[k];
        if (a.sec < b.sec || (a.sec === b.sec && a.frac < b.frac)) k = i;
      }
      const r = live[k];
      if (used + r.len > out.length) flush();
      if (r.len > out.length) writeAll(fd, r.bytes, r.at, r.len);
      else { r.bytes.copy(out, used, r.at, r.at + r.len); used += r.len; }
      written++;
      if (!r.next()) live.splice(k, 1);
    }
    flush();
  } finally {
    for (const r of readers) r.close();
  }
  return written;
}

export interface FanoutResult {
  records: number;
  wireBytes: number;
  stats: SourceStats;
}

/** The statistics of N sockets as one source's. */
export function sumStats(all: SourceStats[]): SourceStats {
  const add = (f: (s: SourceStats) => number | null): number | null => (all.some((s) => f(s) === null) ? null : all.reduce((a, s) => a + (f(s) ?? 0), 0));
  return {
    captured: all.reduce((a, s) => a + s.captured, 0), received: add((s) => s.received), droppedKernel: add((s) => s.droppedKernel),
    droppedIface: add((s) => s.droppedIface), droppedRing: all.reduce((a, s) => a + s.droppedRing, 0),
  };
}

/**
 * Runs the N sources (opened on one interface with the same filter, not started) as one
 * fanout group until one of them ends (count reached, error) or is closed (a signal
 * closes the first), then drains and closes them all and writes FILE.
 */
export async function runFanoutDump(srcs: LivePcap[], write: WriteConfig, count: number, onStarted: () => void): Promise<FanoutResult> {
  // One group id per process (the kernel's namespace for them is the network namespace).
  const group = process.pid & 0xFFFF;
  for (const s of srcs) s.joinFanout(group);
  const dir = mkdtempSync(join(write.path === '-' ? tmpdir() : dirname(resolve(write.path)), '.pktwasm-shares-'));
  const fds: number[] = [];
  const shares: string[] = [];
  try {
    const hdr = new Uint8Array(PCAP_HEADER_BYTES);
    writePcapHeader(new DataView(hdr.buffer), 0, write.linktype, write.snaplen, write.nanosecond);
    for (let k = 0; k < srcs.length; k++) {
      shares.push(join(dir, `share${k}.pcap`));
      fds.push(openCaptureOutput(shares[k]));
      writeAll(fds[k], hdr);
    }
    // -c: the shares together must reach `count`; each alone never needs more. Once they
    // have, every source stops after draining what its kernel buffer holds, so the first
    // `count` records of the merge are the first `count` the interface saw.
    for (let k = 0; k < srcs.length; k++) srcs[k].startDump(fds[k], write.nanosecond, count);
    onStarted();
    let timer: NodeJS.Timeout | undefined;
    const reached = count === 0 ? new Promise<void>(() => {}) : new Promise<void>((res) => {
      timer = setInterval(() => {
        if (srcs.reduce((a, s) => a + s.written().records, 0) >= count) res();
      }, COUNT_POLL_MS);
    });
    await Promise.race([reached, ...srcs.map((s) => s.ended)]);
    clearInterval(timer);
    const stats = sumStats(await Promise.all(srcs.map((s) => s.close({ drain: true }))));
    for (const fd of fds.splice(0)) closeSync(fd);
    let out: number;
    try {
      out = write.path === '-' ? 1 : openCaptureOutput(write.path);
    } catch (e) {
      throw e instanceof PktError ? e : fileError(e, write.path);
    }
    let records: number;
    try {
      writeAll(out, hdr);
      records = mergeShares(shares, out, count);
    } finally {
      if (out !== 1) closeSync(out);
    }
    const wireBytes = srcs.reduce((a, s) => a + s.written().wireBytes, 0);
    return { records, wireBytes, stats };
  } finally {
    for (const fd of fds) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}
