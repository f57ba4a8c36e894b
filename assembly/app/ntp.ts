// NTP (RFC 5905, extension fields RFC 7822) into the app record (app-layout.ts): the first
// byte; for the time modes the 48-byte header and the extension fields after it as items.
// An extension field is a type, a length of at least 16 and a multiple of 4, and its value;
// the walk stops at the first that is not, or that does not fit: what is left is the MAC
// (NV_MAC; 20 or 24 bytes in practice) or, past the captured bytes, AF_TRUNC. A header
// shorter than 48 bytes is AF_MALFORMED (or AF_TRUNC when the capture cut it).
// host/app/ntp/twin.ts is the same code in TypeScript.
import {
  A_NEXT, A_COUNT, APP_NTP, AF_TRUNC, AF_MALFORMED, AF_MORE,
  NV_TIME, NV_MAC, NTP_FLAGS, NTP_STRATUM, NTP_POLL, NTP_PRECISION, NTP_ROOT_DELAY, NTP_ROOT_DISP, NTP_REFID,
  NTP_REF_SEC, NTP_ITEMS, NTP_ITEM_SIZE, NTP_ITEM_MAX, NI_TYPE, NI_OFF,
} from "./app-layout";
import { u8at, be16, be32, beginRecord, endRecord, cutFlag } from "./record";

const HEADER: u32 = 48;

/**
 * Decodes the NTP message in the UDP payload at frame offset `pay` (`payLen` bytes per the
 * headers, captured up to frame offset `capEnd`) into the app record at `a`.
 */
export function ntp_decode(f: usize, pay: u32, payLen: u32, capEnd: u32, variant: u32, a: usize): void {
  let flags: u32 = 0;
  let declEnd = pay + payLen;
  capEnd = beginRecord(a, APP_NTP, pay, payLen, capEnd, NTP_FLAGS, NTP_ITEMS);
  let next = pay;
  let n: u32 = 0;
  if (pay + 1 > capEnd) {
    flags |= AF_TRUNC;
  } else {
    let first = u8at(f + pay);
    store<u8>(a + NTP_FLAGS, <u8>first);
    next = pay + 1;
    let mode = first & 7;
    if (mode <= 5) {
      // The header's fields as far as they are captured (A_NEXT says how far).
      let h = f + pay;
      let got = capEnd - pay;
      if (got >= 2) store<u8>(a + NTP_STRATUM, load<u8>(h + 1));
      if (got >= 3) store<u8>(a + NTP_POLL, load<u8>(h + 2));
      if (got >= 4) store<u8>(a + NTP_PRECISION, load<u8>(h + 3));
      if (got >= 8) store<u32>(a + NTP_ROOT_DELAY, be32(h + 4));
      if (got >= 12) store<u32>(a + NTP_ROOT_DISP, be32(h + 8));
      if (got >= 16) store<u32>(a + NTP_REFID, be32(h + 12));
      for (let i: u32 = 0; i < 8; i += 2) {
        if (got < 24 + i * 4) break;
        store<u32>(a + NTP_REF_SEC + i * 4, be32(h + 16 + i * 4));
        store<u32>(a + NTP_REF_SEC + i * 4 + 4, be32(h + 20 + i * 4));
      }
      if (pay + HEADER > capEnd) {
        flags |= cutFlag(pay + HEADER, declEnd);
        next = capEnd;
      } else {
        variant |= NV_TIME;
        let p = pay + HEADER;
        while (p < declEnd) {
          if (p + 4 > capEnd) { if (p + 4 <= declEnd) flags |= AF_TRUNC; break; }
          let len = be16(f + p + 2);
          if (len < 16 || (len & 3) != 0 || p + len > declEnd) break; // not an extension field: the MAC
          if (n >= <u32>NTP_ITEM_MAX) { flags |= AF_MORE; break; }
          let it = a + NTP_ITEMS + n * NTP_ITEM_SIZE;
          store<u16>(it + NI_TYPE, <u16>be16(f + p));
          store<u16>(it + NI_OFF, <u16>p);
          n++;
          // A field whose value the capture cut is listed (its type and length are here).
          if (p + len > capEnd) { flags |= AF_TRUNC; break; }
          p += len;
        }
        if (p < declEnd && (flags & (AF_TRUNC | AF_MORE)) == 0) variant |= NV_MAC;
        next = p;
      }
    }
  }
  store<u8>(a + A_COUNT, <u8>n);
  endRecord(a, next, variant, flags);
}
