// Hand-assembled frames of every kind the dissector knows, with correct lengths and
// checksums (computed here by a plain RFC 1071 loop, independent of the engine). Used by
// the fuzzers as mutation seeds and by the dissection benchmark as its mixed batch.
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_NULL, LINKTYPE_RAW } from '../../host/runtime/layout.js';

export interface SampleFrame { name: string; data: Uint8Array; linktype: number }

export function refChecksum(bytes: Uint8Array, initial = 0): number {
  let s = initial;
  for (let i = 0; i + 1 < bytes.length; i += 2) s += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.length & 1) s += bytes[bytes.length - 1] << 8;
  while (s > 0xFFFF) s = (s & 0xFFFF) + Math.floor(s / 65536);
  return s;
}

const hex = (s: string): number[] => (s.match(/../g) ?? []).map((x) => parseInt(x, 16));
const be16 = (v: number): number[] => [(v >>> 8) & 255, v & 255];
const be32 = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];

const MAC_A = hex('020000000001');
const MAC_B = hex('020000000002');
const V4_A = [192, 0, 2, 1];
const V4_B = [198, 51, 100, 7];
const V6_A = hex('20010db8000000000000000000000001');
const V6_B = hex('20010db8000000000000000000000002');

function ipv4(proto: number, payload: number[], opts: number[] = [], fragWord = 0x4000): number[] {
  const hl = 20 + opts.length;
  const h = [0x40 | (hl >> 2), 0, ...be16(hl + payload.length), ...be16(0x1234), ...be16(fragWord), 64, proto, 0, 0, ...V4_A, ...V4_B, ...opts];
  const c = ~refChecksum(Uint8Array.from(h)) & 0xFFFF;
  h[10] = c >>> 8; h[11] = c & 255;
  return [...h, ...payload];
}

function l4v4(proto: number, seg: number[], ckOff: number): number[] {
  const pseudo = refChecksum(Uint8Array.from([...V4_A, ...V4_B, 0, proto, ...be16(seg.length)]));
  const c = ~refChecksum(Uint8Array.from(seg), pseudo) & 0xFFFF;
  seg[ckOff] = c >>> 8; seg[ckOff + 1] = c & 255;
  return seg;
}

function l4v6(nxt: number, seg: number[], ckOff: number): number[] {
  const pseudo = refChecksum(Uint8Array.from([...V6_A, ...V6_B, ...be32(seg.length), 0, 0, 0, nxt]));
  const c = ~refChecksum(Uint8Array.from(seg), pseudo) & 0xFFFF;
  seg[ckOff] = c >>> 8; seg[ckOff + 1] = c & 255;
  return seg;
}

function ipv6(nxt: number, payload: number[]): number[] {
  return [0x60, 0, 0, 0, ...be16(payload.length), nxt, 64, ...V6_A, ...V6_B, ...payload];
}

function tcp(opts: number[], data: number[], flags = 0x018): number[] {
  const hl = 20 + opts.length;
  return [...be16(43210), ...be16(80), ...be32(0x01020304), ...be32(0x0a0b0c0d), (hl / 4) << 4, flags, ...be16(65535), 0, 0, 0, 0, ...opts, ...data];
}

function udp(data: number[]): number[] {
  return [...be16(5353), ...be16(53), ...be16(8 + data.length), 0, 0, ...data];
}

const payload = (n: number): number[] => Array.from({ length: n }, (_, i) => (i * 7 + 3) & 255);
const eth = (type: number, rest: number[]): number[] => [...MAC_B, ...MAC_A, ...be16(type), ...rest];

