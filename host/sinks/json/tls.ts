// --json's "tls" member written from the read TLS message (host/app/tls/message.ts) and the
// frame: the object host/app/tls/decode.ts builds for decode() (same keys, same order, same
// values), its numbers, lists and hex strings written byte by byte, and the JA3/JA3S MD5
// remembered by its string (a capture holds few distinct fingerprints; hashing each hello
// again was most of a TLS line's cost). A server name or ALPN string with a byte that is
// not printable ASCII, or with '"' or '\', returns false with nothing written, and the sink
// writes decode()'s own object. test/sinks-json-app checks both.
import { createHash } from 'node:crypto';
import type { TextBuffer } from '../text/buffer.js';
import { lit, put, num, field, text } from './bytes.js';
import { readTls, type TlsHello, type TlsRecord } from '../../app/tls/message.js';
import { extensionTypes, isGrease } from '../../app/tls/ja3.js';
import { AF_TRUNC, AF_MALFORMED, TV_CONT, TRF_PARTIAL } from '../../app/app-layout.js';

const HEX = lit('0123456789abcdef');
const be16 = (m: Uint8Array, p: number): number => (m[p] << 8) | m[p + 1];

const K_TLS = lit(',"tls":{"record":[');
const K_CONTENT_TYPE = lit('{"content_type":');
const K_VERSION = lit(',"version":');
const K_LENGTH = lit(',"length":');
const K_CONTINUES = lit(',"continues":');
const K_HANDSHAKE = lit(',"handshake":{"type":[');
const K_RANDOM = lit(',"random":"');
const K_SID_LEN = lit('","session_id_length":');
const K_SID = lit(',"session_id":"');
const K_SUITES = lit(',"ciphersuite":[');
const K_COMP = lit(',"comp_method":[');
const K_EXT = lit(',"extension":{"type":[');
const K_SNI = lit(',"extensions_server_name":"');
const K_ALPN = lit(',"extensions_alpn_str":[');
const K_SV = lit(',"extensions":{"supported_version":[');
const K_GROUPS = lit(',"extensions_supported_group":[');
const K_ECPF = lit(',"extensions_ec_point_format":[');
const K_SIGALGS = lit(',"sig_hash_alg":[');
const K_HRR = lit(',"hello_retry_request":true');
const K_JA3_FULL = lit(',"ja3_full":"');
const K_JA3 = lit('","ja3":"');
const K_JA3S_FULL = lit(',"ja3s_full":"');
const K_JA3S = lit('","ja3s":"');
const K_ERRORS = lit(',"errors":[');
const E_NAMES = [lit('"truncated"'), lit('"malformed"'), lit('"hello_continues"'), lit('"bad_extension"')];

/** JA3 strings and their MD5, as many as a capture has distinct clients and servers (the
 *  map starts over past its bound). */
const md5s = new Map<string, string>();
const MD5_MAX = 4096;

function md5(s: string): string {
  let h = md5s.get(s);
  if (h === undefined) {
    if (md5s.size >= MD5_MAX) md5s.clear();
    h = createHash('md5').update(s).digest('hex');
    md5s.set(s, h);
  }
  return h;
}

/** Writes `,"tls":{...}` for TLS app record `rec` of the frame at `f` (addresses in `m`);
 *  false, with nothing written, when a string needs the general path. */
