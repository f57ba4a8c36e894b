// The JSON line writer's byte writers (host/sinks/json/bytes.ts is the twin): each takes
// the output address and returns the address after what it wrote. The caller checks the
// room once per frame, so these never check it; some write up to 8 bytes past what they
// return (the next write covers them, and the room check counts them).
//
// Constant keys are AssemblyScript string literals (static UTF-16 data, never allocated):
// put() narrows 8 UTF-16 units to 8 bytes per step with one SIMD narrow and stores them as
// one u64, so a key costs ~2-4 steps and no runtime call (memory.copy is one).

/** "00" to "99": two digits per division by 100. */
const PAIRS: usize = memory.data<u8>([
  48, 48, 48, 49, 48, 50, 48, 51, 48, 52, 48, 53, 48, 54, 48, 55, 48, 56, 48, 57, 49, 48, 49, 49,
  49, 50, 49, 51, 49, 52, 49, 53, 49, 54, 49, 55, 49, 56, 49, 57, 50, 48, 50, 49, 50, 50, 50, 51,
  50, 52, 50, 53, 50, 54, 50, 55, 50, 56, 50, 57, 51, 48, 51, 49, 51, 50, 51, 51, 51, 52, 51, 53,
  51, 54, 51, 55, 51, 56, 51, 57, 52, 48, 52, 49, 52, 50, 52, 51, 52, 52, 52, 53, 52, 54, 52, 55,
  52, 56, 52, 57, 53, 48, 53, 49, 53, 50, 53, 51, 53, 52, 53, 53, 53, 54, 53, 55, 53, 56, 53, 57,
  54, 48, 54, 49, 54, 50, 54, 51, 54, 52, 54, 53, 54, 54, 54, 55, 54, 56, 54, 57, 55, 48, 55, 49,
  55, 50, 55, 51, 55, 52, 55, 53, 55, 54, 55, 55, 55, 56, 55, 57, 56, 48, 56, 49, 56, 50, 56, 51,
  56, 52, 56, 53, 56, 54, 56, 55, 56, 56, 56, 57, 57, 48, 57, 49, 57, 50, 57, 51, 57, 52, 57, 53,
  57, 54, 57, 55, 57, 56, 57, 57,
]);

