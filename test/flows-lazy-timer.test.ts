// An evicted or ended flow's timer is not cancelled (issue #19): it stays in the wheel for
// its entry, and a flow that takes the entry over inherits it (assembly/flows.ts
// freeEntry). These tests hold the table to what eager cancelling gave: a new flow in a
// reused entry ends at its own deadline, neither at the inherited one nor never; an entry
// never has two timers (the wheel holds at most one per entry); WASM and twin end the same
// flows at the same moments.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine, type Engine } from '../host/engine/engine.js';
import { exportsOf } from '../host/engine/backend.js';
import { FlowTable, type FlowRecord } from '../host/flows/flow-table.js';
import { WHEEL } from '../host/wheel/exports.js';

const T0 = 1_700_000_000;
const CAP = 8;

/** An IPv4 frame of protocol `proto` (UDP with ports 1000+i -> 53, else 8 bytes of payload). */
function frame(proto: number, host: number, i: number): Uint8Array {
  const f = new Uint8Array(60);
  const dv = new DataView(f.buffer);
  f.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1], 0);
  dv.setUint16(12, 0x0800);
  f[14] = 0x45;
  dv.setUint16(16, 28);
  f[22] = 64;
  f[23] = proto;
  f.set([10, 0, 0, host], 26);
  f.set([10, 0, 1, i & 255], 30);
  if (proto === 17) {
    dv.setUint16(34, 1000 + i);
    dv.setUint16(36, 53);
    dv.setUint16(38, 8);
  }
  return f;
}

interface Run { ended: FlowRecord[]; table: FlowTable; timers: () => number; at: (sec: number) => void; feed: (proto: number, host: number, from: number, n: number, sec: number) => void }

function rig(e: Engine): Run {
  const ended: FlowRecord[] = [];
  // Same seed on both backends: the same buckets, so the same victims. No timeout over
  // 100 s, so that eviction's age stamps (units of the longest timeout / 30) tell the
  // first flows from the later ones and the victims are always the first.
  const timeouts = { tcpEstablished: 100, tcpClosing: 100, tcpTimeWait: 100, udp: 100, other: 20 };
  const table = new FlowTable(e, { capacity: CAP, seed: 7, onExpire: (r) => ended.push(r), timeouts });
  const wheel = exportsOf(e, WHEEL);
  const batch = e.createBatch(64);
  return {
    ended,
    table,
    timers: () => wheel.wheel_count(table.wheel) >>> 0,
    at: (sec) => { table.expire(T0 + sec); },
    feed: (proto, host, from, n, sec) => {
      batch.clear();
      for (let i = from; i < from + n; i++) {
        batch.push(frame(proto, host, i));
        batch.setTime(batch.count - 1, T0 + sec + (i - from), 0);
      }
      e.dissect(batch);
      table.update(batch);
    },
  };
}

const engines: Engine[] = [createEngine({ backend: 'wasm' }), createEngine({ backend: 'ts' })];
const key = (r: FlowRecord): string => `${r.endReason} ${r.a.addr}:${r.a.port} ${r.b.addr}:${r.b.port} p${r.proto} last ${r.lastSec - T0}`;

test('a UDP flow in an evicted flow\'s entry ends at its own idle deadline, not at the inherited timer', () => {
  const seen: string[][] = [];
  for (const e of engines) {
    const r = rig(e);
    r.feed(17, 1, 0, CAP, 0); // 8 flows at 0..7 s: the table is full
    assert.is(r.timers(), CAP);
    r.feed(17, 2, 0, CAP, 50); // 8 more at 50..57 s: each evicts one of the first
    assert.is(r.table.stats().evicted, CAP, e.backend);
    assert.ok(r.timers() <= CAP, `${e.backend}: at most one timer per entry (${r.timers()})`);
    // The evicted flows' timers fire at 100..107 s, for entries the new flows hold.
    r.at(140);
    assert.is(r.ended.length, CAP, `${e.backend}: only the evictions so far`);
    assert.is(r.table.live, CAP);
    assert.ok(r.timers() <= CAP, `${e.backend}: re-armed, not doubled (${r.timers()})`);
    r.at(149);
    assert.is(r.ended.length, CAP, `${e.backend}: the first new flow is due at 150 s`);
    r.at(158);
    assert.is(r.ended.length, 2 * CAP, `${e.backend}: every new flow ended idle by 157 s`);
    assert.ok(r.ended.slice(CAP).every((x) => x.endReason === 'idle'));
    assert.is(r.table.live, 0);
    seen.push(r.ended.map(key));
  }
  assert.equal(seen[0], seen[1], 'WASM and twin');
});

test('a flow with a shorter timeout than the inherited timer moves it earlier', () => {
  const seen: string[][] = [];
  for (const e of engines) {
    const r = rig(e);
    r.feed(17, 1, 0, CAP, 0); // UDP, due at 100..107 s
    r.feed(47, 3, 0, CAP, 50); // GRE ("other", 20 s), due at 70..77 s, in the evicted entries
    assert.is(r.table.stats().evicted, CAP, e.backend);
    r.at(69);
    assert.is(r.ended.length, CAP, `${e.backend}: none due before 70 s`);
    r.at(78);
    assert.is(r.ended.length, 2 * CAP, `${e.backend}: all ended by their own 20 s`);
    assert.ok(r.ended.slice(CAP).every((x) => x.endReason === 'idle' && x.proto === 47));
    // The inherited timers moved rather than copied: nothing is left in the wheel.
    assert.is(r.timers(), 0, e.backend);
    seen.push(r.ended.map(key));
  }
  assert.equal(seen[0], seen[1], 'WASM and twin');
});

test('flushed and ended entries keep no extra timers when reused', () => {
  for (const e of engines) {
    const r = rig(e);
    for (let round = 0; round < 5; round++) {
      r.feed(17, 10 + round, 0, CAP, round * 10);
      r.table.flush(); // ends every flow, timers left armed for the free entries
      assert.ok(r.timers() <= CAP, `${e.backend} round ${round}: ${r.timers()} timers`);
    }
    r.at(1000);
    assert.is(r.timers(), 0, `${e.backend}: the stale timers fired and left`);
    assert.is(r.ended.length, 5 * CAP);
    // Entries whose timer fired while free get a new one when reused.
    r.feed(17, 20, 0, CAP, 1000);
    assert.is(r.timers(), CAP, e.backend);
    r.at(1200);
    assert.is(r.ended.length, 6 * CAP, `${e.backend}: ended idle`);
    assert.is(r.table.live, 0);
  }
});

test.run();
