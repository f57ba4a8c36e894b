// decode()'s HTTP object: Wireshark's field names as nesting (http.request.method ->
// http.request.method, http.user_agent -> http.user_agent), from the app record and the
// frame. Only a segment that opens with a request or status line has one; the header
// fields are those of that segment (no reassembly: `errors` says 'continues' when the
// header block goes on in a later segment). Allocates, not for hot loops.
import {
  A_PROTO, A_VARIANT, A_FLAGS, APP_HTTP, HV_REQUEST, HV_RESPONSE, HV_CONT, HV_BARE_LF,
  HTTP_METHOD, HTTP_METHOD_LEN, HTTP_HEADERS, HTTP_URI, HTTP_URI_LEN, HTTP_VERSION, HTTP_CODE, HTTP_PHRASE, HTTP_PHRASE_LEN,
  HTTP_HOST, HTTP_UA, HTTP_CTYPE, HTTP_CLEN, HTTP_SERVER, HTTP_BODY,
} from '../app-layout.js';
import { le16, recordErrors } from '../record-reader.js';

export interface DecodedHttp {
  request?: { method: string; uri?: string; version?: string };
  response?: { version: string; code: number; phrase?: string };
  host?: string;
  user_agent?: string;
  content_type?: string;
  /** The Content-Length header's text (Wireshark: http.content_length_header). */
  content_length_header?: string;
  server?: string;
  /** Header lines read in this segment. */
  header_lines: number;
  /** Whether the blank line that ends the headers is in this segment. */
  headers_complete: boolean;
  /** 'truncated', 'malformed', 'continues' (the line or header block goes on in a later
   *  segment), 'bare_lf' (a line ended in LF alone); absent when none applies. */
  errors?: string[];
}

// UTF-8, a byte that is not one shown as U+FFFD, as Wireshark shows these strings.
const utf8 = new TextDecoder('utf-8');
const text = (u8: Uint8Array, f: number, off: number, len: number): string => utf8.decode(u8.subarray(f + off, f + off + len));

/** A kept header's value (slot offset `s`: u16 offset, u16 length), or undefined. */
function header(u8: Uint8Array, f: number, rec: number, s: number): string | undefined {
  const off = le16(u8, rec + s);
  return off === 0 ? undefined : text(u8, f, off, le16(u8, rec + s + 2));
}

/** pkt.http for app record `rec` of the frame at `f` (addresses in `u8`), or undefined
 *  when the record is not HTTP or the segment has no start line. */
export function decodeHttp(u8: Uint8Array, f: number, rec: number): DecodedHttp | undefined {
  if (u8[rec + A_PROTO] !== APP_HTTP) return undefined;
  const variant = u8[rec + A_VARIANT];
  if ((variant & (HV_REQUEST | HV_RESPONSE)) === 0) return undefined;
  const flags = le16(u8, rec + A_FLAGS);
  const d: DecodedHttp = { header_lines: u8[rec + HTTP_HEADERS], headers_complete: le16(u8, rec + HTTP_BODY) !== 0 };
  const ver = le16(u8, rec + HTTP_VERSION);
  if (variant & HV_REQUEST) {
    d.request = { method: text(u8, f, le16(u8, rec + HTTP_METHOD), u8[rec + HTTP_METHOD_LEN]) };
    const uri = le16(u8, rec + HTTP_URI);
    if (uri !== 0) d.request.uri = text(u8, f, uri, le16(u8, rec + HTTP_URI_LEN));
    if (ver !== 0) d.request.version = text(u8, f, ver, 8);
  } else {
    d.response = { version: text(u8, f, ver, 8), code: le16(u8, rec + HTTP_CODE) };
    const phrase = le16(u8, rec + HTTP_PHRASE);
    if (phrase !== 0) d.response.phrase = text(u8, f, phrase, le16(u8, rec + HTTP_PHRASE_LEN));
  }
  const put = (k: 'host' | 'user_agent' | 'content_type' | 'content_length_header' | 'server', s: number): void => {
    const v = header(u8, f, rec, s);
    if (v !== undefined) d[k] = v;
  };
  put('host', HTTP_HOST);
  put('user_agent', HTTP_UA);
  put('content_type', HTTP_CTYPE);
  put('content_length_header', HTTP_CLEN);
  put('server', HTTP_SERVER);
  const errors = recordErrors(flags, (variant & HV_CONT) !== 0 && 'continues', (variant & HV_BARE_LF) !== 0 && 'bare_lf');
  if (errors !== undefined) d.errors = errors;
  return d;
}
