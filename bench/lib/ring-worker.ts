// One side of bench/ring.bench.ts, in a worker of its own: each side of each run starts in
// a fresh isolate, so no contender runs on JIT feedback (call sites made polymorphic)
// left by the one measured before it. Each contender's loop is its own function.
// Producer and consumer spin, then nap a few microseconds, as bench/ring.bench.ts says.
import { parentPort, workerData } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { createEngine } from '../../host/engine/engine.js';
import { exportsOf } from '../../host/engine/backend.js';
import { RING } from '../../host/ring/exports.js';
import { FrameRing } from '../../host/ring/frame-ring.js';
import { ValueRing } from '../../host/ring/value-ring.js';

export type RingKind = 'wasm' | 'ts' | 'ringbuf.js' | 'ValueRing' | 'FrameRing';
export interface RingJob {
  /** 'pong' answers the main thread's pings on sync[0] (the round trip between the cores). */
  role: 'producer' | 'consumer' | 'pong';
  kind: RingKind;
  memory: WebAssembly.Memory; module: WebAssembly.Module | undefined; ring: number; sab: SharedArrayBuffer | null;
  n: number; burst: number;
  /** [0] the go signal from the main thread, [1] producer ready, [2] consumer ready. */
  sync: Int32Array;
}
const job = workerData as RingJob;
const nap = new Int32Array(new SharedArrayBuffer(4));
let misses = 0;
// Nothing to do (a full ring for the producer, an empty one for the consumer): spin a
// little, then give the core away for a few microseconds (2 shared cores: pure spinning
// would starve the other side).
const idle = (): void => { if (++misses > 20000) { misses = 0; Atomics.wait(nap, 0, 0, 0.02); } };

function ready(): void {
  Atomics.store(job.sync, job.role === 'producer' ? 1 : 2, 1);
  while (Atomics.load(job.sync, 0) === 0);
}

function engineFor(backend: 'wasm' | 'ts' = 'wasm'): ReturnType<typeof createEngine> {
  return createEngine({ memory: job.memory, module: job.module, backend });
}

// ---- producers: slot i carries the value i ----
function produceCore(backend: 'wasm' | 'ts'): number {
  const engine = engineFor(backend);
  const core = exportsOf(engine, RING);
  const src = engine.arena.alloc(job.burst * 4);
  const u32 = engine.views.refresh().u32;
  ready();
  let sent = 0;
  while (sent < job.n) {
    const k = Math.min(job.burst, job.n - sent);
    for (let i = 0; i < k; i++) u32[(src >>> 2) + i] = sent + i;
    const put = core.ring_enqueue_burst(job.ring, src, k);
    if (put === 0) idle();
    sent += put;
  }
  return sent;
}

function produceValueRing(): number {
  const engine = engineFor();
  const ring = ValueRing.attach(engine, job.ring);
  const src = engine.arena.alloc(job.burst * 4);
  const u32 = engine.views.refresh().u32;
  ready();
  let sent = 0;
  while (sent < job.n) {
    const k = Math.min(job.burst, job.n - sent);
    for (let i = 0; i < k; i++) u32[(src >>> 2) + i] = sent + i;
    const put = ring.push(src, k);
    if (put === 0) idle();
    sent += put;
  }
  return sent;
}

function produceFrameRing(): number {
  // The public API: a FrameBatch of 4-byte frames, each holding its u32, copied in.
  const engine = engineFor();
  const ring = FrameRing.attach(engine, job.ring);
  const src = engine.arena.alloc(job.burst * 4);
  const batch = engine.createBatch(job.burst, 16);
  for (let i = 0; i < job.burst; i++) batch.pushRef(src + i * 4, 4);
  const u32 = engine.views.refresh().u32;
  ready();
  let sent = 0;
  while (sent < job.n) {
    const k = Math.min(job.burst, job.n - sent);
    for (let i = 0; i < k; i++) u32[(src >>> 2) + i] = sent + i;
    batch.count = k;
    const put = ring.enqueue(batch);
    if (put === 0) idle();
    sent += put;
  }
  return sent;
}

function produceRingbuf(): number {
  const rb = new RingBuffer(job.sab!, Uint32Array);
  const src = new Uint32Array(job.burst);
  ready();
  let sent = 0;
  while (sent < job.n) {
    const k = Math.min(job.burst, job.n - sent);
    for (let i = 0; i < k; i++) src[i] = sent + i;
    const put = rb.push(src, k);
    if (put === 0) idle();
    sent += put;
  }
  return sent;
}

// ---- consumers: the sum of what arrived, which the main thread checks ----
function consumeCore(backend: 'wasm' | 'ts'): number {
  const engine = engineFor(backend);
  const core = exportsOf(engine, RING);
  const dst = engine.arena.alloc(job.burst * 4);
  const u32 = engine.views.refresh().u32;
  ready();
  let got = 0;
  let sum = 0;
  while (got < job.n) {
    const k = core.ring_dequeue_burst(job.ring, dst, job.burst);
    if (k === 0) idle();
    for (let i = 0; i < k; i++) sum += u32[(dst >>> 2) + i];
    got += k;
  }
  return sum;
}

function consumeValueRing(): number {
  const engine = engineFor();
  const ring = ValueRing.attach(engine, job.ring);
  const dst = engine.arena.alloc(job.burst * 4);
  const u32 = engine.views.refresh().u32;
  ready();
  let got = 0;
  let sum = 0;
  while (got < job.n) {
    const k = ring.pop(dst, job.burst);
    if (k === 0) idle();
    for (let i = 0; i < k; i++) sum += u32[(dst >>> 2) + i];
    got += k;
  }
  return sum;
}

function consumeFrameRing(): number {
  // The public API: the slots described as a FrameBatch (no copy), each frame's u32 read
  // where it lies, then the slots given back.
  const engine = engineFor();
  const ring = FrameRing.attach(engine, job.ring);
  const batch = engine.createBatch(job.burst, 16);
  const u32 = engine.views.refresh().u32;
  ready();
  let got = 0;
  let sum = 0;
  while (got < job.n) {
    const k = ring.peek(batch, job.burst);
    if (k === 0) { idle(); continue; }
    for (let i = 0; i < k; i++) sum += u32[batch.framePtr(i) >>> 2];
    ring.release(k);
    got += k;
  }
  return sum;
}

function consumeRingbuf(): number {
  const rb = new RingBuffer(job.sab!, Uint32Array);
  const dst = new Uint32Array(job.burst);
  ready();
  let got = 0;
  let sum = 0;
  while (got < job.n) {
    const k = rb.pop(dst, job.burst);
    if (k === 0) idle();
    for (let i = 0; i < k; i++) sum += dst[i];
    got += k;
  }
  return sum;
}

function pong(): number {
  Atomics.store(job.sync, 1, 1);
  for (let i = 1; i <= job.n; i++) {
    while (Atomics.load(job.sync, 0) !== 2 * i - 1);
    Atomics.store(job.sync, 0, 2 * i);
  }
  return job.n;
}

function run(): number {
  if (job.role === 'pong') return pong();
  const producer = job.role === 'producer';
  switch (job.kind) {
    case 'wasm': case 'ts': return producer ? produceCore(job.kind) : consumeCore(job.kind);
    case 'ValueRing': return producer ? produceValueRing() : consumeValueRing();
    case 'FrameRing': return producer ? produceFrameRing() : consumeFrameRing();
    case 'ringbuf.js': return producer ? produceRingbuf() : consumeRingbuf();
  }
}
parentPort?.postMessage(run());
