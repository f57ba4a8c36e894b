// OSPF (IP protocol 89; v2 RFC 2328, v3 RFC 5340) into the app record (app-layout.ts): the
// common header's fields as far as they are captured, v2's digest after the packet when
// cryptographic authentication is used and it is captured, and per packet type the body's
// elements as items: Hello's neighbors, the LSA headers of a Database Description, LS
// Update (walked by each LSA's length) or LS Acknowledgment, an LS Request's entries.
// The body runs for the packet length less the header (16 bits, as Wireshark takes it).
// host/app/ospf/twin.ts is the same code in TypeScript.
import {
  A_COUNT, APP_OSPF, AF_MALFORMED, AF_MORE, OSPF_VERSION, OSPF_TYPE, OSPF_LENGTH, OSPF_ROUTER, OSPF_AREA,
  OSPF_CHECKSUM, OSPF_AUTYPE, OSPF_BODY, OSPF_DIGEST, OSPF_LSA_COUNT, OSPF_ITEMS, OSPF_ITEM_SIZE, OSPF_ITEM_MAX,
} from "./app-layout";
import { u8at, be16, be32, beginRecord, endRecord, cutFlag } from "./record";

/** The least length of an OSPFv2 LSA of type `t` (Wireshark's table; 20 for other types). */
function lsaMinLen(t: u32): u32 {
  if (t == 1) return 24;
  if (t >= 2 && t <= 4) return 28;
  if (t == 5 || t == 7) return 36;
  return 20;
}

export function ospf_decode(f: usize, pay: u32, payLen: u32, capEnd: u32, variant: u32, a: usize): void {
  capEnd = beginRecord(a, APP_OSPF, pay, payLen, capEnd, OSPF_VERSION, OSPF_ITEMS);
  let declEnd = pay + payLen;
  let flags: u32 = 0;
  let n: u32 = 0;
  let got = capEnd > pay ? capEnd - pay : 0;
  let next = pay + (got < 24 ? got : 24);
  let p = f + pay;
  if (got < 4) {
    flags |= cutFlag(pay + 4, declEnd);
    next = pay + got;
  } else {
    let version = u8at(p);
    let type = u8at(p + 1);
    let len = be16(p + 2);
    store<u8>(a + OSPF_VERSION, <u8>version);
    store<u8>(a + OSPF_TYPE, <u8>type);
    store<u16>(a + OSPF_LENGTH, <u16>len);
    if (got >= 8) store<u32>(a + OSPF_ROUTER, be32(p + 4));
    if (got >= 12) store<u32>(a + OSPF_AREA, be32(p + 8));
    if (got >= 14) store<u16>(a + OSPF_CHECKSUM, <u16>be16(p + 12));
    if (got >= 16) store<u16>(a + OSPF_AUTYPE, <u16>be16(p + 14));
    let hdr: u32 = version == 2 ? 24 : version == 3 ? 16 : 14;
    if (hdr > got) {
      flags |= cutFlag(pay + hdr, declEnd);
      next = pay + got;
    } else if (version == 2 || version == 3) {
      if (version == 2 && be16(p + 14) == 2) {
        let dl = u8at(p + 19);
        if (dl > 0 && pay + len + dl <= capEnd) store<u16>(a + OSPF_DIGEST, <u16>(pay + len));
      }
      let body = pay + hdr;
      let bodyEnd = body + ((len - hdr) & 0xFFFF);
      store<u16>(a + OSPF_BODY, <u16>body);
      // Fixed part of the body before its elements, and each element's size (0: LSA headers,
      // 20 bytes each, or whole LSAs in an LS Update).
      let fixed: u32 = 0;
      let size: u32 = 0;
      if (type == 1) { fixed = 20; size = 4; }
      else if (type == 2) fixed = version == 2 ? 8 : 12;
      else if (type == 3) size = 12;
      else if (type == 4) fixed = 4;
      let r = body + fixed;
      let count: u32 = 0xFFFFFFFF;
      if (type < 1 || type > 5) {
        r = body;
      } else if (r > capEnd) {
        flags |= cutFlag(r, declEnd);
        r = body;
      } else {
        if (type == 4) { count = be32(f + body); store<u32>(a + OSPF_LSA_COUNT, count); }
        let i: u32 = 0;
        while (type == 4 ? i < count : r < bodyEnd) {
          let step = size != 0 ? size : 20;
          if (r + step > capEnd) { flags |= cutFlag(r + step, declEnd); break; }
          if (size == 0) {
            let lsaLen = be16(f + r + 18);
            let min = version == 2 ? lsaMinLen(u8at(f + r + 3)) : 20;
            if (lsaLen < min) { flags |= AF_MALFORMED; break; }
            if (type == 4) step = lsaLen;
          }
          if (n >= <u32>OSPF_ITEM_MAX) { flags |= AF_MORE; break; }
          store<u16>(a + OSPF_ITEMS + n * OSPF_ITEM_SIZE, <u16>r);
          n++;
          i++;
          if (r + step > capEnd) { flags |= cutFlag(r + step, declEnd); r = capEnd; break; }
          r += step;
        }
      }
      next = r;
    }
  }
  store<u8>(a + A_COUNT, <u8>n);
  endRecord(a, next, variant, flags);
}
