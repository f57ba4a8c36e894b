// Pure-TS twin of assembly/app/dns.ts: the same walk, the same bounds checks, the same
// record bytes (test/app-dns-fuzz.test.ts demands identical records on mutated frames).
import { WalkingDecoderTwin, cutFlag } from '../twin-memory.js';
import {
  A_PROTO, A_VARIANT, A_FLAGS, A_OFF, A_LEN, A_CAP, A_NEXT, A_COUNT, APP_DNS,
  AF_TRUNC, AF_MALFORMED, AF_MORE, AF_BAD_PTR, AF_BAD_LABEL, AF_LONG_NAME, AF_COUNTS,
  DV_TCP, DV_PREFIX_BAD,
  DNS_ID, DNS_FLAGS, DNS_QDCOUNT, DNS_ANCOUNT, DNS_NSCOUNT, DNS_ARCOUNT, DNS_PREFIX, DNS_OPT,
  DNS_EXT_RCODE, DNS_ITEMS, DNS_ITEM_SIZE, DNS_ITEM_MAX,
  DI_NAME, DI_TYPE, DI_CLASS, DI_RDLEN, DI_TTL, DI_RDATA, DI_SECTION, DI_FLAGS,
  DS_QUESTION, DS_ANSWER, DS_AUTHORITY, DS_ADDITIONAL, DIF_BAD_RDATA, DIF_RDATA_TRUNC,
} from '../app-layout.js';
import { T_A, T_NS, T_CNAME, T_SOA, T_PTR, T_MX, T_TXT, T_AAAA, T_SRV, T_DNAME, T_OPT } from './types.js';

const MAX_JUMPS = 64;
const MAX_NAME = 255;

export class DnsTwin extends WalkingDecoderTwin {
  private walkName(f: number, msg: number, p: number): number {
    const m = this.mem.m;
    let pos = p;
    let after = 0;
    let limit = p;
    let wire = 1;
    let jumps = 0;
    for (;;) {
      if (pos >= this.capEnd) { this.short(pos); return 0; }
      const l = m[f + pos];
      const kind = l & 0xC0;
      if (kind === 0xC0) {
        if (pos + 1 >= this.capEnd) { this.short(pos + 1); return 0; }
        if (after === 0) after = pos + 2;
        const target = msg + (((l & 0x3F) << 8) | m[f + pos + 1]);
        if (target >= limit || ++jumps > MAX_JUMPS) { this.flags |= AF_BAD_PTR; return 0; }
        limit = target;
        pos = target;
        continue;
      }
      if (kind !== 0) { this.flags |= AF_BAD_LABEL; return 0; }
      if (l === 0) return after !== 0 ? after : pos + 1;
      wire += l + 1;
      if (wire > MAX_NAME) { this.flags |= AF_LONG_NAME; return 0; }
      pos += l + 1;
    }
  }

  private checkRdata(f: number, msg: number, type: number, rd: number, rdlen: number): number {
    const end = rd + rdlen;
    if (type === T_A) return rdlen === 4 ? 0 : DIF_BAD_RDATA;
    if (type === T_AAAA) return rdlen === 16 ? 0 : DIF_BAD_RDATA;
    if (type === T_NS || type === T_CNAME || type === T_PTR || type === T_DNAME) {
      const e = this.walkName(f, msg, rd);
      return e === 0 || e > end ? DIF_BAD_RDATA : 0;
    }
    if (type === T_MX) {
      if (rdlen < 3) return DIF_BAD_RDATA;
      const e = this.walkName(f, msg, rd + 2);
      return e === 0 || e > end ? DIF_BAD_RDATA : 0;
    }
    if (type === T_SRV) {
      if (rdlen < 7) return DIF_BAD_RDATA;
      const e = this.walkName(f, msg, rd + 6);
      return e === 0 || e > end ? DIF_BAD_RDATA : 0;
    }
    if (type === T_SOA) {
      let e = this.walkName(f, msg, rd);
      if (e === 0 || e > end) return DIF_BAD_RDATA;
      e = this.walkName(f, msg, e);
      return e === 0 || e + 20 > end ? DIF_BAD_RDATA : 0;
    }
    const m = this.mem.m;
    if (type === T_TXT) {
      if (rdlen === 0) return DIF_BAD_RDATA;
      let p = rd;
      while (p < end) p += 1 + m[f + p];
      return p === end ? 0 : DIF_BAD_RDATA;
    }
    if (type === T_OPT) {
      let p = rd;
      while (p + 4 <= end) p += 4 + this.mem.be16(f + p + 2);
      return p === end ? 0 : DIF_BAD_RDATA;
    }
    return 0;
  }

  /** Sets where the message's captured bytes end and where it says it ends, for item(). */
  begin(capEnd: number, declEnd: number): void {
    this.flags = 0;
    this.capEnd = capEnd;
    this.declEnd = declEnd;
  }

  /** AF_* bits gathered since decode() or begin(). */
  get flagsSoFar(): number {
    return this.flags;
  }

