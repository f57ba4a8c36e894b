// IPFIX beyond plain flow records (issue #20 item 5), each read back by tools that are not
// ours as well as by host/ipfix/decode.ts:
//
// - Biflows (RFC 5103): every corpus capture through the library stage with biflow on,
//   into nfcapd, with the export traffic captured on loopback. nfdump must show each flow
//   once with the reverse direction's packets and octets as its "out" counters, and
//   tshark's dissector must show the reverse elements (PEN 29305) with the reverse
//   direction's packets, octets and TCP flags; all against the flow table's own records
//   under the export's timeouts.
// - The exporter's statistics (RFC 7011 §4, options templates 260 and 261): in that same
//   UDP capture and in TCP sessions, every statistics record must count exactly the
//   messages, octets and flow records that tshark saw go out before it; sequence numbers
//   must count the statistics records as Data Records (tshark checks them, RFC 7011 §3.1);
//   nfcapd must take the statistics messages without a sequence failure on the flows.
// - Lost records: a TCP collector that is absent at first; the final statistics must
//   report as not sent exactly the records, packets and octets the collector never got.
// - Template withdrawal at the end of a TCP session (RFC 7011 §8.1): the last message
//   withdraws every template the session defined, and nothing follows it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createEngine, type Engine } from '../host/engine/engine.js';
import { FlowTable, type FlowRecord } from '../host/flows/flow-table.js';
import { feedCapture, feedFlowTable } from './lib/feed-capture.js';
import { allFlows } from '../host/flows/conversations.js';
import { createIpfixStage, exportTimeouts } from '../host/ipfix/stage.js';
import { IpfixExporter } from '../host/ipfix/exporter.js';
import { IpfixDecoder, splitStream, type DecodedMessage } from '../host/ipfix/decode.js';
import { REVERSE_PEN } from '../host/ipfix/ie.js';
import { corpusCaptures, haveTool, needRoot } from './lib/env.js';
import { freeTcpPort, readExporters, sleep, startNfcapdOnFreePort, tcpListen } from './ipfix-tools.js';
import {
  captureLoopback, fieldOf, flagsOf, protoNumber, readNfdumpBiflows, tsharkIpfix, type TsharkMessage,
} from './ipfix-capture.js';

const captures = corpusCaptures();
const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-ipfix-opt-'));

/** What a biflow record of `r` must carry. ICMP keys drop the ports (type/code travel in
 *  icmpTypeCode; nfdump shows them in the port column). */
interface Expect { key: string; fwd: { pkt: number; oct: number; flg: number }; rev: { pkt: number; oct: number; flg: number } }

function flowKey(proto: number, sa: string, da: string, sp: number, dp: number): string {
  const icmp = proto === 1 || proto === 58;
  return `${proto} ${sa}:${icmp ? '' : sp} > ${da}:${icmp ? '' : dp}`;
}

function expectOf(r: FlowRecord): Expect {
  const tcp = r.proto === 6 && !r.noPorts;
  const ports = r.icmpType !== null || r.noPorts ? [0, 0] : [r.a.port, r.b.port];
  return {
    key: flowKey(r.proto, r.a.addr, r.b.addr, ports[0], ports[1]),
    fwd: { pkt: r.aToB.frames, oct: r.aToB.ipBytes, flg: tcp ? r.aToB.tcpFlags & 0xFF : 0 },
    rev: { pkt: r.bToA.frames, oct: r.bToA.ipBytes, flg: tcp ? r.bToA.tcpFlags & 0xFF : 0 },
  };
}

/** The flow table's records under the export's timeouts (one hour idle, no active timeout). */
function tableFlows(engine: Engine, file: string): FlowRecord[] | null {
  const table = new FlowTable(engine, { capacity: 4096, keepEnded: true, timeouts: exportTimeouts(0, 3600) });
  if (!feedFlowTable(engine, file, table)) return null; // tunnels' inner flows too, as the stage counts them
  return allFlows(table);
}