/** Per byte value: its decimal digits (up to 3, then '.'), the digit count in the 4th byte. */
const OCTET: usize = memory.data<u8>([
  48, 46, 0, 1, 49, 46, 0, 1, 50, 46, 0, 1, 51, 46, 0, 1, 52, 46, 0, 1, 53, 46, 0, 1,
  54, 46, 0, 1, 55, 46, 0, 1, 56, 46, 0, 1, 57, 46, 0, 1, 49, 48, 46, 2, 49, 49, 46, 2,
  49, 50, 46, 2, 49, 51, 46, 2, 49, 52, 46, 2, 49, 53, 46, 2, 49, 54, 46, 2, 49, 55, 46, 2,
  49, 56, 46, 2, 49, 57, 46, 2, 50, 48, 46, 2, 50, 49, 46, 2, 50, 50, 46, 2, 50, 51, 46, 2,
  50, 52, 46, 2, 50, 53, 46, 2, 50, 54, 46, 2, 50, 55, 46, 2, 50, 56, 46, 2, 50, 57, 46, 2,
  51, 48, 46, 2, 51, 49, 46, 2, 51, 50, 46, 2, 51, 51, 46, 2, 51, 52, 46, 2, 51, 53, 46, 2,
  51, 54, 46, 2, 51, 55, 46, 2, 51, 56, 46, 2, 51, 57, 46, 2, 52, 48, 46, 2, 52, 49, 46, 2,
  52, 50, 46, 2, 52, 51, 46, 2, 52, 52, 46, 2, 52, 53, 46, 2, 52, 54, 46, 2, 52, 55, 46, 2,
  52, 56, 46, 2, 52, 57, 46, 2, 53, 48, 46, 2, 53, 49, 46, 2, 53, 50, 46, 2, 53, 51, 46, 2,
  53, 52, 46, 2, 53, 53, 46, 2, 53, 54, 46, 2, 53, 55, 46, 2, 53, 56, 46, 2, 53, 57, 46, 2,
  54, 48, 46, 2, 54, 49, 46, 2, 54, 50, 46, 2, 54, 51, 46, 2, 54, 52, 46, 2, 54, 53, 46, 2,
  54, 54, 46, 2, 54, 55, 46, 2, 54, 56, 46, 2, 54, 57, 46, 2, 55, 48, 46, 2, 55, 49, 46, 2,
  55, 50, 46, 2, 55, 51, 46, 2, 55, 52, 46, 2, 55, 53, 46, 2, 55, 54, 46, 2, 55, 55, 46, 2,
  55, 56, 46, 2, 55, 57, 46, 2, 56, 48, 46, 2, 56, 49, 46, 2, 56, 50, 46, 2, 56, 51, 46, 2,
  56, 52, 46, 2, 56, 53, 46, 2, 56, 54, 46, 2, 56, 55, 46, 2, 56, 56, 46, 2, 56, 57, 46, 2,
  57, 48, 46, 2, 57, 49, 46, 2, 57, 50, 46, 2, 57, 51, 46, 2, 57, 52, 46, 2, 57, 53, 46, 2,
  57, 54, 46, 2, 57, 55, 46, 2, 57, 56, 46, 2, 57, 57, 46, 2, 49, 48, 48, 3, 49, 48, 49, 3,
  49, 48, 50, 3, 49, 48, 51, 3, 49, 48, 52, 3, 49, 48, 53, 3, 49, 48, 54, 3, 49, 48, 55, 3,
  49, 48, 56, 3, 49, 48, 57, 3, 49, 49, 48, 3, 49, 49, 49, 3, 49, 49, 50, 3, 49, 49, 51, 3,
  49, 49, 52, 3, 49, 49, 53, 3, 49, 49, 54, 3, 49, 49, 55, 3, 49, 49, 56, 3, 49, 49, 57, 3,
  49, 50, 48, 3, 49, 50, 49, 3, 49, 50, 50, 3, 49, 50, 51, 3, 49, 50, 52, 3, 49, 50, 53, 3,
  49, 50, 54, 3, 49, 50, 55, 3, 49, 50, 56, 3, 49, 50, 57, 3, 49, 51, 48, 3, 49, 51, 49, 3,
  49, 51, 50, 3, 49, 51, 51, 3, 49, 51, 52, 3, 49, 51, 53, 3, 49, 51, 54, 3, 49, 51, 55, 3,
  49, 51, 56, 3, 49, 51, 57, 3, 49, 52, 48, 3, 49, 52, 49, 3, 49, 52, 50, 3, 49, 52, 51, 3,
  49, 52, 52, 3, 49, 52, 53, 3, 49, 52, 54, 3, 49, 52, 55, 3, 49, 52, 56, 3, 49, 52, 57, 3,
  49, 53, 48, 3, 49, 53, 49, 3, 49, 53, 50, 3, 49, 53, 51, 3, 49, 53, 52, 3, 49, 53, 53, 3,
  49, 53, 54, 3, 49, 53, 55, 3, 49, 53, 56, 3, 49, 53, 57, 3, 49, 54, 48, 3, 49, 54, 49, 3,
  49, 54, 50, 3, 49, 54, 51, 3, 49, 54, 52, 3, 49, 54, 53, 3, 49, 54, 54, 3, 49, 54, 55, 3,
  49, 54, 56, 3, 49, 54, 57, 3, 49, 55, 48, 3, 49, 55, 49, 3, 49, 55, 50, 3, 49, 55, 51, 3,
  49, 55, 52, 3, 49, 55, 53, 3, 49, 55, 54, 3, 49, 55, 55, 3, 49, 55, 56, 3, 49, 55, 57, 3,
  49, 56, 48, 3, 49, 56, 49, 3, 49, 56, 50, 3, 49, 56, 51, 3, 49, 56, 52, 3, 49, 56, 53, 3,
  49, 56, 54, 3, 49, 56, 55, 3, 49, 56, 56, 3, 49, 56, 57, 3, 49, 57, 48, 3, 49, 57, 49, 3,
  49, 57, 50, 3, 49, 57, 51, 3, 49, 57, 52, 3, 49, 57, 53, 3, 49, 57, 54, 3, 49, 57, 55, 3,
  49, 57, 56, 3, 49, 57, 57, 3, 50, 48, 48, 3, 50, 48, 49, 3, 50, 48, 50, 3, 50, 48, 51, 3,
  50, 48, 52, 3, 50, 48, 53, 3, 50, 48, 54, 3, 50, 48, 55, 3, 50, 48, 56, 3, 50, 48, 57, 3,
  50, 49, 48, 3, 50, 49, 49, 3, 50, 49, 50, 3, 50, 49, 51, 3, 50, 49, 52, 3, 50, 49, 53, 3,
  50, 49, 54, 3, 50, 49, 55, 3, 50, 49, 56, 3, 50, 49, 57, 3, 50, 50, 48, 3, 50, 50, 49, 3,
  50, 50, 50, 3, 50, 50, 51, 3, 50, 50, 52, 3, 50, 50, 53, 3, 50, 50, 54, 3, 50, 50, 55, 3,
  50, 50, 56, 3, 50, 50, 57, 3, 50, 51, 48, 3, 50, 51, 49, 3, 50, 51, 50, 3, 50, 51, 51, 3,
  50, 51, 52, 3, 50, 51, 53, 3, 50, 51, 54, 3, 50, 51, 55, 3, 50, 51, 56, 3, 50, 51, 57, 3,
  50, 52, 48, 3, 50, 52, 49, 3, 50, 52, 50, 3, 50, 52, 51, 3, 50, 52, 52, 3, 50, 52, 53, 3,
  50, 52, 54, 3, 50, 52, 55, 3, 50, 52, 56, 3, 50, 52, 57, 3, 50, 53, 48, 3, 50, 53, 49, 3,
  50, 53, 50, 3, 50, 53, 51, 3, 50, 53, 52, 3, 50, 53, 53, 3,
]);

