// UDP mode (like iperf3 -u): the client paces datagrams at --rate carrying a sequence
// number and its send time; the server counts loss, reordering and RFC 3550 jitter, and
// answers the client's FIN datagram with its report.
//
// The server keeps state only for flows that proved they receive at their source address:
// a HELLO is answered statelessly with a cookie (a keyed hash of address, port, stream
// and a 60 s slot; the reply is no larger than the HELLO), and only datagrams carrying a
// valid cookie create a flow. So a spoofed source gets no flow, no report and nothing
// larger than it sent; flows are capped in number and expire when idle; duplicate
// detection is a fixed-size bitmap window per flow.
import { createHmac, randomBytes } from 'node:crypto';
import type dgram from 'node:dgram';
import { SeqWindow } from './seq-window.js';

const MAGIC = 0x4e425531; // 'NBU1'
/** magic(4) stream(4) seq(4) kind(4) cookie(8) send time(8, float64 ms since the epoch) */
export const UDP_HDR = 32;
const COOKIE_OFF = 16;
const COOKIE_LEN = 8;
const TIME_OFF = 24;
/** The client pads its FIN to this: the report is never larger than the datagram asking. */
export const FIN_LEN = 512;
const K_DATA = 0;
const K_FIN = 1;
const K_REPORT = 2;
const K_HELLO = 3;
const K_COOKIE = 4;

export interface UdpReport { received: number; lost: number; lossPct: number; outOfOrder: number; duplicates: number; jitterMs: number; bytes: number; seconds: number }

export interface UdpReceiverOptions {
  /** Most flows held at once; datagrams of further new flows are refused (default 1024). */
  maxFlows?: number;
  /** A flow silent this long is forgotten (default 30 s). */
  idleMs?: number;
}

/** What the receiver did with every datagram. */
export interface UdpServerStats {
  datagrams: number;
  malformed: number;
  /** No flow and no valid cookie (spoofed, stale, or from a client that skipped the HELLO). */
  unknown: number;
  cookiesSent: number;
  flows: number;
  flowsPeak: number;
  flowsCreated: number;
  flowsExpired: number;
  /** Valid cookie, but maxFlows flows were live. */
  refused: number;
  reports: number;
}

interface Flow {
  cookie: Buffer; maxSeq: number; received: number; ooo: number; dups: number; jitter: number; lastTransit: number;
  bytes: number; t0: number; t1: number; lastSeen: number; win: SeqWindow;
}

const COOKIE_SLOT_MS = 60_000;

/** Stateless cookies: valid for the slot they were made in and the one after. */
class CookieMint {
  private readonly key = randomBytes(32);

  make(addr: string, port: number, stream: number, slot = Math.floor(Date.now() / COOKIE_SLOT_MS)): Buffer {
    return createHmac('sha256', this.key).update(`${addr}|${port}|${stream}|${slot}`).digest().subarray(0, COOKIE_LEN);
  }

  check(addr: string, port: number, stream: number, cookie: Buffer): boolean {
    const slot = Math.floor(Date.now() / COOKIE_SLOT_MS);
    return this.make(addr, port, stream, slot).equals(cookie) || this.make(addr, port, stream, slot - 1).equals(cookie);
  }
}

function header(kind: number, stream: number, seq: number, cookie: Buffer | null, len = UDP_HDR): Buffer {
  const h = Buffer.alloc(len);
  h.writeUInt32BE(MAGIC, 0);
  h.writeUInt32BE(stream, 4);
  h.writeUInt32BE(seq, 8);
  h.writeUInt32BE(kind, 12);
  if (cookie !== null) cookie.copy(h, COOKIE_OFF);
  return h;
}

export class UdpReceiver {
  private readonly flows = new Map<string, Flow>();
  private readonly mint = new CookieMint();
  private readonly maxFlows: number;
  private readonly idleMs: number;
  private readonly sweeper: NodeJS.Timeout;
  readonly stats: UdpServerStats = {
    datagrams: 0, malformed: 0, unknown: 0, cookiesSent: 0, flows: 0, flowsPeak: 0, flowsCreated: 0, flowsExpired: 0, refused: 0, reports: 0,
  };