/** Multiset of expectations by key (a key may repeat: two flows of one 5-tuple). */
function byKey(list: Expect[]): Map<string, Expect[]> {
  const m = new Map<string, Expect[]>();
  for (const e of list) m.set(e.key, [...(m.get(e.key) ?? []), e]);
  return m;
}

const same = (a: Expect, b: Expect): boolean => JSON.stringify([a.fwd, a.rev]) === JSON.stringify([b.fwd, b.rev]);

/** Removes `got` from the expectations of its key; returns a problem or null. */
function take(exp: Map<string, Expect[]>, got: Expect, who: string): string | null {
  const list = exp.get(got.key);
  const i = list?.findIndex((e) => same(e, got)) ?? -1;
  if (list === undefined || i < 0) return `${who}: unexpected ${got.key} ${JSON.stringify([got.fwd, got.rev])}; expected ${JSON.stringify(list?.map((e) => [e.fwd, e.rev]) ?? 'none')}`;
  list.splice(i, 1);
  if (list.length === 0) exp.delete(got.key);
  return null;
}

/**
 * Checks the statistics records of one exporter (its messages in wire order, all its
 * domains): each one's counters equal what went out before its message.
 */
function checkStatistics(msgs: TsharkMessage[], label: string): { stats: number; last: Record<string, number> } {
  let messages = 0;
  let octets = 0;
  let flows = 0;
  let stats = 0;
  let last: Record<string, number> = {};
  for (const m of msgs) {
    const met = m.records.find((r) => r.setId === 260);
    const rel = m.records.find((r) => r.setId === 261);
    if (met !== undefined) {
      assert.ok(rel !== undefined, `${label}: both statistics records in one message`);
      const num = (r: typeof met, n: string): number => Number(fieldOf(r, n));
      last = {
        octets: num(met, 'cflow.octetsexp'), messages: num(met, 'cflow.packetsexp'), flows: num(met, 'cflow.flowsexp'),
        notSentFlows: num(rel!, 'cflow.notsent_flows'), notSentPackets: num(rel!, 'cflow.notsent_packets'),
        notSentOctets: num(rel!, 'cflow.notsent_octets'), exportingProcessId: num(rel!, 'cflow.flow_exporter'),
      };
      assert.equal([last.messages, last.octets, last.flows], [messages, octets, flows],
        `${label}: statistics message ${stats + 1} counts what went out before it (messages, octets, flow records)`);
      stats++;
    }
    messages++;
    octets += m.length;
    flows += m.records.filter((r) => r.setId >= 256 && r.setId <= 259).length;
  }
  return { stats, last };
}

/** No sequence gaps, no malformed parts: tshark's expert messages (the one exception is
 *  tshark 4.0 misreading an Options Template withdrawal, see the TCP test). */
function experts(msgs: TsharkMessage[], allowOptionsWithdrawal = false): string[] {
  return msgs.flatMap((m) => m.experts.filter((e) => !(allowOptionsWithdrawal && m.withdrawn.length > 0 && /More scope fields/.test(e))));
}