const HEX: usize = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

/** Copies ASCII key `s` (a literal), 8 characters a step; writes up to 7 bytes past it. */
// @ts-ignore: decorator
@inline export function put(p: usize, s: string): usize {
  const src = changetype<usize>(s);
  const n = <usize>s.length;
  for (let i: usize = 0; i < n; i += 8) {
    const v = v128.load(src + (i << 1));
    store<u64>(p + i, i64x2.extract_lane(i8x16.narrow_i16x8_u(v, v), 0));
  }
  return p + n;
}

/** Decimal digits of `n`. */
// @ts-ignore: decorator
@inline function digits(n: u32): usize {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5
    : n < 1000000 ? 6 : n < 10000000 ? 7 : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
}

/** `n` in decimal, two digits per step from the pairs table. */
export function num(p: usize, n: u32): usize {
  if (n < 10) { store<u8>(p, 48 + n); return p + 1; }
  const d = digits(n);
  let q = p + d;
  let x = n;
  while (x >= 100) {
    const y = x / 100;
    q -= 2;
    store<u16>(q, load<u16>(PAIRS + ((x - y * 100) << 1)));
    x = y;
  }
  if (x >= 10) store<u16>(q - 2, load<u16>(PAIRS + (x << 1)));
  else store<u8>(q - 1, 48 + x);
  return p + d;
}

/** Key `k` then number `n`. */
// @ts-ignore: decorator
@inline export function field(p: usize, k: string, n: u32): usize {
  return num(put(p, k), n);
}

