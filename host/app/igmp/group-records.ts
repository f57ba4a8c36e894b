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
  const m = st.m;
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
    if (addrLen === 4) out.ipv4At(m, bp + group + 4); else out.ipv6At(m, bp + group + 4);
    const t = st.g8(bp + group);
    if (st.dead) return;
    out.ch(32);
    if (t >= 1 && t <= 6) out.str(RECORD_TYPES[t]); else out.str(` [${name}-report-#`).dec(t).ch(93);
    const nsrcs = st.g16(bp + group + 2);
    if (st.dead) return;
    if (len < group + fixed + nsrcs * addrLen) { out.str(' [invalid number of sources ').dec(nsrcs).ch(93); return; }
    if (st.vflag === 1) out.str(', ').dec(nsrcs).str(' source(s)');
    else {
      out.str(' {');
      for (let j = 0; j < nsrcs; j++) {
        const a = bp + group + fixed + j * addrLen;
        if (!st.get(a, addrLen)) return;
        out.ch(32);
        if (addrLen === 4) out.ipv4At(m, a); else out.ipv6At(m, a);
      }
      out.str(' }');
    }
    group += fixed + nsrcs * addrLen;
    out.ch(93);
  }
}
