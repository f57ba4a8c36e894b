// The Ethernet configuration testing protocol (EtherType 0x9000, "Loopback") as tcpdump
// 4.99's print-loopback.c prints it. The message follows the Ethernet header the
// descriptor accounts for (L2_LEN); its fields are little-endian.
import type { TextState } from './state.js';

export function writeLoopback(st: TextState, p0: number, len0: number): void {
  const out = st.out;
  st.proto = 'loopback';
  out.str('Loopback');
  let p = p0;
  let len = len0;
  if (len < 2) { invalid(st, p, len); return; }
  const skip = le16(st, p);
  if (st.dead) return;
  p += 2;
  len -= 2;
  out.str(', skipCount ').dec(skip);
  if (skip % 8) out.str(' (bogus)');
  if (skip > len) { invalid(st, p, len); return; }
  if (!st.get(p, skip)) return;
  p += skip;
  len -= skip;
  if (len < 2) { invalid(st, p, len); return; }
  const fn = le16(st, p);
  if (st.dead) return;
  p += 2;
  len -= 2;
  out.str(', ');
  if (fn === 1) out.str('Reply');
  else if (fn === 2) out.str('Forward Data');
  else out.str(' invalid (').dec(fn).ch(41);
  if (fn === 1) {
    if (len < 2) { invalid(st, p, len); return; }
    const receipt = le16(st, p);
    if (st.dead) return;
    out.str(', receipt number ').dec(receipt);
    p += 2;
    len -= 2;
    out.str(', data (').dec(len).str(' octets)');
  } else if (fn === 2) {
    if (len < 6) { invalid(st, p, len); return; }
    if (!st.get(p, 6)) return;
    out.str(', forwarding address ').macAt(st.m, p);
    p += 6;
    len -= 6;
    out.str(', data (').dec(len).str(' octets)');
  }
  st.get(p, len);
}

function le16(st: TextState, p: number): number {
  const lo = st.g8(p);
  return lo | (st.g8(p + 1) << 8);
}

function invalid(st: TextState, p: number, len: number): void {
  st.out.str(' (invalid)');
  st.get(p, len);
}
