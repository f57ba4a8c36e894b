// Pure-TS twin of assembly/app/tls.ts: the same walk, the same bounds checks, the same
// record bytes (test/app-tls-fuzz.test.ts demands identical records on mutated frames).
import { WalkingDecoderTwin } from '../twin-memory.js';
import {
  A_COUNT, APP_TLS,
  AF_TRUNC, AF_MALFORMED, AF_MORE, TV_CONT,
  TLS_HS_COUNT, TLS_HELLO, TLS_EXT_COUNT, TLS_SID_LEN, TLS_HELLO_OFF, TLS_HELLO_VERSION, TLS_HELLO_LEN,
  TLS_RANDOM, TLS_SID, TLS_SUITES, TLS_SUITES_LEN, TLS_COMP, TLS_COMP_LEN, TLS_EXTS, TLS_EXTS_LEN,
  TLS_SNI, TLS_SNI_LEN, TLS_ALPN, TLS_ALPN_LEN, TLS_SV, TLS_SV_LEN, TLS_GROUPS, TLS_GROUPS_LEN,
  TLS_ECPF, TLS_ECPF_LEN, TLS_SIGALGS, TLS_SIGALGS_LEN, TLS_BAD_EXT, TLS_HS_TYPES, TLS_HS_MAX,
  TLS_ITEMS, TLS_ITEM_SIZE, TLS_ITEM_MAX, TR_OFF, TR_LEN, TR_VERSION, TR_TYPE, TR_FLAGS, TRF_PARTIAL,
} from '../app-layout.js';

const CT_HANDSHAKE = 22;
const HS_CLIENT_HELLO = 1;
const HS_SERVER_HELLO = 2;
const EXT_SERVER_NAME = 0;
const EXT_GROUPS = 10;
const EXT_EC_POINT_FORMATS = 11;
const EXT_SIG_ALGS = 13;
const EXT_ALPN = 16;
const EXT_SUPPORTED_VERSIONS = 43;
const MAX_RECORD = 18432;

export class TlsTwin extends WalkingDecoderTwin {
  private variant = 0;
  private hsEnd = 0;
  private recEnd = 0;
  private avail = 0;

  /** tls_sniff(f, pay, capEnd) of assembly/app/tls.ts. */
  sniff(f: number, pay: number, capEnd: number): boolean {
    if (pay + 3 > capEnd) return false;
    const m = this.mem.m;
    const t = m[f + pay];
    if (t < 20 || t > 24 || m[f + pay + 1] !== 3 || m[f + pay + 2] > 4) return false;
    return pay + 5 > capEnd || this.mem.be16(f + pay + 3) <= MAX_RECORD;
  }

  private need(end: number): boolean {
    if (end <= this.avail) return true;
    if (end > this.hsEnd) this.flags |= AF_MALFORMED;
    else if (end > this.capEnd && this.capEnd < this.declEnd) this.flags |= AF_TRUNC;
    else this.variant |= TV_CONT;
    return false;
  }

  private get16(p: number): number { return this.mem.m16[p >>> 1]; }

