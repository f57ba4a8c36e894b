// Crafted tunnels and encapsulations (issue #15) against the oracles, run here: every
// frame's decode() fields (pkt.inner flattened outer -> inner) against tshark -T fields on
// the same capture, the text sink against tcpdump (-nn, -v, -e, -q), and sniff --flows
// against tshark's conv,tcp / conv,udp. Kinds: VXLAN (4789, 8472), Geneve (options; TEB
// and IPv4 inside), GRE (checksum, key, sequence; IPv6 and Ethernet inside), ERSPAN II and III,
// IP-in-IP, 6in4, 4in6, MPLS over UDP, GTP-U (plain and with an extension header), PPPoE
// sessions (IPv4, IPv6), MPLS stacks (IPv4 under two labels, IPv6 under the explicit null);
// and the text of the link types PPP (LCP, IPCP and IP6CP options too, -vv as well), PPP_HDLC (RFC 1662 and Cisco
// framing), PPP_ETHER, C_HDLC (SLARP too), MPLS, IPoIB, VSOCK, Linux cooked v1/v2 and raw IP (by the version
// nibble, whatever the link type says) against tcpdump.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import { haveTool, repoRoot } from './lib/env.js';
import { writePcap } from './filter-oracle.js';
import { compareFrame, tsharkFieldRows } from './lib/tshark-compare.js';
import { compareCrafted, compareWithTcpdump, showDiff } from './text-output-lib.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';

const be16 = (v: number): number[] => [v >>> 8, v & 0xff];
const be32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const MACS = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];
const MACS2 = [2, 0, 0, 0, 0, 3, 2, 0, 0, 0, 0, 4];
const ip4 = (proto: number, p: number[], src = 1, dst = 2): number[] =>
  [0x45, 0, ...be16(20 + p.length), 0, 1, 0, 0, 64, proto, 0, 0, 10, 0, 0, src, 10, 0, 0, dst, ...p];
const ip6 = (nxt: number, p: number[], src = 1, dst = 2): number[] =>
  [0x60, 0, 0, 0, ...be16(p.length), nxt, 64, 0x20, 1, 0x0d, 0xb8, ...Array(11).fill(0), src, 0x20, 1, 0x0d, 0xb8, ...Array(11).fill(0), dst, ...p];
const udp = (sp: number, dp: number, p: number[]): number[] => [...be16(sp), ...be16(dp), ...be16(8 + p.length), 0, 0, ...p];
const tcp = (sp: number, dp: number): number[] => [...be16(sp), ...be16(dp), ...be32(1000), ...be32(2000), 0x50, 0x18, 0x20, 0, 0, 0, 0, 0, 1, 2, 3, 4];
const eth = (type: number, p: number[], macs = MACS): number[] => [...macs, ...be16(type), ...p];
const label = (l: number, s: boolean, ttl = 64): number[] => be32(((l << 12) | (s ? 0x100 : 0) | ttl) >>> 0);

/** A GTP-U G-PDU on UDP 2152: flags, type 255, length (what follows the first 8 bytes), TEID 7. */
const gtp = (flags: number, opt: number[], pdu: number[]): number[] =>
  eth(0x0800, ip4(17, udp(2152, 2152, [flags, 0xff, ...be16(opt.length + pdu.length), ...be32(7), ...opt, ...pdu])));
