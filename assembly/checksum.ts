// RFC 1071 Internet checksum with SIMD, the pseudo-header sums of RFC 768/793/9293 (IPv4)
// and RFC 8200 §8.1 (IPv6), and incremental update per RFC 1624.
//
// The one's-complement sum is byte-order independent (RFC 1071 §2(B)): we add native
// little-endian 16-bit words and swap the folded result once at the end.

// Sums `len` bytes (SHORT or more) at `ptr` into a 64-bit accumulator of little-endian 16-bit words.
// Four vector accumulators hide the add latency; extadd_pairwise widens u16 pairs to u32
// lanes, so each lane grows by at most 2*0xFFFF per 16 bytes: we spill to 64 bits every
// 16 KiB, long before any lane could overflow.
@inline function sumLong(ptr: usize, len: usize): u64 {
  let acc: u64 = 0;
  let p = ptr;
  let end = ptr + len;
  while (end - p >= 64) {
    let chunkEnd = p + ((end - p) & ~<usize>63);
    if (chunkEnd - p > 16384) chunkEnd = p + 16384;
    let a0 = i64x2.splat(0);
    let a1 = i64x2.splat(0);
    let a2 = i64x2.splat(0);
    let a3 = i64x2.splat(0);
    while (p < chunkEnd) {
      a0 = i32x4.add(a0, i32x4.extadd_pairwise_i16x8_u(v128.load(p)));
      a1 = i32x4.add(a1, i32x4.extadd_pairwise_i16x8_u(v128.load(p, 16)));
      a2 = i32x4.add(a2, i32x4.extadd_pairwise_i16x8_u(v128.load(p, 32)));
      a3 = i32x4.add(a3, i32x4.extadd_pairwise_i16x8_u(v128.load(p, 48)));
      p += 64;
    }
    // 4 accumulators * 4 lanes, each < 2^31: widen to 64-bit before adding them up.
    let s = i64x2.add(
      i64x2.add(i64x2.extend_low_i32x4_u(a0), i64x2.extend_high_i32x4_u(a0)),
      i64x2.add(i64x2.extend_low_i32x4_u(a1), i64x2.extend_high_i32x4_u(a1)),
    );
    s = i64x2.add(s, i64x2.add(i64x2.extend_low_i32x4_u(a2), i64x2.extend_high_i32x4_u(a2)));
    s = i64x2.add(s, i64x2.add(i64x2.extend_low_i32x4_u(a3), i64x2.extend_high_i32x4_u(a3)));
    acc += <u64>i64x2.extract_lane(s, 0) + <u64>i64x2.extract_lane(s, 1);
  }
  return acc + sumTail(p, end);
}

// Under SHORT bytes (headers, small packets: where the fixed cost of a call dominates):
// no loop at all. The bits of len say which pieces there are, in order from the start
// (64, 32, 16 bytes in vectors, then 8, 4, 2, 1 loaded into the lanes of one more vector
// at the byte positions they would have in a 16-byte block, so that one extadd sums the
// whole tail and an odd last byte lands as the low byte of a little-endian word, as the
// scalar tail adds it). One vector accumulator: at most 8 extadds of 2 * 0xFFFF per lane,
// four lanes below 2^22, so the result needs no 64-bit fold.
const SHORT: usize = 128;

