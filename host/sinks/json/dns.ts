// --json's "dns" member written straight from the app record and the frame: the same
// object host/app/dns/decode.ts builds for decode() (same keys, same order, same values),
// without building it, without JSON.stringify, and with names copied byte by byte.
//
// Only the common message takes this path: a header, every item in the record (no
// AF_MORE), no error of any kind, answers of the types below, and names of printable ASCII
// other than '"' and '\' (which JSON or Wireshark's format_text would escape). Anything
// else returns false with nothing written, and the sink writes decode()'s own object; so
// every rule of decodeDns() that is not copied here (SRV, TXT, NSEC bitmaps, error names,
// escapes, the items past the record) stays in one place. test/sinks-json-app checks that
// both paths give decode()'s object, on the corpus and on mutated messages.
import type { TextBuffer } from '../text/buffer.js';
import {
  A_VARIANT, A_FLAGS, A_OFF, A_CAP, A_COUNT, AF_TRUNC, AF_MALFORMED, AF_MORE, AF_BAD_PTR, AF_BAD_LABEL, AF_LONG_NAME,
  AF_COUNTS, DV_TCP, DV_MDNS, DV_LLMNR, DV_PREFIX_BAD, DNS_ID, DNS_FLAGS, DNS_QDCOUNT, DNS_ANCOUNT, DNS_NSCOUNT,
  DNS_ARCOUNT, DNS_PREFIX, DNS_ITEMS, DNS_ITEM_SIZE, DI_NAME, DI_TYPE, DI_CLASS, DI_RDLEN, DI_TTL, DI_RDATA,
  DI_SECTION, DI_FLAGS, DIF_BAD_RDATA, DIF_RDATA_TRUNC, DS_QUESTION,
} from '../../app/app-layout.js';
import { T_A, T_AAAA, T_CNAME, T_PTR, T_MX, T_NS, T_TXT, T_SOA, T_SRV, T_OPT, T_NSEC, T_NSEC3 } from '../../app/dns/types.js';

/** The AF_* bits decodeDns() reports as errors, and AF_MORE (items past the record). */
const GENERAL_FLAGS = AF_TRUNC | AF_MALFORMED | AF_BAD_PTR | AF_BAD_LABEL | AF_LONG_NAME | AF_COUNTS | AF_MORE;
/** The name rules of host/app/dns/names.ts. */
const MAX_JUMPS = 64;
const MAX_NAME = 255;
/** Output bytes a record can need: the header part, and per item a question or answer
 *  (one name of at most 255 characters) plus its RDATA fields (at most two names). */
const ROOM_FIXED = 1024;
const ROOM_ITEM = 1024;

const u16 = (m: Uint8Array, p: number): number => m[p] | (m[p + 1] << 8);
const be16 = (m: Uint8Array, p: number): number => (m[p] << 8) | m[p + 1];
const be32 = (m: Uint8Array, p: number): number => ((m[p] << 24) | (m[p + 1] << 16) | (m[p + 2] << 8) | m[p + 3]) >>> 0;

/** The RDATA types this path writes fields for (others have none, or take the general path). */
const RDATA_TYPES = [T_A, T_AAAA, T_CNAME, T_NS, T_PTR, T_MX, T_SOA];

/** Writes `,"dns":{...}` for DNS app record `rec` of the frame at `f` (addresses in `m`);
 *  false, with nothing written, when the message needs the general path. */
