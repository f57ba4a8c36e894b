// Quirks of libpcap's code generation that a "correct" compiler would not reproduce, with
// tcpdump as the oracle. The one here (issue #15 item 7): an arithmetic expression that
// loads from two protocols. libpcap's gen_arth() returns its left operand with only that
// operand's protocol checks, so `ip[2:2] - ((tcp[12]&0xf0)>>2) > 0` tests for IPv4 and
// never for TCP, and `len - tcp[0] > 0` tests for nothing at all; gen_relation() keeps the
// checks of both sides of the comparison. Compared on crafted frames (TCP, UDP, ICMP,
// fragments, ARP, IPv6) cut at every length, on the corpus captures, and on the shape of
// the program: the constant protocol tests `tcpdump -d` prints are ours.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import { compileProgram, FilterError } from '../host/filter/index.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import type { Program } from '../host/filter/cfg.js';
import { matchesOnBothBackends, type BackendMatches } from './lib/filter-matches.js';
import { corpusCaptures, corpusDir, haveTool } from './lib/env.js';
import { buildSampleFrames } from './lib/sample-frames.js';
import { pool, runTcpdump, writePcap } from './filter-oracle.js';

const LINKTYPE_ETHERNET = 1;

/** Each loads from two protocols inside arithmetic (or from one, next to len / a constant). */
const EXPRESSIONS = [
  'ip and ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2) > 0',
  'ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2) > 0',
  'tcp[0] + udp[0] > 0',
  'udp[0] + tcp[0] > 0',
  'ip[0] - tcp[0] > 0',
  'tcp[0] - ip[0] > 0',
  'len - tcp[0] > 0',
  'len - tcp[0] - udp[0] > 1000',
  '1 + udp[2:2] = 54',
  '-tcp[13] != 0',
  'icmp[0] * udp[0] = 0',
  'ip6[6] + tcp[13] > 0',
  'arp[7] + ip[9] > 0',
  'ip[tcp[0] - udp[0]] = 0x45',
  '(udp[4:2] & 0) + tcp[0] = 0',
  'tcp[0] + udp[0] > 0 or arp',
  'not tcp[0] + udp[0] > 0',
  'ip[2:2] - tcp[12] > ip[0] - udp[0]',
  'tcp[0] = udp[0]',
];

const tcpdumpOk = haveTool('tcpdump');
const eng = createEngine();
const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-filter-quirks-'));

interface Frame { data: Uint8Array; wirelen: number; origin: string }

const be16 = (v: number): number[] => [(v >>> 8) & 255, v & 255];
const fill = (n: number): number[] => Array.from({ length: n }, (_, i) => (i * 13 + 5) & 255);

/** Ethernet + IPv4 with the given protocol, fragment word and header length (no checksums:
 *  filters never read them). */
function v4(proto: number, l4: number[], frag = 0, ihl = 5, vlan = false): Uint8Array {
  const opts = ihl > 5 ? new Array<number>((ihl - 5) * 4).fill(1) : [];
  const ip = [0x40 | ihl, 0, ...be16(20 + opts.length + l4.length), 0, 1, ...be16(frag), 64, proto, 0, 0,
    10, 0, 0, 1, 10, 0, 0, 2, ...opts, ...l4];
  const tag = vlan ? [0x81, 0x00, 0x00, 0x0b] : [];
  return Uint8Array.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, ...tag, 0x08, 0x00, ...ip]);
}

const tcpHdr = (flags: number): number[] => [...be16(40000), ...be16(443), 0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, ...be16(512), 0, 0, 0, 0];
const udpHdr = (n: number): number[] => [...be16(5353), ...be16(53), ...be16(8 + n), 0, 0, ...fill(n)];

function crafted(): Frame[] {
  const mk = (origin: string, d: Uint8Array): Frame => ({ data: d, wirelen: d.length, origin });
  const out: Frame[] = [
    mk('tcp syn', v4(6, tcpHdr(0x02))),
    mk('tcp with data', v4(6, [...tcpHdr(0x18), ...fill(30)])),
    mk('udp', v4(17, udpHdr(20))),
    mk('udp with ip options', v4(17, udpHdr(4), 0, 7)),
    mk('icmp echo', v4(1, [8, 0, 0, 0, 0, 1, 0, 1, ...fill(24)])),
    mk('igmp', v4(2, [0x16, 0, 0, 0, 224, 0, 0, 251])),
    mk('tcp first fragment', v4(6, [...tcpHdr(0x10), ...fill(8)], 0x2000)),
    mk('tcp later fragment', v4(6, fill(40), 0x0000 | 3)),
    mk('udp later fragment', v4(17, fill(40), 0x2000 | 185)),
    mk('bogus ihl 2 udp', v4(17, udpHdr(12), 0, 2)),
    mk('vlan tcp', v4(6, tcpHdr(0x02), 0, 5, true)),
  ];
  for (const s of buildSampleFrames()) {
    if (s.linktype === LINKTYPE_ETHERNET) out.push(mk(`sample ${s.name}`, s.data));
  }
  return out;
}

/** Every cut of each frame up to 80 bytes: where a load runs decides the answer. */
function everyCut(frames: Frame[]): Frame[] {
  const out: Frame[] = [];
  for (const f of frames) {
    for (let len = 0; len < Math.min(f.data.length, 80); len++) {
      out.push({ data: f.data.slice(0, len), wirelen: f.wirelen, origin: `${f.origin} cut to ${len}` });
    }
  }
  return out;
}

function ours(expr: string, frames: Frame[]): BackendMatches | FilterError {
  return matchesOnBothBackends(eng, expr, LINKTYPE_ETHERNET, frames);
}

