// HTTP/1.x (RFC 9112) into the app record (app-layout.ts): the request line (method SP
// request-target SP HTTP-version) or status line (HTTP-version SP 3DIGIT [SP reason]) that
// opens the segment, then the header lines in the same segment up to the blank line, with
// Host, User-Agent, Content-Type, Content-Length and Server kept as frame offsets of their
// values (OWS trimmed). Lines end in CRLF or, as RFC 9112 §2.2 lets a recipient accept, a
// bare LF (HV_BARE_LF); a bare CR or a folded line ends the walk, a control character in a
// value or a name that is not a token skips its line, a second Host header (§3.2) is kept
// out: all are AF_MALFORMED. No reassembly: a line or header block that goes on past the
// segment is HV_CONT (past the captured bytes of a segment the capture cut: AF_TRUNC), and
// the later segments that carry the rest are not read (a segment without a start line has
// no fields). host/app/http/twin.ts is the same code in TypeScript.
import {
  APP_HTTP, AF_TRUNC, AF_MALFORMED,
  HV_REQUEST, HV_RESPONSE, HV_CONT, HV_BARE_LF,
  HTTP_METHOD, HTTP_METHOD_LEN, HTTP_HEADERS, HTTP_URI, HTTP_URI_LEN, HTTP_VERSION, HTTP_CODE, HTTP_PHRASE, HTTP_PHRASE_LEN,
  HTTP_HOST, HTTP_HOST_LEN, HTTP_UA, HTTP_UA_LEN, HTTP_CTYPE, HTTP_CTYPE_LEN, HTTP_CLEN, HTTP_CLEN_LEN, HTTP_SERVER,
  HTTP_SERVER_LEN, HTTP_BODY, HTTP_LINE_END,
} from "./app-layout";
import { u8at, beginWalk, endRecord, gFlags, gCapEnd, gDeclEnd } from "./record";

const MAX_METHOD: u32 = 32;
const SP: u32 = 0x20;
const HTAB: u32 = 0x09;
const CR: u32 = 0x0D;
const LF: u32 = 0x0A;

@inline function digit(c: u32): bool { return c - 0x30 < 10; }

/** RFC 9110 §5.6.2 tchar. */
function tchar(c: u32): bool {
  if (c - 0x30 < 10 || (c | 0x20) - 0x61 < 26) return true;
  return c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2A || c == 0x2B || c == 0x2D || c == 0x2E
    || c == 0x5E || c == 0x5F || c == 0x60 || c == 0x7C || c == 0x7E;
}

let gVariant: u32 = 0;

/** Bytes needed up to `end` are not here: cut by the capture, or going on in a later segment. */
@inline function ranOut(): void {
  if (gCapEnd < gDeclEnd) gFlags |= AF_TRUNC;
  else gVariant |= HV_CONT;
}

/** Whether the payload begins like HTTP found by content: "HTTP/" or a common method and SP. */
export function http_sniff(f: usize, pay: u32, capEnd: u32): bool {
  if (pay + 5 > capEnd) return false;
  let w = load<u32>(f + pay);
  if (w == 0x20544547 || w == 0x20545550) return true; // "GET ", "PUT "
  let c4 = u8at(f + pay + 4);
  if ((w == 0x54534F50 || w == 0x44414548) && c4 == SP) return true; // "POST ", "HEAD "
  if (w == 0x50545448) return c4 == 0x2F; // "HTTP/"
  if (pay + 8 > capEnd) return pay + 6 <= capEnd && w == 0x43544150 && load<u16>(f + pay + 4) == 0x2048; // "PATCH "
  let w2 = load<u32>(f + pay + 4);
  if (w == 0x43544150) return (w2 & 0xFFFF) == 0x2048; // "PATCH "
  if (w == 0x43415254) return (w2 & 0xFFFF) == 0x2045; // "TRACE "
  if (w == 0x454C4544) return (w2 & 0xFFFFFF) == 0x204554; // "DELETE "
  if (w == 0x4954504F) return w2 == 0x20534E4F; // "OPTIONS "
  if (w == 0x4E4E4F43) return w2 == 0x20544345; // "CONNECT "
  return false;
}

/** "HTTP/" DIGIT "." DIGIT at `p` (the caller made sure 8 bytes are here). */
function version(f: usize, p: u32): bool {
  return load<u32>(f + p) == 0x50545448 && u8at(f + p + 4) == 0x2F && digit(u8at(f + p + 5))
    && u8at(f + p + 6) == 0x2E && digit(u8at(f + p + 7));
}