  /**
   * Walks item n (question or resource record, by the counts qd, an, ns) at frame offset
   * `pos` into the item slot at `it`; returns the offset after it, or -1 when the walk
   * stops inside it (the reason in the flags). The slot may be partly written then.
   */
  item(f: number, msg: number, pos: number, n: number, qd: number, an: number, ns: number, it: number): number {
    const mem = this.mem;
    const capEnd = this.capEnd;
    const section = n < qd ? DS_QUESTION : n < qd + an ? DS_ANSWER : n < qd + an + ns ? DS_AUTHORITY : DS_ADDITIONAL;
    const e = this.walkName(f, msg, pos);
    if (e === 0) return -1;
    mem.put16(it + DI_NAME, pos);
    if (section === DS_QUESTION) {
      if (e + 4 > capEnd) { this.short(e + 4); return -1; }
      mem.put16(it + DI_TYPE, mem.be16(f + e));
      mem.put16(it + DI_CLASS, mem.be16(f + e + 2));
      mem.put16(it + DI_RDLEN, 0);
      mem.put32(it + DI_TTL, 0);
      mem.put16(it + DI_RDATA, 0);
      mem.put8(it + DI_SECTION, section);
      mem.put8(it + DI_FLAGS, 0);
      return e + 4;
    }
    if (e + 10 > capEnd) { this.short(e + 10); return -1; }
    const type = mem.be16(f + e);
    const rdlen = mem.be16(f + e + 8);
    const rd = e + 10;
    mem.put16(it + DI_TYPE, type);
    mem.put16(it + DI_CLASS, mem.be16(f + e + 2));
    mem.put16(it + DI_RDLEN, rdlen);
    mem.put32(it + DI_TTL, mem.be32(f + e + 4));
    mem.put16(it + DI_RDATA, rd);
    mem.put8(it + DI_SECTION, section);
    let iflags = 0;
    if (rd + rdlen > capEnd) {
      iflags = DIF_RDATA_TRUNC;
      this.short(rd + rdlen);
    } else {
      iflags = this.checkRdata(f, msg, type, rd, rdlen);
    }
    mem.put8(it + DI_FLAGS, iflags);
    return rd + rdlen;
  }

  /** dns_decode(f, pay, payLen, capEnd, variant, a) of assembly/app/dns.ts. */
  decode(f: number, pay: number, payLen: number, capEnd: number, variant: number, a: number): void {
    const mem = this.mem;
    this.flags = 0;
    mem.put32(a + DNS_ID, 0); mem.put32(a + DNS_ID + 4, 0);
    mem.put32(a + DNS_ID + 8, 0); mem.put32(a + DNS_ID + 12, 0);
    let msg = pay;
    let len = payLen;
    let declEnd = pay + payLen;
    mem.put8(a + A_PROTO, APP_DNS);
    if ((variant & DV_TCP) !== 0) {
      if (payLen < 2 || pay + 2 > capEnd) {
        this.flags |= payLen < 2 ? AF_MALFORMED : AF_TRUNC;
        mem.put8(a + A_VARIANT, variant);
        mem.put16(a + A_OFF, pay);
        mem.put16(a + A_FLAGS, this.flags);
        mem.put16(a + A_NEXT, pay);
        return;
      }
      const prefix = mem.be16(f + pay);
      msg = pay + 2;
      len = payLen - 2;
      mem.put16(a + DNS_PREFIX, prefix);
      if (prefix !== len) variant |= DV_PREFIX_BAD;
      declEnd = msg + prefix;
      if (declEnd < capEnd) capEnd = declEnd;
    }
    this.declEnd = declEnd;
    this.capEnd = capEnd;
    mem.put8(a + A_VARIANT, variant);
    mem.put16(a + A_OFF, msg);
    mem.put16(a + A_LEN, len);
    mem.put16(a + A_CAP, capEnd > msg ? capEnd - msg : 0);
    if (msg + 12 > capEnd) {
      this.flags |= cutFlag(msg + 12, declEnd);
      mem.put16(a + A_FLAGS, this.flags);
      mem.put16(a + A_NEXT, msg);
      return;
    }
    const h = f + msg;
    const qd = mem.be16(h + 4);
    const an = mem.be16(h + 6);
    const ns = mem.be16(h + 8);
    const ar = mem.be16(h + 10);
    mem.put16(a + DNS_ID, mem.be16(h));
    mem.put16(a + DNS_FLAGS, mem.be16(h + 2));
    mem.put16(a + DNS_QDCOUNT, qd);
    mem.put16(a + DNS_ANCOUNT, an);
    mem.put16(a + DNS_NSCOUNT, ns);
    mem.put16(a + DNS_ARCOUNT, ar);

    let pos = msg + 12;
    const total = qd + an + ns + ar;
    let n = 0;
    let opt = 0;
    let ext = 0;
    while (n < total) {
      if (n >= DNS_ITEM_MAX) { this.flags |= AF_MORE; break; }
      if (pos >= declEnd) { this.flags |= AF_COUNTS; break; }
      if (pos >= capEnd) { this.flags |= AF_TRUNC; break; }
      const it = a + DNS_ITEMS + n * DNS_ITEM_SIZE;
      const next = this.item(f, msg, pos, n, qd, an, ns, it);
      if (next < 0) break;
      if (opt === 0 && mem.m[it + DI_SECTION] !== DS_QUESTION && mem.m16[(it + DI_TYPE) >>> 1] === T_OPT) {
        opt = n + 1;
        ext = mem.m32[(it + DI_TTL) >>> 2] >>> 24;
      }
      n++;
      if ((mem.m[it + DI_FLAGS] & DIF_RDATA_TRUNC) !== 0) { pos = capEnd; break; }
      pos = next;
    }
    mem.put8(a + DNS_OPT, opt);
    mem.put8(a + DNS_EXT_RCODE, ext);
    mem.put8(a + A_COUNT, n);
    mem.put16(a + A_NEXT, pos > 0xFFFF ? 0xFFFF : pos);
    mem.put16(a + A_FLAGS, this.flags);
  }
}
