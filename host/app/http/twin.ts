// Pure-TS twin of assembly/app/http.ts: the same walk, the same bounds checks, the same
// record bytes (test/app-http-fuzz.test.ts demands identical records on mutated frames).
import { WalkingDecoderTwin } from '../twin-memory.js';
import {
  APP_HTTP, AF_TRUNC, AF_MALFORMED,
  HV_REQUEST, HV_RESPONSE, HV_CONT, HV_BARE_LF,
  HTTP_METHOD, HTTP_METHOD_LEN, HTTP_HEADERS, HTTP_URI, HTTP_URI_LEN, HTTP_VERSION, HTTP_CODE, HTTP_PHRASE, HTTP_PHRASE_LEN,
  HTTP_HOST, HTTP_UA, HTTP_CTYPE, HTTP_CLEN, HTTP_SERVER, HTTP_BODY, HTTP_LINE_END,
} from '../app-layout.js';

const MAX_METHOD = 32;
const SP = 0x20;
const HTAB = 0x09;
const CR = 0x0D;
const LF = 0x0A;

const digit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** RFC 9110 §5.6.2 tchar. */
export function tchar(c: number): boolean {
  if (digit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A)) return true;
  return c === 0x21 || (c >= 0x23 && c <= 0x27) || c === 0x2A || c === 0x2B || c === 0x2D || c === 0x2E
    || c === 0x5E || c === 0x5F || c === 0x60 || c === 0x7C || c === 0x7E;
}

export class HttpTwin extends WalkingDecoderTwin {
  private variant = 0;

  private ranOut(): void {
    if (this.capEnd < this.declEnd) this.flags |= AF_TRUNC;
    else this.variant |= HV_CONT;
  }

  /** Little-endian u32 at any byte address, as WASM's load<u32>. */
  private le32(p: number): number {
    const m = this.mem.m;
    return (m[p] | (m[p + 1] << 8) | (m[p + 2] << 16) | (m[p + 3] << 24)) >>> 0;
  }

  private le16(p: number): number {
    const m = this.mem.m;
    return m[p] | (m[p + 1] << 8);
  }

  /** http_sniff(f, pay, capEnd) of assembly/app/http.ts. */
  sniff(f: number, pay: number, capEnd: number): boolean {
    if (pay + 5 > capEnd) return false;
    const m = this.mem.m;
    const w = this.le32(f + pay);
    if (w === 0x20544547 || w === 0x20545550) return true;
    const c4 = m[f + pay + 4];
    if ((w === 0x54534F50 || w === 0x44414548) && c4 === SP) return true;
    if (w === 0x50545448) return c4 === 0x2F;
    if (pay + 8 > capEnd) return pay + 6 <= capEnd && w === 0x43544150 && this.le16(f + pay + 4) === 0x2048;
    const w2 = this.le32(f + pay + 4);
    if (w === 0x43544150) return (w2 & 0xFFFF) === 0x2048;
    if (w === 0x43415254) return (w2 & 0xFFFF) === 0x2045;
    if (w === 0x454C4544) return (w2 & 0xFFFFFF) === 0x204554;
    if (w === 0x4954504F) return w2 === 0x20534E4F;
    if (w === 0x4E4E4F43) return w2 === 0x20544345;
    return false;
  }

  private version(f: number, p: number): boolean {
    const m = this.mem.m;
    return this.le32(f + p) === 0x50545448 && m[f + p + 4] === 0x2F && digit(m[f + p + 5]) && m[f + p + 6] === 0x2E && digit(m[f + p + 7]);
  }

  private lineEnd(f: number, p: number): number {
    const m = this.mem.m;
    if (p >= this.capEnd) { this.ranOut(); return 0; }
    const c = m[f + p];
    if (c === LF) { this.variant |= HV_BARE_LF; return p + 1; }
    if (c !== CR) { this.flags |= AF_MALFORMED; return 0; }
    if (p + 1 >= this.capEnd) { this.ranOut(); return 0; }
    if (m[f + p + 1] !== LF) { this.flags |= AF_MALFORMED; return 0; }
    return p + 2;
  }

  private requestLine(f: number, a: number, p: number, known: boolean): number {
    const mem = this.mem;
    const m = mem.m;
    const capEnd = this.capEnd;
    const start = p;
    while (p < capEnd && p - start <= MAX_METHOD && tchar(m[f + p])) p++;
    if (p >= capEnd || p === start || p - start > MAX_METHOD || m[f + p] !== SP) return 0;
    const mEnd = p;
    const u = ++p;
    while (p < capEnd) {
      const c = m[f + p];
      if (c <= SP || c === 0x7F) break;
      p++;
    }
    const uEnd = p;
    const v = p + 1;
    const cut = p >= capEnd || v + 8 > capEnd;
    const ok = !cut && p > u && m[f + p] === SP && this.version(f, v);
    if (!ok && !known) return 0;
    mem.put16(a + HTTP_METHOD, start);
    mem.put8(a + HTTP_METHOD_LEN, mEnd - start);
    this.variant |= HV_REQUEST;
    if (uEnd > u && (uEnd >= capEnd || m[f + uEnd] === SP || m[f + uEnd] === CR || m[f + uEnd] === LF)) {
      mem.put16(a + HTTP_URI, u);
      mem.put16(a + HTTP_URI_LEN, uEnd - u);
    }
    if (!ok) {
      if (cut && (uEnd >= capEnd || (uEnd > u && m[f + uEnd] === SP))) this.ranOut();
      else this.flags |= AF_MALFORMED;
      return 0;
    }
    mem.put16(a + HTTP_VERSION, v);
    return this.lineEnd(f, v + 8);
  }

