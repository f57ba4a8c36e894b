// The multicast group records of an IGMPv3 report (RFC 3376 §4.2) and of an MLDv2 report
// (RFC 3810 §5.2) as tcpdump 4.99 prints them (print-igmp.c print_igmpv3_report,
// print-icmp6.c mldv2_report_print): one walk over records of a type, an aux-data length,
// a source count, the group address and the sources, with IPv4 or IPv6 addresses.
import type { TextState } from '../../sinks/text/state.js';

const RECORD_TYPES = ['', 'is_in', 'is_ex', 'to_in', 'to_ex', 'allow', 'block'];

/**
 * ", N group record(s)" for the report at `bp` (`len` bytes, its length already checked
 * by the caller), then with -v each record: " [gaddr G type" and ", N source(s)" or, with
 * -vv, " { S ... }", then "]". `addrLen` is 4 (IGMP) or 16 (MLD); `name` names an
 * unknown record type: " [v3-report-#T]" in IGMPv3 ('v3'), " [v2-report-#T]" in MLDv2
 * ('v2'). A count that runs past `len` ends the line with "[invalid number of ...]".
 */
export function writeGroupRecords(st: TextState, bp: number, len: number, addrLen: 4 | 16, name: string): void {
  const out = st.out;
  const ngroups = st.g16(bp + 6);
  if (st.dead) return;
  out.str(', ').dec(ngroups).str(' group record(s)');
  if (st.vflag === 0) return;
  const fixed = 4 + addrLen; // type, aux-data length, number of sources, group address
  let group = 8;
  for (let i = 0; i < ngroups; i++) {
    if (len < group + fixed) { out.str(' [invalid number of groups]'); return; }
    // GET_IPADDR_STRING / GET_IP6ADDR_STRING: read whole before anything is printed.
    if (!st.get(bp + group + 4, addrLen)) return;
    out.str(' [gaddr ');
    writeAddr(st, bp + group + 4, addrLen);
    const t = st.g8(bp + group);
    if (st.dead) return;
    out.ch(32);
    if (t >= 1 && t <= 6) out.str(RECORD_TYPES[t]); else out.str(` [${name}-report-#`).dec(t).ch(93);
    const nsrcs = st.g16(bp + group + 2);
    if (st.dead) return;
    if (len < group + fixed + nsrcs * addrLen) { out.str(' [invalid number of sources ').dec(nsrcs).ch(93); return; }
    if (st.vflag === 1) out.str(', ').dec(nsrcs).str(' source(s)');
    else if (!writeSources(st, bp + group + fixed, nsrcs, addrLen)) return;
    group += fixed + nsrcs * addrLen;
    out.ch(93);
  }
}

/** " { S1 S2 ... }": the `n` sources at `p`, each read whole before it is printed; false
 *  (the line ended in the marker) when one is cut. */
export function writeSources(st: TextState, p: number, n: number, addrLen: 4 | 16): boolean {
  st.out.str(' {');
  for (let i = 0; i < n; i++) {
    if (!st.get(p + i * addrLen, addrLen)) return false;
    st.out.ch(32);
    writeAddr(st, p + i * addrLen, addrLen);
  }
  st.out.str(' }');
  return true;
}

/** The query's source list after its count (IGMPv3 §4.1.8, MLDv2 §5.1.10), at `p` of a
 *  message of `len` bytes whose sources start at `first`: a count past `len` is
 *  "[invalid number of sources]", -vv lists them, -v counts them; then the closing "]". */
export function writeQuerySources(st: TextState, p: number, len: number, first: number, nsrcs: number, addrLen: 4 | 16): void {
  if (nsrcs > 0) {
    if (len < first + nsrcs * addrLen) st.out.str(' [invalid number of sources]');
    else if (st.vflag > 1) { if (!writeSources(st, p + first, nsrcs, addrLen)) return; }
    else st.out.str(', ').dec(nsrcs).str(' source(s)');
  }
  st.out.ch(93);
}

function writeAddr(st: TextState, p: number, addrLen: 4 | 16): void {
  if (addrLen === 4) st.out.ipv4At(st.m, p); else st.out.ipv6At(st.m, p);
}
