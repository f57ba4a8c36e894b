// --json's "dns" member written straight from the app record and the frame: the same
// object host/app/dns/decode.ts builds for decode() (same keys, same order, same values),
// without building it, without JSON.stringify, and with names copied byte by byte.
//
// Only the common message takes this path: a header, every item in the record (no
// AF_MORE), answers of the types below, and names of printable ASCII other than '"' and '\'
// (which JSON or Wireshark's format_text would escape); errors are named as decodeDns()
// names them. Anything else returns false with nothing written, and the sink writes
// decode()'s own object; so every rule of decodeDns() that is not copied here (SRV, TXT,
// NSEC bitmaps, escapes, the items past the record) stays in one place. test/sinks-json-app checks that
// both paths give decode()'s object, on the corpus and on mutated messages.
import type { TextBuffer } from '../text/buffer.js';
import { lit, put, num, field, ip4At, ip6 } from './bytes.js';
import {
  A_VARIANT, A_FLAGS, A_OFF, A_CAP, A_COUNT, AF_TRUNC, AF_MALFORMED, AF_MORE, AF_BAD_PTR, AF_BAD_LABEL, AF_LONG_NAME,
  AF_COUNTS, DV_TCP, DV_MDNS, DV_LLMNR, DV_PREFIX_BAD, DNS_ID, DNS_FLAGS, DNS_QDCOUNT, DNS_ANCOUNT, DNS_NSCOUNT,
  DNS_ARCOUNT, DNS_PREFIX, DNS_ITEMS, DNS_ITEM_SIZE, DI_NAME, DI_TYPE, DI_CLASS, DI_RDLEN, DI_TTL, DI_RDATA,
  DI_SECTION, DI_FLAGS, DIF_BAD_RDATA, DIF_RDATA_TRUNC, DS_QUESTION,
} from '../../app/app-layout.js';
import { readDns } from '../../app/dns/message.js';
import { nameEnd } from '../../app/dns/names.js';
import { T_A, T_AAAA, T_CNAME, T_PTR, T_MX, T_NS, T_TXT, T_SOA, T_SRV, T_OPT, T_NSEC, T_NSEC3 } from '../../app/dns/types.js';

/** decodeDns()'s error names, in its order: AF_* bits, then the variant's DV_PREFIX_BAD and
 *  an item's DIF_BAD_RDATA (bits 16 and 17 here). */
const ERROR_NAMES: Array<[number, Uint8Array]> = [
  [AF_TRUNC, lit('"truncated"')], [AF_MALFORMED, lit('"malformed"')], [AF_BAD_PTR, lit('"bad_pointer"')],
  [AF_BAD_LABEL, lit('"bad_label"')], [AF_LONG_NAME, lit('"name_too_long"')], [AF_COUNTS, lit('"counts_past_end"')],
  [1 << 16, lit('"tcp_length_prefix_mismatch"')], [1 << 17, lit('"bad_rdata"')],
];
const K_ERRORS = lit(',"errors":[');
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

