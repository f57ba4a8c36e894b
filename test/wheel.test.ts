// Timer wheel: WASM and twin against a naive priority-queue reference on seeded random
// schedule / cancel / reschedule / advance sequences, plus layout agreement, clock wrap,
// stale handles, a full pool and resumable advance.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine, type Engine } from '../host/engine/engine.js';
import { exportsOf } from '../host/engine/backend.js';
import { TimerWheel } from '../host/wheel/timer-wheel.js';
import { WHEEL } from '../host/wheel/exports.js';
import * as W from '../host/wheel/twin.js';
import { Rng, seed } from './lib/env.js';
import { MinHeap } from '../host/runtime/min-heap.js';

const SEED = seed();
console.log(`SEED ${SEED} (wheel)`);

/** Binary min-heap of (expiry, seq): the reference. Cancels are lazy (a dead set). */
class RefQueue {
  private heap = new MinHeap<{ e: number; seq: number; id: number; key: number }>(
    (a, b) => a.e < b.e || (a.e === b.e && a.seq < b.seq));
  private dead = new Set<number>();
  private liveKeys = new Map<number, { e: number; id: number }>();
  private seqNo = 0;
  time: number;
  constructor(now: number) {
    this.time = now;
  }
  get size(): number {
    return this.liveKeys.size;
  }
  /** Absolute expiry kept as an unwrapped number (time never wraps in the reference). */
  schedule(key: number, delay: number, id: number): number {
    const d = delay === 0 ? 1 : Math.min(delay, W.WHEEL_MAX_DELAY);
    const e = this.time + d;
    this.heap.push({ e, seq: this.seqNo++, id, key });
    this.liveKeys.set(key, { e, id });
    return e;
  }
  cancel(key: number): boolean {
    if (!this.liveKeys.has(key)) return false;
    this.liveKeys.delete(key);
    this.dead.add(key);
    return true;
  }
  reschedule(key: number, delay: number): boolean {
    const t = this.liveKeys.get(key);
    if (t === undefined) return false;
    this.cancel(key);
    this.dead.delete(key);
    // A fresh heap entry under the same key; the old one is skipped by its seq.
    const d = delay === 0 ? 1 : Math.min(delay, W.WHEEL_MAX_DELAY);
    const e = this.time + d;
    const seq = this.seqNo++;
    this.heap.push({ e, seq, id: t.id, key });
    this.liveKeys.set(key, { e, id: t.id });
    this.latest.set(key, seq);
    return true;
  }
  latest = new Map<number, number>();
  /** Everything due at or before `to`, in expiry order: [expiry, id][]. */
  advance(to: number): [number, number][] {
    if (to > this.time) this.time = to;
    const out: [number, number][] = [];
    while (this.heap.size > 0 && this.heap.peek()!.e <= this.time) {
      const top = this.heap.pop();
      const live = this.liveKeys.get(top.key);
      const latestSeq = this.latest.get(top.key);
      if (live === undefined || (latestSeq !== undefined && latestSeq !== top.seq)) continue;
      this.liveKeys.delete(top.key);
      this.latest.delete(top.key);
      out.push([top.e, top.id]);
    }
    return out;
  }
}

const wasm = createEngine({ backend: 'wasm' });
const twin = createEngine({ backend: 'ts' });

