// Novell IPX as tcpdump 4.99 prints it (print-ipx.c), reached from a Linux cooked header
// of protocol 1 (raw 802.3 IPX), the EtherType 0x8137, an 802.3 frame whose first two
// bytes are 0xffff (IPX's unused checksum, no LLC header) and 802.2 with the IPX SAPs:
//   IPX 00000001.02:00:00:00:00:01.4001 > 00000000.ff:ff:ff:ff:ff:ff.0452: ipx-sap-req 0x0400
// The line's length is the IPX header's, less its 30 bytes. The text sink prints numbers
// (tcpdump -n): SAP service types as four hex digits, not tcpdump's names.
import { writeCharEscaped } from './escape.js';
import type { TextState } from './state.js';

const IPX_HEADER = 30;

/** ipxaddr_string(): network.node. */
function writeAddr(st: TextState, p: number): void {
  const out = st.out;
  out.hex(st.g32(p), 8).ch(46);
  out.macAt(st.m, p + 4);
}

/** ipx_print(): `p` is the IPX header; "IPX " first unless -e printed the link header. */
export function writeIpx(st: TextState, p: number): void {
  const out = st.out;
  st.proto = 'ipx';
  if (!st.eflag) out.str('IPX ');
  // GET_ reads: each address and its socket are read before either is printed.
  if (!st.get(p + 18, 12)) return;
  writeAddr(st, p + 18);
  out.ch(46).hex(st.g16(p + 28), 4).str(' > ');
  if (!st.get(p + 6, 12)) return;
  writeAddr(st, p + 6);
  out.ch(46).hex(st.g16(p + 16), 4).str(': ');
  const length = st.g16(p + 2);
  if (st.dead) return;
  if (length < IPX_HEADER) { out.str('[length ').dec(length).str(' < 30] (invalid)'); return; }
  decode(st, st.g16(p + 16), p + IPX_HEADER, length - IPX_HEADER);
}

/** IPX as an EtherType (ethertype_print(): Ethernet II, SNAP). */
export function writeIpxEthertype(st: TextState, p: number): void {
  st.out.str('(NOV-ETHII) ');
  writeIpx(st, p);
}

/** ipx_decode(): by destination socket. */
function decode(st: TextState, socket: number, p: number, length: number): void {
  const out = st.out;
  switch (socket) {
    case 0x0451: out.str('ipx-ncp ').dec(length); return;
    case 0x0452: case 0x0453: {
      // SAP and RIP open with a 16-bit command.
      const command = st.g16(p);
      if (st.dead) return;
      if (length < 2) { out.str(' [length ').dec(length).str(' < 2] (invalid)'); return; }
      if (socket === 0x0452) writeSap(st, command, p + 2, length - 2);
      else writeRip(st, command, p + 2, length - 2);
      return;
    }
    case 0x0455: out.str('ipx-netbios ').dec(length); return;
    case 0x0456: out.str('ipx-diags ').dec(length); return;
    case 0x0553: out.str('ipx-nwlink-dgm ').dec(length); return;
    case 0x85be: st.markCut(); out.str('ipx-#85be ').dec(length); return; // tcpdump's EIGRP printer: not written here
    default: out.str('ipx-#').hex(socket, 1).ch(32).dec(length);
  }
}

/** A SAP service type as tcpdump -n prints it (no names: ipxsap_string's "%04x"). */
function writeSapType(st: TextState, v: number): void {
  st.out.hex(v, 4);
}

/** ipx_sap_print() after the command. */
function writeSap(st: TextState, command: number, p0: number, length0: number): void {
  const out = st.out;
  let p = p0;
  let length = length0;
  switch (command) {
    case 1: case 3:
      out.str(command === 1 ? 'ipx-sap-req' : 'ipx-sap-nearest-req');
      {
        const t = st.g16(p);
        if (st.dead) return;
        out.ch(32);
        writeSapType(st, t);
      }
      return;
    case 2: case 4:
      out.str(command === 2 ? 'ipx-sap-resp' : 'ipx-sap-nearest-resp');
      for (let i = 0; i < 8 && length !== 0; i++) {
        if (!st.need(p, 2)) return;
        if (length < 2) { out.str(' (invalid)'); return; }
        out.ch(32);
        writeSapType(st, st.g16(p));
        out.str(" '");
        p += 2;
        length -= 2;
        if (length < 48) { out.str("' (invalid)"); return; }
        // nd_printjnp(): up to 48 bytes, to the first NUL, escaped.
        for (let j = 0; j < 48; j++) {
          const c = st.g8(p + j);
          if (st.dead) return;
          if (c === 0) break;
          writeCharEscaped(out, c);
        }
        out.ch(39);
        p += 48;
        length -= 48;
        if (!st.need(p, 10)) return;
        if (length < 10) { out.str(' (invalid)'); return; }
        out.str(' addr ');
        writeAddr(st, p);
        p += 10;
        length -= 10;
        if (!st.need(p, 4)) return;
        if (length < 4) { out.str(' (invalid)'); return; }
        p += 4;
        length -= 4;
      }
      return;
    default:
      out.str('ipx-sap-?').hex(command, 1);
  }
}

/** ipx_rip_print() after the command. */
function writeRip(st: TextState, command: number, p0: number, length0: number): void {
  const out = st.out;
  let p = p0;
  let length = length0;
  const entry = (): boolean => {
    if (length < 8) { out.str(' (invalid)'); return false; }
    const net = st.g32(p);
    const hops = st.g16(p + 4);
    const ticks = st.g16(p + 6);
    if (st.dead) return false;
    out.ch(32).hex(net, 8).ch(47).dec(hops).ch(46).dec(ticks);
    return true;
  };
  switch (command) {
    case 1:
      out.str('ipx-rip-req');
      if (length !== 0) entry();
      return;
    case 2:
      out.str('ipx-rip-resp');
      for (let i = 0; i < 50 && length !== 0; i++) {
        if (!entry()) return;
        p += 8;
        length -= 8;
      }
      return;
    default:
      out.str('ipx-rip-?').hex(command, 1);
  }
}
