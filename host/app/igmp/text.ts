// IGMP as tcpdump 4.99 prints it (print-igmp.c, igmp_print), IPv4 protocol 2: queries v1/v2
// (max response time, group, a length other than 8) and v3 (RFC 3376 §4.1.1's max response
// code, group and sources), reports v1/v2/v3 (v3's group records with -v, their sources
// with -vv), leave, mtrace/mresp, 'igmp-N' for another type, ' bad igmp cksum N!' with -v.
// DVMRP and PIMv1 have printers of their own in tcpdump (not done: the line is marked
// generic after their name). Reads go through the state's GET_ semantics: a byte past the
// capture ends the line with ' [|igmp]'.
import type { TextState } from '../../sinks/text/state.js';
import { onesSum } from '../../sinks/text/inet-checksum.js';
import { writeGroupRecords, writeQuerySources } from './group-records.js';

/** unsigned_relts_print(): seconds as tcpdump's "1h2m3s". */
export function relts(secs: number): string {
  if (secs === 0) return '0s';
  const units: Array<[number, string]> = [[31536000, 'y'], [604800, 'w'], [86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']];
  let s = '';
  for (const [n, u] of units) if (secs >= n) { s += `${Math.floor(secs / n)}${u}`; secs %= n; }
  return s;
}

/** ND_PRINT("<prefix>%s", GET_IPADDR_STRING(p)): the address is read before anything is
 *  printed, so a cut one prints nothing of it (the line ends in ' [|igmp]'). */
function addr(st: TextState, prefix: string, p: number): void {
  if (st.get(p, 4)) st.out.str(prefix).ipv4At(st.m, p);
}

function v3Query(st: TextState, bp: number, len: number): void {
  const out = st.out;
  out.str(' v3');
  if (len < 12 || (len & 3) !== 0) { out.str(' [invalid len ').dec(len).ch(93); return; }
  const mrc = st.g8(bp + 1);
  if (st.dead) return;
  const mrt = mrc < 128 ? mrc : ((mrc & 0x0f) | 0x10) << (((mrc & 0x70) >> 4) + 3);
  if (mrc !== 100) out.str(' [max resp time ').str(mrt < 600 ? `${(mrt * 0.1).toFixed(1)}s` : relts(Math.floor(mrt / 10))).ch(93);
  const group = st.g32(bp + 4);
  if (st.dead || group === 0) return;
  addr(st, ' [gaddr ', bp + 4);
  const nsrcs = st.g16(bp + 10);
  if (st.dead) return;
  writeQuerySources(st, bp, len, 12, nsrcs, 4);
}

function v3Report(st: TextState, bp: number, len: number): void {
  if (len < 16 || (len & 3) !== 0) { st.out.str(' [invalid len ').dec(len).ch(93); return; }
  writeGroupRecords(st, bp, len, 4, 'v3');
}

/** print_mtrace(): the traceroute query or response header (struct tr_query at bp + 8). */
function mtrace(st: TextState, name: string, bp: number, len: number): void {
  const out = st.out;
  if (len < 8 + 16) { out.str(' [invalid len ').dec(len).ch(93); return; }
  const q = bp + 8;
  if (!st.get(q + 13, 3)) return;
  const qid = (st.m[q + 13] << 16) | (st.m[q + 14] << 8) | st.m[q + 15];
  if (!st.get(q, 12)) return;
  out.str(name).ch(32).dec(qid).str(': ').ipv4At(st.m, q).str(' to ').ipv4At(st.m, q + 4).str(' reply-to ').ipv4At(st.m, q + 8);
  if ((st.m[q + 8] & 0xf0) === 0xe0) out.str(' with-ttl ').dec(st.m[q + 12]);
}

/** igmp_print() for the IGMP message at `bp`, `len` bytes per the IP header. */
export function writeIgmp(st: TextState, bp: number, len: number): void {
  const out = st.out;
  st.proto = 'igmp';
  if (st.qflag) { out.str('igmp'); return; }
  const type = st.g8(bp);
  if (st.dead) return;
  switch (type) {
    case 0x11:
      out.str('igmp query');
      if (len >= 12) v3Query(st, bp, len);
      else {
        const mrt = st.g8(bp + 1);
        if (st.dead) return;
        if (mrt !== 0) {
          out.str(' v2');
          if (mrt !== 100) out.str(' [max resp time ').dec(mrt).ch(93);
        } else out.str(' v1');
        const group = st.g32(bp + 4);
        if (st.dead) return;
        if (group !== 0) { out.str(' [gaddr ').ipv4At(st.m, bp + 4).ch(93); }
        if (len !== 8) out.str(' [len ').dec(len).ch(93);
      }
      break;
    case 0x12:
      addr(st, 'igmp v1 report ', bp + 4);
      if (st.dead) return;
      if (len !== 8) out.str(' [len ').dec(len).ch(93);
      break;
    case 0x16: addr(st, 'igmp v2 report ', bp + 4); break;
    case 0x22: out.str('igmp v3 report'); v3Report(st, bp, len); break;
    case 0x17: addr(st, 'igmp leave ', bp + 4); break;
    case 0x13:
      out.str('igmp dvmrp');
      if (len < 8) out.str(' [len ').dec(len).ch(93);
      else st.markCut(); // dvmrp_print: not done
      break;
    case 0x14: out.str('igmp pimv1'); st.markCut(); break; // pimv1_print: not done
    case 0x1e: mtrace(st, 'mresp', bp, len); break;
    case 0x1f: mtrace(st, 'mtrace', bp, len); break;
    default: out.str('igmp-').dec(type); break;
  }
  if (st.dead) return;
  if (st.vflag > 0 && len >= 4 && bp + len <= st.snapend && onesSum(st.m, bp, len) !== 0xFFFF) {
    out.str(' bad igmp cksum ').hex((st.m[bp + 2] << 8) | st.m[bp + 3]).ch(33);
  }
}
