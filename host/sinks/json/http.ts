// --json's "http" member written straight from the app record and the frame: the object
// host/app/http/decode.ts builds for decode() (same keys, same order, same values), its
// strings copied byte by byte. A string with a byte that is not printable ASCII, or with
// '"' or '\' (which UTF-8 decoding or JSON would change), returns false with nothing
// written, and the sink writes decode()'s own object. test/sinks-json-app checks both.
import type { TextBuffer } from '../text/buffer.js';
import { lit, put, field, text } from './bytes.js';
import {
  A_VARIANT, A_FLAGS, AF_TRUNC, AF_MALFORMED, HV_REQUEST, HV_RESPONSE, HV_CONT, HV_BARE_LF,
  HTTP_METHOD, HTTP_METHOD_LEN, HTTP_HEADERS, HTTP_URI, HTTP_URI_LEN, HTTP_VERSION, HTTP_CODE, HTTP_PHRASE, HTTP_PHRASE_LEN,
  HTTP_HOST, HTTP_UA, HTTP_CTYPE, HTTP_CLEN, HTTP_SERVER, HTTP_BODY,
} from '../../app/app-layout.js';

const le16 = (m: Uint8Array, p: number): number => m[p] | (m[p + 1] << 8);

const K_HTTP = lit(',"http":{"header_lines":');
const K_COMPLETE = lit(',"headers_complete":true');
const K_INCOMPLETE = lit(',"headers_complete":false');
const K_REQUEST = lit(',"request":{"method":"');
const K_URI = lit('","uri":"');
const K_VERSION_Q = lit('","version":"');
const K_RESPONSE = lit(',"response":{"version":"');
const K_CODE = lit('","code":');
const K_PHRASE = lit(',"phrase":"');
const K_QUOTE_END = lit('"}');
/** The kept headers in decode()'s order: record slot, key. */
const HEADERS: Array<[number, Uint8Array]> = [
  [HTTP_HOST, lit(',"host":"')], [HTTP_UA, lit(',"user_agent":"')], [HTTP_CTYPE, lit(',"content_type":"')],
  [HTTP_CLEN, lit(',"content_length_header":"')], [HTTP_SERVER, lit(',"server":"')],
];
const K_ERRORS = lit(',"errors":[');
const ERRORS: Array<[number, boolean, Uint8Array]> = [
  [AF_TRUNC, false, lit('"truncated"')], [AF_MALFORMED, false, lit('"malformed"')],
  [HV_CONT, true, lit('"continues"')], [HV_BARE_LF, true, lit('"bare_lf"')],
];

/** Writes `,"http":{...}` for HTTP app record `rec` of the frame at `f` (addresses in `m`),
 *  or nothing when the segment has no start line; false, with nothing written, when a
 *  string needs the general path. */
export function writeHttpJson(out: TextBuffer, m: Uint8Array, f: number, rec: number): boolean {
  const variant = m[rec + A_VARIANT];
  if ((variant & (HV_REQUEST | HV_RESPONSE)) === 0) return true;
  let room = 512;
  for (const [slot] of HEADERS) room += le16(m, rec + slot + 2);
  room += le16(m, rec + HTTP_URI_LEN) + le16(m, rec + HTTP_PHRASE_LEN) + m[rec + HTTP_METHOD_LEN];
  out.ensure(room); // no flush below: a fall-back can rewind
  const b = out.buf;
  const start = out.pos;
  let p = field(b, start, K_HTTP, m[rec + HTTP_HEADERS]);
  p = put(b, p, le16(m, rec + HTTP_BODY) !== 0 ? K_COMPLETE : K_INCOMPLETE);
  const ver = le16(m, rec + HTTP_VERSION);
  if (variant & HV_REQUEST) {
    p = text(b, put(b, p, K_REQUEST), m, f + le16(m, rec + HTTP_METHOD), m[rec + HTTP_METHOD_LEN]);
    const uri = le16(m, rec + HTTP_URI);
    if (p >= 0 && uri !== 0) p = text(b, put(b, p, K_URI), m, f + uri, le16(m, rec + HTTP_URI_LEN));
    if (p >= 0 && ver !== 0) p = text(b, put(b, p, K_VERSION_Q), m, f + ver, 8);
    if (p >= 0) p = put(b, p, K_QUOTE_END);
  } else {
    p = text(b, put(b, p, K_RESPONSE), m, f + ver, 8);
    if (p >= 0) {
      p = field(b, p, K_CODE, le16(m, rec + HTTP_CODE));
      const phrase = le16(m, rec + HTTP_PHRASE);
      if (phrase !== 0) {
        p = text(b, put(b, p, K_PHRASE), m, f + phrase, le16(m, rec + HTTP_PHRASE_LEN));
        if (p >= 0) b[p++] = 34;
      }
      if (p >= 0) b[p++] = 125;
    }
  }
  for (let i = 0; i < HEADERS.length && p >= 0; i++) {
    const off = le16(m, rec + HEADERS[i][0]);
    if (off === 0) continue;
    p = text(b, put(b, p, HEADERS[i][1]), m, f + off, le16(m, rec + HEADERS[i][0] + 2));
    if (p >= 0) b[p++] = 34;
  }
  if (p < 0) { out.pos = start; return false; }
  const flags = le16(m, rec + A_FLAGS);
  let n = 0;
  for (const [bit, inVariant, name] of ERRORS) {
    if (((inVariant ? variant : flags) & bit) === 0) continue;
    if (n++ === 0) p = put(b, p, K_ERRORS); else b[p++] = 44;
    p = put(b, p, name);
  }
  if (n > 0) b[p++] = 93;
  b[p++] = 125;
  out.pos = p;
  return true;
}

