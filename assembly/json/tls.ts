// --json's "tls" member from the app record and the frame: host/sinks/json/tls.ts's
// writeTlsJson (its twin and oracle) byte for byte, the JA3/JA3S string written into the
// line and its MD5 (./md5.ts) computed over those bytes (a segment of more TLS records than
// its app record holds comes here decoded again into a long record: ./lines.ts longTls()).
// Declined (0): a server name or ALPN string with a byte that is not printable ASCII, '"'
// or '\'.
import {
  A_FLAGS, A_VARIANT, A_CAP, A_COUNT, AF_TRUNC, AF_MALFORMED, AF_MORE, TV_CONT, TRF_PARTIAL,
  TLS_HS_COUNT, TLS_HELLO, TLS_EXT_COUNT, TLS_SID_LEN, TLS_HELLO_VERSION, TLS_RANDOM, TLS_SID, TLS_SUITES,
  TLS_SUITES_LEN, TLS_COMP, TLS_COMP_LEN, TLS_EXTS, TLS_SNI, TLS_SNI_LEN, TLS_ALPN, TLS_ALPN_LEN, TLS_SV,
  TLS_SV_LEN, TLS_GROUPS, TLS_GROUPS_LEN, TLS_ECPF, TLS_ECPF_LEN, TLS_SIGALGS, TLS_SIGALGS_LEN, TLS_BAD_EXT,
  TLS_HS_TYPES, TLS_HS_MAX, TLS_ITEMS, TLS_ITEM_SIZE, TR_LEN, TR_VERSION, TR_TYPE, TR_FLAGS,
} from "../app/app-layout";
import { put, num, field, hex, text, be16 } from "./bytes";
import { md5Hex } from "./md5";

// @ts-ignore: decorator
@inline function u16At(a: usize): u32 { return <u32>load<u16>(a); }

/** writeTlsJson's bound: a record header prints as ~50 characters, a list byte as at most
 *  4 (the JA3 string repeats the lists): 16 per captured byte, plus 4096. Then 256 for the
 *  MD5's scratch block. */
export function tlsRoom(rec: usize): u32 {
  return 4096 + 256 + 16 * u16At(rec + A_CAP);
}

function isGrease(v: u32): bool {
  return (v & 0x0f0f) == 0x0a0a && (v & 0xff) == (v >>> 8);
}

function record(p0: usize, it: usize): usize {
  let p = field(p0, "{\"content_type\":", <u32>load<u8>(it + TR_TYPE));
  p = field(p, ",\"version\":", u16At(it + TR_VERSION));
  p = field(p, ",\"length\":", u16At(it + TR_LEN));
  store<u8>(p, 125);
  return p + 1;
}

/** `[a,b,...]` of the 16-bit values of `len` bytes at `at`. */
function list16(p0: usize, at: usize, len: u32): usize {
  let p = p0;
  for (let i: u32 = 0; i + 1 < len; i += 2) {
    if (i) store<u8>(p++, 44);
    p = num(p, be16(at + i));
  }
  store<u8>(p, 93);
  return p + 1;
}

/** `[a,b,...]` of `len` bytes at `at`. */
function list8(p0: usize, at: usize, len: u32): usize {
  let p = p0;
  for (let i: u32 = 0; i < len; i++) {
    if (i) store<u8>(p++, 44);
    p = num(p, <u32>load<u8>(at + i));
  }
  store<u8>(p, 93);
  return p + 1;
}

/** JA3's a-b-c of the 16-bit values of a list, GREASE left out. */
function dashed16(p0: usize, at: usize, len: u32): usize {
  let p = p0;
  let k = 0;
  for (let i: u32 = 0; i + 1 < len; i += 2) {
    const v = be16(at + i);
    if (isGrease(v)) continue;
    if (k++) store<u8>(p++, 45);
    p = num(p, v);
  }
  return p;
}

/** The hello's extension types, in order: a JSON list (all) or JA3's a-b-c (no GREASE). */
function extTypes(p0: usize, f: usize, rec: usize, ja3: bool): usize {
  let p = p0;
  const exts = u16At(rec + TLS_EXTS);
  if (exts == 0) return p;
  let q = f + exts;
  const n = <u32>load<u8>(rec + TLS_EXT_COUNT);
  let k = 0;
  for (let i: u32 = 0; i < n; i++) {
    const t = be16(q);
    q += 4 + be16(q + 2);
    if (ja3 && isGrease(t)) continue;
    if (k++) store<u8>(p++, ja3 ? 45 : 44);
    p = num(p, t);
  }
  return p;
}

