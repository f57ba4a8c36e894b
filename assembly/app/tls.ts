// TLS (RFC 8446, RFC 5246) into the app record (app-layout.ts): every record that starts in
// the TCP segment as an item, the types of the complete handshake messages in it, and the
// first ClientHello or ServerHello: versions, random, session id, cipher suites,
// compression, the extension block and, inside it, server_name, ALPN, supported_versions,
// supported_groups, ec_point_formats and signature_algorithms as frame offsets.
//
// One segment at a time, no reassembly (tshark's per-segment view, with TCP reassembly off):
// a record that goes on in a later segment is listed (TRF_PARTIAL); a hello that goes on
// past its record or segment is decoded as far as it goes (TV_CONT); a handshake message
// that runs past its record or segment is not counted (a message fragmented over records
// or segments, or an encrypted Finished of TLS 1.2, whose first bytes are no handshake
// header: without the session's state they look the same).
// Every read is checked first against the end of what holds it: the extension, the
// extension block, the hello, the record, the segment, the captured bytes. A length that
// points past the hello is AF_MALFORMED; past the captured bytes of a segment the capture
// cut, AF_TRUNC; past the segment or record while inside the hello, TV_CONT. host/app/tls/twin.ts is the same code
// in TypeScript.
import {
  A_COUNT, APP_TLS,
  AF_TRUNC, AF_MALFORMED, AF_MORE, TV_CONT,
  TLS_HS_COUNT, TLS_HELLO, TLS_EXT_COUNT, TLS_SID_LEN, TLS_HELLO_OFF, TLS_HELLO_VERSION, TLS_HELLO_LEN,
  TLS_RANDOM, TLS_SID, TLS_SUITES, TLS_SUITES_LEN, TLS_COMP, TLS_COMP_LEN, TLS_EXTS, TLS_EXTS_LEN,
  TLS_SNI, TLS_SNI_LEN, TLS_ALPN, TLS_ALPN_LEN, TLS_SV, TLS_SV_LEN, TLS_GROUPS, TLS_GROUPS_LEN,
  TLS_ECPF, TLS_ECPF_LEN, TLS_SIGALGS, TLS_SIGALGS_LEN, TLS_BAD_EXT, TLS_HS_TYPES, TLS_HS_MAX,
  TLS_ITEMS, TLS_ITEM_SIZE, TLS_ITEM_MAX, TR_OFF, TR_LEN, TR_VERSION, TR_TYPE, TR_FLAGS, TRF_PARTIAL,
} from "./app-layout";
import { u8at, be16, beginWalk, endRecord, gFlags, gCapEnd, gDeclEnd } from "./record";

const CT_HANDSHAKE: u32 = 22;
const HS_CLIENT_HELLO: u32 = 1;
const HS_SERVER_HELLO: u32 = 2;
const EXT_SERVER_NAME: u32 = 0;
const EXT_GROUPS: u32 = 10;
const EXT_EC_POINT_FORMATS: u32 = 11;
const EXT_SIG_ALGS: u32 = 13;
const EXT_ALPN: u32 = 16;
const EXT_SUPPORTED_VERSIONS: u32 = 43;
// The largest record length (TLSCiphertext, RFC 5246 §6.2.3: 2^14 + 2048).
const MAX_RECORD: u32 = 18432;

let gVariant: u32 = 0;
// The hello being decoded: where its message says it ends, where its record ends, and
// what of it is here (the least of those and the captured end).
let gHsEnd: u32 = 0;
let gRecEnd: u32 = 0;
let gAvail: u32 = 0;

/** Whether the payload at `pay` begins like a TLS record: content type 20..24, version
 *  3.x with x <= 4, and, when its length is captured, a length a record can have. */
export function tls_sniff(f: usize, pay: u32, capEnd: u32): bool {
  if (pay + 3 > capEnd) return false;
  let t = u8at(f + pay);
  if (t < 20 || t > 24 || u8at(f + pay + 1) != 3 || u8at(f + pay + 2) > 4) return false;
  return pay + 5 > capEnd || be16(f + pay + 3) <= MAX_RECORD;
}

