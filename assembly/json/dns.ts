// --json's "dns" member from the app record and the frame: the TS writer's bytes (its
// direct path, host/sinks/json/dns.ts, or JSON.stringify of decodeDns()'s object for what
// that path leaves to it: a message shorter than a header, TXT and SRV records). Declined
// (0: the host writes the frame with the TS writer): more items than the record holds
// (AF_MORE), NSEC and NSEC3 bitmaps, and names or TXT strings with a byte that is not
// printable ASCII, or '"' or '\' in a name.
import {
  A_VARIANT, A_FLAGS, A_OFF, A_CAP, A_COUNT, AF_TRUNC, AF_MALFORMED, AF_MORE, AF_BAD_PTR, AF_BAD_LABEL, AF_LONG_NAME,
  AF_COUNTS, DV_TCP, DV_MDNS, DV_LLMNR, DV_PREFIX_BAD, DNS_ID, DNS_FLAGS, DNS_QDCOUNT, DNS_ANCOUNT, DNS_NSCOUNT,
  DNS_ARCOUNT, DNS_PREFIX, DNS_ITEMS, DNS_ITEM_SIZE, DI_NAME, DI_TYPE, DI_CLASS, DI_RDLEN, DI_TTL, DI_RDATA,
  DI_SECTION, DI_FLAGS, DIF_BAD_RDATA, DIF_RDATA_TRUNC, DS_QUESTION,
  DNS_T_A, DNS_T_AAAA, DNS_T_CNAME, DNS_T_NS, DNS_T_PTR, DNS_T_MX, DNS_T_SOA, DNS_T_SRV, DNS_T_TXT, DNS_T_OPT,
} from "../app/app-layout";
import { put, num, field, ip4At, ip6, be16, be32 } from "./bytes";

/** NSEC and NSEC3 (host/app/dns/types.ts): the general path writes their bitmaps. */
const T_NSEC: u32 = 47;
const T_NSEC3: u32 = 50;
/** The name rules of host/app/dns/names.ts. */
const MAX_JUMPS = 64;
const MAX_NAME = 255;
/** An item's share of the output: a name of at most 255 characters, its fields, and the
 *  RDATA group values (two names at most). */
export const DNS_ROOM_ITEM: u32 = 1024;
export const DNS_ROOM_FIXED: u32 = 1024;

// @ts-ignore: decorator
@inline function u16At(a: usize): u32 { return <u32>load<u16>(a); }

/** The TXT and SRV groups' indexes (after groupOf()'s). */
const G_TXT = 7;
const G_SRV = 8;
/** 512 bytes json_lines() keeps free at the end of its region: srv() writes an owner name
 *  there to split it. */
let gScratch: usize = 0;
export function setDnsScratch(at: usize): void { gScratch = at; }

/** `,"txt":[...]`: every character-string of the sound TXT records, as decodeDns() shows
 *  them (Wireshark's format_text, then JSON): printable ASCII with '"' and '\' escaped; 0
 *  (the general path) for any other byte. */
function txt(p0: usize, f: usize, rec: usize, count: i32): usize {
  let p = put(p0, ",\"txt\":[");
  let k = 0;
  for (let i = 0; i < count; i++) {
    const it = rec + DNS_ITEMS + i * DNS_ITEM_SIZE;
    if (<i32>load<u8>(it + DI_SECTION) == DS_QUESTION || u16At(it + DI_TYPE) != DNS_T_TXT
      || (<u32>load<u8>(it + DI_FLAGS) & (DIF_BAD_RDATA | DIF_RDATA_TRUNC)) != 0) continue;
    const rd = u16At(it + DI_RDATA);
    const end = rd + u16At(it + DI_RDLEN);
    for (let q = rd; q < end; q += 1 + <u32>load<u8>(f + q)) {
      if (k++) store<u8>(p++, 44);
      store<u8>(p++, 34);
      const len = <u32>load<u8>(f + q);
      for (let j: u32 = 0; j < len; j++) {
        const c = load<u8>(f + q + 1 + j);
        if (c < 0x20 || c >= 0x7F) return 0;
        if (c == 0x22 || c == 0x5C) store<u8>(p++, 0x5C);
        store<u8>(p++, c);
      }
      store<u8>(p++, 34);
    }
  }
  store<u8>(p, 93);
  return p + 1;
}

