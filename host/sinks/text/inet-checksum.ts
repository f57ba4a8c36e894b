// Internet checksum (RFC 1071) over bytes of a Uint8Array, for the -v output's
// "cksum 0x.... (correct)" checks. Only the -v path calls it.

/** Ones-complement sum (folded to 16 bits, not inverted) of len bytes at off, added to `sum`. */
export function onesSum(m: Uint8Array, off: number, len: number, sum = 0): number {
  let s = sum;
  const end = off + (len & ~1);
  for (let p = off; p < end; p += 2) s += (m[p] << 8) | m[p + 1];
  if (len & 1) s += m[off + len - 1] << 8;
  while (s > 0xFFFF) s = (s & 0xFFFF) + Math.floor(s / 65536);
  return s;
}

/** tcpdump's in_cksum_shouldbe(): the checksum field value that would have been correct,
 *  given the field as found and the folded sum over the data including it. */
export function shouldBe(field: number, foldedSum: number): number {
  let s = field + ((~foldedSum) & 0xFFFF);
  s = (s & 0xFFFF) + (s >>> 16);
  s = (s & 0xFFFF) + (s >>> 16);
  return s & 0xFFFF;
}
