// The conversation table of `tshark -q -z conv,tcp` / `conv,udp`, written from a
// ConversationStore straight into an OutputBuffer: each row's bytes go into the reused
// buffer (numbers and IPv4 endpoints digit by digit), the kernel gets a megabyte at a
// time, and nothing is kept per row. The text is formatConversationTable's
// (./conversations.ts), byte for byte; test/flows-tshark.test.ts holds both to tshark.
import type { OutputBuffer } from '../sinks/output-buffer.js';
import { ipv6ToString } from '../runtime/addr.js';
import {
  ConversationStore, CM_UDP, CM_V6, CR_ADDR_A, CR_ADDR_B, CR_FIRST_NSEC, CR_FIRST_SEC, CR_FRAMES_AB, CR_FRAMES_BA,
  CR_F64_BYTES_AB, CR_F64_BYTES_BA, CR_LAST_NSEC, CR_LAST_SEC, CR_META, CR_PORTS,
} from './conversation-store.js';

const RULE = '================================================================================';
const UNITS = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];
/** The widest row: two 26+ endpoints (IPv6 ones run past 26), counters, times. */
const ROW_MAX = 512;

/** Writes an ASCII string at `p`; returns the position after it. */
function ascii(b: Uint8Array, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
  return p;
}

function spaces(b: Uint8Array, p: number, n: number): number {
  for (let i = 0; i < n; i++) b[p++] = 32;
  return p;
}

/** Decimal digits of a non-negative integer. */
function digitCount(n: number): number {
  let d = 1;
  while (n >= 10) { n = Math.floor(n / 10); d++; }
  return d;
}

/** "00" to "99": two digits a division. */
const PAIRS = (() => {
  const t = new Uint8Array(200);
  for (let i = 0; i < 100; i++) { t[2 * i] = 48 + ((i / 10) | 0); t[2 * i + 1] = 48 + (i % 10); }
  return t;
})();

/** Writes a non-negative integer (below 2^53) at `p`. */
function uint(b: Uint8Array, p: number, n: number): number {
  if (n < 10) { b[p] = 48 + n; return p + 1; }
  if (n < 0x80000000) {
    // Small integers (ports, octets, most counters): int32 arithmetic, two digits a turn.
    const d = n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5 : digitsOf(n);
    let q = p + d;
    while (n >= 100) {
      const t = (n / 100) | 0;
      const r = (n - t * 100) << 1;
      b[--q] = PAIRS[r + 1];
      b[--q] = PAIRS[r];
      n = t;
    }
    if (n >= 10) {
      b[--q] = PAIRS[(n << 1) + 1];
      b[--q] = PAIRS[n << 1];
    } else {
      b[--q] = 48 + n;
    }
    return p + d;
  }
  const d = digitCount(n);
  let q = p + d;
  const end = q;
  do {
    const r = n % 10;
    b[--q] = 48 + r;
    n = (n - r) / 10;
  } while (n > 0);
  return end;
}

/** Writes `n` (0 <= n < 10^w) as exactly `w` digits, leading zeros kept. */
function fixedDigits(b: Uint8Array, p: number, n: number, w: number): number {
  let q = p + w - 1;
  for (; q > p; q -= 2) {
    const t = (n / 100) | 0;
    const r = (n - t * 100) << 1;
    b[q] = PAIRS[r + 1];
    b[q - 1] = PAIRS[r];
    n = t;
  }
  if (q === p) b[q] = 48 + n;
  return p + w;
}

/** Below this many seconds a time's double is within 1.2e-10 of its exact decimal, so
 *  rounding the exact nanoseconds gives what toFixed gives on the double. */
const EXACT_SECONDS = 1e6;

/**
 * `x.toFixed(decimals).padStart(width)` for the time x = secs + nsecs / 1e9 (`approx`,
 * the double the reference computes that way; nsecs may be negative), from the exact
 * integers when that is sure to give the same text: non-negative, under EXACT_SECONDS
 * and, for 4 decimals, not exactly halfway between two printable values (toFixed breaks
 * that tie on the double). Otherwise toFixed itself.
 */
function fixedTime(b: Uint8Array, p: number, secs: number, nsecs: number, approx: number, decimals: 9 | 4, width: number): number {
  if (nsecs < 0) { secs -= 1; nsecs += 1e9; }
  let frac = nsecs;
  if (decimals === 4) {
    const t = (nsecs / 100000) | 0;
    const rem = nsecs - t * 100000;
    frac = rem > 50000 ? t + 1 : t;
    if (frac === 10000) { secs += 1; frac = 0; }
    if (rem === 50000) secs = -1; // a tie: toFixed decides
  }
  // A negative time that rounds to zero (a duration of -40 us: "-0.0000" from toFixed) has
  // carried back to secs 0 above: its sign is the double's.
  if (secs < 0 || approx < 0 || approx >= EXACT_SECONDS) {
    const s = approx.toFixed(decimals);
    p = spaces(b, p, Math.max(0, width - s.length));
    return ascii(b, p, s);
  }
  let d = 1;
  for (let t = secs; t >= 10; t = (t / 10) | 0) d++;
  const len = d + 1 + decimals;
  if (len < width) p = spaces(b, p, width - len);
  p = uint(b, p, secs);
  b[p++] = 46;
  return fixedDigits(b, p, frac, decimals);
}

