// The sniffer's consumer: a worker thread with its own engine instance on the shared
// memory. It takes slots from the frame ring (whole-record chunks from files, single
// frames from live and raw sources), indexes them into a frame table in place, dissects,
// filters and hands the selected frames to the stages (writers, printers, flows ...).
import { parentPort, workerData } from 'node:worker_threads';
import { createEngine, type Backend } from '../engine/engine.js';
import { FrameRing } from '../ring/frame-ring.js';
import { exportsOf } from '../engine/backend.js';
import { PCAP } from '../pcap/exports.js';
import { Control } from './control.js';
import { SF_BIG_ENDIAN, SF_MICRO, SLOT_CAPLEN, SLOT_DATA, SLOT_FLAGS, SLOT_LINKTYPE, SLOT_TS_SEC, SLOT_WIRELEN } from '../runtime/layout.js';
import { PcapOut } from './pcap-out.js';
import { PktError } from '../runtime/errors.js';
import type { BatchFilter, BatchInfo, BatchStage } from './stages.js';
import { buildStages, type StageConfig } from './stage-config.js';
import { loadFilterCompiler } from './filter-stage.js';

export interface ConsumerJob {
  memory: WebAssembly.Memory;
  /** The compiled WASM module, when the main thread's engine has one (a 'ts' engine may not). */
  module: WebAssembly.Module | undefined;
  engine: Backend;
  ring: number;
  control: number;
  /** 'chunks': slots hold pcap record chunks; 'frames': one frame per slot. */
  kind: 'chunks' | 'frames';
  stages: StageConfig;
}

export interface ConsumerResult {
  type: 'done';
  seen: number;
  matched: number;
  bytes: number;
  malformed: number;
  error: string | null;
  errorCode: string | null;
}

const BATCH = 1024;

async function run(job: ConsumerJob): Promise<ConsumerResult> {
  const engine = createEngine({ memory: job.memory, module: job.module, backend: job.engine });
  const views = engine.views;
  const ring = FrameRing.attach(engine, job.ring);
  const pcap = exportsOf(engine, PCAP);
  const control = new Control(views, job.control);
  const batch = engine.createBatch(BATCH, 64);
  const select = engine.arena.alloc(BATCH);
  const nextOut = engine.arena.alloc(64);
  const { stages, filterFor } = await buildStages(engine, pcap, job.stages);
  const idleStages = stages.filter((s) => s.idle !== undefined);
  const idle = (): void => {
    if (idleStages.length === 0) return;
    const ms = Date.now();
    for (const s of idleStages) s.idle!(Math.floor(ms / 1000), (ms % 1000) * 1e6);
  };
  const needDissect = stages.some((s) => s.needsDissect);
  // -r IN -w OUT with nothing else to do: whole chunks of records go out as they came in.
  const passthrough = stages.length === 1 && stages[0] instanceof PcapOut && job.stages.filter === '' && job.stages.count === 0
    ? stages[0] : null;
  const limit = job.stages.count;
  const counters = { seen: 0, matched: 0, bytes: 0, malformed: 0 };
  let lastPublish = 0;

  const processBatch = (linktype: number): boolean => {
    const n = batch.count;
    if (n === 0) return true;
    const u32 = views.refresh().u32;
    let bytes = 0;
    for (let i = 0, e = (batch.table >>> 2) + 2; i < n; i++, e += 4) bytes += u32[e];
    counters.bytes += bytes;
    const info: BatchInfo = { firstRecord: counters.seen + 1, firstMatch: counters.matched + 1, filtered: false };
    counters.seen += n;
    if (needDissect) counters.malformed += engine.core.dissect_batch(batch.table, n, batch.descs, 0);
    const filter: BatchFilter | null = filterFor(linktype);
    let matched = n;
    if (filter !== null) {
      matched = filter.matchBatch(batch.table, n, select);
      info.filtered = true;
    }
    let more = true;
    if (limit > 0 && counters.matched + matched >= limit) {
      // -c: keep exactly the first `limit` matches of the run.
      const keep = limit - counters.matched;
      const u8 = views.u8;
      if (!info.filtered) { u8.fill(1, select, select + n); info.filtered = true; }
      let k = 0;
      for (let i = 0; i < n; i++) {
        if (u8[select + i] !== 0) { if (k >= keep) u8[select + i] = 0; else k++; }
      }
      matched = keep;
      more = false;
    }
    counters.matched += matched;
    if (matched > 0) for (const s of stages) s.process(batch, select, info);
    if (counters.seen - lastPublish >= 65536 || !more) {
      lastPublish = counters.seen;
      control.publish(counters);
    }
    return more;
  };

  let error: PktError | null = null;
  try {
    outer: for (;;) {
      if (control.stopReason() !== 0) break;
      if (job.kind === 'chunks') {
        const slot = ring.core.ring_slot_for_read(ring.address, 0);
        if (slot === 0) {
          if (ring.closed && ring.core.ring_count(ring.address) === 0) break;
          ring.waitForData(100);
          continue;
        }
        const u32 = views.refresh().u32;
        const flags = u32[(slot + SLOT_FLAGS) >>> 2];
        const linktype = views.u16[(slot + SLOT_LINKTYPE) >>> 1];
        let p = slot + SLOT_DATA;
        const end = p + u32[(slot + SLOT_CAPLEN) >>> 2];
        if (passthrough !== null && passthrough.acceptsChunk(flags, linktype)) {
          passthrough.writeChunk(p, end - p);
          const records = u32[(slot + SLOT_WIRELEN) >>> 2];
          counters.seen += records;
          counters.matched += records;
          counters.bytes += views.f64[(slot + SLOT_TS_SEC) >>> 3];
          ring.release(1);
          if (counters.seen - lastPublish >= 65536) { lastPublish = counters.seen; control.publish(counters); }
          continue;
        }
        const big = (flags & SF_BIG_ENDIAN) !== 0 ? 1 : 0;
        const micro = (flags & SF_MICRO) !== 0 ? 1 : 0;
        while (p < end) {
          batch.count = pcap.pcap_index(p, end, big, micro, linktype, batch.table, batch.times, BATCH, nextOut);
          p = views.u32[nextOut >>> 2];
          if (batch.count === 0) break;
          if (!processBatch(linktype)) { ring.release(1); control.requestStop(2); break outer; }
          if (control.stopReason() === 1) break;
        }
        ring.release(1);
      } else {
        const n = ring.peek(batch, BATCH);
        if (n === 0) {
          if (ring.closed && ring.core.ring_count(ring.address) === 0) break;
          ring.waitForData(100);
          idle();
          continue;
        }
        const linktype = batch.linktype(0);
        const more = processBatch(linktype);
        ring.release(n);
        if (!more) { control.requestStop(2); break; }
      }
    }
  } catch (e) {
    if (e instanceof PktError) error = e;
    else throw e;
  } finally {
    for (const s of stages) s.finish();
    control.publish(counters);
  }
  return { type: 'done', ...counters, error: error?.message ?? null, errorCode: error?.code ?? null };
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
      port.postMessage(await run(job));
    })();
  });
}
