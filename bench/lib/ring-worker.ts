// Consumer side of bench/ring.bench.ts: drains N u32 slots from one of the contenders,
// in bursts of `burst`, spinning (the producer never sleeps either), then reports.
import { parentPort, workerData } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { createEngine } from '../../host/engine/engine.js';
import { exportsOf } from '../../host/engine/backend.js';
import { RING } from '../../host/ring/exports.js';
import { FrameRing } from '../../host/ring/frame-ring.js';

interface Job {
  kind: 'wasm' | 'ts' | 'ringbuf.js' | 'FrameRing';
  memory: WebAssembly.Memory; module: WebAssembly.Module | undefined; ring: number; sab: SharedArrayBuffer | null;
  n: number; burst: number; go: Int32Array;
}
const job = workerData as Job;
let sum = 0;
let misses = 0;
const nap = new Int32Array(new SharedArrayBuffer(4));
// An empty ring: spin a little, then give the core away for a few microseconds.
const idle = (): void => { if (++misses > 20000) { misses = 0; Atomics.wait(nap, 0, 0, 0.02); } };
if (job.kind === 'ringbuf.js') {
  const rb = new RingBuffer(job.sab!, Uint32Array);
  const dst = new Uint32Array(job.burst);
  Atomics.store(job.go, 1, 1);
  let got = 0;
  while (got < job.n) {
    const k = rb.pop(dst, job.burst);
    if (k === 0) idle();
    for (let i = 0; i < k; i++) sum += dst[i];
    got += k;
  }
} else if (job.kind === 'FrameRing') {
  // The public API: the slots described as a FrameBatch (no copy), each frame's u32 read
  // where it lies, then the slots given back.
  const engine = createEngine({ memory: job.memory, module: job.module });
  const ring = FrameRing.attach(engine, job.ring);
  const batch = engine.createBatch(job.burst, 16);
  const u32 = engine.views.refresh().u32;
  Atomics.store(job.go, 1, 1);
  let got = 0;
  while (got < job.n) {
    const k = ring.peek(batch, job.burst);
    if (k === 0) { idle(); continue; }
    for (let i = 0; i < k; i++) sum += u32[batch.framePtr(i) >>> 2];
    ring.release(k);
    got += k;
  }
} else {
  const engine = createEngine({ memory: job.memory, module: job.module, backend: job.kind });
  const core = exportsOf(engine, RING);
  const dst = engine.arena.alloc(job.burst * 4);
  const u32 = engine.views.refresh().u32;
  Atomics.store(job.go, 1, 1);
  let got = 0;
  while (got < job.n) {
    const k = core.ring_dequeue_burst(job.ring, dst, job.burst);
    if (k === 0) idle();
    for (let i = 0; i < k; i++) sum += u32[(dst >>> 2) + i];
    got += k;
  }
}
parentPort?.postMessage(sum);
