// DNS (RFC 1035), mDNS (RFC 6762) and LLMNR (RFC 4795) into the app record (app-layout.ts):
// the header, then each question and resource record in message order as an item of
// frame offsets (owner name, RDATA) and fixed fields. Names stay in the frame; they are
// walked here only to find where they end and whether they hold together:
//  - a compression pointer must point strictly before the label sequence that holds it
//    (as BIND and tcpdump require), so a chain of them cannot loop, and at most
//    MAX_JUMPS of them are followed in one name;
//  - a label is a length 0..63 or a pointer (types 01 and 10 are refused);
//  - a name is at most 255 bytes in wire form (RFC 1035 §3.1).
// Every read is checked against the captured end of the message first: a byte past it
// flags AF_TRUNC when the message goes on beyond the capture, AF_MALFORMED when the
// message itself ends there. host/app/dns/twin.ts is the same code in TypeScript.
import {
  A_PROTO, A_VARIANT, A_FLAGS, A_OFF, A_LEN, A_CAP, A_NEXT, A_COUNT, APP_DNS,
  AF_TRUNC, AF_MALFORMED, AF_MORE, AF_BAD_PTR, AF_BAD_LABEL, AF_LONG_NAME, AF_COUNTS,
  DV_TCP, DV_PREFIX_BAD,
  DNS_ID, DNS_FLAGS, DNS_QDCOUNT, DNS_ANCOUNT, DNS_NSCOUNT, DNS_ARCOUNT, DNS_PREFIX, DNS_OPT,
  DNS_EXT_RCODE, DNS_ITEMS, DNS_ITEM_SIZE, DNS_ITEM_MAX,
  DI_NAME, DI_TYPE, DI_CLASS, DI_RDLEN, DI_TTL, DI_RDATA, DI_SECTION, DI_FLAGS,
  DS_QUESTION, DS_ANSWER, DS_AUTHORITY, DS_ADDITIONAL, DIF_BAD_RDATA, DIF_RDATA_TRUNC,
  DNS_T_A, DNS_T_NS, DNS_T_CNAME, DNS_T_SOA, DNS_T_PTR, DNS_T_MX, DNS_T_TXT, DNS_T_AAAA, DNS_T_SRV, DNS_T_DNAME, DNS_T_OPT,
} from "./app-layout";
import { u8at, be16, be32, cutFlag, gFlags, gCapEnd, gDeclEnd, short } from "./record";

const MAX_JUMPS: u32 = 64; // compression pointers followed in one name
const MAX_NAME: u32 = 255; // wire-form bytes, root label included

/**
 * Walks the name at frame offset `p` of the message at `msg`; returns the offset just after
 * the name where it was written (after its first pointer, or its root label), or 0 when
 * the name does not hold together (the reason is in gFlags).
 */
function walkName(f: usize, msg: u32, p: u32): u32 {
  let pos = p;
  let after: u32 = 0;
  let limit = p; // a pointer must point before the label sequence it ends
  let wire: u32 = 1; // the root label
  let jumps: u32 = 0;
  while (true) {
    if (pos >= gCapEnd) { short(pos); return 0; }
    let l = u8at(f + pos);
    let kind = l & 0xC0;
    if (kind == 0xC0) {
      if (pos + 1 >= gCapEnd) { short(pos + 1); return 0; }
      if (after == 0) after = pos + 2;
      let target = msg + (((l & 0x3F) << 8) | u8at(f + pos + 1));
      if (target >= limit || ++jumps > MAX_JUMPS) { gFlags |= AF_BAD_PTR; return 0; }
      limit = target;
      pos = target;
      continue;
    }
    if (kind != 0) { gFlags |= AF_BAD_LABEL; return 0; }
    if (l == 0) return after != 0 ? after : pos + 1;
    wire += l + 1;
    if (wire > MAX_NAME) { gFlags |= AF_LONG_NAME; return 0; }
    pos += l + 1;
  }
}

