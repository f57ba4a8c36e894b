// A TLS app record read back into plain numbers: the records of the segment, the types of
// its complete handshake messages and the decoded hello's fields (frame offsets). The app
// record holds the first TLS_ITEM_MAX records; when it says there are more (AF_MORE) the
// rest are walked here from its resume offset by the same twin code over a private copy of
// the frame, so a reader sees every record whatever the record's size.
import { TwinMemory } from '../twin-memory.js';
import { TlsTwin } from './twin.js';
import {
  A_PROTO, A_VARIANT, A_FLAGS, A_OFF, A_LEN, A_CAP, A_NEXT, A_COUNT, APP_TLS, APP_SIZE, AF_MORE,
  TLS_HS_COUNT, TLS_HELLO, TLS_EXT_COUNT, TLS_SID_LEN, TLS_HELLO_OFF, TLS_HELLO_VERSION, TLS_HELLO_LEN,
  TLS_RANDOM, TLS_SID, TLS_SUITES, TLS_SUITES_LEN, TLS_COMP, TLS_COMP_LEN, TLS_EXTS, TLS_EXTS_LEN,
  TLS_SNI, TLS_SNI_LEN, TLS_ALPN, TLS_ALPN_LEN, TLS_SV, TLS_SV_LEN, TLS_GROUPS, TLS_GROUPS_LEN,
  TLS_ECPF, TLS_ECPF_LEN, TLS_SIGALGS, TLS_SIGALGS_LEN, TLS_BAD_EXT, TLS_HS_TYPES, TLS_HS_MAX,
  TLS_ITEMS, TLS_ITEM_SIZE, TR_OFF, TR_LEN, TR_VERSION, TR_TYPE, TR_FLAGS,
} from '../app-layout.js';
import { le16, le32 } from '../record-reader.js';

export interface TlsRecord {
  /** Frame offset of the record header. */
  off: number;
  type: number;
  version: number;
  length: number;
  /** TRF_* bits. */
  flags: number;
}

/** A list in the frame: its offset and length in bytes (off 0: absent). */
export interface Span { off: number; len: number }

export interface TlsHello {
  /** 1 ClientHello, 2 ServerHello. */
  type: number;
  /** Frame offset of the body and its length per the handshake header. */
  off: number;
  len: number;
  /** legacy_version; 0 when the hello was cut before it. */
  version: number;
  random: number;
  sid: Span;
  suites: Span;
  comp: Span;
  /** The extension block (off: its first extension) and how many extensions were walked. */
  exts: Span;
  extCount: number;
  /** 1 + index of the first extension whose contents do not hold together, 0 if none. */
  badExt: number;
  sni: Span;
  alpn: Span;
  versions: Span;
  groups: Span;
  ecPointFormats: Span;
  sigAlgs: Span;
}

export interface TlsMessage {
  /** TV_* bits. */
  variant: number;
  /** AF_* bits (AF_MORE cleared once the rest was walked here). */
  flags: number;
  /** The payload: frame offset, length per the headers, bytes captured. */
  off: number;
  len: number;
  cap: number;
  records: TlsRecord[];
  /** Types of the complete handshake messages, in order. */
  handshakes: number[];
  hello: TlsHello | null;
}


function span(u8: Uint8Array, rec: number, off: number, len: number): Span {
  return { off: le16(u8, rec + off), len: le16(u8, rec + len) };
}

function helloOf(u8: Uint8Array, rec: number): TlsHello | null {
  const type = u8[rec + TLS_HELLO];
  if (type === 0) return null;
  return {
    type, off: le16(u8, rec + TLS_HELLO_OFF), len: le32(u8, rec + TLS_HELLO_LEN), version: le16(u8, rec + TLS_HELLO_VERSION),
    random: le16(u8, rec + TLS_RANDOM), sid: { off: le16(u8, rec + TLS_SID), len: u8[rec + TLS_SID_LEN] },
    suites: span(u8, rec, TLS_SUITES, TLS_SUITES_LEN), comp: span(u8, rec, TLS_COMP, TLS_COMP_LEN),
    exts: span(u8, rec, TLS_EXTS, TLS_EXTS_LEN), extCount: u8[rec + TLS_EXT_COUNT], badExt: le16(u8, rec + TLS_BAD_EXT),
    sni: span(u8, rec, TLS_SNI, TLS_SNI_LEN), alpn: span(u8, rec, TLS_ALPN, TLS_ALPN_LEN), versions: span(u8, rec, TLS_SV, TLS_SV_LEN),
    groups: span(u8, rec, TLS_GROUPS, TLS_GROUPS_LEN), ecPointFormats: span(u8, rec, TLS_ECPF, TLS_ECPF_LEN),
    sigAlgs: span(u8, rec, TLS_SIGALGS, TLS_SIGALGS_LEN),
  };
}

function recordsOf(u8: Uint8Array, rec: number, into: TlsRecord[], handshakes: number[]): void {
  for (let i = 0; i < u8[rec + A_COUNT]; i++) {
    const it = rec + TLS_ITEMS + i * TLS_ITEM_SIZE;
    into.push({ off: le16(u8, it + TR_OFF), type: u8[it + TR_TYPE], version: le16(u8, it + TR_VERSION), length: le16(u8, it + TR_LEN), flags: u8[it + TR_FLAGS] });
  }
  const n = Math.min(u8[rec + TLS_HS_COUNT], TLS_HS_MAX);
  for (let i = 0; i < n; i++) handshakes.push(u8[rec + TLS_HS_TYPES + i]);
}

/** The TLS message of app record `rec` for the frame at `f` (both addresses in `u8`), or
 *  null when the record is not TLS. */
export function readTls(u8: Uint8Array, f: number, rec: number): TlsMessage | null {
  if (u8[rec + A_PROTO] !== APP_TLS) return null;
  const m: TlsMessage = {
    variant: u8[rec + A_VARIANT], flags: le16(u8, rec + A_FLAGS), off: le16(u8, rec + A_OFF), len: le16(u8, rec + A_LEN),
    cap: le16(u8, rec + A_CAP), records: [], handshakes: [], hello: helloOf(u8, rec),
  };
  recordsOf(u8, rec, m.records, m.handshakes);
  if ((m.flags & AF_MORE) !== 0) walkRest(u8, f, m, le16(u8, rec + A_NEXT));
  return m;
}

/** Walks the records the app record had no room for, with the twin, over a copy of the frame. */
function walkRest(u8: Uint8Array, f: number, m: TlsMessage, next: number): void {
  const capEnd = m.off + m.cap;
  const segEnd = m.off + m.len;
  const slot = (capEnd + 63) & ~63;
  const buf = new ArrayBuffer(slot + APP_SIZE);
  const local = { u8: new Uint8Array(buf), u16: new Uint16Array(buf), u32: new Uint32Array(buf) };
  local.u8.set(u8.subarray(f, f + capEnd));
  const twin = new TlsTwin(new TwinMemory({ refresh: () => local }));
  let flags = m.flags & ~AF_MORE;
  let pos = next;
  for (;;) {
    twin.decode(0, pos, segEnd - pos, capEnd, 0, slot);
    recordsOf(local.u8, slot, m.records, m.handshakes);
    if (m.hello === null) m.hello = helloOf(local.u8, slot); // offsets are the frame's: the copy starts at f
    const more = le16(local.u8, slot + A_FLAGS);
    flags |= more & ~AF_MORE;
    m.variant |= local.u8[slot + A_VARIANT];
    if ((more & AF_MORE) === 0 || local.u8[slot + A_COUNT] === 0) break;
    pos = le16(local.u8, slot + A_NEXT);
  }
  m.flags = flags;
}
