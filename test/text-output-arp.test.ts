// ARP and RARP text (host/sinks/text/arp.ts) against tcpdump run here, with -nn, -v and -e:
// every operation (1..10 and an unknown one) over Ethernet/IPv4, and hardware types,
// protocol types and address lengths tcpdump prints in its generic form (the corpus's
// getname_2_read4_asan.pcap is one: unknown hardware, no addresses, a reverse reply),
// trailer encapsulation's 0x1000, IPv6 as the protocol (<wrong proto type>), a protocol
// length of 16 (<wrong len>), 8-byte link addresses (hex), empty link addresses; each cut
// at every length inside the ARP header.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveTool } from './lib/env.js';
import { compareCrafted } from './text-output-lib.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';

const be16 = (v: number): number[] => [v >>> 8, v & 0xff];
const MACS = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 2];

/** An ARP body: hardware type, protocol type, the two lengths, the operation, then the
 *  sender and target addresses (hardware bytes 0x11.., protocol bytes 10.0.0.x). */
function arp(hrd: number, pro: number, hln: number, pln: number, op: number, targetHw = 0x33): number[] {
  const hw = (b: number): number[] => Array.from({ length: hln }, (_, i) => b + i);
  const pa = (b: number): number[] => Array.from({ length: pln }, (_, i) => (i === 0 ? 10 : i === pln - 1 ? b : 0));
  return [...be16(hrd), ...be16(pro), hln, pln, ...be16(op), ...hw(0x11), ...pa(1), ...hw(targetHw), ...pa(2)];
}

const BODIES: number[][] = [
  ...[1, 2, 3, 4, 5, 8, 9, 10, 77].map((op) => arp(1, 0x0800, 6, 4, op)),
  arp(1, 0x0800, 6, 4, 1, 0), // a request with a zero target hardware address
  ...[1, 2, 3, 4, 8, 9].map((op) => arp(6, 0x1000, 6, 4, op)),
  ...[1, 2, 4, 9].map((op) => arp(1, 0x86dd, 6, 16, op)),
  ...[1, 2, 4].map((op) => arp(1, 0x0800, 6, 16, op)),
  ...[1, 2, 3, 4, 9].map((op) => arp(32, 0x0800, 8, 4, op)),
  ...[2, 4].map((op) => arp(0xff00, 0x8b01, 0, 0, op)),
  arp(24, 0x0800, 0, 4, 3),
];

const haveTcpdump = haveTool('tcpdump');
const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-arp-'));

test('ARP and RARP lines equal tcpdump\'s (-nn, -v, -e), whole and cut', () => {
  if (!haveTcpdump) return;
  const frames: Array<{ data: Uint8Array; wirelen: number }> = [];
  for (const body of BODIES) {
    for (const type of [0x0806, 0x8035]) {
      const whole = [...MACS, ...be16(type), ...body];
      frames.push({ data: Uint8Array.from(whole), wirelen: whole.length });
    }
    for (let cut = 14 + 1; cut < 14 + body.length; cut += 3) frames.push({ data: Uint8Array.from([...MACS, 8, 6, ...body].slice(0, cut)), wirelen: 14 + body.length });
  }
  const r = compareCrafted(join(tmp, 'arp.pcap'), LINKTYPE_ETHERNET, frames, [[], ['-v'], ['-e']]);
  assert.equal(r.problems, []);
  console.log(`  NOTE text-output-arp: ${r.exact} lines (${frames.length} frames x 3 option sets) equal tcpdump's`);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
