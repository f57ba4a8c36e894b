// decode()'s TLS object: Wireshark's field names as nesting (tls.record.content_type ->
// tls.record[i].content_type, tls.handshake.extensions_server_name ->
// tls.handshake.extensions_server_name), repeated fields as arrays in wire order, so values
// line up with `tshark -T fields -E occurrence=a`. Built from the app record and the
// frame; allocates, not for hot loops.
import { readTls, type TlsHello, type TlsMessage, type TlsRecord } from './message.js';
import { extensionTypes, ja3, isHelloRetryRequest } from './ja3.js';
import { AF_TRUNC, AF_MALFORMED, TV_CONT, TRF_PARTIAL } from '../app-layout.js';

export interface DecodedTlsRecord {
  /** The type byte on the wire. Wireshark calls it opaque_type in a TLS 1.3 protected
   *  record (RFC 8446 §5.2), which only the session's state tells apart. */
  content_type: number;
  version: number;
  length: number;
}

export interface DecodedTlsHandshake {
  /** Every complete handshake message of the segment, in order. */
  type: number[];
  /** The first ClientHello or ServerHello's fields, as far as it is here. */
  version?: number;
  random?: string;
  session_id_length?: number;
  session_id?: string;
  /** ClientHello: the offered suites; ServerHello: the chosen one. */
  ciphersuite?: number[];
  comp_method?: number[];
  extension?: { type: number[] };
  extensions_server_name?: string;
  extensions_alpn_str?: string[];
  /** ClientHello: the offered versions; ServerHello: the selected one. */
  extensions?: { supported_version: number[] };
  extensions_supported_group?: number[];
  extensions_ec_point_format?: number[];
  sig_hash_alg?: number[];
  /** A ServerHello that is a HelloRetryRequest (RFC 8446 §4.1.3). */
  hello_retry_request?: boolean;
  /** JA3 of a ClientHello, JA3S of a ServerHello (a HelloRetryRequest too, as Wireshark
   *  computes it; host/app/tls/ja3.ts), when it is all here and well formed. */
  ja3_full?: string;
  ja3?: string;
  ja3s_full?: string;
  ja3s?: string;
}

export interface DecodedTls {
  /** The records complete in this segment (the capture may still cut them: errors). */
  record: DecodedTlsRecord[];
  /** The record that starts here and goes on in a later segment (no reassembly here). */
  continues?: DecodedTlsRecord;
  handshake?: DecodedTlsHandshake;
  /** AF_* conditions by name ('hello_continues': the hello goes on past this segment or
   *  record, and its later fields are not here); absent on a sound segment. */
  errors?: string[];
}

const be16 = (u8: Uint8Array, p: number): number => (u8[p] << 8) | u8[p + 1];
const hex = (u8: Uint8Array, p: number, n: number): string => Buffer.from(u8.subarray(p, p + n)).toString('hex');
const latin1 = (u8: Uint8Array, p: number, n: number): string => Buffer.from(u8.subarray(p, p + n)).toString('latin1');

function list16(u8: Uint8Array, p: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < n; i += 2) out.push(be16(u8, p + i));
  return out;
}

/** The hello's fields; `whole`: it is all here and well formed (JA3 only then). */
function helloFields(u8: Uint8Array, f: number, h: TlsHello, hs: DecodedTlsHandshake, whole: boolean): void {
  if (h.random === 0) return; // cut before its version
  hs.version = h.version;
  hs.random = hex(u8, f + h.random, 32);
  if (h.sid.off === 0 && h.suites.off === 0) return;
  hs.session_id_length = h.sid.len;
  if (h.sid.len > 0) hs.session_id = hex(u8, f + h.sid.off, h.sid.len);
  if (h.suites.off === 0) return;
  hs.ciphersuite = list16(u8, f + h.suites.off, h.suites.len);
  if (h.comp.off !== 0) hs.comp_method = Array.from(u8.subarray(f + h.comp.off, f + h.comp.off + h.comp.len));
  if (h.extCount > 0) hs.extension = { type: extensionTypes(u8, f, h, true) };
  if (h.sni.off !== 0) hs.extensions_server_name = latin1(u8, f + h.sni.off, h.sni.len);
  if (h.alpn.off !== 0) {
    const names: string[] = [];
    for (let p = f + h.alpn.off; p < f + h.alpn.off + h.alpn.len; p += 1 + u8[p]) names.push(latin1(u8, p + 1, u8[p]));
    hs.extensions_alpn_str = names;
  }
  if (h.versions.off !== 0) hs.extensions = { supported_version: list16(u8, f + h.versions.off, h.versions.len) };
  if (h.groups.off !== 0) hs.extensions_supported_group = list16(u8, f + h.groups.off, h.groups.len);
  if (h.ecPointFormats.off !== 0) hs.extensions_ec_point_format = Array.from(u8.subarray(f + h.ecPointFormats.off, f + h.ecPointFormats.off + h.ecPointFormats.len));
  if (h.sigAlgs.off !== 0) hs.sig_hash_alg = list16(u8, f + h.sigAlgs.off, h.sigAlgs.len);
  if (isHelloRetryRequest(u8, f, h)) hs.hello_retry_request = true;
  if (!whole) return;
  const j = ja3(u8, f, h);
  if (h.type === 1) { hs.ja3_full = j.full; hs.ja3 = j.hash; } else { hs.ja3s_full = j.full; hs.ja3s = j.hash; }
}

const FLAG_NAMES: Array<[number, string]> = [[AF_TRUNC, 'truncated'], [AF_MALFORMED, 'malformed']];

/** The object of a read TLS message (readTls). */
export function tlsObject(u8: Uint8Array, f: number, m: TlsMessage): DecodedTls {
  const rec = (r: TlsRecord): DecodedTlsRecord => ({ content_type: r.type, version: r.version, length: r.length });
  const d: DecodedTls = { record: m.records.filter((r) => (r.flags & TRF_PARTIAL) === 0).map(rec) };
  const last = m.records.at(-1);
  if (last !== undefined && (last.flags & TRF_PARTIAL) !== 0) d.continues = rec(last);
  if (m.handshakes.length > 0 || m.hello !== null) {
    const hs: DecodedTlsHandshake = { type: m.handshakes };
    const whole = (m.flags & (AF_TRUNC | AF_MALFORMED)) === 0 && (m.variant & TV_CONT) === 0;
    if (m.hello !== null) helloFields(u8, f, m.hello, hs, whole);
    d.handshake = hs;
  }
  const errors = FLAG_NAMES.filter(([bit]) => (m.flags & bit) !== 0).map(([, n]) => n);
  if (m.variant & TV_CONT) errors.push('hello_continues');
  if (m.hello !== null && m.hello.badExt !== 0) errors.push('bad_extension');
  if (errors.length > 0) d.errors = errors;
  return d;
}

/** pkt.tls for app record `rec` of the frame at `f` (addresses in `u8`), or undefined. */
export function decodeTls(u8: Uint8Array, f: number, rec: number): DecodedTls | undefined {
  const m = readTls(u8, f, rec);
  return m === null ? undefined : tlsObject(u8, f, m);
}
