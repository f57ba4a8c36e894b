// Cisco's Dynamic Trunking Protocol (SNAP, PID 0x2004) as tcpdump 4.99's print-dtp.c
// prints it: the version and length, and with -v each TLV on a line of its own. The
// message starts after the SNAP header the descriptor located.
import type { TextState } from './state.js';
import { writeCharEscaped } from './escape.js';

const TLV_NAMES: Record<number, string> = { 1: 'Domain', 2: 'Status', 3: 'DTP type', 4: 'Neighbor' };

export function writeDtp(st: TextState, p0: number, length0: number): void {
  const out = st.out;
  st.proto = 'dtp';
  if (length0 < 1) { out.str('[zero packet length] (invalid)'); return; }
  const version = st.g8(p0);
  if (st.dead) return;
  out.str('DTPv').dec(version).str(', length ').dec(length0);
  if (st.vflag < 1) return;
  let p = p0 + 1;
  let length = length0 - 1;
  while (length > 0) {
    if (length < 4) { out.str('[').dec(length).str(' bytes remaining]'); invalid(st, p, length); return; }
    const type = st.g16(p);
    const len = st.g16(p + 2);
    if (st.dead) return;
    if (type === 0) return; // tcpdump: "should not be but sometimes it is"
    out.str('\n\t').str(TLV_NAMES[type] ?? 'Unknown').str(' (0x').hex(type, 4).str(') TLV, length ').dec(len);
    if (len < 4 || len > length) { out.str('[invalid TLV length ').dec(len).ch(93); invalid(st, p, length); return; }
    switch (type) {
      case 1:
        out.str(', ');
        for (let i = 4; i < len; i++) {
          const c = st.g8(p + i);
          if (st.dead || c === 0) break;
          writeCharEscaped(out, c);
        }
        break;
      case 2: case 3:
        if (len !== 5) { invalid(st, p, length); return; }
        out.str(', 0x').hex(st.g8(p + 4));
        break;
      case 4:
        if (len !== 10) { invalid(st, p, length); return; }
        if (!st.get(p + 4, 6)) return;
        out.str(', ').macAt(st.m, p + 4);
        break;
      default:
        if (!st.get(p, len)) return;
        break;
    }
    if (st.dead) return;
    p += len;
    length -= len;
  }
}

function invalid(st: TextState, p: number, length: number): void {
  st.out.str(' (invalid)');
  st.get(p, length);
}
