// The datagram an ICMP or ICMPv6 error quotes (RFC 792: its IP header and first 8 bytes;
// RFC 1812 §4.3.2.3 and RFC 4443 §3.1: as much as fits), as decode() and --json show it
// under pkt.icmp.quoted / pkt.icmpv6.quoted, in Wireshark's field names and as far as
// tshark 4.0 shows it: each IP header field whose bytes are in the quote (a quote cut
// inside the header keeps the fields before the cut), then the transport header of a
// quote holding the whole IP header and no later fragment: UDP with all 8 bytes, TCP's
// ports and sequence number with 8 (the rest of its fixed header with 20), an ICMP or
// ICMPv6 message's type and code, an IPv6-in-IPv4 header's fields. IPv6 extension headers
// are not walked (the transport is read only right after the fixed header). The quote is bounded by the captured bytes
// and the outer IP length: nothing past them is read.
import { ipv4ToString, ipv6ToString } from '../runtime/addr.js';
import { L_ICMP, L_ICMP6 } from '../runtime/layout.js';
import type { PacketView } from '../dissect/packet-view.js';

export interface QuotedIp {
  version?: number; hdr_len?: number; dsfield?: number; len?: number; id?: number;
  flags?: { rb: number; df: number; mf: number }; frag_offset?: number; ttl?: number; proto?: number; checksum?: number;
  src?: string; dst?: string;
}
export interface QuotedIpv6 { version?: number; tclass?: number; flow?: number; plen?: number; nxt?: number; hlim?: number; src?: string; dst?: string }
export interface QuotedTcp {
  srcport: number; dstport: number; seq: number;
  ack_raw?: number; hdr_len?: number; flags?: number; window_size_value?: number;
}
export interface QuotedUdp { srcport: number; dstport: number; length: number; checksum: number }
export interface QuotedIcmp { type: number; code: number }

/** pkt.icmp.quoted / pkt.icmpv6.quoted. */
export interface DecodedQuoted {
  ip?: QuotedIp;
  ipv6?: QuotedIpv6;
  tcp?: QuotedTcp;
  udp?: QuotedUdp;
  icmp?: QuotedIcmp;
  icmpv6?: QuotedIcmp;
}

/** ICMP (v6 false) or ICMPv6 types whose body quotes the datagram that caused them. */
export function isIcmpError(type: number, v6: boolean): boolean {
  return v6 ? type >= 1 && type <= 4 : type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

const be16 = (m: Uint8Array, p: number): number => (m[p] << 8) | m[p + 1];
const be32 = (m: Uint8Array, p: number): number => ((m[p] << 24) | (m[p + 1] << 16) | (m[p + 2] << 8) | m[p + 3]) >>> 0;

/** The transport header at `p` (protocol `proto`) of a quote ending at `end`. */
function transport(q: DecodedQuoted, m: Uint8Array, p: number, end: number, proto: number): void {
  if (proto === 17 && p + 8 <= end) {
    q.udp = { srcport: be16(m, p), dstport: be16(m, p + 2), length: be16(m, p + 4), checksum: be16(m, p + 6) };
  } else if (proto === 6 && p + 8 <= end) {
    const t: QuotedTcp = { srcport: be16(m, p), dstport: be16(m, p + 2), seq: be32(m, p + 4) };
    if (p + 20 <= end) {
      t.ack_raw = be32(m, p + 8);
      t.hdr_len = (m[p + 12] >>> 4) * 4;
      t.flags = be16(m, p + 12) & 0x0FFF;
      t.window_size_value = be16(m, p + 14);
    }
    q.tcp = t;
  } else if ((proto === 1 || proto === 58) && p + 2 <= end) {
    q[proto === 1 ? 'icmp' : 'icmpv6'] = { type: m[p], code: m[p + 1] };
  } else if (proto === 41 && p < end && q.ipv6 === undefined && m[p] >>> 4 === 6) {
    q.ipv6 = ipv6Fields(m, p, end); // IPv6 in IPv4 (RFC 4213): its header as far as quoted
  }
}

/** The fixed IPv6 header at `p`, each field whose bytes are before `end`. */
function ipv6Fields(m: Uint8Array, p: number, end: number): QuotedIpv6 {
  const has = (o: number, n: number): boolean => p + o + n <= end;
  const ip6: QuotedIpv6 = { version: 6 };
  if (has(0, 4)) { const w = be32(m, p); ip6.tclass = (w >>> 20) & 0xFF; ip6.flow = w & 0xFFFFF; }
  if (has(4, 2)) ip6.plen = be16(m, p + 4);
  if (has(6, 1)) ip6.nxt = m[p + 6];
  if (has(7, 1)) ip6.hlim = m[p + 7];
  if (has(8, 16)) ip6.src = ipv6ToString(m, p + 8);
  if (has(24, 16)) ip6.dst = ipv6ToString(m, p + 24);
  return ip6;
}

/** The quoted datagram from `p` to `end` (absolute offsets in `m`), or undefined when not
 *  one byte of it is there. */
export function decodeQuoted(m: Uint8Array, p: number, end: number): DecodedQuoted | undefined {
  if (p >= end) return undefined;
  const q: DecodedQuoted = {};
  const has = (o: number, n: number): boolean => p + o + n <= end;
  const version = m[p] >>> 4;
  if (version === 4) {
    const ip: QuotedIp = { version: 4, hdr_len: (m[p] & 15) * 4 };
    q.ip = ip;
    // A header length under 20 is bogus: Wireshark stops after it.
    if ((ip.hdr_len ?? 0) < 20) return q;
    if (has(1, 1)) ip.dsfield = m[p + 1];
    if (has(2, 2)) ip.len = be16(m, p + 2);
    if (has(4, 2)) ip.id = be16(m, p + 4);
    if (has(6, 2)) {
      const fl = m[p + 6];
      ip.flags = { rb: (fl >>> 7) & 1, df: (fl >>> 6) & 1, mf: (fl >>> 5) & 1 };
      ip.frag_offset = be16(m, p + 6) & 0x1FFF;
    }
    if (has(8, 1)) ip.ttl = m[p + 8];
    if (has(9, 1)) ip.proto = m[p + 9];
    if (has(10, 2)) ip.checksum = be16(m, p + 10);
    if (has(12, 4)) ip.src = ipv4ToString(be32(m, p + 12));
    if (has(16, 4)) ip.dst = ipv4ToString(be32(m, p + 16));
    const hlen = ip.hdr_len ?? 0;
    if (hlen >= 20 && has(0, hlen) && ip.frag_offset === 0) transport(q, m, p + hlen, end, m[p + 9]);
  } else if (version === 6) {
    q.ipv6 = ipv6Fields(m, p, end);
    if (has(0, 40)) transport(q, m, p + 40, end, m[p + 6]);
  }
  return q.ip === undefined && q.ipv6 === undefined ? undefined : q;
}

/** The quoted datagram of the ICMP/ICMPv6 error the view `v` describes (its bytes in `m`),
 *  or undefined: not an error, no 8-byte ICMP header, nothing quoted. */
export function quotedOf(v: PacketView, m: Uint8Array): DecodedQuoted | undefined {
  const v6 = (v.layers & L_ICMP6) !== 0;
  if ((v.layers & (L_ICMP | L_ICMP6)) === 0 || !isIcmpError(v.icmpType, v6) || v.payloadOff !== v.l4Off + 8) return undefined;
  const base = v.l4Base;
  return decodeQuoted(m, base + v.payloadOff, base + Math.min(v.l4CapEnd, v.payloadOff + v.payloadLen));
}
