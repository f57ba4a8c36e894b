// Timer-wheel handles (issue #20 item 2): a stale handle must not cancel the timer that
// now occupies its node. With 1 M timers the u32 handle keeps 11 generation bits, so the
// handle of 2,048 reuses ago matched again; TimerWheel's wide handles keep the node's
// whole u32 generation. One node is reused past 2^11 and 2^16 on WASM and on the twin,
// and both must hand out the same handles.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine } from '../host/engine/engine.js';
import { exportsOf } from '../host/engine/backend.js';
import { TimerWheel, WHEEL_MAX_CAPACITY } from '../host/wheel/timer-wheel.js';
import { WHEEL } from '../host/wheel/exports.js';
import { WH_IDX_BITS } from '../host/wheel/twin.js';

const CAP = 1 << 20; // 1 M timers: 21 index bits
const REUSES = 70_000; // past 2^11 and 2^16

const engines = [createEngine({ backend: 'wasm' }), createEngine({ backend: 'ts' })];

test('the u32 handle (flow table, reassembly) keeps 11 generation bits at 1 M timers: the documented limit', () => {
  for (const e of engines) {
    const core = exportsOf(e, WHEEL);
    const w = e.arena.alloc(core.wheel_region_size(CAP));
    core.wheel_init(w, CAP, 0);
    assert.is(e.views.refresh().u32[(w + WH_IDX_BITS) >>> 2], 21);
    const first = core.wheel_schedule(w, 10, 1) >>> 0;
    core.wheel_cancel(w, first);
    let h = 0;
    for (let i = 0; i < 2048; i++) {
      h = core.wheel_schedule(w, 10, 2) >>> 0;
      if (i < 2047) core.wheel_cancel(w, h);
    }
    // Only callers that never keep a handle past its timer may use this form.
    assert.is(h, first, 'the u32 handle repeats after 2,048 reuses');
  }
});

test('a stale wide handle never cancels the timer now on its node (reused past 2^11 and 2^16)', () => {
  const runs: number[][] = [];
  for (const e of engines) {
    const wh = new TimerWheel(e, { capacity: CAP });
    const keep = wh.schedule(1000, 7); // another live timer, untouched by stale handles
    const stale: number[] = [];
    let h = wh.schedule(10, 1);
    for (let i = 0; i < REUSES; i++) {
      stale.push(h);
      assert.ok(wh.cancel(h));
      h = wh.schedule(10, 1);
      if (i === 2047 || i === 2048 || i === 65535 || i === 65536) {
        // The handle of exactly 2^11 / 2^16 reuses ago.
        for (const back of [2048, 65536]) {
          if (i + 1 >= back) assert.not.ok(wh.active(stale[i + 1 - back]), `reuse ${i + 1}: handle of ${back} reuses ago`);
        }
      }
    }
    assert.ok(Number.isSafeInteger(h) && h > 0xFFFFFFFF, `a wide handle past 2^32: ${h}`);
    let matched = 0;
    for (const s of stale) {
      if (wh.cancel(s) || wh.reschedule(s, 5) || wh.active(s) || wh.expiry(s) !== -1) matched++;
    }
    assert.is(matched, 0, 'no stale handle acts on the live timer');
    assert.ok(wh.active(h) && wh.active(keep));
    assert.is(wh.live, 2);
    assert.equal(wh.advanceCollect(20), [1], 'the live timer still fires');
    assert.not.ok(wh.cancel(h), 'fired');
    assert.ok(wh.cancel(keep));
    runs.push([stale[0], stale[2048], stale[65536], h, keep]);
  }
  assert.equal(runs[1], runs[0], 'WASM and twin hand out the same handles');
});

test('junk wide handles are refused without a trap; TimerWheel capacity is capped', () => {
  for (const e of engines) {
    const core = exportsOf(e, WHEEL);
    const w = e.arena.alloc(core.wheel_region_size(100));
    core.wheel_init(w, 100, 0);
    const h = core.wheel_schedule_h(w, 10, 3);
    for (const junk of [0, -1, -h, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 64, 1e300, 0.5, h + 2 ** 40, h - 1]) {
      assert.is(core.wheel_cancel_h(w, junk), 0, `junk ${junk}`);
      assert.is(core.wheel_active_h(w, junk), 0);
      assert.is(core.wheel_id_h(w, junk), 0);
    }
    assert.is(core.wheel_id_h(w, h), 3);
    assert.is(core.wheel_id_h(w, h + 0.5), 3, 'a fraction truncates on both backends');
    assert.throws(() => new TimerWheel(e, { capacity: WHEEL_MAX_CAPACITY + 1 }));
  }
});

test.run();
