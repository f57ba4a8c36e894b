// IPFIX over UDP (RFC 7011 §10.3). The socket is connected, so the kernel reports an
// ICMP port-unreachable from the collector's host on the next send: that send fails
// (ECONNREFUSED) without going out, and we know the datagram sent just before it was
// refused. We count that one lost, resend the failed one once after fresh templates
// (a restarted collector has forgotten them), and count it lost if that fails too.
// Node tries every send synchronously (uv_udp_try_send) and reports it on the next
// tick, in call order, so completion order is syscall order.
// What no sender can see: datagrams dropped on a path or in a full receive buffer of a
// live collector (the collector sees them as sequence-number gaps).
import dgram from 'node:dgram';
import {
  MessageQueue, S_CONNECTS, S_OPTION_MSGS, S_SEND_ERRORS, S_TEMPLATE_MSGS, S_WITHDRAWAL_MSGS,
  countControl, countLostMessage, countSent, uncountSent, type OutMessage,
} from './message-queue.js';
import { delay, templateBuffer, Wakeups, type ControlKind, type Transport, type TransportOptions } from './transport.js';

/** Completions allowed in flight before settle() waits for them. */
const MAX_IN_FLIGHT = 64;
const RECOVERY_MESSAGES = 3;

/** What a datagram was: a data message, or one of the others (by its counter). */
type Datagram = { data: OutMessage } | { control: number };

export class UdpTransport implements Transport {
  readonly reliable = false;
  readonly session = 0;
  private readonly opts: TransportOptions;
  private readonly q: MessageQueue;
  private socket: dgram.Socket | null = null;
  private connected = false;
  private inFlight = 0;
  private lastOk: Datagram | null = null;
  private needTemplates = true;
  /** After a refusal every data message carries templates until this many in a row
   *  drew none: a collector that restarted has forgotten them, and the first message it
   *  gets must be decodable. */
  private recovering = 0;
  private sinceTemplates = 0;
  private templatesAt = 0;
  private nextSeq = 0;
  private readonly wakeups = new Wakeups();

  constructor(opts: TransportOptions, q: MessageQueue) {
    this.opts = opts;
    this.q = q;
  }

  get up(): boolean {
    return this.connected;
  }

  start(): void {
    const type = this.opts.family === 6 || (this.opts.family === 0 && this.opts.host.includes(':')) ? 'udp6' : 'udp4';
    const s = dgram.createSocket(type);
    this.socket = s;
    // The socket also reads (dgram always does), and when the loop is idle the kernel's
    // pending port-unreachable surfaces there (recvmsg ECONNREFUSED) instead of on a send.
    s.on('error', (err: NodeJS.ErrnoException) => {
      this.q.stats[S_SEND_ERRORS]++;
      if (err.code === 'ECONNREFUSED') this.refused();
    });
    s.connect(this.opts.port, this.opts.host, () => {
      this.connected = true;
      this.q.stats[S_CONNECTS]++;
      this.wakeups.wake();
    });
  }

  send(m: OutMessage, sequence: number): void {
    const now = Date.now();
    if (this.needTemplates || this.recovering > 0 || this.sinceTemplates >= this.opts.refreshMessages || now - this.templatesAt >= this.opts.refreshSec * 1000) {
      this.sendTemplates(sequence);
    }
    this.sinceTemplates++;
    this.nextSeq = (sequence + m.records) >>> 0;
    this.raw(m.bytes, { data: m }, sequence);
  }

  sendControl(bytes: Buffer, kind: ControlKind, advance: number): void {
    this.nextSeq = (this.nextSeq + advance) >>> 0;
    this.raw(bytes, { control: kind === 'options' ? S_OPTION_MSGS : S_WITHDRAWAL_MSGS }, this.nextSeq);
  }

  private sendTemplates(sequence: number): void {
    this.needTemplates = false;
    this.sinceTemplates = 0;
    this.templatesAt = Date.now();
    this.raw(templateBuffer(sequence, this.opts.domain, this.opts.biflow), { control: S_TEMPLATE_MSGS }, sequence);
  }

  private raw(bytes: Buffer, what: Datagram, sequence: number, retry = false): void {
    const s = this.socket;
    if (s === null) {
      if ('data' in what) countLostMessage(this.q.stats, what.data);
      return;
    }
    this.inFlight++;
    s.send(bytes, (err) => {
      this.inFlight--;
      const st = this.q.stats;
      if (err === null || err === undefined) {
        if ('control' in what) countControl(st, what.control, bytes.length);
        else {
          countSent(st, what.data);
          if (this.recovering > 0 && this.lastOk !== null && 'data' in this.lastOk) this.recovering--;
        }
        this.lastOk = what;
      } else {
        st[S_SEND_ERRORS]++;
        const refused = (err as NodeJS.ErrnoException).code === 'ECONNREFUSED';
        if (refused) this.refused();
        if ('data' in what) {
          if (refused && !retry) {
            this.sendTemplates(sequence);
            this.raw(bytes, what, sequence, true);
          } else {
            countLostMessage(st, what.data);
          }
        }
      }
      if (this.inFlight === 0) this.wakeups.wake();
    });
  }

  /** A port-unreachable came back: the datagram that drew it (the last one that went
   *  out) was counted sent; move it to lost, and resend templates from now on. */
  private refused(): void {
    const st = this.q.stats;
    if (this.lastOk !== null && 'data' in this.lastOk) {
      uncountSent(st, this.lastOk.data);
      countLostMessage(st, this.lastOk.data);
    }
    this.lastOk = null;
    this.needTemplates = true;
    this.recovering = RECOVERY_MESSAGES;
  }

  /** Sends a templates-only message when the refresh interval passed with no data. */
  refresh(): void {
    if (this.connected && Date.now() - this.templatesAt >= this.opts.refreshSec * 1000 && this.templatesAt !== 0) {
      this.sendTemplates(this.nextSeq);
    }
  }

  settle(): Promise<void> {
    return this.wakeups.settle(this.inFlight < MAX_IN_FLIGHT);
  }

  waitUp(ms: number): Promise<void> {
    return this.wakeups.waitUp(this.connected, ms);
  }

  /**
   * At the end, one last check: a port-unreachable drawn by the final datagram is only
   * reported on a next send, so send a templates-only message (harmless to a live
   * collector) and account its completion.
   */
  async quiesce(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    if (this.connected && this.lastOk !== null && 'data' in this.lastOk) {
      await delay(5); // the ICMP error travels back
      this.sendTemplates(this.nextSeq);
    }
    while (this.inFlight > 0 && Date.now() < deadline) await delay(1);
  }

  async close(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.inFlight > 0 && Date.now() < deadline) await delay(1);
    this.socket?.close();
    this.socket = null;
    this.connected = false;
  }
}