/** `,"srv":{...}` as decodeDns() builds it: the owner name of every SRV record split at its
 *  first two dots (service, proto, name: each only when the name has it), and the RDATA
 *  fields of the sound ones; 0 when a name needs the general path. */
function srv(p0: usize, f: usize, rec: usize, count: i32, msg: u32, capEnd: u32): usize {
  let p = p0;
  for (let part = 0; part < 3; part++) {
    p = put(p, part == 0 ? ",\"srv\":{\"service\":[" : part == 1 ? "],\"proto\":[" : "],\"name\":[");
    let k = 0;
    for (let i = 0; i < count; i++) {
      const it = rec + DNS_ITEMS + i * DNS_ITEM_SIZE;
      if (<i32>load<u8>(it + DI_SECTION) == DS_QUESTION || u16At(it + DI_TYPE) != DNS_T_SRV) continue;
      const e = name(gScratch, f, msg, u16At(it + DI_NAME), capEnd);
      if (e == 0) return 0;
      // The part's bytes: up to the first '.', between the first and second, after the second.
      let from = gScratch;
      let to = e;
      let dots = 0;
      for (let q = gScratch; q < e; q++) {
        if (load<u8>(q) != 0x2E) continue;
        dots++;
        if (dots == part) from = q + 1;
        if (dots == part + 1 && part < 2) { to = q; break; }
      }
      if (dots < part) continue; // the name has no such part
      if (k++) store<u8>(p++, 44);
      store<u8>(p++, 34);
      for (let q = from; q < to; q++) store<u8>(p++, load<u8>(q));
      store<u8>(p++, 34);
    }
  }
  for (let part = 0; part < 4; part++) {
    p = put(p, part == 0 ? "],\"priority\":[" : part == 1 ? "],\"weight\":[" : part == 2 ? "],\"port\":[" : "],\"target\":[");
    let k = 0;
    for (let i = 0; i < count; i++) {
      const it = rec + DNS_ITEMS + i * DNS_ITEM_SIZE;
      if (<i32>load<u8>(it + DI_SECTION) == DS_QUESTION || u16At(it + DI_TYPE) != DNS_T_SRV
        || (<u32>load<u8>(it + DI_FLAGS) & (DIF_BAD_RDATA | DIF_RDATA_TRUNC)) != 0) continue;
      if (k++) store<u8>(p++, 44);
      const rd = u16At(it + DI_RDATA);
      if (part < 3) {
        p = num(p, be16(f + rd + 2 * <u32>part));
      } else {
        store<u8>(p, 34);
        p = name(p + 1, f, msg, rd + 6, capEnd);
        if (p == 0) return 0;
        store<u8>(p++, 34);
      }
    }
  }
  store<u16>(p, 0x7D5D); // "]}"
  return p + 2;
}

/** The group index (0-6) of an RDATA type this writer writes fields for, or -1. */
function groupOf(type: u32): i32 {
  if (type == DNS_T_A) return 0;
  if (type == DNS_T_AAAA) return 1;
  if (type == DNS_T_CNAME) return 2;
  if (type == DNS_T_NS) return 3;
  if (type == DNS_T_PTR) return 4;
  if (type == DNS_T_MX) return 5;
  if (type == DNS_T_SOA) return 6;
  return -1;
}

function typeOf(g: i32): u32 {
  switch (g) {
    case 0: return DNS_T_A;
    case 1: return DNS_T_AAAA;
    case 2: return DNS_T_CNAME;
    case 3: return DNS_T_NS;
    case 4: return DNS_T_PTR;
    case 5: return DNS_T_MX;
    default: return DNS_T_SOA;
  }
}