  private statusLine(f: number, a: number, p: number): number {
    const mem = this.mem;
    const m = mem.m;
    if (p + 12 > this.capEnd) { this.ranOut(); return 0; }
    if (!this.version(f, p) || m[f + p + 8] !== SP) return 0;
    const c0 = m[f + p + 9];
    const c1 = m[f + p + 10];
    const c2 = m[f + p + 11];
    if (!digit(c0) || !digit(c1) || !digit(c2)) return 0;
    this.variant |= HV_RESPONSE;
    mem.put16(a + HTTP_VERSION, p);
    mem.put16(a + HTTP_CODE, (c0 - 0x30) * 100 + (c1 - 0x30) * 10 + (c2 - 0x30));
    p += 12;
    if (p < this.capEnd && m[f + p] === SP) {
      const r = ++p;
      while (p < this.capEnd) {
        const c = m[f + p];
        if ((c < SP && c !== HTAB) || c === 0x7F) break;
        p++;
      }
      mem.put16(a + HTTP_PHRASE, r);
      mem.put16(a + HTTP_PHRASE_LEN, p - r);
    }
    return this.lineEnd(f, p);
  }

  private headerSlot(f: number, n: number, len: number): number {
    const low4 = (p: number): number => (this.le32(f + p) | 0x20202020) >>> 0;
    const low2 = (p: number): number => this.le16(f + p) | 0x2020;
    if (len === 4 && low4(n) === 0x74736F68) return HTTP_HOST;
    if (len === 6 && low4(n) === 0x76726573 && low2(n + 4) === 0x7265) return HTTP_SERVER;
    if (len === 10 && low4(n) === 0x72657375 && low4(n + 4) === 0x6567612D && low2(n + 8) === 0x746E) return HTTP_UA;
    if ((len === 12 || len === 14) && low4(n) === 0x746E6F63 && low4(n + 4) === 0x2D746E65) {
      if (len === 12 && low4(n + 8) === 0x65707974) return HTTP_CTYPE;
      if (len === 14 && low4(n + 8) === 0x676E656C && low2(n + 12) === 0x6874) return HTTP_CLEN;
    }
    return 0;
  }

  private keep(f: number, a: number, name: number, nameLen: number, v: number, ve: number): void {
    const slot = this.headerSlot(f, name, nameLen);
    if (slot === 0) return;
    if (this.mem.m16[(a + slot) >>> 1] === 0) {
      this.mem.put16(a + slot, v);
      this.mem.put16(a + slot + 2, ve - v);
    } else if (slot === HTTP_HOST) {
      this.flags |= AF_MALFORMED;
    }
  }

  private headers(f: number, a: number, p: number): number {
    const mem = this.mem;
    const m = mem.m;
    const capEnd = this.capEnd;
    let n = 0;
    for (;;) {
      if (p >= capEnd) { this.ranOut(); break; }
      const c = m[f + p];
      if (c === CR || c === LF) {
        const e = this.lineEnd(f, p);
        if (e !== 0) { mem.put16(a + HTTP_BODY, e); p = e; }
        break;
      }
      if (c === SP || c === HTAB) { this.flags |= AF_MALFORMED; break; }
      const name = p;
      while (p < capEnd && tchar(m[f + p])) p++;
      if (p >= capEnd) { this.ranOut(); break; }
      let good = p > name && m[f + p] === 0x3A;
      const nameLen = p - name;
      if (good) {
        p++;
        while (p < capEnd && (m[f + p] === SP || m[f + p] === HTAB)) p++;
      }
      const v = p;
      while (p < capEnd) {
        const b = m[f + p];
        if (b === CR || b === LF) break;
        if ((b < SP && b !== HTAB) || b === 0x7F) good = false;
        p++;
      }
      let ve = p;
      while (ve > v && (m[f + ve - 1] === SP || m[f + ve - 1] === HTAB)) ve--;
      if (p >= capEnd) {
        if (good && capEnd < this.declEnd) this.keep(f, a, name, nameLen, v, ve);
        this.ranOut();
        break;
      }
      if (good) this.keep(f, a, name, nameLen, v, ve);
      else this.flags |= AF_MALFORMED;
      if (n < 255) n++;
      const e = this.lineEnd(f, p);
      if (e === 0) break;
      p = e;
    }
    mem.put8(a + HTTP_HEADERS, n);
    return p;
  }

  /** http_decode(f, pay, payLen, capEnd, variant, a) of assembly/app/http.ts. */
  decode(f: number, pay: number, payLen: number, capEnd: number, variant: number, a: number): void {
    const mem = this.mem;
    this.variant = variant;
    capEnd = this.beginWalk(a, APP_HTTP, pay, payLen, capEnd, HTTP_METHOD, HTTP_LINE_END + 2);
    let next = pay;
    let e = 0;
    if (pay + 5 <= capEnd && this.le32(f + pay) === 0x50545448 && mem.m[f + pay + 4] === 0x2F) e = this.statusLine(f, a, pay);
    else e = this.requestLine(f, a, pay, this.sniff(f, pay, capEnd));
    if (e !== 0) {
      mem.put16(a + HTTP_LINE_END, e);
      next = this.headers(f, a, e);
    }
    mem.endRecord(a, next, this.variant, this.flags);
  }
}
