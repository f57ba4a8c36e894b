// The rings' cached counters (RING_TAIL_SEEN, RING_HEAD_SEEN): each side rereads the
// other's counter only when its copy says too full or too few, and must still hand out
// exactly what a plain bounded FIFO would. A random mix of every producer and consumer
// call is checked against a queue model, with the counters started just below 2^32 so
// that they wrap, on each backend and with the producer on one backend and the consumer
// on the other (one shared memory): for a frame ring (frames copied in, in-place slots,
// peeks and partial releases) and for a value ring (packed bursts in and out, wrapping
// round the end of the value area).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine, type Engine } from '../host/engine/engine.js';
import { FrameRing } from '../host/ring/frame-ring.js';
import { ValueRing } from '../host/ring/value-ring.js';
import {
  RING_HEAD, RING_TAIL, RING_TAIL_SEEN, RING_HEAD_SEEN, SLOT_DATA, FRAME_SIZE, FRAME_W_PTR, FRAME_W_CAPLEN, FRAME_W_WIRELEN,
} from '../host/runtime/layout.js';
import { Rng, seed } from './lib/env.js';

const wasm = createEngine();
const ts = createEngine({ backend: 'ts', memory: wasm.memory });
const SLOTS = 16;
const OPS = 20_000;

type Kind = 'frames' | 'values';
type Op = 'valuesIn' | 'valuesOut' | 'framesIn' | 'slotsIn' | 'peek';
const VALUE_OPS: Op[] = ['valuesIn', 'valuesOut'];
const FRAME_OPS: Op[] = ['framesIn', 'slotsIn', 'peek', 'peek'];

function run(kind: Kind, producer: Engine, consumer: Engine, label: string, start: number): void {
  const ring = kind === 'frames' ? FrameRing.create(producer, SLOTS, 32) : ValueRing.create(producer, SLOTS);
  const r = ring.address;
  const p = ring.core;
  const c = FrameRing.attach(consumer, r).core;
  const u32 = (): Uint32Array => wasm.views.refresh().u32;
  for (const off of [RING_HEAD, RING_TAIL, RING_TAIL_SEEN, RING_HEAD_SEEN]) u32()[(r + off) >>> 2] = start >>> 0;
  const src = wasm.arena.alloc(SLOTS * 2 * 4);
  const dst = wasm.arena.alloc(SLOTS * 2 * 4);
  const table = wasm.arena.alloc(SLOTS * 2 * FRAME_SIZE);
  const times = wasm.arena.alloc(SLOTS * 2 * 8);
  const model: number[] = [];
  const rng = new Rng(seed());
  let next = 1;
  for (let op = 0; op < OPS; op++) {
    const want = rng.int(SLOTS + 4);
    const free = SLOTS - model.length;
    const at = `${label} op ${op}`;
    const ops = kind === 'values' ? VALUE_OPS : FRAME_OPS;
    switch (ops[rng.int(ops.length)]) {
      case 'valuesIn': { // a burst of values in
        for (let i = 0; i < want; i++) u32()[(src >>> 2) + i] = next + i;
        const n = p.ring_enqueue_burst(r, src, want);
        assert.is(n, Math.min(want, free), `${at}: enqueue_burst(${want})`);
        for (let i = 0; i < n; i++) model.push(next + i);
        next += n;
        break;
      }
      case 'slotsIn': { // in-place slots, then one publish
        let n = 0;
        for (; n < want; n++) {
          const s = p.ring_slot_for_write(r, n);
          if (n < free) assert.ok(s !== 0, `${at}: slot_for_write(${n}) with ${free} free`);
          else { assert.is(s, 0, `${at}: slot_for_write(${n}) with ${free} free`); break; }
          u32()[(s + SLOT_DATA) >>> 2] = next + n;
        }
        if (n > 0) p.ring_publish(r, n);
        for (let i = 0; i < n; i++) model.push(next + i);
        next += n;
        break;
      }
      case 'framesIn': { // a batch of 4-byte frames copied in
        for (let i = 0; i < want; i++) {
          u32()[(src >>> 2) + i] = next + i;
          const e = (table + i * FRAME_SIZE) >>> 2;
          u32()[e + FRAME_W_PTR] = src + i * 4;
          u32()[e + FRAME_W_CAPLEN] = 4;
          u32()[e + FRAME_W_WIRELEN] = 4;
        }
        const n = p.ring_enqueue_frames(r, table, times, want);
        assert.is(n, Math.min(want, free), `${at}: enqueue_frames(${want})`);
        for (let i = 0; i < n; i++) model.push(next + i);
        next += n;
        break;
      }
      case 'valuesOut': { // a burst of values out
        const n = c.ring_dequeue_burst(r, dst, want);
        assert.is(n, Math.min(want, model.length), `${at}: dequeue_burst(${want})`);
        for (let i = 0; i < n; i++) assert.is(u32()[(dst >>> 2) + i], model.shift(), `${at}: value ${i}`);
        break;
      }
      case 'peek': { // peek as a frame table, read through slot_for_read, release part
        const n = c.ring_peek_frames(r, table, times, want);
        assert.is(n, Math.min(want, model.length), `${at}: peek_frames(${want})`);
        for (let i = 0; i < n; i++) {
          const ptr = u32()[((table + i * FRAME_SIZE) >>> 2) + FRAME_W_PTR];
          assert.is(ptr, c.ring_slot_for_read(r, i) + SLOT_DATA, `${at}: slot ${i}`);
          assert.is(u32()[ptr >>> 2], model[i], `${at}: peeked value ${i}`);
        }
        if (n === model.length) assert.is(c.ring_slot_for_read(r, n), 0, `${at}: past the readable slots`);
        const k = rng.int(n + 1);
        if (k > 0) c.ring_release(r, k);
        model.splice(0, k);
      }
    }
    assert.is(c.ring_count(r), model.length, `${at}: count`);
    assert.is(p.ring_free_count(r), SLOTS - model.length, `${at}: free count`);
  }
  // The counters went round 2^32 on the way.
  assert.ok(((u32()[(r + RING_HEAD) >>> 2] - start) >>> 0) > 100, `${label}: the head moved`);
}

