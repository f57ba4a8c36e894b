// The sniffer's consumer: a worker thread with its own engine instance on the shared
// memory, running the pipeline's stage runner (./runner.ts) over the frame ring the main
// thread's source fills. Between steps it sleeps on the ring (Atomics.wait), and shares
// its counters and the stop flag with the main thread through a Control block.
import { parentPort, workerData } from 'node:worker_threads';
import { createEngine, type Backend, type Engine } from '../engine/engine.js';
import { FrameRing } from '../ring/frame-ring.js';
import { Control } from './control.js';
import { PktError } from '../runtime/errors.js';
import type { SlotFormat } from '../sources/source.js';
import { buildStages, type StageConfig } from './stage-config.js';
import { loadFilterCompiler } from './filter-stage.js';
import { StageRunner } from './runner.js';
import type { ReassemblerStats } from '../reasm/reassembler.js';
import { requirePcapAddon } from '../native/pcap-binding.js';
import { shareDescriptor } from '../sinks/write-all.js';
import type { BatchStage } from '../stage/batch-stage.js';
import type { IpfixExporterStats } from '../ipfix/exporter.js';

export interface ConsumerJob {
  memory: WebAssembly.Memory;
  /** The compiled WASM module, when the main thread's engine has one (a 'ts' engine may not). */
  module: WebAssembly.Module | undefined;
  engine: Backend;
  ring: number;
  control: number;
  /** What the ring's slots hold (the source's slotFormat). */
  slots: SlotFormat;
  /** How the consumer sleeps on an empty ring: 'atomics' (Atomics.wait, woken by
   *  Atomics.notify from a JS thread) or 'futex' (the addon's waitRing, woken by its
   *  capture thread directly: live libpcap sources with the thread driver). */
  wake: 'atomics' | 'futex';
  stages: StageConfig;
  /** sniff --workers N (N engine workers, one per fanout socket): which one this is. */
  share?: WorkerShare | null;
}

/** One of N consumers on one shared memory (./engine-workers.ts). Worker 0 prints the
 *  tables: the others hand their stages' partial results over at the end (partial()),
 *  which worker 0 adds to its own (absorb()) before it finishes. */
export interface WorkerShare {
  index: number;
  count: number;
  /** Address of the i32 lock word every worker holds while it writes to standard output
   *  (whole batches of lines, never interleaved inside a line). */
  lock: number;
}

/** A stage whose end result merges across workers (flows, prefixes). */
interface MergeableStage extends BatchStage {
  partial(): unknown;
  absorb(parts: unknown[]): void;
}

function isMergeable(s: BatchStage): s is MergeableStage {
  const m = s as Partial<MergeableStage>;
  return typeof m.partial === 'function' && typeof m.absorb === 'function';
}

/** What a worker's IPFIX exporter did (summed by the main thread for the exit summary). */
export interface IpfixShare { flows: number; evicted: number; stats: IpfixExporterStats }

/** The IPFIX stage among the stages, by its shape (host/ipfix/stage.ts's IpfixStage). */
function ipfixStageOf(stages: BatchStage[]): { exportedFlows: number; table: { stats(): { evicted: number } }; stats(): IpfixExporterStats } | null {
  for (const s of stages) {
    const x = s as Partial<{ exportedFlows: number; exporter: unknown; table: { stats(): { evicted: number } }; stats(): IpfixExporterStats }>;
    if (x.exporter !== undefined && typeof x.exportedFlows === 'number' && x.table !== undefined && typeof x.stats === 'function') {
      return x as { exportedFlows: number; table: { stats(): { evicted: number } }; stats(): IpfixExporterStats };
    }
  }
  return null;
}

/** Worker 0 asks the main thread for the other workers' partial results. */
export interface ConsumerGather {
  type: 'gather';
}

/** The main thread's answer: per other worker, its partials (one per stage, null where the
 *  stage does not merge). */
export interface ConsumerParts {
  type: 'parts';
  parts: (unknown[] | null)[];
}

/** Posted once the stages are built and the runner reads the ring. */
export interface ConsumerReady {
  type: 'ready';
}

export interface ConsumerResult {
  type: 'done';
  seen: number;
  matched: number;
  bytes: number;
  malformed: number;
  error: string | null;
  errorCode: string | null;
  /** IP reassembly's counters at the end (null when it did not run). */
  reasm: ReassemblerStats | null;
  /** --workers, workers other than 0: their stages' partial results (see WorkerShare). */
  partials?: unknown[] | null;
  /** --workers with --ipfix: this worker's exporter. */
  ipfix?: IpfixShare | null;
}

const BATCH = 1024;
/** Counters go to the Control block at least this often (in frames seen). */
const PUBLISH_EVERY = 65536;

