// The memory model: one shared WebAssembly.Memory, the engine instantiated on the main
// thread and in two worker_threads; the workers dissect disjoint halves of one frame
// batch in place and their descriptors equal the main thread's, byte for byte. The
// arena's cursor is shared too: allocations from all three threads never overlap.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../host/engine/engine.js';
import { DESC_SIZE } from '../host/runtime/layout.js';
import { buildSampleFrames } from './lib/sample-frames.js';
import { Rng, seed } from './lib/env.js';

const workerFile = fileURLToPath(new URL('./lib/dissect-worker.js', import.meta.url));

test('two workers on the same memory produce the main thread\'s descriptors', async () => {
  const engine = createEngine();
  const N = 20_000;
  const batch = engine.createBatch(N, N * 256);
  const samples = buildSampleFrames();
  const rng = new Rng(seed());
  for (let i = 0; i < N; i++) {
    const s = samples[rng.int(samples.length)];
    const cut = rng.bool(0.2) ? rng.int(s.data.length + 1) : s.data.length;
    batch.push(s.data.subarray(0, cut), s.linktype, s.data.length);
  }
  const workerDescs = engine.arena.alloc(N * DESC_SIZE);
  engine.core.dissect_batch(batch.table, N, batch.descs, 0);

  const half = N / 2;
  const jobs = [0, 1].map((k) => new Promise<{ allocs: number[] }>((resolve, reject) => {
    const w = new Worker(workerFile, {
      workerData: {
        memory: engine.memory, module: engine.module, backend: k === 0 ? 'wasm' : 'ts',
        table: batch.table + k * half * 16, count: half, out: workerDescs + k * half * DESC_SIZE,
      },
    });
    w.once('message', resolve);
    w.once('error', reject);
  }));
  const mainAllocs: number[] = [];
  for (let i = 0; i < 200; i++) mainAllocs.push(engine.arena.alloc(64));
  const results = await Promise.all(jobs);

  const m = engine.views.refresh().u8;
  const a = m.subarray(batch.descs, batch.descs + N * DESC_SIZE);
  const b = m.subarray(workerDescs, workerDescs + N * DESC_SIZE);
  assert.is(Buffer.compare(a, b), 0, 'worker descriptors differ from the main thread\'s');

  const all = [...mainAllocs, ...results[0].allocs, ...results[1].allocs].sort((x, y) => x - y);
  for (let i = 1; i < all.length; i++) assert.ok(all[i] - all[i - 1] >= 64, `arena regions overlap at ${all[i]}`);
  assert.is(new Set(all).size, 600);
});

test.run();
