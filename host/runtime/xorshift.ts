// xorshift32 (Marsaglia 2003): small, fast, reproducible from its seed. The relay's
// impairments and the tests' random inputs draw from it.
export class Xorshift32 {
  private s: number;

  /** Seed 0 (a fixed point of xorshift) is replaced by a fixed odd constant. */
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }

  u32(): number {
    let x = this.s;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    this.s = x;
    return x;
  }
}