/** A read of the hello up to `end` (exclusive): true when those bytes are here, else the
 *  reason why not is flagged. */
function need(end: u32): bool {
  if (end <= gAvail) return true;
  if (end > gHsEnd) gFlags |= AF_MALFORMED;
  else if (end > gCapEnd && gCapEnd < gDeclEnd) gFlags |= AF_TRUNC;
  else gVariant |= TV_CONT;
  return false;
}

/** Checks one extension's contents (data at `d`, ending at `e`) and records the fields of
 *  the types read here; false when they do not hold together. */
function extension(f: usize, a: usize, hello: u32, t: u32, d: u32, e: u32): bool {
  let l = e - d;
  if (t == EXT_SERVER_NAME) {
    if (l == 0) return true; // a ServerHello's acknowledgement (RFC 6066 §3)
    if (l < 2 || d + 2 + be16(f + d) != e) return false;
    let p = d + 2;
    let hosts: u32 = 0;
    let bad = false;
    while (p < e) {
      if (p + 3 > e) return false;
      let nt = u8at(f + p);
      let nl = be16(f + p + 1);
      if (p + 3 + nl > e) return false;
      if (nt == 0) {
        // One name per type (RFC 6066 §3): a second host_name is flagged, the first kept.
        if (hosts++ > 0) bad = true;
        else if (load<u16>(a + TLS_SNI) == 0 && nl > 0) {
          store<u16>(a + TLS_SNI, <u16>(p + 3));
          store<u16>(a + TLS_SNI_LEN, <u16>nl);
        }
      }
      p += 3 + nl;
    }
    return !bad;
  }
  if (t == EXT_ALPN) {
    if (l < 2 || d + 2 + be16(f + d) != e) return false;
    let p = d + 2;
    while (p < e) {
      let nl = u8at(f + p);
      if (nl == 0 || p + 1 + nl > e) return false;
      p += 1 + nl;
    }
    if (load<u16>(a + TLS_ALPN) == 0 && e > d + 2) {
      store<u16>(a + TLS_ALPN, <u16>(d + 2));
      store<u16>(a + TLS_ALPN_LEN, <u16>(e - d - 2));
    }
    return true;
  }
  if (t == EXT_SUPPORTED_VERSIONS) {
    if (hello == HS_SERVER_HELLO) {
      if (l != 2) return false;
      if (load<u16>(a + TLS_SV) == 0) { store<u16>(a + TLS_SV, <u16>d); store<u16>(a + TLS_SV_LEN, 2); }
      return true;
    }
    if (l < 1) return false;
    let n = u8at(f + d);
    if (d + 1 + n != e || (n & 1) != 0) return false;
    if (load<u16>(a + TLS_SV) == 0 && n > 0) { store<u16>(a + TLS_SV, <u16>(d + 1)); store<u16>(a + TLS_SV_LEN, <u16>n); }
    return true;
  }
  if (t == EXT_GROUPS || t == EXT_SIG_ALGS) {
    if (l < 2) return false;
    let n = be16(f + d);
    if (d + 2 + n != e || (n & 1) != 0) return false;
    let at: usize = t == EXT_GROUPS ? <usize>TLS_GROUPS : <usize>TLS_SIGALGS;
    if (load<u16>(a + at) == 0 && n > 0) { store<u16>(a + at, <u16>(d + 2)); store<u16>(a + at + 2, <u16>n); }
    return true;
  }
  if (t == EXT_EC_POINT_FORMATS) {
    if (l < 1) return false;
    let n = u8at(f + d);
    if (d + 1 + n != e) return false;
    if (load<u16>(a + TLS_ECPF) == 0 && n > 0) { store<u16>(a + TLS_ECPF, <u16>(d + 1)); store<u16>(a + TLS_ECPF_LEN, <u16>n); }
    return true;
  }
  return true;
}