/** A signed number. */
export function snum(p: usize, n: i32): usize {
  if (n < 0) { store<u8>(p, 45); return num(p + 1, <u32>(-n)); }
  return num(p, <u32>n);
}

/** Decimal zero-padded to 9 digits (nanoseconds below 10^9). */
export function nano9(p: usize, n: u32): usize {
  let x = n;
  let q = p + 9;
  for (let k = 0; k < 4; k++) {
    const y = x / 100;
    q -= 2;
    store<u16>(q, load<u16>(PAIRS + ((x - y * 100) << 1)));
    x = y;
  }
  store<u8>(p, 48 + x);
  return p + 9;
}

/** Octet `x` and a '.' after it (overwritten after the last octet): one 4-byte copy. */
// @ts-ignore: decorator
@inline function octet(p: usize, x: u32): usize {
  const o = OCTET + (x << 2);
  store<u32>(p, (load<u32>(o) & 0x00FFFFFF) | 0x2E000000);
  return p + load<u8>(o + 3);
}

/** Dotted quad of a 32-bit value. */
export function ip4(p: usize, v: u32): usize {
  let q = octet(p, v >>> 24) + 1;
  q = octet(q, (v >>> 16) & 255) + 1;
  q = octet(q, (v >>> 8) & 255) + 1;
  return octet(q, v & 255);
}

// @ts-ignore: decorator
@inline export function be16(a: usize): u32 {
  return bswap<u16>(load<u16>(a));
}

// @ts-ignore: decorator
@inline export function be32(a: usize): u32 {
  return bswap<u32>(load<u32>(a));
}

/** Dotted quad read from 4 bytes at `a`. */
export function ip4At(p: usize, a: usize): usize {
  return ip4(p, be32(a));
}

/** aa:bb:cc:dd:ee:ff read from `a`. */
export function mac(p: usize, a: usize): usize {
  let q = p;
  for (let i: usize = 0; i < 6; i++) {
    const x = <usize>load<u8>(a + i);
    store<u8>(q, load<u8>(HEX + (x >> 4)));
    store<u8>(q + 1, load<u8>(HEX + (x & 15)));
    store<u8>(q + 2, 58);
    q += 3;
  }
  return q - 1;
}

function hex16(p: usize, g: u32): usize {
  let q = p;
  if (g >= 0x1000) store<u8>(q++, load<u8>(HEX + (g >>> 12)));
  if (g >= 0x100) store<u8>(q++, load<u8>(HEX + ((g >>> 8) & 15)));
  if (g >= 0x10) store<u8>(q++, load<u8>(HEX + ((g >>> 4) & 15)));
  store<u8>(q++, load<u8>(HEX + (g & 15)));
  return q;
}

/** IPv6 text as host/runtime/addr.ts writes it (RFC 5952: the first longest run of two or
 *  more zero groups as "::", ::ffff:a.b.c.d for a mapped IPv4 address). */
export function ip6(p: usize, a: usize): usize {
  let bestStart = -1;
  let bestLen = 0;
  let curStart = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (load<u16>(a + 2 * i) == 0) {
      if (curStart < 0) { curStart = i; curLen = 1; } else curLen++;
    } else if (curStart >= 0) {
      if (curLen > bestLen) { bestStart = curStart; bestLen = curLen; }
      curStart = -1;
    }
  }
  if (curStart >= 0 && curLen > bestLen) { bestStart = curStart; bestLen = curLen; }
  if (bestLen < 2) { bestStart = -1; bestLen = 0; }
  let q = p;
  for (let i = 0; i < 8; i++) {
    if (bestStart >= 0 && i >= bestStart && i < bestStart + bestLen) {
      if (i == bestStart) store<u8>(q++, 58);
      continue;
    }
    if (i != 0) store<u8>(q++, 58);
    if (i == 6 && bestStart == 0 && bestLen == 5 && load<u16>(a + 10) == 0xFFFF) return ip4At(q, a + 12);
    q = hex16(q, be16(a + 2 * i));
  }
  if (bestStart >= 0 && bestStart + bestLen == 8) store<u8>(q++, 58);
  return q;
}

