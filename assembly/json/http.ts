// --json's "http" member from the app record and the frame: the TS writer's bytes (its
// direct path, host/sinks/json/http.ts, or for a string with a byte that is not printable
// ASCII, '"' or '\', JSON.stringify of decode()'s object, whose strings a TextDecoder made:
// ./bytes.ts utf8Json() writes them as those two would). Never declined.
import {
  A_VARIANT, A_FLAGS, AF_TRUNC, AF_MALFORMED, HV_REQUEST, HV_RESPONSE, HV_CONT, HV_BARE_LF,
  HTTP_METHOD, HTTP_METHOD_LEN, HTTP_HEADERS, HTTP_URI, HTTP_URI_LEN, HTTP_VERSION, HTTP_CODE, HTTP_PHRASE, HTTP_PHRASE_LEN,
  HTTP_HOST, HTTP_UA, HTTP_CTYPE, HTTP_CLEN, HTTP_SERVER, HTTP_BODY,
} from "../app/app-layout";
import { put, field, utf8Json } from "./bytes";

// @ts-ignore: decorator
@inline function u16At(a: usize): u32 { return <u32>load<u16>(a); }

/** Output bytes the member can need: 6 per string byte (a control byte's \u00XX) plus 512. */
export function httpRoom(rec: usize): u32 {
  return 512 + 6 * (u16At(rec + HTTP_HOST + 2) + u16At(rec + HTTP_UA + 2) + u16At(rec + HTTP_CTYPE + 2)
    + u16At(rec + HTTP_CLEN + 2) + u16At(rec + HTTP_SERVER + 2)
    + u16At(rec + HTTP_URI_LEN) + u16At(rec + HTTP_PHRASE_LEN) + <u32>load<u8>(rec + HTTP_METHOD_LEN) + 8);
}

/** A kept header's value (`off` its record slot) under `key`. */
// @ts-ignore: decorator
@inline function header(p: usize, f: usize, rec: usize, slot: i32, key: string): usize {
  const off = u16At(rec + slot);
  if (off == 0) return p;
  const q = utf8Json(put(p, key), f + off, u16At(rec + slot + 2));
  store<u8>(q, 34);
  return q + 1;
}

/** Writes `,"http":{...}` for record `rec` of the segment at `f` (nothing when it has no
 *  start line). */
export function httpJson(p0: usize, f: usize, rec: usize): usize {
  const variant = <u32>load<u8>(rec + A_VARIANT);
  if ((variant & (HV_REQUEST | HV_RESPONSE)) == 0) return p0;
  let p = field(p0, ",\"http\":{\"header_lines\":", <u32>load<u8>(rec + HTTP_HEADERS));
  p = put(p, u16At(rec + HTTP_BODY) != 0 ? ",\"headers_complete\":true" : ",\"headers_complete\":false");
  const ver = u16At(rec + HTTP_VERSION);
  if ((variant & HV_REQUEST) != 0) {
    p = utf8Json(put(p, ",\"request\":{\"method\":\""), f + u16At(rec + HTTP_METHOD), <usize>load<u8>(rec + HTTP_METHOD_LEN));
    const uri = u16At(rec + HTTP_URI);
    if (uri != 0) p = utf8Json(put(p, "\",\"uri\":\""), f + uri, u16At(rec + HTTP_URI_LEN));
    if (ver != 0) p = utf8Json(put(p, "\",\"version\":\""), f + ver, 8);
    p = put(p, "\"}");
  } else {
    p = utf8Json(put(p, ",\"response\":{\"version\":\""), f + ver, 8);
    p = field(p, "\",\"code\":", u16At(rec + HTTP_CODE));
    const phrase = u16At(rec + HTTP_PHRASE);
    if (phrase != 0) {
      p = utf8Json(put(p, ",\"phrase\":\""), f + phrase, u16At(rec + HTTP_PHRASE_LEN));
        store<u8>(p++, 34);
    }
    store<u8>(p++, 125);
  }
  p = header(p, f, rec, HTTP_HOST, ",\"host\":\"");
  p = header(p, f, rec, HTTP_UA, ",\"user_agent\":\"");
  p = header(p, f, rec, HTTP_CTYPE, ",\"content_type\":\"");
  p = header(p, f, rec, HTTP_CLEN, ",\"content_length_header\":\"");
  p = header(p, f, rec, HTTP_SERVER, ",\"server\":\"");
  const flags = u16At(rec + A_FLAGS);
  let n = 0;
  for (let i = 0; i < 4; i++) {
    const set = i == 0 ? (flags & AF_TRUNC) : i == 1 ? (flags & AF_MALFORMED) : i == 2 ? (variant & HV_CONT) : (variant & HV_BARE_LF);
    if (set == 0) continue;
    if (n++ == 0) p = put(p, ",\"errors\":["); else store<u8>(p++, 44);
    p = put(p, i == 0 ? "\"truncated\"" : i == 1 ? "\"malformed\"" : i == 2 ? "\"continues\"" : "\"bare_lf\"");
  }
  if (n > 0) store<u8>(p++, 93);
  store<u8>(p++, 125);
  return p;
}
