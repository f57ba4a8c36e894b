// Pure-TS twin of assembly/app/dhcp6.ts: the same walk, the same bounds checks, the same
// record bytes (test/app-dhcp-fuzz.test.ts demands identical records on mutated frames).
import { DecoderTwin, cutFlag } from '../twin-memory.js';
import {
  A_COUNT, APP_DHCP6, AF_TRUNC, AF_MALFORMED, AF_MORE,
  DHCP6_MSG_TYPE, DHCP6_HOPS, DHCP6_XID, DHCP6_LINK, DHCP6_PEER, DHCP6_CLIENT_ID, DHCP6_SERVER_ID,
  DHCP6_ITEMS, DHCP6_ITEM_SIZE, DHCP6_ITEM_MAX, D6I_CODE, D6I_DATA,
} from '../app-layout.js';

const RELAY_FORW = 12;
const RELAY_REPL = 13;

export class Dhcp6Twin extends DecoderTwin {
  /** dhcp6_decode(f, pay, payLen, capEnd, variant, a) of assembly/app/dhcp6.ts. */
  decode(f: number, pay: number, payLen: number, capEnd: number, variant: number, a: number): void {
    const mem = this.mem;
    let flags = 0;
    const declEnd = pay + payLen;
    capEnd = mem.beginRecord(a, APP_DHCP6, pay, payLen, capEnd, DHCP6_MSG_TYPE, DHCP6_MSG_TYPE + 16);
    let next = pay;
    let n = 0;
    if (pay + 1 > capEnd) {
      flags |= payLen === 0 ? AF_MALFORMED : AF_TRUNC;
    } else {
      const type = mem.m[f + pay];
      mem.put8(a + DHCP6_MSG_TYPE, type);
      const relay = type === RELAY_FORW || type === RELAY_REPL;
      const hdr = relay ? 34 : 4;
      if (pay + hdr > capEnd) {
        flags |= cutFlag(pay + hdr, declEnd);
      } else {
        if (relay) {
          mem.put8(a + DHCP6_HOPS, mem.m[f + pay + 1]);
          mem.put16(a + DHCP6_LINK, pay + 2);
          mem.put16(a + DHCP6_PEER, pay + 18);
        } else {
          mem.put32(a + DHCP6_XID, mem.be32(f + pay) & 0xFFFFFF);
        }
        let p = pay + hdr;
        while (p < declEnd) {
          if (p + 4 > capEnd) { flags |= cutFlag(p + 4, declEnd); break; }
          if (n >= DHCP6_ITEM_MAX) { flags |= AF_MORE; break; }
          const code = mem.be16(f + p);
          const d = p + 4;
          const e = d + mem.be16(f + p + 2);
          if (e > declEnd) { flags |= AF_MALFORMED; break; }
          if (e > capEnd) { flags |= AF_TRUNC; break; }
          const it = a + DHCP6_ITEMS + n * DHCP6_ITEM_SIZE;
          mem.put16(it + D6I_CODE, code);
          mem.put16(it + D6I_DATA, d);
          n++;
          if (code === 1 && mem.m16[(a + DHCP6_CLIENT_ID) >>> 1] === 0) mem.put16(a + DHCP6_CLIENT_ID, d);
          if (code === 2 && mem.m16[(a + DHCP6_SERVER_ID) >>> 1] === 0) mem.put16(a + DHCP6_SERVER_ID, d);
          p = e;
        }
        next = p;
      }
    }
    mem.put8(a + A_COUNT, n);
    mem.endRecord(a, next, variant, flags);
  }
}