export function writeTlsJson(out: TextBuffer, m: Uint8Array, f: number, rec: number): boolean {
  const t = readTls(m, f, rec);
  if (t === null) return true; // decode() has no tls object either
  // Room: a 5-byte record header prints as ~50 characters, a list byte as at most 4 (and
  // the JA3 string repeats the lists): 16 per captured byte bounds them all.
  out.ensure(4096 + 16 * t.cap); // no flush below: a fall-back can rewind
  const b = out.buf;
  const start = out.pos;
  let p = put(b, start, K_TLS);
  let n = 0;
  for (const r of t.records) {
    if ((r.flags & TRF_PARTIAL) !== 0) continue;
    if (n++) b[p++] = 44;
    p = record(b, p, r);
  }
  b[p++] = 93;
  const last = t.records.length > 0 ? t.records[t.records.length - 1] : undefined;
  if (last !== undefined && (last.flags & TRF_PARTIAL) !== 0) p = record(b, put(b, p, K_CONTINUES), last);
  if (t.handshakes.length > 0 || t.hello !== null) {
    p = put(b, p, K_HANDSHAKE);
    for (let i = 0; i < t.handshakes.length; i++) {
      if (i) b[p++] = 44;
      p = num(b, p, t.handshakes[i]);
    }
    b[p++] = 93;
    const whole = (t.flags & (AF_TRUNC | AF_MALFORMED)) === 0 && (t.variant & TV_CONT) === 0;
    if (t.hello !== null) p = hello(b, p, m, f, t.hello, whole);
    if (p < 0) { out.pos = start; return false; }
    b[p++] = 125;
  }
  n = 0;
  const errs = [(t.flags & AF_TRUNC) !== 0, (t.flags & AF_MALFORMED) !== 0, (t.variant & TV_CONT) !== 0, t.hello !== null && t.hello.badExt !== 0];
  for (let i = 0; i < errs.length; i++) {
    if (!errs[i]) continue;
    if (n++ === 0) p = put(b, p, K_ERRORS); else b[p++] = 44;
    p = put(b, p, E_NAMES[i]);
  }
  if (n > 0) b[p++] = 93;
  b[p++] = 125;
  out.pos = p;
  return true;
}

function record(b: Uint8Array, p0: number, r: TlsRecord): number {
  let p = field(b, p0, K_CONTENT_TYPE, r.type);
  p = field(b, p, K_VERSION, r.version);
  p = field(b, p, K_LENGTH, r.length);
  b[p] = 125;
  return p + 1;
}

/** The hello's fields as decode.ts's helloFields() sets them; -1 when a string needs the
 *  general path. */
function hello(b: Uint8Array, p0: number, m: Uint8Array, f: number, h: TlsHello, whole: boolean): number {
  if (h.random === 0) return p0; // cut before its version
  let p = field(b, p0, K_VERSION, h.version);
  p = hex(b, put(b, p, K_RANDOM), m, f + h.random, 32);
  if (h.sid.off === 0 && h.suites.off === 0) { b[p] = 34; return p + 1; }
  p = field(b, p, K_SID_LEN, h.sid.len);
  if (h.sid.len > 0) { p = hex(b, put(b, p, K_SID), m, f + h.sid.off, h.sid.len); b[p++] = 34; }
  if (h.suites.off === 0) return p;
  p = list16(b, put(b, p, K_SUITES), m, f + h.suites.off, h.suites.len);
  if (h.comp.off !== 0) p = list8(b, put(b, p, K_COMP), m, f + h.comp.off, h.comp.len);
  if (h.extCount > 0) {
    p = put(b, p, K_EXT);
    const types = extensionTypes(m, f, h, true);
    for (let i = 0; i < types.length; i++) {
      if (i) b[p++] = 44;
      p = num(b, p, types[i]);
    }
    b[p++] = 93;
    b[p++] = 125;
  }
  if (h.sni.off !== 0) {
    p = text(b, put(b, p, K_SNI), m, f + h.sni.off, h.sni.len);
    if (p < 0) return p;
    b[p++] = 34;
  }
  if (h.alpn.off !== 0) {
    p = put(b, p, K_ALPN);
    let k = 0;
    for (let q = f + h.alpn.off; q < f + h.alpn.off + h.alpn.len; q += 1 + m[q]) {
      if (k++) b[p++] = 44;
      b[p++] = 34;
      p = text(b, p, m, q + 1, m[q]);
      if (p < 0) return p;
      b[p++] = 34;
    }
    b[p++] = 93;
  }
  if (h.versions.off !== 0) { p = list16(b, put(b, p, K_SV), m, f + h.versions.off, h.versions.len); b[p++] = 125; }
  if (h.groups.off !== 0) p = list16(b, put(b, p, K_GROUPS), m, f + h.groups.off, h.groups.len);
  if (h.ecPointFormats.off !== 0) p = list8(b, put(b, p, K_ECPF), m, f + h.ecPointFormats.off, h.ecPointFormats.len);
  if (h.sigAlgs.off !== 0) p = list16(b, put(b, p, K_SIGALGS), m, f + h.sigAlgs.off, h.sigAlgs.len);
  if (h.type === 2 && isRetryRandom(m, f + h.random)) p = put(b, p, K_HRR);
  if (!whole) return p;
  const full = ja3Full(m, f, h);
  p = latin1(b, put(b, p, h.type === 1 ? K_JA3_FULL : K_JA3S_FULL), full);
  p = latin1(b, put(b, p, h.type === 1 ? K_JA3 : K_JA3S), md5(full));
  b[p] = 34;
  return p + 1;
}

