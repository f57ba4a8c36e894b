// Buffer pool: layout agreement, sk_buff window operations, exhaustion, double frees, and
// accounting under random alloc/ref/free sequences checked against a model, with the
// WASM backend and the twin run side by side on the same operations.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine, type Engine } from '../host/engine/engine.js';
import * as P from '../host/pool/twin.js';
import { Pool } from '../host/pool/pool.js';
import { POOL_EXPORTS } from '../host/pool/exports.js';
import { PktError } from '../host/runtime/errors.js';
import { Rng, seed } from './lib/env.js';

const SEED = seed();
console.log(`SEED=${SEED} pool`);

const wasmEngine = createEngine({ backend: 'wasm' });
const twinEngine = createEngine({ backend: 'ts', memory: wasmEngine.memory });
const engines: Array<[string, Engine]> = [['wasm', wasmEngine], ['ts', twinEngine]];

test('pool layout constants agree with the WASM module', () => {
  for (const [name, value] of Object.entries(P)) {
    if (!/^(POOL_|MB_|MBF_|PF_)/.test(name) || typeof value !== 'number') continue;
    const g = wasmEngine.wasm[name];
    assert.ok(g instanceof WebAssembly.Global, `WASM exports ${name}`);
    assert.is(((g as WebAssembly.Global).value as number) | 0, value | 0, name);
  }
  for (const n of POOL_EXPORTS) assert.type(wasmEngine.wasm[n], 'function', n);
});

for (const [name, engine] of engines) {
  test(`${name}: reserve/push/pull/put/trim move the data window like sk_buff`, () => {
    const pool = new Pool(engine, { count: 4, bufSize: 256, headroom: 64 });
    const m = pool.alloc();
    assert.is(pool.len(m), 0);
    assert.is(pool.headroomOf(m), 64);
    assert.is(pool.tailroom(m), 192);
    const base = pool.data(m);
    assert.ok(pool.reserve(m, 16));
    assert.is(pool.data(m), base + 16);
    const tail = pool.put(m, 100);
    assert.is(tail, base + 16);
    assert.is(pool.len(m), 100);
    assert.not.ok(pool.reserve(m, 1), 'reserve only on an empty buffer');
    assert.is(pool.put(m, 77), 0, 'put beyond the tailroom fails');
    assert.is(pool.len(m), 100, 'a failed put changes nothing');
    assert.is(pool.put(m, 76), base + 116);
    assert.is(pool.tailroom(m), 0);
    assert.is(pool.push(m, 80), base - 64, 'push to the start of the room');
    assert.is(pool.push(m, 1), 0, 'push beyond the headroom fails');
    assert.is(pool.len(m), 256);
    assert.is(pool.pull(m, 257), 0, 'pull more than the data fails');
    assert.is(pool.pull(m, 56), base - 8);
    assert.is(pool.len(m), 200);
    assert.ok(pool.trim(m, 10));
    assert.not.ok(pool.trim(m, 11));
    assert.is(pool.len(m), 10);
    pool.append(m, Uint8Array.of(1, 2, 3));
    assert.equal([...pool.bytes(m).subarray(10)], [1, 2, 3]);
    assert.is(pool.free(m), 0);
    // A reallocated buffer starts over at the pool's headroom.
    const again = pool.alloc();
    assert.is(again, m, 'LIFO: the buffer just freed comes back first');
    assert.is(pool.headroomOf(again), 64);
    assert.is(pool.len(again), 0);
  });

  test(`${name}: exhaustion is reported, bulk allocation is all or nothing`, () => {
    const pool = new Pool(engine, { count: 8, bufSize: 128, headroom: 0 });
    const seen = new Set<number>();
    for (let i = 0; i < 8; i++) seen.add(pool.alloc());
    assert.is(seen.size, 8);
    assert.is(pool.tryAlloc(), 0);
    try {
      pool.alloc();
      assert.unreachable('alloc on an empty pool must throw');
    } catch (e) {
      assert.instance(e, PktError);
      assert.is((e as PktError).code, 'E_CAPACITY');
    }
    assert.is(pool.stats().fails, 2);
    for (const m of seen) pool.free(m);
    const out = engine.arena.alloc(64);
    assert.is(pool.core.pool_alloc_bulk(pool.addr, out, 9), 0, 'nine of eight');
    assert.is(pool.avail, 8, 'a refused bulk takes nothing');
    assert.is(pool.core.pool_alloc_bulk(pool.addr, out, 8), 8);
    assert.is(pool.avail, 0);
    assert.is(pool.core.pool_free_bulk(pool.addr, out, 8), 0);
    assert.is(pool.avail, 8);
    assert.is(pool.stats().minAvail, 0);
  });

  test(`${name}: double frees and foreign handles are refused, counted, thrown in debug`, () => {
    const pool = new Pool(engine, { count: 4, bufSize: 128, headroom: 0, debug: false });
    const m = pool.alloc();
    assert.is(pool.free(m), 0);
    assert.is(pool.free(m), P.POOL_DOUBLE_FREE);
    assert.is(pool.free(m + 4), P.POOL_BAD_HANDLE, 'misaligned handle');
    assert.is(pool.free(pool.addr), P.POOL_BAD_HANDLE, 'the header is not a buffer');
    assert.is(pool.free(m + 32 * 4), P.POOL_BAD_HANDLE, 'one past the last mbuf');
    const st = pool.stats();
    assert.is(st.badFrees, 4);
    assert.is(st.avail, 4, 'bad frees never grow the free stack');
    assert.is(st.frees, 1);
    assert.is(pool.ref(m), 0, 'a free buffer cannot be referenced back to life');

    const dbg = new Pool(engine, { count: 2, bufSize: 128, headroom: 0, debug: true });
    const d = dbg.alloc();
    dbg.append(d, Uint8Array.of(7, 7, 7));
    const room = dbg.data(d);
    dbg.free(d);
    assert.is(engine.views.refresh().u8[room], 0xDB, 'debug pools poison freed buffers');
    assert.throws(() => dbg.free(d), (e: unknown) => e instanceof PktError && /double free/.test(e.message));
  });

  test(`${name}: refcounts share a buffer until the last reference`, () => {
    const pool = new Pool(engine, { count: 2, bufSize: 128, headroom: 0 });
    const m = pool.alloc();
    assert.is(pool.ref(m), 2);
    assert.is(pool.ref(m), 3);
    assert.is(pool.free(m), 2);
    assert.is(pool.free(m), 1);
    assert.is(pool.avail, 1);
    assert.is(pool.free(m), 0);
    assert.is(pool.avail, 2);
  });
}

