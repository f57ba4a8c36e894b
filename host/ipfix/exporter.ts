// IpfixExporter: the library's way to send flow records to a collector.
//
//   const x = new IpfixExporter({ collector: '127.0.0.1:4739', domain: 7 });
//   table.onExpire = (r) => x.exportFlow(r);   // or x.exportFlows(records)
//   ...
//   const stats = x.close();                    // synchronous: flushed and handed to the kernel
//
// Encoding happens on the caller's thread; a sender worker owns the socket (see
// sender-worker.ts). close() blocks (Atomics.wait, bounded by closeTimeoutMs) until the
// sender has handed every message to the kernel or counted it lost, so a process may
// exit right after it returns without losing records. Memory is bounded by the queue
// (queueMessages x maxMessage octets) whatever the collector does.
//
// Options: `biflow` sends one RFC 5103 record per flow (reverse counters under PEN
// 29305) instead of one record per direction; the exporter's statistics (RFC 7011 §4,
// see statistics.ts) go out every `statisticsIntervalSec` and once at close, in
// Observation Domain `statisticsDomain` (0 by default, as RFC 7011 §3.1 suggests); over
// TCP, close() ends the session with a template withdrawal (RFC 7011 §8.1).
import { Worker } from 'node:worker_threads';
import type { FlowRecord } from '../flows/flow-table.js';
import type { MemoryViews } from '../runtime/memory.js';
import { PktError } from '../runtime/errors.js';
import { parseCollector, type CollectorAddress } from './collector.js';
import { MessageEncoder } from './encoder.js';
import {
  MessageQueue, Q_CLOSED, Q_CLOSE_MS, Q_DONE, Q_STATE, S_CONNECTS, S_DROPPED_MSGS, S_DROPPED_OCTS, S_DROPPED_PKTS, S_DROPPED_RECS,
  S_EXPORTED_BYTES, S_LOST_MSGS, S_LOST_OCTS, S_LOST_PKTS, S_LOST_RECS, S_OPTION_MSGS, S_QUEUED_MSGS, S_QUEUED_RECS, S_SEND_ERRORS,
  S_SENT_MSGS, S_SENT_RECS, S_TEMPLATE_MSGS, S_WITHDRAWAL_MSGS, TS_UP,
} from './message-queue.js';
import type { SenderJob, StatisticsOptions } from './sender-worker.js';

export interface IpfixExporterOptions {
  /** "host:port" (UDP), "udp://host:port" or "tcp://host:port". */
  collector: string;
  /** Observation Domain ID (RFC 7011 §3.1): keeps this exporter's records apart at the collector. */
  domain?: number;
  /** Largest message in octets (default 1400: under a 1500-byte path MTU with IPv6 + UDP headers). */
  maxMessage?: number;
  /** UDP template refresh: every this many seconds (default 60) ... */
  templateRefreshSec?: number;
  /** ... or every this many messages (default 100), whichever comes first. */
  templateRefreshMessages?: number;
  /** Messages the queue holds while the collector is slow or down (power of two, default 1024). */
  queueMessages?: number;
  /** How long exportFlow may wait for queue space before dropping a message (default 20 ms). */
  queueWaitMs?: number;
  /** How long close() keeps trying to deliver (default 3000 ms). */
  closeTimeoutMs?: number;
  /** ingressInterface for records that carry none. */
  iface?: number;
  /** One RFC 5103 biflow record per flow instead of a uniflow record per direction
   *  (default false). */
  biflow?: boolean;
  /** Send the exporter's statistics records (default true). */
  statistics?: boolean;
  /** Seconds between statistics messages (default 60); one is also sent at close. */
  statisticsIntervalSec?: number;
  /** Observation Domain of the statistics messages (default 0). */
  statisticsDomain?: number;
  /** exportingProcessId, the scope of the reliability statistics (default: the process id). */
  exportingProcessId?: number;
}

