// IPv6 and its extension headers as tcpdump 4.99 prints them (print-ip6.c, print-ip6opts.c,
// print-frag6.c, print-rt6.c, print-ah.c). The chain is the dissector's: it counts the
// extension headers (IP6_EXT_COUNT), records where each starts (the first at L3_OFF + 40,
// the next four in IP6_EXT_OFF) and where the upper layer begins (L3_OFF + L3_HDR_LEN), and
// finds a Jumbo Payload option (IP6_JUMBO_OFF). A header's type is the next-header field of
// the one before; its fields and options are read where the descriptor placed it.
import type { TextState } from './state.js';
import { ipprotoName } from './names.js';
import { onesSum } from './inet-checksum.js';
import { writeAh, writeIpDemux } from './ip.js';
import { L_FRAG } from '../../runtime/layout.js';

/** ip6_print(): bp is the IPv6 header (the descriptor's L3_OFF), length the bytes after
 *  the link header on the wire. */
export function writeIp6(st: TextState, bp: number, length: number): void {
  const v = st.v;
  const out = st.out;
  const m = st.m;
  st.proto = 'ip6';
  if (!st.need(bp, 40)) return;
  if (length < 40) { out.str('truncated-ip6 ').dec(length); return; }
  if (!st.eflag) out.str('IP6 ');
  const ver = m[bp] >>> 4;
  if (ver !== 6) { out.str('version error: ').dec(ver).str(' != 6'); return; }
  const plen = (m[bp + 4] << 8) | m[bp + 5];
  const nh0 = v.ipNxt;
  // A payload length of 0 leaves the length to a Jumbo Payload option (RFC 2675), which the
  // dissector looks for in the hop-by-hop header; until one is seen, the packet runs to the
  // end of the frame, as in tcpdump.
  let len = plen !== 0 ? plen + 40 : length + 40;
  if (plen !== 0 && length < len) out.str('truncated-ip6 - ').dec(len - length).str(' bytes missing!');
  const jo = v.ip6JumboOff;
  const jumbo = jo !== 0 ? (((m[st.f + jo] << 24) | (m[st.f + jo + 1] << 16) | (m[st.f + jo + 2] << 8) | m[st.f + jo + 3]) >>> 0) : 0;
  const jumboValid = plen === 0 && jumbo >= 65536;
  if (st.vflag) {
    const tclass = v.tos;
    const flow = v.flowLabel;
    out.ch(40);
    if (tclass) out.str('class 0x').hex(tclass, 2).str(', ');
    if (flow) out.str('flowlabel 0x').hex(flow, 5).str(', ');
    out.str('hlim ').dec(v.ttl).str(', next-header ').str(ipprotoName(nh0)).str(' (').dec(nh0).str(') payload length: ').dec(plen).str(') ');
  }
  if (bp + len < st.snapend) st.snapend = bp + len;
  const count = v.ip6ExtCount;
  const end = st.f + v.l3Off + v.l3HdrLen; // where the dissector found the upper layer
  let nh = nh0;
  let cp = bp;
  let advance = 40;
  let total = 0;
  let fragmented = false;
  let foundExt = false;
  for (let k = 0; ; k++) {
    if (cp >= st.snapend || advance <= 0) return;
    if (len < advance) { st.trunc(); return; }
    cp += advance;
    len -= advance;
    total += advance;
    if (k === 0 && nh !== 6 && nh !== 17 && nh !== 33 && nh !== 132) {
      out.ipv6At(m, bp + 8).str(' > ').ipv6At(m, bp + 24).str(': ');
    }
    if (k >= count) break;
    const next = k + 1 < count ? extStart(st, k + 1) : end;
    if (next <= cp) {
      // The descriptor records where the first five headers start, so the end of the fifth
      // is unknown in a longer chain: its headers from the fifth on are not printed, the
      // upper layer is (generic cut).
      st.markCut();
      len -= end - cp;
      cp = end;
      nh = v.ipProto;
      fragmented = (v.layers & L_FRAG) !== 0;
      break;
    }
    advance = next - cp;
    switch (nh) {
      case 0:
        if (k > 0) {
          out.str(nh0 === 0 ? '[The Hop-by-Hop Options header was already found]' : "[The Hop-by-Hop Options header don't follow the IPv6 header]");
          out.str(' (invalid)');
          return;
        }
        if (!writeOptionsHeader(st, cp, advance, 0, plen) && st.dead) return;
        if (plen === 0 && !jumboValid) { out.str('[No valid Jumbo Payload Hop-by-Hop option found] (invalid)'); return; }
        if (st.softTrunc) return;
        break;
      case 60:
        if (!writeOptionsHeader(st, cp, advance, 60, plen)) return;
        break;
      case 44:
        if (!writeFrag(st, cp, bp, plen)) return;
        if (st.snapend <= cp + 8) return;
        fragmented = true;
        break;
      case 43:
        if (!writeRouting(st, cp)) return;
        break;
      case 51:
        // tcpdump hands AH to its demultiplexer, which prints what follows with its own
        // rules (an extension header there is just "ip-proto-N").
        if (writeAh(st, cp) <= 0 || st.dead) return;
        writeIpDemux(st, next, len - advance, 6, fragmented, m[cp], bp);
        return;
      default:
        // Mobility, HIP, shim6: printers of their own in tcpdump, ended here in its
        // generic form (the dissector steps over them).
        writeUpper(st, cp, len, nh, bp, fragmented, jumboValid, jumbo, total, foundExt, length);
        return;
    }
    foundExt = true;
    st.proto = 'ip6';
    nh = m[cp];
  }
  // The upper layer, or an extension header the capture cut short: its printer prints what
  // was captured of it and stops the line.
  switch (nh) {
    case 0: case 60:
      st.proto = nh === 0 ? 'hbhopt' : 'dstopt';
      st.get(cp, 2);
      return;
    case 44: writeFrag(st, cp, bp, plen); return;
    case 43: if (st.need(cp, 1)) writeRouting(st, cp); return;
    default:
      writeUpper(st, cp, len, nh, bp, fragmented, jumboValid, jumbo, total, foundExt, length);
  }
}

