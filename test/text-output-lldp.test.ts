// LLDP text (host/sinks/text/lldp.ts) against tcpdump run here, with -nn, -v, -vv and -e:
// crafted Ethernet and Linux cooked frames (EtherType 0x88cc) carrying chassis and port IDs of every
// subtype (MAC, network address IPv4/IPv6/802/other family, names with control and
// high-bit bytes, unknown subtypes), TTL, port and system descriptions, system name,
// capabilities, management addresses (with and without OID, too short), organisation-
// specific TLVs of OUIs tcpdump does not decode, unknown TLV types, End, TLVs shorter than
// their subtype needs or longer than the frame; each frame also cut at several lengths.
// IEEE 802.1 TLVs of subtypes 1-4, IEEE 802.3 link aggregation and maximum frame size. Not
// here (not written): 802.1 subtypes 7-14, 802.3 MAC/PHY and MDI power, LLDP-MED, DCBX.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveTool } from './lib/env.js';
import { compareCrafted, type CraftedFrame, wholeAndCuts } from './text-output-lib.js';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL } from '../host/runtime/layout.js';

const be16 = (v: number): number[] => [v >>> 8, v & 0xff];
const be32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const tlv = (type: number, value: number[]): number[] => [...be16((type << 9) | value.length), ...value];
const END = tlv(0, []);
const MACB = [0x00, 0x1b, 0x21, 0x3c, 0x4d, 0x5e];
const V6 = [0x20, 1, 0x0d, 0xb8, ...Array(11).fill(0), 7];

/** A basic LLDPDU: chassis MAC, port name, TTL, then `more`, then End. */
const basic = (more: number[]): number[] => [...tlv(1, [4, ...MACB]), ...tlv(2, [5, ...ascii('eth0')]), ...tlv(3, be16(120)), ...more, ...END];