/** A PPPoE session frame carrying PPP protocol `proto`. */
const pppoe = (proto: number, p: number[]): number[] => eth(0x8864, [0x11, 0, ...be16(0x1234), ...be16(2 + p.length), ...be16(proto), ...p]);
const innerTcp = eth(0x0800, ip4(6, tcp(40000, 443), 7, 8), MACS2);
const FRAMES: number[][] = [
  eth(0x0800, ip4(17, udp(50001, 4789, [8, 0, 0, 0, 0, 0, 100, 0, ...innerTcp]))),
  eth(0x0800, ip4(17, udp(50002, 8472, [8, 0, 0, 0, 0, 0, 101, 0, ...eth(0x0800, ip4(6, tcp(40001, 443), 7, 8), MACS2)]))),
  eth(0x0800, ip4(17, udp(50003, 6081, [2, 0, ...be16(0x6558), 0, 0, 5, 0, 0x01, 0x02, 0x03, 1, 9, 9, 9, 9, ...innerTcp]))),
  eth(0x86dd, ip6(17, udp(50004, 6081, [0, 0, ...be16(0x0800), 0, 0, 6, 0, ...ip4(17, udp(53, 5353, [1, 2, 3, 4]), 9, 10)]))),
  eth(0x0800, ip4(47, [0xb0, 0, ...be16(0x86dd), 0, 0, 0, 0, ...be32(42), ...be32(7), ...ip6(17, udp(1000, 2000, [9, 9]), 5, 6)])),
  eth(0x0800, ip4(47, [0x20, 0, ...be16(0x6558), ...be32(9), ...innerTcp])),
  eth(0x0800, ip4(47, [0x10, 0, ...be16(0x88be), ...be32(3), 0x10, 0x01, 0x00, 0x05, 0, 0, 0, 0,
    ...eth(0x0806, [0, 1, 8, 0, 6, 4, 0, 1, ...MACS2.slice(6), 10, 0, 0, 7, 0, 0, 0, 0, 0, 0, 10, 0, 0, 8], MACS2)])),
  // ERSPAN type III (GRE 0x22eb), without and with its 8-byte platform subheader (O bit).
  eth(0x0800, ip4(47, [0x10, 0, ...be16(0x22eb), ...be32(4), 0x20, 0x0a, 0x00, 0x07, ...be32(0x01020304), ...be16(0), 0x00, 0x00,
    ...eth(0x0800, ip4(6, tcp(9001, 80), 31, 32), MACS2)])),
  eth(0x0800, ip4(47, [0x10, 0, ...be16(0x22eb), ...be32(5), 0x20, 0x0b, 0x04, 0x08, ...be32(0x0a0b0c0d), ...be16(0x1234), 0x00, 0x01,
    0x08, 0, 0, 0, 0, 0, 0, 0, ...eth(0x0800, ip4(17, udp(9002, 53, [1, 2, 3, 4]), 33, 34), MACS2)])),
  eth(0x0800, ip4(4, ip4(6, tcp(1111, 80), 11, 12))),
  eth(0x0800, ip4(41, ip6(17, udp(2222, 53, [0, 0]), 13, 14))),
  eth(0x86dd, ip6(4, ip4(17, udp(3333, 123, [0, 0, 0, 0]), 15, 16))),
  eth(0x0800, ip4(17, udp(50005, 6635, [...label(16, true), ...ip4(6, tcp(4444, 22), 17, 18)]))),
  gtp(0x30, [], ip4(6, tcp(5555, 8080), 19, 20)),
  gtp(0x34, [0, 0, 0, 0x85, 1, 0, 9, 0], ip4(17, udp(6666, 7777, [1, 2, 3, 4, 5, 6, 7, 8]), 21, 22)),
  pppoe(0x0021, ip4(6, tcp(7000, 80), 23, 24)),
  pppoe(0x0057, ip6(17, udp(546, 547, [1, 2]), 25, 26)),
  eth(0x8847, [...label(100, false), ...label(200, true), ...ip4(6, tcp(8000, 443), 27, 28)]),
  eth(0x8847, [...label(2, true), ...ip6(17, udp(9000, 9001, [7]), 29, 30)]),
];

/** Linux's VXLAN driver used UDP 8472 before IANA assigned 4789 and still offers it; the
 *  dissector follows both as VXLAN, TShark 4.0 only 4789 unless told (Decode As), as here. */
const TSHARK_DECODE_AS = ['-d', 'udp.port==8472,vxlan'];

const haveOracles = haveTool('tshark', '-v') && haveTool('tcpdump');
const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-tunnels-'));
const file = join(tmp, 'tunnels.pcap');
writePcap(file, LINKTYPE_ETHERNET, FRAMES.map((d) => ({ data: Uint8Array.from(d), wirelen: d.length })));

test('decode() gives tshark\'s fields on every crafted tunnel frame (WASM and twin)', () => {
  if (!haveOracles) return;
  const rows = tsharkFieldRows(file, TSHARK_DECODE_AS);
  assert.is(rows.length, FRAMES.length, 'one tshark row per frame');
  for (const backend of ['wasm', 'ts'] as const) {
    const e = createEngine({ backend });
    const problems: string[] = [];
    let agreed = 0;
    FRAMES.forEach((d, i) => {
      const c = compareFrame(e.decode(Uint8Array.from(d)), rows[i], `${i + 1}`);
      agreed += c.agreed;
      problems.push(...c.problems);
    });
    console.log(`  NOTE tunnels-tshark ${backend}: ${FRAMES.length} frames, ${agreed} fields agree, no difference accepted`);
    assert.equal(problems, [], `${backend}: differences from tshark`);
    assert.ok(agreed >= 259, `${agreed} fields agree`);
  }
});

test('the text sink prints what tcpdump prints (-nn, -v, -e, -q)', () => {
  if (!haveOracles) return;
  for (const extra of [[], ['-v'], ['-e'], ['-q']]) {
    const r = compareWithTcpdump(file, ['-nn', '-tt', ...extra], 'tunnels.pcap');
    assert.equal(r.problems, []);
    assert.equal(r.diffs.map(showDiff), [], `tcpdump -nn ${extra.join(' ')}`);
    assert.is(r.exact + r.app, FRAMES.length);
  }
});

