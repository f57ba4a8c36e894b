// Tunnels as tcpdump 4.99 prints them: GRE (print-gre.c, versions 0 and 1, source route
// entries), VXLAN (print-vxlan.c), Geneve (print-geneve.c) and MPLS over UDP, each followed by its inner
// packet, which the dissector located (D_INNER_OFF) and host/sinks/text/inner.ts dissects
// as a frame of its own. tcpdump 4.99 has no ERSPAN printer: ERSPAN's GRE protocols print
// as gre-proto-0x88be / 0x22eb, and so does it here.
import type { TextState } from './state.js';
import { withInnerFrame } from './inner.js';
import { writeIp4 } from './ip.js';
import { writeIp6 } from './ip6.js';
import { writeEther } from './link.js';
import { writeMpls, writePpp } from './ppp.js';
import { bitNames, ethertypeName } from './names.js';
import { LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_MPLS, LINKTYPE_PPP } from '../../runtime/layout.js';

const GRE_CP = 0x8000;
const GRE_RP = 0x4000;
const GRE_KP = 0x2000;
const GRE_SP = 0x1000;
const GRE_AP = 0x0080;
const GRE_FLAG_NAMES: Array<[number, string]> = [
  [GRE_CP, 'checksum present'], [GRE_RP, 'routing present'], [GRE_KP, 'key present'], [GRE_SP, 'sequence# present'],
  [0x0800, 'source routing present'], [GRE_AP, 'ack present'],
];

/** tok2str(ethertype_values, "unknown", prot) for GRE's -e: tcpdump 4.99's table has no
 *  ERSPAN entries, which names.ts has for later tcpdumps' EtherType lines. */
function greProtoName(prot: number): string {
  if (prot === 0x88be || prot === 0x22eb) return 'unknown';
  return ethertypeName(prot) ?? 'unknown';
}


/** tcpdump's ND_TCHECK_LEN(p, n) then "if (len < n) goto trunc": n bytes at p both
 *  captured and left in the header's length; otherwise the marker and false. */
function room(st: TextState, p: number, len: number, n: number): boolean {
  if (!st.need(p, n)) return false;
  if (len < n) { st.trunc(); return false; }
  return true;
}

/** gre_print(): `bp` the GRE header, `length` the IP payload's length. */
export function writeGre(st: TextState, bp: number, length: number): void {
  const out = st.out;
  st.proto = 'gre';
  if (!st.need(bp, 2)) return;
  if (length < 2) { st.trunc(); return; }
  const flags = st.g16(bp);
  const vers = flags & 7;
  out.str('GREv').dec(vers);
  if (vers === 0) gre0(st, bp, length, flags);
  else if (vers === 1) gre1(st, bp, length, flags);
  else out.str(' ERROR: unknown-version');
}

function gre0(st: TextState, bp: number, length: number, flags: number): void {
  const out = st.out;
  if (st.vflag) out.str(', Flags [').str(bitNames(flags, GRE_FLAG_NAMES)).ch(93);
  let p = bp + 2;
  let len = length - 2;
  if (!room(st, p, len, 2)) return;
  const prot = st.g16(p);
  p += 2; len -= 2;
  if (flags & (GRE_CP | GRE_RP)) {
    if (!room(st, p, len, 2)) return;
    if (st.vflag) out.str(', sum 0x').hex(st.g16(p));
    p += 2; len -= 2;
    if (!room(st, p, len, 2)) return;
    out.str(', off 0x').hex(st.g16(p));
    p += 2; len -= 2;
  }
  if (flags & GRE_KP) {
    if (!room(st, p, len, 4)) return;
    out.str(', key=0x').hex(st.g32(p));
    p += 4; len -= 4;
  }
  if (flags & GRE_SP) {
    if (!room(st, p, len, 4)) return;
    out.str(', seq ').dec(st.g32(p));
    p += 4; len -= 4;
  }
  if (flags & GRE_RP) {
    for (;;) {
      if (!room(st, p, len, 4)) return;
      const af = st.g16(p);
      const sreoff = st.g8(p + 2);
      const srelen = st.g8(p + 3);
      p += 4; len -= 4;
      if (af === 0 && srelen === 0) break;
      if (!sre(st, af, sreoff, srelen, p, len)) { st.trunc(); return; }
      if (len < srelen) { st.trunc(); return; }
      p += srelen; len -= srelen;
    }
  }
  if (st.eflag) out.str(', proto ').str(greProtoName(prot)).str(' (0x').hex(prot, 4).ch(41);
  out.str(', length ').dec(length);
  out.str(st.vflag < 1 ? ': ' : '\n\t');
  switch (prot) {
    case 0x0800: inner(st, p, len, LINKTYPE_IPV4, () => writeIp4(st, st.f + st.v.l3Off, len)); return;
    case 0x86dd: inner(st, p, len, LINKTYPE_IPV6, () => writeIp6(st, st.f + st.v.l3Off, len)); return;
    case 0x6558: inner(st, p, len, LINKTYPE_ETHERNET, () => { writeEther(st); }); return;
    case 0x8847: case 0x8137: case 0x809b: case 0x00fe:
      // MPLS, IPX, AppleTalk, OSI: tcpdump's printers of their own.
      st.markCut();
      return;
    default:
      out.str('gre-proto-0x').hex(prot);
  }
}

