// The sniffer's consumer: a worker thread with its own engine instance on the shared
// memory, running the pipeline's stage runner (./runner.ts) over the frame ring the main
// thread's source fills. Between steps it sleeps on the ring (Atomics.wait), and shares
// its counters and the stop flag with the main thread through a Control block.
import { parentPort, workerData } from 'node:worker_threads';
import { createEngine, type Backend } from '../engine/engine.js';
import { FrameRing } from '../ring/frame-ring.js';
import { Control } from './control.js';
import { PktError } from '../runtime/errors.js';
import type { SlotFormat } from '../sources/source.js';
import { buildStages, type StageConfig } from './stage-config.js';
import { loadFilterCompiler } from './filter-stage.js';
import { StageRunner } from './runner.js';
import type { ReassemblerStats } from '../reasm/reassembler.js';
import { requirePcapAddon } from '../native/pcap-binding.js';

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
}

const BATCH = 1024;
/** Counters go to the Control block at least this often (in frames seen). */
const PUBLISH_EVERY = 65536;

async function run(job: ConsumerJob, ready: () => void): Promise<ConsumerResult> {
  const engine = createEngine({ memory: job.memory, module: job.module, backend: job.engine });
  const ring = FrameRing.attach(engine, job.ring);
  const control = new Control(engine.views, job.control);
  const stages = await buildStages(engine, job.stages);
  const runner = new StageRunner(engine, ring, {
    slots: job.slots, filter: job.stages.filter, count: job.stages.count, stages, batchSize: BATCH,
    reassemble: job.stages.reassemble,
  });
  const counters = runner.counters;
  const addon = job.wake === 'futex' ? requirePcapAddon() : null;
  const memBytes = new Uint8Array(job.memory.buffer);
  // The ring header lies below anything allocated later: the first view reaches it.
  const sleep = addon !== null ? () => addon.waitRing(memBytes, job.ring, 100) : () => ring.waitForData(100);
  ready();
  let lastPublish = 0;
  let error: PktError | null = null;
  try {
    while (control.stopReason() === 0) {
      const r = runner.step();
      if (r === 'end') break;
      if (r === 'wait') {
        sleep();
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
    runner.finish();
    control.publish(counters);
  }
  return {
    type: 'done', ...counters, error: error?.message ?? null, errorCode: error?.code ?? null,
    reasm: runner.reassembler?.stats() ?? null,
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
      port.postMessage(await run(job, () => port.postMessage(ready)));
    })();
  });
}
