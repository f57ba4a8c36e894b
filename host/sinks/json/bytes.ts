// The JSON sink's byte writers: each takes the output bytes and a position and returns the
// position after what it wrote, so a frame's line is written with the buffer and the
// position in locals (one room check per frame, not one per field: the caller reserves the
// room first). Constant text is pre-encoded once (lit) and copied byte by byte; numbers and
// addresses are written digit by digit. No string and no object per field.
import { longestZeroRun } from '../../runtime/ipv6-zero-run.js';

const HEX = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

/** Constant ASCII text, encoded once. */
export function lit(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

/** Copies constant `k`, four bytes a turn (keys are mostly 6-20 bytes: fewer loop tests). */
export function put(b: Uint8Array, p: number, k: Uint8Array): number {
  const n = k.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    b[p + i] = k[i]; b[p + i + 1] = k[i + 1]; b[p + i + 2] = k[i + 2]; b[p + i + 3] = k[i + 3];
  }
  for (; i < n; i++) b[p + i] = k[i];
  return p + n;
}

/** Constant `k` then number `n` (a key and its value): one call where put() and num() would
 *  be two, the copy and the digits written here. */
export function field(b: Uint8Array, p: number, k: Uint8Array, n: number): number {
  const kn = k.length;
  let i = 0;
  for (; i + 4 <= kn; i += 4) {
    b[p + i] = k[i]; b[p + i + 1] = k[i + 1]; b[p + i + 2] = k[i + 2]; b[p + i + 3] = k[i + 3];
  }
  for (; i < kn; i++) b[p + i] = k[i];
  const q = p + kn;
  if (n < 10) { b[q] = 48 + n; return q + 1; }
  if (n >= 4294967296) return big(b, q, n);
  const d = n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5
    : n < 1000000 ? 6 : n < 10000000 ? 7 : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
  let x = n >>> 0;
  let w = q + d;
  while (x >= 10) {
    const y = (x / 10) >>> 0;
    b[--w] = 48 + x - y * 10;
    x = y;
  }
  b[--w] = 48 + x;
  return q + d;
}

/** A non-negative integer below 2^53 in decimal. */
export function num(b: Uint8Array, p: number, n: number): number {
  if (n < 10) { b[p] = 48 + n; return p + 1; }
  if (n >= 4294967296) return big(b, p, n);
  const d = n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5
    : n < 1000000 ? 6 : n < 10000000 ? 7 : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
  let x = n >>> 0;
  let q = p + d;
  while (x >= 10) {
    const y = (x / 10) >>> 0;
    b[--q] = 48 + x - y * 10;
    x = y;
  }
  b[--q] = 48 + x;
  return p + d;
}

function big(b: Uint8Array, p: number, n: number): number {
  const s = String(n);
  for (let i = 0; i < s.length; i++) b[p + i] = s.charCodeAt(i);
  return p + s.length;
}

/** A signed integer in decimal. */
export function snum(b: Uint8Array, p: number, n: number): number {
  if (n < 0) { b[p] = 45; return num(b, p + 1, -n); }
  return num(b, p, n);
}

/** "00" to "99": two digits per division where a loop of one would take two. */
const PAIRS = new Uint8Array(200);
for (let x = 0; x < 100; x++) { PAIRS[2 * x] = 48 + ((x / 10) | 0); PAIRS[2 * x + 1] = 48 + (x % 10); }

/** Decimal zero-padded to 9 digits (nanoseconds); n below 10^9. */
export function nano9(b: Uint8Array, p: number, n: number): number {
  let x = n >>> 0;
  let q = p + 9;
  for (let k = 0; k < 4; k++) {
    const y = (x / 100) >>> 0;
    const r = (x - y * 100) << 1;
    b[--q] = PAIRS[r + 1];
    b[--q] = PAIRS[r];
    x = y;
  }
  b[p] = 48 + x;
  return p + 9;
}

