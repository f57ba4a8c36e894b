// The configuration options of PPP's IP and IPv6 control protocols with -v, as tcpdump
// 4.99's print_ipcp_config_options() and print_ip6cp_config_options() print them
// (RFC 1332 IP-Addrs / IP-Comp / IP-Addr, RFC 2290 Home-Addr, RFC 1877 DNS and NBNS
// servers, RFC 3544 IP Header Compression with its suboptions; RFC 5072 Interface-ID).
// Each returns the option's length, or 0 to stop the list (handle_ctrl_proto()'s loop).
import type { TextState } from './state.js';

const IPCP_OPTS = new Map<number, string>([
  [1, 'IP-Addrs'], [2, 'IP-Comp'], [3, 'IP-Addr'], [4, 'Home-Addr'], [129, 'Pri-DNS'], [130, 'Pri-NBNS'], [131, 'Sec-DNS'], [132, 'Sec-NBNS'],
]);
const IPCOMP_MINLEN = 14;

/** The option header both printers share: false when the list stops there. */
function header(st: TextState, q: number, length: number, name: string | undefined, tag: string): number {
  if (length < 2) return -1;
  if (!st.has(q, 2)) { st.out.str(`[|${tag}]`); return -1; }
  const opt = st.m[q];
  const len = st.m[q + 1];
  if (length < len) return -1;
  st.out.str('\n\t  ').str(name ?? 'unknown').str(' Option (0x').hex(opt, 2).str('), length ').dec(len);
  if (len < 2) { st.out.str(' (length bogus, should be >= 2)'); return -1; }
  return len;
}

/** The raw bytes of an option: unknown ones with -v, every one with -vv. */
function raw(st: TextState, q: number, len: number, known: boolean): void {
  if (!known && st.vflag < 2) st.unknownData(q + 2, len - 2, '\n\t    ');
  if (st.vflag > 1) st.unknownData(q + 2, len - 2, '\n\t    ');
}

/** print_ipcp_config_options(): the option at q, `length` the encoded length. */
export function ipcpOption(st: TextState, q: number, length: number): number {
  const out = st.out;
  const opt = st.has(q, 1) ? st.m[q] : 0;
  const len = header(st, q, length, IPCP_OPTS.get(opt), 'ipcp');
  if (len < 0) return 0;
  // -vv's dump starts after the option header; tcpdump has moved its pointer past the
  // IP-Comp parameters and the suboptions it walked when there are some, and dumps from
  // there (which may be past the packet: "Dissector error").
  let base = q;
  switch (opt) {
    case 1:
      if (len !== 10) { out.str(' (length bogus, should be = 10)'); return len; }
      if (!st.get(q + 2, 8)) return 0;
      out.str(': src ').ipv4At(st.m, q + 2).str(', dst ').ipv4At(st.m, q + 6);
      break;
    case 2: {
      if (len < 4) { out.str(' (length bogus, should be >= 4)'); return 0; }
      const cp = st.g16(q + 2);
      out.str(': ').str(cp === 0x002d ? 'VJ-Comp' : cp === 0x61 ? 'IP Header Compression' : 'Unknown').str(' (0x').hex(cp, 2).str('):');
      if (cp !== 0x61) break;
      if (len < IPCOMP_MINLEN) { out.str(' (length bogus, should be >= ').dec(IPCOMP_MINLEN).ch(41); return 0; }
      if (!st.has(q + 2, IPCOMP_MINLEN)) { out.str('[|ipcp]'); return 0; }
      out.str('\n\t    TCP Space ').dec(st.g16(q + 4)).str(', non-TCP Space ').dec(st.g16(q + 6))
        .str(', maxPeriod ').dec(st.g16(q + 8)).str(', maxTime ').dec(st.g16(q + 10)).str(', maxHdr ').dec(st.g16(q + 12));
      if (len > IPCOMP_MINLEN) {
        let total = len - IPCOMP_MINLEN;
        let s = q + IPCOMP_MINLEN;
        out.str('\n\t      Suboptions, length ').dec(total);
        while (total >= 2) {
          if (!st.has(s, 2)) { out.str('[|ipcp]'); return 0; }
          const sub = st.m[s];
          const slen = st.m[s + 1];
          if (sub === 0 || slen === 0) break;
          out.str('\n\t\t').str(sub === 1 ? 'RTP-Compression' : sub === 2 ? 'Enhanced RTP-Compression' : 'Unknown')
            .str(' Suboption #').dec(sub).str(', length ').dec(slen);
          if (total < slen) { out.str(' [remaining suboptions length ').dec(total).str(' < ').dec(slen).str('] (invalid)'); break; }
          total -= slen;
          s += slen;
        }
        base = s;
      }
      break;
    }
    case 3: case 4: case 129: case 130: case 131: case 132:
      if (len !== 6) { out.str(' (length bogus, should be = 6)'); return 0; }
      if (!st.get(q + 2, 4)) return 0;
      out.str(': ').ipv4At(st.m, q + 2);
      break;
    default:
      raw(st, q, len, false);
      return len;
  }
  raw(st, base, len, true);
  return len;
}

/** print_ip6cp_config_options(): the option at q, `length` the encoded length. */
export function ip6cpOption(st: TextState, q: number, length: number): number {
  const out = st.out;
  const opt = st.has(q, 1) ? st.m[q] : 0;
  const len = header(st, q, length, opt === 1 ? 'Interface-ID' : undefined, 'ip6cp');
  if (len < 0) return 0;
  if (opt !== 1) { raw(st, q, len, false); return len; }
  if (len !== 10) { out.str(' (length bogus, should be = 10)'); return len; }
  if (!st.has(q + 2, 8)) { out.str('[|ip6cp]'); return 0; }
  for (let i = 0; i < 4; i++) { if (i > 0) out.ch(58); else out.str(': '); out.hex(st.g16(q + 2 + 2 * i), 4); }
  raw(st, q, len, true);
  return len;
}