const CASES: number[][] = [
  basic([]),
  basic([...tlv(4, ascii('uplink port')), ...tlv(5, ascii('sw1.example')), ...tlv(6, ascii('Linux 6.1 \x01\xe9 x86_64'))]),
  basic([...tlv(7, [...be16(0x0014), ...be16(0x0010)]), ...tlv(7, [...be16(0), ...be16(0xffff)])]),
  basic([...tlv(8, [5, 1, 10, 0, 0, 1, 2, ...be32(3), 0]), ...tlv(8, [17, 2, ...V6, 3, ...be32(1), 4, ...ascii('1.3.')])]),
  basic([...tlv(8, [7, 6, ...MACB, 1, ...be32(9)]), ...tlv(8, [3, 9, 1, 2, 2, ...be32(0)]), ...tlv(8, [5, 1, 10, 0, 0, 1, 2, 0, 0])]),
  [...tlv(1, [5, 1, 192, 0, 2, 1]), ...tlv(2, [4, 2, ...V6]), ...tlv(3, be16(0)), ...END],
  [...tlv(1, [5, 6, ...MACB]), ...tlv(2, [3, ...MACB]), ...tlv(3, be16(65535)), ...END],
  [...tlv(1, [1, ...ascii('chassis-comp')]), ...tlv(2, [1, ...ascii('alias')]), ...tlv(3, be16(1)), ...END],
  [...tlv(1, [2, ...ascii('ifalias')]), ...tlv(2, [2, ...ascii('pc')]), ...tlv(1, [3, ...ascii('port-comp')]), ...tlv(2, [6, ...ascii('circuit')]), ...END],
  [...tlv(1, [6, ...ascii('Gi0/1')]), ...tlv(2, [7, ...ascii('local')]), ...tlv(1, [7, ...ascii('loc')]), ...tlv(1, [9, 1, 2, 3]), ...tlv(2, [0, 4, 5]), ...END],
  basic([...tlv(127, [0x00, 0x00, 0x0c, 1, 2, 3]), ...tlv(127, [0xaa, 0xbb, 0xcc, 9]), ...tlv(9, [1, 2, 3]), ...tlv(100, [])]),
  // IEEE 802.1 (OUI 00-80-c2): PVID, PPVID, VLAN name, protocol identity, an unknown subtype,
  // each also too short for its fields; a TLV with the OUI and no subtype.
  basic([...tlv(127, [0x00, 0x80, 0xc2, 1, ...be16(100)]), ...tlv(127, [0x00, 0x80, 0xc2, 2, 0x06, ...be16(200)]),
    ...tlv(127, [0x00, 0x80, 0xc2, 2, 0x00, ...be16(7)]), ...tlv(127, [0x00, 0x80, 0xc2, 3, ...be16(300), 5, ...ascii('v300\x7f')]),
    ...tlv(127, [0x00, 0x80, 0xc2, 4, 3, 0x88, 0x8e, 1]), ...tlv(127, [0x00, 0x80, 0xc2, 99, 1, 2])]),
  basic([...tlv(127, [0x00, 0x80, 0xc2, 1, 1]), ...tlv(127, [0x00, 0x80, 0xc2, 2, 0, 1]), ...tlv(127, [0x00, 0x80, 0xc2, 3, 1]),
    ...tlv(127, [0x00, 0x80, 0xc2, 3, 0, 1]), ...tlv(127, [0x00, 0x80, 0xc2, 3, 0, 1, 9, 1]), ...tlv(127, [0x00, 0x80, 0xc2, 4]),
    ...tlv(127, [0x00, 0x80, 0xc2, 4, 9, 1]), ...tlv(127, [0x00, 0x80, 0xc2])]),
  // IEEE 802.3 (OUI 00-12-0f): link aggregation, maximum frame size, an unknown subtype, too short.
  basic([...tlv(127, [0x00, 0x12, 0x0f, 3, 0x03, ...be32(17)]), ...tlv(127, [0x00, 0x12, 0x0f, 3, 0x00, ...be32(0)]),
    ...tlv(127, [0x00, 0x12, 0x0f, 4, ...be16(9216)]), ...tlv(127, [0x00, 0x12, 0x0f, 8, 1]), ...tlv(127, [0x00, 0x12, 0x0f, 3, 1, 2]),
    ...tlv(127, [0x00, 0x12, 0x0f, 4, 5]), ...tlv(127, [0x00, 0x12, 0x0f])]),
  [...tlv(1, [4, 1, 2, 3]), ...END], // MAC subtype too short
  [...tlv(1, [5, 1, 10, 0]), ...END], // IPv4 address too short
  [...tlv(3, [1]), ...END], // TTL too short
  [...tlv(7, [0, 1, 2]), ...END], // capabilities too short
  [...tlv(8, [9, 1, 10, 0, 0, 1]), ...END], // management address longer than the TLV
  [...tlv(8, [5, 1, 10, 0, 0, 1, 2, 0]), ...END], // no room for the interface number
  [...tlv(8, [5, 1, 10, 0, 0, 1, 2, ...be32(1), 9, 1]), ...END], // OID longer than the TLV
  [...tlv(127, [0, 1]), ...END], // organisation TLV without a whole OUI
  [...tlv(1, [1]), ...END], // chassis ID without an ID
  [...tlv(5, ascii('name')), 0x0a, 0x40, 1, 2], // a TLV longer than the frame
  [...tlv(5, ascii('no end'))],
  [0x02],
  [],
];

const MAC = [0x01, 0x80, 0xc2, 0, 0, 0x0e, 0x02, 0, 0, 0, 0, 0x09];
const haveTcpdump = haveTool('tcpdump');
const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-lldp-'));

test('LLDP lines equal tcpdump\'s (-nn, -v, -vv, -e), whole and cut', () => {
  if (!haveTcpdump) return;
  const frames: CraftedFrame[] = [];
  for (const c of CASES) {
    const whole = [...MAC, ...be16(0x88cc), ...c];
    frames.push(...wholeAndCuts(whole, 15, 5));
  }
  const r = compareCrafted(join(tmp, 'lldp.pcap'), LINKTYPE_ETHERNET, frames, [[], ['-v'], ['-vv'], ['-e']]);
  // The same LLDPDUs behind a Linux cooked v1 header (tcpdump's sll printer hands the
  // EtherType to the same printers).
  const sll = frames.map((f) => {
    const d = [0, 0, 0, 1, 0, 6, ...f.data.subarray(6, 12), 0, 0, ...f.data.subarray(12)];
    return { data: Uint8Array.from(d), wirelen: f.wirelen + 4 };
  });
  const rs = compareCrafted(join(tmp, 'lldp-sll.pcap'), LINKTYPE_LINUX_SLL, sll, [[], ['-v'], ['-e']]);
  assert.equal([...r.problems, ...rs.problems].slice(0, 30), []);
  assert.equal(r.exact + rs.exact, frames.length * 7);
  console.log(`  NOTE text-output-lldp: ${r.exact + rs.exact} lines (${frames.length} frames x 4 option sets over Ethernet, x 3 over Linux cooked) equal tcpdump's`);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
