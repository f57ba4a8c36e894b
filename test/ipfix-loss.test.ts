// A collector that is absent or restarts mid-run: every record is either received by
// the collector or counted lost by the exporter (received >= exported - lost). UDP into
// nfcapd (absent; stopped and restarted on the same port), TCP into a collector made
// here with the project's IPFIX decoder (absent at start, then restarting by closing
// its side cleanly). Also: the unit checks of the encoder (header fields, sizes under
// the MTU, sequence numbers counting data records, templates) read back by the decoder.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowRecord } from '../host/flows/flow-table.js';
import { IpfixExporter } from '../host/ipfix/exporter.js';
import { MessageEncoder } from '../host/ipfix/encoder.js';
import { IpfixDecoder, splitStream, readHeader } from '../host/ipfix/decode.js';
import { templateMessage } from '../host/ipfix/message.js';
import { parseCollector } from '../host/ipfix/collector.js';
import { MessageQueue } from '../host/ipfix/message-queue.js';
import { haveTool } from './lib/env.js';
import { freeTcpPort, holdUdpPort, readNfdump, sleep, startNfcapd, startNfcapdOnFreePort, tcpListen } from './ipfix-tools.js';

function rec(i: number, v6 = false): FlowRecord {
  const dir = (frames: number, flags: number) => ({ frames, bytes: frames * 100, ipBytes: frames * 86, tcpFlags: flags, retransmissions: 0, outOfOrder: 0 });
  return {
    index: i, proto: i % 3 === 0 ? 17 : 6, ipVersion: v6 ? 6 : 4,
    a: { addr: v6 ? `2001:db8::${(i & 0xFFFF).toString(16)}` : `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`, port: 1024 + (i % 60000) },
    b: { addr: v6 ? '2001:db8:ffff::1' : '192.0.2.1', port: i % 3 === 0 ? 53 : 443 },
    aToB: dir(3 + (i % 5), 0x1b), bToA: dir(2 + (i % 3), 0x12),
    firstSec: 1_700_000_000 + i, firstNsec: 123_000_000, lastSec: 1_700_000_001 + i, lastNsec: 456_000_000,
    startSec: 1_700_000_000 + i, startNsec: 123_000_000,
    stateA: null, stateB: null, state: null, historyA: [], historyB: [],
    endReason: 'idle', endReasonCode: 1, icmpType: null, icmpCode: null, vlan: i % 7 === 0 ? 100 : 0, iface: 2,
    noPorts: false, pickup: false, reports: 0, rstIgnored: 0,
  };
}

test('encoder: RFC 7011 headers, sets under the size limit, sequence numbers count data records', () => {
  const msgs: { bytes: Uint8Array; n: number }[] = [];
  const enc = new MessageEncoder(77, 600, (m, n) => { msgs.push({ bytes: m.slice(), n }); });
  for (let i = 0; i < 50; i++) enc.add(rec(i, i % 4 === 0));
  enc.flush();
  const dec = new IpfixDecoder();
  dec.decode(templateMessage(0, 77));
  let seq = 0;
  let total = 0;
  for (const m of msgs) {
    assert.ok(m.bytes.length <= 600);
    const d = dec.decode(m.bytes);
    assert.is(d.header.version, 10);
    assert.is(d.header.length, m.bytes.length);
    assert.is(d.header.domain, 77);
    assert.is(d.header.sequence, seq, 'sequence = data records sent before this message');
    assert.is(d.unknownSets, 0);
    assert.is(d.records.length, m.n);
    seq += m.n;
    total += m.n;
  }
  assert.is(total, 100, 'two uniflow records per bidirectional flow');
  const first = new IpfixDecoder();
  first.decode(templateMessage(0, 77));
  const r = first.decode(msgs[0].bytes).records;
  const f4 = r.find((x) => x.templateId === 256)!.fields;
  assert.equal([f4.sourceIPv4Address, f4.destinationIPv4Address, f4.sourceTransportPort, f4.destinationTransportPort], ['10.0.0.1', '192.0.2.1', 1025, 443]);
  assert.equal([f4.packetDeltaCount, f4.octetDeltaCount, f4.tcpControlBits, f4.flowEndReason, f4.ingressInterface], [4, 344, 0x1b, 1, 2]);
  assert.equal([f4.flowStartMilliseconds, f4.flowEndMilliseconds], [1_700_000_001_123, 1_700_000_002_456]);
  const f6 = r.find((x) => x.templateId === 257)!.fields;
  assert.is(f6.sourceIPv6Address, '2001:db8::');
  assert.is(readHeader(templateMessage(5, 1)).sequence, 5);
});

test('collector addresses', () => {
  assert.equal(parseCollector('127.0.0.1:9995'), { protocol: 'udp', host: '127.0.0.1', port: 9995, family: 4 });
  assert.equal(parseCollector('tcp://[::1]:4739'), { protocol: 'tcp', host: '::1', port: 4739, family: 6 });
  assert.throws(() => parseCollector('host:99999'));
});

