// Duplicate detection for a UDP flow in fixed memory: a bitmap of the last WINDOW sequence
// numbers below the highest one seen (as IPsec's anti-replay window, RFC 4303 §3.4.3). A
// Set of every number seen grew by one entry per datagram, without end.

export const SEQ_WINDOW = 1 << 16;

export type SeqVerdict = 'new' | 'dup' | 'old';

export class SeqWindow {
  private readonly bits = new Uint32Array(SEQ_WINDOW >>> 5);
  /** Highest sequence number seen, -1 before the first. */
  top = -1;

  /** 'new' (first time), 'dup' (seen before), or 'old' (below the window: cannot tell). */
  mark(seq: number): SeqVerdict {
    if (seq > this.top) {
      this.clear(this.top + 1, seq);
      this.top = seq;
      this.set(seq);
      return 'new';
    }
    if (this.top - seq >= SEQ_WINDOW) return 'old';
    if (this.get(seq)) return 'dup';
    this.set(seq);
    return 'new';
  }

  private get(seq: number): boolean {
    const i = seq & (SEQ_WINDOW - 1);
    return (this.bits[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  private set(seq: number): void {
    const i = seq & (SEQ_WINDOW - 1);
    this.bits[i >>> 5] |= 1 << (i & 31);
  }

  /** Clears the bits of [from, to]: positions the window slides onto. Word-wise, so a
   *  jump costs at most WINDOW/32 word writes. */
  private clear(from: number, to: number): void {
    if (from < 0) from = 0;
    if (to - from + 1 >= SEQ_WINDOW) { this.bits.fill(0); return; }
    let p = from;
    while (p <= to && (p & 31) !== 0) { this.bits[(p & (SEQ_WINDOW - 1)) >>> 5] &= ~(1 << (p & 31)); p++; }
    while (p + 31 <= to) { this.bits[(p & (SEQ_WINDOW - 1)) >>> 5] = 0; p += 32; }
    while (p <= to) { this.bits[(p & (SEQ_WINDOW - 1)) >>> 5] &= ~(1 << (p & 31)); p++; }
  }
}
