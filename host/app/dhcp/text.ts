// The BOOTP/DHCP part of tcpdump's line (tcpdump 4.99 print-bootp.c, bootp_print), without
// -v: "BOOTP/DHCP", then ", Request" / ", Reply" / ", unknown (0xNN)" by the op code, then
// " from <chaddr>" for a request from an Ethernet address (htype 1, hlen 6), then
// ", length N" (the UDP payload). A byte it needs past the captured bytes or the IP
// packet's end ends the line with " [|bootp]". With -v, text-v.ts prints the rest of the
// header and every option on lines of their own, as tcpdump does.
import { A_PROTO, APP_DHCP } from '../app-layout.js';
import type { AppText } from '../app-text.js';
import { macToString } from '../../runtime/addr.js';
import { snapendOf, type AppFrameView } from '../frame-view.js';
import { bootpVerboseText } from './text-v.js';

export function bootpText(u8: Uint8Array, p: number, length: number, snapend: number): AppText {
  let out = 'BOOTP/DHCP';
  const trunc = (): AppText => ({ text: `${out} [|bootp]`, trunc: 'jump' });
  // The op code is read before anything is printed.
  if (p + 1 > snapend) return { text: ' [|bootp]', trunc: 'jump' };
  const op = u8[p];
  out += op === 1 ? ', Request' : op === 2 ? ', Reply' : `, unknown (0x${op.toString(16).padStart(2, '0')})`;
  if (p + 3 > snapend) return trunc();
  if (u8[p + 1] === 1 && u8[p + 2] === 6 && op === 1) {
    if (p + 34 > snapend) return trunc();
    out += ` from ${macToString(u8, p + 28)}`;
  }
  return { text: `${out}, length ${length}`, trunc: 'none' };
}

/** The DHCP text for a frame whose app record `rec` says DHCP, or null (-v, -q; tcpdump prints the app after a UDP length past the datagram, with the IP's length). */
export function dhcpTextForFrame(v: AppFrameView, u8: Uint8Array, f: number, rec: number, o: { vflag: number; qflag?: boolean }): AppText | null {
  if (u8[rec + A_PROTO] !== APP_DHCP || o.qflag === true) return null;
  if (o.vflag > 0) return bootpVerboseText(u8, f + v.payloadOff, v.payloadLen, snapendOf(v, f), o.vflag);
  return bootpText(u8, f + v.payloadOff, v.payloadLen, snapendOf(v, f));
}
