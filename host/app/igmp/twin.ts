// Pure-TS twin of assembly/app/igmp.ts: the same walk, the same bounds checks, the same
// record bytes (test/app-igmp-ospf.test.ts demands identical records on mutated frames).
import { DecoderTwin, cutFlag } from '../twin-memory.js';
import {
  A_COUNT, APP_IGMP, AF_MORE, IGMP_TYPE, IGMP_VERSION, IGMP_CODE, IGMP_CHECKSUM, IGMP_NUM, IGMP_GROUP, IGMP_WORD8,
  IGMP_ITEMS, IGMP_ITEM_SIZE, IGMP_ITEM_MAX, IGV_NONE,
} from '../app-layout.js';

function fixedLen(type: number, version: number): number {
  if (version === 0) return 20;
  if (version === 3) return type === 0x11 ? 12 : 8;
  if (version !== IGV_NONE) return 8;
  if (type === 0x1e || type === 0x1f) return 24;
  return 0;
}

export class IgmpTwin extends DecoderTwin {
  /** igmp_decode(f, pay, payLen, capEnd, variant, a) of assembly/app/igmp.ts. */
  decode(f: number, pay: number, payLen: number, capEnd: number, variant: number, a: number): void {
    const mem = this.mem;
    const m = mem.m;
    capEnd = mem.beginRecord(a, APP_IGMP, pay, payLen, capEnd, IGMP_TYPE, IGMP_ITEMS);
    const declEnd = pay + payLen;
    let flags = 0;
    let next = pay;
    let n = 0;
    const got = capEnd > pay ? capEnd - pay : 0;
    let version = IGV_NONE;
    if (got === 0) {
      flags |= cutFlag(pay + 1, declEnd);
    } else {
      const p = f + pay;
      const type = m[p];
      if (type <= 15) version = 0;
      else if (type === 0x12) version = 1;
      else if (type === 0x16 || type === 0x17) version = 2;
      else if (type === 0x22) version = 3;
      else if (type === 0x11) {
        if (payLen >= 12) version = 3;
        else if (got >= 2) version = m[p + 1] !== 0 ? 2 : 1;
      }
      mem.put8(a + IGMP_TYPE, type);
      if (got >= 2) mem.put8(a + IGMP_CODE, m[p + 1]);
      if (got >= 4) mem.put16(a + IGMP_CHECKSUM, mem.be16(p + 2));
      if (got >= 8) mem.put32(a + IGMP_GROUP, mem.be32(p + 4));
      if (got >= 12) mem.put32(a + IGMP_WORD8, mem.be32(p + 8));
      const fixed = fixedLen(type, version);
      next = pay + (got < fixed ? got : fixed);
      if (fixed > got) {
        flags |= cutFlag(pay + fixed, declEnd);
      } else if (version === 3 && type === 0x11) {
        const num = mem.be16(p + 10);
        mem.put16(a + IGMP_NUM, num);
        const want = pay + 12 + num * 4;
        const end = want <= capEnd ? want : capEnd - ((capEnd - pay - 12) & 3);
        if (want > capEnd) flags |= cutFlag(want, declEnd);
        next = end;
      } else if (version === 3) {
        const num = mem.be16(p + 6);
        mem.put16(a + IGMP_NUM, num);
        let r = pay + 8;
        for (let i = 0; i < num; i++) {
          if (r + 8 > capEnd) { flags |= cutFlag(r + 8, declEnd); break; }
          if (n >= IGMP_ITEM_MAX) { flags |= AF_MORE; break; }
          mem.put16(a + IGMP_ITEMS + n * IGMP_ITEM_SIZE, r);
          n++;
          const srcEnd = r + 8 + mem.be16(f + r + 2) * 4;
          if (srcEnd > capEnd) {
            flags |= cutFlag(srcEnd, declEnd);
            r += 8 + ((capEnd - r - 8) & ~3);
            break;
          }
          const end = srcEnd + m[f + r + 1] * 4;
          if (end > capEnd) { flags |= cutFlag(end, declEnd); r = srcEnd; break; }
          r = end;
        }
        next = r;
      }
    }
    mem.put8(a + IGMP_VERSION, version);
    mem.put8(a + A_COUNT, n);
    mem.endRecord(a, next, variant, flags);
  }
}
