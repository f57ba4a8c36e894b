// OSPFv3 (IPv6 next header 89) as tcpdump 4.99.3 prints it (print-ospf6.c, ospf6_print):
// "OSPFv<version>, <packet type>, length N"; with -v the router id, area and instance, a
// Hello's or a Database Description's fields, and the trailer (RFC 5613 LLS, RFC 6506
// authentication); with -vv a Hello's neighbours, the LSA headers of a Database Description
// and an LS-Ack, an LS-Request's entries and an LS-Update's LSAs (router, network,
// inter-area prefix, AS-external, link, intra-area prefix, grace and intra-area TE through
// OSPFv2's TLV printers (text-te.ts), others in hex). A byte past the capture ends the text with ' [|ospf3]':
// as a jump where tcpdump's GET macros would longjmp, as its printed marker where its own
// checks return (nd_print_trunc).
import type { TextState } from '../../sinks/text/state.js';
import { graceTlvs, teTlvs } from './text-te.js';

const TYPES = ['', 'Hello', 'Database Description', 'LS-Request', 'LS-Update', 'LS-Ack'];
const OPTIONS: Array<[number, string]> = [[0x01, 'V6'], [0x02, 'External'], [0x04, 'Deprecated'], [0x08, 'NSSA'], [0x10, 'Router'],
  [0x20, 'Demand Circuit'], [0x0100, 'AFs Support'], [0x0200, 'LLS'], [0x0400, 'Authentication Trailer']];
const RLA_FLAGS: Array<[number, string]> = [[0x01, 'ABR'], [0x02, 'External'], [0x04, 'Virtual-Link Endpoint'], [0x08, 'Deprecated'], [0x10, 'NSSA Translator']];
const ASLA_FLAGS: Array<[number, string]> = [[0x80000000, 'External Type 2'], [0x02000000, 'Forwarding'], [0x01000000, 'Tag']];
const DD_FLAGS: Array<[number, string]> = [[0x04, 'Init'], [0x02, 'More'], [0x01, 'Master'], [0x10, 'IPv6 MTU']];
const PREFIX_OPTIONS: Array<[number, string]> = [[0x01, 'No Unicast'], [0x02, 'Local address'], [0x04, 'Deprecated'], [0x08, 'Propagate'], [0x10, 'Down'], [0x20, 'N-bit']];
const LSA_NAMES: Record<number, string> = {
  1: 'Router', 2: 'Network', 3: 'Inter-Area Prefix', 4: 'Inter-Area Router', 5: 'External', 6: 'Deprecated', 7: 'NSSA', 8: 'Link',
  9: 'Intra-Area Prefix', 10: 'Intra-Area TE', 11: 'Grace', 12: 'Router Information', 13: 'Inter-AS-TE', 14: 'Layer 1 VPN',
};
const SCOPES: Record<number, string> = { 0x0000: 'Link Local', 0x2000: 'Area Local', 0x4000: 'Domain Wide' };
const HDR = 16; // the OSPFv3 header
const LSA_HDR = 20;
const LLS_HDR = 4;
const AT_HDR = 16;
const OPTION_L = 0x0200;

/** A printer's own check failed (its "goto trunc"): the marker is printed, then it returns. */
class Trunc extends Error {}

/** bittok2str(table, "none", v). */
function bits(table: Array<[number, string]>, v: number): string {
  const names = table.filter(([b]) => ((v & b) >>> 0) === b >>> 0).map(([, n]) => n);
  return names.length === 0 ? 'none' : names.join(', ');
}

