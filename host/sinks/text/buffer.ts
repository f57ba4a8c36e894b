// An OutputBuffer that formats ASCII text straight into its bytes: numbers, hex,
// addresses and constant strings are written digit by digit, so formatting a packet makes
// no JavaScript string at all (the only per-packet cost is the bytes themselves). The
// text formatter, hex dumps and JSON lines all write through it.
import { OutputBuffer, DEFAULT_BUFFER_BYTES } from '../output-buffer.js';
import { longestZeroRun } from '../../runtime/ipv6-zero-run.js';

const HEX = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102];
/** Scratch for number digits (2^53 has 16 decimal digits). */
const DIGITS = new Uint8Array(24);

export class TextBuffer extends OutputBuffer {
  constructor(fd = -1, bufferBytes = DEFAULT_BUFFER_BYTES, ownsFd = false) {
    super(fd, bufferBytes, ownsFd);
  }

  /** A constant or short string; chars above 0xFF are written as '?' (never happens
   *  for the ASCII this project prints; UTF-8 goes through utf8()). */
  str(s: string): this {
    const n = s.length;
    this.ensure(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      b[p++] = c < 256 ? c : 63;
    }
    this.pos = p;
    return this;
  }

  /** A string that may hold non-ASCII text (interface names, JSON strings). */
  utf8(s: string): this {
    this.ensure(s.length * 3);
    const r = new TextEncoder().encodeInto(s, this.buf.subarray(this.pos));
    this.pos += r.written;
    return this;
  }

  ch(c: number): this {
    this.ensure(1);
    this.buf[this.pos++] = c;
    return this;
  }

  /** A non-negative integer below 2^53, in decimal. Integer division by 10 with >>> 0
   *  below 2^32 (every field but a few 64-bit counters), digits written right to left. */
  dec(n: number): this {
    if (n >= 4294967296) return this.decBig(n);
    const d = n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5
      : n < 1000000 ? 6 : n < 10000000 ? 7 : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
    if (this.pos + d > this.buf.length) this.ensure(d);
    const b = this.buf;
    let p = this.pos + d;
    this.pos = p;
    let x = n >>> 0;
    while (x >= 10) {
      const q = (x / 10) >>> 0;
      b[--p] = 48 + x - q * 10;
      x = q;
    }
    b[--p] = 48 + x;
    return this;
  }

  private decBig(n: number): this {
    let k = 0;
    let x = n;
    while (x >= 1) {
      const q = Math.floor(x / 10);
      DIGITS[k++] = 48 + (x - q * 10);
      x = q;
    }
    this.ensure(k);
    const b = this.buf;
    let p = this.pos;
    while (k > 0) b[p++] = DIGITS[--k];
    this.pos = p;
    return this;
  }

  /** A signed integer in decimal. */
  sdec(n: number): this {
    if (n < 0) { this.ch(45); return this.dec(-n); }
    return this.dec(n);
  }

  /** Decimal, left-padded with zeros to `width` digits (n below 2^32). */
  decPad(n: number, width: number): this {
    if (this.pos + width + 10 > this.buf.length) this.ensure(width + 10);
    const b = this.buf;
    let d = 1;
    for (let x = n >>> 0; x >= 10; x = (x / 10) >>> 0) d++;
    for (let i = d; i < width; i++) b[this.pos++] = 48;
    return this.dec(n);
  }

  /** Decimal right-aligned in `width` columns (printf "%5u"). */
  decRight(n: number, width: number): this {
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    for (let i = digits; i < width; i++) this.ch(32);
    return this.dec(n);
  }

  /** Lowercase hex, at least `minDigits` digits (printf "%0Nx"); n below 2^32. */
  hex(n: number, minDigits = 1): this {
    let k = 0;
    let x = n >>> 0;
    do {
      DIGITS[k++] = HEX[x & 15];
      x >>>= 4;
    } while (x !== 0);
    this.ensure(Math.max(k, minDigits));
    const b = this.buf;
    let p = this.pos;
    for (let i = k; i < minDigits; i++) b[p++] = 48;
    while (k > 0) b[p++] = DIGITS[--k];
    this.pos = p;
    return this;
  }

  /** Two hex digits of a byte. */
  hex2(byte: number): this {
    this.ensure(2);
    this.buf[this.pos++] = HEX[(byte >>> 4) & 15];
    this.buf[this.pos++] = HEX[byte & 15];
    return this;
  }

  /** Dotted quad of a 32-bit value. */
  ipv4(v: number): this {
    return this.dec(v >>> 24).ch(46).dec((v >>> 16) & 255).ch(46).dec((v >>> 8) & 255).ch(46).dec(v & 255);
  }

  /** Dotted quad read from 4 bytes. */
  ipv4At(m: Uint8Array, off: number): this {
    return this.dec(m[off]).ch(46).dec(m[off + 1]).ch(46).dec(m[off + 2]).ch(46).dec(m[off + 3]);
  }

  /** IPv6 text as inet_ntop (and tcpdump's addrtostr6) write it: the first longest run of
   *  two or more zero groups as "::", and an embedded IPv4 address as a dotted quad for
   *  ::a.b.c.d (first 96 bits zero, more than 16 bits set) and ::ffff:a.b.c.d. */
  ipv6At(m: Uint8Array, off: number, compat = true): this {
    const run = longestZeroRun(m, off);
    const bestStart = run < 0 ? -1 : run >>> 4;
    const bestLen = run < 0 ? 0 : run & 15;
    for (let i = 0; i < 8; i++) {
      if (bestStart >= 0 && i >= bestStart && i < bestStart + bestLen) {
        if (i === bestStart) this.ch(58);
        continue;
      }
      if (i !== 0) this.ch(58);
      if (i === 6 && bestStart === 0 && ((compat && bestLen === 6) || (bestLen === 5 && m[off + 10] === 0xff && m[off + 11] === 0xff))) {
        this.ipv4At(m, off + 12);
        return this;
      }
      this.hex((m[off + 2 * i] << 8) | m[off + 2 * i + 1]);
    }
    if (bestStart >= 0 && bestStart + bestLen === 8) this.ch(58);
    return this;
  }

  /** aa:bb:cc:dd:ee:ff */
  macAt(m: Uint8Array, off: number): this {
    for (let i = 0; i < 6; i++) {
      if (i) this.ch(58);
      this.hex2(m[off + i]);
    }
    return this;
  }

  /** Pending text since `start` as a string (tests, and the library's string API). */
  textSince(start: number): string {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + start, this.pos - start).toString('latin1');
  }
}
