// IPFIX export against a real collector: nfcapd listens on loopback, every corpus
// capture's flows go out through the library path (createIpfixStage fed the way the
// sniffer feeds it, one observation domain per capture), and nfdump's reading of what
// nfcapd stored must equal pktwasm's own `--flows --json` records: per direction
// (uniflow) addresses, ports, protocol, packets, octets (IP lengths, as exporters count
// them) and the OR of TCP flags. A few captures also go through `sniff.js --ipfix`.
// These check the export path (encoding, transport, the collector's reading) against
// pktwasm's own flow table; the independent check of the flows themselves is
// ipfix-softflowd.test.ts (softflowd on every capture it reads, exactly).
//
// Flows are compared summed per directional key (src, dst, sport, dport, proto): the
// export runs with a one-hour idle timeout while --flows uses the table's per-state
// defaults, so a quiet UDP flow may be one record on one side and two on the other; the
// RFC counts deltas, and the sums must agree exactly. ICMP records carry type/code in
// icmpTypeCode (ports 0), so ICMP keys drop the ports.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createEngine, type Engine } from '../host/engine/engine.js';
import { FlowTable, type FlowRecord } from '../host/flows/flow-table.js';
import { feedCapture, feedFlowTable } from './lib/feed-capture.js';
import { allFlows, flowJson } from '../host/flows/conversations.js';
import { createIpfixStage } from '../host/ipfix/stage.js';
import { corpusCaptures, haveTool } from './lib/env.js';
import { runNode } from './lib/run-tool.js';
import { readExporters, readNfdump, startNfcapdOnFreePort, type NfRow } from './ipfix-tools.js';

const captures = corpusCaptures();
const haveTools = captures.length > 0 && haveTool('nfcapd', '-V') && haveTool('nfdump', '-V');

const PROTO: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58, ipv6icmp: 58, icmp6: 58, gre: 47, esp: 50, sctp: 132, igmp: 2, ospf: 89, pim: 103, ah: 51, rsvp: 46, ipip: 4, ipv6: 41 };
const FLAG_BITS = 'CEUAPRSF';

function protoNumber(name: string): number {
  const k = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return PROTO[k] ?? Number(name);
}

function flagsOf(s: string): number {
  let v = 0;
  for (let i = 0; i < 8; i++) if (s[i] !== undefined && s[i] !== '.') v |= 1 << (7 - FLAG_BITS.indexOf(s[i]));
  return v & 0xFF;
}

interface Sum { pkt: number; byt: number; flg: number }

function add(m: Map<string, Sum>, key: string, pkt: number, byt: number, flg: number): void {
  const s = m.get(key);
  if (s === undefined) m.set(key, { pkt, byt, flg });
  else { s.pkt += pkt; s.byt += byt; s.flg |= flg; }
}

function key(sa: string, da: string, sp: number, dp: number, proto: number): string {
  const icmp = proto === 1 || proto === 58;
  return `${proto} ${sa}:${icmp ? '' : sp} > ${da}:${icmp ? '' : dp}`;
}

/** Directional sums of the --flows --json records. */
function fromJson(records: FlowRecord[]): Map<string, Sum> {
  const m = new Map<string, Sum>();
  for (const r of records) {
    const f = flowJson(r).flow as { proto: string; a: { addr: string; port: number }; b: { addr: string; port: number };
      a_to_b: { frames: number; ip_bytes: number; tcp_flags?: number }; b_to_a: { frames: number; ip_bytes: number; tcp_flags?: number }; no_ports?: boolean };
    const p = protoNumber(f.proto);
    const sp = f.no_ports ? 0 : f.a.port;
    const dp = f.no_ports ? 0 : f.b.port;
    if (f.a_to_b.frames > 0) add(m, key(f.a.addr, f.b.addr, sp, dp, p), f.a_to_b.frames, f.a_to_b.ip_bytes, f.a_to_b.tcp_flags ?? 0);
    if (f.b_to_a.frames > 0) add(m, key(f.b.addr, f.a.addr, dp, sp, p), f.b_to_a.frames, f.b_to_a.ip_bytes, f.b_to_a.tcp_flags ?? 0);
  }
  return m;
}

function fromNfdump(rows: NfRow[]): Map<string, Sum> {
  const m = new Map<string, Sum>();
  for (const r of rows) add(m, key(r.sa, r.da, r.sp, r.dp, protoNumber(r.pr)), r.pkt, r.byt, flagsOf(r.flg));
  return m;
}

/** What `sniff -r FILE --flows --json` prints, computed in-process (same table, same
 *  records; tunnels' inner packets counted as flows of their own, as both stages do). */
function jsonFlows(engine: Engine, file: string): FlowRecord[] | null {
  const table = new FlowTable(engine, { capacity: 4096, keepEnded: true });
  if (!feedFlowTable(engine, file, table)) return null; // tunnels' inner flows too, as the stage counts them
  return allFlows(table);
}

function diff(a: Map<string, Sum>, b: Map<string, Sum>): string[] {
  const out: string[] = [];
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined) out.push(`missing ${k}`);
    else if (w.pkt !== v.pkt || w.byt !== v.byt || w.flg !== v.flg) out.push(`${k}: ours ${JSON.stringify(v)} theirs ${JSON.stringify(w)}`);
  }
  for (const k of b.keys()) if (!a.has(k)) out.push(`extra ${k}`);
  return out;
}

