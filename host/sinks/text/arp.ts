// ARP and RARP as tcpdump 4.99's arp_print() prints them (print-arp.c): the hardware and
// protocol types with their lengths when they are not IPv4 over a link address (and always
// with -v), the operation by its name, the addresses in the operation's order; an address
// of the wrong protocol type or length is said so, a link address of length 0 is
// "<empty>", one that is not 6 bytes long is its bytes in hex, colon-separated
// (linkaddr_string()). ATM ARP (hardware type 19, atmarp_print()) and Frame Relay's Q.922
// link addresses are not written yet: they print as the generic form.
import type { TextState } from './state.js';
import { ethertypeName } from './names.js';

const ETHERTYPE_IP = 0x0800;
const ETHERTYPE_TRAIL = 0x1000;
/** tcpdump's arphrd_values. */
const HARDWARE = new Map<number, string>([
  [1, 'Ethernet'], [6, 'TokenRing'], [7, 'ArcNet'], [15, 'FrameRelay'], [23, 'Strip'], [24, 'IEEE 1394'],
  [19, 'ATM'], [32, 'InfiniBand'],
]);
/** tcpdump's arpop_values. */
const OPERATION = ['', 'Request', 'Reply', 'Reverse Request', 'Reverse Reply', '', '', '', 'Inverse Request', 'Inverse Reply', 'NACK Reply'];

/** linkaddr_string(): `len` bytes at p. */
function linkaddr(st: TextState, p: number, len: number): void {
  if (!st.get(p, len)) return;
  if (len === 0) { st.out.str('<empty>'); return; }
  if (len === 6) { st.out.macAt(st.m, p); return; }
  for (let i = 0; i < len; i++) {
    if (i > 0) st.out.ch(58);
    st.out.hex(st.m[p + i], 2);
  }
}

/** tpaddr_print_ip() / spaddr_print_ip(): the protocol address at p. */
function protoaddr(st: TextState, p: number, pro: number, pln: number): void {
  if (pro !== ETHERTYPE_IP && pro !== ETHERTYPE_TRAIL) st.out.str('<wrong proto type>');
  else if (pln !== 4) st.out.str('<wrong len>');
  else if (st.get(p, 4)) st.out.ipv4At(st.m, p);
}

/** arp_print(): bp the ARP header, length its length on the wire. */
export function writeArp(st: TextState, bp: number, length: number): void {
  const out = st.out;
  const m = st.m;
  st.proto = 'arp';
  if (!st.need(bp, 8)) return;
  const hrd = (m[bp] << 8) | m[bp + 1];
  const pro = (m[bp + 2] << 8) | m[bp + 3];
  const hln = m[bp + 4];
  const pln = m[bp + 5];
  const op = (m[bp + 6] << 8) | m[bp + 7];
  const sha = bp + 8;
  const spa = sha + hln;
  const tha = spa + pln;
  const tpa = tha + hln;
  if (!st.need(tpa, pln)) return;
  if (!st.eflag) out.str('ARP, ');
  if ((pro !== ETHERTYPE_IP && pro !== ETHERTYPE_TRAIL) || pln !== 4 || hln === 0 || st.vflag) {
    const hn = HARDWARE.get(hrd);
    if (hn !== undefined) out.str(hn); else out.str('Unknown Hardware (').dec(hrd).ch(41);
    out.str(' (len ').dec(hln).str('), ');
    const pn = ethertypeName(pro);
    if (pn !== undefined) out.str(pn); else out.str('Unknown Protocol (0x').hex(pro, 4).ch(41);
    out.str(' (len ').dec(pln).ch(41);
    if (!st.vflag) { out.str(', length ').dec(length); return; }
  }
  if (st.vflag) out.str(', ');
  const name = OPERATION[op] ?? '';
  if (name !== '') out.str(name); else out.str('Unknown (').dec(op).ch(41);
  out.ch(32);
  switch (op) {
    case 1: {
      out.str('who-has ');
      protoaddr(st, tpa, pro, pln);
      let nz = false;
      if (st.get(tha, hln)) for (let i = 0; i < hln; i++) if (m[tha + i] !== 0) nz = true;
      if (nz) { out.str(' ('); linkaddr(st, tha, hln); out.ch(41); }
      out.str(' tell ');
      protoaddr(st, spa, pro, pln);
      break;
    }
    case 2: protoaddr(st, spa, pro, pln); out.str(' is-at '); linkaddr(st, sha, hln); break;
    case 3: case 8: out.str('who-is '); linkaddr(st, tha, hln); out.str(' tell '); linkaddr(st, sha, hln); break;
    case 4: linkaddr(st, tha, hln); out.str(' at '); protoaddr(st, tpa, pro, pln); break;
    case 9: linkaddr(st, sha, hln); out.str(' at '); protoaddr(st, spa, pro, pln); break;
    default:
      st.defaultData(bp, st.snapend - bp);
      return;
  }
  if (!st.dead) out.str(', length ').dec(length);
}
