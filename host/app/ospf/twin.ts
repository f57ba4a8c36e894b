// Pure-TS twin of assembly/app/ospf.ts: the same walk, the same bounds checks, the same
// record bytes (test/app-igmp-ospf.test.ts demands identical records on mutated frames).
import { DecoderTwin, cutFlag } from '../twin-memory.js';
import {
  A_COUNT, APP_OSPF, AF_MALFORMED, AF_MORE, OSPF_VERSION, OSPF_TYPE, OSPF_LENGTH, OSPF_ROUTER, OSPF_AREA,
  OSPF_CHECKSUM, OSPF_AUTYPE, OSPF_BODY, OSPF_DIGEST, OSPF_LSA_COUNT, OSPF_ITEMS, OSPF_ITEM_SIZE, OSPF_ITEM_MAX,
} from '../app-layout.js';

/** The least length of an OSPFv2 LSA of type `t` (Wireshark's table; 20 for other types). */
export function lsaMinLen(t: number): number {
  if (t === 1) return 24;
  if (t >= 2 && t <= 4) return 28;
  if (t === 5 || t === 7) return 36;
  return 20;
}

export class OspfTwin extends DecoderTwin {
  /** ospf_decode(f, pay, payLen, capEnd, variant, a) of assembly/app/ospf.ts. */
  decode(f: number, pay: number, payLen: number, capEnd: number, variant: number, a: number): void {
    const mem = this.mem;
    const m = mem.m;
    capEnd = mem.beginRecord(a, APP_OSPF, pay, payLen, capEnd, OSPF_VERSION, OSPF_ITEMS);
    const declEnd = pay + payLen;
    let flags = 0;
    let n = 0;
    const got = capEnd > pay ? capEnd - pay : 0;
    let next = pay + (got < 24 ? got : 24);
    const p = f + pay;
    if (got < 4) {
      flags |= cutFlag(pay + 4, declEnd);
      next = pay + got;
    } else {
      const version = m[p];
      const type = m[p + 1];
      const len = mem.be16(p + 2);
      mem.put8(a + OSPF_VERSION, version);
      mem.put8(a + OSPF_TYPE, type);
      mem.put16(a + OSPF_LENGTH, len);
      if (got >= 8) mem.put32(a + OSPF_ROUTER, mem.be32(p + 4));
      if (got >= 12) mem.put32(a + OSPF_AREA, mem.be32(p + 8));
      if (got >= 14) mem.put16(a + OSPF_CHECKSUM, mem.be16(p + 12));
      if (got >= 16) mem.put16(a + OSPF_AUTYPE, mem.be16(p + 14));
      const hdr = version === 2 ? 24 : version === 3 ? 16 : 14;
      if (hdr > got) {
        flags |= cutFlag(pay + hdr, declEnd);
        next = pay + got;
      } else if (version === 2 || version === 3) {
        if (version === 2 && mem.be16(p + 14) === 2) {
          const dl = m[p + 19];
          if (dl > 0 && pay + len + dl <= capEnd) mem.put16(a + OSPF_DIGEST, pay + len);
        }
        const body = pay + hdr;
        const bodyEnd = body + ((len - hdr) & 0xFFFF);
        mem.put16(a + OSPF_BODY, body);
        let fixed = 0;
        let size = 0;
        if (type === 1) { fixed = 20; size = 4; } else if (type === 2) fixed = version === 2 ? 8 : 12;
        else if (type === 3) size = 12;
        else if (type === 4) fixed = 4;
        let r = body + fixed;
        let count = 0xFFFFFFFF;
        if (type < 1 || type > 5) {
          r = body;
        } else if (r > capEnd) {
          flags |= cutFlag(r, declEnd);
          r = body;
        } else {
          if (type === 4) { count = mem.be32(f + body); mem.put32(a + OSPF_LSA_COUNT, count); }
          let i = 0;
          while (type === 4 ? i < count : r < bodyEnd) {
            let step = size !== 0 ? size : 20;
            if (r + step > capEnd) { flags |= cutFlag(r + step, declEnd); break; }
            if (size === 0) {
              const lsaLen = mem.be16(f + r + 18);
              const min = version === 2 ? lsaMinLen(m[f + r + 3]) : 20;
              if (lsaLen < min) { flags |= AF_MALFORMED; break; }
              if (type === 4) step = lsaLen;
            }
            if (n >= OSPF_ITEM_MAX) { flags |= AF_MORE; break; }
            mem.put16(a + OSPF_ITEMS + n * OSPF_ITEM_SIZE, r);
            n++;
            i++;
            if (r + step > capEnd) { flags |= cutFlag(r + step, declEnd); r = capEnd; break; }
            r += step;
          }
        }
        next = r;
      }
    }
    mem.put8(a + A_COUNT, n);
    mem.endRecord(a, next, variant, flags);
  }
}