/** Decodes the hello of handshake type `type` whose body starts at `body`, `len` bytes per
 *  its header, in the record that ends at `recEnd`. */
function hello(f: usize, a: usize, type: u32, body: u32, len: u32, recEnd: u32): void {
  gHsEnd = body + len;
  gRecEnd = recEnd;
  let avail = gHsEnd;
  if (recEnd < avail) avail = recEnd;
  if (gCapEnd < avail) avail = gCapEnd;
  gAvail = avail;
  store<u8>(a + TLS_HELLO, <u8>type);
  store<u16>(a + TLS_HELLO_OFF, <u16>body);
  store<u32>(a + TLS_HELLO_LEN, len);
  let p = body;
  if (!need(p + 35)) return; // version, random, session id length
  store<u16>(a + TLS_HELLO_VERSION, <u16>be16(f + p));
  store<u16>(a + TLS_RANDOM, <u16>(p + 2));
  let sid = u8at(f + p + 34);
  p += 35;
  if (sid > 32) { gFlags |= AF_MALFORMED; return; } // SessionID <0..32>
  if (!need(p + sid)) return;
  store<u8>(a + TLS_SID_LEN, <u8>sid);
  store<u16>(a + TLS_SID, <u16>p);
  p += sid;
  if (type == HS_CLIENT_HELLO) {
    if (!need(p + 2)) return;
    let n = be16(f + p);
    p += 2;
    if (n < 2 || (n & 1) != 0) { gFlags |= AF_MALFORMED; return; } // CipherSuite <2..2^16-2>
    if (!need(p + n)) return;
    store<u16>(a + TLS_SUITES, <u16>p);
    store<u16>(a + TLS_SUITES_LEN, <u16>n);
    p += n;
    if (!need(p + 1)) return;
    let c = u8at(f + p);
    p += 1;
    if (c < 1) { gFlags |= AF_MALFORMED; return; } // CompressionMethod <1..2^8-1>
    if (!need(p + c)) return;
    store<u16>(a + TLS_COMP, <u16>p);
    store<u16>(a + TLS_COMP_LEN, <u16>c);
    p += c;
  } else {
    if (!need(p + 3)) return;
    store<u16>(a + TLS_SUITES, <u16>p);
    store<u16>(a + TLS_SUITES_LEN, 2);
    store<u16>(a + TLS_COMP, <u16>(p + 2));
    store<u16>(a + TLS_COMP_LEN, 1);
    p += 3;
  }
  if (p == gHsEnd) return; // no extension block (allowed before TLS 1.3)
  if (!need(p + 2)) return;
  let blockLen = be16(f + p);
  p += 2;
  let blockEnd = p + blockLen;
  // A block longer than the hello is malformed; what of it lies inside the hello is walked.
  if (blockEnd > gHsEnd) { gFlags |= AF_MALFORMED; blockEnd = gHsEnd; }
  else if (blockEnd < gHsEnd) gFlags |= AF_MALFORMED; // bytes after the block
  store<u16>(a + TLS_EXTS, <u16>p);
  store<u16>(a + TLS_EXTS_LEN, <u16>blockLen);
  let n: u32 = 0;
  while (p < blockEnd) {
    if (p + 4 > blockEnd) { gFlags |= AF_MALFORMED; break; }
    if (!need(p + 4)) break;
    let t = be16(f + p);
    let e = p + 4 + be16(f + p + 2);
    if (e > blockEnd) { gFlags |= AF_MALFORMED; break; }
    if (!need(e)) break;
    if (n < 255) n++;
    if (!extension(f, a, type, t, p + 4, e)) {
      gFlags |= AF_MALFORMED;
      if (load<u16>(a + TLS_BAD_EXT) == 0) store<u16>(a + TLS_BAD_EXT, <u16>n);
    }
    p = e;
  }
  store<u8>(a + TLS_EXT_COUNT, <u8>n);
}

/** Records a record holds: TLS_ITEM_MAX, but for tls_decode_long(). */
let gItemMax: u32 = TLS_ITEM_MAX;