/** tcpdump -r on these frames for every expression; returns how many matched anything. */
async function agree(label: string, frames: Frame[]): Promise<number> {
  const file = join(tmp, `${label.replace(/\W+/g, '_')}.pcap`);
  writePcap(file, LINKTYPE_ETHERNET, frames);
  const oracle = await pool(EXPRESSIONS.map((e) => () => runTcpdump(file, e, frames)), 2);
  let nonEmpty = 0;
  EXPRESSIONS.forEach((expr, i) => {
    const o = oracle[i];
    const r = ours(expr, frames);
    if (r instanceof FilterError) {
      assert.ok(o.rejected, `${label}: we reject "${expr}" (${r.message}) but tcpdump accepts it`);
      return;
    }
    assert.not.ok(o.rejected, `${label}: tcpdump rejects "${expr}" (${o.error}) but we accept it`);
    assert.equal([...r.wasm], [...r.ts], `${label} "${expr}": WASM and TS twin differ`);
    const only = (x: Set<number>, y: Set<number>): string[] => [...x].filter((n) => !y.has(n)).slice(0, 4).map((n) => frames[n - 1].origin);
    assert.equal([...r.wasm].sort((a, b) => a - b), [...o.matched].sort((a, b) => a - b),
      `${label} "${expr}": ours only [${only(r.wasm, o.matched).join('; ')}], tcpdump only [${only(o.matched, r.wasm).join('; ')}]`);
    if (o.matched.size > 0) nonEmpty++;
  });
  return nonEmpty;
}

test('crafted TCP/UDP/ICMP/fragment/ARP/IPv6 frames and every cut of them agree with tcpdump -r', async () => {
  if (!tcpdumpOk) return;
  const whole = crafted();
  const frames = [...whole, ...everyCut(whole)];
  const nonEmpty = await agree('crafted', frames);
  // The quirk is visible: the headline expression matches UDP and ICMP frames in tcpdump.
  const r = ours(EXPRESSIONS[0], whole);
  assert.ok(!(r instanceof FilterError), 'the headline expression compiles');
  const names = [...(r as { wasm: Set<number> }).wasm].map((n) => whole[n - 1].origin);
  assert.ok(names.includes('udp') && names.includes('icmp echo'), `non-TCP frames match: ${names.join(', ')}`);
  console.log(`NOTE quirks: ${frames.length} crafted frames, ${EXPRESSIONS.length} expressions, ${nonEmpty} matched some frame`);
});

test('corpus Ethernet captures agree with tcpdump -r', async () => {
  if (!tcpdumpOk) return;
  const root = corpusDir() ?? '';
  const frames: Frame[] = [];
  for (const path of corpusCaptures()) {
    const r = readCaptureFile(path);
    if (r.error !== null || r.records.length === 0 || r.records[0].linktype !== LINKTYPE_ETHERNET) continue;
    if (r.info.format === 'pcapng' && r.info.interfaces.length > 1) continue;
    for (const rec of r.records) {
      if (rec.linktype !== LINKTYPE_ETHERNET) break;
      frames.push({ data: rec.data.slice(), wirelen: rec.wirelen, origin: `${relative(root, path)}#${rec.number}` });
    }
  }
  if (frames.length === 0) return; // corpusCaptures() said SKIP (or threw in CI)
  const nonEmpty = await agree('corpus', frames);
  assert.ok(nonEmpty >= EXPRESSIONS.length / 2, `${nonEmpty} expressions matched corpus frames`);
  console.log(`NOTE quirks: ${frames.length} corpus Ethernet frames`);
});

/** Tests of a constant against an absolute load ("ldh [12]; jeq #0x800"): the protocol checks. */
function tcpdumpChecks(expr: string): string[] {
  const r = spawnSync('tcpdump', ['-y', 'EN10MB', '-d', '--', expr], { encoding: 'utf8' });
  assert.is(r.status, 0, `tcpdump -d "${expr}": ${r.stderr}`);
  const lines = r.stdout.trim().split('\n').map((l) => l.replace(/^\(\d+\)\s+/, ''));
  const size: Record<string, number> = { ld: 4, ldh: 2, ldb: 1 };
  const out: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const ld = /^(ld|ldh|ldb)\s+\[(\d+)\]$/.exec(lines[i - 1]);
    const j = /^(jeq|jgt|jge|jset)\s+#0x([0-9a-f]+)/.exec(lines[i]);
    if (ld === null || j === null) continue;
    const op = { jeq: 'eq', jgt: 'gt', jge: 'ge', jset: 'set' }[j[1]];
    out.push(`[${ld[2]}:${size[ld[1]]}] ${op} #${parseInt(j[2], 16)}`);
  }
  return [...new Set(out)].sort();
}

function ourChecks(p: Program): string[] {
  return [...new Set(p.nodes.filter((n) => /^\[\d+:\d\]$/.test(n.aKey) && n.bConst).map((n) => n.key))].sort();
}

test('the protocol tests in our program are the ones tcpdump -d prints', () => {
  if (!tcpdumpOk) return;
  // Linear programs only (no or/not), where each jump follows the load it tests.
  for (const expr of EXPRESSIONS.filter((e) => !/\bor\b|\bnot\b|^tcp\[0\] = udp/.test(e))) {
    let prog: Program;
    try {
      prog = compileProgram(expr, LINKTYPE_ETHERNET);
    } catch (e) {
      assert.unreachable(`we reject "${expr}": ${(e as Error).message}`);
      return;
    }
    assert.equal(ourChecks(prog), tcpdumpChecks(expr), `"${expr}": protocol tests`);
  }
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test.run();
