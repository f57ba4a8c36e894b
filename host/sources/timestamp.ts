// Exact split of a 64-bit pcapng timestamp (count of units of 10^-n or 2^-n seconds)
// into whole seconds and nanoseconds, without BigInt (no allocation per packet) and
// without the precision loss of a single double: long division by 16-bit limbs.

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

export interface SplitTime { sec: number; nsec: number }

/** Divides hi*2^32+lo by d (< 2^31): quotient (< 2^53 expected) and remainder. */
function divmod64(hi: number, lo: number, d: number, out: { q: number; r: number }): void {
  const limbs = [hi >>> 16, hi & 0xFFFF, lo >>> 16, lo & 0xFFFF];
  let r = 0;
  let q = 0;
  for (let i = 0; i < 4; i++) {
    const cur = r * 65536 + limbs[i];
    const ql = Math.floor(cur / d);
    r = cur - ql * d;
    q = q * 65536 + ql;
  }
  out.q = q;
  out.r = r;
}

const tmp = { q: 0, r: 0 };

/** `resol` is the raw if_tsresol byte: high bit clear = 10^-n, set = 2^-n. */
export function splitTimestamp(hi: number, lo: number, resol: number, out: SplitTime): SplitTime {
  if ((resol & 0x80) === 0) {
    const n = resol & 0x7F;
    if (n <= 9) {
      const d = POW10[n];
      divmod64(hi, lo, d, tmp);
      out.sec = tmp.q;
      out.nsec = tmp.r * POW10[9 - n];
    } else {
      // Finer than nanoseconds: whole seconds first, then scale the remainder down.
      const dsec = 10 ** n;
      const units = hi * 4294967296 + lo;
      out.sec = Math.floor(units / dsec);
      out.nsec = Math.floor((units - out.sec * dsec) / 10 ** (n - 9));
    }
  } else {
    const n = resol & 0x7F;
    const d = 2 ** n;
    if (n <= 30) {
      divmod64(hi, lo, d, tmp);
      out.sec = tmp.q;
      out.nsec = Math.floor((tmp.r * 1e9) / d);
    } else {
      const units = hi * 4294967296 + lo;
      out.sec = Math.floor(units / d);
      out.nsec = Math.floor(((units / d) - out.sec) * 1e9);
    }
  }
  return out;
}