function sortPairs(p: [number, number][]): [number, number][] {
  return p.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

test('layout constants agree between assembly/wheel.ts and host/wheel.ts', () => {
  const names = Object.keys(W).filter((k) => /^(WH_|WN_|WHEEL_)/.test(k) && typeof (W as Record<string, unknown>)[k] === 'number');
  assert.ok(names.length > 20);
  for (const n of names) {
    const g = wasm.wasm[n];
    assert.ok(g instanceof WebAssembly.Global, `WASM exports ${n}`);
    assert.is((g as WebAssembly.Global).value >>> 0, (W as unknown as Record<string, number>)[n] >>> 0, n);
  }
});

interface Pair { w: TimerWheel; t: TimerWheel }

function makePair(capacity: number, now: number, burst: number): Pair {
  return {
    w: new TimerWheel(wasm, { capacity, now, burst }),
    t: new TimerWheel(twin, { capacity, now, burst }),
  };
}

/** Runs one seeded random sequence on both backends and the reference. */
function randomRun(rng: Rng, steps: number, startNow: number, capacity: number, burst: number): { fired: number; maxLive: number } {
  const { w, t } = makePair(capacity, startNow, burst);
  const ref = new RefQueue(startNow);
  const handles: number[] = []; // key -> handle (same on both backends)
  const liveKeys: number[] = [];
  const expiryOf = new Map<number, number>(); // id -> reference expiry (unwrapped)
  let fired = 0;
  let maxLive = 0;
  for (let step = 0; step < steps; step++) {
    const op = rng.int(100);
    if (op < 55) {
      const r = rng.int(10);
      const delay = r < 4 ? rng.int(300) : r < 7 ? rng.int(20000) : r < 9 ? rng.int(1 << 24) : rng.int(2 ** 31) + (rng.bool(0.1) ? 2 ** 31 : 0);
      const key = handles.length;
      const id = (key * 2654435761) >>> 0;
      const hw = w.schedule(delay, id);
      const ht = t.schedule(delay, id);
      assert.is(ht, hw, `step ${step}: schedule handle`);
      if (ref.size >= capacity) {
        assert.is(hw, 0, 'full pool refuses');
        continue;
      }
      assert.ok(hw !== 0);
      handles.push(hw);
      liveKeys.push(key);
      expiryOf.set(id, ref.schedule(key, delay, id));
    } else if (op < 75 && liveKeys.length > 0) {
      const i = rng.int(liveKeys.length);
      const key = liveKeys[i];
      const expect = ref.cancel(key);
      assert.is(w.cancel(handles[key]), expect, `step ${step}: cancel`);
      assert.is(t.cancel(handles[key]), expect);
      // A second cancel of the same handle is always stale.
      assert.is(w.cancel(handles[key]), false);
      assert.is(t.cancel(handles[key]), false);
      liveKeys[i] = liveKeys[liveKeys.length - 1];
      liveKeys.pop();
    } else if (op < 80 && liveKeys.length > 0) {
      const key = liveKeys[rng.int(liveKeys.length)];
      const delay = rng.int(rng.bool() ? 500 : 1 << 20);
      const expect = ref.reschedule(key, delay);
      assert.is(w.reschedule(handles[key], delay), expect, `step ${step}: reschedule`);
      assert.is(t.reschedule(handles[key], delay), expect);
      if (expect) {
        const e = ref['liveKeys'].get(key)!.e;
        const id = (key * 2654435761) >>> 0;
        expiryOf.set(id, e);
        assert.is(w.expiry(handles[key]), e >>> 0);
        assert.is(t.expiry(handles[key]), e >>> 0);
      }
    } else {
      const r = rng.int(10);
      const jump = r < 3 ? 0 : r < 6 ? rng.int(300) : r < 8 ? rng.int(30000) : r < 9 ? rng.int(1 << 22) : rng.int(1 << 28);
      const to = ref.time + jump;
      const want = ref.advance(to);
      const gotW = w.advanceCollect(to >>> 0);
      const gotT = t.advanceCollect(to >>> 0);
      assert.equal(gotT, gotW, `step ${step}: WASM and twin fire the same ids in the same order`);
      const gotPairs: [number, number][] = gotW.map((id) => [expiryOf.get(id)!, id]);
      for (let i = 1; i < gotPairs.length; i++) {
        assert.ok(gotPairs[i - 1][0] <= gotPairs[i][0], `step ${step}: fired in expiry order`);
      }
      assert.equal(sortPairs(gotPairs), sortPairs(want), `step ${step}: advance to ${to} fires what the reference fires`);
      fired += want.length;
      // Fired handles are stale now.
      const firedIds = new Set(gotW);
      for (let i = liveKeys.length - 1; i >= 0; i--) {
        const id = (liveKeys[i] * 2654435761) >>> 0;
        if (firedIds.has(id)) {
          assert.is(w.active(handles[liveKeys[i]]), false);
          assert.is(t.cancel(handles[liveKeys[i]]), false);
          liveKeys[i] = liveKeys[liveKeys.length - 1];
          liveKeys.pop();
        }
      }
      assert.is(w.now, ref.time >>> 0);
      assert.is(t.now, ref.time >>> 0);
    }
    assert.is(w.live, ref.size);
    assert.is(t.live, ref.size);
    if (ref.size > maxLive) maxLive = ref.size;
  }
  // Drain everything: far enough that every timer is due.
  const end = ref.time + W.WHEEL_MAX_DELAY + 1;
  const want = ref.advance(end);
  const gotW = w.advanceCollect(end >>> 0);
  assert.equal(t.advanceCollect(end >>> 0), gotW);
  assert.equal(sortPairs(gotW.map((id) => [expiryOf.get(id)!, id] as [number, number])), sortPairs(want));
  assert.is(w.live, 0);
  assert.is(t.live, 0);
  assert.equal(w.stats().expired + w.stats().cancelled, w.stats().scheduled);
  return { fired: fired + want.length, maxLive };
}

test('random schedule/cancel/reschedule/advance: WASM == twin == priority-queue reference', () => {
  const rng = new Rng(SEED);
  let fired = 0;
  for (let run = 0; run < 12; run++) {
    const start = run % 3 === 0 ? 0 : run % 3 === 1 ? 0xFFFFFFFF - rng.int(1 << 20) : rng.u32();
    const r = randomRun(rng, 4000, start, run % 4 === 0 ? 64 : 5000, run % 2 === 0 ? 7 : 4096);
    fired += r.fired;
  }
  assert.ok(fired > 5000, `enough timers fired (${fired})`);
});

test('clock wraps past 2^32 with timers on every level', () => {
  const { w, t } = makePair(10000, 0xFFFFFFFF - 1000, 64);
  const ref = new RefQueue(0xFFFFFFFF - 1000);
  const rng = new Rng(SEED ^ 0x5a5a);
  const exp = new Map<number, number>();
  for (let i = 1; i <= 5000; i++) {
    const delay = 1 + rng.int([300, 20000, 1 << 21, 1 << 27][i % 4]);
    assert.is(t.schedule(delay, i), w.schedule(delay, i));
    exp.set(i, ref.schedule(i, delay, i));
  }
  let now = ref.time;
  while (ref.size > 0) {
    now += 1 + rng.int(1 << 22);
    const want = ref.advance(now);
    const got = w.advanceCollect(now >>> 0);
    assert.equal(t.advanceCollect(now >>> 0), got);
    assert.equal(sortPairs(got.map((id) => [exp.get(id)!, id] as [number, number])), sortPairs(want));
  }
  assert.ok(now > 2 ** 32, 'the clock wrapped');
});

test('stale and foreign handles are rejected; a full pool refuses', () => {
  for (const e of [wasm, twin]) {
    const wh = new TimerWheel(e, { capacity: 3 });
    const a = wh.schedule(10, 1);
    const b = wh.schedule(10, 2);
    const c = wh.schedule(10, 3);
    assert.ok(a && b && c);
    assert.is(wh.schedule(10, 4), 0, 'pool of 3 is full');
    assert.is(wh.stats().full, 1);
    assert.ok(wh.cancel(b));
    assert.not.ok(wh.cancel(b), 'double cancel');
    const d = wh.schedule(5, 5); // reuses b's node with a new generation
    assert.ok(d !== 0 && d !== b);
    assert.not.ok(wh.cancel(b), 'old handle of a reused node');
    assert.not.ok(wh.active(b));
    for (const junk of [0, 1, 512, 0xFFFFFFFF, a ^ 0x80000000, 123456789]) assert.not.ok(wh.cancel(junk), `junk ${junk}`);
    assert.equal(wh.advanceCollect(5), [5]);
    assert.not.ok(wh.cancel(d), 'fired timer');
    assert.equal(wh.advanceCollect(10), [1, 3]);
    assert.is(wh.live, 0);
  }
});

test('advance is resumable when more timers expire than fit the output', () => {
  for (const e of [wasm, twin]) {
    const core = exportsOf(e, WHEEL);
    const region = e.arena.alloc(core.wheel_region_size(1000));
    core.wheel_init(region, 1000, 0);
    for (let i = 0; i < 1000; i++) core.wheel_schedule(region, 1 + (i % 3), i);
    const out = e.arena.alloc(4 * 64);
    const got: number[] = [];
    for (;;) {
      const n = core.wheel_advance(region, 10, out, 64);
      const u32 = e.views.refresh().u32;
      for (let i = 0; i < n; i++) got.push(u32[(out >>> 2) + i]);
      if (n < 64) break;
    }
    assert.is(got.length, 1000);
    const want = [...Array(1000).keys()].sort((a, b) => (a % 3) - (b % 3) || a - b);
    assert.equal(got, want, 'expiry order, then scheduling order within a tick');
  }
});

test('a million live timers: big jumps touch only occupied slots and stay exact', () => {
  const n = 1_000_000;
  const rng = new Rng(SEED ^ 0xbeef);
  const pairs: Engine[] = [wasm, twin];
  const results: number[][] = [];
  for (const e of pairs) {
    const core = exportsOf(e, WHEEL);
    const region = e.arena.alloc(core.wheel_region_size(n));
    core.wheel_init(region, n, 0);
    const r2 = new Rng(SEED ^ 0xbeef);
    for (let i = 0; i < n; i++) core.wheel_schedule(region, 1 + r2.int(1 << 24), i);
    const out = e.arena.alloc(4 * n);
    const counts: number[] = [];
    let now = 0;
    for (let k = 0; k < 20; k++) {
      now += 1 << 20;
      counts.push(core.wheel_advance(region, now, out, n));
    }
    assert.is(core.wheel_count(region), 0);
    results.push(counts);
  }
  assert.equal(results[1], results[0]);
  // Reference counts from the same delays.
  const want = new Array<number>(20).fill(0);
  for (let i = 0; i < n; i++) {
    const e = 1 + rng.int(1 << 24);
    want[Math.ceil(e / (1 << 20)) - 1]++;
  }
  assert.equal(results[0].slice(0, 16), want.slice(0, 16));
});

test.run();