/** The default branch of ip6_print(): settle the payload length (a jumbogram's, or none for
 *  a payload length of 0 without one) and hand the upper layer to the demultiplexer. */
function writeUpper(st: TextState, cp: number, len0: number, nh: number, bp: number, fragmented: boolean,
  jumboValid: boolean, jumbo: number, total: number, foundExt: boolean, length: number): void {
  let len = len0;
  if (jumboValid) {
    len = jumbo + 40;
    if (len < total) { st.trunc(); return; }
    if (length < len) st.out.str('truncated-ip6 - ').dec(len - length).str(' bytes missing!');
    if (bp + len <= st.snapend) st.snapend = bp + len;
    len -= total;
  } else if (((st.m[bp + 4] << 8) | st.m[bp + 5]) === 0) {
    if (foundExt) { st.trunc(); return; }
    if (bp + 40 <= st.snapend) st.snapend = bp + 40;
    len = 40 - total;
  }
  writeIpDemux(st, cp, len, 6, fragmented, nh, bp);
}

/** Where extension header k (from 1) starts: the descriptor keeps headers 2..5, from
 *  L3_OFF in 4-byte units; 0 for any other. */
function extStart(st: TextState, k: number): number {
  if (k > 4) return 0;
  const u = st.v.ip6ExtOff(k - 1);
  return u === 0 ? 0 : st.f + st.v.l3Off + u * 4;
}

/** hbhopt_process() / dstopt_process(): the name, and the options (always walked for
 *  hop-by-hop, only with -v for destination options); false when the line ends here. */
function writeOptionsHeader(st: TextState, cp: number, hl: number, nh: number, plen: number): boolean {
  st.proto = nh === 0 ? 'hbhopt' : 'dstopt';
  st.g8(cp + 1);
  if (st.dead) return false;
  // tcpdump prints these two markers and returns, rather than abandoning the packet.
  if (!st.has(cp, hl)) { st.markTrunc(); return false; }
  st.out.str(nh === 0 ? 'HBH ' : 'DSTOPT ');
  if (nh === 0 || st.vflag) {
    if (!writeOptions(st, cp + 2, hl - 2, nh === 0, plen)) { st.markTrunc(); return false; }
  }
  return true;
}

