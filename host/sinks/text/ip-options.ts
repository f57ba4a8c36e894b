// IPv4 options as tcpdump 4.99's ip_optprint() prints them with -v ("options (RR a b c,
// NOP,timestamp TS{...})"), and the final destination a source route gives the transport
// checksum's pseudo-header (ip_finddst()). The options lie between the fixed header and
// the descriptor's IP header length; each gives its own length.
import type { TextState } from './state.js';
import { onesSum } from './inet-checksum.js';

const NAMES: Record<number, string> = {
  0: 'EOL', 1: 'NOP', 68: 'timestamp', 130: 'security', 7: 'RR', 137: 'SSRR', 131: 'LSRR', 148: 'RA', 82: 'traceroute',
};

/** The options in `length` bytes at cp; false where tcpdump's printer gives up (the caller
 *  then prints " [truncated-option]"). A read past the capture ends the line. */
export function writeIp4Options(st: TextState, cp0: number, length0: number): boolean {
  const out = st.out;
  const m = st.m;
  let cp = cp0;
  let length = length0;
  let olen = 0;
  for (let first = true; length > 0; cp += olen, length -= olen, first = false) {
    if (!first) out.ch(44);
    const code = st.g8(cp);
    if (st.dead) return true;
    const name = NAMES[code];
    if (name !== undefined) out.str(name); else out.str('unknown ').dec(code);
    if (code === 0 || code === 1) olen = 1;
    else {
      olen = st.g8(cp + 1);
      if (st.dead) return true;
      if (olen < 2) { out.str(' [bad length ').dec(olen).ch(93); return true; }
    }
    if (olen > length) { out.str(' [bad length ').dec(olen).ch(93); return true; }
    if (!st.has(cp, olen)) return false;
    switch (code) {
      case 0: return true;
      case 68: if (!writeTimestamps(st, cp, olen)) return false; break;
      case 7: case 137: case 131: if (!writeRoute(st, cp, olen)) return false; break;
      case 148:
        if (olen < 4) out.str(' [bad length ').dec(olen).ch(93);
        else {
          const value = (m[cp + 2] << 8) | m[cp + 3];
          if (value !== 0) out.str(' value ').dec(value);
        }
        break;
      default: break;
    }
  }
  return true;
}

/** ip_printroute(): the addresses of a record-route or source-route option. */
function writeRoute(st: TextState, cp: number, length: number): boolean {
  const out = st.out;
  const m = st.m;
  if (length < 3) { out.str(' [bad length ').dec(length).ch(93); return true; }
  if ((length + 1) & 3) out.str(' [bad length ').dec(length).ch(93);
  const ptr = (m[cp + 2] - 1) >>> 0;
  if (ptr < 3 || ((ptr + 1) & 3) || ptr > length + 1) out.str(' [bad ptr ').dec(m[cp + 2]).ch(93);
  for (let len = 3; len < length; len += 4) {
    if (!st.has(cp + len, 4)) return false;
    out.ch(32).ipv4At(m, cp + len);
    if (ptr > len) out.ch(44);
  }
  return true;
}

/** ip_printts(): " TS{TSONLY 12@ ^ }" and its relatives. */
function writeTimestamps(st: TextState, cp: number, length: number): boolean {
  const out = st.out;
  const m = st.m;
  if (length < 4) { out.str('[bad length ').dec(length).ch(93); return true; }
  out.str(' TS{');
  const flags = m[cp + 3];
  const hoplen = (flags & 0xF) !== 0 ? 8 : 4;
  if ((length - 4) & (hoplen - 1)) out.str('[bad length ').dec(length).ch(93);
  const ptr = (m[cp + 2] - 1) >>> 0;
  let len = 0;
  if (ptr < 4 || (((ptr - 4) >>> 0) & (hoplen - 1)) || ptr > length + 1) out.str('[bad ptr ').dec(m[cp + 2]).ch(93);
  const kind = flags & 0xF;
  if (kind === 0 || kind === 1 || kind === 3) {
    out.str(kind === 0 ? 'TSONLY' : kind === 1 ? 'TS+ADDR' : 'PRESPEC');
    let type = ' ';
    for (len = 4; len < length; len += hoplen) {
      if (ptr === len) type = ' ^ ';
      if (!st.has(cp + len, hoplen)) return false;
      const p = cp + len + hoplen - 4;
      out.str(type).dec(((m[p] << 24) | (m[p + 1] << 16) | (m[p + 2] << 8) | m[p + 3]) >>> 0).ch(64);
      if (hoplen === 8) out.ipv4At(m, cp + len);
      type = ' ';
    }
  } else {
    out.str('[bad ts type ').dec(kind).ch(93);
  }
  if (ptr === len) out.str(' ^ ');
  if (flags >> 4) out.str(' [').dec(flags >> 4).str(' hops not recorded]} ');
  else out.ch(125);
  return true;
}

/** The IPv4 pseudo-header's addresses summed: the source, and the destination, which is
 *  the last address of a strict or loose source route when the header has one. */
export function pseudoSum4(st: TextState, ip: number, hlen: number): number {
  const m = st.m;
  let dst = ip + 16;
  for (let cp = ip + 20, length = hlen - 20, len = 0; length > 0; cp += len, length -= len) {
    const tt = m[cp];
    if (tt === 0) break;
    if (tt === 1) len = 1;
    else {
      len = m[cp + 1];
      if (len < 2) break;
    }
    if (length < len || !st.has(cp, len)) break;
    if ((tt === 137 || tt === 131) && len >= 7) { dst = cp + len - 4; break; }
  }
  return onesSum(m, ip + 12, 4) + onesSum(m, dst, 4);
}
