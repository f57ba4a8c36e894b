// Multicast listener discovery (MLDv1 RFC 2710, MLDv2 RFC 3810) and router renumbering
// (RFC 2894) messages after tcpdump's "ICMP6, <name>", as print-icmp6.c prints them. The
// message starts at the descriptor's L4 offset; group and prefix records follow at the
// offsets their formats give.
import type { TextState } from './state.js';
import { writeGroupRecords, writeQuerySources } from '../../app/igmp/group-records.js';

/** mld6_print(): note tcpdump's missing separator after the type name. */
export function writeMld(st: TextState, bp: number): void {
  if (bp + 24 > st.snapend) return;
  st.out.str('max resp delay: ').dec((st.m[bp + 4] << 8) | st.m[bp + 5]).str(' addr: ').ipv6At(st.m, bp + 8);
}

export function writeMldv2Report(st: TextState, bp: number, len: number): void {
  if (len < 8) { st.out.str(' [invalid len ').dec(len).ch(93); return; }
  writeGroupRecords(st, bp, len, 16, 'v2');
}

export function writeMldv2Query(st: TextState, bp: number, len: number): void {
  const out = st.out;
  const m = st.m;
  if (len < 28) { out.str(' [invalid len ').dec(len).ch(93); return; }
  const mrc = st.g16(bp + 4);
  if (st.dead) return;
  const mrt = mrc < 32768 ? mrc : ((mrc & 0x0fff) | 0x1000) * 2 ** (((mrc & 0x7000) >> 12) + 3);
  if (st.vflag) out.str(' [max resp delay=').dec(mrt >>> 0).ch(93);
  if (!st.get(bp + 8, 16)) return;
  out.str(' [gaddr ').ipv6At(m, bp + 8);
  if (st.vflag) {
    // tcpdump prints the flags byte's words before it reads QQIC: a query cut there still
    // shows them.
    const b24 = st.g8(bp + 24);
    if (st.dead) return;
    if (b24 & 0x08) out.str(' sflag');
    if (b24 & 0x07) out.str(' robustness=').dec(b24 & 0x07);
    const b25 = st.g8(bp + 25);
    if (st.dead) return;
    const qqi = b25 < 128 ? b25 : ((b25 & 0x0f) | 0x10) << (((b25 & 0x70) >> 4) + 3);
    out.str(' qqi=').dec(qqi);
  }
  const nsrcs = st.g16(bp + 26);
  if (st.dead) return;
  writeQuerySources(st, bp, len, 28, nsrcs, 16);
}

/** icmp6_rrenum_print(): the command, the sequence number and the match/use prefixes. */
export function writeRouterRenumbering(st: TextState, bp: number): void {
  const out = st.out;
  const m = st.m;
  if (st.snapend < bp) return;
  if (!st.need(bp + 12, 4)) return;
  const code = m[bp + 1];
  if (code === 0) out.str(', command');
  else if (code === 1) out.str(', result');
  else if (code === 255) out.str(', sequence number reset');
  else out.str(', code-#').dec(code);
  out.str(', seq=').dec(be32(m, bp + 4));
  if (st.vflag) {
    const flags = m[bp + 9];
    out.ch(91);
    if (flags) {
      if (flags & 0x80) out.ch(84);
      if (flags & 0x40) out.ch(82);
      if (flags & 0x20) out.ch(65);
      if (flags & 0x10) out.ch(83);
      if (flags & 0x08) out.ch(80);
      out.ch(44);
    }
    out.str('seg=').dec(m[bp + 8]).str(',maxdelay=').dec((m[bp + 10] << 8) | m[bp + 11]);
    const rsvd = be32(m, bp + 12);
    if (rsvd) out.str('rsvd=0x').hex(rsvd);
    out.ch(93);
  }
  if (code !== 0) return;
  const match = bp + 16;
  if (!st.need(match + 8, 16)) return;
  out.str(st.vflag > 1 ? '\n\t' : ' ').str('match(');
  const mcode = m[match];
  if (mcode === 1) out.str('add');
  else if (mcode === 2) out.str('change');
  else if (mcode === 3) out.str('setglobal');
  else out.ch(35).dec(mcode);
  if (st.vflag) out.str(',ord=').dec(m[match + 2]).str(',min=').dec(m[match + 4]).str(',max=').dec(m[match + 5]);
  out.ch(44).ipv6At(m, match + 8).ch(47).dec(m[match + 3]).ch(41);
  let n = m[match + 1] - 3;
  if (n % 4) { st.trunc(); return; }
  n /= 4;
  for (let use = match + 24; n-- > 0; use += 32) {
    if (!st.need(use + 16, 16)) return;
    out.str(st.vflag > 1 ? '\n\t' : ' ').str('use(');
    const uflags = m[use + 12];
    if (uflags) {
      if (uflags & 0x80) out.ch(86);
      if (uflags & 0x40) out.ch(80);
      out.ch(44);
    }
    if (st.vflag) {
      out.str('mask=0x').hex(m[use + 2]).str(',raflags=0x').hex(m[use + 3]).ch(44);
      const vl = be32(m, use + 4);
      const pl = be32(m, use + 8);
      if (vl === 0xffffffff) out.str('vltime=infty,'); else out.str('vltime=').dec(vl).ch(44);
      if (pl === 0xffffffff) out.str('pltime=infty,'); else out.str('pltime=').dec(pl).ch(44);
    }
    out.ipv6At(m, use + 16).ch(47).dec(m[use]).ch(47).dec(m[use + 1]).ch(41);
  }
}

function be32(m: Uint8Array, p: number): number {
  return ((m[p] << 24) | (m[p + 1] << 16) | (m[p + 2] << 8) | m[p + 3]) >>> 0;
}