@inline function sumShort(ptr: usize, len: usize): u32 {
  let p = ptr;
  let v = i32x4.splat(0);
  if ((len & 64) != 0) { // two independent adds, then one
    let a = i32x4.add(i32x4.extadd_pairwise_i16x8_u(v128.load(p)), i32x4.extadd_pairwise_i16x8_u(v128.load(p, 16)));
    let b = i32x4.add(i32x4.extadd_pairwise_i16x8_u(v128.load(p, 32)), i32x4.extadd_pairwise_i16x8_u(v128.load(p, 48)));
    v = i32x4.add(a, b);
    p += 64;
  }
  if ((len & 32) != 0) {
    v = i32x4.add(v, i32x4.add(i32x4.extadd_pairwise_i16x8_u(v128.load(p)), i32x4.extadd_pairwise_i16x8_u(v128.load(p, 16))));
    p += 32;
  }
  if ((len & 16) != 0) {
    v = i32x4.add(v, i32x4.extadd_pairwise_i16x8_u(v128.load(p)));
    p += 16;
  }
  if ((len & 15) != 0) {
    let t = i32x4.splat(0);
    if ((len & 8) != 0) { t = v128.load64_lane(p, t, 0); p += 8; }
    if ((len & 4) != 0) { t = v128.load32_lane(p, t, 2); p += 4; }
    if ((len & 2) != 0) { t = v128.load16_lane(p, t, 6); p += 2; }
    if ((len & 1) != 0) t = v128.load8_lane(p, t, 14);
    v = i32x4.add(v, i32x4.extadd_pairwise_i16x8_u(t));
  }
  // Horizontal sum: add the high half onto the low, then lane 1 onto lane 0.
  v = i32x4.add(v, i8x16.shuffle(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7));
  v = i32x4.add(v, i8x16.shuffle(v, v, 4, 5, 6, 7, 0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15));
  return <u32>i32x4.extract_lane(v, 0);
}

// The last < 64 bytes in scalar words. A little-endian u32 at an even offset is
// hi * 2^16 + lo, and 2^16 = 1 (mod 0xFFFF): adding whole 32-bit halves of a u64 sums
// the same as adding its four 16-bit words, once folded.
@inline function sumTail(p: usize, end: usize): u64 {
  let acc: u64 = 0;
  while (end - p >= 8) {
    let w = load<u64>(p);
    acc += (w & 0xFFFFFFFF) + (w >> 32);
    p += 8;
  }
  if (end - p >= 4) {
    acc += <u64>load<u32>(p);
    p += 4;
  }
  if (end - p >= 2) {
    acc += <u64>load<u16>(p);
    p += 2;
  }
  if (p < end) acc += <u64>load<u8>(p); // odd trailing byte is the high byte of a BE word
  return acc;
}

@inline function fold32(s: u32): u32 {
  s = (s & 0xFFFF) + (s >>> 16);
  s = (s & 0xFFFF) + (s >>> 16);
  return s;
}

@inline function foldLE(acc: u64): u32 {
  acc = (acc & 0xFFFFFFFF) + (acc >> 32);
  acc = (acc & 0xFFFFFFFF) + (acc >> 32);
  return fold32(<u32>acc);
}

// The folded little-endian sum of len bytes: short buffers stay in 32 bits.
@inline function foldedLE(ptr: usize, len: usize): u32 {
  return len < SHORT ? fold32(sumShort(ptr, len)) : foldLE(sumLong(ptr, len));
}

@inline function swap16(v: u32): u32 {
  return ((v & 0xFF) << 8) | (v >>> 8);
}

/** Folded 16-bit one's-complement sum of `len` bytes (network order), plus `initial`. */
export function cksum_partial(ptr: usize, len: u32, initial: u32): u32 {
  let s = swap16(foldedLE(ptr, <usize>len));
  let t = s + initial;
  t = (t & 0xFFFF) + (t >>> 16);
  t = (t & 0xFFFF) + (t >>> 16);
  return t;
}

/** Adds two partial sums (one's-complement addition). */
export function cksum_add(a: u32, b: u32): u32 {
  let t = a + b;
  t = (t & 0xFFFF) + (t >>> 16);
  t = (t & 0xFFFF) + (t >>> 16);
  return t;
}

/** The Internet checksum of a buffer: the complement of its folded sum. */
export function cksum_compute(ptr: usize, len: u32): u32 {
  // No initial sum to add: fold, swap, complement (one add-and-fold fewer than cksum_partial).
  return ~swap16(foldedLE(ptr, <usize>len)) & 0xFFFF;
}

/** Checksum an IPv4 header should carry (the field itself is skipped). */
export function cksum_ipv4_header(ip: usize): u32 {
  let hl = (<u32>load<u8>(ip) & 0xF) << 2;
  if (hl < 20) hl = 20; // a bad IHL still names a 20-byte minimum, never a negative length
  let s = cksum_partial(ip, 10, 0);
  s = cksum_partial(ip + 12, hl - 12, s);
  return ~s & 0xFFFF;
}

