// node host/replay.js -i IFACE FILE [--pps N | --topspeed | --multiplier X] [--loop N]
//
// Sends a capture's frames out of an interface through libpcap (host/inject.ts: batched
// pcap_inject in our addon, cap's send as the fallback): at the pace they were captured
// (default), at a fixed rate (--pps), or as fast as the link takes them (--topspeed),
// then prints the achieved rate. The sniffer's line-rate test generator.
//
// Pacing: frames due within the next 50 µs go out together in one batch; gaps are slept
// with a timer when long and with Atomics.wait / a short spin when short, so the rate
// holds without a busy core between sparse frames.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CaptureFileReader } from './sources/capture-file.js';
import { openInjector, type Injector } from './sinks/inject.js';
import { LINKTYPE_ETHERNET } from './runtime/layout.js';
import { PktError } from './runtime/errors.js';
import { usageError, type ParsedArgs, type ToolSpec } from './cli/args.js';
import { runTool, toolWarning } from './cli/run-tool.js';

export const REPLAY_SPEC: ToolSpec = {
  name: 'replay',
  command: 'node host/replay.js',
  summary: 'replay: send the Ethernet frames of a capture file out of an interface (libpcap injection; root or '
    + 'CAP_NET_RAW), at the pace they were captured, at a fixed rate, or as fast as the link takes them, then print '
    + 'the rate achieved.',
  options: [
    { name: 'interface', short: 'i', value: 'IFACE', help: 'The interface to send on (required).' },
    { name: 'pps', value: 'N', help: 'Send N frames per second, whatever the capture\'s timestamps say.' },
    { name: 'topspeed', short: 't', help: 'Send as fast as the interface takes the frames.' },
    { name: 'multiplier', short: 'x', value: 'X', help: 'Keep the capture\'s pace, X times faster (0.5: half as fast). --pps, --topspeed and --multiplier exclude each other.', default: 1 },
    { name: 'loop', short: 'l', value: 'N', help: 'Send the file N times.', default: 1 },
    { name: 'backend', value: 'backend', choices: ['auto', 'pcap', 'cap'], help: "Inject through pktwasm's libpcap addon (pcap), the cap package (cap), or the addon when it is built, else cap (auto).", default: 'auto' },
  ],
  operands: [{ name: 'FILE', help: 'A pcap or pcapng capture of Ethernet frames (link type 1).' }],
  exitStatus: { 1: 'a runtime error (the file, the interface), or every frame refused: one line on stderr' },
};

interface ReplayPlan { iface: string; mode: Mode; loops: number; backend: 'auto' | 'pcap' | 'cap'; file: string }

function prepare(args: ParsedArgs): ReplayPlan {
  const iface = args.string('interface');
  if (iface === undefined) throw usageError('missing -i IFACE');
  const chosen = [args.has('pps'), args.has('topspeed'), args.has('multiplier')].filter(Boolean).length;
  if (chosen > 1) throw usageError('--pps, --topspeed and --multiplier exclude each other');
  const mode: Mode = args.has('topspeed') ? { kind: 'top' }
    : args.has('pps') ? { kind: 'pps', pps: args.number('pps', { min: 0.001, max: 1e9 }) }
    : { kind: 'pace', multiplier: args.number('multiplier', { min: 1e-6, max: 1e9 }) };
  return {
    iface, mode, loops: args.number('loop', { integer: true, min: 1, max: 1e9 }),
    backend: args.choice<'auto' | 'pcap' | 'cap'>('backend') ?? 'auto', file: args.positionals[0]!,
  };
}

const BATCH_FRAMES = 256;
const BATCH_BYTES = 1 << 20;
const SLICE_NS = 50_000; // frames due within 50 µs of each other share a batch

export interface ReplayResult { frames: number; bytes: number; failed: number; seconds: number; firstError: string | null }