  private extension(f: number, a: number, hello: number, t: number, d: number, e: number): boolean {
    const mem = this.mem;
    const m = mem.m;
    const l = e - d;
    if (t === EXT_SERVER_NAME) {
      if (l === 0) return true;
      if (l < 2 || d + 2 + mem.be16(f + d) !== e) return false;
      let p = d + 2;
      let hosts = 0;
      let bad = false;
      while (p < e) {
        if (p + 3 > e) return false;
        const nt = m[f + p];
        const nl = mem.be16(f + p + 1);
        if (p + 3 + nl > e) return false;
        if (nt === 0) {
          if (hosts++ > 0) bad = true;
          else if (this.get16(a + TLS_SNI) === 0 && nl > 0) {
            mem.put16(a + TLS_SNI, p + 3);
            mem.put16(a + TLS_SNI_LEN, nl);
          }
        }
        p += 3 + nl;
      }
      return !bad;
    }
    if (t === EXT_ALPN) {
      if (l < 2 || d + 2 + mem.be16(f + d) !== e) return false;
      let p = d + 2;
      while (p < e) {
        const nl = m[f + p];
        if (nl === 0 || p + 1 + nl > e) return false;
        p += 1 + nl;
      }
      if (this.get16(a + TLS_ALPN) === 0 && e > d + 2) {
        mem.put16(a + TLS_ALPN, d + 2);
        mem.put16(a + TLS_ALPN_LEN, e - d - 2);
      }
      return true;
    }
    if (t === EXT_SUPPORTED_VERSIONS) {
      if (hello === HS_SERVER_HELLO) {
        if (l !== 2) return false;
        if (this.get16(a + TLS_SV) === 0) { mem.put16(a + TLS_SV, d); mem.put16(a + TLS_SV_LEN, 2); }
        return true;
      }
      if (l < 1) return false;
      const n = m[f + d];
      if (d + 1 + n !== e || (n & 1) !== 0) return false;
      if (this.get16(a + TLS_SV) === 0 && n > 0) { mem.put16(a + TLS_SV, d + 1); mem.put16(a + TLS_SV_LEN, n); }
      return true;
    }
    if (t === EXT_GROUPS || t === EXT_SIG_ALGS) {
      if (l < 2) return false;
      const n = mem.be16(f + d);
      if (d + 2 + n !== e || (n & 1) !== 0) return false;
      const at = t === EXT_GROUPS ? TLS_GROUPS : TLS_SIGALGS;
      if (this.get16(a + at) === 0 && n > 0) { mem.put16(a + at, d + 2); mem.put16(a + at + 2, n); }
      return true;
    }
    if (t === EXT_EC_POINT_FORMATS) {
      if (l < 1) return false;
      const n = m[f + d];
      if (d + 1 + n !== e) return false;
      if (this.get16(a + TLS_ECPF) === 0 && n > 0) { mem.put16(a + TLS_ECPF, d + 1); mem.put16(a + TLS_ECPF_LEN, n); }
      return true;
    }
    return true;
  }

  private hello(f: number, a: number, type: number, body: number, len: number, recEnd: number): void {
    const mem = this.mem;
    const m = mem.m;
    this.hsEnd = body + len;
    this.recEnd = recEnd;
    this.avail = Math.min(this.hsEnd, recEnd, this.capEnd);
    mem.put8(a + TLS_HELLO, type);
    mem.put16(a + TLS_HELLO_OFF, body);
    mem.put32(a + TLS_HELLO_LEN, len);
    let p = body;
    if (!this.need(p + 35)) return;
    mem.put16(a + TLS_HELLO_VERSION, mem.be16(f + p));
    mem.put16(a + TLS_RANDOM, p + 2);
    const sid = m[f + p + 34];
    p += 35;
    if (sid > 32) { this.flags |= AF_MALFORMED; return; }
    if (!this.need(p + sid)) return;
    mem.put8(a + TLS_SID_LEN, sid);
    mem.put16(a + TLS_SID, p);
    p += sid;
    if (type === HS_CLIENT_HELLO) {
      if (!this.need(p + 2)) return;
      const n = mem.be16(f + p);
      p += 2;
      if (n < 2 || (n & 1) !== 0) { this.flags |= AF_MALFORMED; return; }
      if (!this.need(p + n)) return;
      mem.put16(a + TLS_SUITES, p);
      mem.put16(a + TLS_SUITES_LEN, n);
      p += n;
      if (!this.need(p + 1)) return;
      const c = m[f + p];
      p += 1;
      if (c < 1) { this.flags |= AF_MALFORMED; return; }
      if (!this.need(p + c)) return;
      mem.put16(a + TLS_COMP, p);
      mem.put16(a + TLS_COMP_LEN, c);
      p += c;
    } else {
      if (!this.need(p + 3)) return;
      mem.put16(a + TLS_SUITES, p);
      mem.put16(a + TLS_SUITES_LEN, 2);
      mem.put16(a + TLS_COMP, p + 2);
      mem.put16(a + TLS_COMP_LEN, 1);
      p += 3;
    }
    if (p === this.hsEnd) return;
    if (!this.need(p + 2)) return;
    const blockLen = mem.be16(f + p);
    p += 2;
    let blockEnd = p + blockLen;
    if (blockEnd > this.hsEnd) { this.flags |= AF_MALFORMED; blockEnd = this.hsEnd; }
    else if (blockEnd < this.hsEnd) this.flags |= AF_MALFORMED;
    mem.put16(a + TLS_EXTS, p);
    mem.put16(a + TLS_EXTS_LEN, blockLen);
    let n = 0;
    while (p < blockEnd) {
      if (p + 4 > blockEnd) { this.flags |= AF_MALFORMED; break; }
      if (!this.need(p + 4)) break;
      const t = mem.be16(f + p);
      const e = p + 4 + mem.be16(f + p + 2);
      if (e > blockEnd) { this.flags |= AF_MALFORMED; break; }
      if (!this.need(e)) break;
      if (n < 255) n++;
      if (!this.extension(f, a, type, t, p + 4, e)) {
        this.flags |= AF_MALFORMED;
        if (this.get16(a + TLS_BAD_EXT) === 0) mem.put16(a + TLS_BAD_EXT, n);
      }
      p = e;
    }
    mem.put8(a + TLS_EXT_COUNT, n);
  }

