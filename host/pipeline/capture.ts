// The library face of the pipeline: `for await (const pkt of capture({ file | iface | raw,
// filter }))`. It runs what the sniffer runs (a Source filling a frame ring, the stage
// runner reading it: dissect, filter per link type, count, stages) on the calling thread,
// awaiting the ring instead of sleeping on it. Live filters run in the kernel (libpcap),
// file and raw-socket filters in the engine. Packets are plain objects with their own
// copy of the bytes, safe to keep; for zero-allocation processing use captureBatches(),
// which yields the engine's FrameBatch itself (valid until the next step).
import { createEngine, type Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import type { DecodedPacket } from '../dissect/decode.js';
import { FrameRing } from '../ring/frame-ring.js';
import { PktError } from '../runtime/errors.js';
import type { BatchStage } from '../stage/batch-stage.js';
import { openSource, type SourceSpec } from '../sources/open.js';
import type { RawProto } from '../sources/raw-source.js';
import { ringData } from '../sources/ring-async.js';
import { loadFilterCompiler } from './filter-stage.js';
import { StageRunner } from './runner.js';
import type { ReassemblerOptions } from '../reasm/reassembler.js';
import type { Source } from '../sources/source.js';
import type { LivePcap } from '../sources/live-pcap.js';

/** capture({ workers: n }): the first source and n - 1 more opened the same way, all in
 *  one fanout group. */
async function fanoutSources(engine: Engine, first: Source, spec: SourceSpec, n: number): Promise<Source[]> {
  if (n === 1) return [first];
  const live = first as Partial<LivePcap>;
  if (first.kind !== 'live' || live.backend !== 'pcap' || typeof live.joinFanout !== 'function') {
    throw new PktError('E_BAD_ARGUMENT', 'capture: workers > 1 needs a live interface and the libpcap addon (packet fanout)');
  }
  const all: LivePcap[] = [first as LivePcap];
  try {
    for (let k = 1; k < n; k++) all.push(await openSource(engine, spec) as LivePcap);
    const group = (process.pid ^ 0x5A5A) & 0xFFFF;
    for (const s of all) s.joinFanout(group);
  } catch (e) {
    for (const s of all.slice(1)) await s.close({ drain: false });
    throw e;
  }
  return all;
}

/** What to capture (exactly one of file, iface, raw) and how. */
export interface CaptureOptions {
  /** A pcap or pcapng file. */
  file?: string;
  /** A live interface (libpcap addon, cap fallback). */
  iface?: string;
  /** An IP-level raw socket. */
  raw?: RawProto;
  /** tcpdump filter expression. */
  filter?: string;
  /** Live: snapshot length (default 262144). */
  snaplen?: number;
  /** Stop after this many matching packets. */
  count?: number;
  /** Engine to use (default: a new WASM engine). */
  engine?: Engine;
  /** Frames per batch (default 256). */
  batchSize?: number;
  /** Ends a live or raw capture (what is already captured is still yielded). */
  signal?: AbortSignal;
  /** Pipeline stages (the sniffer's writers, flow table, IPFIX exporter ...) that see every
   *  batch's kept frames before it is yielded; finished when the capture ends. */
  stages?: BatchStage[];
  /** IP reassembly (default on): the fragment completing a datagram is decoded with its
   *  transport, the others without, as tshark does. false turns it off; an object sizes
   *  it (ReassemblerOptions: caps, timeouts). */
  reassemble?: boolean | ReassemblerOptions;
  /** Tunnel levels inside the outer packet that are followed (0 to 8, default 4): decode(),
   *  the flow stages and text see the inner packets to that level. Process-wide. */
  tunnelDepth?: number;
  /** Live (iface) with the libpcap addon: N packet sockets in one PACKET_FANOUT group
   *  hashed by flow (both directions of a conversation reach the same socket), each with
   *  its own capture thread and frame ring, so capture spreads over N threads (sniff
   *  --workers N). This thread reads the rings in turn: batches come per ring, in
   *  timestamp order within a ring (so within a conversation), not across rings; the
   *  stages see every batch, `count` counts over all. Default 1. */
  workers?: number;
}

/** One packet yielded by capture(): its own copy of the bytes and its decoded fields. */
export interface CapturedPacket {
  /** Position among the packets this capture yielded, from 1. */
  number: number;
  tsSec: number;
  tsNsec: number;
  caplen: number;
  wirelen: number;
  linktype: number;
  data: Uint8Array;
  /** The Wireshark-shaped dissection (pkt.ip.src, pkt.tcp.srcport ...). */
  decoded: DecodedPacket;
}

/** One step of captureBatches(): the engine's batch itself, valid until the next step. */
export interface CaptureBatch {
  /** Dissected frames; the kept ones are marked at `select`. */
  batch: FrameBatch;
  /** Address of one keep-byte per frame, or 0 when every frame was kept. */
  select: number;
  engine: Engine;
}

function sourceSpec(opts: CaptureOptions): SourceSpec {
  const given = [opts.file, opts.iface, opts.raw].filter((x) => x !== undefined).length;
  if (given !== 1) throw new PktError('E_BAD_ARGUMENT', 'capture: give exactly one of file, iface or raw');
  if (opts.file !== undefined) return { file: opts.file };
  if (opts.iface !== undefined) return { iface: opts.iface, live: { snaplen: opts.snaplen, filter: opts.filter ?? '', timeoutMs: 100 } };
  return { raw: opts.raw! };
}

/** Yields dissected batches holding at least one kept frame. The batch is reused: finish
 *  with it before the next step. */
export async function* captureBatches(opts: CaptureOptions): AsyncGenerator<CaptureBatch> {
  const spec = sourceSpec(opts);
  const n = opts.workers ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new PktError('E_BAD_ARGUMENT', `capture: workers must be an integer in [1, 64], got ${n}`);
  const engine = opts.engine ?? createEngine();
  const first = await openSource(engine, spec);
  let sources: Source[] = [first];
  const stop = (): void => { for (const s of sources) void s.close(); };
  try {
    sources = await fanoutSources(engine, first, spec, n);
    // The kernel already applied a live filter; files and raw sockets filter here.
    const filter = first.filtersInKernel ? '' : opts.filter ?? '';
    if (filter !== '') await loadFilterCompiler();
    const count = opts.count ?? 0;
    const stages = opts.stages ?? [];
    const runners = sources.map((source) => {
      // On one thread a file source and the reader take turns: two chunk slots keep both
      // busy (the sniffer's worker reads while its main thread fills, and wants more).
      const shape = source.ringShape;
      const ring = FrameRing.create(engine, source.slotFormat === 'chunks' ? Math.min(2, shape.slots) : shape.slots, shape.slotPayload);
      const runner = new StageRunner(engine, ring, {
        slots: source.slotFormat, filter, count, stages, dissect: true, batchSize: opts.batchSize ?? 256,
        reassemble: opts.reassemble, tunnelDepth: opts.tunnelDepth,
      });
      return { source, ring, runner, ended: false };
    });
    try {
      // A bad expression fails here, before anything is read.
      runners[0].runner.prepareFilter(first.linktype);
      for (const r of runners) r.source.start(engine.memory, r.ring.address);
      if (opts.signal?.aborted) stop();
      else opts.signal?.addEventListener('abort', stop, { once: true });
      let kept = 0;
      let live = runners.length;
      while (live > 0) {
        let waiting = 0;
        for (const r of runners) {
          if (r.ended) continue;
          // N rings, one count: each runner may keep what the others left.
          if (n > 1 && count > 0) r.runner.setCount(r.runner.counters.matched + count - kept);
          const res = r.runner.step();
          if (res === 'end') {
            r.ended = true;
            live--;
            // -c reached on one ring ends them all.
            if (r.runner.countReached) { stop(); for (const o of runners) if (!o.ended) { o.ended = true; live--; } }
          } else if (res === 'wait') waiting++;
          else if (r.runner.kept > 0) {
            kept += r.runner.kept;
            yield { batch: r.runner.batch, select: r.runner.info.filtered ? r.runner.select : 0, engine };
          }
        }
        if (live > 0 && waiting === live) await Promise.race(runners.filter((r) => !r.ended).map((r) => ringData(r.ring, 100)));
      }
    } finally {
      opts.signal?.removeEventListener('abort', stop);
      for (const r of runners) r.runner.finish();
    }
    for (const s of sources) await s.close();
    // A damaged file: every good record was yielded, then the damage is the error.
    const failed = sources.find((s) => s.error !== null);
    if (failed !== undefined) throw failed.error;
  } finally {
    for (const s of sources) await s.close();
  }
}

/** Yields one plain object per matching packet (with its own copy of the bytes). */
export async function* capture(opts: CaptureOptions): AsyncGenerator<CapturedPacket> {
  let number = 0;
  for await (const { batch, select, engine } of captureBatches(opts)) {
    const u8 = engine.views.refresh().u8;
    for (let i = 0; i < batch.count; i++) {
      if (select !== 0 && u8[select + i] === 0) continue;
      const pkt: CapturedPacket = {
        number: ++number, tsSec: batch.timeSec(i), tsNsec: batch.timeNsec(i), caplen: batch.caplen(i), wirelen: batch.wirelen(i),
        linktype: batch.linktype(i), data: batch.frameBytes(i).slice(), decoded: engine.decodeAt(batch, i),
      };
      yield pkt;
    }
  }
}
