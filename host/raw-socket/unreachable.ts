// ICMP and ICMPv6 Destination Unreachable messages, read for the probe they quote (RFC 792:
// the offending IP header plus at least 8 octets of its payload; RFC 4443 §3.1: as much
// of the offending packet as fits). What synprobe needs: who sent the error, its code,
// and the quoted TCP probe's addresses, ports and sequence number, so that the error is
// matched to one of our SYNs and not believed otherwise.
import { ipv4ToString, ipv6ToString } from '../runtime/addr.js';

export interface QuotedTcp {
  /** Source of the ICMP message (the target itself, or a router on the way). */
  from: string;
  type: number;
  code: number;
  /** The quoted probe. */
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
}

/** An IPv4 raw socket's packet (IP header included) holding an ICMP Destination
 *  Unreachable (type 3) that quotes a TCP segment; null for anything else or a cut one. */
export function unreachableTcp4(buf: Uint8Array): QuotedTcp | null {
  if (buf.length < 20 || buf[0] >> 4 !== 4 || buf[9] !== 1) return null;
  const hl = (buf[0] & 15) * 4;
  const icmp = hl;
  if (hl < 20 || buf.length < icmp + 8 || buf[icmp] !== 3) return null;
  const inner = icmp + 8;
  if (buf.length < inner + 20 || buf[inner] >> 4 !== 4 || buf[inner + 9] !== 6) return null;
  const ihl = (buf[inner] & 15) * 4;
  const tcp = inner + ihl;
  if (ihl < 20 || buf.length < tcp + 8) return null;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return {
    from: ipv4ToString(dv.getUint32(12)), type: 3, code: buf[icmp + 1],
    src: ipv4ToString(dv.getUint32(inner + 12)), dst: ipv4ToString(dv.getUint32(inner + 16)),
    sport: dv.getUint16(tcp), dport: dv.getUint16(tcp + 2), seq: dv.getUint32(tcp + 4),
  };
}

/** An IPv6 raw socket's ICMPv6 message (no IPv6 header; `source` as the socket gives it)
 *  holding a Destination Unreachable (type 1) that quotes a TCP segment right after the
 *  IPv6 header (synprobe's SYNs carry no extension headers); null otherwise. */
export function unreachableTcp6(buf: Uint8Array, source: string): QuotedTcp | null {
  if (buf.length < 8 + 40 + 8 || buf[0] !== 1) return null;
  const inner = 8;
  if (buf[inner] >> 4 !== 6 || buf[inner + 6] !== 6) return null;
  const tcp = inner + 40;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return {
    from: source, type: 1, code: buf[1],
    src: ipv6ToString(buf, inner + 8), dst: ipv6ToString(buf, inner + 24),
    sport: dv.getUint16(tcp), dport: dv.getUint16(tcp + 2), seq: dv.getUint32(tcp + 4),
  };
}

// nmap's reason for each code it takes as "filtered" in a SYN scan (nmap 7.93, checked
// against nmap itself by test/synprobe-unreachable.test.ts); codes nmap ignores (IPv4's
// fragmentation needed, source route failed, ...) are absent: such a message settles
// nothing and the probe goes on to its timeout, as nmap's does.
const REASON4: Readonly<Record<number, string>> = {
  0: 'net-unreach', 1: 'host-unreach', 2: 'proto-unreach', 3: 'port-unreach',
  9: 'net-prohibited', 10: 'host-prohibited', 13: 'admin-prohibited',
};
const REASON6: Readonly<Record<number, string>> = {
  0: 'no-route', 1: 'admin-prohibited', 2: 'beyond-scope', 3: 'host-unreach', 4: 'port-unreach',
  5: 'admin-prohibited', // source address failed ingress/egress policy (RFC 4443): nmap's word
  6: 'reject-route',
};

/** nmap's reason for a Destination Unreachable code, or null when nmap ignores the code. */
export function unreachableReason(v6: boolean, code: number): string | null {
  return (v6 ? REASON6 : REASON4)[code] ?? null;
}
