// pktwasm's IPFIX export against an independent exporter, softflowd 1.1.0, on every corpus
// capture softflowd can read. Both export into their own nfcapd; nfdump reads both; the
// flows must be equal per directional key — protocol, addresses, ports (ICMP type.code,
// which softflowd puts in the destination port and pktwasm in icmpTypeCode, nfdump shows
// both the same way) — in packets, octets and the OR of TCP flags, exactly. Records are
// summed per key: both sides may end a flow at different times (timeouts), and IPFIX
// counts are deltas, so the sums must agree.
//
// Where the two legitimately differ, the rule is code, never a tolerance:
//  - octets, link layers, BSD address families, refused pcapng: softflowd's input is built
//    by ipfix-softflowd-input.ts (its header gives each rule and its reason); the octets
//    rule is proven on every capture by a second softflowd run on the unchanged lengths,
//    which must count exactly the per-category sums computed from the frames;
//  - IPv6 packets whose extension-header walk stops before a transport header (a
//    non-first fragment, or a hop-by-hop/routing/destination header cut short by the
//    capture): softflowd leaves the protocol at 0 (ipv6_to_flowrec() returns before it
//    sets flow->protocol); pktwasm reports the header where the walk stopped (44, 43, 0).
//    The input model records that header from the frames; softflowd's IPv6 protocol 0 is
//    compared as it.
// softflowd's own statistics (packets processed, ignored as non-IP or too short) must
// match the model of what it counts. Packets pktwasm knowingly counts wrong are listed in
// KNOWN_GAPS with their owner issue; an entry that no longer differs fails.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { createEngine, type Engine } from '../host/engine/engine.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { createIpfixStage } from '../host/ipfix/stage.js';
import { corpusCaptures, corpusDir, haveTool } from './lib/env.js';
import { readExporters, runSoftflowd, startNfcapdOnFreePort } from './ipfix-tools.js';
import { softflowdView } from './ipfix-softflowd-input.js';

const captures = corpusCaptures();
const haveTools = captures.length > 0 && haveTool('nfcapd', '-V') && haveTool('nfdump', '-V') && haveTool('softflowd', '-h')
  && haveTool('editcap', '-h') && haveTool('tshark');

/** softflowd against RFC 8200, tshark and tcpdump (see WHY_ICMP6_EMPTY). */
const WHY_ICMP6_EMPTY = "softflowd reads an ICMPv6 type (136) out of the Ethernet trailer past an IPv6 payload length of 0; RFC 8200 section 3 makes that payload empty, tshark shows no icmpv6.type and tcpdump prints 'ICMP6, length 0 (invalid)', as pktwasm keys it (type/code 0)";

/** Flows pktwasm knowingly counts differently, with the owner issue. */
const KNOWN_GAPS: Array<{ file: string; key: string; ours: string; theirs: string; owner: string; why: string }> = [
  { file: 'icmpv6-length-zero.pcapng', key: '58 fe80::25a:28ff:fe08:f150.0 > 6e02::41.0.0', ours: '1 40 ........', theirs: 'none', owner: '#15', why: WHY_ICMP6_EMPTY },
  { file: 'icmpv6-length-zero.pcapng', key: '58 fe80::25a:28ff:fe08:f150.0 > 6e02::41.136.0', ours: 'none', theirs: '1 40 ........', owner: '#15', why: WHY_ICMP6_EMPTY },
];

interface Sum { pkt: number; byt: number; flg: string }

function orFlags(a: string, b: string): string {
  let out = '';
  for (let i = 0; i < Math.max(a.length, b.length); i++) out += a[i] !== undefined && a[i] !== '.' ? a[i] : (b[i] ?? '.');
  return out;
}

interface Flows { sums: Map<string, Sum>; rows: number }

/** Every flow nfcapd stored in `dir`, summed per directional key, per exporter (nfcapd's
 *  SysID); `rows` counts records. `stops` renames softflowd's IPv6 protocol 0 (see the
 *  header). */