/** Writes `,"dns":{...}` for record `rec` of the message in the frame (or datagram) at `f`;
 *  0 when the message needs the general path (what was written is then dropped). */
export function dnsJson(p0: usize, f: usize, rec: usize): usize {
  const aflags = u16At(rec + A_FLAGS);
  if ((aflags & AF_MORE) != 0) return 0;
  const variant = <u32>load<u8>(rec + A_VARIANT);
  const cap = u16At(rec + A_CAP);
  if (cap < 12) return headerless(p0, aflags, variant);
  const count = <i32>load<u8>(rec + A_COUNT);
  let errors = aflags | ((variant & DV_PREFIX_BAD) != 0 ? 1 << 16 : 0);
  // The RDATA groups (dns.a, dns.srv ...) in the order decodeDns() creates them: first
  // occurrence in the message (dns.srv at any SRV record, the others at a sound RDATA).
  let order: u64 = 0; // up to 9 groups, 4 bits each (group index + 1), first seen highest
  let groups = 0;
  let seen = 0;
  for (let i = 0; i < count; i++) {
    const it = rec + DNS_ITEMS + i * DNS_ITEM_SIZE;
    if (<i32>load<u8>(it + DI_SECTION) == DS_QUESTION) continue;
    const type = u16At(it + DI_TYPE);
    const iflags = <u32>load<u8>(it + DI_FLAGS);
    if (type == T_NSEC || type == T_NSEC3) return 0;
    if ((iflags & DIF_BAD_RDATA) != 0) errors |= 1 << 17;
    const sound = (iflags & (DIF_BAD_RDATA | DIF_RDATA_TRUNC)) == 0;
    const g = type == DNS_T_SRV ? G_SRV : !sound ? -1 : type == DNS_T_TXT ? (u16At(it + DI_RDLEN) != 0 ? G_TXT : -1) : groupOf(type);
    if (g >= 0 && (seen & (1 << g)) == 0) {
      seen |= 1 << g;
      order = (order << 4) | <u64>(g + 1);
      groups++;
    }
  }
  const msg = u16At(rec + A_OFF);
  const capEnd = msg + cap;
  const mdns = (variant & DV_MDNS) != 0;
  const h = u16At(rec + DNS_FLAGS);
  let p = field(p0, ",\"dns\":{\"id\":", u16At(rec + DNS_ID));
  p = flags(p, h, (variant & DV_LLMNR) != 0);
  p = field(p, "},\"count\":{\"queries\":", u16At(rec + DNS_QDCOUNT));
  p = field(p, ",\"answers\":", u16At(rec + DNS_ANCOUNT));
  p = field(p, ",\"auth_rr\":", u16At(rec + DNS_NSCOUNT));
  p = field(p, ",\"add_rr\":", u16At(rec + DNS_ARCOUNT));
  p = put(p, "},\"qry\":[");
  for (let pass = 0; pass < 2; pass++) {
    // Pass 0: the questions (dns.qry), pass 1: the records (dns.resp).
    if (pass == 1) p = put(p, "],\"resp\":[");
    let first = true;
    for (let i = 0; i < count; i++) {
      const it = rec + DNS_ITEMS + i * DNS_ITEM_SIZE;
      if ((<i32>load<u8>(it + DI_SECTION) == DS_QUESTION) != (pass == 0)) continue;
      if (!first) store<u8>(p++, 44);
      first = false;
      const type = u16At(it + DI_TYPE);
      const cls = u16At(it + DI_CLASS);
      if (pass == 1 && type == DNS_T_SRV) {
        // Wireshark gives an SRV record's owner name as dns.srv.service, proto and name.
        p = field(p, "{\"type\":", type);
      } else {
        p = name(put(p, "{\"name\":\""), f, msg, u16At(it + DI_NAME), capEnd);
        if (p == 0) return 0;
        p = field(p, "\",\"type\":", type);
      }
      if (pass == 0) {
        p = field(p, ",\"class\":", mdns ? cls & 0x7FFF : cls);
      } else if (type == DNS_T_OPT) {
        // RFC 6891 §6.1.3: the class is the UDP payload size, the TTL the EDNS bits.
        const ttl = u16At(it + DI_TTL + 2);
        p = field(p, ",\"len\":", u16At(it + DI_RDLEN));
        p = field(p, ",\"udp_payload_size\":", cls);
        p = field(p, ",\"ext_rcode\":", ttl >>> 8);
        p = field(p, ",\"edns0_version\":", ttl & 0xFF);
        p = field(p, ",\"z\":{\"do\":", (u16At(it + DI_TTL) >>> 15) & 1);
        store<u8>(p++, 125);
      } else {
        p = field(p, ",\"class\":", mdns ? cls & 0x7FFF : cls);
        p = field(p, ",\"len\":", u16At(it + DI_RDLEN));
        p = field(p, ",\"ttl\":", load<u32>(it + DI_TTL));
      }
      store<u8>(p++, 125);
    }
  }
  p = put(p, (variant & DV_TCP) != 0 ? "],\"transport\":\"tcp\"" : "],\"transport\":\"udp\"");
  if ((variant & DV_LLMNR) != 0) p = put(p, ",\"variant\":\"llmnr\"");
  else if (mdns) p = put(p, ",\"variant\":\"mdns\"");
  if ((variant & DV_TCP) != 0) p = field(p, ",\"length\":", u16At(rec + DNS_PREFIX));
  for (let k = groups - 1; k >= 0; k--) {
    const g = <i32>((order >>> (4 * <u64>k)) & 15) - 1;
    p = g == G_TXT ? txt(p, f, rec, count) : g == G_SRV ? srv(p, f, rec, count, msg, capEnd) : group(p, g, f, rec, count, msg, capEnd);
    if (p == 0) return 0;
  }
  p = errorList(p, errors, false);
  store<u8>(p++, 125);
  return p;
}

