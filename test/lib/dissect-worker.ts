// Worker for test/shared-memory.test.ts: attaches an engine to the posted memory and
// module, dissects its share of the batch, and allocates from the shared arena.
import { parentPort, workerData } from 'node:worker_threads';
import { createEngine, type Backend } from '../../host/engine/engine.js';

interface Job { memory: WebAssembly.Memory; module: WebAssembly.Module; backend: Backend; table: number; count: number; out: number }
const job = workerData as Job;
const engine = createEngine({ memory: job.memory, module: job.module, backend: job.backend });
const allocs: number[] = [];
for (let i = 0; i < 100; i++) {
  allocs.push(engine.arena.alloc(64));
  if (i === 50) engine.core.dissect_batch(job.table, job.count, job.out, 0);
}
for (let i = 0; i < 100; i++) allocs.push(engine.arena.alloc(64));
parentPort?.postMessage({ allocs });