export interface IpfixExporterStats {
  /** Data records encoded (one per flow direction that carried packets). */
  records: number;
  messages: number;
  /** Handed to the kernel (UDP: sent; TCP: written). */
  sentRecords: number;
  sentMessages: number;
  /** Records known not to have reached the collector: queue overflow, refused, failed,
   *  or still undelivered at close. */
  lostRecords: number;
  lostMessages: number;
  /** Packets and IP octets the lost records accounted for. */
  lostPackets: number;
  lostOctets: number;
  templateMessages: number;
  /** Statistics (options) messages and template withdrawal messages handed over. */
  statisticsMessages: number;
  withdrawalMessages: number;
  /** Octets of every message handed over (exportedOctetTotalCount). */
  exportedOctets: number;
  connects: number;
  sendErrors: number;
  /** The encoder's flow record counter (RFC 7011 §3.1); statistics records sent in the
   *  same domain move the sequence numbers on the wire past it. */
  sequence: number;
  /** The transport was up at the last look. */
  up: boolean;
}

export class IpfixExporter {
  readonly collector: CollectorAddress;
  readonly domain: number;
  private readonly queue: MessageQueue;
  private readonly encoder: MessageEncoder;
  private readonly worker: Worker;
  private readonly waitMs: number;
  private readonly closeMs: number;
  private closed = false;
  private recordsOut = 0;
  private messagesOut = 0;
  /** Records a dead sender never accounted for (close gave up on it). */
  private abandonedRecs = 0;
  private abandonedMsgs = 0;
  private final: IpfixExporterStats | null = null;

  constructor(opts: IpfixExporterOptions) {
    this.collector = parseCollector(opts.collector);
    this.domain = opts.domain ?? 0;
    const maxMessage = opts.maxMessage ?? 1400;
    const slots = opts.queueMessages ?? 1024;
    this.waitMs = opts.queueWaitMs ?? 20;
    this.closeMs = opts.closeTimeoutMs ?? 3000;
    const refreshSec = opts.templateRefreshSec ?? 60;
    const refreshMessages = opts.templateRefreshMessages ?? 100;
    if (!(refreshSec > 0) || !(refreshMessages >= 1)) {
      throw new PktError('E_BAD_ARGUMENT', 'ipfix: template refresh interval and message count must be positive');
    }
    if (!(this.closeMs >= 0) || !(this.waitMs >= 0)) throw new PktError('E_BAD_ARGUMENT', 'ipfix: timeouts must be >= 0');
    this.queue = MessageQueue.create({ slots, maxMessage });
    const biflow = opts.biflow === true;
    this.encoder = new MessageEncoder(this.domain, maxMessage, (m, n, _seq, packets, octets) => {
      this.recordsOut += n;
      this.messagesOut++;
      this.queue.push(m, n, this.waitMs, packets, octets);
    }, { iface: opts.iface ?? 0 }, { biflow });
    const job: SenderJob = {
      sab: this.queue.sab,
      shape: { slots, maxMessage },
      protocol: this.collector.protocol,
      transport: {
        host: this.collector.host, port: this.collector.port, family: this.collector.family, domain: this.domain,
        biflow, refreshSec, refreshMessages,
      },
      statistics: statisticsOptions(opts),
    };
    this.worker = new Worker(new URL('./sender-worker.js', import.meta.url), { workerData: job });
    // Never keep the process alive for the sender; close() is what waits for it.
    this.worker.unref();
    this.worker.on('error', () => { /* counted below: a dead sender sends nothing */ });
  }

  /** Encodes the records of one flow (a record per direction that carried packets). */
  exportFlow(rec: FlowRecord): void {
    if (this.closed) throw new PktError('E_BAD_ARGUMENT', 'ipfix: exporter is closed');
    this.encoder.add(rec);
  }