test('biflows into nfcapd: nfdump and tshark see each flow once, with the reverse direction', async () => {
  if (captures.length === 0 || !haveTool('nfcapd', '-V') || !haveTool('nfdump', '-V') || !haveTool('tshark')) return;
  if (!needRoot('capturing the export traffic on loopback')) return;
  const engine = createEngine({ backend: 'wasm' });
  const dir = join(tmp, 'biflow');
  mkdirSync(dir);
  const nf = await startNfcapdOnFreePort(dir);
  const cap = await captureLoopback(join(tmp, 'biflow.pcap'), `udp and dst port ${nf.port}`);
  const expected = new Map<number, { file: string; flows: Expect[] }>();
  let lost = 0;
  const lostIn: string[] = [];
  let pcap: string;
  let dropped: number;
  try {
    let domain = 100;
    for (const file of captures) {
      const flows = tableFlows(engine, file);
      if (flows === null || flows.length === 0) continue;
      domain++;
      const stage = createIpfixStage(engine, { collector: `127.0.0.1:${nf.port}`, domain, activeTimeout: 0, idleTimeout: 3600, biflow: true });
      feedCapture(engine, file, (b) => stage.process(b, 0, { firstRecord: 1, firstMatch: 1, filtered: false }));
      stage.finish();
      const st = stage.stats();
      if (st.lostRecords > 0) lostIn.push(`${basename(file)}: ${JSON.stringify(st)}`);
      lost += st.lostRecords;
      assert.is(stage.stats().records, flows.length, `${basename(file)}: one biflow record per flow`);
      expected.set(domain, { file, flows: flows.map(expectOf) });
    }
  } finally {
    await nf.stop();
    ({ file: pcap, dropped } = await cap.stop());
  }
  assert.is(dropped, 0, 'the capture is complete (tcpdump: nothing dropped by the kernel)');
  assert.is(lost, 0, `nothing lost on a live collector: ${lostIn.join('; ')}`);

  // nfdump: forward counters and flags in "in", the reverse counters in "out".
  const exporters = readExporters(dir);
  const sysOf = new Map([...exporters].map(([sys, e]) => [e.domain, sys]));
  const rows = readNfdumpBiflows(dir);
  let compared = 0;
  for (const [domain, { file, flows }] of expected) {
    const want = byKey(flows);
    const sys = sysOf.get(domain);
    assert.ok(sys !== undefined, `${basename(file)}: nfcapd saw domain ${domain}`);
    assert.is(exporters.get(sys!)!.seqFailures, 0, `${basename(file)}: no sequence failures (statistics messages go to domain 0)`);
    for (const r of rows.filter((x) => x.exp === sys)) {
      const p = protoNumber(r.pr);
      const icmp = p === 1 || p === 58;
      const got: Expect = {
        key: flowKey(p, r.sa, r.da, icmp ? 0 : r.sp, icmp ? 0 : r.dp),
        fwd: { pkt: r.ipkt, oct: r.ibyt, flg: p === 6 ? flagsOf(r.flg) : 0 }, rev: { pkt: r.opkt, oct: r.obyt, flg: 0 },
      };
      // nfdump has no slot for the reverse flags: compare them with tshark below.
      const cands = want.get(got.key) ?? [];
      const i = cands.findIndex((e) => JSON.stringify([e.fwd, e.rev.pkt, e.rev.oct]) === JSON.stringify([got.fwd, got.rev.pkt, got.rev.oct]));
      assert.ok(i >= 0, `${basename(file)} nfdump: ${got.key} ${JSON.stringify([got.fwd, got.rev])}, expected ${JSON.stringify(cands.map((e) => [e.fwd, e.rev]))}`);
      cands.splice(i, 1);
      if (cands.length === 0) want.delete(got.key);
      compared++;
    }
    assert.equal([...want.keys()], [], `${basename(file)}: every flow in nfdump`);
  }

  // tshark: the templates carry PEN 29305 fields; every record's forward and reverse
  // elements; each exporter's statistics; no sequence or format complaints.
  const msgs = tsharkIpfix(pcap, 'udp', nf.port);
  const biflowTemplates = msgs.flatMap((m) => m.templates).filter((t) => t.id === 258 || t.id === 259);
  assert.ok(biflowTemplates.length > 0 && biflowTemplates.every((t) => t.pens.length === 3 && t.pens.every((p) => p === REVERSE_PEN)),
    'biflow templates: three reverse elements each, PEN 29305');
  assert.equal(experts(msgs), [], 'tshark: no sequence gaps, nothing malformed');
  const left = new Map([...expected].map(([d, e]) => [d, byKey(e.flows)]));
  const problems: string[] = [];
  for (const m of msgs) {
    for (const r of m.records.filter((x) => x.setId === 258 || x.setId === 259)) {
      const p = Number(fieldOf(r, 'cflow.protocol'));
      const sa = fieldOf(r, 'cflow.srcaddr') ?? fieldOf(r, 'cflow.srcaddrv6') ?? '';
      const da = fieldOf(r, 'cflow.dstaddr') ?? fieldOf(r, 'cflow.dstaddrv6') ?? '';
      const flg = (rev: boolean): number => Number(fieldOf(r, 'cflow.tcpflags', rev)) & 0xFF;
      const got: Expect = {
        key: flowKey(p, sa, da, Number(fieldOf(r, 'cflow.srcport')), Number(fieldOf(r, 'cflow.dstport'))),
        fwd: { pkt: Number(fieldOf(r, 'cflow.packets')), oct: Number(fieldOf(r, 'cflow.octets')), flg: flg(false) },
        rev: { pkt: Number(fieldOf(r, 'cflow.packets', true)), oct: Number(fieldOf(r, 'cflow.octets', true)), flg: flg(true) },
      };
      const want = left.get(m.domain);
      if (want === undefined) problems.push(`record in unexpected domain ${m.domain}`);
      else {
        const pr = take(want, got, `tshark domain ${m.domain}`);
        if (pr !== null) problems.push(pr);
      }
    }
  }
  assert.equal(problems.slice(0, 5), [], 'tshark: every biflow record as the flow table has it');
  for (const [d, w] of left) assert.equal([...w.keys()], [], `tshark: every flow of domain ${d}`);

  // One exporter per flow domain; its statistics messages are in domain 0 and name the
  // flow domain in their scope. (Source ports do not tell exporters apart: a closed
  // exporter's port may be the next one's.)
  const byExporter = new Map<number, TsharkMessage[]>();
  for (const m of msgs) {
    const scope = m.records.find((r) => r.setId === 260);
    const d = m.domain !== 0 ? m.domain : Number(scope === undefined ? -1 : fieldOf(scope, 'cflow.od_id'));
    byExporter.set(d, [...(byExporter.get(d) ?? []), m]);
  }
  assert.equal([...byExporter.keys()].sort(), [...expected.keys()].sort(), 'every message belongs to an exporter');
  let statsMessages = 0;
  for (const [d, list] of byExporter) {
    const { stats, last } = checkStatistics(list, `exporter of domain ${d}`);
    assert.is(stats, 1, `exporter of domain ${d}: one statistics message (at the end of a short run)`);
    assert.equal([last.notSentFlows, last.notSentPackets, last.notSentOctets], [0, 0, 0]);
    assert.is(last.exportingProcessId, process.pid);
    statsMessages += stats;
  }
  console.log(`  ${expected.size} captures, ${compared} biflows equal in nfdump and tshark, ${statsMessages} statistics messages checked`);
  assert.ok(expected.size >= 20);
});

