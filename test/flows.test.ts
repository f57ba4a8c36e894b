// Flow table on hand-built exchanges: TCP state paths against the RFC 9293 diagram
// (section 3.3.2, figures 5-7 of RFC 793), retransmission and out-of-order counts, idle
// and active timeouts on the wheel, port reuse, eviction and refusal when full, IPv6 and
// ICMP keys; then a seeded fuzz where WASM and twin must produce identical records.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine, type Engine } from '../host/engine/engine.js';
import { FlowTable, type FlowRecord, type FlowTableOptions } from '../host/flows/flow-table.js';
import { flowJsonLine } from '../host/flows/conversations.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';
import { Rng, seed } from './lib/env.js';
import { ipv4Tcp } from './lib/tcp-frame.js';

const SEED = seed();
console.log(`SEED ${SEED} (flows)`);

const FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16;

interface Seg {
  from: 'A' | 'B';
  flags: number;
  seq: number;
  ack?: number;
  len?: number;
  /** Seconds since the exchange began. */
  t?: number;
}

const A4 = [192, 0, 2, 1];
const B4 = [198, 51, 100, 7];

function ipv4Udp(src: number[], dst: number[], sp: number, dp: number, len: number): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + len);
  const dv = new DataView(f.buffer);
  dv.setUint16(12, 0x0800);
  f[14] = 0x45;
  dv.setUint16(16, 28 + len);
  f[23] = 17;
  f.set(src, 26);
  f.set(dst, 30);
  dv.setUint16(34, sp);
  dv.setUint16(36, dp);
  dv.setUint16(38, 8 + len);
  return f;
}

function ipv6Icmp(src: Uint8Array, dst: Uint8Array, type: number, id: number, seqNo: number): Uint8Array {
  const f = new Uint8Array(14 + 40 + 16);
  const dv = new DataView(f.buffer);
  dv.setUint16(12, 0x86dd);
  f[14] = 0x60;
  dv.setUint16(18, 16);
  f[20] = 58;
  f[21] = 64;
  f.set(src, 22);
  f.set(dst, 38);
  f[54] = type;
  dv.setUint16(58, id);
  dv.setUint16(60, seqNo);
  return f;
}

const engines: Engine[] = [createEngine({ backend: 'wasm' }), createEngine({ backend: 'ts' })];

/** Feeds frames one at a time, returning [stateA, stateB] after each, and the table. */
function play(engine: Engine, segs: Seg[], opts: Partial<FlowTableOptions> = {}): { steps: string[]; table: FlowTable; ended: FlowRecord[] } {
  const ended: FlowRecord[] = [];
  const table = new FlowTable(engine, { capacity: 64, ...opts, onExpire: (r) => ended.push(r) });
  const batch = engine.createBatch(1);
  const steps: string[] = [];
  const t0 = 1_700_000_000;
  for (const s of segs) {
    const [src, dst, sp, dp] = s.from === 'A' ? [A4, B4, 33779, 80] : [B4, A4, 80, 33779];
    batch.clear();
    batch.push(ipv4Tcp(src, dst, sp, dp, s.flags, s.seq, s.ack ?? 0, s.len ?? 0), LINKTYPE_ETHERNET);
    const t = s.t ?? 0;
    batch.setTime(0, t0 + Math.floor(t), Math.round((t % 1) * 1e9));
    engine.dissect(batch);
    table.update(batch);
    const live = table.flows();
    steps.push(live.length === 1 ? `${live[0].stateA} ${live[0].stateB}` : `live=${live.length}`);
  }
  return { steps, table, ended };
}

// Client A (ISN 1000) and server B (ISN 5000).
const handshake: Seg[] = [
  { from: 'A', flags: SYN, seq: 1000 },
  { from: 'B', flags: SYN | ACK, seq: 5000, ack: 1001 },
  { from: 'A', flags: ACK, seq: 1001, ack: 5001 },
];
const data: Seg[] = [
  { from: 'A', flags: PSH | ACK, seq: 1001, ack: 5001, len: 100 },
  { from: 'B', flags: PSH | ACK, seq: 5001, ack: 1101, len: 300 },
  { from: 'A', flags: ACK, seq: 1101, ack: 5301 },
];

