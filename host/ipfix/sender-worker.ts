// The sender: a worker thread that owns the collector socket, so that encoding never
// waits on the network and the encoding thread may block (the sniffer's consumer loop
// never returns to its event loop). It takes messages from the shared queue, hands them
// to the transport, keeps templates flowing, sends the exporter's statistics (periodically
// and once at the end), and when the producer closes the queue it drains what it can
// before the close deadline, counts the rest lost, sends the final statistics, withdraws
// the templates of a TCP session (RFC 7011 §8.1), and says DONE.
//
// Statistics records are Data Records and count in their domain's sequence (RFC 7011
// §3.1). When they share the flow records' domain, every data message taken after one
// has its header's sequence number moved on by the statistics records sent before it
// (the encoder numbers flow records only).
import { workerData } from 'node:worker_threads';
import {
  MessageQueue, Q_CLOSED, Q_CLOSE_MS, Q_DONE, Q_HEAD, Q_STATE, Q_TAIL, S_LOST_MSGS, S_LOST_OCTS, S_LOST_PKTS, S_LOST_RECS,
  S_SENT_MSGS, S_SENT_OCTS, S_SENT_PKTS, S_SENT_RECS, TS_DOWN, TS_UP, countLost, type QueueShape,
} from './message-queue.js';
import type { Transport, TransportOptions } from './transport.js';
import { UdpTransport } from './udp-transport.js';
import { TcpTransport } from './tcp-transport.js';
import { H_SEQUENCE, withdrawalMessage } from './message.js';
import { flowTemplates } from './template.js';
import { STATISTICS_RECORDS, STATISTICS_TEMPLATES, countersFrom, statisticsMessage } from './statistics.js';

export interface StatisticsOptions {
  /** Milliseconds between statistics messages (they are also sent once at the end). */
  intervalMs: number;
  /** Observation Domain of the statistics messages. */
  domain: number;
  exportingProcessId: number;
}

export interface SenderJob {
  sab: SharedArrayBuffer;
  shape: QueueShape;
  protocol: 'udp' | 'tcp';
  transport: TransportOptions;
  /** null: no statistics records. */
  statistics: StatisticsOptions | null;
}

const BURST = 32;