/** Per byte value 0-255: its decimal digits (up to 3, then a '.'), the count in the 4th
 *  byte: an address octet is one table read and a fixed 4-byte copy. */
const OCTET = new Uint8Array(1024);
for (let x = 0; x < 256; x++) {
  const s = `${x}.`;
  for (let i = 0; i < s.length; i++) OCTET[4 * x + i] = s.charCodeAt(i);
  OCTET[4 * x + 3] = s.length - 1;
}

/** Octet `x` and a '.' after it (overwritten after the last octet). */
function octet(b: Uint8Array, p: number, x: number): number {
  const o = x << 2;
  b[p] = OCTET[o]; b[p + 1] = OCTET[o + 1]; b[p + 2] = OCTET[o + 2]; b[p + 3] = 46;
  return p + OCTET[o + 3];
}

/** Dotted quad of a 32-bit value. */
export function ip4(b: Uint8Array, p: number, v: number): number {
  let q = octet(b, p, v >>> 24) + 1;
  q = octet(b, q, (v >>> 16) & 255) + 1;
  q = octet(b, q, (v >>> 8) & 255) + 1;
  return octet(b, q, v & 255);
}

/** Dotted quad read from 4 bytes of `m` at `off`. */
export function ip4At(b: Uint8Array, p: number, m: Uint8Array, off: number): number {
  return ip4(b, p, ((m[off] << 24) | (m[off + 1] << 16) | (m[off + 2] << 8) | m[off + 3]) >>> 0);
}

/** aa:bb:cc:dd:ee:ff read from `m` at `off`. */
export function mac(b: Uint8Array, p: number, m: Uint8Array, off: number): number {
  let q = p;
  for (let i = 0; i < 6; i++) {
    if (i) b[q++] = 58;
    const x = m[off + i];
    b[q++] = HEX[x >>> 4];
    b[q++] = HEX[x & 15];
  }
  return q;
}

function hex16(b: Uint8Array, p: number, g: number): number {
  let q = p;
  if (g >= 0x1000) b[q++] = HEX[g >>> 12];
  if (g >= 0x100) b[q++] = HEX[(g >>> 8) & 15];
  if (g >= 0x10) b[q++] = HEX[(g >>> 4) & 15];
  b[q++] = HEX[g & 15];
  return q;
}

/** IPv6 text as host/runtime/addr.ts's ipv6ToString (and TextBuffer.ipv6At without the
 *  ::a.b.c.d compatible form) write it: the first longest run of two or more zero groups
 *  as "::", ::ffff:a.b.c.d for a mapped IPv4 address. */
export function ip6(b: Uint8Array, p: number, m: Uint8Array, off: number): number {
  const run = longestZeroRun(m, off);
  const bestStart = run < 0 ? -1 : run >>> 4;
  const bestLen = run < 0 ? 0 : run & 15;
  let q = p;
  for (let i = 0; i < 8; i++) {
    if (bestStart >= 0 && i >= bestStart && i < bestStart + bestLen) {
      if (i === bestStart) b[q++] = 58;
      continue;
    }
    if (i !== 0) b[q++] = 58;
    if (i === 6 && bestStart === 0 && bestLen === 5 && m[off + 10] === 0xff && m[off + 11] === 0xff) return ip4At(b, q, m, off + 12);
    q = hex16(b, q, (m[off + 2 * i] << 8) | m[off + 2 * i + 1]);
  }
  if (bestStart >= 0 && bestStart + bestLen === 8) b[q++] = 58;
  return q;
}

/** Copies `len` bytes of `m` from `at`; -1 when one is not printable ASCII or is '"' or '\'. */
export function text(b: Uint8Array, p: number, m: Uint8Array, at: number, len: number): number {
  for (let i = 0; i < len; i++) {
    const c = m[at + i];
    if (c < 0x20 || c >= 0x7F || c === 0x22 || c === 0x5C) return -1;
    b[p + i] = c;
  }
  return p + len;
}