/** RFC 8446 §4.1.3: a ServerHello whose random is SHA-256("HelloRetryRequest") is a
 *  HelloRetryRequest (ja3.ts's isHelloRetryRequest, compared in place: no Buffer per hello). */
const HRR_RANDOM = Uint8Array.from(Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex'));

function isRetryRandom(m: Uint8Array, at: number): boolean {
  for (let i = 0; i < 32; i++) if (m[at + i] !== HRR_RANDOM[i]) return false;
  return true;
}

/** The JA3 (ClientHello) or JA3S (ServerHello) string, as host/app/tls/ja3.ts's ja3() makes it. */
function ja3Full(m: Uint8Array, f: number, h: TlsHello): string {
  const exts = extensionTypes(m, f, h).join('-');
  if (h.type === 2) return `${h.version},${be16(m, f + h.suites.off)},${exts}`;
  const ecpf: number[] = [];
  for (let i = 0; i < h.ecPointFormats.len && h.ecPointFormats.off !== 0; i++) ecpf.push(m[f + h.ecPointFormats.off + i]);
  return `${h.version},${noGrease(m, f, h.suites.off, h.suites.len)},${exts},${noGrease(m, f, h.groups.off, h.groups.len)},${ecpf.join('-')}`;
}

function noGrease(m: Uint8Array, f: number, off: number, len: number): string {
  const out: number[] = [];
  if (off === 0) return '';
  for (let q = f + off; q + 1 < f + off + len; q += 2) {
    const v = be16(m, q);
    if (!isGrease(v)) out.push(v);
  }
  return out.join('-');
}

/** `[a,b,...]` of the 16-bit values of `len` bytes at `at`. */
function list16(b: Uint8Array, p0: number, m: Uint8Array, at: number, len: number): number {
  let p = p0;
  for (let i = 0; i + 1 < len; i += 2) {
    if (i) b[p++] = 44;
    p = num(b, p, be16(m, at + i));
  }
  b[p] = 93;
  return p + 1;
}

/** `[a,b,...]` of `len` bytes at `at`. */
function list8(b: Uint8Array, p0: number, m: Uint8Array, at: number, len: number): number {
  let p = p0;
  for (let i = 0; i < len; i++) {
    if (i) b[p++] = 44;
    p = num(b, p, m[at + i]);
  }
  b[p] = 93;
  return p + 1;
}

function hex(b: Uint8Array, p0: number, m: Uint8Array, at: number, len: number): number {
  let p = p0;
  for (let i = 0; i < len; i++) {
    const x = m[at + i];
    b[p++] = HEX[x >>> 4];
    b[p++] = HEX[x & 15];
  }
  return p;
}

/** An ASCII string (digits, '-', ',', hex). */
function latin1(b: Uint8Array, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[p + i] = s.charCodeAt(i);
  return p + s.length;
}
