// Congestion control per RFC 5681 (slow start, congestion avoidance, the loss window
// after a timeout) with NewReno fast recovery (RFC 6582): one window reduction per loss
// episode, partial ACKs keep recovery going until everything outstanding at its start
// (`recover`) is acknowledged. Windows are in bytes. The sender decides *what* to
// retransmit (it uses SACK information); this class decides *how much* may be in flight.
import { seqGE, seqGT } from './seq.js';

export class NewReno {
  cwnd: number;
  ssthresh = 0x7fffffff;
  inRecovery = false;
  /** snd_max when recovery began (RFC 6582 "recover"). */
  recover = 0;
  /** Byte counter for congestion avoidance (RFC 5681 §3.1, appropriate byte counting). */
  private acc = 0;
  readonly mss: number;
  fastRecoveries = 0;
  private afterTimeout = false;
  timeouts = 0;

  constructor(mss: number, initialSegments: number) {
    this.mss = mss;
    this.cwnd = initialSegments * mss;
  }

  /** New data acknowledged (sndUna advanced by `acked` bytes to `una`). */
  onAck(acked: number, una: number, flight: number): void {
    if (this.inRecovery) {
      if (seqGE(una, this.recover)) {
        // Full ACK: leave recovery with cwnd = min(ssthresh, flight + MSS) (RFC 6582 §3.2 step 3).
        this.inRecovery = false;
        this.cwnd = Math.max(this.mss, Math.min(this.ssthresh, flight + this.mss));
      } else {
        // Partial ACK: deflate by the amount acknowledged, add back one MSS (§3.2 step 4).
        this.cwnd = Math.max(this.mss, this.cwnd - acked + this.mss);
      }
      return;
    }
    if (this.cwnd < this.ssthresh) {
      this.cwnd += Math.min(acked, this.mss);
    } else {
      this.acc += acked;
      if (this.acc >= this.cwnd) {
        this.acc -= this.cwnd;
        this.cwnd += this.mss;
      }
    }
  }

  /** The third duplicate ACK (or SACK evidence of loss): enter fast recovery once per episode.
   *  Returns true when a new episode begins (the caller retransmits). */
  onLoss(flight: number, sndMax: number, una: number): boolean {
    // RFC 6582 §3.2 step 1: no new episode for losses of data sent before the last
    // reduction (the previous recovery or timeout already answered them).
    if (this.inRecovery || (this.afterTimeout && !seqGT(una, this.recover))) return false;
    this.afterTimeout = false;
    this.ssthresh = Math.max(Math.floor(flight / 2), 2 * this.mss);
    this.cwnd = this.ssthresh + 3 * this.mss;
    this.inRecovery = true;
    this.recover = sndMax;
    this.fastRecoveries++;
    return true;
  }

  /** A further duplicate ACK during recovery inflates the window by one MSS. */
  onDupAck(): void {
    if (this.inRecovery) this.cwnd += this.mss;
  }

  /** Retransmission timeout (RFC 5681 §3.1 eq. 4; loss window of one segment). */
  onTimeout(flight: number, sndMax: number): void {
    this.ssthresh = Math.max(Math.floor(flight / 2), 2 * this.mss);
    this.cwnd = this.mss;
    this.inRecovery = false;
    this.recover = sndMax;
    this.acc = 0;
    this.afterTimeout = true;
    this.timeouts++;
  }
}