  /** tls_decode(f, pay, payLen, capEnd, variant, a) of assembly/app/tls.ts. */
  decode(f: number, pay: number, payLen: number, capEnd: number, variant: number, a: number): void {
    const mem = this.mem;
    const m = mem.m;
    this.variant = variant;
    capEnd = this.beginWalk(a, APP_TLS, pay, payLen, capEnd, TLS_HS_COUNT, TLS_ITEMS);
    let pos = pay;
    let n = 0;
    let hs = 0;
    while (pos < this.declEnd) {
      if (pos + 5 > capEnd) {
        if (capEnd < this.declEnd) this.flags |= AF_TRUNC;
        break;
      }
      if (n >= TLS_ITEM_MAX) { this.flags |= AF_MORE; break; }
      const t = m[f + pos];
      const ver = mem.be16(f + pos + 1);
      const len = mem.be16(f + pos + 3);
      if (t < 20 || t > 24 || (ver >>> 8) !== 3 || len > MAX_RECORD) { this.flags |= AF_MALFORMED; break; }
      const recEnd = pos + 5 + len;
      const it = a + TLS_ITEMS + n * TLS_ITEM_SIZE;
      mem.put16(it + TR_OFF, pos);
      mem.put16(it + TR_LEN, len);
      mem.put16(it + TR_VERSION, ver);
      mem.put8(it + TR_TYPE, t);
      mem.put8(it + TR_FLAGS, recEnd > this.declEnd ? TRF_PARTIAL : 0);
      if (t === CT_HANDSHAKE) {
        let p = pos + 5;
        while (p + 4 <= recEnd) {
          if (p + 4 > capEnd) {
            if (capEnd < this.declEnd) this.flags |= AF_TRUNC;
            break;
          }
          const ht = m[f + p];
          const hl = ((m[f + p + 1] << 16) | mem.be16(f + p + 2)) >>> 0;
          const whole = p + 4 + hl <= recEnd && p + 4 + hl <= this.declEnd;
          const first = m[a + TLS_HELLO] === 0;
          if ((ht === HS_CLIENT_HELLO || ht === HS_SERVER_HELLO) && first && (whole || (n === 0 && p === pos + 5))) {
            this.hello(f, a, ht, p + 4, hl, recEnd);
          }
          if (!whole) break;
          if (hs < TLS_HS_MAX) mem.put8(a + TLS_HS_TYPES + hs, ht);
          if (hs < 255) hs++;
          p += 4 + hl;
        }
      }
      n++;
      pos = recEnd;
    }
    mem.put8(a + TLS_HS_COUNT, hs);
    mem.put8(a + A_COUNT, n);
    let next = pos;
    if ((this.flags & AF_MORE) === 0 && next > capEnd) next = capEnd;
    mem.endRecord(a, next > 0xFFFF ? 0xFFFF : next, this.variant, this.flags);
  }
}