/** A TCP collector made of the project's decoder; its side closes cleanly on stop(). */
async function tcpCollector(port: number): Promise<{ messages: DecodedMessage[]; closedByPeer: () => boolean; stop(): Promise<void> }> {
  const messages: DecodedMessage[] = [];
  const sockets = new Set<net.Socket>();
  let peerClosed = false;
  const server = net.createServer((s) => {
    sockets.add(s);
    const dec = new IpfixDecoder();
    let buf = new Uint8Array(0);
    s.on('data', (d: Buffer) => {
      const all = new Uint8Array(buf.length + d.length);
      all.set(buf); all.set(d, buf.length);
      const r = splitStream(all);
      for (const m of r.messages) messages.push(dec.decode(m));
      buf = r.rest.slice();
    });
    s.on('end', () => { peerClosed = true; s.end(); });
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  await tcpListen(server, port);
  return {
    messages,
    closedByPeer: () => peerClosed,
    async stop() {
      server.close();
      for (const s of sockets) s.end();
      for (let k = 0; k < 100 && sockets.size > 0; k++) await sleep(20);
      for (const s of sockets) s.destroy();
    },
  };
}

function synthetic(i: number): FlowRecord {
  const dir = (frames: number, flags: number): FlowRecord['aToB'] => ({ frames, bytes: frames * 100, ipBytes: frames * 86 + i, tcpFlags: flags, retransmissions: 0, outOfOrder: 0 });
  return {
    index: i, proto: 6, ipVersion: i % 5 === 0 ? 6 : 4,
    a: { addr: i % 5 === 0 ? `2001:db8::${i.toString(16)}` : `10.1.${(i >>> 8) & 255}.${i & 255}`, port: 1024 + i },
    b: { addr: i % 5 === 0 ? '2001:db8::ffff' : '192.0.2.9', port: 443 },
    aToB: dir(2 + (i % 7), 0x1b), bToA: dir(1 + (i % 4), 0x12),
    firstSec: 1_700_000_000 + i, firstNsec: 0, lastSec: 1_700_000_002 + i, lastNsec: 0, startSec: 1_700_000_000 + i, startNsec: 0,
    stateA: null, stateB: null, state: null, historyA: [], historyB: [],
    endReason: 'idle', endReasonCode: 1, icmpType: null, icmpCode: null, vlan: 0, iface: 3,
    noPorts: false, pickup: false, reports: 0, rstIgnored: 0,
  };
}

for (const domain of [0, 5]) {
  test(`TCP, flows in domain ${domain}: periodic and final statistics, RFC sequence numbers, template withdrawal at the end`, async () => {
    if (!haveTool('tshark')) return;
    if (!needRoot('capturing the export traffic on loopback')) return;
    const port = await freeTcpPort();
    const col = await tcpCollector(port);
    const cap = await captureLoopback(join(tmp, `tcp-${domain}.pcap`), `tcp and port ${port}`);
    const x = new IpfixExporter({ collector: `tcp://127.0.0.1:${port}`, domain, biflow: domain === 5, statisticsIntervalSec: 0.25 });
    const statsSeen = (): number => col.messages.filter((m) => m.options.length > 0).length;
    let st;
    let pcap: string;
    let dropped: number;
    try {
      for (let i = 0; i < 60; i++) {
        x.exportFlow(synthetic(i));
        if (i % 4 === 3) { x.flush(); await sleep(20); }
        // Half-way, wait (bounded) for two periodic statistics messages between the flows.
        for (let k = 0; i === 29 && k < 250 && statsSeen() < 2; k++) await sleep(20);
      }
    } finally {
      st = x.close();
      ({ file: pcap, dropped } = await cap.stop());
      await col.stop();
    }
    assert.is(dropped, 0, 'the capture is complete (tcpdump: nothing dropped by the kernel)');
    assert.is(st.lostRecords, 0);
    assert.ok(col.closedByPeer(), 'the exporter ended the session (FIN)');

    // Our decoder: statistics records, and the withdrawal as the very last thing.
    const ms = col.messages;
    const statsMsgs = ms.filter((m) => m.options.length > 0);
    assert.ok(statsMsgs.length >= 3, `periodic statistics and a final one (${statsMsgs.length})`);
    assert.is(statsMsgs.every((m) => m.header.domain === 0), true, 'statistics in domain 0');
    const tail = ms.slice(ms.findIndex((m) => m.withdrawn.length > 0));
    const dataIds = domain === 5 ? [258, 259] : [256, 257];
    assert.equal(tail.flatMap((m) => m.withdrawn).sort(), [...dataIds, 260, 261].sort(), 'every template withdrawn');
    assert.is(tail.length, domain === 0 ? 1 : 2, 'one withdrawal message per domain');
    assert.ok(tail.every((m) => m.records.length === 0 && m.options.length === 0 && m.templates.length === 0), 'nothing after the withdrawal');
    assert.is(ms.reduce((n, m) => n + m.records.length, 0), st.records, 'every flow record received');
    // RFC 7011 §3.1 by hand too: each message's sequence = data records (flows and
    // statistics) sent before it in its domain.
    const next = new Map<number, number>();
    for (const m of ms) {
      assert.is(m.header.sequence, next.get(m.header.domain) ?? 0, `sequence of a message in domain ${m.header.domain}`);
      next.set(m.header.domain, (next.get(m.header.domain) ?? 0) + m.records.length + m.options.length);
    }
    const final = statsMsgs[statsMsgs.length - 1].options;
    assert.equal(final.map((o) => o.fields.observationDomainId ?? o.fields.exportingProcessId), [domain, process.pid]);

    // tshark, on the capture: the same, independently.
    const msgs = tsharkIpfix(pcap, 'tcp', port);
    const seen = (l: { domain: number; sequence: number; length: number }[]): string[] => l.map((m) => `${m.domain}/${m.sequence}/${m.length}`);
    assert.equal(seen(msgs), seen(ms.map((m) => m.header)), 'tshark finds every message the collector read');
    // tshark 4.0 reads an Options Template withdrawal record (4 octets, RFC 7011 §8.1) as
    // if it had a scope field count and calls it malformed; the data templates' one is fine.
    assert.equal(experts(msgs, true), [], 'tshark: sequence numbers as RFC 7011 §3.1 counts them');
    const { stats, last } = checkStatistics(msgs, `TCP domain ${domain}`);
    assert.is(stats, statsMsgs.length);
    assert.equal([last.notSentFlows, last.notSentPackets, last.notSentOctets], [0, 0, 0]);
    const w = msgs.slice(-tail.length).flatMap((m) => m.withdrawn).sort();
    assert.ok(dataIds.every((id) => w.includes(id)) && w.includes(260), `tshark sees the withdrawal: ${w.join(',')}`);
    if (domain === 5) {
      const b = msgs.flatMap((m) => m.records).find((r) => r.setId === 258);
      assert.ok(b !== undefined && fieldOf(b, 'cflow.octets', true) !== undefined, 'tshark: reverse octets in the TCP biflow records');
    }
  });
}

test('TCP collector absent at first: the final statistics report exactly the records, packets and octets never received', async () => {
  const port = await freeTcpPort();
  const x = new IpfixExporter({ collector: `tcp://127.0.0.1:${port}`, domain: 9, queueMessages: 4, queueWaitMs: 1, maxMessage: 300 });
  const t0 = Date.now();
  let packets = 0;
  let octets = 0;
  let i = 0;
  const send = async (n: number): Promise<void> => {
    for (let k = 0; k < n; k++, i++) {
      const r = synthetic(i);
      packets += r.aToB.frames + r.bToA.frames;
      octets += r.aToB.ipBytes + r.bToA.ipBytes;
      x.exportFlow(r);
      if (i % 3 === 2) { x.flush(); await sleep(1); }
    }
  };
  await send(150); // nobody listens: four messages wait, the rest is dropped and counted
  const col = await tcpCollector(port);
  let st;
  let t1;
  try {
    // The exporter reconnects with a backoff (up to 2 s): wait for it, bounded.
    for (let k = 0; k < 250 && x.stats().connects === 0; k++) await sleep(20);
    assert.is(x.stats().connects, 1, 'connected once the collector listens');
    await send(60);
  } finally {
    st = x.close();
    t1 = Date.now();
    await sleep(100);
    await col.stop();
  }
  const flowsGot = col.messages.flatMap((m) => m.records);
  const got = flowsGot.reduce((a, r) => ({
    p: a.p + Number(r.fields.packetDeltaCount), o: a.o + Number(r.fields.octetDeltaCount),
  }), { p: 0, o: 0 });
  assert.ok(st.lostRecords > 0, 'the outage dropped records');
  assert.is(flowsGot.length + st.lostRecords, st.records, 'received + lost = exported');
  const final = col.messages.filter((m) => m.options.length > 0).pop();
  assert.ok(final !== undefined, 'a statistics message at the end');
  const f = Object.assign({}, ...final!.options.map((o) => o.fields)) as Record<string, number>;
  assert.equal(
    [f.notSentFlowTotalCount, f.notSentPacketTotalCount, f.notSentOctetTotalCount, f.exportedFlowRecordTotalCount],
    [st.lostRecords, packets - got.p, octets - got.o, flowsGot.length],
  );
  assert.ok(t0 <= f.observationTimeMilliseconds && f.observationTimeMilliseconds <= f['observationTimeMilliseconds#2'] && f['observationTimeMilliseconds#2'] <= t1,
    'first and last loss times inside the run');
  assert.equal([st.lostPackets, st.lostOctets], [packets - got.p, octets - got.o]);
});

test.after(() => { if (process.env.KEEP_TMP === undefined) rmSync(tmp, { recursive: true, force: true }); else console.log(`kept ${tmp}`); });

test.run();
