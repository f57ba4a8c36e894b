// ICMPv6 as tcpdump 4.99's print-icmp6.c prints it: "ICMP6, <type name>" and what each
// type adds (addresses, MLD records, neighbour-discovery flags and, with -v, options), the
// checksum verdict with -v, "length N", and for a type tcpdump does not name "unknown icmp6
// type (N), length N" with the message bytes in hex. The message starts at the descriptor's
// L4 offset; its fields sit at fixed offsets of the ICMPv6 formats (RFC 4443, 4861, 3810,
// 2894). Node information and RPL messages, which have printers of their own in tcpdump,
// end after their name.
import type { TextState } from './state.js';
import { bitNames } from './names.js';
import { onesSum, shouldBe } from './inet-checksum.js';
import { pseudoSum6 } from './ip6.js';
import { writeNdOptions } from './icmp6-nd.js';
import { writeMld, writeMldv2Query, writeMldv2Report, writeRouterRenumbering } from './icmp6-mld.js';
import { QUOTED_LEVEL, scratchDissector } from './record-dissector.js';
import { LINKTYPE_IPV6 } from '../../runtime/layout.js';

const TYPE_NAMES: Record<number, string> = {
  1: 'destination unreachable', 2: 'packet too big', 3: 'time exceeded in-transit', 4: 'parameter problem',
  128: 'echo request', 129: 'echo reply', 130: 'multicast listener query', 131: 'multicast listener report',
  132: 'multicast listener done', 133: 'router solicitation', 134: 'router advertisement',
  135: 'neighbor solicitation', 136: 'neighbor advertisement', 137: 'redirect', 138: 'router renumbering',
  141: 'inverse neighbor solicitation', 142: 'inverse neighbor advertisement', 143: 'multicast listener report v2',
  144: 'ha discovery request', 145: 'ha discovery reply', 146: 'mobile router solicitation',
  147: 'mobile router advertisement', 139: 'who-are-you request', 140: 'who-are-you reply',
  200: 'mtrace response', 201: 'mtrace message', 155: 'RPL',
};
const UNREACH_CODES = ['unreachable route', ' unreachable prohibited', 'beyond scope', 'unreachable address', 'unreachable port'];
const PARAM_CODES = ['erroneous', 'next header', 'option', 'incomplete header chain'];
const RA_FLAGS: Array<[number, string]> = [[0x80, 'managed'], [0x40, 'other stateful'], [0x20, 'home agent'], [0x02, 'ipv6 only']];
const NA_FLAGS: Array<[number, string]> = [[0x80000000, 'router'], [0x40000000, 'solicited'], [0x20000000, 'override']];
export const RT_PREF = ['medium', 'high', 'rsv', 'low'];

/** icmp6_print(): bp the message, length its length per the IPv6 header(s), ip the IPv6
 *  header (for the checksum's pseudo-header). */
