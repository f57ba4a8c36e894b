// decode()'s NTP object: Wireshark's field names as nesting (ntp.flags.mode ->
// ntp.flags.mode, ntp.xmt -> ntp.xmt), from the app record and the frame. Timestamps are
// given as NTP's 64-bit fixed point split into seconds (NTP era 0, from 1900) and the
// fraction, and as Unix time in seconds (a number; 0 stays 0, as Wireshark shows NULL).
// Allocates, not for hot loops.
import {
  A_PROTO, A_VARIANT, A_FLAGS, A_COUNT, A_OFF, A_NEXT, APP_NTP, NV_TIME, NV_MAC,
  NTP_FLAGS, NTP_STRATUM, NTP_POLL, NTP_PRECISION, NTP_ROOT_DELAY, NTP_ROOT_DISP, NTP_REFID,
  NTP_REF_SEC, NTP_ORG_SEC, NTP_REC_SEC, NTP_XMT_SEC, NTP_ITEMS, NTP_ITEM_SIZE, NI_TYPE, NI_OFF,
} from '../app-layout.js';
import { le16, le32, recordErrors } from '../record-reader.js';

/** Seconds from the NTP epoch (1900-01-01) to the Unix epoch (RFC 5905 §6). */
export const NTP_UNIX_OFFSET = 2208988800;

export interface NtpTimestamp { seconds: number; fraction: number; unix: number }

export interface DecodedNtp {
  flags: { li?: number; vn: number; mode: number };
  stratum?: number;
  /** Poll interval and precision as log2 seconds (signed). */
  ppoll?: number;
  precision?: number;
  /** Root delay and dispersion in NTP short format (16.16 seconds) and in seconds. */
  rootdelay?: number;
  rootdelay_s?: number;
  rootdispersion?: number;
  rootdispersion_s?: number;
  /** The reference id's 4 bytes, hex. */
  refid?: string;
  reftime?: NtpTimestamp;
  org?: NtpTimestamp;
  rec?: NtpTimestamp;
  xmt?: NtpTimestamp;
  ext?: { type: number[]; length: number[] };
  /** 'truncated', 'malformed'; absent on a sound message. */
  errors?: string[];
  /** Bytes after the header and extension fields (a MAC). */
  mac?: boolean;
}

const signed8 = (v: number): number => (v << 24) >> 24;

function stamp(u8: Uint8Array, rec: number, at: number): NtpTimestamp {
  const seconds = le32(u8, rec + at);
  const fraction = le32(u8, rec + at + 4);
  return { seconds, fraction, unix: seconds === 0 && fraction === 0 ? 0 : seconds - NTP_UNIX_OFFSET + fraction / 2 ** 32 };
}

/** pkt.ntp for app record `rec` of the frame at `f` (addresses in `u8`), or undefined. */
export function decodeNtp(u8: Uint8Array, f: number, rec: number): DecodedNtp | undefined {
  if (u8[rec + A_PROTO] !== APP_NTP) return undefined;
  const flags = le16(u8, rec + A_FLAGS);
  const variant = u8[rec + A_VARIANT];
  const b = u8[rec + NTP_FLAGS];
  // Mode 7 (private) puts the response and more bits where the leap indicator is.
  const d: DecodedNtp = { flags: (b & 7) === 7 ? { vn: (b >>> 3) & 7, mode: 7 } : { li: b >>> 6, vn: (b >>> 3) & 7, mode: b & 7 } };
  // A time mode's header fields, those the capture holds (a cut header: as far as it goes).
  const got = (variant & NV_TIME) !== 0 ? 48 : (b & 7) <= 5 ? le16(u8, rec + A_NEXT) - le16(u8, rec + A_OFF) : 0;
  if (got >= 2) d.stratum = u8[rec + NTP_STRATUM];
  if (got >= 3) d.ppoll = signed8(u8[rec + NTP_POLL]);
  if (got >= 4) d.precision = signed8(u8[rec + NTP_PRECISION]);
  if (got >= 8) { d.rootdelay = le32(u8, rec + NTP_ROOT_DELAY); d.rootdelay_s = d.rootdelay / 65536; }
  if (got >= 12) { d.rootdispersion = le32(u8, rec + NTP_ROOT_DISP); d.rootdispersion_s = d.rootdispersion / 65536; }
  if (got >= 16) d.refid = le32(u8, rec + NTP_REFID).toString(16).padStart(8, '0');
  if (got >= 24) d.reftime = stamp(u8, rec, NTP_REF_SEC);
  if (got >= 32) d.org = stamp(u8, rec, NTP_ORG_SEC);
  if (got >= 40) d.rec = stamp(u8, rec, NTP_REC_SEC);
  if (got >= 48) d.xmt = stamp(u8, rec, NTP_XMT_SEC);
  if (variant & NV_TIME) {
    const n = u8[rec + A_COUNT];
    if (n > 0) {
      const ext = { type: [] as number[], length: [] as number[] };
      for (let i = 0; i < n; i++) {
        const it = rec + NTP_ITEMS + i * NTP_ITEM_SIZE;
        const p = f + le16(u8, it + NI_OFF);
        ext.type.push(le16(u8, it + NI_TYPE));
        ext.length.push((u8[p + 2] << 8) | u8[p + 3]);
      }
      d.ext = ext;
    }
    if (variant & NV_MAC) d.mac = true;
  }
  const errors = recordErrors(flags);
  if (errors !== undefined) d.errors = errors;
  return d;
}
