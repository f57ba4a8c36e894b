// Checksum on 64, 576 and 1500 bytes: WASM (SIMD) vs the TS twin vs raw-socket's
// createChecksum (C++), same bytes, one run. Two settings: one buffer hot in cache,
// and a 64 MiB array of buffers walked in order (the DRAM figure).
import { createRequire } from 'node:module';
import { createEngine } from '../host/engine/engine.js';
import { compare } from './lib/compare.js';
import { sized, TINY } from './lib/results.js';

const require = createRequire(import.meta.url);
const raw = require('raw-socket') as { createChecksum: (...bufs: Buffer[]) => number };

const wasm = createEngine({ backend: 'wasm' });
const twin = createEngine({ backend: 'ts', memory: wasm.memory });
let sink = 0;

for (const size of [64, 576, 1500]) {
  const ptr = wasm.arena.alloc(size);
  const m = wasm.views.refresh().u8;
  for (let i = 0; i < size; i++) m[ptr + i] = (i * 31 + 7) & 255;
  const buf = Buffer.from(m.subarray(ptr, ptr + size));
  const REPS = 1000;
  const wc = wasm.core.cksum_compute;
  const tc = twin.core.cksum_compute;
  // engine.checksum(bytes) is the public API for bytes outside the shared memory: a
  // Uint8Array of its own (copied in), or a view into the engine's memory (no copy).
  const own = new Uint8Array(buf);
  const inMemory = wasm.views.refresh().u8.subarray(ptr, ptr + size);
  await compare({ title: `checksum ${size} B, cache-resident (${REPS} calls per sample)`, unitsPerCall: size * REPS, callsPerSample: REPS, throughput: 'GB/s', target: size === 1500 ? 40 : 20 }, [
    { name: 'wasm', fn: () => { for (let i = 0; i < REPS; i++) sink ^= wc(ptr, size); } },
    { name: 'ts twin', fn: () => { for (let i = 0; i < REPS; i++) sink ^= tc(ptr, size); } },
    { name: 'engine.checksum(Uint8Array) wasm', fn: () => { for (let i = 0; i < REPS; i++) sink ^= wasm.checksum(own); } },
    { name: 'engine.checksum(view of memory) wasm', fn: () => { for (let i = 0; i < REPS; i++) sink ^= wasm.checksum(inMemory); } },
    { name: 'raw-socket createChecksum', fn: () => { for (let i = 0; i < REPS; i++) sink ^= raw.createChecksum(buf); } },
  ]);
}

// The same in batches (how the engine is meant to be called): 1,000 cache-resident
// buffers per call, so the JS->WASM call (~2.7 ns, bench/README) is paid once per batch.
// At 64 B that call is most of a single call's cost: the batch row says what the sum
// itself reaches.
for (const size of [64, 1500]) {
  const bufs = 8; // 8 x 1.5 KB stay in L1/L2
  const base = wasm.arena.alloc(bufs * 1536);
  const m = wasm.views.refresh().u8;
  for (let i = 0; i < bufs * 1536; i++) m[base + i] = (i * 13 + 1) & 255;
  const count = 1000;
  const batch = wasm.createBatch(count, 16);
  for (let i = 0; i < count; i++) batch.pushRef(base + (i % bufs) * 1536, size);
  const out = wasm.arena.alloc(count * 2);
  await compare({ title: `checksum ${size} B, cache-resident, batches of ${count} (cksum_batch)`, unitsPerCall: size * count, throughput: 'GB/s', target: size === 1500 ? 40 : 20 }, [
    { name: 'wasm', fn: () => wasm.core.cksum_batch(batch.table, count, out) },
    { name: 'ts twin', fn: () => twin.core.cksum_batch(batch.table, count, out) },
  ]);
}

// Streaming from DRAM: 64 MiB of 1500-byte buffers, checksummed in a batch call each.
{
  const size = 1500;
  const stride = 1536;
  const count = Math.floor(sized(64 << 20, 1 << 20) / stride);
  const batch = wasm.createBatch(count, 16);
  const data = wasm.arena.alloc(count * stride);
  const m = wasm.views.refresh().u8;
  for (let i = 0; i < count * stride; i += 4096) m[data + i] = i & 255;
  for (let i = 0; i < count; i++) batch.pushRef(data + i * stride, size);
  const out = wasm.arena.alloc(count * 2);
  await compare({ title: `checksum 1500 B x ${count} buffers streamed from ${TINY ? 'cache (tiny run)' : 'DRAM'} (cksum_batch)`, unitsPerCall: size * count, throughput: 'GB/s', timeMs: 1500 }, [
    { name: 'wasm', fn: () => wasm.core.cksum_batch(batch.table, count, out) },
    { name: 'ts twin', fn: () => twin.core.cksum_batch(batch.table, count, out) },
  ]);
}
if (sink === 0.5) console.log(sink);