const ipv4 = (v: number): string => `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;

/** ospf6_print() for the packet at `bp`, `length` bytes per the IPv6 header(s). */
export function writeOspf6(st: TextState, bp: number, length: number): void {
  const out = st.out;
  st.proto = 'ospf3';
  const type = st.g8(bp + 1);
  const version = st.g8(bp);
  if (st.dead) return;
  const known = type >= 1 && type <= 5;
  out.str('OSPFv').dec(version).str(', ').str(known ? TYPES[type] : `unknown packet type (${type})`).str(', length ').dec(length);
  if (!known || st.vflag === 0) return;
  const datalen = st.g16(bp + 2);
  if (st.dead) return;
  if (datalen > length) { out.str(' [len ').dec(datalen).ch(93); return; }
  const dataend = bp + datalen;
  const router = st.g32(bp + 4);
  if (st.dead) return;
  out.str('\n\tRouter-ID ').str(ipv4(router));
  const area = st.g32(bp + 8);
  if (st.dead) return;
  out.str(area !== 0 ? `, Area ${ipv4(area)}` : ', Backbone Area');
  const instance = st.g8(bp + 14);
  if (st.dead) return;
  if (instance !== 0) out.str(', Instance ').dec(instance);
  if (version !== 3) return;
  try {
    decodeV3(st, bp, type, dataend);
    if (!st.dead) trailer(st, bp, type, dataend, length - datalen);
  } catch (e) {
    if (!(e instanceof Trunc)) throw e;
    if (!st.dead) st.markTrunc();
  }
}

/** Reads through the GET macros: a read past the capture jumps out (the caller's st.dead). */
class Reader {
  constructor(private readonly st: TextState) {}
  u8(p: number): number { const v = this.st.g8(p); if (this.st.dead) throw new Trunc(); return v; }
  u16(p: number): number { const v = this.st.g16(p); if (this.st.dead) throw new Trunc(); return v; }
  u32(p: number): number { const v = this.st.g32(p); if (this.st.dead) throw new Trunc(); return v; }
  ip(p: number): string { return ipv4(this.u32(p)); }
}

function decodeV3(st: TextState, op: number, type: number, dataend: number): void {
  const out = st.out;
  const r = new Reader(st);
  const b = op + HDR;
  switch (type) {
    case 1: { // Hello: ifid, priority and options, intervals, DR, BDR, neighbours
      const options = r.u32(b + 4); // read before anything of the line is printed, as tcpdump's arguments are
      out.str('\n\tOptions [').str(bits(OPTIONS, options)).ch(93);
      const hello = r.u16(b + 8), dead = r.u16(b + 10), ifid = r.ip(b), prio = r.u8(b + 4);
      out.str('\n\t  Hello Timer ').dec(hello).str('s, Dead Timer ').dec(dead).str('s, Interface-ID ').str(ifid).str(', Priority ').dec(prio);
      const dr = r.u32(b + 12);
      if (dr !== 0) out.str('\n\t  Designated Router ').str(ipv4(dr));
      const bdr = r.u32(b + 16);
      if (bdr !== 0) out.str(', Backup Designated Router ').str(ipv4(bdr));
      if (st.vflag > 1) {
        out.str('\n\t  Neighbor List:');
        for (let ap = b + 20; ap < dataend; ap += 4) { const n = r.ip(ap); out.str('\n\t    ').str(n); }
      }
      return;
    }
    case 2: { // Database Description
      const options = r.u32(b);
      out.str('\n\tOptions [').str(bits(OPTIONS, options)).ch(93);
      const flags = r.u8(b + 7);
      out.str(', DD Flags [').str(bits(DD_FLAGS, flags)).ch(93);
      const mtu = r.u16(b + 4), seq = r.u32(b + 8);
      out.str(', MTU ').dec(mtu).str(', DD-Sequence 0x').hex(seq, 8);
      if (st.vflag > 1) for (let h = b + 12; h < dataend; h += LSA_HDR) lsaHeader(st, r, h, dataend);
      return;
    }
    case 3: // LS-Request
      if (st.vflag > 1) {
        for (let q = b; q < dataend; q += 12) {
          if (q + 12 > st.snapend) throw new Trunc();
          const router = r.ip(q + 8);
          out.str('\n\t  Advertising Router ').str(router);
          lsType(st, r, r.u16(q + 2), q + 4);
        }
      }
      return;
    case 4: // LS-Update
      if (st.vflag > 1) {
        let n = r.u32(b);
        for (let a = b + 4; a < dataend && n !== 0; n--) {
          lsa(st, r, a, dataend);
          a += r.u16(a + 18);
        }
      }
      return;
    case 5: // LS-Ack
      if (st.vflag > 1) for (let h = b; h < dataend; h += LSA_HDR) lsaHeader(st, r, h, dataend);
      return;
    default:
  }
}

/** ospf6_print_ls_type(). */
function lsType(st: TextState, r: Reader, t: number, sid: number): void {
  const id = r.ip(sid);
  st.out.str('\n\t    ').str(LSA_NAMES[t & 0x1fff] ?? 'Unknown').str(' LSA (').dec(t & 0x1fff).str('), ')
    .str(SCOPES[t & 0x6000] ?? 'Unknown').str(' Scope').str((t & 0x8000) !== 0 ? ', transitive' : '').str(', LSA-ID ').str(id);
}

/** ospf6_print_lshdr(): its length is printed as a size_t, so one under 20 wraps around. */
function lsaHeader(st: TextState, r: Reader, h: number, dataend: number): void {
  if (h + LSA_HDR > dataend) throw new Trunc();
  const router = r.ip(h + 8), seq = r.u32(h + 12), age = r.u16(h), len = r.u16(h + 18);
  const body = len >= LSA_HDR ? String(len - LSA_HDR) : String(2n ** 64n - BigInt(LSA_HDR - len));
  st.out.str('\n\t  Advertising Router ').str(router).str(', seq 0x').hex(seq, 8).str(', age ').dec(age).str('s, length ').str(body);
  lsType(st, r, r.u16(h + 2), h + 4);
}

/** ospf6_print_lsaprefix(): the bytes it took, or a Trunc. */
function lsaPrefix(st: TextState, r: Reader, p: number, left: number): number {
  if (left < 4) throw new Trunc();
  left -= 4;
  if (p + 4 > st.snapend) throw new Trunc();
  const plen = r.u8(p);
  const words = (plen + 31) >> 5;
  if (words * 4 > 16) { st.out.str(' bogus prefixlen /').dec(plen); throw new Trunc(); }
  if (left < words * 4) throw new Trunc();
  const prefix = new Uint8Array(16);
  for (let i = 0; i < words * 4; i++) prefix[i] = r.u8(p + 4 + i);
  st.out.str('\n\t\t').ipv6At(prefix, 0).ch(47).dec(plen);
  const opt = r.u8(p + 1);
  if (opt !== 0) st.out.str(', Options [').str(bits(PREFIX_OPTIONS, opt)).ch(93);
  const metric = r.u16(p + 2);
  st.out.str(', metric ').dec(metric);
  return 4 + words * 4;
}

/** ospf6_print_lsa(). */
function lsa(st: TextState, r: Reader, a: number, dataend: number): void {
  const out = st.out;
  lsaHeader(st, r, a, dataend);
  const length = r.u16(a + 18);
  if (length < LSA_HDR || a + length > dataend) throw new Trunc();
  let left = length - LSA_HDR;
  let t = a + LSA_HDR;
  const prefixes = (count: number): void => {
    for (; count > 0; count--) {
      const n = lsaPrefix(st, r, t, left);
      left -= n;
      t += n;
    }
  };
  switch (r.u16(a + 2)) {
    case 0x2001: { // Router
      if (left < 4) throw new Trunc();
      left -= 4;
      const options = r.u32(t);
      out.str('\n\t      Options [').str(bits(OPTIONS, options)).ch(93);
      const flags = r.u8(t);
      out.str(', RLA-Flags [').str(bits(RLA_FLAGS, flags)).ch(93);
      for (let l = t + 4; left !== 0; l += 16) {
        if (left < 16) throw new Trunc();
        left -= 16;
        if (l + 16 > st.snapend) throw new Trunc();
        const kind = r.u8(l);
        const what = kind === 4 ? 'Virtual Link: Neighbor Router-ID ' : kind === 1 ? 'Neighbor Router-ID ' : kind === 2 ? 'Neighbor Network-ID ' : null;
        if (what === null) { out.str('\n\t      Unknown Router Links Type 0x').hex(kind, 2); return; }
        const nrtid = r.ip(l + 12), nifid = r.ip(l + 8), ifid = r.ip(l + 4);
        out.str('\n\t      ').str(what).str(nrtid).str('\n\t      Neighbor Interface-ID ').str(nifid).str(', Interface ').str(ifid);
        const metric = r.u16(l + 2);
        out.str(', metric ').dec(metric);
      }
      return;
    }
    case 0x2002: { // Network
      if (left < 4) throw new Trunc();
      left -= 4;
      const options = r.u32(t);
      out.str('\n\t      Options [').str(bits(OPTIONS, options)).ch(93).str('\n\t      Connected Routers:');
      for (let p = t + 4; left !== 0; p += 4) {
        if (left < 4) throw new Trunc();
        left -= 4;
        const router = r.ip(p);
        out.str('\n\t\t').str(router);
      }
      return;
    }
    case 0x2003: // Inter-Area Prefix: as many prefixes as the length holds
      if (left < 4) throw new Trunc();
      left -= 4;
      const metric = r.u32(t) & 0xffffff;
      out.str(', metric ').dec(metric);
      t += 4;
      while (left !== 0) prefixes(1);
      return;
    case 0x4005: { // AS-External
      if (left < 4) throw new Trunc();
      left -= 4;
      const flags = r.u32(t);
      out.str('\n\t     Flags [').str(bits(ASLA_FLAGS, flags)).str('] metric ').dec(flags & 0xffffff);
      t += 4;
      const firstPrefix = t;
      prefixes(1);
      if ((flags & 0x02000000) !== 0) {
        if (left < 16) throw new Trunc();
        left -= 16;
        if (t + 16 > st.snapend) { st.jump(); throw new Trunc(); }
        out.str(' forward ').ipv6At(st.m, t);
        t += 16;
      }
      if ((flags & 0x01000000) !== 0) {
        if (left < 4) throw new Trunc();
        left -= 4;
        const tag = r.ip(t);
        out.str(' tag ').str(tag);
        t += 4;
      }
      if (r.u8(firstPrefix + 2) !== 0) { // the first byte of the prefix's metric field: tcpdump's
        if (left < 4) throw new Trunc();
        left -= 4;
        const ref = r.ip(t);
        out.str(' RefLSID: ').str(ref);
      }
      return;
    }
    case 0x0008: { // Link
      if (left < 4) throw new Trunc();
      left -= 4;
      if (t + 4 > st.snapend) throw new Trunc();
      const options = r.u32(t);
      out.str('\n\t      Options [').str(bits(OPTIONS, options)).ch(93);
      if (left < 20) throw new Trunc();
      left -= 20;
      const count = r.u32(t + 20);
      const prio = r.u8(t);
      if (t + 20 > st.snapend) { st.jump(); throw new Trunc(); }
      out.str('\n\t      Priority ').dec(prio).str(', Link-local address ').ipv6At(st.m, t + 4).str(', Prefixes ').dec(count).ch(58);
      t += 24;
      prefixes(count);
      return;
    }
    case 0x2009: { // Intra-Area Prefix (tcpdump counts 6 of its 12 fixed bytes against the length)
      if (left < 4) throw new Trunc();
      left -= 4;
      if (t + 12 > st.snapend) throw new Trunc();
      lsType(st, r, r.u16(t + 2), t + 4);
      if (left < 2) throw new Trunc();
      left -= 2;
      const count = r.u16(t);
      out.str('\n\t      Prefixes ').dec(count).ch(58);
      t += 12;
      prefixes(count);
      return;
    }
    case 0x000b: // Grace and intra-area TE, link-local scope: OSPFv2's TLV printers
      if (graceTlvs(st, t, left) === -1) throw new Trunc();
      return;
    case 0x000a:
      if (teTlvs(st, t, left) === -1) throw new Trunc();
      return;
    default:
      // print_unknown_data(): past the capture it prints its "Dissector error" and fails.
      st.unknownData(t, left, '\n\t      ');
      if (t > st.snapend) throw new Trunc();
  }
}

/** ospf6_decode_v3_trailer(): LLS when a Hello's or a DD's options say so, then the
 *  authentication trailer, in the `len` bytes past the OSPF data. */
function trailer(st: TextState, op: number, type: number, cp: number, len: number): void {
  const out = st.out;
  const r = new Reader(st);
  let lls = false;
  if (type === 1) lls = (r.u32(op + HDR + 4) & OPTION_L) !== 0;
  else if (type === 2) lls = (r.u32(op + HDR) & OPTION_L) !== 0;
  let llsLen = 0;
  if (lls && len !== 0) {
    if (len < LLS_HDR) throw new Trunc();
    const sum = r.u16(cp);
    out.str('\n\tLLS Checksum 0x').hex(sum, 4);
    llsLen = r.u16(cp + 2);
    out.str(', Data Length ').dec(llsLen);
    if (llsLen < LLS_HDR || llsLen > len) throw new Trunc();
    if (cp + llsLen > st.snapend) throw new Trunc();
  }
  cp += llsLen;
  len -= llsLen;
  if (len === 0) return;
  if (len < AT_HDR) throw new Trunc();
  const at = r.u16(cp);
  out.str('\n\tAuthentication Type ').str(at === 1 ? 'HMAC' : `unknown (0x${at.toString(16).padStart(4, '0')})`);
  const atLen = r.u16(cp + 2);
  out.str(', Length ').dec(atLen);
  if (atLen < AT_HDR || atLen > len) throw new Trunc();
  const said = r.u16(cp + 6);
  out.str(', SAID ').dec(said);
  const csnHigh = r.u32(cp + 8);
  out.str(', CSN 0x').hex(csnHigh, 8);
  const csnLow = r.u32(cp + 12);
  out.str(':').hex(csnLow, 8);
  if (cp + atLen > st.snapend) throw new Trunc();
  if (st.vflag > 1) st.unknownData(cp + AT_HDR, atLen - AT_HDR, '\n\tAuthentication Data ');
}