/** ip6_opt_process(): the options of a hop-by-hop or destination header, named with -v;
 *  false where tcpdump gives up (an option running past its header). */
function writeOptions(st: TextState, p: number, len: number, hbh: boolean, plen: number): boolean {
  const out = st.out;
  const m = st.m;
  const vflag = st.vflag > 0;
  let jumboSeen = false;
  for (let i = 0, optlen = 0; i < len; i += optlen) {
    const t = m[p + i];
    optlen = optionLength(m, p, i, len);
    if (optlen < 0) return false;
    switch (t) {
      case 0x00: if (vflag) out.str('(pad1)'); break;
      case 0x01:
        if (len - i < 2) { out.str('(padn: trunc)'); return false; }
        if (vflag) out.str('(padn)');
        break;
      case 0x05:
        if (len - i < 4) { out.str('(rtalert: trunc)'); return false; }
        if (m[p + i + 1] !== 2) { out.str('(rtalert: invalid len ').dec(m[p + i + 1]).ch(41); return false; }
        if (vflag) out.str('(rtalert: 0x').hex((m[p + i + 2] << 8) | m[p + i + 3], 4).str(') ');
        break;
      case 0xC2: {
        if (len - i < 6) { out.str('(jumbo: trunc)'); return false; }
        if (m[p + i + 1] !== 4) { out.str('(jumbo: invalid len ').dec(m[p + i + 1]).ch(41); return false; }
        const jl = ((m[p + i + 2] << 24) | (m[p + i + 3] << 16) | (m[p + i + 4] << 8) | m[p + i + 5]) >>> 0;
        if (vflag) {
          out.str('(jumbo: ').dec(jl);
          if (jumboSeen) out.str(' - already seen');
          else if (!hbh) out.str(' - not a hop-by-hop option');
          else if (plen !== 0) out.str(' - payload len != 0');
          else if (jl < 65536) out.str(' - < 65536');
          out.str(') ');
        }
        jumboSeen = true;
        break;
      }
      case 0xC9:
        if (len - i < 18) { out.str('(homeaddr: trunc)'); return false; }
        if (m[p + i + 1] < 16) { out.str('(homeaddr: invalid len ').dec(m[p + i + 1]).ch(41); return false; }
        if (vflag) {
          out.str('(homeaddr: ').ipv6At(m, p + i + 2);
          if (m[p + i + 1] > 16 && !writeSubOptions(st, p + i + 18, optlen - 18)) return false;
          out.ch(41);
        }
        break;
      default:
        if (len - i < 2) { out.str('(type ').dec(t).str(': trunc)'); return false; }
        if (vflag) out.str('(opt_type 0x').hex(t, 2).str(': len=').dec(m[p + i + 1]).ch(41);
        break;
    }
  }
  if (vflag) out.ch(32);
  return true;
}

/** The length of the option at p + i of an options area `len` bytes long (Pad1's is 1),
 *  or -1 when it runs past the area. */
function optionLength(m: Uint8Array, p: number, i: number, len: number): number {
  if (m[p + i] === 0) return 1;
  if (i + 1 >= len) return -1;
  const n = m[p + i + 1] + 2;
  return i + n > len ? -1 : n;
}

/** ip6_sopt_print(): the sub-options of a home address option. */
function writeSubOptions(st: TextState, p: number, len: number): boolean {
  const out = st.out;
  const m = st.m;
  for (let i = 0, optlen = 0; i < len; i += optlen) {
    const t = m[p + i];
    optlen = optionLength(m, p, i, len);
    if (optlen < 0) return false;
    if (t === 0) out.str(', pad1');
    else if (t === 1) {
      if (len - i < 2) { out.str(', padn: trunc'); return false; }
      out.str(', padn');
    } else {
      if (len - i < 2) { out.str(', sopt_type ').dec(t).str(': trunc)'); return false; }
      out.str(', sopt_type 0x').hex(t, 2).str(': len=').dec(m[p + i + 1]);
    }
  }
  return true;
}

/** frag6_print(): "frag (offset|length)" (with -v the identification first); false when
 *  the line ends here (a cut, or a fragment other than the first). */
