// RFC 5952 section 4.2: the "::" of an IPv6 text form replaces the first longest run of
// two or more all-zero 16-bit groups. Shared by the text and JSON writers, which write
// the address byte by byte and so cannot use a string formatter.

/** The first longest run of >= 2 zero groups of the address at `m[off..off+16)`, as
 *  `start << 4 | length` (one number: no allocation on the per-packet path), or -1. */
export function longestZeroRun(m: Uint8Array, off: number): number {
  let bestStart = -1;
  let bestLen = 0;
  let curStart = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if ((m[off + 2 * i] | m[off + 2 * i + 1]) === 0) {
      if (curStart < 0) { curStart = i; curLen = 1; } else curLen++;
    } else if (curStart >= 0) {
      if (curLen > bestLen) { bestStart = curStart; bestLen = curLen; }
      curStart = -1;
    }
  }
  if (curStart >= 0 && curLen > bestLen) { bestStart = curStart; bestLen = curLen; }
  return bestLen < 2 ? -1 : (bestStart << 4) | bestLen;
}