function gre1(st: TextState, bp: number, length: number, flags: number): void {
  const out = st.out;
  let p = bp + 2;
  let len = length - 2;
  if (st.vflag) out.str(', Flags [').str(bitNames(flags, GRE_FLAG_NAMES)).ch(93);
  if (!room(st, p, len, 2)) return;
  const prot = st.g16(p);
  p += 2; len -= 2;
  if (flags & GRE_KP) {
    if (!room(st, p, len, 4)) return;
    out.str(', call ').dec(st.g32(p) & 0xffff);
    p += 4; len -= 4;
  }
  if (flags & GRE_SP) {
    if (!room(st, p, len, 4)) return;
    out.str(', seq ').dec(st.g32(p));
    p += 4; len -= 4;
  }
  if (flags & GRE_AP) {
    if (!room(st, p, len, 4)) return;
    out.str(', ack ').dec(st.g32(p));
    p += 4; len -= 4;
  }
  if ((flags & GRE_SP) === 0) out.str(', no-payload');
  if (st.eflag) out.str(', proto ').str(greProtoName(prot)).str(' (0x').hex(prot, 4).ch(41);
  out.str(', length ').dec(length);
  if ((flags & GRE_SP) === 0) return;
  out.str(st.vflag < 1 ? ': ' : '\n\t');
  if (prot === 0x880b) inner(st, p, len, LINKTYPE_PPP, () => writePpp(st, st.f, len));
  else out.str('gre-proto-0x').hex(prot);
}

/** gre_sre_print(): one source route entry; false where tcpdump's "goto trunc" is. */
function sre(st: TextState, af: number, sreoff: number, srelen0: number, bp: number, len0: number): boolean {
  const out = st.out;
  let srelen = srelen0;
  let p = bp;
  let len = len0;
  if (af === 0x0800) {
    out.str(', (rtaf=ip');
    if (sreoff & 3) out.str(', badoffset=').dec(sreoff);
    else if (srelen & 3) out.str(', badlength=').dec(srelen);
    else if (sreoff >= srelen) out.str(', badoff/len=').dec(sreoff).ch(47).dec(srelen);
    else {
      while (srelen !== 0) {
        if (!st.need(p, 4)) return false;
        if (len < 4) return false;
        out.ch(32).str(p - bp === sreoff ? '*' : '').ipv4At(st.m, p);
        p += 4; len -= 4; srelen -= 4;
      }
    }
    out.ch(41);
    return true;
  }
  if (af === 0xfffe) {
    out.str(', (rtaf=asn');
    if (sreoff & 1) out.str(', badoffset=').dec(sreoff);
    else if (srelen & 1) out.str(', badlength=').dec(srelen);
    else if (sreoff >= srelen) out.str(', badoff/len=').dec(sreoff).ch(47).dec(srelen);
    else {
      while (srelen !== 0) {
        if (!st.need(p, 2)) return false;
        if (len < 2) return false;
        out.ch(32).str(p - bp === sreoff ? '*' : '').hex(st.g16(p));
        p += 2; len -= 2; srelen -= 2;
      }
    }
    out.ch(41);
    return true;
  }
  out.str(', (rtaf=0x').hex(af).ch(41);
  return true;
}

