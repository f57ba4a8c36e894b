// DHCP and BOOTP (RFC 2131, RFC 951, options RFC 2132) into the app record (app-layout.ts):
// the fixed header's fields as far as they are captured, then, after the magic cookie, the
// options in order: every code (pad left out) as an item, and the common ones kept, the
// 32-bit ones as values, the others as frame offsets of their data. An option whose length
// is wrong for its kind is AF_MALFORMED and not kept; one that runs past the UDP payload
// ends the walk as AF_MALFORMED, past the captured bytes as AF_TRUNC. Option overload (52:
// more options in the sname/file fields) is flagged, not walked. host/app/dhcp/twin.ts is
// the same code in TypeScript.
import {
  APP_DHCP, AF_TRUNC, AF_MALFORMED, AF_MORE,
  DHV_COOKIE, DHV_END, DHV_OVERLOAD,
  DHCP_OP, DHCP_HTYPE, DHCP_HLEN, DHCP_HOPS, DHCP_XID, DHCP_SECS, DHCP_FLAGS, DHCP_CIADDR, DHCP_YIADDR, DHCP_SIADDR,
  DHCP_GIADDR, DHCP_CHADDR, DHCP_MSG_TYPE, DHCP_OPT_COUNT, DHCP_HAVE, DHCP_OPTIONS, DHCP_REQ_IP, DHCP_SERVER_ID,
  DHCP_LEASE, DHCP_SUBNET, DHCP_HOSTNAME, DHCP_ROUTER, DHCP_DNS, DHCP_DOMAIN, DHCP_PRL, DHCP_VENDOR, DHCP_CLIENT_ID,
  DHCP_CODES, DHCP_CODE_MAX, DHH_REQ_IP, DHH_SERVER_ID, DHH_LEASE, DHH_SUBNET,
} from "./app-layout";
import { u8at, be16, be32, beginRecord, endRecord, cutFlag } from "./record";

const COOKIE: u32 = 0x63825363;
const BOOTP_FIXED: u32 = 236;

/** Keeps a 32-bit option (exactly 4 bytes) the first time it occurs. */
function keep32(f: usize, a: usize, d: u32, len: u32, at: i32, bit: u32): bool {
  if (len != 4) return false;
  let have = <u32>load<u16>(a + DHCP_HAVE);
  if ((have & bit) == 0) {
    store<u32>(a + at, be32(f + d));
    store<u16>(a + DHCP_HAVE, <u16>(have | bit));
  }
  return true;
}

/** Keeps the data offset of an option the first time it occurs. */
@inline function keepOff(a: usize, at: i32, d: u32): void {
  if (load<u16>(a + at) == 0) store<u16>(a + at, <u16>d);
}

/**
 * Decodes the BOOTP/DHCP message in the UDP payload at frame offset `pay` (`payLen` bytes
 * per the headers, captured up to frame offset `capEnd`) into the app record at `a`.
 */