/** A message shorter than a header (decodeDns()'s headerless()): no header fields, and
 *  "malformed" when no flag says why. */
function headerless(p0: usize, aflags: u32, variant: u32): usize {
  let p = put(p0, (variant & DV_TCP) != 0 ? ",\"dns\":{\"qry\":[],\"resp\":[],\"transport\":\"tcp\"" : ",\"dns\":{\"qry\":[],\"resp\":[],\"transport\":\"udp\"");
  p = errorList(p, aflags & (AF_TRUNC | AF_MALFORMED | AF_BAD_PTR | AF_BAD_LABEL | AF_LONG_NAME | AF_COUNTS), true);
  store<u8>(p, 125);
  return p + 1;
}

/** `,"errors":[...]` of decodeDns()'s error names by bit (AF_* bits, then bit 16 the TCP
 *  prefix mismatch and bit 17 bad RDATA); nothing, or ["malformed"] if `orMalformed`, when
 *  no bit is set. */
function errorList(p0: usize, errors: u32, orMalformed: bool): usize {
  if (errors == 0) return orMalformed ? put(p0, ",\"errors\":[\"malformed\"]") : p0;
  let p = p0;
  let n = 0;
  for (let i = 0; i < 8; i++) {
    const bit: u32 = i == 0 ? AF_TRUNC : i == 1 ? AF_MALFORMED : i == 2 ? AF_BAD_PTR : i == 3 ? AF_BAD_LABEL
      : i == 4 ? AF_LONG_NAME : i == 5 ? AF_COUNTS : i == 6 ? 1 << 16 : 1 << 17;
    if ((errors & bit) == 0) continue;
    if (n++ == 0) p = put(p, ",\"errors\":["); else store<u8>(p++, 44);
    p = put(p, i == 0 ? "\"truncated\"" : i == 1 ? "\"malformed\"" : i == 2 ? "\"bad_pointer\"" : i == 3 ? "\"bad_label\""
      : i == 4 ? "\"name_too_long\"" : i == 5 ? "\"counts_past_end\"" : i == 6 ? "\"tcp_length_prefix_mismatch\"" : "\"bad_rdata\"");
  }
  store<u8>(p, 93);
  return p + 1;
}

