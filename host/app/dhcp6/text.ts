// The DHCPv6 part of tcpdump's line (tcpdump 4.99 print-dhcp6.c, dhcp6_print), without -v:
// "dhcp6" and the message type's name ("msgtype-N" for one it does not know), or
// " [|dhcp6]" when the first 4 bytes are not all there. With -v every option in
// parentheses (text-v.ts).
import { A_PROTO, APP_DHCP6 } from '../app-layout.js';
import type { AppText } from '../app-text.js';

import { snapendOf, type AppFrameView } from '../frame-view.js';
import { dhcp6VerboseText } from './text-v.js';

/** tcpdump's dh6_msgtype_str. */
export const DHCP6_TYPE_NAMES: readonly string[] = [
  '', 'solicit', 'advertise', 'request', 'confirm', 'renew', 'rebind', 'reply', 'release', 'decline', 'reconfigure',
  'inf-req', 'relay-fwd', 'relay-reply', 'leasequery', 'leasequery-reply',
];

export function dhcp6Text(u8: Uint8Array, p: number, snapend: number): AppText {
  if (p + 4 > snapend) return { text: 'dhcp6 [|dhcp6]', trunc: 'jump' };
  const t = u8[p];
  return { text: `dhcp6 ${DHCP6_TYPE_NAMES[t] || `msgtype-${t}`}`, trunc: 'none' };
}

/** The DHCPv6 text for a frame whose app record `rec` says DHCPv6, or null (-v, -q; tcpdump prints the app after a UDP length past the datagram, with the IP's length). */
export function dhcp6TextForFrame(v: AppFrameView, u8: Uint8Array, f: number, rec: number, o: { vflag: number; qflag?: boolean }): AppText | null {
  if (u8[rec + A_PROTO] !== APP_DHCP6 || o.qflag === true) return null;
  if (o.vflag > 0) return dhcp6VerboseText(u8, f + v.payloadOff, v.payloadLen, snapendOf(v, f));
  return dhcp6Text(u8, f + v.payloadOff, snapendOf(v, f));
}