test('random alloc/ref/free sequences: model accounting, WASM and twin identical', () => {
  const rng = new Rng(SEED ^ 0x9001);
  const COUNT = 257;
  const bufSize = 64 + rng.int(300);
  const pools = engines.map(([, e]) => new Pool(e, { count: COUNT, bufSize, headroom: 32 }));
  // Per pool: live handle -> references (the model), handles in a parallel order, and
  // handles freed for good (to free again: a double free must be refused).
  const live: Array<Map<number, number>> = pools.map(() => new Map());
  const order: number[][] = pools.map(() => []);
  const dead: number[][] = pools.map(() => []);
  let badExpected = 0;
  let failsExpected = 0;
  for (let step = 0; step < 200_000; step++) {
    const r = rng.int(100);
    const pick = rng.u32();
    const wasEmpty = order[0].length === 0;
    const results: number[] = [];
    for (let k = 0; k < pools.length; k++) {
      const pool = pools[k];
      const model = live[k];
      const handles = order[k];
      if (r < 45 || handles.length === 0) {
        const m = pool.tryAlloc();
        if (m === 0) {
          assert.is(model.size, COUNT, 'alloc fails only when every buffer is live');
          results.push(-100);
        } else {
          assert.not.ok(model.has(m), 'alloc never hands out a live buffer');
          assert.is(pool.refcnt(m), 1);
          model.set(m, 1);
          handles.push(m);
          const d = dead[k].indexOf(m);
          if (d >= 0) dead[k].splice(d, 1);
          results.push(pool.core.pool_headroom(m));
        }
      } else if (r < 55) {
        const m = handles[pick % handles.length];
        const n = pool.ref(m);
        model.set(m, (model.get(m) ?? 0) + 1);
        assert.is(n, model.get(m));
        results.push(n);
      } else if (r < 96) {
        const i = pick % handles.length;
        const m = handles[i];
        const left = pool.free(m);
        const want = (model.get(m) ?? 0) - 1;
        assert.is(left, want, 'free returns the references left');
        if (want === 0) {
          model.delete(m);
          handles[i] = handles[handles.length - 1];
          handles.pop();
          dead[k].push(m);
        } else {
          model.set(m, want);
        }
        results.push(left);
      } else {
        // A bad free: a buffer already returned, or junk inside the pool header.
        const victim = dead[k].length > 0 && (pick & 1) === 0 ? dead[k][pick % dead[k].length] : pool.addr + 4 * (pick % 64);
        const left = pool.free(victim);
        assert.ok(left < 0, 'a bad free is refused');
        results.push(left);
      }
    }
    if (r >= 96 && !wasEmpty) badExpected++;
    if (results[0] === -100) failsExpected++;
    assert.is(results[0], results[1], `step ${step}: wasm and twin differ`);
    assert.is(pools[0].avail, pools[1].avail);
  }
  for (let k = 0; k < pools.length; k++) {
    const st = pools[k].stats();
    assert.is(st.inUse, live[k].size, 'in use = live buffers');
    assert.is(st.avail + st.inUse, COUNT, 'nothing lost, nothing duplicated');
    assert.is(st.badFrees, badExpected);
    assert.is(st.fails, failsExpected);
    assert.is((st.allocs - st.frees) >>> 0, st.inUse);
  }
});

test.run();