test('sniff --flows counts the inner conversations as tshark does', () => {
  if (!haveOracles) return;
  const rows = (s: string): string[] => s.split('\n').filter((l) => l.includes('<->')).sort();
  const ours = rows(execFileSync(process.execPath, [join(repoRoot, 'host/sniff.js'), '-r', file, '--flows'], { encoding: 'utf8' }));
  const theirs = rows(execFileSync('tshark', ['-q', ...TSHARK_DECODE_AS, '-z', 'conv,tcp', '-z', 'conv,udp', '-r', file], { encoding: 'utf8' }));
  assert.ok(ours.some((r) => r.startsWith('10.0.0.7:40001 ')), 'the TCP conversation inside UDP 8472');
  assert.equal(ours, theirs);
  assert.ok(theirs.length >= 15, `${theirs.length} conversations`);
});

/** Linux cooked headers (v1, v2): protocol, packet type, link address length, then `payload`. */
const sll = (proto: number, pkttype: number, halen: number, payload: number[]): number[] =>
  [0, pkttype, 0, 1, ...be16(halen), 2, 0, 0, 0, 0, 9, 0, 0, ...be16(proto), ...payload];
const sll2 = (proto: number, pkttype: number, halen: number, payload: number[]): number[] =>
  [...be16(proto), 0, 0, 0, 0, 0, 1, 0, 1, pkttype, halen, 2, 0, 0, 0, 0, 9, 0, 0, ...payload];

/** A vsockmon frame (little-endian): CIDs 3 -> 2, ports 1024 -> 1234, monitor op, the
 *  transport, then for virtio (2) its 44-byte header with virtio op `vop`; then `payload`. */
const vsock = (transport: number, op: number, vop: number, payload: number[]): number[] => {
  const le = (v: number, n: number): number[] => Array.from({ length: n }, (_, i) => (i < 4 ? (v >>> (8 * i)) & 0xff : 0));
  const hdr = transport === 2 ? [...le(3, 8), ...le(2, 8), ...le(1024, 4), ...le(1234, 4), ...le(payload.length, 4), ...le(1, 2), ...le(vop, 2),
    ...le(0, 4), ...le(262144, 4), ...le(6, 4)] : [];
  return [...le(3, 8), ...le(2, 8), ...le(1024, 4), ...le(1234, 4), ...le(op, 2), ...le(transport, 2), ...le(hdr.length, 2), 0, 0, ...hdr, ...payload];
};

/** A PPP (LINKTYPE_PPP) control-protocol Conf-Request (code) carrying `opts`. */
const ncp = (proto: number, code: number, opts: number[]): number[] => [0xff, 3, ...be16(proto), code, 1, ...be16(4 + opts.length), ...opts];