function both(name: string, segs: Seg[], steps: string[], histA: string[], histB: string[], extra?: (r: FlowRecord, t: FlowTable) => void): void {
  test(name, () => {
    for (const e of engines) {
      const run = play(e, segs);
      assert.equal(run.steps, steps, `${e.backend}: states after each segment`);
      const r = run.table.flows()[0];
      assert.equal(r.historyA, histA, `${e.backend}: A's path`);
      assert.equal(r.historyB, histB, `${e.backend}: B's path`);
      extra?.(r, run.table);
    }
  });
}

const HS_STEPS = ['SYN_SENT SYN_RECEIVED', 'ESTABLISHED SYN_RECEIVED', 'ESTABLISHED ESTABLISHED'];
const EST3 = ['ESTABLISHED ESTABLISHED', 'ESTABLISHED ESTABLISHED', 'ESTABLISHED ESTABLISHED'];

both('three-way handshake, data, active close by the client (A)',
  [...handshake, ...data,
    { from: 'A', flags: FIN | ACK, seq: 1101, ack: 5301 },
    { from: 'B', flags: ACK, seq: 5301, ack: 1102 },
    { from: 'B', flags: FIN | ACK, seq: 5301, ack: 1102 },
    { from: 'A', flags: ACK, seq: 1102, ack: 5302 }],
  [...HS_STEPS, ...EST3, 'FIN_WAIT_1 CLOSE_WAIT', 'FIN_WAIT_2 CLOSE_WAIT', 'TIME_WAIT LAST_ACK', 'TIME_WAIT CLOSED'],
  ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT'],
  ['LISTEN', 'SYN_RECEIVED', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED'],
  (r) => {
    assert.is(r.state, 'TIME_WAIT');
    assert.is(r.aToB.frames, 6);
    assert.is(r.bToA.frames, 4);
    assert.is(r.aToB.retransmissions + r.bToA.retransmissions + r.aToB.outOfOrder + r.bToA.outOfOrder, 0);
    assert.is(r.aToB.tcpFlags, SYN | ACK | PSH | FIN);
    assert.is(r.aToB.ipBytes, 40 * 6 + 100);
    assert.is(r.aToB.bytes, 54 * 6 + 100);
  });

both('server (B) closes first: A goes CLOSE_WAIT, LAST_ACK, CLOSED',
  [...handshake, ...data,
    { from: 'B', flags: FIN | ACK, seq: 5301, ack: 1101 },
    { from: 'A', flags: ACK, seq: 1101, ack: 5302 },
    { from: 'A', flags: FIN | ACK, seq: 1101, ack: 5302 },
    { from: 'B', flags: ACK, seq: 5302, ack: 1102 }],
  [...HS_STEPS, ...EST3, 'CLOSE_WAIT FIN_WAIT_1', 'CLOSE_WAIT FIN_WAIT_2', 'LAST_ACK TIME_WAIT', 'CLOSED TIME_WAIT'],
  ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED'],
  ['LISTEN', 'SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);

// RFC 793 figure 13: the FINs cross; each acknowledges the other's afterwards.
both('simultaneous close: both ends FIN_WAIT_1, CLOSING, TIME_WAIT',
  [...handshake,
    { from: 'A', flags: FIN | ACK, seq: 1001, ack: 5001 },
    { from: 'B', flags: FIN | ACK, seq: 5001, ack: 1001 },
    { from: 'A', flags: ACK, seq: 1002, ack: 5002 },
    { from: 'B', flags: ACK, seq: 5002, ack: 1002 }],
  [...HS_STEPS, 'FIN_WAIT_1 CLOSE_WAIT', 'CLOSING CLOSING', 'CLOSING TIME_WAIT', 'TIME_WAIT TIME_WAIT'],
  ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'CLOSING', 'TIME_WAIT'],
  ['LISTEN', 'SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'CLOSING', 'TIME_WAIT']);

// RFC 793 figure 8: the SYNs cross.
both('simultaneous open: both ends SYN_SENT, SYN_RECEIVED, ESTABLISHED',
  [{ from: 'A', flags: SYN, seq: 1000 },
    { from: 'B', flags: SYN, seq: 5000 },
    { from: 'A', flags: SYN | ACK, seq: 1000, ack: 5001 },
    { from: 'B', flags: SYN | ACK, seq: 5000, ack: 1001 },
    { from: 'A', flags: ACK, seq: 1001, ack: 5001 }],
  ['SYN_SENT SYN_RECEIVED', 'SYN_RECEIVED SYN_RECEIVED', 'SYN_RECEIVED ESTABLISHED', 'ESTABLISHED ESTABLISHED', 'ESTABLISHED ESTABLISHED'],
  ['CLOSED', 'SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED'],
  ['CLOSED', 'SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED'],
  (r) => { assert.is(r.aToB.retransmissions, 1, "A's SYN in its SYN,ACK repeats the SYN"); });

both('RST mid-stream closes both ends',
  [...handshake, ...data, { from: 'B', flags: RST | ACK, seq: 5301, ack: 1101 }],
  [...HS_STEPS, ...EST3, 'CLOSED CLOSED'],
  ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'CLOSED'],
  ['LISTEN', 'SYN_RECEIVED', 'ESTABLISHED', 'CLOSED'],
  (r) => { assert.is(r.state, 'CLOSED'); });

both('half-close: A stops sending, B keeps sending until its own FIN',
  [...handshake,
    { from: 'A', flags: FIN | ACK, seq: 1001, ack: 5001 },
    { from: 'B', flags: ACK, seq: 5001, ack: 1002 },
    { from: 'B', flags: PSH | ACK, seq: 5001, ack: 1002, len: 500 },
    { from: 'A', flags: ACK, seq: 1002, ack: 5501 },
    { from: 'B', flags: PSH | ACK, seq: 5501, ack: 1002, len: 500 },
    { from: 'A', flags: ACK, seq: 1002, ack: 6001 },
    { from: 'B', flags: FIN | ACK, seq: 6001, ack: 1002 },
    { from: 'A', flags: ACK, seq: 1002, ack: 6002 }],
  [...HS_STEPS, 'FIN_WAIT_1 CLOSE_WAIT', 'FIN_WAIT_2 CLOSE_WAIT', 'FIN_WAIT_2 CLOSE_WAIT', 'FIN_WAIT_2 CLOSE_WAIT',
    'FIN_WAIT_2 CLOSE_WAIT', 'FIN_WAIT_2 CLOSE_WAIT', 'TIME_WAIT LAST_ACK', 'TIME_WAIT CLOSED'],
  ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT'],
  ['LISTEN', 'SYN_RECEIVED', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED'],
  (r) => { assert.is(r.bToA.retransmissions + r.bToA.outOfOrder, 0); });

both('retransmitted SYN: counted, states unchanged, then the handshake completes',
  [{ from: 'A', flags: SYN, seq: 1000 }, { from: 'A', flags: SYN, seq: 1000, t: 1 }, { from: 'A', flags: SYN, seq: 1000, t: 3 },
    { from: 'B', flags: SYN | ACK, seq: 5000, ack: 1001, t: 3.01 }, { from: 'A', flags: ACK, seq: 1001, ack: 5001, t: 3.02 }],
  ['SYN_SENT SYN_RECEIVED', 'SYN_SENT SYN_RECEIVED', 'SYN_SENT SYN_RECEIVED', 'ESTABLISHED SYN_RECEIVED', 'ESTABLISHED ESTABLISHED'],
  ['CLOSED', 'SYN_SENT', 'ESTABLISHED'],
  ['LISTEN', 'SYN_RECEIVED', 'ESTABLISHED'],
  (r) => { assert.is(r.aToB.retransmissions, 2); });

both('connection refused: SYN answered by RST',
  [{ from: 'A', flags: SYN, seq: 1000 }, { from: 'B', flags: RST | ACK, seq: 0, ack: 1001 }],
  ['SYN_SENT SYN_RECEIVED', 'CLOSED CLOSED'],
  ['CLOSED', 'SYN_SENT', 'CLOSED'],
  ['CLOSED']);

both('reset by the client during the handshake: the listener goes back to LISTEN',
  [{ from: 'A', flags: SYN, seq: 1000 }, { from: 'B', flags: SYN | ACK, seq: 5000, ack: 1001 }, { from: 'A', flags: RST, seq: 1001 }],
  ['SYN_SENT SYN_RECEIVED', 'ESTABLISHED SYN_RECEIVED', 'CLOSED LISTEN'],
  ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'CLOSED'],
  ['LISTEN', 'SYN_RECEIVED', 'LISTEN']);

both('FIN answered by FIN,ACK at once (the common three-segment close)',
  [...handshake,
    { from: 'A', flags: FIN | ACK, seq: 1001, ack: 5001 },
    { from: 'B', flags: FIN | ACK, seq: 5001, ack: 1002 },
    { from: 'A', flags: ACK, seq: 1002, ack: 5002 }],
  [...HS_STEPS, 'FIN_WAIT_1 CLOSE_WAIT', 'TIME_WAIT LAST_ACK', 'TIME_WAIT CLOSED'],
  ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT'],
  ['LISTEN', 'SYN_RECEIVED', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);

both('picked up mid-stream: both ESTABLISHED, marked as a pickup',
  [...data],
  EST3,
  ['ESTABLISHED'],
  ['ESTABLISHED'],
  (r) => { assert.ok(r.pickup); });

test('retransmissions and out-of-order segments per direction', () => {
  for (const e of engines) {
    const run = play(e, [...handshake,
      { from: 'A', flags: ACK, seq: 1001, ack: 5001, len: 100 },
      { from: 'A', flags: ACK, seq: 1201, ack: 5001, len: 100 }, // 1101..1200 missing: out of order
      { from: 'A', flags: ACK, seq: 1101, ack: 5001, len: 100 }, // the late one (old sequence space)
      { from: 'A', flags: ACK, seq: 1001, ack: 5001, len: 100 }, // a retransmission
      { from: 'A', flags: ACK, seq: 1251, ack: 5001, len: 100 }, // overlaps the end: partial retransmission
      { from: 'A', flags: ACK, seq: 1351, ack: 5001, len: 10 }, // in order again
      { from: 'B', flags: ACK, seq: 5001, ack: 1361 }]);
    const r = run.table.flows()[0];
    assert.is(r.aToB.outOfOrder, 1, e.backend);
    assert.is(r.aToB.retransmissions, 3, e.backend);
    assert.is(r.bToA.retransmissions + r.bToA.outOfOrder, 0);
  }
});

test('idle timeouts per state: TIME_WAIT ends as "end", ESTABLISHED as "idle"; port reuse starts a new flow', () => {
  for (const e of engines) {
    const closed: Seg[] = [...handshake,
      { from: 'A', flags: FIN | ACK, seq: 1001, ack: 5001, t: 1 },
      { from: 'B', flags: FIN | ACK, seq: 5001, ack: 1002, t: 1 },
      { from: 'A', flags: ACK, seq: 1002, ack: 5002, t: 1 }];
    // A new SYN with a new ISN on the same tuple while in TIME_WAIT: port reuse.
    const run = play(e, [...closed, { from: 'A', flags: SYN, seq: 90000, t: 2 }], { timeouts: { tcpTimeWait: 60, tcpEstablished: 300 } });
    assert.is(run.ended.length, 1, `${e.backend}: the old connection ended`);
    assert.is(run.ended[0].endReason, 'end');
    assert.is(run.ended[0].aToB.frames, 4);
    assert.is(run.table.stats().reused, 1);
    assert.equal(run.table.flows().map((r) => r.stateA), ['SYN_SENT']);
    // Time passes: the new half-open connection ends by the opening timeout (30 s).
    run.table.expire(1_700_000_000 + 40);
    assert.is(run.ended.length, 2);
    assert.is(run.ended[1].endReason, 'idle');
    assert.is(run.table.live, 0);

    // TIME_WAIT lasts tcpTimeWait, not the established timeout.
    const tw = play(e, closed, { timeouts: { tcpTimeWait: 60, tcpEstablished: 300 } });
    tw.table.expire(1_700_000_000 + 1 + 59);
    assert.is(tw.ended.length, 0, 'not yet');
    tw.table.expire(1_700_000_000 + 1 + 61);
    assert.is(tw.ended.length, 1);
    assert.is(tw.ended[0].endReason, 'end');
    assert.is(tw.ended[0].state, 'TIME_WAIT');

    // Packets keep an established flow alive (lazy timer re-armed on expiry).
    const segs: Seg[] = [...handshake];
    for (let k = 1; k <= 10; k++) segs.push({ from: 'A', flags: ACK, seq: 1001, ack: 5001, t: k * 200 });
    const est = play(e, segs, { timeouts: { tcpEstablished: 300 } });
    assert.is(est.ended.length, 0, 'kept alive by traffic every 200 s');
    est.table.expire(1_700_000_000 + 2000 + 299);
    assert.is(est.ended.length, 0);
    est.table.expire(1_700_000_000 + 2000 + 301);
    assert.is(est.ended.length, 1);
    assert.is(est.ended[0].endReason, 'idle');
    assert.is(est.ended[0].aToB.frames, 12);
  }
});

test('active timeout: a long flow is reported every interval with delta counters', () => {
  for (const e of engines) {
    const segs: Seg[] = [...handshake];
    for (let k = 1; k <= 25; k++) segs.push({ from: 'A', flags: ACK, seq: 1001 + k, ack: 5001, len: 1, t: k * 10 });
    const run = play(e, segs, { timeouts: { active: 60, tcpEstablished: 3600 } });
    // Reports at 60, 120, 180, 240 s; each interval's frames add up to the total.
    assert.is(run.ended.length, 4, e.backend);
    for (const r of run.ended) assert.is(r.endReason, 'active');
    run.table.flush();
    const total = run.ended.reduce((n, r) => n + r.aToB.frames + r.bToA.frames, 0);
    assert.is(total, 3 + 25);
    assert.is(run.ended[4].endReason, 'forced');
    assert.is(run.ended[4].reports, 4);
    assert.ok(run.ended[1].firstSec > run.ended[0].firstSec, 'an interval starts at its first packet');
    assert.is(run.ended[1].startSec, run.ended[0].startSec, 'the flow start is kept');
  }
});

test('a full table evicts the stalest nearby flow (reason "resources"), or refuses when told to', () => {
  for (const e of engines) {
    for (const evict of [true, false]) {
      const ended: FlowRecord[] = [];
      const table = new FlowTable(e, { capacity: 8, evict, onExpire: (r) => ended.push(r), timeouts: { udp: 1000 } });
      const batch = e.createBatch(64);
      for (let i = 0; i < 40; i++) {
        batch.push(ipv4Udp([10, 0, 0, 1], [10, 0, 1, i], 1000 + i, 53, 10));
        batch.setTime(batch.count - 1, 1_700_000_000 + i, 0);
      }
      e.dissect(batch);
      table.update(batch);
      const st = table.stats();
      assert.is(table.live, 8);
      if (evict) {
        assert.is(st.evicted, 32, `${e.backend}: evicted`);
        assert.is(ended.length, 32);
        assert.ok(ended.every((r) => r.endReason === 'resources'));
        assert.is(st.failed, 0);
      } else {
        assert.is(st.failed, 32, `${e.backend}: refused`);
        assert.is(ended.length, 0);
      }
    }
  }
});

test('eviction reads the slots, not the entries: answered flows stay, the rest leave oldest-inserted first', () => {
  // A 4-flow table is one bucket, so its one hand orders every eviction. Flows 0 and 1 are
  // answered (a packet from B); 2..19 are one-way, a second apart. Each new flow pushes out
  // the earliest-inserted one-way flow still live, never an answered one (conntrack's
  // early drop spares assured flows the same way) and never the newcomer.
  for (const e of engines) {
    const ended: FlowRecord[] = [];
    const table = new FlowTable(e, { capacity: 4, onExpire: (r) => ended.push(r), timeouts: { udp: 1000 } });
    const batch = e.createBatch(64);
    const at = (sec: number): void => { batch.setTime(batch.count - 1, 1_700_000_000 + sec, 0); };
    for (let i = 0; i < 20; i++) {
      batch.push(ipv4Udp([10, 0, 0, 1], [10, 0, 1, i], 1000 + i, 53, 10));
      at(i);
      if (i < 2) {
        batch.push(ipv4Udp([10, 0, 1, i], [10, 0, 0, 1], 53, 1000 + i, 10));
        at(i);
      }
    }
    e.dissect(batch);
    table.update(batch);
    const live = table.flows().map((r) => r.b.addr).sort();
    assert.equal(live, ['10.0.1.0', '10.0.1.1', '10.0.1.18', '10.0.1.19'], `${e.backend}: live`);
    assert.equal(ended.map((r) => r.b.addr), Array.from({ length: 16 }, (_, i) => `10.0.1.${i + 2}`), `${e.backend}: evicted in insertion order`);
    assert.ok(ended.every((r) => r.endReason === 'resources'));
  }
});

test('IPv6 and ICMPv6 echo: request and reply share a flow keyed by the identifier', () => {
  const a = new Uint8Array(16); a.set([0x20, 0x01, 0x0d, 0xb8], 0); a[15] = 1;
  const b = new Uint8Array(16); b.set([0x20, 0x01, 0x0d, 0xb8], 0); b[15] = 2;
  for (const e of engines) {
    const table = new FlowTable(e, { capacity: 16 });
    const batch = e.createBatch(8);
    batch.push(ipv6Icmp(a, b, 128, 77, 1));
    batch.push(ipv6Icmp(b, a, 129, 77, 1));
    batch.push(ipv6Icmp(a, b, 128, 78, 1)); // another identifier: another flow
    for (let i = 0; i < 3; i++) batch.setTime(i, 1_700_000_000, i * 1000);
    e.dissect(batch);
    table.update(batch);
    const flows = table.flows();
    assert.is(flows.length, 2, e.backend);
    assert.equal([flows[0].a.addr, flows[0].b.addr, flows[0].a.port], ['2001:db8::1', '2001:db8::2', 77]);
    assert.is(flows[0].aToB.frames, 1);
    assert.is(flows[0].bToA.frames, 1);
    assert.is(flows[0].icmpType, 128);
  }
});

test('JSON line shape', () => {
  const run = play(engines[0], [...handshake, ...data]);
  const j = JSON.parse(flowJsonLine(run.table.flows()[0])) as { flow: Record<string, unknown> };
  assert.is(j.flow.proto, 'tcp');
  assert.equal(j.flow.a, { addr: '192.0.2.1', port: 33779 });
  assert.equal(j.flow.b, { addr: '198.51.100.7', port: 80 });
  assert.is((j.flow.a_to_b as { frames: number }).frames, 4);
  assert.is(j.flow.start, 1_700_000_000);
  assert.is(j.flow.state, 'ESTABLISHED');
});

test('fuzz: random frames (many malformed) never throw; WASM and twin emit identical records', () => {
  const rng = new Rng(SEED ^ 0xf10f);
  const results: string[][] = [];
  for (const e of engines) {
    const r2 = new Rng(SEED ^ 0xf10f);
    const out: string[] = [];
    // One hash seed for both backends (eviction picks among nearby flows: placement matters).
    const table = new FlowTable(e, { capacity: 64, exportCapacity: 3, tickMs: 10, seed: SEED >>> 0, onExpire: (r) => out.push(flowJsonLine(r)), timeouts: { udp: 2, tcpEstablished: 5, tcpOpening: 3, tcpTimeWait: 1, tcpClosed: 1, other: 2, icmp: 2, active: 4 } });
    const batch = e.createBatch(128, 128 * 200);
    let t = 0;
    for (let round = 0; round < 60; round++) {
      batch.clear();
      for (let k = 0; k < 128; k++) {
        const kind = r2.int(10);
        let f: Uint8Array;
        const hostA = [10, 0, 0, r2.int(6)];
        const hostB = [10, 0, 1, r2.int(6)];
        if (kind < 6) {
          const fwd = r2.bool();
          f = ipv4Tcp(fwd ? hostA : hostB, fwd ? hostB : hostA, fwd ? 1000 + r2.int(3) : 80, fwd ? 80 : 1000 + r2.int(3),
            [SYN, SYN | ACK, ACK, FIN | ACK, RST, PSH | ACK, r2.int(256)][r2.int(7)], 1000 + r2.int(3000), 1000 + r2.int(3000), r2.int(50));
        } else if (kind < 8) {
          f = ipv4Udp(hostA, hostB, 5000 + r2.int(3), 53, r2.int(40));
        } else {
          f = new Uint8Array(r2.int(90));
          for (let i = 0; i < f.length; i++) f[i] = r2.int(256);
          if (f.length > 14 && r2.bool()) { f[12] = 0x08; f[13] = 0; f[14] = 0x45; }
        }
        // Corrupt a byte now and then.
        if (r2.bool(0.2) && f.length > 0) f[r2.int(f.length)] = r2.int(256);
        const cap = r2.bool(0.1) ? r2.int(f.length + 1) : f.length;
        batch.push(f.subarray(0, cap), LINKTYPE_ETHERNET, f.length);
        t += r2.int(30);
        batch.setTime(batch.count - 1, 1_700_000_000 + Math.floor(t / 1000), (t % 1000) * 1e6);
      }
      e.dissect(batch);
      table.update(batch);
    }
    table.flush();
    out.push(JSON.stringify(table.stats()));
    results.push(out);
  }
  void rng;
  assert.ok(results[0].length > 100, `records emitted (${results[0].length})`);
  assert.equal(results[1], results[0]);
});

test.run();
