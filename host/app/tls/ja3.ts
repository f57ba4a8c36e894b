// JA3 and JA3S fingerprints (Salesforce, github.com/salesforce/ja3, as Wireshark 4.0
// computes tls.handshake.ja3_full / ja3 / ja3s_full / ja3s):
//   JA3  = legacy_version,ciphers,extension types,supported_groups,ec_point_formats
//   JA3S = legacy_version,cipher,extension types
// each list in wire order as decimal numbers joined by '-', GREASE values (RFC 8701:
// 0x?a?a with equal bytes) left out of ciphers, extension types and groups; the hash is the
// MD5 of the string, in lower-case hex. Computed only from a hello that is all here (not
// cut by the capture or the segment, and well formed): a partial list would be another
// client's fingerprint.
import { createHash } from 'node:crypto';
import type { TlsHello } from './message.js';

export interface Ja3 { full: string; hash: string }

/** RFC 8701 GREASE values: 0x0a0a, 0x1a1a, ... 0xfafa. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && (v & 0xff) === (v >>> 8);
}

const be16 = (u8: Uint8Array, p: number): number => (u8[p] << 8) | u8[p + 1];

/** The 16-bit values of a list at frame offset `off`, `len` bytes, GREASE left out. */
function list16(u8: Uint8Array, f: number, off: number, len: number): number[] {
  const out: number[] = [];
  if (off === 0) return out;
  for (let p = f + off; p + 1 < f + off + len; p += 2) {
    const v = be16(u8, p);
    if (!isGrease(v)) out.push(v);
  }
  return out;
}

/** The extension types of the hello, in order, GREASE left out. */
export function extensionTypes(u8: Uint8Array, f: number, h: TlsHello, grease = false): number[] {
  const out: number[] = [];
  if (h.exts.off === 0) return out;
  let p = f + h.exts.off;
  for (let i = 0; i < h.extCount; i++) {
    const t = be16(u8, p);
    if (grease || !isGrease(t)) out.push(t);
    p += 4 + be16(u8, p + 2);
  }
  return out;
}

function hashed(full: string): Ja3 {
  return { full, hash: createHash('md5').update(full).digest('hex') };
}

/** The random of a HelloRetryRequest (RFC 8446 §4.1.3: SHA-256 of "HelloRetryRequest"). */
const HRR_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';

/** Whether the ServerHello is a HelloRetryRequest. */
export function isHelloRetryRequest(u8: Uint8Array, f: number, h: TlsHello): boolean {
  return h.type === 2 && h.random !== 0 && Buffer.from(u8.subarray(f + h.random, f + h.random + 32)).toString('hex') === HRR_RANDOM;
}

/** JA3 of a ClientHello, JA3S of a ServerHello. */
export function ja3(u8: Uint8Array, f: number, h: TlsHello): Ja3 {
  const exts = extensionTypes(u8, f, h).join('-');
  if (h.type === 2) return hashed(`${h.version},${be16(u8, f + h.suites.off)},${exts}`);
  const ecpf: number[] = [];
  for (let i = 0; i < h.ecPointFormats.len && h.ecPointFormats.off !== 0; i++) ecpf.push(u8[f + h.ecPointFormats.off + i]);
  const suites = list16(u8, f, h.suites.off, h.suites.len).join('-');
  const groups = list16(u8, f, h.groups.off, h.groups.len).join('-');
  return hashed(`${h.version},${suites},${exts},${groups},${ecpf.join('-')}`);
}
