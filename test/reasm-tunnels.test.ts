// Fragmented tunnel datagrams (issue #15): VXLAN, Geneve, GRE and IP-in-IP outer datagrams
// over IPv4, VXLAN and 4in6 over IPv6, each split into fragments (two orders), reassembled
// as sniff and decode() reassemble (a Reassembler per capture, on both backends), then the
// reassembled datagram's inner layers: decode() on every frame equals tshark -T fields run
// here (tshark defragments and follows the tunnel on the last fragment), sniff --flows
// counts the inner conversations as tshark -z conv,udp does, and the text sink still prints
// the fragments as tcpdump does (it does not reassemble).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { haveTool, repoRoot } from './lib/env.js';
import { fragmentFrame, pcapFile, split, type Datagram } from './lib/frag-train.js';
import { compareFrame, decodeWithReassembly, tsharkFieldRows } from './lib/tshark-compare.js';
import { compareWithTcpdump, showDiff } from './text-output-lib.js';

const be16 = (v: number): number[] => [v >>> 8, v & 0xff];
const be32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const data = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => (seed + i * 13) & 0xff);
const ip4 = (proto: number, p: number[], src: number, dst: number): number[] =>
  [0x45, 0, ...be16(20 + p.length), 0, 0, 0, 0, 64, proto, 0, 0, 10, 9, 0, src, 10, 9, 0, dst, ...p];
const ip6 = (nxt: number, p: number[], src: number, dst: number): number[] =>
  [0x60, 0, 0, 0, ...be16(p.length), nxt, 64, 0x20, 1, 0x0d, 0xb8, ...Array(11).fill(0), src, 0x20, 1, 0x0d, 0xb8, ...Array(11).fill(0), dst, ...p];
const udp = (sp: number, dp: number, p: number[], ck = 0): number[] => [...be16(sp), ...be16(dp), ...be16(8 + p.length), ...be16(ck), ...p];
const eth = (type: number, p: number[]): number[] => [2, 0, 0, 0, 0, 0x0a, 2, 0, 0, 0, 0, 0x0b, ...be16(type), ...p];

/** The inner packet every tunnel carries: IPv4/UDP 1000 -> 2000 with a few hundred bytes. */
const inner = (n: number): number[] => ip4(17, udp(1000 + n, 2000, data(300 + 8 * n, n)), 1, 2);
const datagram = (version: 4 | 6, proto: number, payload: number[], n: number): Datagram => {
  const bytes = Uint8Array.from(version === 4 ? ip4(proto, payload, 100 + n, 200) : ip6(proto, payload, 100 + n, 200));
  return { version, bytes, hdrLen: version === 4 ? 20 : 40, proto };
};

const DATAGRAMS: Datagram[] = [
  datagram(4, 17, udp(40001, 4789, [0x08, 0, 0, 0, ...be32(77 << 8), ...eth(0x0800, inner(1))]), 1), // VXLAN
  datagram(4, 17, udp(40002, 6081, [0, 0, 0x08, 0x00, ...be32(5 << 8), ...inner(2)]), 2), // Geneve, IPv4 inside
  datagram(4, 47, [0, 0, 0x08, 0x00, ...inner(3)], 3), // GRE
  datagram(4, 47, [0x20, 0, 0x08, 0x00, ...be32(0x1234), ...inner(4)], 4), // GRE with a key
  datagram(4, 4, inner(5), 5), // IP-in-IP
  datagram(6, 17, udp(40006, 4789, [0x08, 0, 0, 0, ...be32(9 << 8), ...eth(0x0800, inner(6))], 0xbeef), 6), // VXLAN over IPv6
  datagram(6, 4, inner(7), 7), // 4in6
];

const haveTshark = haveTool('tshark', '-v');
const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-reasm-tunnels-'));
const file = join(tmp, 'frag-tunnels.pcap');
// Each datagram in 120-byte fragments, in order; then again (a new id) last fragment first.
const frames: Uint8Array[] = [];
DATAGRAMS.forEach((g, i) => {
  const frags = split(g.bytes.length - g.hdrLen, 120);
  for (const f of frags) frames.push(fragmentFrame(g, f, 100 + i));
  for (const f of [...frags].reverse()) frames.push(fragmentFrame(g, f, 200 + i));
});
writeFileSync(file, pcapFile(frames, frames.map((_, i) => 1_700_000_000 + i * 0.001)));

test('decode() follows reassembled tunnel datagrams into their inner packets as tshark does (WASM and twin)', () => {
  if (!haveTshark) return;
  const rows = tsharkFieldRows(file);
  assert.is(rows.length, frames.length, 'one tshark row per frame');
  const wasm = createEngine({ backend: 'wasm' });
  for (const [name, engine] of [['wasm', wasm], ['ts', createEngine({ backend: 'ts', memory: wasm.memory })]] as const) {
    const problems: string[] = [];
    let agreed = 0;
    let followed = 0;
    decodeWithReassembly(engine)(file, readCaptureFile(file).records).forEach((pkt, i) => {
      if (pkt.inner !== undefined) followed++;
      const c = compareFrame(pkt, rows[i], `#${i + 1}`);
      agreed += c.agreed;
      problems.push(...c.problems);
    });
    console.log(`  NOTE reasm-tunnels ${name}: ${frames.length} fragments, ${followed} reassembled tunnels followed inside, ${agreed} fields agree`);
    assert.equal(problems, [], `${name}: differences from tshark`);
    assert.is(followed, DATAGRAMS.length * 2, 'each datagram completed twice, followed into its tunnel');
  }
});

test('sniff --flows counts the inner conversations of reassembled tunnels as tshark does', () => {
  if (!haveTshark) return;
  const rows = (text: string): string[] => text.split('\n').filter((l) => l.includes('<->')).sort();
  const theirs = rows(execFileSync('tshark', ['-q', '-z', 'conv,tcp', '-z', 'conv,udp', '-r', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  const ours = rows(execFileSync(process.execPath, [join(repoRoot, 'host/sniff.js'), '-r', file, '--flows'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  assert.ok(theirs.length >= 9, `${theirs.length} conversations`);
  assert.equal(ours, theirs);
});

test('the text sink still prints the fragments as they were on the wire, as tcpdump does (-nn, -v, -e)', () => {
  if (!haveTool('tcpdump')) return;
  for (const extra of [[], ['-v'], ['-e']]) {
    const r = compareWithTcpdump(file, ['-nn', '-tt', ...extra], 'frag-tunnels.pcap');
    assert.equal(r.problems, []);
    assert.equal(r.diffs.map(showDiff), [], `tcpdump -nn ${extra.join(' ')}`);
    assert.is(r.exact + r.app, frames.length, 'every line compared');
  }
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
