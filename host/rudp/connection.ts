// One protocol control block (PCB) per connection, and the Duplex stream the user sees.
// The PCB holds the state machine (PROTOCOL.md §4), the send ring and SACK scoreboard,
// the out-of-order queue, the RTO estimator and congestion state; all its timers live
// on the process's timer wheel (clock.ts). Every inbound segment has already passed the
// codec's length and checksum checks; here it is checked against the connection (id,
// sequence window, acknowledgement range) and dropped with a counter when it does not fit.
import { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { NewReno } from './congestion.js';
import { T_CONNECT, T_DELACK, T_KEEPALIVE, T_PERSIST, T_RTO, T_TIMEWAIT, type TimerOwner, type TransportClock } from './clock.js';
import { rudpError, type RudpError } from './errors.js';
import { F_ACK, F_FIN, F_HS, F_PROBE, F_RST, F_SYN, F_TS, MAX_SACK, MAX_SACK_TS, type Segment, type SegmentCodec } from './header.js';
import { chunkCost, compactSlice, QueueCharges } from './receive-memory.js';
import { RtoEstimator, type RtoOptions } from './rto.js';
import { seqAdd, seqDiff, seqGE, seqGT, seqLE, seqLT, seqMax } from './seq.js';

export const S_CLOSED = 0;
export const S_SYN_SENT = 1;
export const S_ESTABLISHED = 2;
export const S_FIN_WAIT_1 = 3;
export const S_FIN_WAIT_2 = 4;
export const S_CLOSING = 5;
export const S_TIME_WAIT = 6;
export const S_CLOSE_WAIT = 7;
export const S_LAST_ACK = 8;
export const STATE_NAMES = ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSING', 'TIME_WAIT', 'CLOSE_WAIT', 'LAST_ACK'] as const;
export type StateName = typeof STATE_NAMES[number];

export interface ConnectionOptions extends RtoOptions {
  /** Payload bytes per segment (path MTU minus headers). */
  mss: number;
  /** Send ring size in bytes (power of two): unacknowledged + unsent data. */
  sendBuffer: number;
  /** Receive buffer: the most we advertise (readable queue + out-of-order data). */
  receiveBuffer: number;
  /** Delayed-ACK timeout (RFC 1122 / 5681: an ACK at least every second full segment and within 500 ms). */
  delayedAckMs: number;
  initialWindowSegments: number;
  /** Retransmissions of one segment before ETIMEDOUT. */
  maxRetransmits: number;
  /** Give up when data stays unacknowledged this long (ms); 0 = only maxRetransmits. */
  userTimeoutMs: number;
  /** Connection attempts (SYN) before ETIMEDOUT. */
  synRetries: number;
  timeWaitMs: number;
  /** Keepalive: idle time before probing, ms (0 = off), probe interval and count. */
  keepAliveMs: number;
  keepAliveIntervalMs: number;
  keepAliveProbes: number;
  allowHalfOpen: boolean;
}

export const DEFAULT_CONNECTION: ConnectionOptions = {
  mss: 1416, sendBuffer: 1 << 20, receiveBuffer: 1 << 20, delayedAckMs: 40, initialWindowSegments: 10,
  maxRetransmits: 10, userTimeoutMs: 0, synRetries: 5, timeWaitMs: 2000, keepAliveMs: 0, keepAliveIntervalMs: 1000,
  keepAliveProbes: 5, allowHalfOpen: false, minRto: 200, maxRto: 60_000, initialRto: 1000, granularity: 1,
};

/** What a connection needs from the endpoint that owns its UDP socket. */
export interface ConnectionHost {
  readonly codec: SegmentCodec;
  readonly clock: TransportClock;
  send(buf: Buffer, port: number, address: string): void;
  release(c: Connection): void;
}

/** Per-connection counters (all dropped inputs are counted, never thrown). */
export interface ConnectionCounters {
  segmentsIn: number;
  segmentsOut: number;
  bytesIn: number;
  bytesOut: number;
  retransmits: number;
  fastRecoveries: number;
  timeouts: number;
  dupData: number;
  outOfWindow: number;
  badAck: number;
  badCid: number;
  challengeAcks: number;
  unexpected: number;
  probes: number;
}

interface OooSeg { seq: number; end: number; data: Buffer }
interface PendingWrite { buf: Uint8Array; off: number; cb: (err?: Error | null) => void }

export function randomIsn(): number {
  const v = randomBytes(4).readUInt32BE(0);
  return v === 0 ? 1 : v;
}

export class Connection extends Duplex implements TimerOwner {
  readonly remoteAddress: string;
  readonly remotePort: number;
  localAddress = '';
  localPort = 0;
  readonly remoteFamily: 'IPv4' | 'IPv6';
  readonly counters: ConnectionCounters = {
    segmentsIn: 0, segmentsOut: 0, bytesIn: 0, bytesOut: 0, retransmits: 0, fastRecoveries: 0, timeouts: 0,
    dupData: 0, outOfWindow: 0, badAck: 0, badCid: 0, challengeAcks: 0, unexpected: 0, probes: 0,
  };
  state = S_CLOSED;
  readonly isServer: boolean;

  private readonly o: ConnectionOptions;
  private readonly host: ConnectionHost;
  private readonly slot: number;
  mss: number;
  readonly rtoEst: RtoEstimator;
  cc: NewReno;

  // --- identities (each side's connection id is its ISS) ---
  iss = 0;
  irs = 0;
  /** Client: handshake not yet confirmed by any segment from the server. */
  private unconfirmed = false;

  // --- send side ---
  private readonly ring: Buffer;
  private readonly ringMask: number;
  sndUna = 0;
  sndNxt = 0;
  sndWnd = 0;
  private wl1 = 0;
  private wl2 = 0;
  /** Sequence number after the last byte written into the ring (the FIN's number). */
  private dataEnd = 0;
  private finQueued = false;
  private finSent = false;
  private finAcked = false;
  private readonly pending: PendingWrite[] = [];
  /** SACK scoreboard: sorted disjoint [start, end) pairs above sndUna. */
  private sacked: number[] = [];
  private sackedBytes = 0;
  private highSack = 0;
  /** Holes below lossEnd are considered lost and are retransmitted. */
  private lossEnd = 0;
  /** Hole start -> snd_nxt when it was last retransmitted (a later SACK past that mark means lost again). */
  private readonly rtxMark = new Map<number, number>();
  private dupAcks = 0;
  private rttSeq = 0;
  private rttStart = -1;
  /** Timestamps negotiated (both SYNs carried F_TS): RTT from TSecr (RFC 7323 §4.1). */
  private tsOn = false;
  /** TS.Recent and Last.ACK.sent of RFC 7323 §4.3: what we echo, and when it may change. */
  private tsRecent = 0;
  private lastAckSent = 0;
  private retries = 0;
  /** When the acknowledged edge last moved (or data left into an empty pipe). */
  private lastProgressAt = 0;
  private rtoDeadline = 0;

  // --- receive side ---
  rcvNxt = 0;
  private ooo: OooSeg[] = [];
  private oooBytes = 0;
  /** Memory the out-of-order queue keeps beyond its bytes (receive-memory.ts). */
  private oooExtra = 0;
  /** The same for chunks waiting in the readable stream's queue. */
  private readonly queued = new QueueCharges();
  private lastOooSeq = 0;
  private finReceived = false;
  private oooFinSeq = -1;
  private ackPending = 0;
  private lastAdvWnd = 0;
  private lastRecvAt = 0;
  private kaProbesSent = 0;
  private readPaused = false;

  // --- timer handles on the wheel (0 = not armed) ---
  private hRto = 0;
  private hDelack = 0;
  private hPersist = 0;
  private hKeep = 0;
  private hTimeWait = 0;
  private hConnect = 0;
  private persistBackoff = 0;
  private probesUnanswered = 0;
  private connectTries = 0;
  private released = false;
  private readonly sackOut = new Uint32Array(MAX_SACK * 2);

  constructor(host: ConnectionHost, address: string, port: number, isServer: boolean, opts: ConnectionOptions) {
    super({ allowHalfOpen: opts.allowHalfOpen, highWaterMark: 64 * 1024 });
    this.host = host;
    this.o = opts;
    this.remoteAddress = address;
    this.remotePort = port;
    this.remoteFamily = address.includes(':') ? 'IPv6' : 'IPv4';
    this.isServer = isServer;
    this.mss = opts.mss;
    this.rtoEst = new RtoEstimator(opts);
    this.cc = new NewReno(this.mss, opts.initialWindowSegments);
    let cap = 1 << 12;
    while (cap < opts.sendBuffer) cap <<= 1;
    this.ring = Buffer.allocUnsafe(cap);
    this.ringMask = cap - 1;
    this.slot = host.clock.register(this);
    // A client queues writes from the start; the SYN leaves once its socket is bound.
    if (!isServer) this.state = S_SYN_SENT;
  }

  get stateName(): StateName {
    return STATE_NAMES[this.state];
  }

  get bytesWritten(): number {
    return this.counters.bytesOut;
  }

  get bytesRead(): number {
    return this.counters.bytesIn;
  }

  private now(): number {
    return this.host.clock.nowMs();
  }

  /** Our TSval: milliseconds, never 0 (a TSecr of 0 means no echo). */
  private tsNow(): number {
    return (Math.floor(this.now()) >>> 0) || 1;
  }

  /** An RTT sample from a TSecr; none from one that is not ours to have sent. */
  private sampleEcho(tsecr: number): void {
    const r = (this.tsNow() - tsecr) >>> 0;
    if (r <= this.o.maxRto) this.rtoEst.sample(r);
  }

  /** The peer's SYN (or SYN-ACK) carried timestamps: every segment of ours will too. */
  private startTimestamps(seg: Segment): void {
    if ((seg.flags & F_TS) === 0) return;
    this.tsOn = true;
    this.tsRecent = seg.tsval;
    this.lastAckSent = this.rcvNxt;
  }

  // ------------------------------------------------------------------ set-up

  /** Client: sends the SYN. */
  startConnect(): void {
    this.iss = randomIsn();
    this.sndUna = this.iss;
    this.sndNxt = seqAdd(this.iss, 1);
    this.dataEnd = this.sndNxt;
    this.state = S_SYN_SENT;
    this.sendSyn();
  }

  private sendSyn(): void {
    // The SYN's ack field is unused; the window field carries our receive buffer.
    this.emitRaw(F_SYN, 0, this.iss, 0, this.o.receiveBuffer, this.o.mss, 0, 0);
    if (this.connectTries === 0) this.rttStart = this.now();
    this.hConnect = this.host.clock.arm(this.hConnect, this.slot, T_CONNECT, this.rtoEst.rto);
  }

  /** Server: a validated cookie ACK creates the PCB directly in ESTABLISHED. */
  acceptFromCookie(seg: Segment, cookie: number): void {
    this.iss = cookie;
    this.irs = seqAdd(seg.seq, -1);
    this.rcvNxt = seg.seq;
    this.handshakeDone(seg, seqAdd(cookie, 1));
    this.startTimestamps(seg);
    // The ACK|HS echoes the SYN-ACK's TSval: the handshake's round trip (RFC 7323 §4.1).
    if (this.tsOn && seg.tsecr !== 0) this.sampleEcho(seg.tsecr);
    this.sndNxt = this.sndUna;
    this.dataEnd = this.sndUna;
    this.lastAdvWnd = this.o.receiveBuffer;
    this.state = S_ESTABLISHED;
    this.lastRecvAt = this.now();
    this.armKeepalive();
  }

  /** The handshake is done (either side): `una` is our first unacknowledged sequence
   *  number; the peer's window and MSS come from `seg`, which opens the window updates. */
  private handshakeDone(seg: Segment, una: number): void {
    this.sndUna = una;
    this.highSack = una;
    this.lossEnd = una;
    this.sndWnd = seg.wnd;
    this.wl1 = seg.seq;
    this.wl2 = seg.ack;
    this.setMss(seg.mss);
  }

  private setMss(peer: number): void {
    if (peer >= 64 && peer < this.mss) {
      this.mss = peer;
      this.cc = new NewReno(peer, this.o.initialWindowSegments);
    }
  }

  // ------------------------------------------------------------------ timers

  onTimer(kind: number): void {
    switch (kind) {
      case T_RTO: this.hRto = 0; this.onRtoTimer(); break;
      case T_DELACK: this.hDelack = 0; if (this.ackPending > 0 && this.synchronized()) this.sendAck(0); break;
      case T_PERSIST: this.hPersist = 0; this.onPersist(); break;
      case T_KEEPALIVE: this.hKeep = 0; this.onKeepalive(); break;
      case T_TIMEWAIT: this.hTimeWait = 0; this.teardown(); break;
      case T_CONNECT: this.hConnect = 0; this.onConnectTimer(); break;
      default: break;
    }
  }

  private onConnectTimer(): void {
    if (this.state === S_SYN_SENT) {
      if (++this.connectTries > this.o.synRetries) {
        this.fail(rudpError('ETIMEDOUT', 'connect', 'no answer to the open', this.remoteAddress, this.remotePort));
        return;
      }
      this.rtoEst.backoff();
      this.sendSyn();
    } else if (this.unconfirmed && this.state === S_ESTABLISHED) {
      // The handshake's last ACK may have been lost: repeat it until the server answers.
      if (++this.connectTries > this.o.synRetries + this.o.maxRetransmits) {
        this.fail(rudpError('ETIMEDOUT', 'connect', 'handshake never confirmed', this.remoteAddress, this.remotePort));
        return;
      }
      this.sendAck(F_HS);
      this.hConnect = this.host.clock.arm(0, this.slot, T_CONNECT, this.rtoEst.rto * Math.min(64, 1 << Math.min(6, this.connectTries)));
    }
  }

  /** RTO deadlines are kept lazily: the wheel entry fires, then re-arms for what is left. */
  private armRto(restart: boolean): void {
    if (restart || this.rtoDeadline === 0) {
      this.rtoDeadline = this.now() + this.rtoEst.rto;
      // The user timeout is a deadline of its own: a large (backed-off, or bloated) RTO
      // must not postpone it (Linux TCP_USER_TIMEOUT behaves the same way).
      if (this.o.userTimeoutMs > 0) this.rtoDeadline = Math.min(this.rtoDeadline, this.lastProgressAt + this.o.userTimeoutMs + 1);
    }
    if (this.hRto === 0) this.hRto = this.host.clock.arm(0, this.slot, T_RTO, this.rtoDeadline - this.now());
  }

  private onRtoTimer(): void {
    if (this.rtoDeadline === 0 || !this.synchronized()) return;
    const left = this.rtoDeadline - this.now();
    if (left > 0.5) {
      this.hRto = this.host.clock.arm(0, this.slot, T_RTO, left);
      return;
    }
    this.rtoDeadline = 0;
    if (this.sndUna === this.sndNxt) return;
    const now = this.now();
    this.retries++;
    if (this.retries > this.o.maxRetransmits || (this.o.userTimeoutMs > 0 && now - this.lastProgressAt >= this.o.userTimeoutMs)) {
      this.fail(rudpError('ETIMEDOUT', 'read', 'peer stopped acknowledging', this.remoteAddress, this.remotePort));
      return;
    }
    this.counters.timeouts++;
    this.cc.onTimeout(this.flightSize(), this.sndNxt);
    this.rtoEst.backoff();
    // Everything outstanding and not SACKed is presumed lost (RFC 6675 §5.1).
    this.rtxMark.clear();
    this.lossEnd = this.sndNxt;
    this.rttStart = -1;
    this.dupAcks = 0;
    this.output();
    this.armRto(true);
  }

  private onPersist(): void {
    if (!this.synchronized() || this.sndWnd >= this.mss || this.sndUna !== this.sndNxt) return;
    if (seqDiff(this.dataEnd, this.sndNxt) === 0) return;
    // A closed window must not hide a dead peer: unanswered probes count like
    // retransmissions (maxRetransmits, userTimeoutMs), as Linux does for its probes.
    const silent = this.now() - this.lastRecvAt;
    if (this.probesUnanswered > this.o.maxRetransmits || (this.o.userTimeoutMs > 0 && silent > this.o.userTimeoutMs)) {
      this.fail(rudpError('ETIMEDOUT', 'write', 'window probes unanswered', this.remoteAddress, this.remotePort));
      return;
    }
    this.probesUnanswered++;
    this.counters.probes++;
    this.sendAck(F_PROBE);
    this.persistBackoff = Math.min(this.persistBackoff + 1, 6);
    this.hPersist = this.host.clock.arm(0, this.slot, T_PERSIST, this.rtoEst.rto * (1 << this.persistBackoff));
  }

  private armKeepalive(): void {
    if (this.o.keepAliveMs > 0 && this.hKeep === 0) {
      this.hKeep = this.host.clock.arm(0, this.slot, T_KEEPALIVE, this.o.keepAliveMs);
    }
  }

  private onKeepalive(): void {
    if (!this.synchronized() || this.state === S_TIME_WAIT) return;
    const idle = this.now() - this.lastRecvAt;
    if (idle < this.o.keepAliveMs) {
      this.kaProbesSent = 0;
      this.hKeep = this.host.clock.arm(0, this.slot, T_KEEPALIVE, this.o.keepAliveMs - idle);
      return;
    }
    if (this.kaProbesSent >= this.o.keepAliveProbes) {
      this.fail(rudpError('ETIMEDOUT', 'read', 'keepalive probes unanswered', this.remoteAddress, this.remotePort));
      return;
    }
    this.kaProbesSent++;
    this.counters.probes++;
    this.sendAck(F_PROBE);
    this.hKeep = this.host.clock.arm(0, this.slot, T_KEEPALIVE, this.o.keepAliveIntervalMs);
  }

  // ------------------------------------------------------------------ output

  private synchronized(): boolean {
    return this.state >= S_ESTABLISHED;
  }

  /** Bytes outstanding (sent, not cumulatively acknowledged). */
  private flightSize(): number {
    return seqDiff(this.sndNxt, this.sndUna);
  }

  private rcvWindow(): number {
    const w = this.o.receiveBuffer - this.rcvMemory();
    return w > 0 ? w : 0;
  }

  /** Received bytes held (for the reader and out of order) plus the memory they keep beyond their length. */
  private rcvMemory(): number {
    this.queued.settle(this.readableLength);
    return this.readableLength + this.queued.extra + this.oooBytes + this.oooExtra;
  }

  private buildSack(max: number): number {
    const q = this.ooo;
    if (q.length === 0) return 0;
    // Merge the queue into ranges; the block holding the newest arrival goes first (RFC 2018 §4).
    const ranges: number[] = [];
    let s = q[0].seq;
    let e = q[0].end;
    for (let i = 1; i < q.length; i++) {
      if (q[i].seq === e) e = q[i].end;
      else { ranges.push(s, e); s = q[i].seq; e = q[i].end; }
    }
    ranges.push(s, e);
    let n = 0;
    let first = -1;
    for (let i = 0; i < ranges.length; i += 2) {
      if (seqLE(ranges[i], this.lastOooSeq) && seqLT(this.lastOooSeq, ranges[i + 1])) { first = i; break; }
    }
    if (first >= 0) { this.sackOut[0] = ranges[first]; this.sackOut[1] = ranges[first + 1]; n = 1; }
    for (let i = 0; i < ranges.length && n < max; i += 2) {
      if (i === first) continue;
      this.sackOut[n * 2] = ranges[i];
      this.sackOut[n * 2 + 1] = ranges[i + 1];
      n++;
    }
    return n;
  }

  private emitRaw(flags: number, cid: number, seq: number, ack: number, wnd: number, mss: number, off: number, len: number): void {
    // RFC 7323 §3.2: every segment but a RST once negotiated; our SYN offers them.
    const ts = (this.tsOn && (flags & F_RST) === 0) || (flags & F_SYN) !== 0;
    if (ts) flags |= F_TS;
    const nsack = (flags & F_ACK) !== 0 ? this.buildSack(ts ? MAX_SACK_TS : MAX_SACK) : 0;
    if ((flags & F_ACK) !== 0) this.lastAckSent = ack;
    const buf = this.host.codec.encode(flags, cid, seq, ack, wnd, mss, this.sackOut, nsack, len > 0 ? this.ring : null, off, len,
      ts ? this.tsNow() : 0, ts ? this.tsRecent : 0);
    this.counters.segmentsOut++;
    this.host.send(buf, this.remotePort, this.remoteAddress);
  }

  /** Sends a segment with data [seq, seq+len) (and the FIN when it ends at dataEnd). */
  private sendData(seq: number, len: number, withFin: boolean): void {
    let flags = F_ACK;
    if (withFin) flags |= F_FIN;
    if (this.unconfirmed) flags |= F_HS;
    const wnd = this.rcvWindow();
    this.lastAdvWnd = wnd;
    this.ackPending = 0;
    this.emitRaw(flags, this.irs, seq, this.rcvNxt, wnd, this.unconfirmed ? this.o.mss : 0, seq & this.ringMask, len);
  }

  private sendAck(extra: number): void {
    const wnd = this.rcvWindow();
    this.lastAdvWnd = wnd;
    this.ackPending = 0;
    this.emitRaw(F_ACK | extra, this.irs, this.sndNxt, this.rcvNxt, wnd, (extra & F_HS) !== 0 ? this.o.mss : 0, 0, 0);
  }

  private sendRst(): void {
    this.emitRaw(F_RST, this.irs, this.sndNxt, this.rcvNxt, 0, 0, 0, 0);
  }

  /** Finds the next hole to retransmit: start seq and length (or null), and counts the
   *  presumed-lost bytes not yet retransmitted (for the pipe estimate). */
  private scanHoles(): { seq: number; len: number; fin: boolean; lost: number } | null {
    const una = this.sndUna;
    const end = this.lossEnd;
    if (!seqGT(end, una)) return null;
    let pos = una;
    let found: { seq: number; len: number; fin: boolean; lost: number } | null = null;
    let lost = 0;
    const sk = this.sacked;
    const dataLimit = this.dataEnd;
    let k = 0;
    // Guard: a hole scan never walks more than the window's worth of chunks.
    let guard = 1 + ((seqDiff(this.sndNxt, una) / this.mss) | 0) + (sk.length >> 1) + 2;
    while (seqLT(pos, end) && seqLT(pos, dataLimit) && guard-- > 0) {
      while (k < sk.length && seqLE(sk[k + 1], pos)) k += 2;
      if (k < sk.length && seqLE(sk[k], pos)) { pos = sk[k + 1]; continue; }
      let gapEnd = k < sk.length ? sk[k] : dataLimit;
      if (seqGT(gapEnd, dataLimit)) gapEnd = dataLimit;
      if (seqGT(gapEnd, end)) gapEnd = end;
      const len = Math.min(this.mss, seqDiff(gapEnd, pos));
      if (len <= 0) break;
      const mark = this.rtxMark.get(pos);
      if (mark === undefined || seqGT(this.highSack, mark)) {
        lost += len;
        if (found === null) found = { seq: pos, len, fin: false, lost: 0 };
      }
      pos = seqAdd(pos, len);
    }
    // The FIN is a hole of its own once everything before it has been presumed lost.
    if (this.finSent && !this.finAcked && seqGT(end, dataLimit) && seqLE(una, dataLimit)) {
      const mark = this.rtxMark.get(dataLimit);
      if (mark === undefined || seqGT(this.highSack, mark)) {
        if (found === null) found = { seq: dataLimit, len: 0, fin: true, lost: 0 };
      }
    }
    if (found !== null) found.lost = lost;
    return found;
  }

  /** Sends what the windows allow: lost holes first, then new data, then the FIN. */
  private output(): void {
    if (!this.synchronized() || this.state === S_TIME_WAIT || this.released) return;
    for (let guard = 0; guard < 4096; guard++) {
      const hole = this.scanHoles();
      const pipe = this.flightSize() - this.sackedBytes - (hole !== null ? hole.lost : 0);
      if (pipe >= this.cc.cwnd) break;
      if (hole !== null) {
        this.rtxMark.set(hole.seq, this.sndNxt);
        this.counters.retransmits++;
        this.rttStart = -1; // Karn: no samples across retransmissions
        this.sendData(hole.seq, hole.len, hole.fin || (this.finSent && seqAdd(hole.seq, hole.len) === this.dataEnd));
        this.armRto(false);
        continue;
      }
      const avail = seqDiff(this.dataEnd, this.sndNxt);
      if (avail > 0 && seqLT(this.sndNxt, this.dataEnd)) {
        const wndLeft = this.sndWnd - this.flightSize();
        const len = Math.min(this.mss, avail, wndLeft);
        if (len <= 0 || (len < this.mss && len < avail && this.sndNxt !== this.sndUna)) {
          // Receiver window closed (or too small to be worth it): probe if nothing is in flight.
          if (this.sndNxt === this.sndUna && this.hPersist === 0) {
            this.persistBackoff = 0;
            this.hPersist = this.host.clock.arm(0, this.slot, T_PERSIST, this.rtoEst.rto);
          }
          break;
        }
        const seq = this.sndNxt;
        if (seq === this.sndUna) this.lastProgressAt = this.now();
        const fin = this.finQueued && len === avail;
        this.sendData(seq, len, fin);
        this.sndNxt = seqAdd(seq, len + (fin ? 1 : 0));
        if (fin) this.finSent = true;
        this.counters.bytesOut += len;
        if (this.rttStart < 0) { this.rttStart = this.now(); this.rttSeq = this.sndNxt; }
        this.armRto(false);
        continue;
      }
      if (this.finQueued && !this.finSent && this.sndNxt === this.dataEnd) {
        this.sendData(this.sndNxt, 0, true);
        this.sndNxt = seqAdd(this.sndNxt, 1);
        this.finSent = true;
        this.armRto(false);
      }
      break;
    }
  }

  // ------------------------------------------------------------------ input

  /** One validated segment for this connection. */
  input(seg: Segment, d: Buffer): void {
    const c = this.counters;
    if (this.released) return;
    if (this.state === S_TIME_WAIT) { this.inputTimeWait(seg); return; }
    if (seg.cid !== this.iss) {
      c.badCid++;
      return;
    }
    c.segmentsIn++;
    const f = seg.flags;
    if (this.state === S_SYN_SENT) {
      this.inputSynSent(seg);
      return;
    }
    if ((f & F_RST) !== 0) {
      // RFC 5961 §3: only an exact match resets; anything else in the window earns a challenge ACK.
      if (seg.seq === this.rcvNxt) {
        const code = this.unconfirmed ? 'ECONNREFUSED' : 'ECONNRESET';
        this.fail(rudpError(code, this.unconfirmed ? 'connect' : 'read', 'reset by peer', this.remoteAddress, this.remotePort), false);
      } else if (seqGE(seg.seq, this.rcvNxt) && seqLT(seg.seq, seqAdd(this.rcvNxt, this.o.receiveBuffer))) {
        c.challengeAcks++;
        this.sendAck(0);
      } else {
        c.outOfWindow++;
      }
      return;
    }
    if ((f & F_SYN) !== 0) {
      // A repeated SYN-ACK means our handshake ACK was lost: answer it again.
      if (!this.isServer && (f & F_ACK) !== 0 && seg.seq === this.irs) this.sendAck(this.unconfirmed ? F_HS : 0);
      else c.unexpected++;
      return;
    }
    if ((f & F_ACK) === 0) {
      c.unexpected++;
      return;
    }
    if (this.unconfirmed) {
      this.unconfirmed = false;
      this.hConnect = this.host.clock.disarm(this.hConnect);
    }
    this.lastRecvAt = this.now();
    this.kaProbesSent = 0;
    this.probesUnanswered = 0;
    // RFC 7323 §4.3: the echo follows the segment that our last ACK asked for, so a delayed
    // or duplicate ACK times the earliest unacknowledged arrival, a filled hole its repair.
    if (this.tsOn && (f & F_TS) !== 0 && seqLE(seg.seq, this.lastAckSent) && ((seg.tsval - this.tsRecent) | 0) >= 0) this.tsRecent = seg.tsval;
    if (!this.processAck(seg)) return;
    if (seg.len > 0 || (f & F_FIN) !== 0) this.processData(seg, d);
    if ((f & (F_PROBE | F_HS)) !== 0) this.sendAck(0);
    if (this.state === S_TIME_WAIT) return;
    this.output();
  }

  private inputSynSent(seg: Segment): void {
    const f = seg.flags;
    if ((f & F_RST) !== 0) {
      if ((f & F_ACK) !== 0 && seg.ack === seqAdd(this.iss, 1)) {
        this.fail(rudpError('ECONNREFUSED', 'connect', 'refused by peer', this.remoteAddress, this.remotePort), false);
      } else this.counters.unexpected++;
      return;
    }
    if ((f & (F_SYN | F_ACK)) !== (F_SYN | F_ACK) || seg.ack !== seqAdd(this.iss, 1)) {
      this.counters.unexpected++;
      return;
    }
    this.irs = seg.seq;
    this.rcvNxt = seqAdd(seg.seq, 1);
    this.handshakeDone(seg, seqAdd(this.iss, 1));
    this.startTimestamps(seg);
    if (this.tsOn && seg.tsecr !== 0) this.sampleEcho(seg.tsecr);
    else if (this.connectTries === 0 && this.rttStart >= 0) this.rtoEst.sample(this.now() - this.rttStart);
    else this.rtoEst.rto = Math.max(this.o.minRto, Math.min(this.rtoEst.rto, this.o.initialRto));
    this.rttStart = -1;
    this.hConnect = this.host.clock.disarm(this.hConnect);
    this.state = S_ESTABLISHED;
    this.unconfirmed = true;
    this.connectTries = 0;
    this.lastRecvAt = this.now();
    this.sendAck(F_HS);
    this.hConnect = this.host.clock.arm(0, this.slot, T_CONNECT, this.rtoEst.rto);
    this.armKeepalive();
    this.emit('connect');
    this.pump();
    this.output();
  }

  /** Returns false when the segment must be dropped entirely. */
  private processAck(seg: Segment): boolean {
    const c = this.counters;
    const ack = seg.ack;
    if (seqGT(ack, this.sndNxt)) {
      // Acknowledges data never sent: forged or corrupt (RFC 9293 §3.10.7.4).
      c.badAck++;
      this.sendAck(0);
      return false;
    }
    // Window update (RFC 9293 SND.WL1/WL2 rule).
    let wndChanged = false;
    if (seqGE(ack, this.sndUna) && (seqGT(seg.seq, this.wl1) || (seg.seq === this.wl1 && seqGE(ack, this.wl2)))) {
      wndChanged = seg.wnd !== this.sndWnd;
      this.sndWnd = seg.wnd;
      this.wl1 = seg.seq;
      this.wl2 = ack;
      if (this.sndWnd >= this.mss) this.hPersist = this.host.clock.disarm(this.hPersist);
    }
    if (seqLT(ack, this.sndUna)) return true; // an old ACK: its data may still be new
    let newSack = false;
    for (let i = 0; i < seg.nsack; i++) {
      const s = seg.sack[i * 2];
      const e = seg.sack[i * 2 + 1];
      if (seqLT(s, e) && seqGT(s, this.sndUna) && seqLE(e, this.dataEnd)) newSack = this.addSack(s, e) || newSack;
    }
    if (ack !== this.sndUna) {
      const acked = seqDiff(ack, this.sndUna);
      const wasOutstanding = this.flightSize();
      this.sndUna = ack;
      this.dupAcks = 0;
      this.retries = 0;
      this.lastProgressAt = this.now();
      this.pruneScoreboard();
      if (this.finSent && seqGT(ack, this.dataEnd)) this.finAcked = true;
      if (this.tsOn && (seg.flags & F_TS) !== 0 && seg.tsecr !== 0) {
        // Unambiguous even for a retransmission: it echoes the copy that arrived.
        this.sampleEcho(seg.tsecr);
        this.rttStart = -1;
      } else if (this.rttStart >= 0 && seqGE(ack, this.rttSeq)) {
        this.rtoEst.sample(this.now() - this.rttStart);
        this.rttStart = -1;
      }
      this.cc.onAck(Math.min(acked, wasOutstanding), ack, this.flightSize());
      if (this.sndUna === this.sndNxt) this.rtoDeadline = 0;
      else this.armRto(true);
      this.onAckedState();
      this.pump();
    } else if (this.flightSize() > 0 && seg.len === 0 && (seg.flags & F_FIN) === 0 && (!wndChanged || newSack)) {
      this.dupAcks++;
      if (this.cc.inRecovery) this.cc.onDupAck();
    }
    this.detectLoss();
    return true;
  }

  private detectLoss(): void {
    if (this.flightSize() === 0) return;
    const thresh = 3 * this.mss;
    const sackLoss = this.sackedBytes > 0 && seqGT(this.highSack, seqAdd(this.sndUna, thresh)) ? seqAdd(this.highSack, -thresh) : this.sndUna;
    if (!this.cc.inRecovery && (this.dupAcks >= 3 || seqGT(sackLoss, this.sndUna))) {
      if (this.cc.onLoss(this.flightSize(), this.sndNxt, this.sndUna)) {
        this.counters.fastRecoveries++;
        this.lossEnd = seqMax(this.lossEnd, seqAdd(this.sndUna, 1));
      }
    }
    if (this.cc.inRecovery || seqGT(this.lossEnd, this.sndUna)) this.lossEnd = seqMax(this.lossEnd, sackLoss);
  }

  /** Adds [s, e) to the scoreboard; true if it covered anything new. */
  private addSack(s: number, e: number): boolean {
    const sk = this.sacked;
    let i = 0;
    while (i < sk.length && seqLT(sk[i + 1], s)) i += 2;
    let ns = s;
    let ne = e;
    let j = i;
    let covered = 0;
    while (j < sk.length && seqLE(sk[j], ne)) {
      if (seqLT(sk[j], ns)) ns = sk[j];
      if (seqGT(sk[j + 1], ne)) ne = sk[j + 1];
      covered += seqDiff(sk[j + 1], sk[j]);
      j += 2;
    }
    const grown = seqDiff(ne, ns) - covered;
    sk.splice(i, j - i, ns, ne);
    this.sackedBytes += grown;
    if (seqGT(ne, this.highSack)) this.highSack = ne;
    return grown > 0;
  }

  private pruneScoreboard(): void {
    const sk = this.sacked;
    let k = 0;
    while (k < sk.length && seqLE(sk[k + 1], this.sndUna)) {
      this.sackedBytes -= seqDiff(sk[k + 1], sk[k]);
      k += 2;
    }
    if (k > 0) sk.splice(0, k);
    if (sk.length > 0 && seqLT(sk[0], this.sndUna)) {
      this.sackedBytes -= seqDiff(this.sndUna, sk[0]);
      sk[0] = this.sndUna;
    }
    if (sk.length === 0) { this.sackedBytes = 0; this.highSack = this.sndUna; }
    if (this.rtxMark.size > 0) for (const key of this.rtxMark.keys()) if (seqLT(key, this.sndUna)) this.rtxMark.delete(key);
  }

  private onAckedState(): void {
    if (!this.finAcked) return;
    if (this.state === S_FIN_WAIT_1) this.state = S_FIN_WAIT_2;
    else if (this.state === S_CLOSING) this.enterTimeWait();
    else if (this.state === S_LAST_ACK) this.teardown();
  }

  private processData(seg: Segment, d: Buffer): void {
    const c = this.counters;
    const fin = (seg.flags & F_FIN) !== 0;
    let seq = seg.seq;
    let off = seg.off;
    let len = seg.len;
    if (this.finReceived) {
      // Everything up to the peer's FIN is in: a retransmission lost our ACK.
      c.dupData++;
      this.sendAck(0);
      return;
    }
    const end = seqAdd(seq, len);
    const limit = seqAdd(this.rcvNxt, Math.max(this.rcvWindow(), this.lastAdvWnd));
    if (seqLT(end, this.rcvNxt) || (seqLE(end, this.rcvNxt) && !(fin && end === this.rcvNxt))) {
      c.dupData++;
      this.sendAck(0);
      return;
    }
    if (seqGE(seq, limit) && len > 0) {
      c.outOfWindow++;
      this.sendAck(0);
      return;
    }
    if (seqLT(seq, this.rcvNxt)) {
      const cut = seqDiff(this.rcvNxt, seq);
      off += cut; len -= cut; seq = this.rcvNxt;
    }
    let finHere = fin;
    if (seqGT(seqAdd(seq, len), limit)) {
      len = seqDiff(limit, seq);
      finHere = false;
    }
    if (seq === this.rcvNxt) {
      const hadOoo = this.ooo.length > 0;
      if (len > 0) this.deliver(d.subarray(off, off + len));
      this.drainOoo();
      if (finHere || (this.oooFinSeq >= 0 && this.oooFinSeq === this.rcvNxt)) {
        this.onFin();
        return;
      }
      this.ackPending++;
      if (hadOoo || this.ackPending >= 2) this.sendAck(0);
      else if (this.hDelack === 0) this.hDelack = this.host.clock.arm(0, this.slot, T_DELACK, this.o.delayedAckMs);
    } else {
      if (len > 0) this.storeOoo(seq, d.subarray(off, off + len));
      if (finHere) this.oooFinSeq = seqAdd(seq, len);
      this.sendAck(0); // out of order: duplicate ACK at once, with SACK (RFC 5681 §4.2)
    }
  }

  private deliver(data: Buffer): void {
    this.rcvNxt = seqAdd(this.rcvNxt, data.length);
    this.counters.bytesIn += data.length;
    const chunk = compactSlice(data);
    const before = this.readableLength;
    const more = this.push(chunk);
    // Queued rather than handed straight to a 'data' listener: charged until it is read.
    if (this.readableLength > before) this.queued.add(chunk.length, chunkCost(chunk));
    if (!more) this.readPaused = true;
  }

  private drainOoo(): void {
    const q = this.ooo;
    let k = 0;
    while (k < q.length && seqLE(q[k].seq, this.rcvNxt)) {
      const s = q[k];
      this.oooForget(s);
      if (seqGT(s.end, this.rcvNxt)) this.deliver(s.data.subarray(seqDiff(this.rcvNxt, s.seq)));
      k++;
    }
    if (k > 0) q.splice(0, k);
  }

  private storeOoo(seq: number, data: Buffer): void {
    const q = this.ooo;
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seqLE(q[mid].seq, seq)) lo = mid + 1; else hi = mid;
    }
    let s = seq;
    let e = seqAdd(seq, data.length);
    let bytes = data;
    if (lo > 0 && seqGT(q[lo - 1].end, s)) {
      const cut = seqDiff(q[lo - 1].end, s);
      if (cut >= bytes.length) { this.counters.dupData++; return; }
      bytes = bytes.subarray(cut);
      s = q[lo - 1].end;
    }
    // Drop queued segments the new one covers entirely; trim it before a partial overlap.
    let j = lo;
    while (j < q.length && seqLE(q[j].end, e) && seqGE(q[j].seq, s)) { this.oooForget(q[j]); j++; }
    if (j < q.length && seqLT(q[j].seq, e)) {
      bytes = bytes.subarray(0, seqDiff(q[j].seq, s));
      e = q[j].seq;
    }
    if (bytes.length === 0) { q.splice(lo, j - lo); this.counters.dupData++; return; }
    const kept = compactSlice(bytes);
    q.splice(lo, j - lo, { seq: s, end: e, data: kept });
    this.oooBytes += kept.length;
    this.oooExtra += chunkCost(kept) - kept.length;
    this.lastOooSeq = s;
  }

  private oooForget(s: OooSeg): void {
    this.oooBytes -= s.data.length;
    this.oooExtra -= chunkCost(s.data) - s.data.length;
  }

  private onFin(): void {
    this.finReceived = true;
    this.rcvNxt = seqAdd(this.rcvNxt, 1);
    this.ooo = [];
    this.oooBytes = 0;
    this.oooExtra = 0;
    this.sendAck(0);
    if (this.state === S_ESTABLISHED) this.state = S_CLOSE_WAIT;
    else if (this.state === S_FIN_WAIT_1) {
      if (this.finAcked) this.enterTimeWait();
      else this.state = S_CLOSING;
    } else if (this.state === S_FIN_WAIT_2) this.enterTimeWait();
    this.push(null);
  }

  private enterTimeWait(): void {
    this.state = S_TIME_WAIT;
    this.rtoDeadline = 0;
    this.hRto = this.host.clock.disarm(this.hRto);
    this.hPersist = this.host.clock.disarm(this.hPersist);
    this.hKeep = this.host.clock.disarm(this.hKeep);
    this.hTimeWait = this.host.clock.arm(this.hTimeWait, this.slot, T_TIMEWAIT, this.o.timeWaitMs);
  }

  /** In TIME_WAIT a retransmitted FIN is acknowledged again; nothing else is accepted. */
  inputTimeWait(seg: Segment): void {
    if (seg.cid !== this.iss) { this.counters.badCid++; return; }
    if ((seg.flags & F_FIN) !== 0) this.sendAck(0);
    else this.counters.unexpected++;
  }

  // ------------------------------------------------------------------ stream side

  /** Copies queued writes into the ring as space frees up, completing their callbacks. */
  private pump(): void {
    const cap = this.ringMask + 1;
    while (this.pending.length > 0) {
      const w = this.pending[0];
      const used = seqDiff(this.dataEnd, this.sndUna);
      let space = cap - used;
      if (space <= 0) break;
      const n = Math.min(space, w.buf.length - w.off);
      let at = this.dataEnd & this.ringMask;
      let left = n;
      let src = w.off;
      while (left > 0) {
        const k = Math.min(left, cap - at);
        this.ring.set(w.buf.subarray(src, src + k), at);
        at = (at + k) & this.ringMask;
        src += k;
        left -= k;
      }
      space -= n;
      w.off += n;
      this.dataEnd = seqAdd(this.dataEnd, n);
      if (w.off < w.buf.length) break;
      this.pending.shift();
      w.cb();
    }
  }

  override _write(chunk: Buffer | string, encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.state === S_CLOSED || this.released || this.finQueued) {
      cb(rudpError('EPIPE', 'write', 'connection is closed', this.remoteAddress, this.remotePort));
      return;
    }
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
    this.pending.push({ buf, off: 0, cb });
    if (this.state === S_SYN_SENT) return; // sent once connected
    this.pump();
    this.output();
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.state === S_SYN_SENT) {
      this.once('connect', () => this._final(cb));
      return;
    }
    if (this.state === S_ESTABLISHED) this.state = S_FIN_WAIT_1;
    else if (this.state === S_CLOSE_WAIT) this.state = S_LAST_ACK;
    else { cb(); return; }
    this.finQueued = true;
    this.output();
    cb();
  }

  override _read(): void {
    if (!this.readPaused) return;
    this.readPaused = false;
    // Receiver-side silly-window avoidance: announce the reopened window once it is worth it.
    if (this.synchronized() && !this.finReceived) {
      const w = this.rcvWindow();
      if (w - this.lastAdvWnd >= Math.min(this.o.receiveBuffer >> 1, 2 * this.mss)) this.sendAck(0);
    }
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    const graceful = err === null && this.finQueued && this.finReceived;
    if (!graceful && !this.released) {
      if (this.synchronized() && this.state !== S_TIME_WAIT && err === null) this.sendRst();
      for (const w of this.pending) w.cb(rudpError('EPIPE', 'write', 'destroyed', this.remoteAddress, this.remotePort));
      this.pending.length = 0;
      this.teardown();
    }
    cb(err);
  }

  /** Aborts the connection with an error (no RST when the peer reset us or went silent). */
  private fail(err: RudpError, sendRst = true): void {
    if (sendRst && this.synchronized() && err.code !== 'ETIMEDOUT') this.sendRst();
    this.teardown();
    for (const w of this.pending) w.cb(err);
    this.pending.length = 0;
    this.destroy(err);
  }

  /** Releases the PCB: timers off the wheel, out of the endpoint's table. */
  teardown(): void {
    if (this.released) return;
    this.released = true;
    this.state = S_CLOSED;
    const clk = this.host.clock;
    this.hRto = clk.disarm(this.hRto);
    this.hDelack = clk.disarm(this.hDelack);
    this.hPersist = clk.disarm(this.hPersist);
    this.hKeep = clk.disarm(this.hKeep);
    this.hTimeWait = clk.disarm(this.hTimeWait);
    this.hConnect = clk.disarm(this.hConnect);
    clk.unregister(this.slot);
    this.host.release(this);
  }

  get isReleased(): boolean {
    return this.released;
  }

  /** A snapshot for tools and tests. */
  info(): Record<string, number | string> {
    return {
      state: this.stateName, mss: this.mss, cwnd: this.cc.cwnd, ssthresh: this.cc.ssthresh, srtt: this.rtoEst.srtt,
      rttvar: this.rtoEst.rttvar, rto: this.rtoEst.rto, sndWnd: this.sndWnd, rcvWnd: this.rcvWindow(),
      ...this.counters, fastRecoveries: this.cc.fastRecoveries, timeouts: this.cc.timeouts,
    };
  }
}