  /** exportFlow for a record still in the engine's memory (a flow table's exported record
   *  or entry at byte address `at`): the same records, with no FlowRecord made. */
  exportFlowAt(views: MemoryViews, at: number): void {
    if (this.closed) throw new PktError('E_BAD_ARGUMENT', 'ipfix: exporter is closed');
    this.encoder.addAt(views, at);
  }

  exportFlows(records: Iterable<FlowRecord>): void {
    for (const r of records) this.exportFlow(r);
  }

  /** Sends the partly filled message now (call when a batch of expirations is done). */
  flush(): void {
    this.encoder.flush();
  }

  /**
   * Flushes, lets the sender deliver (bounded by closeTimeoutMs), and stops it. Blocks
   * the calling thread; safe to exit the process afterwards.
   */
  close(): IpfixExporterStats {
    if (this.final !== null) return this.final;
    this.encoder.flush();
    this.closed = true;
    const ctrl = this.queue.ctrl;
    Atomics.store(ctrl, Q_CLOSE_MS, this.closeMs);
    Atomics.store(ctrl, Q_CLOSED, 1);
    Atomics.notify(ctrl, 0);
    // The sender stops trying at closeMs and then needs a moment to count; a sender that
    // died (or never started) is given up on a second later.
    const deadline = Date.now() + this.closeMs + 3000;
    while (Atomics.load(ctrl, Q_DONE) === 0) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      Atomics.wait(ctrl, Q_DONE, 0, left);
    }
    if (Atomics.load(ctrl, Q_DONE) === 0) {
      const st = this.queue.stats;
      this.abandonedRecs = Math.max(0, st[S_QUEUED_RECS] - st[S_SENT_RECS] - st[S_LOST_RECS]);
      this.abandonedMsgs = Math.max(0, st[S_QUEUED_MSGS] - st[S_SENT_MSGS] - st[S_LOST_MSGS]);
      void this.worker.terminate();
    }
    this.final = this.stats();
    return this.final;
  }

  stats(): IpfixExporterStats {
    if (this.final !== null) return this.final;
    const st = this.queue.stats;
    return {
      records: this.recordsOut + this.encoder.pending,
      messages: this.messagesOut,
      sentRecords: st[S_SENT_RECS],
      sentMessages: st[S_SENT_MSGS],
      lostRecords: st[S_LOST_RECS] + st[S_DROPPED_RECS] + this.abandonedRecs,
      lostMessages: st[S_LOST_MSGS] + st[S_DROPPED_MSGS] + this.abandonedMsgs,
      lostPackets: st[S_LOST_PKTS] + st[S_DROPPED_PKTS],
      lostOctets: st[S_LOST_OCTS] + st[S_DROPPED_OCTS],
      templateMessages: st[S_TEMPLATE_MSGS],
      statisticsMessages: st[S_OPTION_MSGS],
      withdrawalMessages: st[S_WITHDRAWAL_MSGS],
      exportedOctets: st[S_EXPORTED_BYTES],
      connects: st[S_CONNECTS],
      sendErrors: st[S_SEND_ERRORS],
      sequence: this.encoder.sequence,
      up: Atomics.load(this.queue.ctrl, Q_STATE) === TS_UP,
    };
  }
}

function statisticsOptions(opts: IpfixExporterOptions): StatisticsOptions | null {
  if (opts.statistics === false) return null;
  const sec = opts.statisticsIntervalSec ?? 60;
  const domain = opts.statisticsDomain ?? 0;
  const pid = opts.exportingProcessId ?? process.pid;
  if (!(sec > 0)) throw new PktError('E_BAD_ARGUMENT', `ipfix: statistics interval must be > 0 seconds, got ${sec}`);
  for (const [what, v] of [['statistics domain', domain], ['exporting process id', pid]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xFFFFFFFF) throw new PktError('E_BAD_ARGUMENT', `ipfix: ${what} must be 0..4294967295, got ${v}`);
  }
  return { intervalMs: sec * 1000, domain, exportingProcessId: pid };
}
