// Flow table RST window check (issue #20 item 3; RFC 5961 section 3, as conntrack and
// Zeek do): an RST ends a tracked TCP connection only when its sequence number lies in
// the receiver's window [RCV.NXT, RCV.NXT + RCV.WND) as the flow observed it (RCV.NXT =
// the next sequence number expected from the RST's sender, RCV.WND = the receiver's last
// advertised window, scaled when both SYNs carried the option); with no window seen, only
// seq == RCV.NXT. Others are ignored and counted (FlowRecord.rstIgnored, stats, JSON).
// Expected outcomes follow from the RFC and the crafted numbers; WASM and twin must agree.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine, type Engine } from '../host/engine/engine.js';
import { FlowTable, type FlowRecord } from '../host/flows/flow-table.js';
import { flowJsonLine } from '../host/flows/conversations.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';
import { ipv4Tcp } from './lib/tcp-frame.js';

const SYN = 2, RST = 4, PSH = 8, ACK = 16;
const A4 = [192, 0, 2, 1];
const B4 = [198, 51, 100, 7];

interface Seg { from: 'A' | 'B'; flags: number; seq: number; ack?: number; len?: number; win?: number; wscale?: number }

function tcpFrame(s: Seg): Uint8Array {
  const [src, dst, sp, dp] = s.from === 'A' ? [A4, B4, 33779, 80] : [B4, A4, 80, 33779];
  return ipv4Tcp(src, dst, sp, dp, s.flags, s.seq, s.ack ?? 0, s.len ?? 0, { win: s.win, wscale: s.wscale });
}

const engines: Engine[] = [createEngine({ backend: 'wasm' }), createEngine({ backend: 'ts' })];

function play(engine: Engine, segs: Seg[]): { states: string; rec: FlowRecord; table: FlowTable } {
  const table = new FlowTable(engine, { capacity: 16 });
  const batch = engine.createBatch(1);
  for (const s of segs) {
    batch.clear();
    batch.push(tcpFrame(s), LINKTYPE_ETHERNET);
    batch.setTime(0, 1_700_000_000, 0);
    engine.dissect(batch);
    table.update(batch);
  }
  const live = table.flows();
  assert.is(live.length, 1);
  return { states: `${live[0].stateA} ${live[0].stateB}`, rec: live[0], table };
}

// Client A (ISN 1000), server B (ISN 5000); windows of 1000 unless a test says otherwise.
const hs = (wsA?: number, wsB?: number, winB = 1000): Seg[] => [
  { from: 'A', flags: SYN, seq: 1000, wscale: wsA },
  { from: 'B', flags: SYN | ACK, seq: 5000, ack: 1001, wscale: wsB },
  { from: 'A', flags: ACK, seq: 1001, ack: 5001, win: 1000 },
  { from: 'A', flags: PSH | ACK, seq: 1001, ack: 5001, len: 100, win: 1000 },
  { from: 'B', flags: ACK, seq: 5001, ack: 1101, win: winB },
];

function check(name: string, segs: Seg[], states: string, ignored: number): void {
  test(name, () => {
    const runs: string[] = [];
    for (const e of engines) {
      const { states: got, rec, table } = play(e, segs);
      assert.is(got, states, `${e.backend}: states`);
      assert.is(rec.rstIgnored, ignored, `${e.backend}: RSTs ignored in the record`);
      assert.is(table.stats().rstIgnored, ignored, `${e.backend}: RSTs ignored in the stats`);
      assert.is(JSON.parse(flowJsonLine(rec)).flow.rst_ignored, ignored, `${e.backend}: --flows --json`);
      runs.push(flowJsonLine(rec));
    }
    assert.is(runs[1], runs[0], 'WASM = twin');
  });
}

check('an RST with seq = RCV.NXT closes', [...hs(), { from: 'A', flags: RST, seq: 1101 }], 'CLOSED CLOSED', 0);
check('an RST inside the window closes', [...hs(), { from: 'A', flags: RST, seq: 1101 + 999 }], 'CLOSED CLOSED', 0);
check('an RST just past the window is ignored and counted',
  [...hs(), { from: 'A', flags: RST, seq: 1101 + 1000 }], 'ESTABLISHED ESTABLISHED', 1);
check('forged RSTs before RCV.NXT and far ahead are ignored; the genuine one still closes',
  [...hs(), { from: 'B', flags: RST | ACK, seq: 5000, ack: 1101 }, { from: 'A', flags: RST, seq: 0x80000000 },
    { from: 'B', flags: RST, seq: 5001 }], 'CLOSED CLOSED', 2);
check('window scaling: 100 << 7 = 12,800 octets take an RST 5,000 ahead',
  [...hs(7, 7, 100), { from: 'A', flags: RST, seq: 1101 + 5000 }], 'CLOSED CLOSED', 0);
check('window scaling: ... but not 12,800 ahead',
  [...hs(7, 7, 100), { from: 'A', flags: RST, seq: 1101 + 12800 }], 'ESTABLISHED ESTABLISHED', 1);
check('scaling only when both SYNs carry the option (RFC 7323): 100 octets, 5,000 ahead is out',
  [...hs(7, undefined, 100), { from: 'A', flags: RST, seq: 1101 + 5000 }], 'ESTABLISHED ESTABLISHED', 1);
check('window unknown (picked up mid-stream, B never sent): one past RCV.NXT is ignored',
  [{ from: 'A', flags: PSH | ACK, seq: 1001, ack: 5001, len: 100 }, { from: 'A', flags: RST, seq: 1102 }], 'ESTABLISHED ESTABLISHED', 1);
check('window unknown: exactly RCV.NXT closes',
  [{ from: 'A', flags: PSH | ACK, seq: 1001, ack: 5001, len: 100 }, { from: 'A', flags: RST, seq: 1101 }], 'CLOSED CLOSED', 0);
check('a SYN refused by an RST from an end that never sent is accepted',
  [{ from: 'A', flags: SYN, seq: 1000 }, { from: 'B', flags: RST | ACK, seq: 0, ack: 1001 }], 'CLOSED CLOSED', 0);

test.run();
