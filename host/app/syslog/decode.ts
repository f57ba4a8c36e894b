// decode()'s syslog object: Wireshark's field names (syslog.facility, syslog.level,
// syslog.msg: what follows the <PRI>, or all of the message without one; UTF-8). Wireshark
// 4.0 reads a priority from "<" and up to 3 digits even when no ">" follows (the message
// then starts at the byte after them), as the record keeps it. Allocates.
import { A_PROTO, A_VARIANT, A_OFF, A_CAP, A_FLAGS, APP_SYSLOG, AF_TRUNC, AF_MALFORMED, SYV_PRI, SYSLOG_PRI, SYSLOG_MSG } from '../app-layout.js';
import { le16 } from '../record-reader.js';
import { utf8String } from '../ws-strings.js';

export interface DecodedSyslog { facility?: number; level?: number; msg?: string; errors?: string[] }


export function decodeSyslog(u8: Uint8Array, f: number, rec: number): DecodedSyslog | undefined {
  if (u8[rec + A_PROTO] !== APP_SYSLOG) return undefined;
  const d: DecodedSyslog = {};
  if (u8[rec + A_VARIANT] & SYV_PRI) {
    const pri = le16(u8, rec + SYSLOG_PRI);
    d.facility = pri >> 3;
    d.level = pri & 7;
  }
  // The message after the PRI, or all of it when there is none (as Wireshark shows it).
  const m = le16(u8, rec + SYSLOG_MSG);
  const end = le16(u8, rec + A_OFF) + le16(u8, rec + A_CAP);
  if (m !== 0 && m < end) d.msg = utf8String(u8, f + m, f + end);
  const flags = le16(u8, rec + A_FLAGS);
  const errors = [...(flags & AF_TRUNC ? ['truncated'] : []), ...(flags & AF_MALFORMED ? ['malformed'] : [])];
  if (errors.length > 0) d.errors = errors;
  return d;
}