const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-ipfix-'));

test('every corpus capture through the library stage into nfcapd: nfdump equals --flows --json', async () => {
  if (!haveTools) return;
  const engine = createEngine({ backend: 'wasm' });
  const dir = join(tmp, 'lib');
  rmSync(dir, { recursive: true, force: true });
  (await import('node:fs')).mkdirSync(dir);
  const nf = await startNfcapdOnFreePort(dir);
  const port = nf.port;
  const expected = new Map<number, { file: string; sums: Map<string, Sum> }>();
  let lost = 0;
  try {
    let domain = 0;
    for (const file of captures) {
      const recs = jsonFlows(engine, file);
      if (recs === null || recs.length === 0) continue;
      domain++;
      const stage = createIpfixStage(engine, { collector: `127.0.0.1:${port}`, domain, activeTimeout: 0, idleTimeout: 3600 });
      feedCapture(engine, file, (b) => stage.process(b, 0, { firstRecord: 1, firstMatch: 1, filtered: false }));
      stage.finish();
      const st = stage.stats();
      lost += st.lostRecords;
      expected.set(domain, { file, sums: fromJson(recs) });
    }
  } finally {
    await nf.stop();
  }
  assert.is(lost, 0, 'nothing counted lost on a live collector');
  const rows = readNfdump(dir);
  const exporters = readExporters(dir);
  const byDomain = new Map<number, NfRow[]>();
  for (const r of rows) {
    const d = exporters.get(r.exp)?.domain ?? -1;
    byDomain.set(d, [...(byDomain.get(d) ?? []), r]);
  }
  let compared = 0;
  for (const [domain, { file, sums }] of expected) {
    const problems = diff(sums, fromNfdump(byDomain.get(domain) ?? []));
    assert.equal(problems, [], `${basename(file)} (domain ${domain})`);
    compared += sums.size;
  }
  for (const e of exporters.values()) assert.is(e.seqFailures, 0, 'no sequence gaps');
  console.log(`  ${expected.size} captures, ${compared} directional flows equal in nfdump`);
  assert.ok(expected.size >= 20);
});

const SAMPLE = ['ssh.pcap', 'dns_tcp.pcap', 'quic_handshake.pcap', 'icmpv6.pcap', 'LINKTYPE_IPV6.pcap', 'tfo-5c1fa7f9ae91.pcap'];

test('sniff.js -r FILE --ipfix into nfcapd equals sniff.js --flows --json', async () => {
  if (!haveTools) return;
  const files = captures.filter((f) => SAMPLE.includes(basename(f)));
  for (const file of files) {
    const dir = join(tmp, `sniff-${basename(file)}`);
    (await import('node:fs')).mkdirSync(dir, { recursive: true });
    const nf = await startNfcapdOnFreePort(dir);
    const port = nf.port;
    let r;
    try {
      r = runNode('sniff', ['-r', file, '--ipfix', `127.0.0.1:${port}`, '--ipfix-domain', '9', '--idle-timeout', '3600']);
    } finally {
      await nf.stop();
    }
    assert.is(r.status, 0, r.stderr);
    const j = runNode('sniff', ['-r', file, '--flows', '--json']);
    assert.is(j.status, 0, j.stderr);
    const recs = j.stdout.split('\n').filter((l) => l.startsWith('{"flow"')).map((l) => (JSON.parse(l) as { flow: unknown }).flow);
    // The JSON lines are flowJson's shape: rebuild sums from them directly.
    const sums = new Map<string, Sum>();
    for (const f0 of recs) {
      const f = f0 as { proto: string; a: { addr: string; port: number }; b: { addr: string; port: number }; no_ports?: boolean;
        a_to_b: { frames: number; ip_bytes: number; tcp_flags?: number }; b_to_a: { frames: number; ip_bytes: number; tcp_flags?: number } };
      const p = protoNumber(f.proto);
      if (f.a_to_b.frames > 0) add(sums, key(f.a.addr, f.b.addr, f.a.port, f.b.port, p), f.a_to_b.frames, f.a_to_b.ip_bytes, f.a_to_b.tcp_flags ?? 0);
      if (f.b_to_a.frames > 0) add(sums, key(f.b.addr, f.a.addr, f.b.port, f.a.port, p), f.b_to_a.frames, f.b_to_a.ip_bytes, f.b_to_a.tcp_flags ?? 0);
    }
    assert.ok(sums.size > 0, basename(file));
    const stored = readNfdump(dir);
    assert.equal(diff(sums, fromNfdump(stored)), [], basename(file));
    // The exit summary (issue #19) tells what the collector got: every flow, every record.
    const said = /^ipfix: (\d+) flows, (\d+) records in (\d+) messages to \S+: (\d+) records sent, (\d+) octets .*, 0 records lost$/m.exec(r.stderr);
    assert.ok(said, `${basename(file)}: exit summary in ${JSON.stringify(r.stderr)}`);
    assert.is(Number(said[1]), recs.length, `${basename(file)}: flows in the summary`);
    assert.is(Number(said[2]), stored.length, `${basename(file)}: records in the summary = records nfcapd stored`);
    assert.is(Number(said[4]), stored.length, `${basename(file)}: records sent`);
    const ex = [...readExporters(dir).values()];
    assert.is(ex.length, 1);
    assert.is(ex[0].domain, 9);
  }
});

test.after(() => { rmSync(tmp, { recursive: true, force: true }); });

test.run();