/** True when an IPv4 header (of its IHL) sums to 0xFFFF. */
export function cksum_ipv4_verify(ip: usize): bool {
  let hl = (<u32>load<u8>(ip) & 0xF) << 2;
  return cksum_partial(ip, hl, 0) == 0xFFFF;
}

/** Pseudo-header sum for IPv4 (RFC 793 §3.1): src, dst, zero, proto, L4 length. */
export function cksum_pseudo_ipv4(ip: usize, proto: u32, l4len: u32): u32 {
  let s = cksum_partial(ip + 12, 8, 0);
  return cksum_add(s, proto + l4len);
}

/** Pseudo-header sum for IPv6 (RFC 8200 §8.1): src, dst, 32-bit length, next header. */
export function cksum_pseudo_ipv6(ip6: usize, nxt: u32, l4len: u32): u32 {
  let s = cksum_partial(ip6 + 8, 32, 0);
  return cksum_add(s, (l4len >>> 16) + (l4len & 0xFFFF) + nxt);
}

/** Checksum a TCP/UDP segment over IPv4 should carry; its checksum field must read zero
 *  or be skipped by the caller (we skip nothing: callers zero it, as a builder does). */
export function cksum_l4_ipv4(ip: usize, l4: usize, l4len: u32, proto: u32): u32 {
  let s = cksum_partial(l4, l4len, cksum_pseudo_ipv4(ip, proto, l4len));
  return ~s & 0xFFFF;
}

export function cksum_l4_ipv6(ip6: usize, l4: usize, l4len: u32, nxt: u32): u32 {
  let s = cksum_partial(l4, l4len, cksum_pseudo_ipv6(ip6, nxt, l4len));
  return ~s & 0xFFFF;
}

/** Verifies a segment in place (checksum field included): the sum must be 0xFFFF.
 *  UDP over IPv4 with a zero checksum means "no checksum" (RFC 768) and passes. */
export function cksum_l4_verify_ipv4(ip: usize, l4: usize, l4len: u32, proto: u32): bool {
  if (proto == 17 && l4len >= 8 && load<u16>(l4 + 6) == 0) return true;
  return cksum_partial(l4, l4len, cksum_pseudo_ipv4(ip, proto, l4len)) == 0xFFFF;
}

export function cksum_l4_verify_ipv6(ip6: usize, l4: usize, l4len: u32, nxt: u32): bool {
  return cksum_partial(l4, l4len, cksum_pseudo_ipv6(ip6, nxt, l4len)) == 0xFFFF;
}

/** RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for a 16-bit field changed from m to m'. */
export function cksum_update16(cksum: u32, oldVal: u32, newVal: u32): u32 {
  let s = (~cksum & 0xFFFF) + (~oldVal & 0xFFFF) + (newVal & 0xFFFF);
  s = (s & 0xFFFF) + (s >>> 16);
  s = (s & 0xFFFF) + (s >>> 16);
  return ~s & 0xFFFF;
}

/** RFC 1624 for a 32-bit field (an IPv4 address, a sequence number): two 16-bit updates. */
export function cksum_update32(cksum: u32, oldVal: u32, newVal: u32): u32 {
  let s = (~cksum & 0xFFFF) + (~oldVal & 0xFFFF) + (~(oldVal >>> 16) & 0xFFFF) + (newVal & 0xFFFF) + (newVal >>> 16);
  s = (s & 0xFFFF) + (s >>> 16);
  s = (s & 0xFFFF) + (s >>> 16);
  return ~s & 0xFFFF;
}

/** Checksums `count` buffers listed in a frame table (FRAME_PTR/FRAME_CAPLEN), results as u16s. */
export function cksum_batch(table: usize, count: u32, out: usize): void {
  for (let i: u32 = 0; i < count; i++) {
    let e = table + (<usize>i << 4);
    store<u16>(out + (<usize>i << 1), <u16>cksum_compute(load<u32>(e), load<u32>(e, 4)));
  }
}
