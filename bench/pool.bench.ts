// Buffer pool: alloc+free pairs, bursts of 32 allocs then 32 frees, and bulk calls:
// WASM vs the TS twin on the same pool layout, with a plain JS array free list as the
// reference a host-only design would use.
import { createEngine } from '../host/engine/engine.js';
import { Pool } from '../host/pool/pool.js';
import { compare } from './lib/compare.js';

const wasm = createEngine({ backend: 'wasm' });
const twin = createEngine({ backend: 'ts', memory: wasm.memory });
const REPS = 1000;
const pw = new Pool(wasm, { count: 4096, bufSize: 2048, headroom: 128 });
const pt = new Pool(twin, { count: 4096, bufSize: 2048, headroom: 128 });
let sink = 0;

// The reference: handles on a JS array used as a stack.
const jsFree: number[] = Array.from({ length: 4096 }, (_, i) => i);

await compare({ title: `pool alloc + free, one buffer at a time (${REPS} pairs per sample)`, unitsPerCall: REPS, throughput: 'M ops/s' }, [
  { name: 'wasm', fn: () => { const c = pw.core; const a = pw.addr; for (let i = 0; i < REPS; i++) sink ^= c.pool_free(a, c.pool_alloc(a)); } },
  { name: 'ts twin', fn: () => { const c = pt.core; const a = pt.addr; for (let i = 0; i < REPS; i++) sink ^= c.pool_free(a, c.pool_alloc(a)); } },
  { name: 'js array stack', fn: () => { for (let i = 0; i < REPS; i++) { const h = jsFree.pop()!; sink ^= h; jsFree.push(h); } } },
]);

const held = new Uint32Array(32);
await compare({ title: `pool: 32 allocs then 32 frees (${REPS / 10} bursts per sample; units are buffers)`, unitsPerCall: (REPS / 10) * 32, throughput: 'M ops/s' }, [
  { name: 'wasm', fn: () => { const c = pw.core; const a = pw.addr; for (let r = 0; r < REPS / 10; r++) { for (let i = 0; i < 32; i++) held[i] = c.pool_alloc(a); for (let i = 0; i < 32; i++) sink ^= c.pool_free(a, held[i]); } } },
  { name: 'ts twin', fn: () => { const c = pt.core; const a = pt.addr; for (let r = 0; r < REPS / 10; r++) { for (let i = 0; i < 32; i++) held[i] = c.pool_alloc(a); for (let i = 0; i < 32; i++) sink ^= c.pool_free(a, held[i]); } } },
]);

const outW = wasm.arena.alloc(32 * 4);
const outT = twin.arena.alloc(32 * 4);
await compare({ title: `pool_alloc_bulk + pool_free_bulk of 32 (${REPS / 10} bursts per sample; units are buffers)`, unitsPerCall: (REPS / 10) * 32, throughput: 'M ops/s' }, [
  { name: 'wasm', fn: () => { const c = pw.core; const a = pw.addr; for (let r = 0; r < REPS / 10; r++) { c.pool_alloc_bulk(a, outW, 32); sink ^= c.pool_free_bulk(a, outW, 32); } } },
  { name: 'ts twin', fn: () => { const c = pt.core; const a = pt.addr; for (let r = 0; r < REPS / 10; r++) { c.pool_alloc_bulk(a, outT, 32); sink ^= c.pool_free_bulk(a, outT, 32); } } },
]);
if (pw.inUse !== 0 || pt.inUse !== 0 || sink === 0.5) throw new Error('pool bench leaked buffers');