export function dhcp_decode(f: usize, pay: u32, payLen: u32, capEnd: u32, variant: u32, a: usize): void {
  let flags: u32 = 0;
  let declEnd = pay + payLen;
  capEnd = beginRecord(a, APP_DHCP, pay, payLen, capEnd, DHCP_OP, DHCP_CODES + 4);
  let next = pay;
  let m = f + pay;
  // The fixed header, field by field as far as it is captured.
  if (pay + BOOTP_FIXED > capEnd) {
    flags |= cutFlag(pay + BOOTP_FIXED, declEnd);
    if (pay + 4 <= capEnd) {
      store<u8>(a + DHCP_OP, <u8>u8at(m));
      store<u8>(a + DHCP_HTYPE, <u8>u8at(m + 1));
      store<u8>(a + DHCP_HLEN, <u8>u8at(m + 2));
      store<u8>(a + DHCP_HOPS, <u8>u8at(m + 3));
      next = pay + 4;
    }
    if (pay + 12 <= capEnd) {
      store<u32>(a + DHCP_XID, be32(m + 4));
      store<u16>(a + DHCP_SECS, <u16>be16(m + 8));
      store<u16>(a + DHCP_FLAGS, <u16>be16(m + 10));
      next = pay + 12;
    }
    if (pay + 28 <= capEnd) {
      store<u32>(a + DHCP_CIADDR, be32(m + 12));
      store<u32>(a + DHCP_YIADDR, be32(m + 16));
      store<u32>(a + DHCP_SIADDR, be32(m + 20));
      store<u32>(a + DHCP_GIADDR, be32(m + 24));
      next = pay + 28;
    }
    if (pay + 44 <= capEnd) { store<u16>(a + DHCP_CHADDR, <u16>(pay + 28)); next = pay + 44; }
    endRecord(a, next, variant, flags);
    return;
  }
  store<u8>(a + DHCP_OP, <u8>u8at(m));
  store<u8>(a + DHCP_HTYPE, <u8>u8at(m + 1));
  store<u8>(a + DHCP_HLEN, <u8>u8at(m + 2));
  store<u8>(a + DHCP_HOPS, <u8>u8at(m + 3));
  store<u32>(a + DHCP_XID, be32(m + 4));
  store<u16>(a + DHCP_SECS, <u16>be16(m + 8));
  store<u16>(a + DHCP_FLAGS, <u16>be16(m + 10));
  store<u32>(a + DHCP_CIADDR, be32(m + 12));
  store<u32>(a + DHCP_YIADDR, be32(m + 16));
  store<u32>(a + DHCP_SIADDR, be32(m + 20));
  store<u32>(a + DHCP_GIADDR, be32(m + 24));
  store<u16>(a + DHCP_CHADDR, <u16>(pay + 28));
  next = pay + BOOTP_FIXED;
  // The vendor area: a magic cookie and options (RFC 1497), or plain BOOTP.
  if (pay + BOOTP_FIXED + 4 > capEnd) {
    if (pay + BOOTP_FIXED + 4 <= declEnd) flags |= AF_TRUNC;
  } else if (be32(m + BOOTP_FIXED) == COOKIE) {
    variant |= DHV_COOKIE;
    let p = pay + BOOTP_FIXED + 4;
    store<u16>(a + DHCP_OPTIONS, <u16>p);
    let n: u32 = 0;
    while (true) {
      if (p >= declEnd) break; // no End option: the message stops
      if (p >= capEnd) { flags |= AF_TRUNC; break; }
      let code = u8at(f + p);
      if (code == 0) { p++; continue; }
      if (n < <u32>DHCP_CODE_MAX) store<u8>(a + DHCP_CODES + n, <u8>code);
      else flags |= AF_MORE;
      if (n < 255) n++;
      if (code == 255) { variant |= DHV_END; p++; break; }
      if (p + 2 > capEnd) { flags |= cutFlag(p + 2, declEnd); break; }
      let len = u8at(f + p + 1);
      let d = p + 2;
      let e = d + len;
      if (e > declEnd) { flags |= AF_MALFORMED; break; }
      if (e > capEnd) { flags |= AF_TRUNC; break; }
      let ok = true;
      if (code == 53) { ok = len == 1; if (ok && load<u8>(a + DHCP_MSG_TYPE) == 0) store<u8>(a + DHCP_MSG_TYPE, <u8>u8at(f + d)); }
      else if (code == 50) ok = keep32(f, a, d, len, DHCP_REQ_IP, DHH_REQ_IP);
      else if (code == 54) ok = keep32(f, a, d, len, DHCP_SERVER_ID, DHH_SERVER_ID);
      else if (code == 51) ok = keep32(f, a, d, len, DHCP_LEASE, DHH_LEASE);
      else if (code == 1) ok = keep32(f, a, d, len, DHCP_SUBNET, DHH_SUBNET);
      else if (code == 3 || code == 6) {
        ok = len >= 4 && (len & 3) == 0;
        if (ok) keepOff(a, code == 3 ? DHCP_ROUTER : DHCP_DNS, d);
      }
      else if (code == 12) { ok = len >= 1; if (ok) keepOff(a, DHCP_HOSTNAME, d); }
      else if (code == 15) { ok = len >= 1; if (ok) keepOff(a, DHCP_DOMAIN, d); }
      else if (code == 55) { ok = len >= 1; if (ok) keepOff(a, DHCP_PRL, d); }
      else if (code == 60) { ok = len >= 1; if (ok) keepOff(a, DHCP_VENDOR, d); }
      else if (code == 61) { ok = len >= 2; if (ok) keepOff(a, DHCP_CLIENT_ID, d); }
      else if (code == 52) { ok = len == 1; if (ok) variant |= DHV_OVERLOAD; }
      if (!ok) flags |= AF_MALFORMED;
      p = e;
    }
    store<u8>(a + DHCP_OPT_COUNT, <u8>n);
    next = p > capEnd ? capEnd : p;
  }
  endRecord(a, next, variant, flags);
}