type Mode = { kind: 'pace'; multiplier: number } | { kind: 'pps'; pps: number } | { kind: 'top' };

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Waits until performance.now() reaches `dueMs`. */
async function waitUntil(dueMs: number): Promise<void> {
  let gap = dueMs - performance.now();
  if (gap > 20) { await sleep(gap - 10); gap = dueMs - performance.now(); }
  if (gap > 2) Atomics.wait(sleeper, 0, 0, gap - 1);
  while (performance.now() < dueMs) { /* spin for the last millisecond */ }
}

/** A capture held in memory: frames back to back, as sendPacked takes them. */
interface Loaded { packed: Uint8Array; lens: Uint32Array; offs: Float64Array; ns: Float64Array; count: number }

const PRELOAD_MAX = 256 * 1024 * 1024;

function check(file: string, number: number, linktype: number): void {
  if (linktype !== LINKTYPE_ETHERNET) {
    throw new PktError('E_BAD_CAPTURE', `${file}: frame ${number} has link type ${linktype}; replay sends Ethernet frames (link type 1) only`);
  }
}

function preload(file: string): Loaded {
  const reader = new CaptureFileReader(file);
  try {
    let packed = new Uint8Array(Math.min(reader.fileSize, PRELOAD_MAX) + 65536);
    let lens = new Uint32Array(1024);
    let offs = new Float64Array(1024);
    let ns = new Float64Array(1024);
    let count = 0;
    let used = 0;
    for (let rec = reader.next(); rec !== null; rec = reader.next()) {
      check(file, rec.number, rec.linktype);
      if (count === lens.length) {
        const grow = <T extends Uint32Array | Float64Array>(a: T, make: (n: number) => T): T => { const b = make(a.length * 2); b.set(a); return b; };
        lens = grow(lens, (n) => new Uint32Array(n));
        offs = grow(offs, (n) => new Float64Array(n));
        ns = grow(ns, (n) => new Float64Array(n));
      }
      if (used + rec.caplen > packed.length) { const b = new Uint8Array((used + rec.caplen) * 2); b.set(packed.subarray(0, used)); packed = b; }
      packed.set(rec.data.subarray(0, rec.caplen), used);
      lens[count] = rec.caplen;
      offs[count] = used;
      ns[count] = rec.tsSec * 1e9 + rec.tsNsec;
      used += rec.caplen;
      count++;
    }
    return { packed, lens, offs, ns, count };
  } finally {
    reader.close();
  }
}