/** formatSize(n).padEnd(9) of every n below 1,000 ("N bytes", exactly nine characters
 *  up to "999 bytes"; most rows' sizes): a row copies them instead of writing digits. */
const SMALL_SIZES = 1000;
const BYTES = [32, 98, 121, 116, 101, 115]; // " bytes"
const SMALL_SIZE_TEXT = textTable(SMALL_SIZES, 9, (n) => `${n} bytes`.padEnd(9));

/** The `width`-character ASCII texts of 0 .. count-1, back to back. */
function textTable(count: number, width: number, text: (n: number) => string): Uint8Array {
  const t = new Uint8Array(count * width);
  for (let n = 0; n < count; n++) {
    const s = text(n);
    for (let i = 0; i < width; i++) t[n * width + i] = s.charCodeAt(i);
  }
  return t;
}

/** formatSize(n).padEnd(9): SI sizes as tshark 4 prints them. */
function size(b: Uint8Array, p: number, n: number): number {
  if (n < SMALL_SIZES) {
    const t = SMALL_SIZE_TEXT;
    const o = n * 9;
    b[p] = t[o]; b[p + 1] = t[o + 1]; b[p + 2] = t[o + 2]; b[p + 3] = t[o + 3]; b[p + 4] = t[o + 4];
    b[p + 5] = t[o + 5]; b[p + 6] = t[o + 6]; b[p + 7] = t[o + 7]; b[p + 8] = t[o + 8];
    return p + 9;
  }
  if (n < 10000) {
    // "N bytes" with four digits: ten characters, no unit loop, no padding.
    p = uint(b, p, n);
    for (let i = 0; i < 6; i++) b[p++] = BYTES[i];
    return p;
  }
  let u = 0;
  let v = n;
  while (u < UNITS.length - 1 && Math.floor(v / 1000) >= 10) {
    v = Math.floor(v / 1000);
    u++;
  }
  const start = p;
  p = uint(b, p, v);
  b[p++] = 32;
  p = ascii(b, p, UNITS[u]);
  return p - start < 9 ? spaces(b, p, 9 - (p - start)) : p;
}

/** String(n).padStart(6) of every n below 10,000: most counts. */
const SMALL_COUNTS = 10000;
const SMALL_COUNT_TEXT = textTable(SMALL_COUNTS, 6, (n) => String(n).padStart(6));

/** String(n).padStart(6) for a count. */
function countCol(b: Uint8Array, p: number, n: number): number {
  if (n < SMALL_COUNTS) {
    const t = SMALL_COUNT_TEXT;
    const o = n * 6;
    b[p] = t[o]; b[p + 1] = t[o + 1]; b[p + 2] = t[o + 2]; b[p + 3] = t[o + 3]; b[p + 4] = t[o + 4]; b[p + 5] = t[o + 5];
    return p + 6;
  }
  const d = n < 0x80000000 ? digitsOf(n) : digitCount(n);
  if (d < 6) p = spaces(b, p, 6 - d);
  return uint(b, p, n);
}

/** Decimal digits of a non-negative integer below 2^31. */
function digitsOf(n: number): number {
  let d = 1;
  for (let t = n; t >= 10; t = (t / 10) | 0) d++;
  return d;
}

/** "addr:port" padded to 26, as tshark names an endpoint; `w`/`o`: the record's words. */
function endpoint(b: Uint8Array, p: number, store: ConversationStore, w: Uint32Array, o: number, side: 0 | 1, v6: boolean): number {
  const start = p;
  const slot = w[o + (side === 0 ? CR_ADDR_A : CR_ADDR_B)];
  if (v6) {
    p = ascii(b, p, ipv6ToString(store.v6Bytes(slot), ConversationStore.v6OffsetOf(slot) + side * 16));
  } else {
    p = octet(b, p, slot >>> 24); b[p++] = 46;
    p = octet(b, p, (slot >>> 16) & 255); b[p++] = 46;
    p = octet(b, p, (slot >>> 8) & 255); b[p++] = 46;
    p = octet(b, p, slot & 255);
  }
  b[p++] = 58;
  const ports = w[o + CR_PORTS];
  p = uint(b, p, side === 0 ? ports >>> 16 : ports & 0xFFFF);
  return p - start < 26 ? spaces(b, p, 26 - (p - start)) : p;
}