/** Checks the RDATA of the types whose layout is known; DIF_* bits. */
function checkRdata(f: usize, msg: u32, type: u32, rd: u32, rdlen: u32): u32 {
  let end = rd + rdlen;
  if (type == DNS_T_A) return rdlen == 4 ? 0 : DIF_BAD_RDATA;
  if (type == DNS_T_AAAA) return rdlen == 16 ? 0 : DIF_BAD_RDATA;
  if (type == DNS_T_NS || type == DNS_T_CNAME || type == DNS_T_PTR || type == DNS_T_DNAME) {
    let e = walkName(f, msg, rd);
    return e == 0 || e > end ? DIF_BAD_RDATA : 0;
  }
  if (type == DNS_T_MX) {
    if (rdlen < 3) return DIF_BAD_RDATA;
    let e = walkName(f, msg, rd + 2);
    return e == 0 || e > end ? DIF_BAD_RDATA : 0;
  }
  if (type == DNS_T_SRV) {
    if (rdlen < 7) return DIF_BAD_RDATA;
    let e = walkName(f, msg, rd + 6);
    return e == 0 || e > end ? DIF_BAD_RDATA : 0;
  }
  if (type == DNS_T_SOA) {
    let e = walkName(f, msg, rd);
    if (e == 0 || e > end) return DIF_BAD_RDATA;
    e = walkName(f, msg, e);
    return e == 0 || e + 20 > end ? DIF_BAD_RDATA : 0;
  }
  if (type == DNS_T_TXT) {
    // One or more <character-string>s filling the RDATA exactly (RFC 1035 §3.3.14).
    if (rdlen == 0) return DIF_BAD_RDATA;
    let p = rd;
    while (p < end) p += 1 + u8at(f + p);
    return p == end ? 0 : DIF_BAD_RDATA;
  }
  if (type == DNS_T_OPT) {
    // Options: code, length, data (RFC 6891 §6.1.2), filling the RDATA exactly.
    let p = rd;
    while (p + 4 <= end) p += 4 + be16(f + p + 2);
    return p == end ? 0 : DIF_BAD_RDATA;
  }
  return 0;
}

/** Items a record holds: DNS_ITEM_MAX, but for dns_decode_long(). */
let gItemMax: u32 = DNS_ITEM_MAX;

/** dns_decode() into a long record (DNS_ITEMS + 255 items) that holds up to 255 items: the
 *  --json writer's (assembly/json/lines.ts) for a message its app record had no room for,
 *  as host/app/dns/message.ts's readDns() walks the rest. Not exported from the module. */
export function dns_decode_long(f: usize, pay: u32, payLen: u32, capEnd: u32, variant: u32, a: usize): void {
  gItemMax = 255;
  dns_decode(f, pay, payLen, capEnd, variant, a);
  gItemMax = DNS_ITEM_MAX;
}

/**
 * Decodes the DNS message in the payload at frame offset `pay` (`payLen` bytes per the
 * transport headers, captured up to frame offset `capEnd`) into the app record at `a`.
 * `variant` holds DV_* bits; with DV_TCP the payload starts with the 2-byte length prefix.
 */
