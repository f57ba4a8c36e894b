// The frame ring between two threads: slots per second at burst 1 and burst 32, WASM vs
// the TS twin vs npm ringbuf.js (a wait-free SPSC ring on a SharedArrayBuffer), each
// moving the same u32 payload per slot, and the same WASM ring through its public API
// (FrameRing.enqueue of a FrameBatch of 4-byte frames; peek, framePtr and release). Producer on this thread, consumer in a worker,
// both spinning briefly, then napping a few microseconds; median of 3, runs alternated.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { RingBuffer } from 'ringbuf.js';
import { createEngine } from '../host/engine/engine.js';
import { FrameRing } from '../host/ring/frame-ring.js';
import { sized } from './lib/results.js';

const worker = fileURLToPath(new URL('./lib/ring-worker.js', import.meta.url));
const engine = createEngine();
// The twin's producer side runs on a 'ts' engine over the same memory.
const twinEngine = createEngine({ backend: 'ts', memory: engine.memory });
type Kind = 'wasm' | 'ts' | 'ringbuf.js' | 'FrameRing';
const KINDS: Kind[] = ['wasm', 'ts', 'ringbuf.js', 'FrameRing'];
const SLOTS = 16384;
const ROUNDS = sized(3, 1);

async function once(kind: Kind, burst: number, n: number): Promise<number> {
  const go = new Int32Array(new SharedArrayBuffer(8));
  let ring = 0;
  let sab: SharedArrayBuffer | null = null;
  let produce: (src: Uint32Array, srcPtr: number, k: number) => number;
  const srcPtr = engine.arena.alloc(burst * 4);
  if (kind === 'ringbuf.js') {
    sab = RingBuffer.getStorageForCapacity(SLOTS, Uint32Array);
    const rb = new RingBuffer(sab, Uint32Array);
    produce = (src, _p, k) => rb.push(src, k);
  } else if (kind === 'FrameRing') {
    const r = FrameRing.create(engine, SLOTS, 32);
    ring = r.address;
    const batch = engine.createBatch(burst, 16);
    for (let i = 0; i < burst; i++) batch.pushRef(srcPtr + i * 4, 4);
    produce = (_s, _p, k) => { batch.count = k; return r.enqueue(batch); };
  } else {
    const r = FrameRing.create(kind === 'wasm' ? engine : twinEngine, SLOTS, 32);
    const core = r.core;
    ring = r.address;
    produce = (_s, p, k) => core.ring_enqueue_burst(ring, p, k);
  }
  const w = new Worker(worker, { workerData: { kind, memory: engine.memory, module: engine.module, ring, sab, n, burst, go } });
  const done = new Promise<number>((res, rej) => { w.once('message', res); w.once('error', rej); });
  const src = new Uint32Array(burst);
  const u32 = engine.views.refresh().u32;
  // Wait for the consumer to be ready (spinning: its error event cannot reach this loop,
  // so a worker that failed to start would hang the run without the deadline).
  const deadline = Date.now() + 60_000;
  while (Atomics.load(go, 1) === 0) if (Date.now() > deadline) throw new Error(`ring bench: the ${kind} consumer worker did not start`);
  const t0 = process.hrtime.bigint();
  let sent = 0;
  let misses = 0;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  while (sent < n) {
    const k = Math.min(burst, n - sent);
    for (let i = 0; i < k; i++) { src[i] = sent + i; u32[(srcPtr >>> 2) + i] = sent + i; }
    const put = produce(src, srcPtr, k);
    sent += put;
    // A full ring: spin a little, then give the core away for a few microseconds, as a
    // real producer would (on 2 shared cores, pure spinning starves the consumer).
    if (put === 0 && ++misses > 20000) { misses = 0; Atomics.wait(nap, 0, 0, 0.02); }
  }
  await done;
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return n / secs;
}

for (const burst of [1, 32]) {
  const n = burst === 1 ? sized(1_000_000, 10_000) : sized(10_000_000, 100_000);
  const results: Record<Kind, number[]> = { wasm: [], ts: [], 'ringbuf.js': [], FrameRing: [] };
  for (let r = 0; r < ROUNDS; r++) for (const k of KINDS) results[k].push(await once(k, burst, n));
  const med = (a: number[]): number => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const base = med(results.wasm);
  console.log(`\nframe ring, two threads, burst ${burst}, ${n} slots, median of ${ROUNDS}`);
  console.log('contender      M slots/s   ns/slot   vs wasm');
  for (const k of KINDS) {
    const v = med(results[k]);
    console.log(`${k.padEnd(13)} ${(v / 1e6).toFixed(1).padStart(10)} ${(1e9 / v).toFixed(2).padStart(9)}   ${(base / v).toFixed(2)}x slower`.replace(' 1.00x slower', ' 1.00x'));
  }
  console.log(`target: >= ${burst === 32 ? 200 : 30} M slots/s for wasm and >= 5x ringbuf.js: ${base / 1e6 >= (burst === 32 ? 200 : 30) ? 'met' : 'MISSED'} / ${(base / med(results['ringbuf.js'])).toFixed(1)}x`);
}
