// IGMP (IPv4 protocol 2) into the app record (app-layout.ts): the type, the version as
// Wireshark tells it, the fixed words as far as they are captured, a v3 query's sources
// (counted by A_NEXT) and a v3 report's group records as items. Each fixed part shorter than
// its type needs is AF_TRUNC (the capture) or AF_MALFORMED (the IP payload).
// host/app/igmp/twin.ts is the same code in TypeScript.
import {
  A_COUNT, APP_IGMP, AF_MORE, IGMP_TYPE, IGMP_VERSION, IGMP_CODE, IGMP_CHECKSUM, IGMP_NUM, IGMP_GROUP, IGMP_WORD8,
  IGMP_ITEMS, IGMP_ITEM_SIZE, IGMP_ITEM_MAX, IGV_NONE,
} from "./app-layout";
import { u8at, be16, be32, beginRecord, endRecord, cutFlag } from "./record";

/** The bytes each type's fixed part takes (0: no fixed part beyond the type). */
function fixedLen(type: u32, version: u32): u32 {
  if (version == 0) return 20;
  if (version == 3) return type == 0x11 ? 12 : 8;
  if (version != IGV_NONE) return 8;
  if (type == 0x1e || type == 0x1f) return 24;
  return 0;
}

export function igmp_decode(f: usize, pay: u32, payLen: u32, capEnd: u32, variant: u32, a: usize): void {
  capEnd = beginRecord(a, APP_IGMP, pay, payLen, capEnd, IGMP_TYPE, IGMP_ITEMS);
  let declEnd = pay + payLen;
  let flags: u32 = 0;
  let next = pay;
  let n: u32 = 0;
  let got = capEnd > pay ? capEnd - pay : 0;
  let version: u32 = IGV_NONE;
  if (got == 0) {
    flags |= cutFlag(pay + 1, declEnd);
  } else {
    let p = f + pay;
    let type = u8at(p);
    if (type <= 15) version = 0;
    else if (type == 0x12) version = 1;
    else if (type == 0x16 || type == 0x17) version = 2;
    else if (type == 0x22) version = 3;
    else if (type == 0x11) {
      if (payLen >= 12) version = 3;
      else if (got >= 2) version = u8at(p + 1) != 0 ? 2 : 1;
    }
    store<u8>(a + IGMP_TYPE, <u8>type);
    if (got >= 2) store<u8>(a + IGMP_CODE, <u8>u8at(p + 1));
    if (got >= 4) store<u16>(a + IGMP_CHECKSUM, <u16>be16(p + 2));
    if (got >= 8) store<u32>(a + IGMP_GROUP, be32(p + 4));
    if (got >= 12) store<u32>(a + IGMP_WORD8, be32(p + 8));
    let fixed = fixedLen(type, version);
    next = pay + (got < fixed ? got : fixed);
    if (fixed > got) {
      flags |= cutFlag(pay + fixed, declEnd);
    } else if (version == 3 && type == 0x11) {
      // The sources: as many whole addresses as are here.
      let num = be16(p + 10);
      store<u16>(a + IGMP_NUM, <u16>num);
      let want = pay + 12 + num * 4;
      let end = want <= capEnd ? want : capEnd - ((capEnd - pay - 12) & 3);
      if (want > capEnd) flags |= cutFlag(want, declEnd);
      next = end;
    } else if (version == 3) {
      // The group records: type, aux data length (words), number of sources, group, the
      // sources and the aux data, each whole or the walk stops there.
      let num = be16(p + 6);
      store<u16>(a + IGMP_NUM, <u16>num);
      let r = pay + 8;
      for (let i: u32 = 0; i < num; i++) {
        if (r + 8 > capEnd) { flags |= cutFlag(r + 8, declEnd); break; }
        if (n >= <u32>IGMP_ITEM_MAX) { flags |= AF_MORE; break; }
        store<u16>(a + IGMP_ITEMS + n * IGMP_ITEM_SIZE, <u16>r);
        n++;
        let srcEnd = r + 8 + be16(f + r + 2) * 4;
        if (srcEnd > capEnd) {
          flags |= cutFlag(srcEnd, declEnd);
          r += 8 + ((capEnd - r - 8) & ~3);
          break;
        }
        let end = srcEnd + u8at(f + r + 1) * 4;
        if (end > capEnd) { flags |= cutFlag(end, declEnd); r = srcEnd; break; }
        r = end;
      }
      next = r;
    }
  }
  store<u8>(a + IGMP_VERSION, <u8>version);
  store<u8>(a + A_COUNT, <u8>n);
  endRecord(a, next, variant, flags);
}