export function writeIcmp6(st: TextState, bp: number, length: number, fragmented: boolean, ip: number): void {
  const out = st.out;
  const m = st.m;
  st.proto = 'icmp6';
  if (length === 0) { out.str('ICMP6, length 0 (invalid)'); return; }
  if (st.vflag && !fragmented && st.has(bp, length)) {
    const s = onesSum(m, bp, length, pseudoSum6(st, ip) + (length >>> 16) + (length & 0xFFFF) + 58);
    const field = (m[bp + 2] << 8) | m[bp + 3];
    if (s !== 0xFFFF) out.str('[bad icmp6 cksum 0x').hex(field, 4).str(' -> 0x').hex(shouldBe(field, s), 4).str('!] ');
    else out.str('[icmp6 sum ok] ');
  }
  const type = st.g8(bp);
  if (st.dead) return;
  out.str('ICMP6, ');
  const name = TYPE_NAMES[type];
  if (name !== undefined) out.str(name); else out.str('unknown icmp6 type (').dec(type).ch(41);
  if (st.vflag && (type === 133 || type === 134 || type === 135 || type === 136 || type === 137 || type === 145 || type === 147)) {
    out.str(', length ').dec(length);
  }
  const code = st.g8(bp + 1);
  if (st.dead) return;
  const oip = bp + 8; // the quoted packet of an error message
  switch (type) {
    case 1:
      out.str(', ');
      if (code < UNREACH_CODES.length) out.str(UNREACH_CODES[code]); else out.str('unknown unreach code (').dec(code).ch(41);
      if (code === 0 || code === 1 || code === 3) {
        if (!st.get(oip + 24, 16)) return;
        out.ch(32).ipv6At(m, oip + 24);
      } else if (code === 2) {
        if (!st.get(oip + 24, 16) || !st.get(oip + 8, 16)) return;
        out.ch(32).ipv6At(m, oip + 24).str(', source address ').ipv6At(m, oip + 8);
      } else if (code === 4) {
        if (!writePortUnreachable(st, oip)) return;
      } else if (st.vflag <= 1) {
        st.unknownData(bp, length);
        return;
      }
      break;
    case 2: {
      const mtu = st.g32(bp + 4);
      if (st.dead) return;
      out.str(', mtu ').dec(mtu);
      break;
    }
    case 3:
      if (code === 0) {
        if (!st.get(oip + 24, 16)) return;
        out.str(' for ').ipv6At(m, oip + 24);
      } else if (code === 1) out.str(' (reassembly)');
      else out.str(', unknown code (').dec(code).ch(41);
      break;
    case 4: {
      if (!st.need(oip + 24, 16)) return;
      if (code < PARAM_CODES.length) {
        const ptr = st.g32(bp + 4);
        if (st.dead) return;
        out.str(', ').str(PARAM_CODES[code]).str(' - octet ').dec(ptr);
      } else out.str(', code-#').dec(code);
      break;
    }
    case 128: case 129: {
      const id = st.g16(bp + 4);
      const seq = st.g16(bp + 6);
      if (st.dead) return;
      out.str(', id ').dec(id).str(', seq ').dec(seq);
      break;
    }
    case 130:
      if (length === 24) writeMld(st, bp);
      else if (length >= 28) { out.str(' v2'); writeMldv2Query(st, bp, length); }
      else out.str(' unknown-version (len ').dec(length).str(') ');
      break;
    case 131: case 132: writeMld(st, bp); break;
    case 133:
      if (st.vflag && !writeNdOptions(st, bp + 8, length - 8)) { st.trunc(); return; }
      break;
    case 134:
      if (st.vflag) {
        const hops = st.g8(bp + 4);
        const flags = st.g8(bp + 5);
        const lifetime = st.g16(bp + 6);
        const reachable = st.g32(bp + 8);
        const retrans = st.g32(bp + 12);
        if (st.dead) return;
        out.str('\n\thop limit ').dec(hops).str(', Flags [');
        st.out.str(bitNames(flags, RA_FLAGS));
        out.str('], pref ').str(RT_PREF[(flags & 0x18) >> 3]).str(', router lifetime ').dec(lifetime)
          .str('s, reachable time ').dec(reachable).str('ms, retrans timer ').dec(retrans).str('ms');
        if (!writeNdOptions(st, bp + 16, length - 16)) { st.trunc(); return; }
      }
      break;
    case 135:
      if (!st.get(bp + 8, 16)) return;
      out.str(', who has ').ipv6At(m, bp + 8);
      if (st.vflag && !writeNdOptions(st, bp + 24, length - 24)) { st.trunc(); return; }
      break;
    case 136:
      if (!st.get(bp + 8, 16)) return;
      out.str(', tgt is ').ipv6At(m, bp + 8);
      if (st.vflag) {
        const flags = st.g32(bp + 4);
        if (st.dead) return;
        out.str(', Flags [');
        st.out.str(bitNames(flags, NA_FLAGS));
        out.ch(93);
        if (!writeNdOptions(st, bp + 24, length - 24)) { st.trunc(); return; }
      }
      break;
    case 137:
      if (!st.get(bp + 8, 16)) return;
      out.str(', ').ipv6At(m, bp + 8);
      if (!st.get(bp + 24, 16)) return;
      out.str(' to ').ipv6At(m, bp + 24);
      if (st.vflag && !writeNdOptions(st, bp + 40, length - 40)) { st.trunc(); return; }
      break;
    case 138: writeRouterRenumbering(st, bp); if (st.dead) return; break;
    case 139: case 140: case 155:
      // Node information and RPL: printers of their own in tcpdump.
      st.markCut();
      break;
    case 141: case 142: break;
    case 143: writeMldv2Report(st, bp, length); break;
    case 144: case 146: {
      const id = st.g16(bp + 4);
      if (st.dead) return;
      out.str(', id 0x').hex(id, 4);
      break;
    }
    case 145:
      if (st.vflag) {
        const id = st.g16(bp + 4);
        if (st.dead) return;
        out.str(', id 0x').hex(id, 4);
        for (let p = bp + 8; p < bp + length; p += 16) {
          if (!st.get(p, 16)) return;
          out.str(', ').ipv6At(m, p);
        }
      }
      break;
    case 147:
      if (st.vflag) {
        const id = st.g16(bp + 4);
        const flags = st.g16(bp + 6);
        if (st.dead) return;
        out.str(', id 0x').hex(id, 4);
        if (flags & 0xc000) out.ch(32);
        if (flags & 0x8000) out.ch(77);
        if (flags & 0x4000) out.ch(79);
        if (!writeNdOptions(st, bp + 8, length - 8)) { st.trunc(); return; }
      }
      break;
    default:
      out.str(', length ').dec(length);
      if (st.vflag <= 1) st.unknownData(bp, length);
      return;
  }
  if (!st.vflag) out.str(', length ').dec(length);
}

/** ", <dst> tcp|udp port N" for a port unreachable: the quoted packet's transport header,
 *  located by dissecting the quoted packet (the descriptor covers the outer one only). */
function writePortUnreachable(st: TextState, oip: number): boolean {
  const out = st.out;
  if (!st.need(oip + 6, 1)) return false;
  const caplen = st.snapend > oip ? st.snapend - oip : 0;
  const qv = scratchDissector().dissect(st.m.subarray(oip, oip + caplen), LINKTYPE_IPV6, caplen, QUOTED_LEVEL);
  const proto = qv.ipProto;
  const l4 = qv.l4Off;
  // tcpdump needs the destination port captured, after the headers it walks.
  if ((proto !== 6 && proto !== 17) || l4 === 0 || l4 + 4 > caplen) { st.trunc(); return false; }
  const dport = (st.m[oip + l4 + 2] << 8) | st.m[oip + l4 + 3];
  if (!st.get(oip + 24, 16)) return false;
  out.str(', ').ipv6At(st.m, oip + 24).str(proto === 6 ? ' tcp port ' : ' udp port ').dec(dport);
  return true;
}

