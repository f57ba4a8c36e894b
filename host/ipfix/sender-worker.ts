// The sender: a worker thread that owns the collector socket, so that encoding never
// waits on the network and the encoding thread may block (the sniffer's consumer loop
// never returns to its event loop). It takes messages from the shared queue, hands them
// to the transport, keeps templates flowing, and when the producer closes the queue it
// drains what it can before the close deadline, counts the rest lost, and says DONE.
import { workerData } from 'node:worker_threads';
import {
  MessageQueue, Q_CLOSED, Q_CLOSE_MS, Q_DONE, Q_HEAD, Q_STATE, Q_TAIL, S_LOST_MSGS, S_LOST_RECS, S_SENT_MSGS, S_SENT_RECS,
  TS_DOWN, TS_UP, type QueueShape,
} from './message-queue.js';
import type { Transport, TransportOptions } from './transport.js';
import { UdpTransport } from './udp-transport.js';
import { TcpTransport } from './tcp-transport.js';
import { H_SEQUENCE } from './message.js';

export interface SenderJob {
  sab: SharedArrayBuffer;
  shape: QueueShape;
  protocol: 'udp' | 'tcp';
  transport: TransportOptions;
}

const BURST = 32;

/** Atomics.waitAsync (Node >= 16; typed in lib es2024, which this project does not target). */
type WaitAsync = (ta: Int32Array, index: number, value: number, timeoutMs: number) =>
  { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
/** How long one idle wait lasts: also the granularity of UDP template refresh. */
const IDLE_WAIT_MS = 1000;

async function main(job: SenderJob): Promise<void> {
  const q = new MessageQueue(job.sab, job.shape);
  const ctrl = q.ctrl;
  const t: Transport = job.protocol === 'tcp' ? new TcpTransport(job.transport, q) : new UdpTransport(job.transport, q);
  t.start();
  let pos = Atomics.load(ctrl, Q_TAIL);
  let takenMsgs = 0;
  let takenRecs = 0;
  let deadline = Infinity;
  for (;;) {
    const closed = Atomics.load(ctrl, Q_CLOSED) === 1;
    if (closed && deadline === Infinity) deadline = Date.now() + Atomics.load(ctrl, Q_CLOSE_MS);
    const head = Atomics.load(ctrl, Q_HEAD);
    Atomics.store(ctrl, Q_STATE, t.up ? TS_UP : TS_DOWN);
    if (pos !== head) {
      if (!t.up) {
        if (Date.now() >= deadline) break;
        await t.waitUp(Math.min(IDLE_WAIT_MS, deadline - Date.now()));
        continue;
      }
      let n = 0;
      while (pos !== head && n < BURST) {
        const m = q.copyAt(pos);
        takenMsgs++;
        takenRecs += m.records;
        t.send(m.bytes, m.records, m.bytes.readUInt32BE(H_SEQUENCE));
        pos = (pos + 1) | 0;
        n++;
      }
      q.release(n);
      await t.settle();
      continue;
    }
    if (closed) break;
    const w = waitAsync(ctrl, Q_HEAD, head, IDLE_WAIT_MS);
    if (w.async) await w.value;
    if (t instanceof UdpTransport) t.refresh();
  }
  await t.close(Math.max(50, Math.min(2000, deadline - Date.now())));
  // Whatever is still queued, or was handed over with no completion seen, is lost.
  const left = (Atomics.load(ctrl, Q_HEAD) - pos) | 0;
  for (let i = 0; i < left; i++) {
    const m = q.copyAt(pos);
    takenMsgs++;
    takenRecs += m.records;
    pos = (pos + 1) | 0;
  }
  if (left > 0) q.release(left);
  const st = q.stats;
  const doubtMsgs = takenMsgs - st[S_SENT_MSGS] - st[S_LOST_MSGS];
  const doubtRecs = takenRecs - st[S_SENT_RECS] - st[S_LOST_RECS];
  if (doubtMsgs > 0) st[S_LOST_MSGS] += doubtMsgs;
  if (doubtRecs > 0) st[S_LOST_RECS] += doubtRecs;
  Atomics.store(ctrl, Q_DONE, 1);
  Atomics.notify(ctrl, Q_DONE);
}

void main(workerData as SenderJob);