/** The header flags object (decodeDns()'s keys: LLMNR has its own, a query omits the
 *  response-only ones). */
function flags(p0: usize, h: u32, llmnr: bool): usize {
  const response = h >>> 15;
  let p = field(p0, ",\"flags\":{\"response\":", response);
  p = field(p, ",\"opcode\":", (h >>> 11) & 15);
  p = field(p, ",\"truncated\":", (h >>> 9) & 1);
  if (llmnr) {
    p = field(p, ",\"conflict\":", (h >>> 10) & 1);
    p = field(p, ",\"tentative\":", (h >>> 8) & 1);
    if (response) p = field(p, ",\"rcode\":", h & 15);
  } else {
    if (response) p = field(p, ",\"authoritative\":", (h >>> 10) & 1);
    p = field(p, ",\"recdesired\":", (h >>> 8) & 1);
    if (response) p = field(p, ",\"recavail\":", (h >>> 7) & 1);
    p = field(p, ",\"z\":", (h >>> 6) & 1);
    if (response || (h & 0x20) != 0) p = field(p, ",\"authenticated\":", (h >>> 5) & 1);
    p = field(p, ",\"checkdisable\":", (h >>> 4) & 1);
    if (response) p = field(p, ",\"rcode\":", h & 15);
  }
  return p;
}

/** host/app/dns/names.ts's nameEnd: the frame offset after the name at `at`. */
function nameEnd(f: usize, at: u32, capEnd: u32): u32 {
  let pos = at;
  while (pos < capEnd) {
    const l = <u32>load<u8>(f + pos);
    if ((l & 0xC0) == 0xC0) return pos + 2;
    if (l == 0) return pos + 1;
    pos += l + 1;
  }
  return pos;
}

/** RDATA field selectors of values(). */
const F_A = 0;
const F_AAAA = 1;
const F_NAME = 2; // the name the RDATA starts with (CNAME, NS, PTR, SOA mname)
const F_MX_PREF = 3;
const F_MX_NAME = 4;
const F_SOA_RNAME = 5;
const F_SOA_NUMBER = 6; // + 0..4: serial, refresh, retry, expire, minimum

/** One RDATA group's key and arrays; 0 when a name needs the general path. */
function group(p0: usize, g: i32, f: usize, rec: usize, count: i32, msg: u32, capEnd: u32): usize {
  const type = typeOf(g);
  let p = p0;
  switch (g) {
    case 0: p = values(put(p, ",\"a\":["), f, rec, count, msg, capEnd, type, F_A); break;
    case 1: p = values(put(p, ",\"aaaa\":["), f, rec, count, msg, capEnd, type, F_AAAA); break;
    case 2: p = values(put(p, ",\"cname\":["), f, rec, count, msg, capEnd, type, F_NAME); break;
    case 3: p = values(put(p, ",\"ns\":["), f, rec, count, msg, capEnd, type, F_NAME); break;
    case 4:
      p = values(put(p, ",\"ptr\":{\"domain_name\":["), f, rec, count, msg, capEnd, type, F_NAME);
      if (p != 0) store<u8>(p++, 125);
      break;
    case 5:
      p = values(put(p, ",\"mx\":{\"preference\":["), f, rec, count, msg, capEnd, type, F_MX_PREF);
      if (p != 0) p = values(put(p, ",\"mail_exchange\":["), f, rec, count, msg, capEnd, type, F_MX_NAME);
      if (p != 0) store<u8>(p++, 125);
      break;
    default:
      p = values(put(p, ",\"soa\":{\"mname\":["), f, rec, count, msg, capEnd, type, F_NAME);
      if (p != 0) p = values(put(p, ",\"rname\":["), f, rec, count, msg, capEnd, type, F_SOA_RNAME);
      if (p != 0) p = values(put(p, ",\"serial_number\":["), f, rec, count, msg, capEnd, type, F_SOA_NUMBER);
      if (p != 0) p = values(put(p, ",\"refresh_interval\":["), f, rec, count, msg, capEnd, type, F_SOA_NUMBER + 1);
      if (p != 0) p = values(put(p, ",\"retry_interval\":["), f, rec, count, msg, capEnd, type, F_SOA_NUMBER + 2);
      if (p != 0) p = values(put(p, ",\"expire_limit\":["), f, rec, count, msg, capEnd, type, F_SOA_NUMBER + 3);
      if (p != 0) p = values(put(p, ",\"minimum_ttl\":["), f, rec, count, msg, capEnd, type, F_SOA_NUMBER + 4);
      if (p != 0) store<u8>(p++, 125);
      break;
  }
  return p;
}

