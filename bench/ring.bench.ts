// Rings between two threads: values per second at burst 1 and burst 32. The kernels move
// one u32 per slot through a ValueRing (WASM, and the TS twin over the same memory)
// against npm ringbuf.js (a wait-free SPSC ring on a SharedArrayBuffer); the same WASM
// ring through its public API (ValueRing.push/pop); and a FrameRing through its public
// API (FrameRing.enqueue of a FrameBatch of 4-byte frames; peek, framePtr and release),
// which moves at least one 64-byte slot line per frame. Producer and consumer each run in
// a fresh worker (bench/lib/ring-worker.ts), so every contender gets a JIT of its own:
// measured from the main thread, the producer loop of whichever contender ran first left
// its call sites polymorphic for the next (the WASM row read 80 M/s at burst 32 after
// the others, 190 alone). Median of 5 runs per contender, runs alternated; every run
// checks the sum of what arrived.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { RingBuffer } from 'ringbuf.js';
import { createEngine } from '../host/engine/engine.js';
import { FrameRing } from '../host/ring/frame-ring.js';
import { ValueRing } from '../host/ring/value-ring.js';
import { recordResult, sized, suiteName } from './lib/results.js';
import type { RingJob, RingKind } from './lib/ring-worker.js';

const workerFile = fileURLToPath(new URL('./lib/ring-worker.js', import.meta.url));
const engine = createEngine();
const KINDS: RingKind[] = (process.env.RING_KINDS ?? 'wasm,ts,ringbuf.js,ValueRing,FrameRing').split(',') as RingKind[];
const SLOTS = 16384;
const ROUNDS = sized(5, 1);

function start(job: RingJob): Promise<number> {
  const w = new Worker(workerFile, { workerData: job });
  return new Promise<number>((res, rej) => {
    w.once('message', res);
    w.once('error', rej);
    w.once('exit', (code) => { if (code !== 0) rej(new Error(`ring bench: the ${job.kind} ${job.role} exited with ${code}`)); });
  });
}

async function once(kind: RingKind, burst: number, n: number): Promise<number> {
  let ring = 0;
  let sab: SharedArrayBuffer | null = null;
  if (kind === 'ringbuf.js') sab = RingBuffer.getStorageForCapacity(SLOTS, Uint32Array);
  else if (kind === 'FrameRing') ring = FrameRing.create(engine, SLOTS, 32).address;
  else ring = ValueRing.create(engine, SLOTS).address;
  const sync = new Int32Array(new SharedArrayBuffer(12));
  const base = { kind, memory: engine.memory, module: engine.module, ring, sab, n, burst, sync };
  const produced = start({ ...base, role: 'producer' });
  const consumed = start({ ...base, role: 'consumer' });
  // Both sides ready (spinning on the flag) before the clock starts; a worker that fails
  // to start rejects its promise, which the deadline turns into an error here.
  const deadline = Date.now() + 60_000;
  while (Atomics.load(sync, 1) === 0 || Atomics.load(sync, 2) === 0) {
    if (Date.now() > deadline) throw new Error(`ring bench: the ${kind} workers did not start`);
    await new Promise((r) => setTimeout(r, 1));
  }
  const t0 = process.hrtime.bigint();
  Atomics.store(sync, 0, 1);
  const [sent, sum] = await Promise.all([produced, consumed]);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sent !== n || sum !== (n * (n - 1)) / 2) throw new Error(`ring bench: ${kind} moved ${sent} values, their sum ${sum} (expected ${(n * (n - 1)) / 2})`);
  return n / secs;
}

/** The median time for one value to go to the other thread and back (Atomics.store, the
 *  other side spinning on Atomics.load): what one cache line's trip between the two cores
 *  costs now. On this kind of machine (a VM) the same ring code read 80 and 190-270 M/s at
 *  burst 32 minutes apart, as if the two vCPUs had moved closer or apart: this figure is
 *  printed beside the rings' so that two runs can be told apart. */
async function roundTripNs(): Promise<number> {
  const n = sized(100_000, 2_000);
  const sync = new Int32Array(new SharedArrayBuffer(12));
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    Atomics.store(sync, 0, 0);
    Atomics.store(sync, 1, 0);
    const done = start({ role: 'pong', kind: 'wasm', memory: engine.memory, module: engine.module, ring: 0, sab: null, n, burst: 1, sync });
    while (Atomics.load(sync, 1) === 0) await new Promise((res) => setTimeout(res, 1));
    const t0 = process.hrtime.bigint();
    for (let i = 1; i <= n; i++) {
      Atomics.store(sync, 0, 2 * i - 1);
      while (Atomics.load(sync, 0) !== 2 * i);
    }
    times.push(Number(process.hrtime.bigint() - t0) / n);
    await done;
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

console.log(`\nround trip of one value between the two threads (Atomics, spinning): ${(await roundTripNs()).toFixed(0)} ns (median of ${ROUNDS})`);

for (const burst of [1, 32]) {
  const n = burst === 1 ? sized(2_000_000, 10_000) : sized(20_000_000, 100_000);
  const results = new Map<RingKind, number[]>(KINDS.map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) for (const k of KINDS) results.get(k)!.push(await once(k, burst, n));
  const med = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const base = med(results.get('wasm')!);
  const table = `ring, two threads, burst ${burst}`;
  console.log(`\n${table}, ${n} values, median of ${ROUNDS}`);
  console.log('contender      M slots/s   ns/slot   vs wasm');
  for (const k of KINDS) {
    const v = med(results.get(k)!);
    const r = base / v;
    const vs = k === 'wasm' ? '1.00x' : r >= 1 ? `${r.toFixed(2)}x slower` : `${(1 / r).toFixed(2)}x faster`;
    console.log(`${k.padEnd(13)} ${(v / 1e6).toFixed(1).padStart(10)} ${(1e9 / v).toFixed(2).padStart(9)}   ${vs}`);
    recordResult({
      suite: suiteName(), table, contender: k, unit: 'slot', nsPerUnit: 1e9 / v, nsPerSample: (n * 1e9) / v,
      throughput: v / 1e6, throughputUnit: 'M slots/s', samples: ROUNDS,
    });
  }
  const goal = burst === 32 ? 200 : 30;
  const peerRuns = results.get('ringbuf.js');
  const peer = peerRuns === undefined ? NaN : base / med(peerRuns);
  console.log(`target: >= ${goal} M slots/s for wasm and >= 5x ringbuf.js: ${base / 1e6 >= goal ? 'met' : 'MISSED'} / ${peer.toFixed(1)}x (${peer >= 5 ? 'met' : 'MISSED'})`);
}