export function buildSampleFrames(): SampleFrame[] {
  const tcpOpts = [2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, ...be32(1000), ...be32(2000), 1, 1, 5, 10, ...be32(100), ...be32(200)];
  const tcpSeg = l4v4(6, tcp(tcpOpts, payload(100), 0x012), 16);
  const out: SampleFrame[] = [
    { name: 'eth-ipv4-tcp-options', data: Uint8Array.from(eth(0x0800, ipv4(6, tcpSeg))), linktype: LINKTYPE_ETHERNET },
    { name: 'eth-vlan-ipv4-udp', data: Uint8Array.from(eth(0x8100, [0x20, 0x64, ...be16(0x0800), ...ipv4(17, l4v4(17, udp(payload(40)), 6))])), linktype: LINKTYPE_ETHERNET },
    { name: 'eth-qinq-ipv4-udp', data: Uint8Array.from(eth(0x88a8, [0x00, 0x0a, 0x81, 0x00, 0x00, 0x14, ...be16(0x0800), ...ipv4(17, l4v4(17, udp(payload(12)), 6))])), linktype: LINKTYPE_ETHERNET },
    { name: 'eth-ipv6-tcp', data: Uint8Array.from(eth(0x86dd, ipv6(6, l4v6(6, tcp([2, 4, 0x05, 0xa0], payload(64)), 16)))), linktype: LINKTYPE_ETHERNET },
    {
      name: 'eth-ipv6-ext-udp',
      // hop-by-hop (PadN) -> destination options -> fragment (first, more) -> UDP
      data: Uint8Array.from(eth(0x86dd, ipv6(0, [60, 0, 1, 4, 0, 0, 0, 0, 44, 0, 1, 4, 0, 0, 0, 0, 17, 0, 0x00, 0x01, ...be32(0xdeadbeef), ...l4v6(17, udp(payload(30)), 6)]))),
      linktype: LINKTYPE_ETHERNET,
    },
    { name: 'eth-ipv4-icmp-echo', data: Uint8Array.from(eth(0x0800, ipv4(1, l4v4Icmp([8, 0, 0, 0, ...be16(0x4242), ...be16(7), ...payload(56)])))), linktype: LINKTYPE_ETHERNET },
    { name: 'eth-ipv6-icmpv6-echo', data: Uint8Array.from(eth(0x86dd, ipv6(58, l4v6(58, [128, 0, 0, 0, ...be16(1), ...be16(2), ...payload(32)], 2)))), linktype: LINKTYPE_ETHERNET },
    { name: 'eth-arp', data: Uint8Array.from(eth(0x0806, [0, 1, 8, 0, 6, 4, 0, 1, ...MAC_A, ...V4_A, 0, 0, 0, 0, 0, 0, ...V4_B, ...new Array<number>(18).fill(0)])), linktype: LINKTYPE_ETHERNET },
    { name: 'eth-ipv4-options-tcp', data: Uint8Array.from(eth(0x0800, ipv4(6, l4v4(6, tcp([], payload(10)), 16), [0x94, 4, 0, 0]))), linktype: LINKTYPE_ETHERNET },
    { name: 'eth-ipv4-fragment', data: Uint8Array.from(eth(0x0800, ipv4(17, payload(48), [], 0x2000 | 185))), linktype: LINKTYPE_ETHERNET },
    { name: 'sll-ipv4-tcp', data: Uint8Array.from([0, 0, 0, 1, 0, 6, ...MAC_A, 0, 0, ...be16(0x0800), ...ipv4(6, tcpSeg)]), linktype: LINKTYPE_LINUX_SLL },
    { name: 'sll2-ipv6-udp', data: Uint8Array.from([...be16(0x86dd), 0, 0, ...be32(2), 0, 1, 0, 6, ...MAC_A, 0, 0, ...ipv6(17, l4v6(17, udp(payload(20)), 6))]), linktype: LINKTYPE_LINUX_SLL2 },
    { name: 'null-ipv4-udp', data: Uint8Array.from([2, 0, 0, 0, ...ipv4(17, l4v4(17, udp(payload(8)), 6))]), linktype: LINKTYPE_NULL },
    { name: 'raw-ipv6-tcp', data: Uint8Array.from(ipv6(6, l4v6(6, tcp([], payload(5)), 16))), linktype: LINKTYPE_RAW },
  ];
  return out;
}

function l4v4Icmp(msg: number[]): number[] {
  const c = ~refChecksum(Uint8Array.from(msg)) & 0xFFFF;
  msg[2] = c >>> 8; msg[3] = c & 255;
  return msg;
}