/** One array: field `sel` of each sound answer of `type`, in message order, and its ']'. */
function values(p0: usize, f: usize, rec: usize, count: i32, msg: u32, capEnd: u32, type: u32, sel: i32): usize {
  let p = p0;
  let k = 0;
  for (let i = 0; i < count; i++) {
    const it = rec + DNS_ITEMS + i * DNS_ITEM_SIZE;
    if (<i32>load<u8>(it + DI_SECTION) == DS_QUESTION || u16At(it + DI_TYPE) != type
      || (<u32>load<u8>(it + DI_FLAGS) & (DIF_BAD_RDATA | DIF_RDATA_TRUNC)) != 0) continue;
    if (k++) store<u8>(p++, 44);
    const rdata = u16At(it + DI_RDATA);
    if (sel == F_A) {
      store<u8>(p, 34);
      p = ip4At(p + 1, f + rdata);
      store<u8>(p++, 34);
    } else if (sel == F_AAAA) {
      store<u8>(p, 34);
      p = ip6(p + 1, f + rdata);
      store<u8>(p++, 34);
    } else if (sel == F_MX_PREF) {
      p = num(p, be16(f + rdata));
    } else if (sel >= F_SOA_NUMBER) {
      const nums = nameEnd(f, nameEnd(f, rdata, capEnd), capEnd);
      p = num(p, be32(f + nums + 4 * <u32>(sel - F_SOA_NUMBER)));
    } else {
      const at = sel == F_MX_NAME ? rdata + 2 : sel == F_SOA_RNAME ? nameEnd(f, rdata, capEnd) : rdata;
      store<u8>(p, 34);
      p = name(p + 1, f, msg, at, capEnd);
      if (p == 0) return 0;
      store<u8>(p++, 34);
    }
  }
  store<u8>(p++, 93);
  return p;
}

/** The name at frame offset `at` as host/app/dns/names.ts's readName() shows it (as far as
 *  it holds together); 0 when a byte would need an escape. */
function name(p0: usize, f: usize, msg: u32, at: u32, capEnd: u32): usize {
  let w = p0;
  let pos = at;
  let limit = at;
  let wire: u32 = 1;
  let jumps = 0;
  for (;;) {
    if (pos >= capEnd) break;
    const l = <u32>load<u8>(f + pos);
    const kind = l & 0xC0;
    if (kind == 0xC0) {
      if (pos + 1 >= capEnd) break;
      const target = msg + (((l & 0x3F) << 8) | <u32>load<u8>(f + pos + 1));
      if (target >= limit || ++jumps > MAX_JUMPS) break;
      limit = target;
      pos = target;
      continue;
    }
    if (kind != 0) break;
    if (l == 0) {
      if (w == p0) return put(w, "<Root>");
      break;
    }
    wire += l + 1;
    if (wire > <u32>MAX_NAME || pos + 1 + l > capEnd) break;
    if (w != p0) store<u8>(w++, 0x2E);
    const src = f + pos + 1;
    for (let i: usize = 0; i < <usize>l; i++) {
      const c = load<u8>(src + i);
      if (c < 0x20 || c >= 0x7F || c == 0x22 || c == 0x5C) return 0;
      store<u8>(w + i, c);
    }
    w += l;
    pos += l + 1;
  }
  return w;
}
