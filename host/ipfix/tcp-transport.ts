// IPFIX over TCP (RFC 7011 §10.4): one connection, templates sent once at its start (no
// refresh over a reliable transport), reconnecting with a capped backoff when the
// collector goes away. While down, the sender takes nothing from the queue: messages
// wait there (bounded) and the producer counts what does not fit. Writes that fail or
// are pending when the connection dies are counted lost. Data the kernel accepted but
// the collector never read (it crashed rather than closed) cannot be seen by any
// exporter; a collector that closes its side cleanly loses nothing.
import net from 'node:net';
import {
  MessageQueue, S_CONNECTS, S_OPTION_MSGS, S_SEND_ERRORS, S_TEMPLATE_MSGS, S_WITHDRAWAL_MSGS,
  countControl, countLostMessage, countSent, type OutMessage,
} from './message-queue.js';
import { templateBuffer, Wakeups, type ControlKind, type Transport, type TransportOptions } from './transport.js';

const BACKOFF_MIN_MS = 50;
const BACKOFF_MAX_MS = 2000;

export class TcpTransport implements Transport {
  readonly reliable = true;
  session = 0;
  private readonly opts: TransportOptions;
  private readonly q: MessageQueue;
  private socket: net.Socket | null = null;
  private connected = false;
  private closing = false;
  private backoff = BACKOFF_MIN_MS;
  private nextSeq = 0;
  private blocked = false;
  private readonly wakeups = new Wakeups();
  private pending = 0;

  constructor(opts: TransportOptions, q: MessageQueue) {
    this.opts = opts;
    this.q = q;
  }

  get up(): boolean {
    return this.connected && !this.blocked;
  }

  start(): void {
    this.connect();
  }

  private connect(): void {
    if (this.closing) return;
    const s = net.connect({ host: this.opts.host, port: this.opts.port });
    s.setNoDelay(true);
    this.socket = s;
    s.on('connect', () => {
      this.connected = true;
      this.session++;
      this.backoff = BACKOFF_MIN_MS;
      this.q.stats[S_CONNECTS]++;
      const t = templateBuffer(this.nextSeq, this.opts.domain, this.opts.biflow);
      s.write(t, (err) => {
        if (err === null || err === undefined) countControl(this.q.stats, S_TEMPLATE_MSGS, t.length);
      });
      this.wakeups.wake();
    });
    s.on('drain', () => { this.blocked = false; this.wakeups.wake(); });
    // Export is one-way; a collector that sends anything is ignored. Its FIN means it is
    // going away: finish our side so it can read what we already wrote.
    s.on('data', () => {});
    s.on('end', () => { s.end(); });
    s.on('error', () => { this.q.stats[S_SEND_ERRORS]++; });
    s.on('close', () => {
      if (this.socket !== s) return;
      this.socket = null;
      this.connected = false;
      this.blocked = false;
      this.wakeups.wake();
      if (!this.closing) {
        const wait = this.backoff;
        this.backoff = Math.min(BACKOFF_MAX_MS, this.backoff * 2);
        setTimeout(() => this.connect(), wait);
      }
    });
  }

  send(m: OutMessage, sequence: number): void {
    const s = this.socket;
    const st = this.q.stats;
    this.nextSeq = (sequence + m.records) >>> 0;
    if (s === null || !this.connected) {
      countLostMessage(st, m);
      return;
    }
    this.pending++;
    const ok = s.write(m.bytes, (err) => {
      this.pending--;
      if (err === null || err === undefined) countSent(st, m);
      else countLostMessage(st, m);
      if (this.pending === 0) this.wakeups.wake();
    });
    if (!ok) this.blocked = true;
  }

  sendControl(bytes: Buffer, kind: ControlKind, advance: number): void {
    this.nextSeq = (this.nextSeq + advance) >>> 0;
    const s = this.socket;
    if (s === null || !this.connected) return;
    this.pending++;
    const ok = s.write(bytes, (err) => {
      this.pending--;
      if (err === null || err === undefined) countControl(this.q.stats, kind === 'options' ? S_OPTION_MSGS : S_WITHDRAWAL_MSGS, bytes.length);
      if (this.pending === 0) this.wakeups.wake();
    });
    if (!ok) this.blocked = true;
  }

  settle(): Promise<void> {
    return this.wakeups.settle(!this.blocked);
  }

  waitUp(ms: number): Promise<void> {
    return this.wakeups.waitUp(this.up, ms);
  }

  async quiesce(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.pending > 0 && this.socket !== null && Date.now() < deadline) {
      await this.wakeups.next(deadline - Date.now());
    }
  }

  async close(ms: number): Promise<void> {
    this.closing = true;
    const s = this.socket;
    await this.quiesce(ms);
    if (s !== null) {
      // FIN after the data (not a reset): the kernel delivers what it holds even if
      // this process exits right away.
      s.end();
      s.unref();
    }
    this.connected = false;
  }
}
