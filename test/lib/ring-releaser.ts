// Consumer thread for test/ring-pcap.test.ts's wake test: waits until the producer has
// raised RING_SPACE_WAITING (it sleeps on a full ring), then frees one slot through the
// public FrameRing.release, which must wake it.
import { parentPort, workerData } from 'node:worker_threads';
import { createEngine } from '../../host/engine/engine.js';
import { FrameRing } from '../../host/ring/frame-ring.js';
import { RING_SPACE_WAITING } from '../../host/runtime/layout.js';

interface Job { memory: WebAssembly.Memory; module: WebAssembly.Module | undefined; ring: number }
const job = workerData as Job;
const engine = createEngine({ memory: job.memory, module: job.module });
const ring = FrameRing.attach(engine, job.ring);
const i32 = engine.views.refresh().i32;
const flag = (job.ring + RING_SPACE_WAITING) >>> 2;
const deadline = Date.now() + 10_000;
while (Atomics.load(i32, flag) === 0 && Date.now() < deadline) Atomics.wait(i32, 0x7fff0 >>> 2, 0, 1);
const sawFlag = Atomics.load(i32, flag) !== 0;
ring.release(1);
parentPort?.postMessage(sawFlag);
