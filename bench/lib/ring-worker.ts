// One side of bench/ring.bench.ts, in a worker of its own: each side of each run starts in
// a fresh isolate, so no contender runs on JIT feedback (call sites made polymorphic)
// left by the one measured before it. Each contender's loop is its own function.
// Producer and consumer spin, then nap a few microseconds, as bench/ring.bench.ts says.
import { parentPort, workerData } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { createEngine } from '../../host/engine/engine.js';
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

// Each side drives one contender only (its own isolate), so the closures below are the
// only ones their call sites ever see.

/** Producer: slot i carries the value i; `fill` writes values sent..sent+k-1 where `put`
 *  takes them from, `put` offers k of them to the ring and says how many it took. */
function produce(fill: (sent: number, k: number) => void, put: (k: number) => number): number {
  ready();
  let sent = 0;
  while (sent < job.n) {
    const k = Math.min(job.burst, job.n - sent);
    fill(sent, k);
    const took = put(k);
    if (took === 0) idle();
    sent += took;
  }
  return sent;
}

/** Consumer: `take` moves up to `burst` values out of the ring and adds them up (into
 *  `got.sum`); returns how many. The sum is what the main thread checks. */
function consume(take: (got: { sum: number }) => number): number {
  ready();
  const got = { sum: 0 };
  let n = 0;
  while (n < job.n) {
    const k = take(got);
    if (k === 0) idle();
    n += k;
  }
  return got.sum;
}

/** Values in the shared memory at `at` (byte address), for the engine-side contenders. */
function sharedValues(engine: ReturnType<typeof createEngine>): { at: number; u32: Uint32Array } {
  return { at: engine.arena.alloc(job.burst * 4), u32: engine.views.refresh().u32 };
}

function runProducer(): number {
  if (job.kind === 'ringbuf.js') {
    const rb = new RingBuffer(job.sab!, Uint32Array);
    const src = new Uint32Array(job.burst);
    return produce((sent, k) => { for (let i = 0; i < k; i++) src[i] = sent + i; }, (k) => rb.push(src, k));
  }
  const engine = engineFor(job.kind === 'ts' ? 'ts' : 'wasm');
  const { at, u32 } = sharedValues(engine);
  const fill = (sent: number, k: number): void => { for (let i = 0; i < k; i++) u32[(at >>> 2) + i] = sent + i; };
  if (job.kind === 'ValueRing') {
    const ring = ValueRing.attach(engine, job.ring);
    return produce(fill, (k) => ring.push(at, k));
  }
  if (job.kind === 'FrameRing') {
    // The public API: a FrameBatch of 4-byte frames, each holding its value, copied in.
    const ring = FrameRing.attach(engine, job.ring);
    const batch = engine.createBatch(job.burst, 16);
    for (let i = 0; i < job.burst; i++) batch.pushRef(at + i * 4, 4);
    return produce(fill, (k) => { batch.count = k; return ring.enqueue(batch); });
  }
  const core = ValueRing.attach(engine, job.ring).core; // the kernel on this backend
  return produce(fill, (k) => core.ring_enqueue_burst(job.ring, at, k));
}

function runConsumer(): number {
  if (job.kind === 'ringbuf.js') {
    const rb = new RingBuffer(job.sab!, Uint32Array);
    const dst = new Uint32Array(job.burst);
    return consume((got) => {
      const k = rb.pop(dst, job.burst);
      for (let i = 0; i < k; i++) got.sum += dst[i];
      return k;
    });
  }
  const engine = engineFor(job.kind === 'ts' ? 'ts' : 'wasm');
  if (job.kind === 'FrameRing') {
    // The public API: the slots described as a FrameBatch (no copy), each frame's value
    // read where it lies, then the slots given back.
    const ring = FrameRing.attach(engine, job.ring);
    const batch = engine.createBatch(job.burst, 16);
    const u32 = engine.views.refresh().u32;
    return consume((got) => {
      const k = ring.peek(batch, job.burst);
      for (let i = 0; i < k; i++) got.sum += u32[batch.framePtr(i) >>> 2];
      if (k > 0) ring.release(k);
      return k;
    });
  }
  const { at, u32 } = sharedValues(engine);
  // 'wasm' and 'ts' are the kernel itself (the ring's exports on that backend), 'ValueRing' its public class.
  const ring = ValueRing.attach(engine, job.ring);
  const pop = job.kind === 'ValueRing' ? (): number => ring.pop(at, job.burst) : (): number => ring.core.ring_dequeue_burst(job.ring, at, job.burst);
  return consume((got) => {
    const k = pop();
    for (let i = 0; i < k; i++) got.sum += u32[(at >>> 2) + i];
    return k;
  });
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
  return job.role === 'producer' ? runProducer() : runConsumer();
}
parentPort?.postMessage(run());