export function writeDnsJson(out: TextBuffer, m: Uint8Array, f: number, rec: number): boolean {
  const aflags = u16(m, rec + A_FLAGS);
  const variant = m[rec + A_VARIANT];
  const cap = u16(m, rec + A_CAP);
  if (cap < 12 || (aflags & GENERAL_FLAGS) !== 0 || (variant & DV_PREFIX_BAD) !== 0) return false;
  const count = m[rec + A_COUNT];
  // The RDATA groups (dns.a, dns.mx ...) in the order decodeDns() creates them: first
  // occurrence in the message.
  let order = 0; // up to 7 types, 3 bits each (index into RDATA_TYPES + 1)
  let seen = 0;
  for (let i = 0; i < count; i++) {
    const it = rec + DNS_ITEMS + i * DNS_ITEM_SIZE;
    if (m[it + DI_SECTION] === DS_QUESTION) continue;
    const type = u16(m, it + DI_TYPE);
    const iflags = m[it + DI_FLAGS];
    if ((iflags & DIF_BAD_RDATA) !== 0 || type === T_SRV || type === T_TXT || type === T_NSEC || type === T_NSEC3) return false;
    if ((iflags & DIF_RDATA_TRUNC) !== 0) continue;
    const g = RDATA_TYPES.indexOf(type);
    if (g >= 0 && (seen & (1 << g)) === 0) {
      seen |= 1 << g;
      order = order * 8 + g + 1;
    }
  }
  const msg = u16(m, rec + A_OFF);
  const capEnd = msg + cap;
  const mdns = (variant & DV_MDNS) !== 0;
  out.ensure(ROOM_FIXED + count * ROOM_ITEM); // no flush below: a fallback can rewind
  const start = out.pos;
  const h = u16(m, rec + DNS_FLAGS);
  const response = h >>> 15;
  out.str(',"dns":{"id":').dec(u16(m, rec + DNS_ID)).str(',"flags":{"response":').dec(response)
    .str(',"opcode":').dec((h >>> 11) & 15).str(',"truncated":').dec((h >>> 9) & 1);
  if ((variant & DV_LLMNR) !== 0) {
    out.str(',"conflict":').dec((h >>> 10) & 1).str(',"tentative":').dec((h >>> 8) & 1);
    if (response) out.str(',"rcode":').dec(h & 15);
  } else {
    if (response) out.str(',"authoritative":').dec((h >>> 10) & 1);
    out.str(',"recdesired":').dec((h >>> 8) & 1);
    if (response) out.str(',"recavail":').dec((h >>> 7) & 1);
    out.str(',"z":').dec((h >>> 6) & 1);
    if (response || (h & 0x20) !== 0) out.str(',"authenticated":').dec((h >>> 5) & 1);
    out.str(',"checkdisable":').dec((h >>> 4) & 1);
    if (response) out.str(',"rcode":').dec(h & 15);
  }
  out.str('},"count":{"queries":').dec(u16(m, rec + DNS_QDCOUNT)).str(',"answers":').dec(u16(m, rec + DNS_ANCOUNT))
    .str(',"auth_rr":').dec(u16(m, rec + DNS_NSCOUNT)).str(',"add_rr":').dec(u16(m, rec + DNS_ARCOUNT)).str('},"qry":[');
  let first = true;
  for (let i = 0; i < count; i++) {
    const it = rec + DNS_ITEMS + i * DNS_ITEM_SIZE;
    if (m[it + DI_SECTION] !== DS_QUESTION) continue;
    if (!first) out.ch(44);
    first = false;
    out.str('{"name":"');
    if (!name(out, m, f, msg, u16(m, it + DI_NAME), capEnd)) { out.pos = start; return false; }
    const cls = u16(m, it + DI_CLASS);
    out.str('","type":').dec(u16(m, it + DI_TYPE)).str(',"class":').dec(mdns ? cls & 0x7FFF : cls).ch(125);
  }
  out.str('],"resp":[');
  first = true;
  for (let i = 0; i < count; i++) {
    const it = rec + DNS_ITEMS + i * DNS_ITEM_SIZE;
    if (m[it + DI_SECTION] === DS_QUESTION) continue;
    if (!first) out.ch(44);
    first = false;
    out.str('{"name":"');
    if (!name(out, m, f, msg, u16(m, it + DI_NAME), capEnd)) { out.pos = start; return false; }
    const type = u16(m, it + DI_TYPE);
    const cls = u16(m, it + DI_CLASS);
    const ttl = (u16(m, it + DI_TTL) | (u16(m, it + DI_TTL + 2) << 16)) >>> 0;
    out.str('","type":').dec(type);
    if (type === T_OPT) {
      // RFC 6891 §6.1.3: the class is the UDP payload size, the TTL the EDNS bits.
      out.str(',"len":').dec(u16(m, it + DI_RDLEN)).str(',"udp_payload_size":').dec(cls).str(',"ext_rcode":').dec(ttl >>> 24)
        .str(',"edns0_version":').dec((ttl >>> 16) & 0xFF).str(',"z":{"do":').dec((ttl >>> 15) & 1).str('}}');
    } else {
      out.str(',"class":').dec(mdns ? cls & 0x7FFF : cls).str(',"len":').dec(u16(m, it + DI_RDLEN)).str(',"ttl":').dec(ttl).ch(125);
    }
  }
  out.str('],"transport":"').str((variant & DV_TCP) !== 0 ? 'tcp"' : 'udp"');
  if ((variant & DV_LLMNR) !== 0) out.str(',"variant":"llmnr"');
  else if (mdns) out.str(',"variant":"mdns"');
  if ((variant & DV_TCP) !== 0) out.str(',"length":').dec(u16(m, rec + DNS_PREFIX));
  // order holds the groups first-seen-first in its highest 3-bit digit: read it back to front.
  let digits = 0;
  for (let x = order; x !== 0; x = Math.floor(x / 8)) digits++;
  for (let d = digits - 1; d >= 0; d--) {
    const type = RDATA_TYPES[(Math.floor(order / 8 ** d) % 8) - 1];
    if (!group(out, m, f, rec, count, msg, capEnd, type)) { out.pos = start; return false; }
  }
  out.ch(125);
  return true;
}

