// TCP options with printers of their own in tcpdump 4.99: MPTCP (kind 30, print-mptcp.c's
// mptcp_print(): the option's length, the subtype's name and its fields; a subtype whose
// length or TCP flags do not fit returns 0 and the caller prints "[bad opt]") and TCP-AO
// (kind 29, RFC 5925: key ids and the MAC, print-tcp.c). MPTCP reads stop at the option's
// end (tcpdump lowers the snapend to it), so a field past it is " [|mptcp]".
import type { TextState } from './state.js';

const TH_SYN = 0x02;
const TH_ACK = 0x10;
const NAMES = ['capable', 'join', 'dss', 'add-addr', 'rem-addr', 'prio', 'fail', 'fast-close', 'unknown'];
const ADDR_ECHO = new Map<number, string>([[0x6, 'v0-ip6'], [0x4, 'v0-ip4'], [0x1, 'v1-echo'], [0x0, 'v1']]);

/** GET_BE_U_8 as a bigint (a jump past the capture gives 0 and kills the line). */
function g64(st: TextState, p: number): bigint {
  const hi = st.g32(p);
  const lo = st.g32(p + 4);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

function capable(st: TextState, p: number, len: number, flags: number): boolean {
  if (!((len === 12 || len === 4) && (flags & TH_SYN)) && !((len === 20 || len === 22) && (flags & (TH_SYN | TH_ACK)) === TH_ACK)) return false;
  const version = st.g8(p + 2) & 0xF;
  if (version > 1) { st.out.str(' Unknown Version (').dec(version).ch(41); return true; }
  st.out.str(' v').dec(version);
  if (st.g8(p + 3) & 0x80) st.out.str(' csum');
  if (len === 12 || len >= 20) {
    st.out.str(' {0x').str(g64(st, p + 4).toString(16));
    if (len >= 20) st.out.str(',0x').str(g64(st, p + 12).toString(16));
    st.out.ch(125);
  }
  return true;
}

function join(st: TextState, p: number, len: number, flags: number): boolean {
  if (!(len === 12 && (flags & TH_SYN)) && !(len === 16 && (flags & (TH_SYN | TH_ACK)) === (TH_SYN | TH_ACK)) && !(len === 24 && (flags & TH_ACK))) return false;
  const out = st.out;
  if (len !== 24) {
    if (st.g8(p + 2) & 1) out.str(' backup');
    out.str(' id ').dec(st.g8(p + 3));
  }
  if (len === 12) out.str(' token 0x').hex(st.g32(p + 4)).str(' nonce 0x').hex(st.g32(p + 8));
  else if (len === 16) out.str(' hmac 0x').str(g64(st, p + 4).toString(16)).str(' nonce 0x').hex(st.g32(p + 12));
  else {
    // The ACK's 20-byte MAC is printed straight from the buffer (no GET_ macro).
    out.str(' hmac 0x');
    for (let i = 0; i < 20; i++) out.hex2(st.m[p + 4 + i]);
  }
  return true;
}

function dss(st: TextState, p: number, len: number, flags: number): boolean {
  if (len < 4 || (flags & TH_SYN)) return false;
  const out = st.out;
  const f = st.g8(p + 3);
  if (f & 0x10) out.str(' fin');
  let o = p + 4;
  let left = len - 4;
  if (f & 0x01) {
    out.str(' ack ');
    if (f & 0x02) { if (left < 8) return false; out.str(g64(st, o).toString()); o += 8; left -= 8; }
    else { if (left < 4) return false; out.dec(st.g32(o)); o += 4; left -= 4; }
  }
  if (f & 0x04) {
    out.str(' seq ');
    if (f & 0x08) { if (left < 8) return false; out.str(g64(st, o).toString()); o += 8; left -= 8; }
    else { if (left < 4) return false; out.dec(st.g32(o)); o += 4; left -= 4; }
    if (left < 4) return false;
    out.str(' subseq ').dec(st.g32(o)); o += 4; left -= 4;
    if (left < 2) return false;
    out.str(' len ').dec(st.g16(o)); o += 2; left -= 2;
    if (left >= 2) { out.str(' csum 0x').hex(st.g16(o)); left -= 2; }
  }
  return left === 0;
}

function addAddr(st: TextState, p: number, len: number): boolean {
  if (![8, 10, 16, 18, 20, 22, 28, 30].includes(len)) return false;
  const out = st.out;
  out.ch(32).str(ADDR_ECHO.get(st.g8(p + 2) & 0xF) ?? '[bad version/echo]');
  out.str(' id ').dec(st.g8(p + 3));
  const v4 = len <= 18;
  const a = p + 4;
  const alen = v4 ? 4 : 16;
  out.ch(32);
  if (st.get(a, alen)) {
    if (v4) out.ipv4At(st.m, a); else out.ipv6At(st.m, a);
  }
  const withPort = len === 10 || len === 18 || len === 22 || len === 30;
  if (withPort) out.ch(58).dec(st.g16(a + alen));
  if (len === 16 || len === 28) out.str(' hmac 0x').str(g64(st, a + alen).toString(16));
  if (len === 18 || len === 30) out.str(' hmac 0x').str(g64(st, a + alen + 2).toString(16));
  return true;
}

/** mptcp_print(): the option at p (its kind byte), `len` its length; false = "[bad opt]". */
export function writeMptcp(st: TextState, p: number, len: number, flags: number): boolean {
  st.proto = 'mptcp';
  if (len < 3) return false;
  const save = st.snapend;
  if (p + len < st.snapend) st.snapend = p + len;
  const sub = Math.min(st.g8(p + 2) >>> 4, 8);
  const out = st.out;
  let ok = true;
  if (!st.dead) {
    out.ch(32).dec(len).ch(32).str(NAMES[sub]);
    switch (sub) {
      case 0: ok = capable(st, p, len, flags); break;
      case 1: ok = join(st, p, len, flags); break;
      case 2: ok = dss(st, p, len, flags); break;
      case 3: ok = addAddr(st, p, len); break;
      case 4:
        if (len < 4) { ok = false; break; }
        out.str(' id');
        for (let i = 0; i < len - 3 && !st.dead; i++) out.ch(32).dec(st.g8(p + 3 + i));
        break;
      case 5:
        if (len !== 3 && len !== 4) { ok = false; break; }
        out.str(st.g8(p + 2) & 1 ? ' backup' : ' non-backup');
        if (len === 4) out.str(' id ').dec(st.g8(p + 3));
        break;
      case 6: case 7:
        if (len !== 12) { ok = false; break; }
        out.str(sub === 6 ? ' seq ' : ' key 0x');
        { const v = g64(st, p + 4); out.str(sub === 6 ? v.toString() : v.toString(16)); }
        break;
      default: break;
    }
  }
  st.snapend = save;
  return ok;
}

/** The TCP-AO option's data (cp, datalen = len - 2); false = "[bad opt]" (LENCHECK). */
export function writeTcpAo(st: TextState, cp: number, datalen: number, hlen: number): boolean {
  const out = st.out;
  if (datalen < 2) { out.str(' (invalid)'); return true; }
  // LENCHECK(n): past the option space "[bad opt]", past the capture the marker.
  if (1 > hlen) return false;
  if (!st.need(cp, 1)) return true;
  out.str(' keyid ').dec(st.m[cp]);
  if (2 > hlen) return false;
  if (!st.need(cp, 2)) return true;
  out.str(' rnextkeyid ').dec(st.m[cp + 1]);
  if (datalen > 2) {
    out.str(' mac 0x');
    for (let i = 2; i < datalen; i++) {
      if (i + 1 > hlen) return false;
      if (!st.need(cp, i + 1)) return true;
      out.hex2(st.m[cp + i]);
    }
  }
  return true;
}
