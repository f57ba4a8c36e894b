// The OSPFv2 packet bodies tcpdump 4.99 prints with -v (print-ospf.c: ospf_decode_v2,
// ospf_print_lshdr, ospf_print_lsa, ospf_decode_lls): Hello, Database Description with its
// LSA headers, LS-Request entries, LS-Update's LSAs (router, network, summary, ASBR
// summary, external and NSSA, group; opaque ones' TE, graceful-restart and router
// information TLVs (text-te.ts), other opaque bodies as hex), LS-Ack's LSA headers, and the LLS block after a Hello or DD that announces one.
// Reads go through the state's GET_ semantics: one past the capture ends the text with
// ' [|ospf2]'; a line whose values are not all captured is not printed (tcpdump reads all
// of a printf's arguments first).
import type { TextState } from '../../sinks/text/state.js';
import type { TextBuffer } from '../../sinks/text/buffer.js';
import { graceTlvs, riTlvs, teTlvs } from './text-te.js';

const OPTIONS: Array<[number, string]> = [[0x01, 'MultiTopology'], [0x02, 'External'], [0x04, 'Multicast'], [0x08, 'NSSA'], [0x10, 'LLS'],
  [0x20, 'Demand Circuit'], [0x40, 'Opaque'], [0x80, 'Up/Down']];
const RLA_FLAGS: Array<[number, string]> = [[0x01, 'ABR'], [0x02, 'ASBR'], [0x04, 'Virtual'], [0x08, 'Wildcard'], [0x10, 'Nt'], [0x80, 'Host']];
const DD_FLAGS: Array<[number, string]> = [[0x04, 'Init'], [0x02, 'More'], [0x01, 'Master'], [0x08, 'OOBResync']];
const LLS_EO: Array<[number, string]> = [[0x00000001, 'LSDB resync'], [0x00000002, 'Restart']];
const LSA_NAMES: Record<number, string> = {
  1: 'Router', 2: 'Network', 3: 'Summary', 4: 'ASBR Summary', 5: 'External', 6: 'Multicast Group', 7: 'NSSA',
  9: 'Link Local Opaque', 10: 'Area Local Opaque', 11: 'Domain Wide Opaque',
};
const OPAQUE_NAMES: Record<number, string> = { 1: 'Traffic Engineering', 3: 'Graceful restart', 4: 'Router Information' };
const TOPOLOGY = ['default', 'multicast', 'management'];

/** bittok2str(table, "none", v). */
function bits(table: Array<[number, string]>, v: number, none = 'none'): string {
  const names = table.filter(([b]) => ((v & b) >>> 0) !== 0).map(([, n]) => n);
  return names.length === 0 ? none : names.join(', ');
}