  constructor(private readonly sock: dgram.Socket, log: (l: string) => void, opts: UdpReceiverOptions = {}) {
    this.maxFlows = opts.maxFlows ?? 1024;
    this.idleMs = opts.idleMs ?? 30_000;
    sock.on('message', (m, r) => this.onMessage(m, r.address, r.port));
    sock.on('error', (e) => log(`udp: ${e.message}`));
    this.sweeper = setInterval(() => this.expire(), Math.max(10, this.idleMs / 2));
    this.sweeper.unref();
  }

  get flowCount(): number {
    return this.flows.size;
  }

  private expire(): void {
    const limit = performance.now() - this.idleMs;
    for (const [k, f] of this.flows) {
      if (f.lastSeen < limit) { this.flows.delete(k); this.stats.flowsExpired++; }
    }
    this.stats.flows = this.flows.size;
  }

  private onMessage(m: Buffer, address: string, port: number): void {
    const st = this.stats;
    st.datagrams++;
    if (m.length < UDP_HDR || m.readUInt32BE(0) !== MAGIC) { st.malformed++; return; }
    const stream = m.readUInt32BE(4);
    const kind = m.readUInt32BE(12);
    if (kind === K_HELLO) {
      st.cookiesSent++;
      this.reply(address, port, header(K_COOKIE, stream, 0, this.mint.make(address, port, stream)), m.length);
      return;
    }
    if (kind !== K_DATA && kind !== K_FIN) { st.malformed++; return; }
    const cookie = m.subarray(COOKIE_OFF, COOKIE_OFF + COOKIE_LEN);
    const key = `${address}|${port}|${stream}`;
    let f = this.flows.get(key);
    const now = performance.now() + performance.timeOrigin;
    if (f === undefined) {
      if (!this.mint.check(address, port, stream, cookie)) { st.unknown++; return; }
      if (this.flows.size >= this.maxFlows) { st.refused++; return; }
      f = {
        cookie: Buffer.from(cookie), maxSeq: -1, received: 0, ooo: 0, dups: 0, jitter: 0, lastTransit: NaN, bytes: 0, t0: now, t1: now,
        lastSeen: 0, win: new SeqWindow(),
      };
      this.flows.set(key, f);
      st.flowsCreated++;
      st.flows = this.flows.size;
      if (st.flows > st.flowsPeak) st.flowsPeak = st.flows;
    } else if (!f.cookie.equals(cookie)) { st.unknown++; return; }
    f.lastSeen = performance.now();
    const seq = m.readUInt32BE(8);
    if (kind === K_FIN) {
      // FIN carries the count sent; loss = sent - distinct received.
      const sent = seq;
      const r: UdpReport = {
        received: f.received, lost: Math.max(0, sent - f.received), lossPct: sent ? (100 * Math.max(0, sent - f.received)) / sent : 0,
        outOfOrder: f.ooo, duplicates: f.dups, jitterMs: f.jitter, bytes: f.bytes, seconds: (f.t1 - f.t0) / 1000,
      };
      const body = Buffer.from(JSON.stringify(r));
      if (this.reply(address, port, Buffer.concat([header(K_REPORT, stream, 0, null), body]), m.length)) st.reports++;
      return;
    }
    const v = f.win.mark(seq);
    if (v === 'dup') { f.dups++; return; }
    // 'old' is below the duplicate window (65,536 datagrams of reordering): counted as a
    // late arrival, as iperf3 counts every arrival.
    f.received++;
    f.bytes += m.length;
    f.t1 = now;
    if (seq < f.maxSeq) f.ooo++;
    else f.maxSeq = seq;
    // RFC 3550 A.8: J += (|D| - J) / 16, D the change in one-way transit time.
    const transit = now - m.readDoubleBE(TIME_OFF);
    if (!Number.isNaN(f.lastTransit)) f.jitter += (Math.abs(transit - f.lastTransit) - f.jitter) / 16;
    f.lastTransit = transit;
  }

  /** Sends `buf` unless it is larger than the datagram it answers (no amplification). */
  private reply(address: string, port: number, buf: Buffer, requestLen: number): boolean {
    if (buf.length > requestLen) return false;
    this.sock.send(buf, port, address);
    return true;
  }

  close(): void {
    clearInterval(this.sweeper);
    this.flows.clear();
    this.stats.flows = 0;
  }
}

/** The first error on a client's (connected) socket: an ICMP port unreachable surfaces as
 *  ECONNREFUSED, and must end the stream with that code rather than crash the process. */