/** The line end at `p` (CR LF or LF): the offset after it, or 0 (flags say why). */
function lineEnd(f: usize, p: u32): u32 {
  if (p >= gCapEnd) { ranOut(); return 0; }
  let c = u8at(f + p);
  if (c == LF) { gVariant |= HV_BARE_LF; return p + 1; }
  if (c != CR) { gFlags |= AF_MALFORMED; return 0; }
  if (p + 1 >= gCapEnd) { ranOut(); return 0; }
  if (u8at(f + p + 1) != LF) { gFlags |= AF_MALFORMED; return 0; }
  return p + 2;
}

/** The request line at `p`; the offset after its line end, or 0. A line that opens with
 *  a common method (`known`) and then breaks the grammar is malformed; any other token is
 *  just not a request line (a body on an HTTP port may begin with a word and a space). */
function requestLine(f: usize, a: usize, p: u32, known: bool): u32 {
  let m = p;
  while (p < gCapEnd && p - m <= MAX_METHOD && tchar(u8at(f + p))) p++;
  if (p >= gCapEnd || p == m || p - m > MAX_METHOD || u8at(f + p) != SP) return 0;
  let mEnd = p;
  let u = ++p;
  // request-target: visible characters (the forms of RFC 9112 §3.2 are not told apart).
  while (p < gCapEnd) {
    let c = u8at(f + p);
    if (c <= SP || c == 0x7F) break;
    p++;
  }
  let uEnd = p;
  let v = p + 1;
  let cut = p >= gCapEnd || v + 8 > gCapEnd;
  let ok = !cut && p > u && u8at(f + p) == SP && version(f, v);
  if (!ok && !known) return 0;
  store<u16>(a + HTTP_METHOD, <u16>m);
  store<u8>(a + HTTP_METHOD_LEN, <u8>(mEnd - m));
  gVariant |= HV_REQUEST;
  // A target that ends the line is kept too (an HTTP/0.9 request, malformed today).
  if (uEnd > u && (uEnd >= gCapEnd || u8at(f + uEnd) == SP || u8at(f + uEnd) == CR || u8at(f + uEnd) == LF)) {
    store<u16>(a + HTTP_URI, <u16>u);
    store<u16>(a + HTTP_URI_LEN, <u16>(uEnd - u));
  }
  if (!ok) {
    if (cut && (uEnd >= gCapEnd || (uEnd > u && u8at(f + uEnd) == SP))) ranOut();
    else gFlags |= AF_MALFORMED;
    return 0;
  }
  store<u16>(a + HTTP_VERSION, <u16>v);
  return lineEnd(f, v + 8);
}

/** The status line at `p` (its "HTTP/" checked); the offset after its line end, or 0. */
function statusLine(f: usize, a: usize, p: u32): u32 {
  if (p + 12 > gCapEnd) { ranOut(); return 0; }
  if (!version(f, p) || u8at(f + p + 8) != SP) return 0;
  let c0 = u8at(f + p + 9);
  let c1 = u8at(f + p + 10);
  let c2 = u8at(f + p + 11);
  if (!digit(c0) || !digit(c1) || !digit(c2)) return 0;
  gVariant |= HV_RESPONSE;
  store<u16>(a + HTTP_VERSION, <u16>p);
  store<u16>(a + HTTP_CODE, <u16>((c0 - 0x30) * 100 + (c1 - 0x30) * 10 + (c2 - 0x30)));
  p += 12;
  if (p < gCapEnd && u8at(f + p) == SP) {
    let r = ++p;
    // reason-phrase: HTAB, SP, VCHAR, obs-text.
    while (p < gCapEnd) {
      let c = u8at(f + p);
      if ((c < SP && c != HTAB) || c == 0x7F) break;
      p++;
    }
    store<u16>(a + HTTP_PHRASE, <u16>r);
    store<u16>(a + HTTP_PHRASE_LEN, <u16>(p - r));
  }
  return lineEnd(f, p);
}

/** Lower-cased 4 bytes at `p` (letters only change; '-' stays). */
@inline function low4(f: usize, p: u32): u32 { return load<u32>(f + p) | 0x20202020; }
@inline function low2(f: usize, p: u32): u32 { return <u32>load<u16>(f + p) | 0x2020; }

