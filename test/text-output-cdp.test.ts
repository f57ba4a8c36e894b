// CDP text (host/sinks/text/cdp.ts) against tcpdump run here, with -nn, -v, -vv and -e:
// crafted 802.3/LLC/SNAP frames (Cisco OUI, PID 0x2000) carrying every TLV tcpdump names
// (strings with control and high-bit bytes, IPv4/IPv6/other addresses, capabilities, a
// multi-line version string, prefixes, VLAN, duplex, ATA-186, power, MTU, AVVID, physical
// location, the undecoded ones), TLVs outside their length bounds, unknown TLVs, a TLV
// shorter than its header or longer than the packet, a packet under 4 bytes; each frame
// also cut at several lengths.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveTool } from './lib/env.js';
import { compareCrafted, wholeAndCuts } from './text-output-lib.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';

const be16 = (v: number): number[] => [v >>> 8, v & 0xff];
const be32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const tlv = (type: number, value: number[]): number[] => [...be16(type), ...be16(4 + value.length), ...value];

/** An 802.3 frame to CDP's multicast address: LLC/SNAP, Cisco OUI, PID 0x2000, then `cdp`. */
function frame(cdp: number[]): number[] {
  const llc = [0xaa, 0xaa, 0x03, 0, 0, 0x0c, 0x20, 0, ...cdp];
  return [1, 0, 0x0c, 0xcc, 0xcc, 0xcc, 0xaa, 0xbb, 0xcc, 0, 3, 0x10, ...be16(llc.length), ...llc];
}
const cdp = (tlvs: number[], ver = 2): number[] => [ver, 180, 0x20, 0x05, ...tlvs];

const ADDRS = [...be32(3), 1, 1, 0xcc, ...be16(4), 10, 0, 0, 1,
  2, 8, 0xaa, 0xaa, 0x03, 0, 0, 0, 0x86, 0xdd, ...be16(16), 0x20, 1, 0x0d, 0xb8, ...Array(11).fill(0), 5,
  1, 2, 0x81, 0x82, ...be16(3), 7, 8, 9];

const CASES: number[][] = [
  cdp([...tlv(1, ascii('SW1')), ...tlv(3, ascii('Ethernet0/1')), ...tlv(6, ascii('Linux Unix'))]),
  cdp([...tlv(5, ascii('Cisco IOS Software\nTechnical Support\n(c) 1986')), ...tlv(4, be32(0x29)), ...tlv(4, be32(0)), ...tlv(2, ADDRS)]),
  cdp([...tlv(2, [...be32(1), 1, 1, 0xcc, ...be16(4), 10, 0, 0, 9, 0xee, 0xff]), ...tlv(0x16, be32(0)), ...tlv(0x16, [1, 2])]),
  cdp([...tlv(7, [10, 1, 0, 0, 16, 192, 168, 1, 0, 24]), ...tlv(7, [1, 2, 3]), ...tlv(8, [1, 2, 3, 4]), ...tlv(9, ascii('dom')), ...tlv(9, [])]),
  cdp([...tlv(0x0a, be16(100)), ...tlv(0x0a, [1]), ...tlv(0x0b, [0]), ...tlv(0x0b, [1]), ...tlv(0x0e, [1, 0, 20]), ...tlv(0x0f, [0x20, 0]), ...tlv(0x0f, [2, 0, 30])]),
  cdp([...tlv(0x10, [7]), ...tlv(0x10, be16(6300)), ...tlv(0x10, [1, 0x86, 0xa0]), ...tlv(0x10, be32(1)), ...tlv(0x11, be32(1500)), ...tlv(0x12, [0x80]), ...tlv(0x13, [1])]),
  cdp([...tlv(0x14, ascii('sys\x01\xe9name')), ...tlv(0x15, [1, 2, 3]), ...tlv(0x17, [0x20, ...ascii('rack 4')]), ...tlv(0x17, [1]), ...tlv(0x30, [9, 8, 7]), ...tlv(0x0c, [])]),
  cdp([...tlv(1, ascii('R1')), ...[0, 2, 0, 2]]), // a TLV shorter than its header
  cdp([...tlv(1, ascii('R2')), 0, 3, 0, 40, 1]), // a TLV longer than the packet
  cdp([...tlv(1, ascii('R3')), 0, 1]), // two bytes left: no room for a TLV header
  [2, 180], // under 4 bytes
  cdp([...tlv(1, ascii('R4'))], 1),
];

const haveTcpdump = haveTool('tcpdump');
const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-cdp-'));

test('CDP lines equal tcpdump\'s (-nn, -v, -vv, -e), whole and cut', () => {
  if (!haveTcpdump) return;
  const frames: Array<{ data: Uint8Array; wirelen: number }> = [];
  for (const c of CASES) {
    const whole = frame(c);
    frames.push(...wholeAndCuts(whole, 22, 7));
  }
  const r = compareCrafted(join(tmp, 'cdp.pcap'), LINKTYPE_ETHERNET, frames, [[], ['-v'], ['-vv'], ['-e']]);
  assert.equal(r.problems, []);
  console.log(`  NOTE text-output-cdp: ${r.exact} lines (${frames.length} frames x 4 option sets) equal tcpdump's`);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