const K_DNS = lit(',"dns":{"id":');
const K_FLAGS = lit(',"flags":{"response":');
const K_OPCODE = lit(',"opcode":');
const K_TRUNCATED = lit(',"truncated":');
const K_CONFLICT = lit(',"conflict":');
const K_TENTATIVE = lit(',"tentative":');
const K_RCODE = lit(',"rcode":');
const K_AUTHORITATIVE = lit(',"authoritative":');
const K_RECDESIRED = lit(',"recdesired":');
const K_RECAVAIL = lit(',"recavail":');
const K_Z = lit(',"z":');
const K_AUTHENTICATED = lit(',"authenticated":');
const K_CHECKDISABLE = lit(',"checkdisable":');
const K_COUNT = lit('},"count":{"queries":');
const K_ANSWERS = lit(',"answers":');
const K_AUTH_RR = lit(',"auth_rr":');
const K_ADD_RR = lit(',"add_rr":');
const K_QRY = lit('},"qry":[');
const K_NAME = lit('{"name":"');
const K_TYPE = lit('","type":');
const K_CLASS = lit(',"class":');
const K_LEN = lit(',"len":');
const K_TTL = lit(',"ttl":');
const K_OPT = lit(',"udp_payload_size":');
const K_EXT_RCODE = lit(',"ext_rcode":');
const K_EDNS0 = lit(',"edns0_version":');
const K_DO = lit(',"z":{"do":');
const K_RESP = lit('],"resp":[');
const K_UDP = lit('],"transport":"udp"');
const K_TCP = lit('],"transport":"tcp"');
const K_LLMNR = lit(',"variant":"llmnr"');
const K_MDNS = lit(',"variant":"mdns"');
const K_LENGTH = lit(',"length":');
const K_ROOT = lit('<Root>');
const K_GROUP = [lit(',"a":['), lit(',"aaaa":['), lit(',"cname":['), lit(',"ns":['), lit(',"ptr":{"domain_name":['), lit(',"mx":{"preference":['), lit(',"soa":{"mname":[')];
const K_MX_EXCHANGE = lit(',"mail_exchange":[');
const K_SOA = [lit(',"rname":['), lit(',"serial_number":['), lit(',"refresh_interval":['), lit(',"retry_interval":['), lit(',"expire_limit":['), lit(',"minimum_ttl":[')];

/** Writes `,"dns":{...}` for DNS app record `rec` of the frame at `f` (addresses in `m`);
 *  false, with nothing written, when the message needs the general path. */