export function dns_decode(f: usize, pay: u32, payLen: u32, capEnd: u32, variant: u32, a: usize): void {
  gFlags = 0;
  store<u64>(a + DNS_ID, 0);
  store<u64>(a + DNS_ID + 8, 0);
  let msg = pay;
  let len = payLen;
  let declEnd = pay + payLen;
  store<u8>(a + A_PROTO, <u8>APP_DNS);
  if ((variant & DV_TCP) != 0) {
    if (payLen < 2 || pay + 2 > capEnd) {
      gFlags |= payLen < 2 ? AF_MALFORMED : AF_TRUNC;
      store<u8>(a + A_VARIANT, <u8>variant);
      store<u16>(a + A_OFF, <u16>pay);
      store<u16>(a + A_FLAGS, <u16>gFlags);
      store<u16>(a + A_NEXT, <u16>pay);
      return;
    }
    let prefix = be16(f + pay);
    msg = pay + 2;
    len = payLen - 2;
    store<u16>(a + DNS_PREFIX, <u16>prefix);
    if (prefix != len) variant |= DV_PREFIX_BAD;
    // The message is what the prefix says; what this segment lacks of it is not captured.
    declEnd = msg + prefix;
    if (declEnd < capEnd) capEnd = declEnd;
  }
  gDeclEnd = declEnd;
  gCapEnd = capEnd;
  store<u8>(a + A_VARIANT, <u8>variant);
  store<u16>(a + A_OFF, <u16>msg);
  store<u16>(a + A_LEN, <u16>len);
  store<u16>(a + A_CAP, <u16>(capEnd > msg ? capEnd - msg : 0));
  if (msg + 12 > capEnd) {
    // Shorter than a header: by its own length (tcpdump: "[length N < 12] (invalid)") or cut.
    gFlags |= cutFlag(msg + 12, declEnd);
    store<u16>(a + A_FLAGS, <u16>gFlags);
    store<u16>(a + A_NEXT, <u16>msg);
    return;
  }
  let h = f + msg;
  let qd = be16(h + 4);
  let an = be16(h + 6);
  let ns = be16(h + 8);
  let ar = be16(h + 10);
  store<u16>(a + DNS_ID, <u16>be16(h));
  store<u16>(a + DNS_FLAGS, <u16>be16(h + 2));
  store<u16>(a + DNS_QDCOUNT, <u16>qd);
  store<u16>(a + DNS_ANCOUNT, <u16>an);
  store<u16>(a + DNS_NSCOUNT, <u16>ns);
  store<u16>(a + DNS_ARCOUNT, <u16>ar);

  let pos = msg + 12;
  let total = qd + an + ns + ar;
  let n: u32 = 0; // items walked (and recorded)
  let opt: u32 = 0;
  let ext: u32 = 0;
  while (n < total) {
    if (n >= gItemMax) { gFlags |= AF_MORE; break; }
    if (pos >= declEnd) { gFlags |= AF_COUNTS; break; }
    if (pos >= capEnd) { gFlags |= AF_TRUNC; break; }
    let it = a + DNS_ITEMS + n * DNS_ITEM_SIZE;
    let section: u32 = n < qd ? DS_QUESTION : n < qd + an ? DS_ANSWER : n < qd + an + ns ? DS_AUTHORITY : DS_ADDITIONAL;
    let e = walkName(f, msg, pos);
    if (e == 0) break;
    store<u16>(it + DI_NAME, <u16>pos);
    if (section == DS_QUESTION) {
      if (e + 4 > capEnd) { short(e + 4); break; }
      store<u16>(it + DI_TYPE, <u16>be16(f + e));
      store<u16>(it + DI_CLASS, <u16>be16(f + e + 2));
      store<u16>(it + DI_RDLEN, 0);
      store<u32>(it + DI_TTL, 0);
      store<u16>(it + DI_RDATA, 0);
      store<u8>(it + DI_SECTION, <u8>section);
      store<u8>(it + DI_FLAGS, 0);
      pos = e + 4;
      n++;
      continue;
    }
    if (e + 10 > capEnd) { short(e + 10); break; }
    let type = be16(f + e);
    let rdlen = be16(f + e + 8);
    let rd = e + 10;
    store<u16>(it + DI_TYPE, <u16>type);
    store<u16>(it + DI_CLASS, <u16>be16(f + e + 2));
    store<u16>(it + DI_RDLEN, <u16>rdlen);
    store<u32>(it + DI_TTL, be32(f + e + 4));
    store<u16>(it + DI_RDATA, <u16>rd);
    store<u8>(it + DI_SECTION, <u8>section);
    let iflags: u32 = 0;
    if (rd + rdlen > capEnd) {
      iflags = DIF_RDATA_TRUNC;
      short(rd + rdlen);
    } else {
      iflags = checkRdata(f, msg, type, rd, rdlen);
    }
    store<u8>(it + DI_FLAGS, <u8>iflags);
    if (type == DNS_T_OPT && opt == 0) {
      opt = n + 1;
      ext = u8at(f + e + 4);
    }
    n++;
    // A record cut by the capture: decoding stops where the captured bytes do.
    if ((iflags & DIF_RDATA_TRUNC) != 0) { pos = capEnd; break; }
    pos = rd + rdlen;
  }
  store<u8>(a + DNS_OPT, <u8>opt);
  store<u8>(a + DNS_EXT_RCODE, <u8>ext);
  store<u8>(a + A_COUNT, <u8>n);
  store<u16>(a + A_NEXT, <u16>(pos > 0xFFFF ? 0xFFFF : pos));
  store<u16>(a + A_FLAGS, <u16>gFlags);
}