/** Hex of `len` bytes at `a`. */
export function hex(p: usize, a: usize, len: usize): usize {
  for (let i: usize = 0; i < len; i++) {
    const x = <usize>load<u8>(a + i);
    store<u8>(p + 2 * i, load<u8>(HEX + (x >> 4)));
    store<u8>(p + 2 * i + 1, load<u8>(HEX + (x & 15)));
  }
  return p + 2 * len;
}

/** Copies `len` bytes from `a`; 0 when one is not printable ASCII or is '"' or '\' (the
 *  general path escapes or decodes those). */
export function text(p: usize, a: usize, len: usize): usize {
  for (let i: usize = 0; i < len; i++) {
    const c = load<u8>(a + i);
    if (c < 0x20 || c >= 0x7F || c == 0x22 || c == 0x5C) return 0;
    store<u8>(p + i, c);
  }
  return p + len;
}

/** Short JSON escapes by control byte (b, t, n, f, r), 0 for \u00XX. */
// @ts-ignore: decorator
@inline function shortEscape(c: u32): u32 {
  return c == 8 ? 98 : c == 9 ? 116 : c == 10 ? 110 : c == 12 ? 102 : c == 13 ? 114 : 0;
}

/**
 * `len` bytes at `a` as the inside of a JSON string, as JSON.stringify writes what a
 * TextDecoder('utf-8') (WHATWG: a leading BOM dropped, each maximal invalid subpart one
 * U+FFFD) gives for them: valid UTF-8 copied, U+FFFD as EF BF BD, '"', '\' and the control
 * characters escaped. Writes at most 6 bytes per byte read.
 */
export function utf8Json(p0: usize, a: usize, len: usize): usize {
  let p = p0;
  let i: usize = 0;
  if (len >= 3 && load<u8>(a) == 0xEF && load<u8>(a + 1) == 0xBB && load<u8>(a + 2) == 0xBF) i = 3;
  while (i < len) {
    const b = <u32>load<u8>(a + i);
    if (b < 0x80) {
      if (b >= 0x20 && b != 0x22 && b != 0x5C) { store<u8>(p++, <u8>b); i++; continue; }
      store<u8>(p++, 0x5C);
      const e = b == 0x22 || b == 0x5C ? b : shortEscape(b);
      if (e != 0) { store<u8>(p++, <u8>e); i++; continue; }
      store<u32>(p, 0x30303075); // "u00"
      store<u8>(p + 3, 48 + (b >>> 4));
      store<u8>(p + 4, load<u8>(HEX + (b & 15)));
      p += 5;
      i++;
      continue;
    }
    let need: usize = 0;
    let lower: u32 = 0x80;
    let upper: u32 = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) need = 1;
    else if (b >= 0xE0 && b <= 0xEF) { need = 2; if (b == 0xE0) lower = 0xA0; if (b == 0xED) upper = 0x9F; }
    else if (b >= 0xF0 && b <= 0xF4) { need = 3; if (b == 0xF0) lower = 0x90; if (b == 0xF4) upper = 0x8F; }
    let j = i + 1;
    let ok = need != 0;
    for (let k: usize = 0; k < need; k++) {
      if (j >= len) { ok = false; break; }
      const c = <u32>load<u8>(a + j);
      if (c < lower || c > upper) { ok = false; break; }
      lower = 0x80;
      upper = 0xBF;
      j++;
    }
    if (ok) {
      for (let q = i; q < j; q++) store<u8>(p++, load<u8>(a + q));
    } else {
      // U+FFFD for the maximal subpart [i, j) (or the lone byte); the byte that broke it
      // starts the next sequence.
      store<u16>(p, 0xBFEF);
      store<u8>(p + 2, 0xBD);
      p += 3;
    }
    i = j;
  }
  return p;
}