function writeFrag(st: TextState, cp: number, bp: number, plen: number): boolean {
  const out = st.out;
  st.proto = 'frag6';
  const ident = st.vflag ? st.g32(cp + 4) : 0;
  const offlg = st.g16(cp + 2);
  if (st.dead) return false;
  if (st.vflag) out.str('frag (0x').hex(ident, 8).ch(58); else out.str('frag (');
  out.dec(offlg & 0xFFF8).ch(124);
  // What follows the fragment header per the payload length, as the size_t tcpdump
  // computes it: a header chain longer than the payload wraps around 2^64.
  const fragLen = 40 + plen - (cp - bp) - 8;
  if (fragLen >= 0) out.dec(fragLen); else out.str((2n ** 64n + BigInt(fragLen)).toString());
  out.ch(41);
  if ((offlg & 0xFFF8) !== 0) return false; // not the first fragment: no header follows
  out.ch(32);
  return true;
}

/** rt6_print(): "RT6 (len=N, type=N, segleft=N, ..., [i]address ...) "; false when the
 *  line ends here. */
function writeRouting(st: TextState, cp: number): boolean {
  const out = st.out;
  const m = st.m;
  st.proto = 'rt6';
  out.str('RT6');
  let len = st.g8(cp + 1);
  if (st.dead) return false;
  out.str(' (len=').dec(len);
  const type = st.g8(cp + 2);
  if (st.dead) return false;
  out.str(', type=').dec(type);
  if (type === 0) out.str(' [Deprecated]');
  const segleft = st.g8(cp + 3);
  if (st.dead) return false;
  out.str(', segleft=').dec(segleft);
  let p = cp + 8;
  if (type === 0 || type === 2) {
    const rsv = st.g32(cp + 4);
    if (st.dead) return false;
    if (rsv || st.vflag) out.str(', rsv=0x').hex(rsv);
  } else if (type === 4) {
    const last = st.g8(cp + 4);
    if (st.dead) return false;
    out.str(', last-entry=').dec(last);
    const flags = st.g8(cp + 5);
    if (st.dead) return false;
    if (flags || st.vflag) out.str(', flags=0x').hex(flags);
    const tag = st.g16(cp + 6);
    if (st.dead) return false;
    out.str(', tag=').hex(tag);
  } else {
    out.str(' (unknown type) (invalid)');
    return false;
  }
  if (len % 2 === 1) { out.str(' (invalid length ').dec(len).str(') (invalid)'); return false; }
  len >>= 1;
  for (let i = 0; i < len; i++, p += 16) {
    if (!st.get(p, 16)) return false;
    out.str(', [').dec(i).ch(93).ipv6At(m, p);
  }
  out.str(') ');
  return true;
}

/** The IPv6 pseudo-header's addresses summed (RFC 8200 section 8.1): the source, and the
 *  final destination, which is the last address of a routing header when there is one
 *  (tcpdump's ip6_finddst(), over the chain the descriptor located). */
export function pseudoSum6(st: TextState, ip: number): number {
  const m = st.m;
  return onesSum(m, ip + 8, 16) + onesSum(m, finalDst(st, ip), 16);
}

function finalDst(st: TextState, ip: number): number {
  const v = st.v;
  const m = st.m;
  let dst = ip + 24;
  let nh = m[ip + 6];
  if (nh !== 0 && nh !== 60 && nh !== 62 && nh !== 135 && nh !== 44 && nh !== 43) return dst;
  const count = v.ip6ExtCount;
  for (let k = 0, cp = ip + 40; k < count && cp > 0; k++) {
    if (nh === 43) {
      const len = m[cp + 1];
      const type = m[cp + 2];
      if ((type === 0 || type === 2) && len % 2 === 0) {
        for (let i = 0, p = cp + 8; i < len >> 1 && st.has(p, 16); i++, p += 16) dst = p;
      } else if (type === 4 && len % 2 === 0 && st.has(cp + 8, 16)) {
        dst = cp + 8; // segments are listed in reverse: the final destination comes first
      }
      return dst;
    }
    if (nh !== 0 && nh !== 60 && nh !== 62 && nh !== 135 && nh !== 44) return dst;
    nh = m[cp];
    cp = k + 1 < count ? extStart(st, k + 1) : 0;
  }
  return dst;
}