/** Each octet's decimal text: its length, then up to three digits. */
const OCTET_TEXT = (() => {
  const t = new Uint8Array(256 * 4);
  for (let x = 0; x < 256; x++) {
    const s = String(x);
    t[x * 4] = s.length;
    for (let i = 0; i < s.length; i++) t[x * 4 + 1 + i] = s.charCodeAt(i);
  }
  return t;
})();

/** One address octet (0..255) in decimal. */
function octet(b: Uint8Array, p: number, x: number): number {
  const o = x << 2;
  const t = OCTET_TEXT;
  b[p] = t[o + 1]; b[p + 1] = t[o + 2]; b[p + 2] = t[o + 3];
  return p + t[o];
}

/** Rows whose records are read ahead in one go (ConversationStore.touch): 32 rows' records
 *  are 2-4 KiB, well inside L1, and more misses than a core keeps in flight. */
const AHEAD = 32;
/** What touch() read, kept so that the loads are not dropped as dead. */
export let touchedSink = 0;

function line(out: OutputBuffer, s: string): void {
  out.ensure(s.length + 1);
  out.pos = ascii(out.buf, out.pos, s);
  out.buf[out.pos++] = 10;
}

/**
 * Writes the `proto` table of the records in `order` (ConversationStore.sortedOrder());
 * `origin` is the capture's first frame time (tshark's relative start).
 */
export function writeConversationTable(out: OutputBuffer, store: ConversationStore, order: Uint32Array, proto: 'tcp' | 'udp', origin: readonly [number, number]): void {
  line(out, RULE);
  line(out, `${proto.toUpperCase()} Conversations`);
  line(out, 'Filter:<No Filter>');
  line(out, `${' '.repeat(59)}|       <-      | |       ->      | |     Total     |    Relative    |   Duration   |`);
  line(out, `${' '.repeat(59)}| Frames  Bytes | | Frames  Bytes | | Frames  Bytes |      Start     |              |`);
  const want = proto === 'udp' ? CM_UDP : 0;
  // Rows of this table still to come: the pass ends with the last one (none: no pass).
  let left = want !== 0 ? store.udpCount : store.count - store.udpCount;
  let touched = 0;
  let sink = 0;
  for (let k = 0; k < order.length && left > 0; k++) {
    if (k === touched) {
      touched = Math.min(order.length, k + AHEAD);
      sink ^= store.touch(order, k, touched);
    }
    const r = order[k];
    const w = store.recordWords(r);
    const o = ConversationStore.offsetOf(r);
    const meta = w[o + CR_META];
    if (((meta & CM_UDP) >>> 0) !== want) continue;
    left--;
    const v6 = (meta & CM_V6) !== 0;
    out.ensure(ROW_MAX);
    const b = out.buf;
    let p = out.pos;
    p = endpoint(b, p, store, w, o, 0, v6);
    p = ascii(b, p, ' <-> ');
    p = endpoint(b, p, store, w, o, 1, v6);
    // "<-" is B to A, "->" A to B.
    const rxF = w[o + CR_FRAMES_BA];
    const txF = w[o + CR_FRAMES_AB];
    const f = store.recordF64(r);
    const rxB = f[(o >>> 1) + CR_F64_BYTES_BA];
    const txB = f[(o >>> 1) + CR_F64_BYTES_AB];
    b[p++] = 32; b[p++] = 32; p = countCol(b, p, rxF); b[p++] = 32; p = size(b, p, rxB);
    b[p++] = 32; b[p++] = 32; p = countCol(b, p, txF); b[p++] = 32; p = size(b, p, txB);
    b[p++] = 32; b[p++] = 32; p = countCol(b, p, rxF + txF); b[p++] = 32; p = size(b, p, rxB + txB);
    const fs = w[o + CR_FIRST_SEC];
    const fn = w[o + CR_FIRST_NSEC];
    const ls = w[o + CR_LAST_SEC];
    const ln = w[o + CR_LAST_NSEC];
    // The doubles formatConversationTable computes (for toFixed where exact digits could
    // round otherwise) and the exact nanoseconds.
    const start = (fs - origin[0]) + (fn - origin[1]) / 1e9;
    const dur = (ls - fs) + (ln - fn) / 1e9;
    b[p++] = 32; b[p++] = 32;
    p = fixedTime(b, p, fs - origin[0], fn - origin[1], start, 9, 14);
    b[p++] = 32; b[p++] = 32; b[p++] = 32;
    p = fixedTime(b, p, ls - fs, ln - fn, dur, 4, 12);
    b[p++] = 10;
    out.pos = p;
  }
  touchedSink = sink;
  line(out, RULE);
}
