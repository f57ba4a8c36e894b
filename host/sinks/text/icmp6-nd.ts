// Neighbour-discovery options (RFC 4861, 4191, 6106, 6275), printed with -v after router
// and neighbour solicitations and advertisements, redirects and mobile prefix adverts,
// as tcpdump 4.99's icmp6_opt_print() prints them: one "\n\t  <name> option (T), length L
// (N): ..." line each. The options follow the fixed part of a message the descriptor
// located; each one gives its own length in 8-byte units.
import type { TextState } from './state.js';
import { bitNames } from './names.js';
import { RT_PREF } from './icmp6.js';

const OPTION_NAMES: Record<number, string> = {
  1: 'source link-address', 2: 'destination link-address', 3: 'prefix info', 4: 'redirected header', 5: 'mtu',
  25: 'rdnss', 31: 'dnssl', 7: 'advertisement interval', 8: 'homeagent information', 24: 'route info',
};
const PREFIX_FLAGS: Array<[number, string]> = [[0x80, 'onlink'], [0x40, 'auto'], [0x20, 'router']];

/** The options in `resid` bytes at bp; false where tcpdump gives up (" [|icmp6]"). */
export function writeNdOptions(st: TextState, bp: number, resid0: number): boolean {
  const out = st.out;
  const m = st.m;
  let resid = resid0;
  for (let cp = bp; cp < st.snapend;) {
    if (!st.has(cp + 1, 1)) return false;
    if (resid <= 0) return true;
    const type = m[cp];
    const olen = m[cp + 1];
    if (olen === 0) return false;
    const bytes = olen << 3;
    if (cp + bytes > st.snapend) return false;
    out.str('\n\t  ').str(OPTION_NAMES[type] ?? 'unknown').str(' option (').dec(type).str('), length ').dec(bytes)
      .str(' (').dec(olen).str('): ');
    switch (type) {
      case 1: case 2:
        for (let i = 0; i < bytes - 2; i++) {
          if (i) out.ch(58);
          out.hex2(m[cp + 2 + i]);
        }
        break;
      case 3:
        if (!st.get(cp + 16, 16)) return false;
        out.ipv6At(m, cp + 16).ch(47).dec(m[cp + 2]);
        if (olen !== 4) out.str('badlen');
        out.str(', Flags [');
        st.out.str(bitNames(m[cp + 3], PREFIX_FLAGS));
        out.str('], valid time ');
        writeLifetime(st, be32(m, cp + 4));
        out.str(', pref. time ');
        writeLifetime(st, be32(m, cp + 8));
        break;
      case 4:
        // tcpdump dumps from the start of the options, not of this one.
        st.unknownData(bp, bytes, '\n\t    ');
        break;
      case 5:
        out.ch(32).dec(be32(m, cp + 4));
        if (olen !== 1) out.str('bad option length');
        break;
      case 25: {
        out.str(' lifetime ').dec(be32(m, cp + 4)).str('s,');
        const n = (olen - 1) >> 1;
        for (let i = 0; i < n; i++) out.str(' addr: ').ipv6At(m, cp + 8 + i * 16);
        break;
      }
      case 31:
        out.str(' lifetime ').dec(be32(m, cp + 4)).str('s, domain(s):');
        for (let d = cp + 8; d < cp + bytes && m[d] !== 0;) {
          out.ch(32);
          d = writeName(st, d, cp + bytes);
          if (d < 0) return false;
        }
        break;
      case 7: out.ch(32).dec(be32(m, cp + 4)).str('ms'); break;
      case 8: out.str(' preference ').dec((m[cp + 4] << 8) | m[cp + 5]).str(', lifetime ').dec((m[cp + 6] << 8) | m[cp + 7]); break;
      case 24: {
        if (olen < 1 || olen > 3) return false;
        // The prefix is copied into a zeroed address: only olen - 1 of its 8-byte halves.
        const addr = new Uint8Array(16);
        for (let i = 0; i < (olen - 1) * 8; i++) addr[i] = m[cp + 8 + i];
        out.ch(32).ipv6At(addr, 0).ch(47).dec(m[cp + 2]).str(', pref=').str(RT_PREF[(m[cp + 3] & 0x18) >> 3]).str(', lifetime=');
        writeLifetime(st, be32(m, cp + 4));
        break;
      }
      default:
        if (st.vflag <= 1) { st.unknownData(cp + 2, bytes - 2, '\n\t  '); return true; }
        break;
    }
    if (st.vflag > 1) st.unknownData(cp + 2, bytes - 2, '\n\t    ');
    cp += bytes;
    resid -= bytes;
  }
  return true;
}

/** fqdn_print() for an option's uncompressed name: its labels, each followed by '.'. */
function writeName(st: TextState, p0: number, end: number): number {
  const m = st.m;
  let p = p0;
  for (;;) {
    if (p >= end) return -1;
    const n = m[p];
    if (n === 0) { if (p === p0) st.out.ch(46); return p + 1; }
    if (n > 63 || p + 1 + n > end) return -1;
    for (let i = 1; i <= n; i++) st.out.ch(m[p + i]);
    st.out.ch(46);
    p += 1 + n;
  }
}

function writeLifetime(st: TextState, v: number): void {
  if (v === 0xffffffff) st.out.str('infinity');
  else st.out.dec(v).ch(115);
}

function be32(m: Uint8Array, p: number): number {
  return ((m[p] << 24) | (m[p + 1] << 16) | (m[p + 2] << 8) | m[p + 3]) >>> 0;
}