export function writeDnsJson(out: TextBuffer, m: Uint8Array, f: number, rec: number): boolean {
  const aflags = u16(m, rec + A_FLAGS);
  if ((aflags & AF_MORE) !== 0) return writeLongDns(out, m, f, rec);
  const variant = m[rec + A_VARIANT];
  const cap = u16(m, rec + A_CAP);
  if (cap < 12) return false;
  const count = m[rec + A_COUNT];
  let errors = aflags | ((variant & DV_PREFIX_BAD) !== 0 ? 1 << 16 : 0);
  // The RDATA groups (dns.a, dns.mx ...) in the order decodeDns() creates them: first
  // occurrence in the message.
  let order = 0; // up to 7 groups, 3 bits each (index into RDATA_TYPES + 1), first seen highest
  let groups = 0;
  let seen = 0;
  for (let i = 0; i < count; i++) {
    const it = rec + DNS_ITEMS + i * DNS_ITEM_SIZE;
    if (m[it + DI_SECTION] === DS_QUESTION) continue;
    const type = u16(m, it + DI_TYPE);
    const iflags = m[it + DI_FLAGS];
    if (type === T_SRV || type === T_TXT || type === T_NSEC || type === T_NSEC3) return false;
    if ((iflags & DIF_BAD_RDATA) !== 0) errors |= 1 << 17;
    if ((iflags & (DIF_BAD_RDATA | DIF_RDATA_TRUNC)) !== 0) continue;
    const g = groupOf(type);
    if (g >= 0 && (seen & (1 << g)) === 0) {
      seen |= 1 << g;
      order = (order << 3) | (g + 1);
      groups++;
    }
  }
  const msg = u16(m, rec + A_OFF);
  const capEnd = msg + cap;
  const mdns = (variant & DV_MDNS) !== 0;
  out.ensure(ROOM_FIXED + count * ROOM_ITEM); // no flush below: a fall-back can rewind
  const b = out.buf;
  const start = out.pos;
  const h = u16(m, rec + DNS_FLAGS);
  let p = field(b, start, K_DNS, u16(m, rec + DNS_ID));
  p = flags(b, p, h, (variant & DV_LLMNR) !== 0 ? 1 : 0);
  p = field(b, p, K_COUNT, u16(m, rec + DNS_QDCOUNT));
  p = field(b, p, K_ANSWERS, u16(m, rec + DNS_ANCOUNT));
  p = field(b, p, K_AUTH_RR, u16(m, rec + DNS_NSCOUNT));
  p = field(b, p, K_ADD_RR, u16(m, rec + DNS_ARCOUNT));
  p = put(b, p, K_QRY);
  for (let pass = 0; pass < 2; pass++) {
    // Pass 0: the questions (dns.qry), pass 1: the records (dns.resp).
    if (pass === 1) p = put(b, p, K_RESP);
    let first = true;
    for (let i = 0; i < count; i++) {
      const it = rec + DNS_ITEMS + i * DNS_ITEM_SIZE;
      if ((m[it + DI_SECTION] === DS_QUESTION) !== (pass === 0)) continue;
      if (!first) b[p++] = 44;
      first = false;
      p = name(b, put(b, p, K_NAME), m, f, msg, u16(m, it + DI_NAME), capEnd);
      if (p < 0) { out.pos = start; return false; }
      const type = u16(m, it + DI_TYPE);
      const cls = u16(m, it + DI_CLASS);
      p = field(b, p, K_TYPE, type);
      if (pass === 0) {
        p = field(b, p, K_CLASS, mdns ? cls & 0x7FFF : cls);
      } else if (type === T_OPT) {
        // RFC 6891 §6.1.3: the class is the UDP payload size, the TTL the EDNS bits.
        const ttl = u16(m, it + DI_TTL + 2);
        p = field(b, p, K_LEN, u16(m, it + DI_RDLEN));
        p = field(b, p, K_OPT, cls);
        p = field(b, p, K_EXT_RCODE, ttl >>> 8);
        p = field(b, p, K_EDNS0, ttl & 0xFF);
        p = field(b, p, K_DO, (u16(m, it + DI_TTL) >>> 15) & 1);
        b[p++] = 125;
      } else {
        p = field(b, p, K_CLASS, mdns ? cls & 0x7FFF : cls);
        p = field(b, p, K_LEN, u16(m, it + DI_RDLEN));
        p = field(b, p, K_TTL, (u16(m, it + DI_TTL) | (u16(m, it + DI_TTL + 2) << 16)) >>> 0);
      }
      b[p++] = 125;
    }
  }
  p = put(b, p, (variant & DV_TCP) !== 0 ? K_TCP : K_UDP);
  if ((variant & DV_LLMNR) !== 0) p = put(b, p, K_LLMNR);
  else if (mdns) p = put(b, p, K_MDNS);
  if ((variant & DV_TCP) !== 0) p = field(b, p, K_LENGTH, u16(m, rec + DNS_PREFIX));
  for (let k = groups - 1; k >= 0; k--) {
    const g = ((order >>> (3 * k)) & 7) - 1;
    p = group(b, put(b, p, K_GROUP[g]), m, f, rec, count, msg, capEnd, RDATA_TYPES[g]);
    if (p < 0) { out.pos = start; return false; }
  }
  let n = 0;
  for (let i = 0; i < ERROR_NAMES.length; i++) {
    if ((errors & ERROR_NAMES[i][0]) === 0) continue;
    if (n++ === 0) p = put(b, p, K_ERRORS); else b[p++] = 44;
    p = put(b, p, ERROR_NAMES[i][1]);
  }
  if (n > 0) b[p++] = 93;
  b[p++] = 125;
  out.pos = p;
  return true;
}

/** The "flags" object's bytes by header flags word and LLMNR bit (index h << 1 | llmnr),
 *  made on first use: a capture has few distinct words, and each is then one copy instead
 *  of seven to ten fields. */
let FLAGS_BYTES: Array<Uint8Array | undefined> | null = null; // made on first use: 3.5 ms at start-up


