// The syslog part of tcpdump's line (tcpdump 4.99 print-syslog.c): "SYSLOG <facility>.
// <severity>, length: N" from the <PRI>, or with -v "SYSLOG, length: N", then on lines of
// their own the facility and severity with their numbers and the message (tcpdump's
// character escapes); " (invalid)" when the message does not open with "<" 1..3 digits
// ">", " [|syslog]" on a read past the capture. -vv adds a hex dump of the whole message
// (print_unknown_data: what was captured of it).
import { A_PROTO, APP_SYSLOG } from '../app-layout.js';
import type { AppText } from '../app-text.js';

import { snapendOf, type AppFrameView } from '../frame-view.js';
import { fnPrintChar, hexPrint, reader, Snapend } from '../text-chars.js';

const FACILITIES = ['kernel', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'security',
  'console', 'cron', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];
const SEVERITIES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'info', 'debug'];

export function syslogText(u8: Uint8Array, p: number, len: number, snapend: number, vflag: number): AppText {
  const get = reader(u8, snapend);
  let out = '';
  try {
    let off = 0;
    if (get(p) !== 0x3C) return { text: ' (invalid)', trunc: 'none' };
    off++;
    let pri = 0;
    while (off <= 3 && get(p + off) >= 0x30 && get(p + off) <= 0x39) { pri = pri * 10 + (get(p + off) - 0x30); off++; }
    if (get(p + off) !== 0x3E) return { text: ' (invalid)', trunc: 'none' };
    off++;
    const fac = (pri & 0x03F8) >> 3;
    const sev = pri & 7;
    const facName = FACILITIES[fac] ?? `unknown (${fac})`;
    if (vflag < 1) return { text: `SYSLOG ${facName}.${SEVERITIES[sev]}, length: ${len}`, trunc: 'none' };
    out = `SYSLOG, length: ${len}\n\tFacility ${facName} (${fac}), Severity ${SEVERITIES[sev]} (${sev})\n\tMsg: `;
    for (; off < len; off++) out += fnPrintChar(get(p + off));
    if (vflag > 1) out += hexPrint(u8, p, Math.min(len, snapend - p), '\n\t');
    return { text: out, trunc: 'none' };
  } catch (e) {
    if (!(e instanceof Snapend)) throw e;
    return { text: `${out} [|syslog]`, trunc: 'jump' };
  }
}

export function syslogTextForFrame(v: AppFrameView, u8: Uint8Array, f: number, rec: number, o: { vflag: number; qflag?: boolean }): AppText | null {
  if (u8[rec + A_PROTO] !== APP_SYSLOG || o.qflag === true) return null;
  return syslogText(u8, f + v.payloadOff, v.payloadLen, snapendOf(v, f), o.vflag);
}
