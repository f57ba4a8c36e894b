// ICMP and ICMPv6 error messages quoting a datagram (RFC 792, RFC 4443 §3, RFC 1812 §4.3.2.3
// for quotes longer than 8 bytes), built byte by byte for the tests of decode()'s quoted
// datagram against tshark: UDP, TCP (8 bytes and a whole header), ICMP echo, IPv4 options,
// a non-first fragment, a quote cut inside the transport header or inside the IP header,
// ICMPv6 errors quoting UDP and TCP, time exceeded, redirect, parameter problem.
import { writeManyPcap } from './line-seeds.js';

const ip4 = (s: string): number[] => s.split('.').map(Number);
const be16 = (n: number): number[] => [(n >>> 8) & 255, n & 255];
const be32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const ip6 = (last: number): number[] => [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last];

function sum(m: number[], init = 0): number {
  let s = init;
  for (let i = 0; i + 1 < m.length; i += 2) s += (m[i] << 8) | m[i + 1];
  if (m.length & 1) s += m[m.length - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}
const cks = (m: number[], init = 0): number => ~sum(m, init) & 0xffff;

/** An IPv4 header (checksum set) for `payloadLen` bytes of protocol `proto`. */
function ipv4(proto: number, payloadLen: number, src: string, dst: string, o: { ttl?: number; frag?: number; options?: number[]; total?: number } = {}): number[] {
  const opts = o.options ?? [];
  const hlen = 20 + opts.length;
  const h = [0x40 | (hlen / 4), 0, ...be16(o.total ?? hlen + payloadLen), 0xbe, 0xef, ...be16(o.frag ?? 0), o.ttl ?? 64, proto, 0, 0, ...ip4(src), ...ip4(dst), ...opts];
  const c = cks(h);
  h[10] = c >>> 8; h[11] = c & 255;
  return h;
}

function ipv6(nxt: number, payloadLen: number, src: number, dst: number): number[] {
  return [0x60, 0, 0, 0, ...be16(payloadLen), nxt, 64, ...ip6(src), ...ip6(dst)];
}

const udp = (sp: number, dp: number, len: number): number[] => [...be16(sp), ...be16(dp), ...be16(len), 0x12, 0x34];
const tcp20 = [...be16(40000), ...be16(80), ...be32(0x01020304), ...be32(0x0a0b0c0d), 0x50, 0x12, ...be16(29200), 0, 0, 0, 0];

/** Ethernet + IPv4 + ICMP error (type, code, 4 bytes) quoting `quoted`. */
function icmpError(type: number, code: number, rest: number[], quoted: number[]): Uint8Array {
  const icmp = [type, code, 0, 0, ...rest, ...quoted];
  const c = cks(icmp);
  icmp[2] = c >>> 8; icmp[3] = c & 255;
  return Uint8Array.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0, ...ipv4(1, icmp.length, '192.0.2.1', '198.51.100.7'), ...icmp]);
}

/** Ethernet + IPv6 + ICMPv6 error quoting `quoted` (checksum over the pseudo-header). */
function icmp6Error(type: number, code: number, rest: number[], quoted: number[]): Uint8Array {
  const m = [type, code, 0, 0, ...rest, ...quoted];
  const pseudo = [...ip6(1), ...ip6(7), ...be32(m.length), 0, 0, 0, 58];
  const c = cks(m, sum(pseudo));
  m[2] = c >>> 8; m[3] = c & 255;
  return Uint8Array.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd, ...ipv6(58, m.length, 1, 7), ...m]);
}

export interface IcmpErrorSeed { name: string; frame: Uint8Array }

export function icmpErrorSeeds(): IcmpErrorSeed[] {
  const q = (name: string, frame: Uint8Array): IcmpErrorSeed => ({ name, frame });
  const quotedUdp = [...ipv4(17, 40, '198.51.100.7', '192.0.2.1', { ttl: 3 }), ...udp(5353, 33434, 40)];
  return [
    q('port unreachable, UDP', icmpError(3, 3, [0, 0, 0, 0], quotedUdp)),
    q('port unreachable, UDP with its payload', icmpError(3, 3, [0, 0, 0, 0], [...ipv4(17, 20, '198.51.100.7', '192.0.2.1'), ...udp(1000, 53, 20), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])),
    q('host unreachable, TCP 8 bytes', icmpError(3, 1, [0, 0, 0, 0], [...ipv4(6, 40, '198.51.100.7', '192.0.2.1'), ...tcp20.slice(0, 8)])),
    q('time exceeded, whole TCP header', icmpError(11, 0, [0, 0, 0, 0], [...ipv4(6, 20, '198.51.100.7', '192.0.2.1', { ttl: 1 }), ...tcp20])),
    q('need to frag, DF set', icmpError(3, 4, [0, 0, ...be16(1400)], [...ipv4(6, 1460, '198.51.100.7', '192.0.2.1', { frag: 0x4000 }), ...tcp20.slice(0, 8)])),
    q('redirect, ICMP echo', icmpError(5, 1, ip4('192.0.2.254'), [...ipv4(1, 64, '198.51.100.7', '203.0.113.9'), 8, 0, 0x12, 0x34, 0, 7, 0, 1])),
    q('parameter problem, IPv4 options', icmpError(12, 0, [20, 0, 0, 0], [...ipv4(17, 12, '198.51.100.7', '192.0.2.1', { options: [0x94, 4, 0, 0] }), ...udp(7, 7, 12)])),
    q('source quench, non-first fragment', icmpError(4, 0, [0, 0, 0, 0], [...ipv4(17, 100, '198.51.100.7', '192.0.2.1', { frag: 0x0010 }), 1, 2, 3, 4, 5, 6, 7, 8])),
    q('first fragment quoted (MF)', icmpError(11, 1, [0, 0, 0, 0], [...ipv4(17, 1480, '198.51.100.7', '192.0.2.1', { frag: 0x2000 }), ...udp(4000, 5000, 3000)])),
    q('quote cut in the UDP header', icmpError(3, 3, [0, 0, 0, 0], [...ipv4(17, 40, '198.51.100.7', '192.0.2.1'), 0x13, 0x88, 0x00])),
    q('quote cut in the IP header', icmpError(3, 3, [0, 0, 0, 0], ipv4(17, 40, '198.51.100.7', '192.0.2.1').slice(0, 12))),
    q('unreachable, IPv6 inside IPv4 quoted', icmpError(3, 2, [0, 0, 0, 0], [...ipv4(41, 40, '198.51.100.7', '192.0.2.1'), 0x60, 0, 0, 0, 0, 8, 17, 64])),
    q('ICMPv6 port unreachable, UDP', icmp6Error(1, 4, [0, 0, 0, 0], [...ipv6(17, 16, 7, 1), ...udp(33434, 53, 16), 1, 2, 3, 4, 5, 6, 7, 8])),
    q('ICMPv6 time exceeded, TCP', icmp6Error(3, 0, [0, 0, 0, 0], [...ipv6(6, 20, 7, 1), ...tcp20])),
    q('ICMPv6 packet too big, TCP 8 bytes', icmp6Error(2, 0, be32(1280), [...ipv6(6, 1400, 7, 1), ...tcp20.slice(0, 8)])),
    q('ICMPv6 parameter problem, quote cut', icmp6Error(4, 0, be32(6), ipv6(17, 16, 7, 1).slice(0, 30))),
  ];
}

export function writeIcmpErrorCapture(path: string): IcmpErrorSeed[] {
  const seeds = icmpErrorSeeds();
  writeManyPcap(path, seeds.map((s) => s.frame), seeds.map((s) => s.frame.length));
  return seeds;
}