/** RFC 8446 §4.1.3: SHA-256("HelloRetryRequest"), the random of a HelloRetryRequest. */
const HRR_RANDOM: usize = memory.data<u8>([
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);

function isRetryRandom(at: usize): bool {
  return load<u64>(at) == load<u64>(HRR_RANDOM) && load<u64>(at + 8) == load<u64>(HRR_RANDOM + 8)
    && load<u64>(at + 16) == load<u64>(HRR_RANDOM + 16) && load<u64>(at + 24) == load<u64>(HRR_RANDOM + 24);
}

/** The hello's fields as decode.ts's helloFields() sets them; 0 when a string needs the
 *  general path. */
function hello(p0: usize, f: usize, rec: usize, whole: bool): usize {
  const random = u16At(rec + TLS_RANDOM);
  if (random == 0) return p0; // cut before its version
  const type = <u32>load<u8>(rec + TLS_HELLO);
  const version = u16At(rec + TLS_HELLO_VERSION);
  let p = field(p0, ",\"version\":", version);
  p = hex(put(p, ",\"random\":\""), f + random, 32);
  const sid = u16At(rec + TLS_SID);
  const sidLen = <u32>load<u8>(rec + TLS_SID_LEN);
  const suites = u16At(rec + TLS_SUITES);
  const suitesLen = u16At(rec + TLS_SUITES_LEN);
  if (sid == 0 && suites == 0) { store<u8>(p, 34); return p + 1; }
  p = field(p, "\",\"session_id_length\":", sidLen);
  if (sidLen > 0) { p = hex(put(p, ",\"session_id\":\""), f + sid, sidLen); store<u8>(p++, 34); }
  if (suites == 0) return p;
  p = list16(put(p, ",\"ciphersuite\":["), f + suites, suitesLen);
  const comp = u16At(rec + TLS_COMP);
  if (comp != 0) p = list8(put(p, ",\"comp_method\":["), f + comp, u16At(rec + TLS_COMP_LEN));
  if (load<u8>(rec + TLS_EXT_COUNT) > 0) {
    p = extTypes(put(p, ",\"extension\":{\"type\":["), f, rec, false);
    store<u16>(p, 0x7D5D); // "]}"
    p += 2;
  }
  const sni = u16At(rec + TLS_SNI);
  if (sni != 0) {
    p = text(put(p, ",\"extensions_server_name\":\""), f + sni, u16At(rec + TLS_SNI_LEN));
    if (p == 0) return 0;
    store<u8>(p++, 34);
  }
  const alpn = u16At(rec + TLS_ALPN);
  if (alpn != 0) {
    p = put(p, ",\"extensions_alpn_str\":[");
    let k = 0;
    const end = f + alpn + u16At(rec + TLS_ALPN_LEN);
    for (let q = f + alpn; q < end; q += 1 + <usize>load<u8>(q)) {
      if (k++) store<u8>(p++, 44);
      store<u8>(p, 34);
      p = text(p + 1, q + 1, <usize>load<u8>(q));
      if (p == 0) return 0;
      store<u8>(p++, 34);
    }
    store<u8>(p++, 93);
  }
  const sv = u16At(rec + TLS_SV);
  if (sv != 0) { p = list16(put(p, ",\"extensions\":{\"supported_version\":["), f + sv, u16At(rec + TLS_SV_LEN)); store<u8>(p++, 125); }
  const groups = u16At(rec + TLS_GROUPS);
  const groupsLen = u16At(rec + TLS_GROUPS_LEN);
  if (groups != 0) p = list16(put(p, ",\"extensions_supported_group\":["), f + groups, groupsLen);
  const ecpf = u16At(rec + TLS_ECPF);
  const ecpfLen = u16At(rec + TLS_ECPF_LEN);
  if (ecpf != 0) p = list8(put(p, ",\"extensions_ec_point_format\":["), f + ecpf, ecpfLen);
  const sig = u16At(rec + TLS_SIGALGS);
  if (sig != 0) p = list16(put(p, ",\"sig_hash_alg\":["), f + sig, u16At(rec + TLS_SIGALGS_LEN));
  if (type == 2 && isRetryRandom(f + random)) p = put(p, ",\"hello_retry_request\":true");
  if (!whole) return p;
  // The JA3 (ClientHello) or JA3S (ServerHello) string, as host/app/tls/ja3.ts's ja3() makes it.
  p = put(p, type == 1 ? ",\"ja3_full\":\"" : ",\"ja3s_full\":\"");
  const s = p;
  p = num(p, version);
  store<u8>(p++, 44);
  if (type == 2) {
    p = num(p, be16(f + suites));
    store<u8>(p++, 44);
    p = extTypes(p, f, rec, true);
  } else {
    p = dashed16(p, f + suites, suitesLen);
    store<u8>(p++, 44);
    p = extTypes(p, f, rec, true);
    store<u8>(p++, 44);
    if (groups != 0) p = dashed16(p, f + groups, groupsLen);
    store<u8>(p++, 44);
    for (let i: u32 = 0; i < ecpfLen && ecpf != 0; i++) {
      if (i) store<u8>(p++, 45);
      p = num(p, <u32>load<u8>(f + ecpf + i));
    }
  }
  const e = p;
  p = put(p, type == 1 ? "\",\"ja3\":\"" : "\",\"ja3s\":\"");
  p = md5Hex(p, s, e - s, p + 64);
  store<u8>(p, 34);
  return p + 1;
}

/** Writes `,"tls":{...}` for record `rec` of the segment at `f`; 0 when the message needs
 *  the general path. */
export function tlsJson(p0: usize, f: usize, rec: usize): usize {
  const flags = u16At(rec + A_FLAGS);
  if ((flags & AF_MORE) != 0) return 0;
  const variant = <u32>load<u8>(rec + A_VARIANT);
  const count = <i32>load<u8>(rec + A_COUNT);
  let p = put(p0, ",\"tls\":{\"record\":[");
  let n = 0;
  for (let i = 0; i < count; i++) {
    const it = rec + TLS_ITEMS + i * TLS_ITEM_SIZE;
    if ((<u32>load<u8>(it + TR_FLAGS) & TRF_PARTIAL) != 0) continue;
    if (n++) store<u8>(p++, 44);
    p = record(p, it);
  }
  store<u8>(p++, 93);
  if (count > 0) {
    const last = rec + TLS_ITEMS + (count - 1) * TLS_ITEM_SIZE;
    if ((<u32>load<u8>(last + TR_FLAGS) & TRF_PARTIAL) != 0) p = record(put(p, ",\"continues\":"), last);
  }
  const hs = <i32>min<u32>(<u32>load<u8>(rec + TLS_HS_COUNT), <u32>TLS_HS_MAX);
  const type = <u32>load<u8>(rec + TLS_HELLO);
  if (hs > 0 || type != 0) {
    p = put(p, ",\"handshake\":{\"type\":[");
    for (let i = 0; i < hs; i++) {
      if (i) store<u8>(p++, 44);
      p = num(p, <u32>load<u8>(rec + TLS_HS_TYPES + i));
    }
    store<u8>(p++, 93);
    const whole = (flags & (AF_TRUNC | AF_MALFORMED)) == 0 && (variant & TV_CONT) == 0;
    if (type != 0) p = hello(p, f, rec, whole);
    if (p == 0) return 0;
    store<u8>(p++, 125);
  }
  n = 0;
  for (let i = 0; i < 4; i++) {
    const set = i == 0 ? (flags & AF_TRUNC) != 0 : i == 1 ? (flags & AF_MALFORMED) != 0 : i == 2 ? (variant & TV_CONT) != 0
      : type != 0 && u16At(rec + TLS_BAD_EXT) != 0;
    if (!set) continue;
    if (n++ == 0) p = put(p, ",\"errors\":["); else store<u8>(p++, 44);
    p = put(p, i == 0 ? "\"truncated\"" : i == 1 ? "\"malformed\"" : i == 2 ? "\"hello_continues\"" : "\"bad_extension\"");
  }
  if (n > 0) store<u8>(p++, 93);
  store<u8>(p++, 125);
  return p;
}