const START = 2 ** 32 - 5 * SLOTS;
for (const kind of ['frames', 'values'] as const) {
  test(`${kind}: wasm producer, wasm consumer = a bounded FIFO, across the 2^32 wrap`, () => run(kind, wasm, wasm, `${kind} wasm/wasm`, START));
  test(`${kind}: twin producer, twin consumer = a bounded FIFO, across the 2^32 wrap`, () => run(kind, ts, ts, `${kind} ts/ts`, START));
  test(`${kind}: wasm producer, twin consumer = a bounded FIFO`, () => run(kind, wasm, ts, `${kind} wasm/ts`, START));
  test(`${kind}: twin producer, wasm consumer = a bounded FIFO`, () => run(kind, ts, wasm, `${kind} ts/wasm`, START));
}

test('a stale copy never hides room or frames: the other side is reread when the copy says full or empty', () => {
  for (const e of [wasm, ts]) {
    const ring = ValueRing.create(e, SLOTS);
    const r = ring.address;
    const core = ring.core;
    const src = e.arena.alloc(SLOTS * 4);
    assert.is(core.ring_enqueue_burst(r, src, SLOTS), SLOTS, 'fills');
    assert.is(core.ring_dequeue_burst(r, src, SLOTS), SLOTS, 'drains');
    // The producer's copy of the tail is still 0 (the ring looked empty to it): a full
    // burst must reread the tail and fit.
    assert.is(core.ring_enqueue_burst(r, src, SLOTS), SLOTS, `${e.backend}: refills after a drain it did not see`);
    assert.is(core.ring_dequeue_burst(r, src, 1), 1);
    assert.is(core.ring_dequeue_burst(r, src, SLOTS), SLOTS - 1, `${e.backend}: then the rest`);
  }
});

test.run();