/** The inner packet at p through withInnerFrame(); past its depth limit, the bytes. */
function inner(st: TextState, p: number, len: number, linktype: number, print: () => void): void {
  if (!withInnerFrame(st, p, len, linktype, print)) { st.markCut(); st.defaultData(p, len); }
}

/** vxlan_print(): flags and VNI, a newline, then the inner Ethernet frame. */
export function writeVxlan(st: TextState, bp: number, length: number): void {
  const out = st.out;
  st.proto = 'vxlan';
  out.str('VXLAN');
  if (length < 8) { out.str(' (invalid)'); return; } // tcpdump 4.99.3: nd_print_invalid
  const flags = st.g8(bp);
  if (st.dead) return;
  const vni = st.g32(bp + 4) >>> 8;
  if (st.dead) return;
  out.str(', flags [').str(flags & 0x08 ? 'I' : '.').str('] (0x').hex(flags, 2).str('), vni ').dec(vni).ch(10);
  inner(st, bp + 8, length - 8, LINKTYPE_ETHERNET, () => { writeEther(st); });
}

/** geneve_print(): version, flags, VNI, the protocol when not TEB, the options (their size
 *  without -v; with -v tcpdump lists them: printed generically here), then the inner packet. */
export function writeGeneve(st: TextState, bp: number, length0: number): void {
  const out = st.out;
  st.proto = 'geneve';
  out.str('Geneve');
  let length = length0;
  // tcpdump 4.99.3 judges the length before it checks the capture.
  if (length < 8) { out.str(' [length ').dec(length).str(' < 8] (invalid)'); return; }
  if (!st.get(bp, 8)) return;
  const b0 = st.g8(bp);
  const ver = b0 >> 6;
  if (ver !== 0) { out.str(' ERROR: unknown-version ').dec(ver); return; }
  const flags = st.g8(bp + 1);
  const prot = st.g16(bp + 2);
  const vni = st.g32(bp + 4) >>> 8;
  const optsLen = (b0 & 0x3f) * 4;
  let p = bp + 8;
  length -= 8;
  let fl = '';
  if (flags & 0x80) fl += 'O';
  if (flags & 0x40) fl += 'C';
  out.str(', Flags [').str(fl === '' ? 'none' : fl).str('], vni 0x').hex(vni);
  if (prot !== 0x6558) out.str(', proto ').str(ethertypeName(prot) ?? 'unknown').str(' (0x').hex(prot, 4).ch(41);
  if (!st.get(p, optsLen)) return;
  if (length < optsLen) { out.str(' [|geneve]'); return; }
  if (optsLen > 0) {
    out.str(', options [');
    if (st.vflag) { st.markCut(); return; }
    out.dec(optsLen).str(' bytes]');
  }
  p += optsLen;
  length -= optsLen;
  out.str(st.vflag < 1 ? ': ' : '\n\t');
  const len = length;
  if (prot === 0x0800) inner(st, p, len, LINKTYPE_IPV4, () => writeIp4(st, st.f + st.v.l3Off, len));
  else if (prot === 0x86dd) inner(st, p, len, LINKTYPE_IPV6, () => writeIp6(st, st.f + st.v.l3Off, len));
  else if (prot === 0x6558) inner(st, p, len, LINKTYPE_ETHERNET, () => { writeEther(st); });
  else { st.markCut(); out.str('geneve-proto-0x').hex(prot); }
}

/** MPLS over UDP (RFC 7510, port 6635): tcpdump's udp_print() hands the payload to mpls_print(). */
export function writeMplsUdp(st: TextState, bp: number, length: number): void {
  inner(st, bp, length, LINKTYPE_MPLS, () => writeMpls(st, st.f, length));
}
