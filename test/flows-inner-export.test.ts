// Tunnels' inner flows in --ipfix and --prefixes (issue #19 item 4), as --flows counts them
// (host/flows/inner-frames.ts): a crafted capture of VXLAN (UDP inside) and GRE (TCP inside)
// beside a plain UDP conversation.
//  - sniff --ipfix into nfcapd: every conversation of `tshark -z conv,tcp -z conv,udp`
//    (tshark lists the inner ones as well as the outer) has its packets in nfdump's records,
//    both directions summed;
//  - sniff --prefixes --json: each prefix's packets and bytes equal what every IP header
//    tshark shows in a frame (outer and inner: -E occurrence=a) charges to the longest
//    matching prefix, with the frame's length.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveTool, repoRoot } from './lib/env.js';
import { writePcap } from './filter-oracle.js';
import { readNfdump, startNfcapdOnFreePort } from './ipfix-tools.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';

const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-inner-export-'));
test.after(() => { rmSync(tmp, { recursive: true, force: true }); });

const be16 = (v: number): number[] => [v >>> 8, v & 0xff];
const addr = (s: string): number[] => s.split('.').map(Number);
function ip4(proto: number, src: string, dst: string, p: number[]): number[] {
  const h = [0x45, 0, ...be16(20 + p.length), 0, 1, 0, 0, 64, proto, 0, 0, ...addr(src), ...addr(dst)];
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (h[i] << 8) | h[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const c = ~sum & 0xffff;
  h[10] = c >>> 8; h[11] = c & 0xff;
  return [...h, ...p];
}
const udp = (sp: number, dp: number, p: number[]): number[] => [...be16(sp), ...be16(dp), ...be16(8 + p.length), 0, 0, ...p];
const tcp = (sp: number, dp: number, flags: number, p: number[]): number[] =>
  [...be16(sp), ...be16(dp), 0, 0, 0x10, 0, 0, 0, 0x20, 0, 0x50, flags, 0x20, 0, 0, 0, 0, 0, ...p];
const eth = (p: number[]): number[] => [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00, ...p];
const vxlan = (inner: number[]): number[] => [0x08, 0, 0, 0, 0, 0, 42, 0, ...eth(inner)];
const gre = (inner: number[]): number[] => [0, 0, 0x08, 0x00, ...inner];
const payload = (n: number): number[] => Array.from({ length: n }, (_, i) => i & 0xff);

/** The capture: [frame bytes] in time order. */
function frames(): number[][] {
  const out: number[][] = [];
  // VXLAN 10.0.0.1 <-> 10.0.0.2, inner UDP 172.16.0.1:1111 <-> 172.16.0.2:2222 (3 + 2).
  for (let i = 0; i < 3; i++) out.push(eth(ip4(17, '10.0.0.1', '10.0.0.2', udp(50000, 4789, vxlan(ip4(17, '172.16.0.1', '172.16.0.2', udp(1111, 2222, payload(10 + i))))))));
  for (let i = 0; i < 2; i++) out.push(eth(ip4(17, '10.0.0.2', '10.0.0.1', udp(50001, 4789, vxlan(ip4(17, '172.16.0.2', '172.16.0.1', udp(2222, 1111, payload(30 + i))))))));
  // GRE 10.0.1.1 <-> 10.0.1.2, inner TCP 192.168.5.1:40000 <-> 192.168.5.2:443 (4 + 2).
  for (let i = 0; i < 4; i++) out.push(eth(ip4(47, '10.0.1.1', '10.0.1.2', gre(ip4(6, '192.168.5.1', '192.168.5.2', tcp(40000, 443, 0x18, payload(20 + i)))))));
  for (let i = 0; i < 2; i++) out.push(eth(ip4(47, '10.0.1.2', '10.0.1.1', gre(ip4(6, '192.168.5.2', '192.168.5.1', tcp(443, 40000, 0x18, payload(5 + i)))))));
  // No tunnel: 10.9.9.9:53 <-> 10.9.9.8:5353 (1 + 1).
  out.push(eth(ip4(17, '10.9.9.9', '10.9.9.8', udp(53, 5353, payload(12)))));
  out.push(eth(ip4(17, '10.9.9.8', '10.9.9.9', udp(5353, 53, payload(40)))));
  return out;
}

const have = haveTool('tshark', '-v');
const file = join(tmp, 'tunnels.pcap');
writePcap(file, LINKTYPE_ETHERNET, frames().map((f) => ({ data: Uint8Array.from(f), wirelen: f.length })));

function tshark(args: string[]): string {
  const r = spawnSync('tshark', ['-r', file, ...args], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return r.stdout;
}

const sniff = (args: string[]): ReturnType<typeof spawnSync> =>
  spawnSync(process.execPath, [join(repoRoot, 'host/sniff.js'), '-r', file, ...args], { encoding: 'utf8' });

test('sniff --ipfix exports tunnels\' inner conversations: nfdump\'s packets equal tshark conv,tcp/conv,udp', async () => {
  if (!have || !haveTool('nfcapd', '-V') || !haveTool('nfdump', '-V')) { console.log('SKIP flows-inner-export ipfix: tshark, nfcapd or nfdump missing'); return; }
  // "A:port <-> B:port  frames bytes-word bytes  frames bytes-word bytes ...": total frames.
  const conv = new Map<string, number>();
  for (const line of tshark(['-q', '-z', 'conv,tcp', '-z', 'conv,udp']).split('\n')) {
    const m = /^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+(\d+)\s+\d+ bytes\s+(\d+)\s+\d+ bytes/.exec(line);
    if (m === null) continue;
    const ends = [`${m[1]}:${m[2]}`, `${m[3]}:${m[4]}`].sort();
    conv.set(ends.join(' '), Number(m[5]) + Number(m[6]));
  }
  assert.is(conv.size, 5, `tshark's conversations: ${[...conv.keys()].join(', ')}`);
  const dir = join(tmp, 'nf');
  mkdirSync(dir);
  const nf = await startNfcapdOnFreePort(dir);
  let r;
  try {
    r = sniff(['--ipfix', `127.0.0.1:${nf.port}`, '--idle-timeout', '3600']);
  } finally {
    await nf.stop();
  }
  assert.is(r.status, 0, String(r.stderr));
  const got = new Map<string, number>();
  for (const row of readNfdump(dir)) {
    const ends = [`${row.sa}:${row.sp}`, `${row.da}:${row.dp}`].sort().join(' ');
    got.set(ends, (got.get(ends) ?? 0) + row.pkt);
  }
  for (const [ends, n] of conv) assert.is(got.get(ends), n, `${ends}: packets in nfdump`);
  assert.ok(got.has('172.16.0.1:1111 172.16.0.2:2222') && got.has('192.168.5.1:40000 192.168.5.2:443'), 'the inner flows are exported');
});

test('sniff --prefixes charges each inner IP packet to its prefixes too, as tshark\'s IP headers say', () => {
  if (!have) { console.log('SKIP flows-inner-export prefixes: tshark missing'); return; }
  const prefixes: Array<[number, number, string]> = [[0x0a000000, 24, 'vx-outer'], [0x0a000100, 24, 'gre-outer'], [0xac100000, 16, 'vx-inner'],
    [0xc0a80500, 24, 'gre-inner'], [0x0a090900, 24, 'plain'], [0x0a000000, 8, 'ten']];
  const pfile = join(tmp, 'prefixes.txt');
  const text = (p: number, len: number): string => `${p >>> 24}.${(p >>> 16) & 255}.${(p >>> 8) & 255}.${p & 255}/${len}`;
  writeFileSync(pfile, prefixes.map(([p, len, label]) => `${text(p, len)} ${label}`).join('\n') + '\n');
  const lpm = (a: number): number => {
    let best = -1;
    prefixes.forEach(([p, len], i) => {
      const mask = len === 0 ? 0 : (0xFFFFFFFF << (32 - len)) >>> 0;
      if (((a & mask) >>> 0) === p && (best < 0 || len > prefixes[best][1])) best = i;
    });
    return best;
  };
  const num = (s: string): number => s.split('.').reduce((x, o) => x * 256 + Number(o), 0);
  // Expected: every IP header of every frame, the frame's length.
  const want = prefixes.map(() => ({ inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0 }));
  let headers = 0;
  for (const line of tshark(['-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=;', '-e', 'frame.len', '-e', 'ip.src', '-e', 'ip.dst']).split('\n')) {
    if (line === '') continue;
    const [len, srcs, dsts] = line.split('\t');
    const s = srcs.split(';');
    const d = dsts.split(';');
    for (let i = 0; i < s.length; i++) {
      headers++;
      const a = lpm(num(s[i]));
      const b = lpm(num(d[i]));
      if (a >= 0) { want[a].outPackets++; want[a].outBytes += Number(len); }
      if (b >= 0) { want[b].inPackets++; want[b].inBytes += Number(len); }
    }
  }
  assert.is(headers, 11 * 2 + 2, 'tshark shows an outer and an inner IP header in each of the 11 tunnel frames');
  const r = sniff(['--prefixes', pfile, '--json', '-q']);
  assert.is(r.status, 0, String(r.stderr));
  const rows = (JSON.parse(String(r.stdout).trim().split('\n').pop()!) as { prefixes: Array<{ prefix: string; label: string; inPackets: number; inBytes: number; outPackets: number; outBytes: number }> }).prefixes;
  const byLabel = new Map(rows.map((x) => [x.label, x]));
  prefixes.forEach(([, , label], i) => {
    const w = want[i];
    const g = byLabel.get(label);
    if (w.inPackets + w.outPackets === 0) { assert.is(g, undefined, label); return; }
    assert.equal(g && { inPackets: g.inPackets, inBytes: g.inBytes, outPackets: g.outPackets, outBytes: g.outBytes }, w, label);
  });
  assert.ok((byLabel.get('vx-inner')?.inPackets ?? 0) === 5 && (byLabel.get('gre-inner')?.outPackets ?? 0) === 6, 'the inner packets are charged');
});

test.run();