class SocketFailure {
  err: Error | null = null;
  private waiters: ((e: Error) => void)[] = [];
  constructor(sock: dgram.Socket) {
    sock.on('error', (e: Error) => {
      if (this.err === null) this.err = e;
      for (const w of this.waiters.splice(0)) w(e);
    });
  }
  onFail(cb: (e: Error) => void): void {
    if (this.err !== null) cb(this.err);
    else this.waiters.push(cb);
  }
}

/** How a client asks until the server answers: `send` every `everyMs` (the first after
 *  `firstMs`), at most 20 times, until a message of kind `want` for this stream arrives. */
interface Ask<T> {
  send: Buffer;
  want: number;
  /** The answer's value; a throw rejects. */
  read: (m: Buffer) => T;
  firstMs: number;
  everyMs: number;
  /** The error message when no answer comes. */
  silence: string;
}

function askUntilAnswered<T>(sock: dgram.Socket, stream: number, fail: SocketFailure, ask: Ask<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    let tries = 0;
    let timer: NodeJS.Timeout | null = null;
    let done = false;
    const finish = (): void => { done = true; sock.off('message', onMsg); if (timer) clearTimeout(timer); };
    const onMsg = (m: Buffer): void => {
      if (m.length < UDP_HDR || m.readUInt32BE(0) !== MAGIC || m.readUInt32BE(12) !== ask.want || m.readUInt32BE(4) !== stream) return;
      finish();
      try { resolve(ask.read(m)); } catch (e) { reject(e as Error); }
    };
    sock.on('message', onMsg);
    fail.onFail((e) => { if (!done) { finish(); reject(e); } });
    const again = (): void => {
      if (done) return;
      if (++tries > 20) { finish(); reject(Object.assign(new Error(ask.silence), { code: 'ETIMEDOUT' })); return; }
      sock.send(ask.send);
      timer = setTimeout(again, ask.everyMs);
    };
    timer = setTimeout(again, ask.firstMs);
  });
}

/** Client: HELLO until the server's cookie arrives (or a clear error). */
function handshake(sock: dgram.Socket, stream: number, fail: SocketFailure): Promise<Buffer> {
  return askUntilAnswered(sock, stream, fail, {
    send: header(K_HELLO, stream, 0, null),
    want: K_COOKIE,
    read: (m) => Buffer.from(m.subarray(COOKIE_OFF, COOKIE_OFF + COOKIE_LEN)),
    firstMs: 0,
    everyMs: 100,
    silence: 'udp: no answer to the hello (is the server running with --proto udp, and bound to an address this host reaches: --bind?)',
  });
}

/** Client side of one UDP stream: hello, paced sending, then FIN until the report arrives. */
export async function udpStream(sock: dgram.Socket, stream: number, len: number, rateMbit: number, seconds: number,
  onBytes: (n: number) => void): Promise<UdpReport & { sent: number }> {
  const fail = new SocketFailure(sock);
  const cookie = await handshake(sock, stream, fail);
  const buf = header(K_DATA, stream, 0, cookie, len);
  const pps = (rateMbit * 1e6) / 8 / len;
  const t0 = performance.now();
  let sent = 0;
  await new Promise<void>((resolve, reject) => {
    const step = (): void => {
      if (fail.err !== null) { reject(fail.err); return; }
      const el = performance.now() - t0;
      if (el >= seconds * 1000) { resolve(); return; }
      const due = Math.floor((el / 1000) * pps) + 1;
      let burst = 0;
      while (sent < due && burst < 2000) {
        buf.writeUInt32BE(sent, 8);
        buf.writeDoubleBE(performance.now() + performance.timeOrigin, TIME_OFF);
        sock.send(Buffer.from(buf));
        sent++;
        burst++;
        onBytes(len);
      }
      setTimeout(step, 1);
    };
    step();
  });
  return askUntilAnswered(sock, stream, fail, {
    send: header(K_FIN, stream, sent, cookie, FIN_LEN),
    want: K_REPORT,
    read: (m) => ({ ...(JSON.parse(m.subarray(UDP_HDR).toString()) as UdpReport), sent }),
    firstMs: 200, // let the last datagrams land first
    everyMs: 150,
    silence: 'udp: no report from the server (is it running with --proto udp?)',
  });
}