test('link types PPP, PPP_HDLC, PPP_ETHER, C_HDLC, MPLS, IPoIB, VSOCK, SLL, SLL2 and raw IP: text equals tcpdump (-nn, -v, -vv, -e)', () => {
  if (!haveOracles) return;
  const pkt = ip4(17, udp(1000, 2000, [0x61, 0x62, 0x63, 0x64]));
  const v6 = ip6(6, tcp(3000, 80));
  const caps: Array<[number, number[][]]> = [
    [9, [[0xff, 3, 0, 0x21, ...pkt], [0xff, 3, 0, 0x57, ...v6], [0x21, ...pkt], [0xff, 3, 0x02, 0x81, ...label(16, true), ...pkt],
      // LCP: a Conf-Request with MRU, ACCM, CHAP/MD5, magic number, PFC, ACFC, MRRU, an end-point
      // discriminator (IPv4 class); an Echo-Request; a Conf-Ack whose option overruns it.
      [0xff, 3, 0xc0, 0x21, 1, 7, 0, 35, 1, 4, 0x05, 0xdc, 2, 6, 0, 0, 0, 0, 3, 5, 0xc2, 0x23, 5, 5, 6, 1, 2, 3, 4, 7, 2, 8, 2, 17, 4, 0x05, 0xf4],
      [0xff, 3, 0xc0, 0x21, 1, 8, 0, 11, 19, 7, 2, 10, 0, 0, 1],
      [0xff, 3, 0xc0, 0x21, 9, 3, 0, 8, 0xde, 0xad, 0xbe, 0xef],
      [0xff, 3, 0xc0, 0x21, 2, 4, 0, 10, 1, 9, 0, 0, 0, 0],
      // IPCP: IP-Addr, Pri-DNS, Sec-NBNS, IP-Addrs, VJ-Comp; IP Header Compression with two
      // suboptions and with one overrunning; bogus lengths; an unknown option. IP6CP:
      // Interface-ID, a bogus length, an unknown option.
      ncp(0x8021, 1, [3, 6, 10, 0, 0, 1, 129, 6, 8, 8, 8, 8, 132, 6, 10, 1, 1, 1, 1, 10, 10, 0, 0, 1, 10, 0, 0, 2, 2, 6, 0, 0x2d, 15, 1]),
      ncp(0x8021, 2, [2, 20, 0, 0x61, 0, 15, 0, 16, 1, 0, 0, 5, 0, 40, 1, 2, 2, 4, 0, 0]),
      ncp(0x8021, 3, [2, 18, 0, 0x61, 0, 15, 0, 16, 1, 0, 0, 5, 0, 40, 1, 9, 0, 0, 3, 4, 1, 2]),
      ncp(0x8021, 4, [3, 5, 10, 0, 0, 9, 1, 4, 1, 2, 99, 4, 0xab, 0xcd, 2, 3, 0]),
      ncp(0x8021, 1, [2, 10, 0, 0x61, 0, 1, 2, 3, 4, 5]),
      ncp(0x8057, 1, [1, 10, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55, 7, 3, 1, 1, 4, 0, 0]),
    ]],
    [50, [[0xff, 3, 0, 0x21, ...pkt], [0x0f, 0, 8, 0, ...pkt], [0x8f, 0, 0x86, 0xdd, ...v6], [0x11, 0x22, 0x33, 0x44, ...pkt]]],
    [51, [[0x11, 0, 0, 5, ...be16(2 + pkt.length), 0, 0x21, ...pkt], [0x11, 0x09, 0, 0, 0, 4, 1, 1, 0, 0]]],
    [104, [[0x0f, 0, 8, 0, ...pkt], [0x0f, 0, 0x86, 0xdd, ...v6], [0x0f, 0, 0x88, 0x47, ...label(3, true), ...pkt],
      // SLARP: request, reply, keepalives (without and with the uptime, with trailing junk),
      // an unknown code, a packet under the 14-byte minimum.
      ...[[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 10, 1, 1, 1, 255, 255, 255, 252, 0, 0],
        [0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 4, 0xff, 0xff], [0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 4, 0xff, 0xff, 0x05, 0x26, 0x5c, 0x00],
        [0, 0, 0, 2, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 0, 0, 0x75, 0x30, 9, 9, 9, 9], [0, 0, 0, 7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        [0, 0, 0, 2, 0, 0, 0, 5]].map((b) => [0x8f, 0, 0x80, 0x35, ...b])]],
    // VSOCK (vsockmon): virtio CONNECT/CONTROL/PAYLOAD (a 40-byte payload, two dump lines),
    // NO_INFO and unknown transports, unknown ops, cut inside the virtio header and the
    // monitor header.
    [271, [vsock(2, 1, 1, []), vsock(2, 3, 6, []), vsock(2, 4, 5, Array.from({ length: 40 }, (_, i) => i)), vsock(1, 4, 5, [1, 2, 3]),
      vsock(9, 7, 9, []), vsock(2, 2, 12, []).slice(0, 50), vsock(2, 4, 5, [7]).slice(0, 20), vsock(2, 4, 5, [])]],
    // Linux cooked v1 and v2: directions, a 6-byte and a 4-byte link address (v1's 16-bit
    // length field with a high byte too), 802.2 inside, an unknown protocol.
    [113, [sll(0x0800, 0, 6, pkt), sll(0x0800, 4, 4, pkt), sll(0x0004, 1, 6, [0x42, 0x42, 3, 0, 0]), sll(0x1234, 3, 6, [1, 2, 3]), sll(0x0800, 0, 0x106, pkt)]],
    [276, [sll2(0x0800, 0, 6, pkt), sll2(0x0800, 4, 4, pkt), sll2(0x0004, 1, 6, [0x42, 0x42, 3, 0, 0]), sll2(0x1234, 3, 6, [1, 2, 3])]],
    [219, [[...label(16, false), ...label(17, true), ...pkt], [...label(2, true), ...v6]]],
    [242, [[...Array(40).fill(1), 8, 0, 0, 0, ...pkt], [...Array(40).fill(1), 0x86, 0xdd, 0, 0, ...v6], [...Array(20).fill(0)]]],
    // Raw IP (LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_RAW): decoded by the version nibble,
    // whatever the link type says; a version neither 4 nor 6.
    [228, [pkt, v6, [0x50, ...pkt.slice(1)]]],
    [229, [v6, pkt]],
    [101, [pkt, v6, [0x70, ...v6.slice(1)]]],
  ];
  let n = 0;
  for (const [lt, frames] of caps) {
    const r = compareCrafted(join(tmp, `lt${lt}.pcap`), lt, frames.map((d) => ({ data: Uint8Array.from(d), wirelen: d.length })), [[], ['-v'], ['-vv'], ['-e']]);
    assert.equal(r.problems, [], `linktype ${lt}`);
    n += r.exact;
  }
  console.log(`  NOTE tunnels-tshark: ${n} lines of ${caps.length} link types equal tcpdump's in full`);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