/** Replays `file` (held in memory when it is under 256 MiB, streamed otherwise). */
export async function replay(file: string, injector: Injector, mode: Mode, loops = 1, stop: () => boolean = () => false): Promise<ReplayResult> {
  const res: ReplayResult = { frames: 0, bytes: 0, failed: 0, seconds: 0, firstError: null };
  const probe = new CaptureFileReader(file);
  const size = probe.fileSize;
  probe.close();
  const frames = size <= PRELOAD_MAX ? preload(file) : null;

  // Sends frames [i, j) lying back to back at `bytes`; a refused frame is counted and skipped.
  const send = (bytes: Uint8Array, lens: Uint32Array, i: number, j: number): void => {
    let off = 0;
    while (i < j) {
      let sent: number;
      try {
        sent = injector.sendPacked(bytes.subarray(off), lens.subarray(i, j), j - i);
      } catch (e) {
        sent = (e as { sent?: number }).sent ?? 0;
        res.failed++;
        res.firstError ??= (e as Error).message;
        for (let k = i; k < i + sent; k++) { res.bytes += lens[k]; off += lens[k]; }
        res.frames += sent;
        off += lens[i + sent];
        i += sent + 1;
        continue;
      }
      for (let k = i; k < i + sent; k++) { res.bytes += lens[k]; off += lens[k]; }
      res.frames += sent;
      i += sent;
    }
  };

  const due = (index: number, relNs: number): number =>
    mode.kind === 'pace' ? Math.max(0, relNs) / mode.multiplier : mode.kind === 'pps' ? (index * 1e9) / mode.pps : 0;

  const t0 = performance.now();
  let index = 0; // frames scheduled so far, over all loops
  let loopBase = 0; // capture-time offset of the current loop
  if (frames !== null) {
    const { packed, lens, offs, ns, count } = frames;
    const span = count > 1 ? ns[count - 1] - ns[0] : 0;
    const gap = count > 1 ? span / (count - 1) : 0;
    for (let loop = 0; loop < loops && !stop() && count > 0; loop++) {
      let i = 0;
      while (i < count && !stop()) {
        const first = due(index, loopBase + ns[i] - ns[0]);
        let j = i + 1;
        let bytes = lens[i];
        while (j < count && j - i < BATCH_FRAMES && bytes + lens[j] <= BATCH_BYTES && due(index + (j - i), loopBase + ns[j] - ns[0]) - first <= SLICE_NS) {
          bytes += lens[j];
          j++;
        }
        await waitUntil(t0 + first / 1e6);
        send(packed.subarray(offs[i]), lens, i, j);
        index += j - i;
        i = j;
      }
      loopBase += span + gap;
    }
  } else {
    // Streaming: a staging batch filled from the reader.
    const staging = new Uint8Array(BATCH_BYTES + 262144);
    const lens = new Uint32Array(BATCH_FRAMES);
    for (let loop = 0; loop < loops && !stop(); loop++) {
      const reader = new CaptureFileReader(file);
      let firstNs = -1;
      let lastRel = 0;
      try {
        let count = 0;
        let used = 0;
        let batchDue = 0;
        for (let rec = reader.next(); rec !== null && !stop(); rec = reader.next()) {
          check(file, rec.number, rec.linktype);
          const tns = rec.tsSec * 1e9 + rec.tsNsec;
          if (firstNs < 0) firstNs = tns;
          lastRel = tns - firstNs;
          const d = due(index++, loopBase + lastRel);
          if (count > 0 && (count === BATCH_FRAMES || used + rec.caplen > BATCH_BYTES || d - batchDue > SLICE_NS)) {
            await waitUntil(t0 + batchDue / 1e6);
            send(staging, lens, 0, count);
            count = 0;
            used = 0;
          }
          if (count === 0) batchDue = d;
          staging.set(rec.data.subarray(0, rec.caplen), used);
          lens[count++] = rec.caplen;
          used += rec.caplen;
        }
        if (count > 0) {
          await waitUntil(t0 + batchDue / 1e6);
          send(staging, lens, 0, count);
        }
      } finally {
        reader.close();
      }
      loopBase += lastRel + (reader.recordsRead > 1 ? lastRel / (reader.recordsRead - 1) : 0);
    }
  }
  res.seconds = (performance.now() - t0) / 1000;
  return res;
}

export function formatResult(r: ReplayResult): string {
  const pps = r.seconds > 0 ? r.frames / r.seconds : 0;
  const mbps = r.seconds > 0 ? (r.bytes * 8) / r.seconds / 1e6 : 0;
  let s = `replay: sent ${r.frames} frames (${r.bytes} bytes) in ${r.seconds.toFixed(3)} s: ${Math.round(pps)} pps, ${mbps.toFixed(1)} Mbit/s`;
  if (r.failed) s += `; ${r.failed} frames failed (first: ${r.firstError})`;
  return s;
}

async function run(plan: ReplayPlan): Promise<number> {
  const { iface, mode, loops, backend, file } = plan;
  // Check the file first: a bad file is reported before any interface is touched.
  const head = new CaptureFileReader(file);
  try {
    const first = head.next();
    if (first !== null) check(file, first.number, first.linktype);
  } finally {
    head.close();
  }
  const injector = openInjector(iface, { backend, warn: toolWarning('replay') });
  let stopped = false;
  const onSigint = (): void => { stopped = true; };
  process.on('SIGINT', onSigint);
  try {
    const r = await replay(file, injector, mode, loops, () => stopped);
    process.stdout.write(`${formatResult(r)}\n`);
    return r.failed > 0 && r.frames === 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', onSigint);
    injector.close();
  }
}

if (process.argv[1] && /replay\.js$/.test(process.argv[1])) void runTool({ spec: REPLAY_SPEC, prepare, run });