function readFlows(dir: string, stops?: Map<number, number>): Map<number, Flows> {
  const out = new Map<number, Flows>();
  for (const f of readdirSync(dir).filter((n) => /^nfcapd\.\d+$/.test(n))) {
    const r = spawnSync('nfdump', ['-r', join(dir, f), '-q', '-N', '-6', '-o', 'fmt:%exp|%pr|%sa|%sp|%da|%dp|%flg|%pkt|%byt'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    for (const line of r.stdout.split('\n')) {
      const c = line.split('|').map((x) => x.trim());
      if (c.length < 9) continue;
      const exp = Number(c[0]);
      const flows = out.get(exp) ?? { sums: new Map<string, Sum>(), rows: 0 };
      out.set(exp, flows);
      flows.rows++;
      let pr = c[1];
      if (stops !== undefined && pr === '0' && c[2].includes(':')) pr = String(soleStop(stops, dir));
      const key = `${pr} ${c[2]}.${c[3]} > ${c[4]}.${c[5]}`;
      const s = flows.sums.get(key);
      const pkt = Number(c[7]);
      const byt = Number(c[8]);
      if (s === undefined) flows.sums.set(key, { pkt, byt, flg: c[6] });
      else { s.pkt += pkt; s.byt += byt; s.flg = orFlags(s.flg, c[6]); }
    }
  }
  return out;
}

/** The flows of a collector that heard one exporter (softflowd). */
function onlyExporter(dir: string, stops: Map<number, number>): Flows {
  const all = [...readFlows(dir, stops).values()];
  if (all.length > 1) throw new Error(`${dir}: ${all.length} exporters`);
  return all[0] ?? { sums: new Map(), rows: 0 };
}

/** The one header where softflowd's IPv6 walk stopped in this capture (the rename needs
 *  per-address attribution as soon as a capture has two kinds: fail loudly then). */
function soleStop(stops: Map<number, number>, what: string): number {
  if (stops.size !== 1) throw new Error(`${what}: IPv6 walks stop at headers ${[...stops.keys()].join(', ')}: attribute them per address`);
  return [...stops.keys()][0];
}

/** Resolves once nothing waits in the receive queue of the UDP socket bound to `port`
 *  (/proc/net/udp): nfcapd has read every datagram, so stopping it loses none. */
async function drained(port: number): Promise<void> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (let i = 0; i < 200; i++) {
    let queued = 0;
    for (const f of ['/proc/net/udp', '/proc/net/udp6']) {
      let text = '';
      try { text = readFileSync(f, 'utf8'); } catch { continue; }
      for (const line of text.split('\n').slice(1)) {
        const c = line.trim().split(/\s+/);
        if (c.length > 4 && c[1].endsWith(`:${hex}`)) queued += parseInt(c[4].split(':')[1], 16);
      }
    }
    if (queued === 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nfcapd on port ${port} did not drain its socket`);
}

function total(m: Map<string, Sum>): { pkt: number; byt: number } {
  let pkt = 0;
  let byt = 0;
  for (const s of m.values()) { pkt += s.pkt; byt += s.byt; }
  return { pkt, byt };
}

const show = (s: Sum | undefined): string => (s === undefined ? 'none' : `${s.pkt} ${s.byt} ${s.flg}`);

/** pktwasm's library IPFIX stage over each capture, as the sniffer feeds it, into one
 *  nfcapd: observation domain k + 1 for captures[k]. Stages run eight at a time (each
 *  has its sender worker; finish() waits for it). Returns the flows and the records sent
 *  per capture index. Tunnels' inner flows stay out (inner: false): softflowd counts the
 *  outer packets only. */
async function exportWithPktwasm(engine: Engine, files: string[], dir: string): Promise<Map<number, Flows & { sent: number }>> {
  mkdirSync(dir, { recursive: true });
  const nf = await startNfcapdOnFreePort(dir);
  const sent = new Map<number, number>();
  try {
    for (let g = 0; g < files.length; g += 8) {
      const group = files.slice(g, g + 8).map((file, i) => ({ file, k: g + i, stage: createIpfixStage(engine, { collector: `127.0.0.1:${nf.port}`, domain: g + i + 1, activeTimeout: 0, idleTimeout: 3600, inner: false }) }));
      for (const { file, stage } of group) {
        const cap = readCaptureFile(file);
        const batch = engine.createBatch(64, 64 * 70000);
        const flush = (): void => { engine.dissect(batch); stage.process(batch, 0, { firstRecord: 1, firstMatch: 1, filtered: false }); batch.clear(); };
        for (const r of cap.records) {
          if (!batch.push(r.data, r.linktype, r.wirelen)) { flush(); batch.push(r.data, r.linktype, r.wirelen); }
          batch.setTime(batch.count - 1, r.tsSec, r.tsNsec);
        }
        flush();
      }
      for (const { file, k, stage } of group) {
        stage.finish();
        assert.is(stage.stats().lostRecords, 0, `${file}: nothing lost on a live collector`);
        sent.set(k, stage.stats().sentRecords);
      }
    }
    await drained(nf.port);
  } finally {
    await nf.stop();
  }
  const bySysId = readFlows(dir);
  const out = new Map<number, Flows & { sent: number }>();
  for (const [sysId, e] of readExporters(dir)) {
    const f = bySysId.get(sysId);
    if (f !== undefined) out.set(e.domain - 1, { ...f, sent: 0 });
  }
  for (const [k, n] of sent) {
    const f = out.get(k) ?? { sums: new Map<string, Sum>(), rows: 0, sent: 0 };
    f.sent = n;
    out.set(k, f);
  }
  return out;
}

/** softflowd over each copy into one nfcapd; its statistics summed. */
async function exportWithSoftflowd(copies: string[], dir: string, tmp: string): Promise<{ processed: number; nonIp: number; short: number; records: number }> {
  mkdirSync(dir, { recursive: true });
  const nf = await startNfcapdOnFreePort(dir);
  const st = { processed: 0, nonIp: 0, short: 0, records: 0 };
  try {
    for (const copy of copies) {
      const out = await runSoftflowd(copy, nf.port, tmp, ['-6']);
      assert.ok(out.includes('Shutting down after pcap EOF'), `softflowd read ${copy} to its end: ${out}`);
      st.processed += Number(/Packets processed: (\d+)/.exec(out)?.[1] ?? NaN);
      const ig = /Ignored packets: \d+ \((\d+) non-IP, (\d+) too short\)/.exec(out);
      st.nonIp += Number(ig?.[1] ?? NaN);
      st.short += Number(ig?.[2] ?? NaN);
      st.records += Number(/Flows exported: \d+ \((\d+) records\)/.exec(out)?.[1] ?? NaN);
    }
    await drained(nf.port);
  } finally {
    await nf.stop();
  }
  return st;
}

const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-softflowd-'));

interface Outcome {
  name: string;
  unreadable: string;
  problems: string[];
  gaps: string[];
  differences: Map<string, { packets: number; octets: number }>;
  flows: number;
  packets: number;
  octets: number;
}

/** One capture: softflowd on its copies, pktwasm on the capture itself, compared. */
async function compareCapture(file: string, n: number, pw: Flows & { sent: number }): Promise<Outcome> {
  const name = relative(corpusDir() ?? '', file);
  const view = softflowdView(file);
  const out: Outcome = { name, unreadable: view.unreadable, problems: [], gaps: [], differences: view.differences, flows: 0, packets: 0, octets: 0 };
  const problems = out.problems;
  if (view.unreadable !== '') {
    // softflowd must say so itself.
    const r = spawnSync('softflowd', ['-d', '-r', file, '-n', '127.0.0.1:9', '-c', join(tmp, `${n}.ctl`), '-p', join(tmp, `${n}.pid`)], { encoding: 'utf8', timeout: 10_000 });
    const said = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    if (!said.includes(`Unsupported datalink type ${view.linktype}`)) problems.push(`${name}: expected softflowd to refuse link type ${view.linktype}, it said: ${said.trim()}`);
    return out;
  }
  const sfLen = await exportWithSoftflowd(view.rewritten, join(tmp, `${n}-sf-len`), tmp);
  // The copy with the original lengths differs only where the lengths were changed.
  const sfOrig = view.differences.size > 0 ? await exportWithSoftflowd(view.original, join(tmp, `${n}-sf-orig`), tmp) : null;
  const t0 = onlyExporter(join(tmp, `${n}-sf-len`), view.ipv6Stops);
  const o0 = sfOrig === null ? t0 : onlyExporter(join(tmp, `${n}-sf-orig`), view.ipv6Stops);
  // Every record sent reached nfdump (a lost datagram would pass as a missing flow).
  if (t0.rows !== sfLen.records || o0.rows !== (sfOrig ?? sfLen).records || pw.rows !== pw.sent) {
    problems.push(`${name}: records sent/read: softflowd ${sfLen.records}/${t0.rows} and ${(sfOrig ?? sfLen).records}/${o0.rows}, pktwasm ${pw.sent}/${pw.rows}`);
  }
  const theirs = t0.sums;
  const ours = pw.sums;

  // softflowd counts what the model says it counts, and its octets differ from the IP
  // lengths by exactly the computed sums.
  if (sfLen.processed - sfLen.short !== view.counted || sfLen.nonIp + sfLen.processed !== view.counted + view.ignored) {
    problems.push(`${name}: softflowd processed ${sfLen.processed} (${sfLen.short} too short, ${sfLen.nonIp} non-IP), the model counts ${view.counted} of ${view.counted + view.ignored}`);
  }
  const to = total(o0.sums);
  const tl = total(theirs);
  if (to.pkt !== view.counted || tl.pkt !== view.counted) problems.push(`${name}: softflowd exported ${to.pkt}/${tl.pkt} packets, the model counts ${view.counted}`);
  if (to.byt !== view.recordOctets) problems.push(`${name}: softflowd counted ${to.byt} octets on the original lengths, record lengths minus link headers sum to ${view.recordOctets}`);
  if (tl.byt !== view.ipOctets) problems.push(`${name}: softflowd counted ${tl.byt} octets on the rewritten lengths, IP lengths sum to ${view.ipOctets}`);

  // pktwasm against softflowd, key by key.
  for (const key of new Set([...ours.keys(), ...theirs.keys()])) {
    const o = ours.get(key);
    const t = theirs.get(key);
    if (o !== undefined && t !== undefined && o.pkt === t.pkt && o.byt === t.byt && o.flg === t.flg) {
      out.flows++;
      out.packets += o.pkt;
      out.octets += o.byt;
      continue;
    }
    const gap = KNOWN_GAPS.find((g) => g.file === basename(file) && g.key === key && g.ours === show(o) && g.theirs === show(t));
    if (gap !== undefined) { out.gaps.push(`${gap.file} ${gap.key}`); continue; }
    problems.push(`${name} ${key}: pktwasm ${show(o)}, softflowd ${show(t)}`);
  }
  return out;
}

/** softflowd runs four captures at a time: it and nfcapd mostly wait. */
const PARALLEL = 4;

test('pktwasm IPFIX equals softflowd on every corpus capture softflowd reads', async () => {
  if (!haveTools) return;
  const engine = createEngine({ backend: 'wasm' });
  const t0 = Date.now();
  const pktwasm = await exportWithPktwasm(engine, captures, join(tmp, 'pktwasm'));
  const t1 = Date.now();
  const outcomes: Outcome[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    while (next < captures.length) {
      const k = next++;
      outcomes[k] = await compareCapture(captures[k], k, pktwasm.get(k) ?? { sums: new Map(), rows: 0, sent: 0 });
    }
  }));
  const readable = outcomes.filter((o) => o.unreadable === '');
  const problems = outcomes.flatMap((o) => o.problems);
  const gapsSeen = new Set(outcomes.flatMap((o) => o.gaps));
  const why = new Map<string, { packets: number; octets: number }>();
  for (const o of readable) {
    for (const [k, d] of o.differences) {
      const w = why.get(k) ?? { packets: 0, octets: 0 };
      w.packets += d.packets;
      w.octets += d.octets;
      why.set(k, w);
    }
  }
  const sum = (k: 'flows' | 'packets' | 'octets'): number => readable.reduce((a, o) => a + o[k], 0);
  const stale = KNOWN_GAPS.filter((g) => !gapsSeen.has(`${g.file} ${g.key}`)).map((g) => `${g.file} ${g.key} (${g.owner})`);
  console.log(`\nNOTE softflowd: ${readable.length} captures compared, ${sum('flows')} directional flows equal (${sum('packets')} packets, ${sum('octets')} octets); `
    + `known gaps ${gapsSeen.size}; not readable by softflowd: ${outcomes.length - readable.length} (pktwasm ${t1 - t0} ms, softflowd ${Date.now() - t1} ms)`);
  for (const [k, d] of why) console.log(`  softflowd counts ${d.octets > 0 ? '+' : ''}${d.octets} octets over ${d.packets} packets: ${k}`);
  for (const o of outcomes) if (o.unreadable !== '') console.log(`  not readable: ${o.name} (${o.unreadable})`);
  for (const g of KNOWN_GAPS) console.log(`  gap ${g.owner}: ${g.file}: ${g.why}`);
  for (const p of problems.slice(0, 20)) console.log(`  PROBLEM ${p}`);
  assert.equal(problems, [], 'pktwasm and softflowd differ');
  assert.equal(stale, [], 'known gaps that no longer occur');
  assert.ok(readable.length >= 60 && sum('flows') > 0, `captures compared: ${readable.length}`);
});

test.after(() => { rmSync(tmp, { recursive: true, force: true }); });

test.run();