/** Writes one RDATA group (dns.a, dns.mx ...) over the sound answers of `type`. */
function group(out: TextBuffer, m: Uint8Array, f: number, rec: number, count: number, msg: number, capEnd: number, type: number): boolean {
  switch (type) {
    case T_A: out.str(',"a":['); break;
    case T_AAAA: out.str(',"aaaa":['); break;
    case T_CNAME: out.str(',"cname":['); break;
    case T_NS: out.str(',"ns":['); break;
    case T_PTR: out.str(',"ptr":{"domain_name":['); break;
    case T_MX:
      out.str(',"mx":{"preference":[');
      each(m, rec, count, type, (p, k) => { if (k) out.ch(44); out.dec(be16(m, f + p)); return true; });
      out.str('],"mail_exchange":[');
      if (!each(m, rec, count, type, (p, k) => quotedName(out, m, f, msg, p + 2, capEnd, k))) return false;
      out.str(']}');
      return true;
    case T_SOA: {
      out.str(',"soa":{"mname":[');
      if (!each(m, rec, count, type, (p, k) => quotedName(out, m, f, msg, p, capEnd, k))) return false;
      out.str('],"rname":[');
      if (!each(m, rec, count, type, (p, k) => quotedName(out, m, f, msg, nameEnd(m, f, p, capEnd), capEnd, k))) return false;
      const SOA_NUMBERS = ['serial_number', 'refresh_interval', 'retry_interval', 'expire_limit', 'minimum_ttl'];
      for (let n = 0; n < SOA_NUMBERS.length; n++) {
        out.str('],"').str(SOA_NUMBERS[n]).str('":[');
        each(m, rec, count, type, (p, k) => {
          if (k) out.ch(44);
          out.dec(be32(m, f + nameEnd(m, f, nameEnd(m, f, p, capEnd), capEnd) + 4 * n));
          return true;
        });
      }
      out.str(']}');
      return true;
    }
    default: return true;
  }
  let ok = true;
  if (type === T_A) each(m, rec, count, type, (p, k) => { if (k) out.ch(44); out.ch(34).ipv4At(m, f + p).ch(34); return true; });
  else if (type === T_AAAA) each(m, rec, count, type, (p, k) => { if (k) out.ch(44); out.ch(34).ipv6At(m, f + p, false).ch(34); return true; });
  else ok = each(m, rec, count, type, (p, k) => quotedName(out, m, f, msg, p, capEnd, k));
  out.str(type === T_PTR ? ']}' : ']');
  return ok;
}

/** Calls `fn` with the RDATA offset of each sound answer of `type`, in message order, and
 *  its index among them; stops at the first false. */
function each(m: Uint8Array, rec: number, count: number, type: number, fn: (rdata: number, k: number) => boolean): boolean {
  let k = 0;
  for (let i = 0; i < count; i++) {
    const it = rec + DNS_ITEMS + i * DNS_ITEM_SIZE;
    if (m[it + DI_SECTION] === DS_QUESTION || u16(m, it + DI_TYPE) !== type || (m[it + DI_FLAGS] & DIF_RDATA_TRUNC) !== 0) continue;
    if (!fn(u16(m, it + DI_RDATA), k++)) return false;
  }
  return true;
}

function quotedName(out: TextBuffer, m: Uint8Array, f: number, msg: number, p: number, capEnd: number, k: number): boolean {
  if (k) out.ch(44);
  out.ch(34);
  if (!name(out, m, f, msg, p, capEnd)) return false;
  out.ch(34);
  return true;
}

/** Writes the name at frame offset `p` as host/app/dns/names.ts's readName() shows it (as
 *  far as it holds together); false when a byte would need an escape. */
function name(out: TextBuffer, m: Uint8Array, f: number, msg: number, p: number, capEnd: number): boolean {
  const b = out.buf;
  const w0 = out.pos;
  let w = w0;
  let pos = p;
  let limit = p;
  let wire = 1;
  let jumps = 0;
  for (;;) {
    if (pos >= capEnd) break;
    const l = m[f + pos];
    const kind = l & 0xC0;
    if (kind === 0xC0) {
      if (pos + 1 >= capEnd) break;
      const target = msg + (((l & 0x3F) << 8) | m[f + pos + 1]);
      if (target >= limit || ++jumps > MAX_JUMPS) break;
      limit = target;
      pos = target;
      continue;
    }
    if (kind !== 0) break;
    if (l === 0) {
      if (w === w0) { out.pos = w; out.str('<Root>'); return true; }
      break;
    }
    wire += l + 1;
    if (wire > MAX_NAME || pos + 1 + l > capEnd) break;
    if (w !== w0) b[w++] = 0x2E;
    for (let i = f + pos + 1, end = i + l; i < end; i++) {
      const c = m[i];
      if (c < 0x20 || c >= 0x7F || c === 0x22 || c === 0x5C) return false;
      b[w++] = c;
    }
    pos += l + 1;
  }
  out.pos = w;
  return true;
}

/** Where the name at frame offset `p` ends in place (as decode.ts's nameEnd). */
function nameEnd(m: Uint8Array, f: number, p: number, capEnd: number): number {
  let pos = p;
  while (pos < capEnd) {
    const l = m[f + pos];
    if ((l & 0xC0) === 0xC0) return pos + 2;
    if (l === 0) return pos + 1;
    pos += l + 1;
  }
  return pos;
}
