// IPX text (host/sinks/text/ipx.ts) against tcpdump run here, with -nn, -v and -e: Linux
// cooked v1 and v2 frames of protocol 1 (raw 802.3: an IPX header at once) and 0x8137, and Ethernet
// frames carrying IPX as EtherType 0x8137, as Novell's raw 802.3 (0xffff, no LLC), over
// 802.2 (the IPX SAPs) and over SNAP. Payloads: NCP, NetBIOS, diagnostics, NWLink,
// unknown sockets, SAP requests and responses (names with control and high-bit bytes,
// a response cut inside an entry), RIP requests and responses, an IPX length under 30;
// each frame also cut at several lengths.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveTool } from './lib/env.js';
import { compareCrafted, type CraftedFrame, wholeAndCuts } from './text-output-lib.js';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2 } from '../host/runtime/layout.js';

const be16 = (v: number): number[] => [v >>> 8, v & 0xff];
const be32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const NODE_A = [2, 0, 0, 0, 0, 1];
const NODE_B = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

/** An IPX header (length from the payload unless given) and its payload. */
function ipx(dstSocket: number, srcSocket: number, payload: number[], length = 30 + payload.length): number[] {
  return [0xff, 0xff, ...be16(length), 0, 4, ...be32(0), ...NODE_B, ...be16(dstSocket), ...be32(0x1a2b3c4d), ...NODE_A, ...be16(srcSocket), ...payload];
}
const sapEntry = (type: number, name: number[]): number[] => {
  const padded = [...name, ...Array(48 - name.length).fill(0)];
  return [...be16(type), ...padded, ...be32(0xc0a80001), 0, 0x11, 0x22, 0x33, 0x44, 0x55, ...be16(0x0451), ...be16(1)];
};

const PAYLOADS: number[][] = [
  ipx(0x0451, 0x4003, [0x11, 0x11, 1, 2, 3]),
  ipx(0x0455, 0x0455, Array(20).fill(0x20)),
  ipx(0x0456, 0x4001, [1]),
  ipx(0x0553, 0x0553, [0xff, 0x53, 0x4d, 0x42]),
  ipx(0x4005, 0x4001, [9, 9]),
  ipx(0x0452, 0x4001, [...be16(1), ...be16(4)]),
  ipx(0x0452, 0x4001, [...be16(3), ...be16(0x0278)]),
  ipx(0x0452, 0x0452, [...be16(2), ...sapEntry(4, ascii('FS1')), ...sapEntry(0x0107, [...ascii('PR\x01'), 0xe9, ...ascii('x')])]),
  ipx(0x0452, 0x0452, [...be16(4), ...sapEntry(4, ascii('NEAR'))]),
  ipx(0x0452, 0x0452, [...be16(2), ...sapEntry(4, ascii('CUT')).slice(0, 30)]),
  ipx(0x0452, 0x0452, [...be16(9)]),
  ipx(0x0452, 0x0452, []),
  ipx(0x0453, 0x0453, [...be16(1), ...be32(0xffffffff), ...be16(0xffff), ...be16(0xffff)]),
  ipx(0x0453, 0x0453, [...be16(1)]),
  ipx(0x0453, 0x0453, [...be16(2), ...be32(0x1a2b3c4d), ...be16(1), ...be16(2), ...be32(0x10), ...be16(3), ...be16(7)]),
  ipx(0x0453, 0x0453, [...be16(2), ...be32(0x1a2b3c4d), 0, 1]),
  ipx(0x0453, 0x0453, [...be16(7)]),
  ipx(0x0451, 0x4003, [1, 2], 20),
  ipx(0x0452, 0x0452, [...be16(1), ...be16(4)], 31),
  ipx(0x0453, 0x0453, [...be16(2), ...be32(1), 0, 1, 0, 2], 31),
];

const MAC = [1, 0x1b, 0x19, 0, 0, 0, 2, 0, 0, 0, 0, 9];

/** The payloads on every path that reaches tcpdump's IPX printer, each whole and cut. */
function frames(wrap: (p: number[]) => number[]): CraftedFrame[] {
  const out: CraftedFrame[] = [];
  for (const p of PAYLOADS) {
    const whole = wrap(p);
    out.push(...wholeAndCuts(whole, whole.length - p.length + 2, 9));
  }
  return out;
}

const sll = (proto: number) => (p: number[]): number[] => [0, 4, 0, 1, 0, 6, ...NODE_A, 0, 0, ...be16(proto), ...p];
const sll2 = (proto: number) => (p: number[]): number[] => [...be16(proto), 0, 0, ...be32(1), 0, 1, 4, 6, ...NODE_A, 0, 0, ...p];
const ether8023 = (llc: number[]) => (p: number[]): number[] => [...MAC, ...be16(llc.length + p.length), ...llc, ...p];

const haveTcpdump = haveTool('tcpdump');
const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-ipx-'));

test('IPX lines equal tcpdump\'s over Linux cooked v1/v2 and Ethernet (-nn, -v, -e), whole and cut', () => {
  if (!haveTcpdump) return;
  const runs: Array<[string, number, CraftedFrame[]]> = [
    ['sll-802.3', LINKTYPE_LINUX_SLL, frames(sll(1))],
    ['sll2-802.3', LINKTYPE_LINUX_SLL2, frames(sll2(1))],
    ['sll-802.2', LINKTYPE_LINUX_SLL, frames((p) => sll(4)([0xe0, 0xe0, 0x03, ...p]))],
    ['sll-8137', LINKTYPE_LINUX_SLL, frames(sll(0x8137))],
    ['sll2-8137', LINKTYPE_LINUX_SLL2, frames(sll2(0x8137))],
    ['ether-8137', LINKTYPE_ETHERNET, frames((p) => [...MAC, ...be16(0x8137), ...p])],
    ['ether-raw-802.3', LINKTYPE_ETHERNET, frames(ether8023([]))],
    ['ether-802.2', LINKTYPE_ETHERNET, frames(ether8023([0xe0, 0xe0, 0x03]))],
    ['ether-snap', LINKTYPE_ETHERNET, frames(ether8023([0xaa, 0xaa, 0x03, 0, 0, 0, 0x81, 0x37]))],
  ];
  const problems: string[] = [];
  let exact = 0;
  let total = 0;
  for (const [name, lt, fr] of runs) {
    const r = compareCrafted(join(tmp, `${name}.pcap`), lt, fr, [[], ['-v'], ['-e']]);
    problems.push(...r.problems.map((p) => `${name}: ${p}`));
    exact += r.exact;
    total += fr.length * 3;
  }
  assert.equal(problems.slice(0, 30), []);
  assert.equal(exact, total);
  console.log(`  NOTE text-output-ipx: ${exact} lines (9 framings x ${PAYLOADS.length} payloads, whole and cut, x 3 option sets) equal tcpdump's`);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