/** Which kept header the name at `n` (`len` bytes) is: the offset of its slot, or 0. */
function headerSlot(f: usize, n: u32, len: u32): u32 {
  if (len == 4 && low4(f, n) == 0x74736F68) return HTTP_HOST; // host
  if (len == 6 && low4(f, n) == 0x76726573 && low2(f, n + 4) == 0x7265) return HTTP_SERVER; // server
  if (len == 10 && low4(f, n) == 0x72657375 && low4(f, n + 4) == 0x6567612D && low2(f, n + 8) == 0x746E) return HTTP_UA; // user-agent
  if ((len == 12 || len == 14) && low4(f, n) == 0x746E6F63 && low4(f, n + 4) == 0x2D746E65) {
    if (len == 12 && low4(f, n + 8) == 0x65707974) return HTTP_CTYPE; // content-type
    if (len == 14 && low4(f, n + 8) == 0x676E656C && low2(f, n + 12) == 0x6874) return HTTP_CLEN; // content-length
  }
  return 0;
}

/** Keeps the first value of a kept header (a second Host is malformed, RFC 9112 §3.2). */
function keep(f: usize, a: usize, name: u32, nameLen: u32, v: u32, ve: u32): void {
  let slot = headerSlot(f, name, nameLen);
  if (slot == 0) return;
  if (load<u16>(a + slot) == 0) {
    store<u16>(a + slot, <u16>v);
    store<u16>(a + slot + 2, <u16>(ve - v));
  } else if (slot == HTTP_HOST) {
    gFlags |= AF_MALFORMED;
  }
}

/** The header lines from `p` to the blank line; returns where the walk stopped. A line
 *  whose name is not a token or whose value holds a control character is malformed and
 *  skipped; a folded line (obs-fold) or a bare CR ends the walk. */
function headers(f: usize, a: usize, p: u32): u32 {
  let n: u32 = 0;
  while (true) {
    if (p >= gCapEnd) { ranOut(); break; }
    let c = u8at(f + p);
    if (c == CR || c == LF) {
      let e = lineEnd(f, p);
      if (e != 0) { store<u16>(a + HTTP_BODY, <u16>e); p = e; }
      break;
    }
    if (c == SP || c == HTAB) { gFlags |= AF_MALFORMED; break; } // obs-fold (RFC 9112 §5.2)
    let name = p;
    while (p < gCapEnd && tchar(u8at(f + p))) p++;
    if (p >= gCapEnd) { ranOut(); break; }
    let good = p > name && u8at(f + p) == 0x3A;
    let nameLen = p - name;
    if (good) {
      p++;
      while (p < gCapEnd && (u8at(f + p) == SP || u8at(f + p) == HTAB)) p++;
    }
    let v = p;
    while (p < gCapEnd) {
      let b = u8at(f + p);
      if (b == CR || b == LF) break;
      if ((b < SP && b != HTAB) || b == 0x7F) good = false;
      p++;
    }
    let ve = p;
    while (ve > v && (u8at(f + ve - 1) == SP || u8at(f + ve - 1) == HTAB)) ve--;
    if (p >= gCapEnd) {
      // A value cut by the capture is kept as far as it goes; one that goes on in the
      // next segment is not (it is not known yet).
      if (good && gCapEnd < gDeclEnd) keep(f, a, name, nameLen, v, ve);
      ranOut();
      break;
    }
    if (good) keep(f, a, name, nameLen, v, ve);
    else gFlags |= AF_MALFORMED;
    if (n < 255) n++;
    let e = lineEnd(f, p);
    if (e == 0) break;
    p = e;
  }
  store<u8>(a + HTTP_HEADERS, <u8>n);
  return p;
}

/**
 * Decodes the HTTP/1.x start of the TCP payload at frame offset `pay` (`payLen` bytes per
 * the headers, captured up to frame offset `capEnd`) into the app record at `a`.
 */
export function http_decode(f: usize, pay: u32, payLen: u32, capEnd: u32, variant: u32, a: usize): void {
  gVariant = variant;
  capEnd = beginWalk(a, APP_HTTP, pay, payLen, capEnd, HTTP_METHOD, HTTP_LINE_END + 2);
  let next = pay;
  let e: u32 = 0;
  if (pay + 5 <= capEnd && load<u32>(f + pay) == 0x50545448 && u8at(f + pay + 4) == 0x2F) e = statusLine(f, a, pay);
  else e = requestLine(f, a, pay, http_sniff(f, pay, capEnd));
  if (e != 0) {
    store<u16>(a + HTTP_LINE_END, <u16>e);
    next = headers(f, a, e);
  }
  endRecord(a, next, gVariant, gFlags);
}
