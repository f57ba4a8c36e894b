// Headers the capture cut short (snaplen or a damaged record), as decode() shows them under
// pkt.cut: each field whose bytes were captured, in Wireshark's names, as tshark shows them.
// tshark 4.0 on frames cut at every length (test/dissect-cut.test.ts runs it): an IPv4 or
// IPv6 header keeps every field whose bytes are there (the quoted-datagram rule of
// host/app/icmp-quoted.ts, a header length under 20 stopping after it); a TCP header under
// its 20 fixed bytes shows the two ports and, from 16 bytes, the sequence and
// acknowledgment numbers, header length, flags, window and segment length; a UDP header
// under 8 bytes its ports and, from 6 bytes, its length. tcpdump prints the same transport ports before "[|tcp]" / "[|udp]".
// The descriptor says where: E_TRUNC_L3 with D_IP_VERSION but no L_IP4/L_IP6 (a cut IP
// header at D_L3_OFF), or E_TRUNC_L4 after a whole IP header with no L_TCP/L_UDP (a cut
// transport header at D_L4_OFF). Nothing past the captured bytes is read.
import type { PacketView } from './packet-view.js';
import { decodeQuoted, type QuotedIp, type QuotedIpv6 } from '../app/icmp-quoted.js';
import {
  E_TRUNC_L3, E_TRUNC_L4, L_IP4, L_IP6, L_TCP, L_UDP, L_ICMP, L_ICMP6, L_FRAG_HELD, L_REASM,
} from '../runtime/layout.js';

export interface CutPorts { srcport: number; dstport: number }
export interface CutTcp extends CutPorts {
  seq_raw?: number; ack_raw?: number; hdr_len?: number; flags?: number; window_size_value?: number; len?: number;
}
export interface CutUdp extends CutPorts { length?: number }

/** pkt.cut: the one header the capture cut, as far as it was captured. */
export interface DecodedCut {
  ip?: QuotedIp;
  ipv6?: QuotedIpv6;
  tcp?: CutTcp;
  udp?: CutUdp;
}

const be16 = (m: Uint8Array, p: number): number => (m[p] << 8) | m[p + 1];
const be32 = (m: Uint8Array, p: number): number => ((m[p] << 24) | (m[p + 1] << 16) | (m[p + 2] << 8) | m[p + 3]) >>> 0;

/** The cut header of the frame `v` describes (its bytes in `m` from `f`), or undefined. */
export function cutHeaders(v: PacketView, m: Uint8Array, f: number): DecodedCut | undefined {
  const l = v.layers;
  const e = v.errors;
  const end = f + v.capLen;
  if ((e & E_TRUNC_L3) !== 0 && (l & (L_IP4 | L_IP6)) === 0) {
    const ver = v.ipVersion;
    if (ver !== 4 && ver !== 6) return undefined;
    const q = decodeQuoted(m, f + v.l3Off, end);
    if (q === undefined) return undefined;
    return ver === 4 ? { ip: q.ip } : { ipv6: q.ipv6 };
  }
  if ((e & E_TRUNC_L4) === 0 || (l & (L_IP4 | L_IP6)) === 0) return undefined;
  if ((l & (L_TCP | L_UDP | L_ICMP | L_ICMP6 | L_FRAG_HELD | L_REASM)) !== 0 || v.fragOffset !== 0) return undefined;
  const p = f + v.l4Off;
  if (v.l4Off === 0 || p + 4 > end) return undefined;
  const ports: CutPorts = { srcport: be16(m, p), dstport: be16(m, p + 2) };
  if (v.ipProto === 6) {
    const tcp: CutTcp = ports;
    if (p + 16 <= end) {
      const hl = (m[p + 12] >>> 4) * 4;
      tcp.seq_raw = be32(m, p + 4);
      tcp.ack_raw = be32(m, p + 8);
      tcp.hdr_len = hl;
      tcp.flags = be16(m, p + 12) & 0x0FFF;
      tcp.window_size_value = be16(m, p + 14);
      tcp.len = Math.max(0, v.ipPayloadLen - hl);
    }
    return { tcp };
  }
  if (v.ipProto !== 17) return undefined;
  const udp: CutUdp = ports;
  if (p + 6 <= end) udp.length = be16(m, p + 4);
  return { udp };
}
