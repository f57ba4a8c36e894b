// Retransmission timeout per RFC 6298: SRTT/RTTVAR smoothing (alpha 1/8, beta 1/4),
// RTO = SRTT + max(G, 4*RTTVAR), clamped to [min, max], doubled on each timeout
// (exponential back-off) and recomputed from the next valid sample. Karn's rule is the
// caller's: samples are taken only from segments that were never retransmitted.

export interface RtoOptions {
  /** Lower bound, ms (RFC 6298 §2.4 says 1 s; Linux uses 200 ms; configurable). */
  minRto: number;
  maxRto: number;
  /** Before any sample (RFC 6298 §2.1: 1 s). */
  initialRto: number;
  /** Clock granularity G, ms. */
  granularity: number;
}

export const DEFAULT_RTO: RtoOptions = { minRto: 200, maxRto: 60_000, initialRto: 1000, granularity: 1 };

export class RtoEstimator {
  srtt = 0;
  rttvar = 0;
  /** Current RTO including back-off, ms. */
  rto: number;
  backoffs = 0;
  samples = 0;
  private readonly o: RtoOptions;

  constructor(o: RtoOptions) {
    this.o = o;
    this.rto = o.initialRto;
  }

  /** A round-trip measurement (ms) from a segment that was not retransmitted. */
  sample(r: number): void {
    if (!(r >= 0)) return;
    if (this.samples === 0) {
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    this.samples++;
    this.backoffs = 0;
    this.rto = this.clamp(this.srtt + Math.max(this.o.granularity, 4 * this.rttvar));
  }

  /** RFC 6298 §5.5: the timer expired, double it. */
  backoff(): void {
    this.backoffs++;
    this.rto = this.clamp(this.rto * 2);
  }

  private clamp(v: number): number {
    return Math.min(this.o.maxRto, Math.max(this.o.minRto, Math.ceil(v)));
  }
}
