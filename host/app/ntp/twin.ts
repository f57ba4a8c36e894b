// Pure-TS twin of assembly/app/ntp.ts: the same walk, the same bounds checks, the same
// record bytes (test/app-ntp-fuzz.test.ts demands identical records on mutated frames).
import { DecoderTwin, cutFlag } from '../twin-memory.js';
import {
  A_COUNT, APP_NTP, AF_TRUNC, AF_MALFORMED, AF_MORE,
  NV_TIME, NV_MAC, NTP_FLAGS, NTP_STRATUM, NTP_POLL, NTP_PRECISION, NTP_ROOT_DELAY, NTP_ROOT_DISP, NTP_REFID,
  NTP_REF_SEC, NTP_ITEMS, NTP_ITEM_SIZE, NTP_ITEM_MAX, NI_TYPE, NI_OFF,
} from '../app-layout.js';

const HEADER = 48;

export class NtpTwin extends DecoderTwin {
  /** ntp_decode(f, pay, payLen, capEnd, variant, a) of assembly/app/ntp.ts. */
  decode(f: number, pay: number, payLen: number, capEnd: number, variant: number, a: number): void {
    const mem = this.mem;
    const m = mem.m;
    let flags = 0;
    const declEnd = pay + payLen;
    capEnd = mem.beginRecord(a, APP_NTP, pay, payLen, capEnd, NTP_FLAGS, NTP_ITEMS);
    let next = pay;
    let n = 0;
    if (pay + 1 > capEnd) {
      flags |= AF_TRUNC;
    } else {
      const first = m[f + pay];
      mem.put8(a + NTP_FLAGS, first);
      next = pay + 1;
      if ((first & 7) <= 5) {
        const h = f + pay;
        const got = capEnd - pay;
        if (got >= 2) mem.put8(a + NTP_STRATUM, m[h + 1]);
        if (got >= 3) mem.put8(a + NTP_POLL, m[h + 2]);
        if (got >= 4) mem.put8(a + NTP_PRECISION, m[h + 3]);
        if (got >= 8) mem.put32(a + NTP_ROOT_DELAY, mem.be32(h + 4));
        if (got >= 12) mem.put32(a + NTP_ROOT_DISP, mem.be32(h + 8));
        if (got >= 16) mem.put32(a + NTP_REFID, mem.be32(h + 12));
        for (let i = 0; i < 8; i += 2) {
          if (got < 24 + i * 4) break;
          mem.put32(a + NTP_REF_SEC + i * 4, mem.be32(h + 16 + i * 4));
          mem.put32(a + NTP_REF_SEC + i * 4 + 4, mem.be32(h + 20 + i * 4));
        }
        if (pay + HEADER > capEnd) {
          flags |= cutFlag(pay + HEADER, declEnd);
          next = capEnd;
        } else {
          variant |= NV_TIME;
          let p = pay + HEADER;
          while (p < declEnd) {
            if (p + 4 > capEnd) { if (p + 4 <= declEnd) flags |= AF_TRUNC; break; }
            const len = mem.be16(f + p + 2);
            if (len < 16 || (len & 3) !== 0 || p + len > declEnd) break;
            if (n >= NTP_ITEM_MAX) { flags |= AF_MORE; break; }
            const it = a + NTP_ITEMS + n * NTP_ITEM_SIZE;
            mem.put16(it + NI_TYPE, mem.be16(f + p));
            mem.put16(it + NI_OFF, p);
            n++;
            if (p + len > capEnd) { flags |= AF_TRUNC; break; }
            p += len;
          }
          if (p < declEnd && (flags & (AF_TRUNC | AF_MORE)) === 0) variant |= NV_MAC;
          next = p;
        }
      }
    }
    mem.put8(a + A_COUNT, n);
    mem.endRecord(a, next, variant, flags);
  }
}
