// 32-bit sequence-number arithmetic (RFC 9293 §3.4): comparisons are modulo 2^32, valid
// while the two numbers are less than 2^31 apart, which the window sizes guarantee.

/** a < b in sequence space. */
export function seqLT(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}
export function seqLE(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}
export function seqGT(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}
export function seqGE(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}
/** b - a as a non-negative distance (callers ensure a <= b). */
export function seqDiff(b: number, a: number): number {
  return (b - a) >>> 0;
}
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}
export function seqMax(a: number, b: number): number {
  return seqGT(a, b) ? a : b;
}