/** Atomics.waitAsync (Node >= 16; typed in lib es2024, which this project does not target). */
type WaitAsync = (ta: Int32Array, index: number, value: number, timeoutMs: number) =>
  { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
/** How long one idle wait lasts: also the granularity of UDP template refresh. */
const IDLE_WAIT_MS = 1000;

/** Sequence numbers of the streams this sender writes, and the statistics schedule. */
class Streams {
  /** Statistics records sent so far in the flow records' domain. */
  shift = 0;
  /** Sequence number of the next data record of the flow domain. */
  nextFlow = 0;
  private nextStats = 0;
  /** Session in which the statistics templates were last defined (-1: none). */
  private definedIn = -1;
  private lastStats = Date.now();
  constructor(private readonly flowDomain: number, private readonly st: StatisticsOptions | null) {}

  get sharedDomain(): boolean {
    return this.st !== null && this.st.domain === this.flowDomain;
  }

  statsDue(now: number): boolean {
    return this.st !== null && now - this.lastStats >= this.st.intervalMs;
  }

  /** Sends one statistics message with the counters as they are now. */
  sendStatistics(t: Transport, q: MessageQueue): void {
    const st = this.st;
    if (st === null) return;
    this.lastStats = Date.now();
    const shared = this.sharedDomain;
    const withTemplates = !t.reliable || this.definedIn !== t.session;
    const m = statisticsMessage({
      sequence: shared ? this.nextFlow : this.nextStats, domain: st.domain, flowDomain: this.flowDomain,
      exportingProcessId: st.exportingProcessId, withTemplates,
    }, countersFrom(q.stats));
    this.definedIn = t.session;
    if (shared) {
      this.shift = (this.shift + STATISTICS_RECORDS) >>> 0;
      this.nextFlow = (this.nextFlow + STATISTICS_RECORDS) >>> 0;
    } else {
      this.nextStats = (this.nextStats + STATISTICS_RECORDS) >>> 0;
    }
    t.sendControl(Buffer.from(m.buffer, m.byteOffset, m.byteLength), 'options', shared ? STATISTICS_RECORDS : 0);
  }

  /** TCP, at the end: withdraws what this session defined, domain by domain. */
  withdraw(t: Transport, biflow: boolean): void {
    const data = flowTemplates(biflow).map((x) => x.id);
    const options = this.st !== null && this.definedIn === t.session ? STATISTICS_TEMPLATES.map((x) => x.id) : [];
    const send = (seq: number, domain: number, d: number[], o: number[]): void => {
      const m = withdrawalMessage(seq, domain, d, o);
      t.sendControl(Buffer.from(m.buffer, m.byteOffset, m.byteLength), 'withdrawal', 0);
    };
    if (this.sharedDomain || options.length === 0) {
      send(this.nextFlow, this.flowDomain, data, options);
    } else {
      send(this.nextFlow, this.flowDomain, data, []);
      send(this.nextStats, this.st!.domain, [], options);
    }
  }
}

async function main(job: SenderJob): Promise<void> {
  const q = new MessageQueue(job.sab, job.shape);
  const ctrl = q.ctrl;
  const t: Transport = job.protocol === 'tcp' ? new TcpTransport(job.transport, q) : new UdpTransport(job.transport, q);
  const streams = new Streams(job.transport.domain, job.statistics);
  t.start();
  let pos = Atomics.load(ctrl, Q_TAIL);
  const taken = { msgs: 0, recs: 0, pkts: 0, octs: 0 };
  let deadline = Infinity;
  for (;;) {
    const closed = Atomics.load(ctrl, Q_CLOSED) === 1;
    if (closed && deadline === Infinity) deadline = Date.now() + Atomics.load(ctrl, Q_CLOSE_MS);
    const head = Atomics.load(ctrl, Q_HEAD);
    Atomics.store(ctrl, Q_STATE, t.up ? TS_UP : TS_DOWN);
    if (!closed && t.up && streams.statsDue(Date.now())) streams.sendStatistics(t, q);
    if (pos !== head) {
      if (!t.up) {
        if (Date.now() >= deadline) break;
        await t.waitUp(Math.min(IDLE_WAIT_MS, deadline - Date.now()));
        continue;
      }
      let n = 0;
      while (pos !== head && n < BURST) {
        const m = q.copyAt(pos);
        taken.msgs++; taken.recs += m.records; taken.pkts += m.packets; taken.octs += m.octets;
        const seq = (m.bytes.readUInt32BE(H_SEQUENCE) + streams.shift) >>> 0;
        if (streams.shift !== 0) m.bytes.writeUInt32BE(seq, H_SEQUENCE);
        t.send(m, seq);
        streams.nextFlow = (seq + m.records) >>> 0;
        pos = (pos + 1) | 0;
        n++;
      }
      q.release(n);
      await t.settle();
      continue;
    }
    if (closed) break;
    const w = waitAsync(ctrl, Q_HEAD, head, Math.min(IDLE_WAIT_MS, job.statistics?.intervalMs ?? IDLE_WAIT_MS));
    if (w.async) await w.value;
    if (t instanceof UdpTransport) t.refresh();
  }
  const endMs = (): number => Math.max(50, Math.min(2000, deadline - Date.now()));
  await t.quiesce(endMs());
  // Whatever is still queued, or was handed over with no completion seen, is lost.
  const left = (Atomics.load(ctrl, Q_HEAD) - pos) | 0;
  for (let i = 0; i < left; i++) {
    const m = q.copyAt(pos);
    taken.msgs++; taken.recs += m.records; taken.pkts += m.packets; taken.octs += m.octets;
    pos = (pos + 1) | 0;
  }
  if (left > 0) q.release(left);
  const st = q.stats;
  countLost(st, taken.msgs - st[S_SENT_MSGS] - st[S_LOST_MSGS], taken.recs - st[S_SENT_RECS] - st[S_LOST_RECS],
    taken.pkts - st[S_SENT_PKTS] - st[S_LOST_PKTS], taken.octs - st[S_SENT_OCTS] - st[S_LOST_OCTS]);
  // The final statistics count everything above; then a TCP session withdraws its templates.
  if (t.up) {
    streams.sendStatistics(t, q);
    if (t.reliable) streams.withdraw(t, job.transport.biflow);
  }
  await t.close(endMs());
  Atomics.store(ctrl, Q_DONE, 1);
  Atomics.notify(ctrl, Q_DONE);
}

void main(workerData as SenderJob);