const ipv4 = (v: number): string => `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;

/** "\n\t\ttopology NAME (T" opening a TOS metric line; the caller writes the rest. */
const topologyOf = (st: TextState, t: number): TextBuffer => st.out.str('\n\t\ttopology ').str(TOPOLOGY[t] ?? 'Unknown').str(' (').dec(t);

/** "\n\t    Mask M" of a summary or external LSA body at `b`; false when it is not captured. */
function mask(st: TextState, b: number): boolean {
  if (!st.get(b, 4)) return false;
  st.out.str('\n\t    Mask ').str(ipv4(st.g32(b)));
  return true;
}

/** ospf_print_lshdr(): the LSA header at `p`; its length, or -1 (bogus or cut). */
function lsaHeader(st: TextState, p: number): number {
  const out = st.out;
  const len = st.g16(p + 18);
  if (st.dead) return -1;
  if (len < 20) { out.str('\n\t    Bogus length ').dec(len).str(' < header (20)'); return -1; }
  const router = st.g32(p + 8);
  const seq = st.g32(p + 12);
  const age = st.g16(p);
  if (st.dead) return -1;
  out.str('\n\t  Advertising Router ').str(ipv4(router)).str(', seq 0x').hex(seq, 8).str(', age ').dec(age).str('s, length ').dec(len - 20);
  const type = st.g8(p + 3);
  if (st.dead) return -1;
  const name = LSA_NAMES[type] ?? 'unknown';
  if (type >= 9 && type <= 11) {
    const ot = st.g8(p + 4);
    const oid = st.get(p + 5, 3) ? (st.m[p + 5] << 16) | (st.m[p + 6] << 8) | st.m[p + 7] : 0;
    if (st.dead) return -1;
    out.str('\n\t    ').str(name).str(' LSA (').dec(type).str('), Opaque-Type ').str(OPAQUE_NAMES[ot] ?? 'unknown').str(' LSA (').dec(ot)
      .str('), Opaque-ID ').dec(oid);
  } else {
    const id = st.g32(p + 4);
    if (st.dead) return -1;
    out.str('\n\t    ').str(name).str(' LSA (').dec(type).str('), LSA-ID: ').str(ipv4(id));
  }
  const opts = st.g8(p + 2);
  if (st.dead) return -1;
  out.str('\n\t    Options: [').str(bits(OPTIONS, opts)).ch(93);
  return len;
}

/** ospf_print_lsa(): the LSA at `p`; where the next one starts, or -1 when bogus or cut. */
function lsa(st: TextState, p: number): number {
  const out = st.out;
  const len = lsaHeader(st, p);
  if (len < 0) return -1;
  const end = p + len;
  const bodyLen = len - 20;
  const b = p + 20;
  const type = st.m[p + 3];
  switch (type) {
    case 1: {
      const flags = st.g8(b);
      if (st.dead) return -1;
      out.str('\n\t    Router LSA Options: [').str(bits(RLA_FLAGS, flags)).ch(93);
      const count = st.g16(b + 2);
      if (st.dead || !st.get(b + 4, 12)) return -1;
      let l = b + 4;
      for (let i = count; i !== 0; i--) {
        if (!st.get(l, 12)) return -1;
        const lt = st.m[l + 8];
        const id = ipv4(st.g32(l));
        const data = ipv4(st.g32(l + 4));
        if (lt === 1) out.str('\n\t      Neighbor Router-ID: ').str(id).str(', Interface Address: ').str(data);
        else if (lt === 2) out.str('\n\t      Neighbor Network-ID: ').str(id).str(', Interface Address: ').str(data);
        else if (lt === 3) out.str('\n\t      Stub Network: ').str(id).str(', Mask: ').str(data);
        else if (lt === 4) out.str('\n\t      Virtual Link: Neighbor Router-ID: ').str(id).str(', Interface Address: ').str(data);
        else { out.str('\n\t      Unknown Router Link Type (').dec(lt).ch(41); return end; }
        // ospf_print_tos_metrics(): the first metric is topology 0's, then link_tos_count more.
        const tosCount = st.g8(l + 9);
        if (st.dead) return -1;
        for (let k = 0; k <= tosCount; k++) {
          const tt = st.g8(l + 8 + k * 4);
          const metric = st.g16(l + 10 + k * 4);
          if (st.dead) return -1;
          const t = k === 0 ? 0 : tt;
          topologyOf(st, t).str('), metric ').dec(metric);
        }
        l += 12 + tosCount * 4;
      }
      break;
    }
    case 2: {
      const mask = st.g32(b);
      if (st.dead) return -1;
      out.str('\n\t    Mask ').str(ipv4(mask)).str('\n\t    Connected Routers:');
      for (let a = b + 4; a < end; a += 4) {
        if (!st.get(a, 4)) return -1;
        out.str('\n\t      ').str(ipv4(st.g32(a)));
      }
      break;
    }
    case 3:
    case 4: {
      if (type === 3 && !mask(st, b)) return -1;
      if (!st.get(b + 4, 4)) return -1;
      for (let lp = b + 4; lp < end; lp += 4) {
        const ul = st.g32(lp);
        if (st.dead) return -1;
        const t = (ul & 0x7f000000) >>> 24;
        topologyOf(st, t).str(') metric ').dec(ul & 0xffffff);
      }
      break;
    }
    case 5:
    case 7: {
      if (!mask(st, b)) return -1;
      if (!st.get(b + 4, 4)) return -1;
      for (let a = b + 4; a < end; a += 12) {
        const ul = st.g32(a);
        if (st.dead) return -1;
        const t = (ul & 0x7f000000) >>> 24;
        topologyOf(st, t).str('), type ').dec(ul & 0x80000000 ? 2 : 1).str(', metric');
        if ((ul & 0xffffff) === 0xffffff) out.str(' infinite'); else out.ch(32).dec(ul & 0xffffff);
        const fwd = st.g32(a + 4);
        if (st.dead) return -1;
        if (fwd !== 0) out.str(', forward ').str(ipv4(fwd));
        const tag = st.g32(a + 8);
        if (st.dead) return -1;
        if (tag !== 0) out.str(', tag ').str(ipv4(tag));
      }
      break;
    }
    case 6:
      for (let a = b; a < end; a += 8) {
        const vt = st.g32(a);
        const vid = st.g32(a + 4);
        if (st.dead) return -1;
        if (vt === 1) out.str('\n\t    Router Router-ID ').str(ipv4(vid));
        else if (vt === 2) out.str('\n\t    Network Designated Router ').str(ipv4(vid));
        else out.str('\n\t    unknown VertexType (').dec(vt).ch(41);
      }
      break;
    case 9:
    case 10:
    case 11: {
      // A printer's -1 ends this LSA early (tcpdump returns its end), the RI walk's own
      // bounds checks end the packet (NULL); a GET past the capture has jumped (st.dead).
      const ot = st.m[p + 4];
      if (ot === 4) {
        const r = riTlvs(st, b, bodyLen);
        if (st.dead || r === 'trunc') return -1;
        if (r === 'end') return end;
      } else if (ot === 3 || ot === 1) {
        if ((ot === 3 ? graceTlvs(st, b, bodyLen) : teTlvs(st, b, bodyLen)) === -1) return st.dead ? -1 : end;
      } else if (st.vflag <= 1 && !unknownData(st, b, bodyLen, '\n\t    ')) return end;
      break;
    }
    default:
      break;
  }
  if (st.vflag > 1 && !unknownData(st, b, bodyLen, '\n\t    ')) return end;
  return end;
}

/** print_unknown_data(): false for its "pointer past end of packet" error. */
function unknownData(st: TextState, p: number, n: number, indent: string): boolean {
  if (st.dead) return false;
  const bad = p > st.snapend;
  st.unknownData(p, n, indent);
  return !bad;
}

/** ospf_decode_v2(): the body of a packet of type `type` (1..5) ending at `dataend`; a
 *  read past the capture ends the text with the marker (tcpdump's trunc is a longjmp). */
export function writeOspfV2Body(st: TextState, op: number, type: number, dataend: number): void {
  const out = st.out;
  const b = op + 24;
  switch (type) {
    case 1: {
      const opts = st.g8(b + 6);
      if (st.dead) return;
      out.str('\n\tOptions [').str(bits(OPTIONS, opts)).ch(93);
      const hello = st.g16(b + 4);
      const dead = st.g32(b + 8);
      const mask = st.g32(b);
      const prio = st.g8(b + 7);
      if (st.dead) return;
      out.str('\n\t  Hello Timer ').dec(hello).str('s, Dead Timer ').dec(dead).str('s, Mask ').str(ipv4(mask)).str(', Priority ').dec(prio);
      const dr = st.g32(b + 12);
      if (st.dead) return;
      if (dr !== 0) out.str('\n\t  Designated Router ').str(ipv4(dr));
      const bdr = st.g32(b + 16);
      if (st.dead) return;
      if (bdr !== 0) out.str(', Backup Designated Router ').str(ipv4(bdr));
      if (b + 20 < dataend) out.str('\n\t  Neighbor List:');
      for (let a = b + 20; a < dataend; a += 4) {
        if (!st.get(a, 4)) return;
        out.str('\n\t    ').str(ipv4(st.g32(a)));
      }
      return;
    }
    case 2: {
      const opts = st.g8(b + 2);
      if (st.dead) return;
      out.str('\n\tOptions [').str(bits(OPTIONS, opts)).ch(93);
      const flags = st.g8(b + 3);
      if (st.dead) return;
      out.str(', DD Flags [').str(bits(DD_FLAGS, flags)).ch(93);
      const mtu = st.g16(b);
      if (st.dead) return;
      if (mtu !== 0) out.str(', MTU: ').dec(mtu);
      const seq = st.g32(b + 4);
      if (st.dead) return;
      out.str(', Sequence: 0x').hex(seq, 8);
      for (let h = b + 8; h < dataend && lsaHeader(st, h) !== -1; h += 20);
      return;
    }
    case 3:
      for (let r = b; r < dataend; r += 12) {
        if (!st.get(r, 12)) return;
        const lt = st.g32(r);
        out.str('\n\t  Advertising Router: ').str(ipv4(st.g32(r + 8))).str(', ').str(LSA_NAMES[lt] ?? 'unknown').str(' LSA (').dec(lt).ch(41);
        if (lt >= 9 && lt <= 11) {
          const ot = st.m[r + 4];
          out.str(', Opaque-Type: ').str(OPAQUE_NAMES[ot] ?? 'unknown').str(' LSA (').dec(ot).str('), Opaque-ID: ')
            .dec((st.m[r + 5] << 16) | (st.m[r + 6] << 8) | st.m[r + 7]);
        } else out.str(', LSA-ID: ').str(ipv4(st.g32(r + 4)));
      }
      return;
    case 4: {
      const count = st.g32(b);
      if (st.dead) return;
      out.str(', ').dec(count).str(count === 1 ? ' LSA' : ' LSAs');
      let p = b + 4;
      for (let i = 1; i <= count; i++) {
        out.str('\n\t  LSA #').dec(i);
        const next = lsa(st, p);
        if (next < 0) { st.jump(); return; } // tcpdump's trunc: a bogus or cut LSA
        p = next;
      }
      return;
    }
    case 5:
      // 4.99 walks LSA headers until one is bogus or cut: no end of data test.
      for (let h = b; lsaHeader(st, h) !== -1; h += 20);
      return;
    default:
      return;
  }
}

/** ospf_decode_lls(): the LLS block after a Hello or DD whose options announce one. */
export function ospfLls(st: TextState, op: number, type: number, length: number): void {
  const out = st.out;
  const opts = type === 1 ? st.g8(op + 24 + 6) : type === 2 ? st.g8(op + 24 + 2) : 0;
  if (st.dead || (opts & 0x10) === 0) return;
  let length2 = st.g16(op + 2);
  let d = op + length2;
  const dataend = op + length;
  const auth = st.g16(op + 14);
  if (st.dead) return;
  if (auth === 2) {
    const al = st.g8(op + 16 + 3);
    if (st.dead) return;
    d += al;
    length2 += al;
  }
  if (length2 >= length) { out.str('\n\t[LLS truncated]'); return; }
  const ck = st.g16(d);
  if (st.dead) return;
  out.str('\n\t  LLS: checksum: 0x').hex(ck, 4);
  const ll = st.g16(d + 2);
  if (st.dead) return;
  out.str(', length: ').dec(ll);
  d += 4;
  while (d < dataend) {
    const t = st.g16(d);
    if (st.dead) return;
    out.str('\n\t    ').str(t === 1 ? 'Extended Options' : t === 2 ? 'MD5 Authentication' : 'Unknown TLV').str(' (').dec(t).ch(41);
    let l = st.g16(d + 2);
    if (st.dead) return;
    out.str(', length: ').dec(l);
    d += 4;
    if (t === 1) {
      if (l !== 4) { out.str(' [should be 4]'); l = 4; }
      const f = st.g32(d);
      if (st.dead) return;
      out.str('\n\t      Options: 0x').hex(f, 8).str(' [').str(bits(LLS_EO, f, '?')).ch(93);
    } else if (t === 2) {
      if (l !== 20) { out.str(' [should be 20]'); l = 20; }
      const s = st.g32(d);
      if (st.dead) return;
      out.str('\n\t      Sequence number: 0x').hex(s, 8);
    }
    d += l;
  }
}
