// Cisco HDLC's SLARP (serial line address resolution and keepalives, EtherType 0x8035 on
// a C_HDLC link) as tcpdump 4.99's chdlc_slarp_print() prints it: request, reply with the
// address and mask, keepalive with both sequence numbers, the reliability and, when the
// packet is long enough, the link's uptime; an unknown code's bytes; trailing junk with -v.
import type { TextState } from './state.js';

const MIN_LEN = 14;
const MAX_LEN = 18;

/** chdlc_slarp_print(): cp the SLARP packet, length its length on the wire. */
export function writeSlarp(st: TextState, cp: number, length: number): void {
  const out = st.out;
  st.proto = 'chdlc_slarp';
  out.str('SLARP (length: ').dec(length).str('), ');
  if (length < MIN_LEN) { st.trunc(); return; }
  if (!st.need(cp, MIN_LEN)) return;
  const code = st.g32(cp);
  let p = cp;
  if (code === 0) out.str('request');
  else if (code === 1) out.str('reply ').ipv4At(st.m, cp + 4).ch(47).ipv4At(st.m, cp + 8);
  else if (code === 2) {
    out.str('keepalive: mineseen=0x').hex(st.g32(cp + 4), 8).str(', yourseen=0x').hex(st.g32(cp + 8), 8)
      .str(', reliability=0x').hex(st.g16(cp + 12), 4);
    if (length >= MAX_LEN) {
      p = cp + MIN_LEN; // tcpdump moves its pointer here; -vv's dump below starts from it
      let sec = Math.floor(st.g32(p) / 1000);
      let min = Math.floor(sec / 60); sec -= min * 60;
      let hrs = Math.floor(min / 60); min -= hrs * 60;
      const days = Math.floor(hrs / 24); hrs -= days * 24;
      out.str(', link uptime=').dec(days).ch(100).dec(hrs).ch(104).dec(min).ch(109).dec(sec).ch(115);
    }
  } else {
    out.str('0x').hex(code, 2).str(' unknown');
    if (st.vflag <= 1) st.unknownData(p + 4, length - 4, '\n\t');
  }
  if (st.dead) return;
  if (MAX_LEN < length && st.vflag) out.str(', (trailing junk: ').dec(length - MAX_LEN).str(' bytes)');
  if (st.vflag > 1) st.unknownData(p + 4, length - 4, '\n\t');
}
