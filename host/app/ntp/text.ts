// The NTP part of tcpdump's line (tcpdump 4.99 print-ntp.c, ntp_print): "NTPv<version>,
// <mode>, length N" (" [|ntp]" when not even the first byte is there). With -v (text-v.ts)
// the leap indicator, then a time message's stratum, poll, precision, root delay and
// dispersion, reference id and timestamps, or a control message's header.
import { A_PROTO, APP_NTP } from '../app-layout.js';
import type { AppText } from '../app-text.js';
import { ntpVerboseText } from './text-v.js';

import { snapendOf, type AppFrameView } from '../frame-view.js';

/** tcpdump's ntp_mode_values. */
export const NTP_MODE_NAMES = ['unspecified', 'symmetric active', 'symmetric passive', 'Client', 'Server', 'Broadcast', 'Control Message', 'Reserved'];

export function ntpText(u8: Uint8Array, p: number, length: number, snapend: number): AppText {
  if (p + 1 > snapend) return { text: ' [|ntp]', trunc: 'jump' };
  const b = u8[p];
  return { text: `NTPv${(b >>> 3) & 7}, ${NTP_MODE_NAMES[b & 7]}, length ${length}`, trunc: 'none' };
}

/** The NTP text for a frame whose app record `rec` says NTP, or null (-q; tcpdump prints the app after a UDP length past the datagram, with the IP's length). */
export function ntpTextForFrame(v: AppFrameView, u8: Uint8Array, f: number, rec: number, o: { vflag: number; qflag?: boolean }): AppText | null {
  if (u8[rec + A_PROTO] !== APP_NTP || o.qflag === true) return null;
  const snapend = snapendOf(v, f);
  const p = f + v.payloadOff;
  if (o.vflag > 0) return ntpVerboseText(u8, p, v.payloadLen, snapend);
  return ntpText(u8, p, v.payloadLen, snapend);
}