test('a full queue with no sender drops and counts, never grows', () => {
  const q = MessageQueue.create({ slots: 4, maxMessage: 100 });
  const m = new Uint8Array(50);
  let ok = 0;
  for (let i = 0; i < 10; i++) if (q.push(m, 2, 1)) ok++;
  assert.is(ok, 4);
  assert.is(q.stats[3], 12, 'dropped records counted');
});

const haveNf = haveTool('nfcapd', '-V') && haveTool('nfdump', '-V');
const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-ipfix-loss-'));

test('UDP, collector absent: every record is counted lost', async () => {
  // The port stays held by a socket of ours that refuses every sender: absent, race-free.
  const held = await holdUdpPort();
  const x = new IpfixExporter({ collector: `127.0.0.1:${held.port}`, domain: 1, closeTimeoutMs: 500 });
  for (let i = 0; i < 300; i++) { x.exportFlow(rec(i)); if (i % 50 === 49) { x.flush(); await sleep(5); } }
  const st = x.close();
  await held.release();
  assert.is(st.records, 600);
  assert.is(st.lostRecords, 600, JSON.stringify(st));
});

test('UDP, nfcapd stopped and restarted mid-run: received >= exported - lost', async () => {
  if (!haveNf) return;
  const d1 = join(tmp, 'u1'); const d2 = join(tmp, 'u2');
  mkdirSync(d1); mkdirSync(d2);
  let nf = await startNfcapdOnFreePort(d1);
  const port = nf.port;
  const x = new IpfixExporter({ collector: `127.0.0.1:${port}`, domain: 2 });
  let i = 0;
  const send = async (n: number): Promise<void> => {
    for (let k = 0; k < n; k++, i++) { x.exportFlow(rec(i)); if (i % 20 === 19) { x.flush(); await sleep(2); } }
  };
  let st;
  try {
    await send(400);
    await sleep(200);
    await nf.stop();
    // Collector down; the number stays ours meanwhile (refusing like a closed port), and
    // nfcapd takes it back the moment it is released.
    const held = await holdUdpPort(port);
    await send(400);
    await held.release();
    nf = await startNfcapd(d2, port);
    await send(400);
    st = x.close();
  } finally {
    await nf.stop();
  }
  const received = readNfdump(d1).length + readNfdump(d2).length;
  console.log(`  UDP restart: exported ${st.records}, received ${received}, counted lost ${st.lostRecords}`);
  assert.ok(st.lostRecords > 0, 'the outage was seen');
  assert.ok(received >= st.records - st.lostRecords, JSON.stringify(st));
  assert.ok(received <= st.records);
});

/** A TCP collector: decodes every message it reads; `stop()` closes its side cleanly. */
async function tcpCollector(port: number): Promise<{ records: number; stop(): Promise<void> }> {
  const state = { records: 0, sockets: new Set<net.Socket>() };
  const server = net.createServer((s) => {
    state.sockets.add(s);
    const dec = new IpfixDecoder();
    let buf = new Uint8Array(0);
    s.on('data', (d: Buffer) => {
      const all = new Uint8Array(buf.length + d.length);
      all.set(buf); all.set(d, buf.length);
      const { messages, rest } = splitStream(all);
      for (const m of messages) state.records += dec.decode(m).records.length;
      buf = rest.slice();
    });
    s.on('close', () => state.sockets.delete(s));
    s.on('error', () => {});
  });
  await tcpListen(server, port);
  return {
    get records() { return state.records; },
    async stop() {
      server.close();
      // Half-close: the exporter sees our FIN, finishes its side; we read to the end.
      for (const s of state.sockets) s.end();
      for (let k = 0; k < 100 && state.sockets.size > 0; k++) await sleep(20);
      for (const s of state.sockets) s.destroy();
    },
  };
}

test('TCP: collector absent at start, then restarting: received >= exported - lost', async () => {
  const port = await freeTcpPort();
  const x = new IpfixExporter({ collector: `tcp://127.0.0.1:${port}`, domain: 3, queueMessages: 64, queueWaitMs: 1 });
  let i = 0;
  const send = async (n: number): Promise<void> => {
    for (let k = 0; k < n; k++, i++) { x.exportFlow(rec(i)); if (i % 20 === 19) { x.flush(); await sleep(1); } }
  };
  await send(2000); // nobody listens: 64 messages wait, the rest is dropped and counted
  const c1 = await tcpCollector(port);
  await sleep(300);
  await send(500);
  await sleep(200);
  const r1 = c1.records;
  await c1.stop();
  await sleep(50);
  const c2 = await tcpCollector(port);
  await send(500);
  const st = x.close();
  await sleep(100);
  const received = r1 + c2.records;
  await c2.stop();
  console.log(`  TCP: exported ${st.records}, received ${received}, counted lost ${st.lostRecords}, connects ${st.connects}`);
  assert.ok(st.lostRecords > 0);
  assert.ok(st.connects >= 2, 'reconnected');
  assert.ok(received >= st.records - st.lostRecords, JSON.stringify(st));
  assert.ok(received <= st.records);
});

test.after(() => { rmSync(tmp, { recursive: true, force: true }); });

test.run();