/** How the loop waits on an empty ring when it runs on the thread that fills it (sniff -r
 *  without a worker): a promise that resolves on the event loop (ring-async.ts's ringData),
 *  so the file source's pump can run. Absent: the worker blocks (Atomics.wait, or the
 *  addon's futex). */
export type RingWait = () => Promise<void>;

/**
 * Runs the job's stages over its ring until the ring ends, the count is reached or the
 * Control block says stop. In a worker (`engine` absent) it instantiates its own engine on
 * the job's memory; on the main thread (`engine` given, `wait` given) it reuses the main
 * thread's engine and awaits `wait` between steps.
 */
export async function runConsumer(job: ConsumerJob, ready: () => void, gather: () => Promise<(unknown[] | null)[]>,
  inThread: { engine: Engine; wait: RingWait } | null = null): Promise<ConsumerResult> {
  const share = job.share ?? null;
  // N workers print to one standard output: each batch's lines go out whole, under a lock.
  if (share !== null) shareDescriptor(1, new Int32Array(job.memory.buffer), share.lock >>> 2);
  const engine = inThread?.engine ?? createEngine({ memory: job.memory, module: job.module, backend: job.engine });
  const ring = FrameRing.attach(engine, job.ring);
  const control = new Control(engine.views, job.control);
  const stages = await buildStages(engine, job.stages);
  const runner = new StageRunner(engine, ring, {
    slots: job.slots, filter: job.stages.filter, count: job.stages.count, stages, batchSize: BATCH,
    reassemble: job.stages.reassemble, tunnelDepth: job.stages.tunnelDepth,
  });
  const counters = runner.counters;
  const addon = job.wake === 'futex' ? requirePcapAddon() : null;
  const memBytes = new Uint8Array(job.memory.buffer);
  // The ring header lies below anything allocated later: the first view reaches it.
  const sleep = addon !== null ? () => addon.waitRing(memBytes, job.ring, 100) : () => ring.waitForData(100);
  const wait = inThread?.wait ?? null;
  ready();
  let lastPublish = 0;
  let error: PktError | null = null;
  let partials: unknown[] | null = null;
  try {
    while (control.stopReason() === 0) {
      const r = runner.step();
      if (r === 'end') break;
      if (r === 'wait') {
        if (wait !== null) await wait();
        else sleep();
        // Flow timeouts follow the wall clock only for live input; a file's time is its own.
        if (job.slots === 'frames') runner.idle();
        continue;
      }
      if (runner.countReached) {
        control.requestStop(2);
        break;
      }
      if (counters.seen - lastPublish >= PUBLISH_EVERY) {
        lastPublish = counters.seen;
        control.publish(counters);
      }
    }
  } catch (e) {
    if (e instanceof PktError) error = e;
    else throw e;
  } finally {
    if (share !== null && share.index > 0) partials = stages.map((s) => (isMergeable(s) ? s.partial() : null));
    else if (share !== null) {
      // Worker 0 prints: the others' flows and counters join its own first.
      const parts = await gather();
      stages.forEach((s, i) => {
        if (isMergeable(s)) s.absorb(parts.flatMap((p) => (p === null || p[i] === null || p[i] === undefined ? [] : [p[i]])));
      });
    }
    runner.finish();
    control.publish(counters);
  }
  const ipfix = share !== null ? ipfixStageOf(stages) : null;
  return {
    type: 'done', ...counters, error: error?.message ?? null, errorCode: error?.code ?? null,
    reasm: runner.reassembler?.stats() ?? null,
    partials,
    ipfix: ipfix === null ? null : { flows: ipfix.exportedFlows, evicted: ipfix.table.stats().evicted, stats: ipfix.stats() },
  };
}

// The worker is started before the main thread has opened its source (its start-up,
// ~40 ms of V8 and module loading, then overlaps the main thread's), and receives the
// job as its first message.
if (parentPort !== null && workerData !== null && typeof workerData === 'object' && 'consumer' in (workerData as object)) {
  const port = parentPort;
  port.once('message', (job: ConsumerJob | null) => {
    if (job === null) { port.close(); return; }
    void (async () => {
      if (job.stages.filter !== '') await loadFilterCompiler();
      const ready: ConsumerReady = { type: 'ready' };
      const gather = (): Promise<(unknown[] | null)[]> => new Promise((resolve) => {
        port.once('message', (m: ConsumerParts) => resolve(m.parts));
        const ask: ConsumerGather = { type: 'gather' };
        port.postMessage(ask);
      });
      port.postMessage(await runConsumer(job, () => port.postMessage(ready), gather));
    })();
  });
}
