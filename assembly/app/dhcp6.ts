// DHCPv6 (RFC 8415) into the app record (app-layout.ts): the message type and transaction
// id, or a relay message's hop count and addresses, then the top-level options in order as
// items (code and data offset), client and server identifiers kept. An option that runs
// past the UDP payload ends the walk as AF_MALFORMED, past the captured bytes as AF_TRUNC;
// more options than the record holds set AF_MORE with A_NEXT at the first one not recorded.
// Options inside options (IA addresses, a relayed message) are not walked here.
// host/app/dhcp6/twin.ts is the same code in TypeScript.
import {
  A_COUNT, APP_DHCP6, AF_TRUNC, AF_MALFORMED, AF_MORE,
  DHCP6_MSG_TYPE, DHCP6_HOPS, DHCP6_XID, DHCP6_LINK, DHCP6_PEER, DHCP6_CLIENT_ID, DHCP6_SERVER_ID,
  DHCP6_ITEMS, DHCP6_ITEM_SIZE, DHCP6_ITEM_MAX, D6I_CODE, D6I_DATA,
} from "./app-layout";
import { u8at, be16, be32, beginRecord, endRecord, cutFlag } from "./record";

const RELAY_FORW: u32 = 12;
const RELAY_REPL: u32 = 13;

/**
 * Decodes the DHCPv6 message in the UDP payload at frame offset `pay` (`payLen` bytes per
 * the headers, captured up to frame offset `capEnd`) into the app record at `a`.
 */
export function dhcp6_decode(f: usize, pay: u32, payLen: u32, capEnd: u32, variant: u32, a: usize): void {
  let flags: u32 = 0;
  let declEnd = pay + payLen;
  capEnd = beginRecord(a, APP_DHCP6, pay, payLen, capEnd, DHCP6_MSG_TYPE, DHCP6_MSG_TYPE + 16);
  let next = pay;
  let n: u32 = 0;
  if (pay + 1 > capEnd) {
    flags |= payLen == 0 ? AF_MALFORMED : AF_TRUNC;
  } else {
    let type = u8at(f + pay);
    store<u8>(a + DHCP6_MSG_TYPE, <u8>type);
    let relay = type == RELAY_FORW || type == RELAY_REPL;
    let hdr: u32 = relay ? 34 : 4;
    if (pay + hdr > capEnd) {
      flags |= cutFlag(pay + hdr, declEnd);
    } else {
      if (relay) {
        store<u8>(a + DHCP6_HOPS, <u8>u8at(f + pay + 1));
        store<u16>(a + DHCP6_LINK, <u16>(pay + 2));
        store<u16>(a + DHCP6_PEER, <u16>(pay + 18));
      } else {
        store<u32>(a + DHCP6_XID, be32(f + pay) & 0xFFFFFF);
      }
      let p = pay + hdr;
      while (p < declEnd) {
        if (p + 4 > capEnd) { flags |= cutFlag(p + 4, declEnd); break; }
        if (n >= <u32>DHCP6_ITEM_MAX) { flags |= AF_MORE; break; }
        let code = be16(f + p);
        let d = p + 4;
        let e = d + be16(f + p + 2);
        if (e > declEnd) { flags |= AF_MALFORMED; break; }
        if (e > capEnd) { flags |= AF_TRUNC; break; }
        let it = a + DHCP6_ITEMS + n * DHCP6_ITEM_SIZE;
        store<u16>(it + D6I_CODE, <u16>code);
        store<u16>(it + D6I_DATA, <u16>d);
        n++;
        if (code == 1 && load<u16>(a + DHCP6_CLIENT_ID) == 0) store<u16>(a + DHCP6_CLIENT_ID, <u16>d);
        if (code == 2 && load<u16>(a + DHCP6_SERVER_ID) == 0) store<u16>(a + DHCP6_SERVER_ID, <u16>d);
        p = e;
      }
      next = p;
    }
  }
  store<u8>(a + A_COUNT, <u8>n);
  endRecord(a, next, variant, flags);
}
