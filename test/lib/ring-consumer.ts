// Consumer thread for test/ring-pcap.test.ts: dequeues n u32 slots with the TS twin and
// checks they arrive in order.
import { parentPort, workerData } from 'node:worker_threads';
import { createEngine } from '../../host/engine/engine.js';
import { FrameRing } from '../../host/ring/frame-ring.js';

interface Job { memory: WebAssembly.Memory; module: WebAssembly.Module | undefined; ring: number; n: number }
const job = workerData as Job;
const engine = createEngine({ memory: job.memory, module: job.module, backend: 'ts' });
const ring = FrameRing.attach(engine, job.ring);
const dst = engine.arena.alloc(64 * 4);
let got = 0;
let sum = 0;
let inOrder = true;
while (got < job.n) {
  const k = ring.core.ring_dequeue_burst(ring.address, dst, 64);
  if (k === 0) { ring.waitForData(50); continue; }
  const u32 = engine.views.refresh().u32;
  for (let i = 0; i < k; i++) {
    const v = u32[(dst >>> 2) + i];
    if (v !== got + i) inOrder = false;
    sum += v;
  }
  got += k;
}
parentPort?.postMessage({ sum, inOrder });
