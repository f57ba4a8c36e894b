// Headers cut by the capture (issue #15, the last allow-list gaps of dissect-tshark):
// IPv4, IPv6, TCP and UDP packets, over Ethernet and LINKTYPE_RAW, captured at every
// length from the first byte of the IP header to the whole packet (the wire length stays
// the packet's). decode()'s fields (pkt.cut for the cut header) on both backends equal
// tshark -T fields run here on the same capture, frame by frame, field by field.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import { haveTool } from './lib/env.js';
import { writePcap } from './filter-oracle.js';
import { compareFrame, tsharkFieldRows } from './lib/tshark-compare.js';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW } from '../host/runtime/layout.js';

const be16 = (v: number): number[] => [v >>> 8, v & 0xff];
const be32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const ip4 = (proto: number, p: number[]): number[] =>
  [0x45, 0, ...be16(20 + p.length), 0, 7, 0x40, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, ...p];
const ip6 = (nxt: number, p: number[]): number[] =>
  [0x60, 0, 0, 0, ...be16(p.length), nxt, 64, 0x20, 1, 0x0d, 0xb8, ...Array(11).fill(0), 1, 0x20, 1, 0x0d, 0xb8, ...Array(11).fill(0), 2, ...p];
const udp = (p: number[]): number[] => [...be16(5353), ...be16(4242), ...be16(8 + p.length), 0, 0, ...p];
const tcp = (): number[] => [...be16(40000), ...be16(8080), ...be32(1000), ...be32(2000), 0x50, 0x18, 0x20, 0, 0, 0, 0, 0, 1, 2, 3, 4];
const ETH = (type: number): number[] => [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, ...be16(type)];

// Unfragmented: tshark shows no transport on a first fragment it could not reassemble.
// No ICMP: tshark shows no icmp.type under 6 bytes of an echo, which is no cut header.
const PACKETS: number[][] = [ip4(6, tcp()), ip4(17, udp([9, 9, 9, 9])), ip6(6, tcp()), ip6(17, udp([1, 2]))];

interface Cut { data: Uint8Array; wirelen: number }
/** Each packet behind `link` bytes of link header, captured at every length from IP byte
 *  `from` to the whole. */
function cuts(link: (pkt: number[]) => number[], from: number): Cut[] {
  const out: Cut[] = [];
  for (const pkt of PACKETS) {
    const whole = link(pkt);
    const l3 = whole.length - pkt.length;
    for (let cap = l3 + from; cap <= whole.length; cap++) out.push({ data: Uint8Array.from(whole.slice(0, cap)), wirelen: whole.length });
  }
  return out;
}

const haveTshark = haveTool('tshark', '-v');
const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-cut-'));

// Raw IP from 8 bytes: under 8, tshark 4.0's raw-IP dissector shows no IP fields at all
// (over Ethernet the same bytes show ip.len, ipv6.nxt), where decode() shows them as it
// does over Ethernet.
for (const [name, linktype, link, from] of [
  ['Ethernet', LINKTYPE_ETHERNET, (p: number[]) => [...ETH(p[0] >>> 4 === 6 ? 0x86dd : 0x0800), ...p], 1],
  ['raw IP', LINKTYPE_RAW, (p: number[]) => p, 8],
] as const) {
  test(`${name}: decode() of headers cut at every length equals tshark (WASM and twin)`, () => {
    if (!haveTshark) return;
    const frames = cuts(link, from);
    const file = join(tmp, `cut-${linktype}.pcap`);
    writePcap(file, linktype, frames);
    const rows = tsharkFieldRows(file);
    assert.is(rows.length, frames.length, 'one tshark row per frame');
    for (const backend of ['wasm', 'ts'] as const) {
      const e = createEngine({ backend });
      const problems: string[] = [];
      let agreed = 0;
      let cutSeen = 0;
      frames.forEach((f, i) => {
        const pkt = e.decode(f.data, linktype, f.wirelen);
        if (pkt.cut !== undefined) cutSeen++;
        const c = compareFrame(pkt, rows[i], `#${i + 1} (${f.data.length} of ${f.wirelen})`);
        agreed += c.agreed;
        problems.push(...c.problems);
      });
      console.log(`  NOTE dissect-cut ${name} ${backend}: ${frames.length} frames, ${agreed} fields agree, ${cutSeen} with a cut header`);
      assert.equal(problems, [], `${backend}: differences from tshark`);
      // The cut headers are most of these frames: the comparison is not carried by whole ones.
      assert.ok(cutSeen >= 100, `${cutSeen} frames with pkt.cut`);
    }
  });
}

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