function flags(b: Uint8Array, p0: number, h: number, llmnr: number): number {
  const key = (h << 1) | llmnr;
  const cache = FLAGS_BYTES ??= new Array<Uint8Array | undefined>(1 << 17).fill(undefined);
  const done = cache[key];
  if (done !== undefined) return put(b, p0, done);
  const response = h >>> 15;
  let p = field(b, p0, K_FLAGS, response);
  p = field(b, p, K_OPCODE, (h >>> 11) & 15);
  p = field(b, p, K_TRUNCATED, (h >>> 9) & 1);
  if (llmnr) {
    p = field(b, p, K_CONFLICT, (h >>> 10) & 1);
    p = field(b, p, K_TENTATIVE, (h >>> 8) & 1);
    if (response) p = field(b, p, K_RCODE, h & 15);
  } else {
    if (response) p = field(b, p, K_AUTHORITATIVE, (h >>> 10) & 1);
    p = field(b, p, K_RECDESIRED, (h >>> 8) & 1);
    if (response) p = field(b, p, K_RECAVAIL, (h >>> 7) & 1);
    p = field(b, p, K_Z, (h >>> 6) & 1);
    if (response || (h & 0x20) !== 0) p = field(b, p, K_AUTHENTICATED, (h >>> 5) & 1);
    p = field(b, p, K_CHECKDISABLE, (h >>> 4) & 1);
    if (response) p = field(b, p, K_RCODE, h & 15);
  }
  cache[key] = b.slice(p0, p);
  return p;
}

/** A message with more items than its record holds (AF_MORE): message.ts's readDns walks
 *  the rest as decode() does; its items go into a record of that length, after a copy of
 *  the frame, and the writer above runs over that copy. decode()'s object for such a
 *  message cost ~60 us (a name per item through TextDecoder, then JSON.stringify). */
function writeLongDns(out: TextBuffer, m: Uint8Array, f: number, rec: number): boolean {
  const msg = readDns(m, f, rec);
  if (msg === null || !msg.hasHeader || msg.items.length > 255) return false;
  const capEnd = msg.off + msg.cap;
  const at = (capEnd + 15) & ~15;
  const size = at + DNS_ITEMS + msg.items.length * DNS_ITEM_SIZE;
  if (longCopy.length < size) longCopy = new Uint8Array(Math.max(size, 2 * longCopy.length));
  const c = longCopy;
  c.set(m.subarray(f, f + capEnd), 0);
  c.set(m.subarray(rec, rec + DNS_ITEMS), at);
  c[at + A_FLAGS] = msg.flags & 0xFF;
  c[at + A_FLAGS + 1] = msg.flags >>> 8;
  c[at + A_COUNT] = msg.items.length;
  for (let i = 0; i < msg.items.length; i++) {
    const it = msg.items[i];
    const o = at + DNS_ITEMS + i * DNS_ITEM_SIZE;
    c[o + DI_SECTION] = it.section;
    c[o + DI_FLAGS] = it.flags;
    le16(c, o + DI_NAME, it.name);
    le16(c, o + DI_TYPE, it.type);
    le16(c, o + DI_CLASS, it.cls);
    le16(c, o + DI_RDLEN, it.rdlen);
    le16(c, o + DI_RDATA, it.rdata);
    le16(c, o + DI_TTL, it.ttl & 0xFFFF);
    le16(c, o + DI_TTL + 2, it.ttl >>> 16);
  }
  return (msg.flags & AF_MORE) === 0 && writeDnsJson(out, c, 0, at);
}

/** writeLongDns's copy of a frame and its long record (grown as needed, kept). */
let longCopy = new Uint8Array(4096);

function le16(b: Uint8Array, p: number, v: number): void {
  b[p] = v & 0xFF;
  b[p + 1] = v >>> 8;
}

function groupOf(type: number): number {
  switch (type) {
    case T_A: return 0;
    case T_AAAA: return 1;
    case T_CNAME: return 2;
    case T_NS: return 3;
    case T_PTR: return 4;
    case T_MX: return 5;
    case T_SOA: return 6;
    default: return -1;
  }
}

/** RDATA field selectors of group(): what one array of a group holds. */
const F_A = 0;
const F_AAAA = 1;
const F_NAME = 2; // the name the RDATA starts with (CNAME, NS, PTR, SOA mname)
const F_MX_PREF = 3;
const F_MX_NAME = 4;
const F_SOA_RNAME = 5;
const F_SOA_NUMBER = 6; // + 0..4: serial, refresh, retry, expire, minimum

/** Writes the arrays of one RDATA group (its key already written) over the sound answers
 *  of `type`; -1 when a name needs the general path. */