/** tls_decode() into a long record (TLS_ITEMS + 255 records) that holds up to 255 records:
 *  the --json writer's (assembly/json/lines.ts) for a segment its app record had no room
 *  for. Not exported from the module. */
export function tls_decode_long(f: usize, pay: u32, payLen: u32, capEnd: u32, variant: u32, a: usize): void {
  gItemMax = 255;
  tls_decode(f, pay, payLen, capEnd, variant, a);
  gItemMax = TLS_ITEM_MAX;
}

/**
 * Decodes the TLS records of the TCP payload at frame offset `pay` (`payLen` bytes per the
 * headers, captured up to frame offset `capEnd`) into the app record at `a`.
 */
export function tls_decode(f: usize, pay: u32, payLen: u32, capEnd: u32, variant: u32, a: usize): void {
  gVariant = variant;
  // Offsets in the record are 16 bits: beginRecord() leaves bytes past 0xFFFF (GSO/GRO
  // super-segments) out of its reach, read as not captured.
  capEnd = beginWalk(a, APP_TLS, pay, payLen, capEnd, TLS_HS_COUNT, TLS_ITEMS);
  let pos = pay;
  let n: u32 = 0; // records recorded
  let hs: u32 = 0; // complete handshake messages
  while (pos < gDeclEnd) {
    if (pos + 5 > capEnd) {
      // A record header cut by the capture; one cut by the segment goes on in the next.
      if (capEnd < gDeclEnd) gFlags |= AF_TRUNC;
      break;
    }
    if (n >= gItemMax) { gFlags |= AF_MORE; break; }
    let t = u8at(f + pos);
    let ver = be16(f + pos + 1);
    let len = be16(f + pos + 3);
    if (t < 20 || t > 24 || (ver >> 8) != 3 || len > MAX_RECORD) { gFlags |= AF_MALFORMED; break; }
    let recEnd = pos + 5 + len;
    let it = a + TLS_ITEMS + n * TLS_ITEM_SIZE;
    store<u16>(it + TR_OFF, <u16>pos);
    store<u16>(it + TR_LEN, <u16>len);
    store<u16>(it + TR_VERSION, <u16>ver);
    store<u8>(it + TR_TYPE, <u8>t);
    store<u8>(it + TR_FLAGS, <u8>(recEnd > gDeclEnd ? TRF_PARTIAL : 0));
    if (t == CT_HANDSHAKE) {
      // The handshake messages that start in this record.
      let p = pos + 5;
      while (p + 4 <= recEnd) {
        if (p + 4 > capEnd) {
          if (capEnd < gDeclEnd) gFlags |= AF_TRUNC;
          break;
        }
        let ht = u8at(f + p);
        let hl = (u8at(f + p + 1) << 16) | be16(f + p + 2);
        // Complete in the record and in this segment (what tshark shows without reassembly).
        let whole = p + 4 + hl <= recEnd && p + 4 + hl <= gDeclEnd;
        let first = load<u8>(a + TLS_HELLO) == 0;
        // A hello is decoded as far as it goes when it runs past its record only if it opens
        // the segment's first record: anywhere else that is more likely encrypted bytes.
        if ((ht == HS_CLIENT_HELLO || ht == HS_SERVER_HELLO) && first && (whole || (n == 0 && p == pos + 5))) {
          hello(f, a, ht, p + 4, hl, recEnd);
        }
        if (!whole) break;
        if (hs < <u32>TLS_HS_MAX) store<u8>(a + TLS_HS_TYPES + hs, <u8>ht);
        if (hs < 255) hs++;
        p += 4 + hl;
      }
    }
    n++;
    pos = recEnd;
  }
  store<u8>(a + TLS_HS_COUNT, <u8>hs);
  store<u8>(a + A_COUNT, <u8>n);
  let next = pos;
  if ((gFlags & AF_MORE) == 0 && next > capEnd) next = capEnd;
  endRecord(a, next > 0xFFFF ? 0xFFFF : next, gVariant, gFlags);
}
