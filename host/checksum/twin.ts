// Pure-TS twin of assembly/checksum.ts: same functions, same memory, same results.
// Sums run over 32-bit little-endian words where the buffer is aligned (a float64
// accumulator cannot overflow below 2^53), bytes elsewhere; the folded sum is swapped
// to network order once, as RFC 1071 §2(B) allows.
import type { ChecksumExports } from './exports.js';
import type { MemoryViews } from '../runtime/memory.js';
import { FRAME_SIZE, FRAME_W_CAPLEN, FRAME_W_PTR } from '../runtime/layout.js';

function fold(acc: number): number {
  // acc < 2^53: peel 16-bit chunks with arithmetic, as bit ops would truncate to 32 bits.
  while (acc > 0xFFFF) acc = (acc % 65536) + Math.floor(acc / 65536);
  return acc;
}

function add16(a: number, b: number): number {
  let t = a + b;
  t = (t & 0xFFFF) + (t >>> 16);
  return (t & 0xFFFF) + (t >>> 16);
}

export class ChecksumTwin implements ChecksumExports {
  // `declare`d fields: only the constructor stores them, once (an emitted class field is
  // stored twice, and V8 then no longer treats it as constant in hot loops; host/lpm/lpm4.ts).
  private declare readonly views: MemoryViews;

  constructor(views: MemoryViews) {
    this.views = views;
  }

  /** Big-endian 16-bit word sum of [ptr, ptr+len), unfolded. */
  private sumBE(ptr: number, len: number): number {
    const v = this.views.refresh();
    const m = v.u8;
    let p = ptr;
    const end = ptr + len;
    let acc = 0;
    if ((p & 1) === 0) {
      if ((p & 2) !== 0 && end - p >= 2) {
        acc += (m[p] << 8) | m[p + 1];
        p += 2;
      }
    }
    // Only from a 4-byte boundary: under 2 bytes at 2 mod 4, p stays unaligned, and the
    // word index would round it back before ptr (the bytes before the buffer were summed).
    if ((p & 3) === 0) {
      // Aligned words: sum little-endian halves, swap once below.
      const w = v.u32;
      let le = 0;
      let i = p >>> 2;
      const wordEnd = i + ((end - p) >>> 3) * 2;
      while (i < wordEnd) {
        const a = w[i];
        const b = w[i + 1];
        le += (a & 0xFFFF) + (a >>> 16) + (b & 0xFFFF) + (b >>> 16);
        i += 2;
      }
      p = i << 2;
      const f = fold(le);
      acc += ((f & 0xFF) << 8) | (f >>> 8);
    }
    while (end - p >= 2) {
      acc += (m[p] << 8) | m[p + 1];
      p += 2;
    }
    if (p < end) acc += m[p] << 8;
    return acc;
  }

  cksum_partial(ptr: number, len: number, initial: number): number {
    return add16(fold(this.sumBE(ptr, len >>> 0)), initial >>> 0);
  }

  cksum_add(a: number, b: number): number {
    return add16(a >>> 0, b >>> 0);
  }

  cksum_compute(ptr: number, len: number): number {
    return ~this.cksum_partial(ptr, len, 0) & 0xFFFF;
  }

  cksum_ipv4_header(ip: number): number {
    let hl = (this.views.refresh().u8[ip] & 0xF) << 2;
    if (hl < 20) hl = 20;
    const s = this.cksum_partial(ip + 12, hl - 12, this.cksum_partial(ip, 10, 0));
    return ~s & 0xFFFF;
  }

  cksum_ipv4_verify(ip: number): number {
    const hl = (this.views.refresh().u8[ip] & 0xF) << 2;
    return this.cksum_partial(ip, hl, 0) === 0xFFFF ? 1 : 0;
  }

  cksum_pseudo_ipv4(ip: number, proto: number, l4len: number): number {
    return add16(this.cksum_partial(ip + 12, 8, 0), (proto >>> 0) + (l4len >>> 0));
  }

  cksum_pseudo_ipv6(ip6: number, nxt: number, l4len: number): number {
    const len = l4len >>> 0;
    return add16(this.cksum_partial(ip6 + 8, 32, 0), (len >>> 16) + (len & 0xFFFF) + (nxt >>> 0));
  }

  cksum_l4_ipv4(ip: number, l4: number, l4len: number, proto: number): number {
    return ~this.cksum_partial(l4, l4len, this.cksum_pseudo_ipv4(ip, proto, l4len)) & 0xFFFF;
  }

  cksum_l4_ipv6(ip6: number, l4: number, l4len: number, nxt: number): number {
    return ~this.cksum_partial(l4, l4len, this.cksum_pseudo_ipv6(ip6, nxt, l4len)) & 0xFFFF;
  }

  cksum_l4_verify_ipv4(ip: number, l4: number, l4len: number, proto: number): number {
    const m = this.views.refresh().u8;
    if (proto === 17 && l4len >= 8 && m[l4 + 6] === 0 && m[l4 + 7] === 0) return 1;
    return this.cksum_partial(l4, l4len, this.cksum_pseudo_ipv4(ip, proto, l4len)) === 0xFFFF ? 1 : 0;
  }

  cksum_l4_verify_ipv6(ip6: number, l4: number, l4len: number, nxt: number): number {
    return this.cksum_partial(l4, l4len, this.cksum_pseudo_ipv6(ip6, nxt, l4len)) === 0xFFFF ? 1 : 0;
  }

  cksum_update16(cksum: number, oldVal: number, newVal: number): number {
    let s = (~cksum & 0xFFFF) + (~oldVal & 0xFFFF) + (newVal & 0xFFFF);
    s = (s & 0xFFFF) + (s >>> 16);
    s = (s & 0xFFFF) + (s >>> 16);
    return ~s & 0xFFFF;
  }

  cksum_update32(cksum: number, oldVal: number, newVal: number): number {
    const o = oldVal >>> 0;
    const n = newVal >>> 0;
    let s = (~cksum & 0xFFFF) + (~o & 0xFFFF) + (~(o >>> 16) & 0xFFFF) + (n & 0xFFFF) + (n >>> 16);
    s = (s & 0xFFFF) + (s >>> 16);
    s = (s & 0xFFFF) + (s >>> 16);
    return ~s & 0xFFFF;
  }

  cksum_batch(table: number, count: number, out: number): void {
    const v = this.views.refresh();
    for (let i = 0; i < count; i++) {
      const e = (table + i * FRAME_SIZE) >>> 2;
      const c = this.cksum_compute(v.u32[e + FRAME_W_PTR], v.u32[e + FRAME_W_CAPLEN]);
      v.u8[out + 2 * i] = c & 0xFF;
      v.u8[out + 2 * i + 1] = c >>> 8;
    }
  }
}