function group(b: Uint8Array, p0: number, m: Uint8Array, f: number, rec: number, count: number, msg: number, capEnd: number, type: number): number {
  let p = p0;
  switch (type) {
    case T_A: p = values(b, p, m, f, rec, count, msg, capEnd, type, F_A); break;
    case T_AAAA: p = values(b, p, m, f, rec, count, msg, capEnd, type, F_AAAA); break;
    case T_MX:
      p = values(b, p, m, f, rec, count, msg, capEnd, type, F_MX_PREF);
      p = values(b, put(b, p, K_MX_EXCHANGE), m, f, rec, count, msg, capEnd, type, F_MX_NAME);
      if (p >= 0) b[p++] = 125;
      break;
    case T_SOA:
      p = values(b, p, m, f, rec, count, msg, capEnd, type, F_NAME);
      for (let k = 0; k < 6 && p >= 0; k++) p = values(b, put(b, p, K_SOA[k]), m, f, rec, count, msg, capEnd, type, k === 0 ? F_SOA_RNAME : F_SOA_NUMBER + k - 1);
      if (p >= 0) b[p++] = 125;
      break;
    default:
      p = values(b, p, m, f, rec, count, msg, capEnd, type, F_NAME);
      if (p >= 0 && type === T_PTR) b[p++] = 125;
      break;
  }
  return p;
}

/** Writes one array's values (field `field` of each sound answer of `type`, in message
 *  order) and its closing bracket; -1 when a name needs the general path. */
function values(b: Uint8Array, p0: number, m: Uint8Array, f: number, rec: number, count: number, msg: number, capEnd: number, type: number, field: number): number {
  if (p0 < 0) return p0;
  let p = p0;
  let k = 0;
  for (let i = 0; i < count; i++) {
    const it = rec + DNS_ITEMS + i * DNS_ITEM_SIZE;
    if (m[it + DI_SECTION] === DS_QUESTION || u16(m, it + DI_TYPE) !== type || (m[it + DI_FLAGS] & (DIF_BAD_RDATA | DIF_RDATA_TRUNC)) !== 0) continue;
    if (k++) b[p++] = 44;
    const rdata = u16(m, it + DI_RDATA);
    if (field === F_A) {
      b[p++] = 34;
      p = ip4At(b, p, m, f + rdata);
      b[p++] = 34;
    } else if (field === F_AAAA) {
      b[p++] = 34;
      p = ip6(b, p, m, f + rdata);
      b[p++] = 34;
    } else if (field === F_MX_PREF) {
      p = num(b, p, be16(m, f + rdata));
    } else if (field >= F_SOA_NUMBER) {
      const nums = nameEnd(m, f, nameEnd(m, f, rdata, capEnd), capEnd);
      p = num(b, p, be32(m, f + nums + 4 * (field - F_SOA_NUMBER)));
    } else {
      const at = field === F_MX_NAME ? rdata + 2 : field === F_SOA_RNAME ? nameEnd(m, f, rdata, capEnd) : rdata;
      b[p++] = 34;
      p = name(b, p, m, f, msg, at, capEnd);
      if (p < 0) return p;
      b[p++] = 34;
    }
  }
  b[p++] = 93;
  return p;
}

/** Writes the name at frame offset `at` as host/app/dns/names.ts's readName() shows it (as
 *  far as it holds together); -1 when a byte would need an escape. */
function name(b: Uint8Array, p0: number, m: Uint8Array, f: number, msg: number, at: number, capEnd: number): number {
  let w = p0;
  let pos = at;
  let limit = at;
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
      if (w === p0) return put(b, w, K_ROOT);
      break;
    }
    wire += l + 1;
    if (wire > MAX_NAME || pos + 1 + l > capEnd) break;
    if (w !== p0) b[w++] = 0x2E;
    for (let i = f + pos + 1, end = i + l; i < end; i++) {
      const c = m[i];
      if (c < 0x20 || c >= 0x7F || c === 0x22 || c === 0x5C) return -1;
      b[w++] = c;
    }
    pos += l + 1;
  }
  return w;
}
