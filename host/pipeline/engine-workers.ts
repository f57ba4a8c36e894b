// sniff --workers N with engine work (text, --json, --flows, --prefixes, --ipfix, --log):
// N libpcap handles on one interface in one PACKET_FANOUT group hashed by flow (the
// kernel's symmetric flow hash: both directions of a conversation reach the same socket),
// each with its capture thread filling a frame ring of its own in the one shared memory,
// and N consumer workers, each with its own engine instance on that memory, running the
// same stages over its ring. So dissection, filtering and the stages spread over N cores.
//
// What comes out:
// - per-packet lines (text, JSON, --flows --json, --log): each worker writes whole batches
//   of lines under one lock word (write-all.ts shareDescriptor), so a line is never cut
//   by another worker's; lines are in timestamp order within a worker (and so within a
//   conversation), not across workers: a batch of one may come before an older batch of
//   another (documented in --help);
// - tables (--flows, --prefixes): worker 0 prints them once, after the other workers have
//   handed over their rows and counters (consumer.ts WorkerShare); a conversation lives in
//   one worker, so each is one row;
// - IPFIX: each worker is an exporting process of its own (own socket, so its own
//   transport session and sequence numbers, the same observation domain); one exit summary
//   line sums them;
// - statistics: counters of the workers, of the rings and of the kernel sockets, summed.
import { Worker } from 'node:worker_threads';
import type { Engine } from '../engine/engine.js';
import { FrameRing } from '../ring/frame-ring.js';
import { PktError } from '../runtime/errors.js';
import { Control, CTL_BYTES } from './control.js';
import type { ConsumerGather, ConsumerJob, ConsumerParts, ConsumerReady, ConsumerResult } from './consumer.js';
import type { LivePcap } from '../sources/live-pcap.js';
import type { SourceStats } from '../sources/source.js';
import { sumStats } from './live-workers.js';
import { ipfixSummary } from '../ipfix/summary.js';
import type { IpfixExporterStats } from '../ipfix/exporter.js';
import type { ReassemblerStats } from '../reasm/reassembler.js';

/** How long after the sources closed the consumers may take to drain their rings before
 *  they are told to stop where they are. */
const DRAIN_GRACE_MS = 2000;

export interface EngineWorkersRun {
  /** The workers' counters summed (seen, matched, bytes, malformed, reassembly). */
  result: ConsumerResult;
  /** The sockets' statistics summed. */
  stats: SourceStats;
  ringDrops: number;
  /** Packets each worker took from its ring (how the fanout spread them). */
  perWorker: number[];
}

export interface EngineWorkersJob {
  engine: Engine;
  /** N live sources on one interface with the same options (filter in the kernel), not
   *  started; sources[0]'s ring is `firstRing`. */
  sources: LivePcap[];
  firstRing: FrameRing;
  /** The first consumer worker (already started, waiting for its job). */
  firstWorker: Worker;
  /** The consumer script (for workers 2..N). */
  consumerFile: string;
  /** The job minus what differs per worker. */
  base: Omit<ConsumerJob, 'ring' | 'control' | 'share' | 'wake'>;
  /** Periodic statistics every this many seconds (0: none). */
  statsEvery: number;
  /** Runs once every consumer is ready and every capture thread runs. */
  onStarted: () => void;
}

function sumReasm(all: (ReassemblerStats | null)[]): ReassemblerStats | null {
  const some = all.filter((r): r is ReassemblerStats => r !== null);
  if (some.length === 0) return null;
  const out = { ...some[0] } as Record<string, number>;
  for (const r of some.slice(1)) for (const [k, v] of Object.entries(r)) if (typeof v === 'number') out[k] = (out[k] ?? 0) + v;
  return out as unknown as ReassemblerStats;
}

function sumIpfix(all: IpfixExporterStats[]): IpfixExporterStats {
  const out = { ...all[0] } as Record<string, unknown>;
  for (const s of all.slice(1)) {
    for (const [k, v] of Object.entries(s)) if (typeof v === 'number' && typeof out[k] === 'number') out[k] = (out[k] as number) + v;
  }
  return out as unknown as IpfixExporterStats;
}

/**
 * Runs the N sources and N consumers until a source ends (a signal closes sources[0], an
 * error) or a consumer ends early (an error); then closes every source (draining the
 * kernel), closes the rings, lets the consumers drain them, and gathers the results.
 */
export async function runEngineWorkers(job: EngineWorkersJob): Promise<EngineWorkersRun> {
  const { engine, sources } = job;
  const n = sources.length;
  const group = process.pid & 0xFFFF;
  for (const s of sources) s.joinFanout(group);
  const lock = engine.arena.alloc(4, 4);
  Atomics.store(engine.views.refresh().i32, lock >>> 2, 0);
  const rings = [job.firstRing];
  for (let k = 1; k < n; k++) rings.push(FrameRing.create(engine, sources[k].ringShape.slots, sources[k].ringShape.slotPayload));
  const controls = sources.map(() => new Control(engine.views, engine.arena.alloc(CTL_BYTES)));
  const workers = [job.firstWorker];
  for (let k = 1; k < n; k++) workers.push(new Worker(job.consumerFile, { workerData: { consumer: true } }));

  // Worker 0 asks for the others' partial results once its ring is drained; it gets them
  // once every other worker is done (or failed: it then gets what there is).
  const results: (ConsumerResult | null)[] = sources.map(() => null);
  let othersDone!: () => void;
  const othersAllDone = new Promise<void>((r) => { othersDone = r; });
  let pendingOthers = n - 1;
  if (pendingOthers === 0) othersDone();
  const readies: Promise<void>[] = [];
  const dones = workers.map((w, k) => new Promise<ConsumerResult>((resolve, reject) => {
    let ready!: () => void;
    readies.push(new Promise<void>((r) => { ready = r; }));
    const settleOther = (): void => { if (k > 0 && --pendingOthers === 0) othersDone(); };
    w.on('message', (m: ConsumerReady | ConsumerGather | ConsumerResult) => {
      if (m.type === 'ready') ready();
      else if (m.type === 'gather') {
        void othersAllDone.then(() => {
          const parts: ConsumerParts = { type: 'parts', parts: results.slice(1).map((r) => r?.partials ?? null) };
          w.postMessage(parts);
        });
      } else {
        results[k] = m;
        ready();
        settleOther();
        resolve(m);
      }
    });
    w.once('error', (e) => { ready(); settleOther(); reject(e); });
    w.once('exit', (code) => {
      if (results[k] === null) { ready(); settleOther(); reject(new PktError('E_IO', `consumer worker ${k} exited with code ${code}`)); }
    });
  }));
  for (let k = 0; k < n; k++) {
    const wj: ConsumerJob = {
      ...job.base, stages: workerStages(job.base.stages, k), ring: rings[k].address, control: controls[k].address, wake: 'futex',
      share: { index: k, count: n, lock },
    };
    workers[k].postMessage(wj);
  }
  let statsTimer: NodeJS.Timeout | null = null;
  let finalStats: SourceStats | null = null;
  try {
    await Promise.all(readies);
    for (let k = 0; k < n; k++) sources[k].start(engine.memory, rings[k].address);
    job.onStarted();
    if (job.statsEvery > 0) {
      statsTimer = setInterval(() => {
        const c = controls.map((x) => x.read());
        const sum = (f: (x: typeof c[0]) => number): number => c.reduce((a, x) => a + f(x), 0);
        process.stderr.write(`stats: ${sum((x) => x.seen)} seen, ${sum((x) => x.matched)} matched, ${sum((x) => x.malformed)} malformed, ${rings.reduce((a, r) => a + r.drops, 0)} dropped by ring (${n} workers)\n`);
      }, job.statsEvery * 1000);
    }
    // Until a source ends (a signal closed sources[0], or a capture error) or a consumer
    // ends on its own (an error): then everything stops.
    await Promise.race([...sources.map((s) => s.ended), ...dones.map((d) => d.then(() => undefined, () => undefined))]);
  } finally {
    const stats = await Promise.all(sources.map((s) => s.close({ drain: true })));
    for (const r of rings) r.close();
    const grace = setTimeout(() => { for (const c of controls) c.requestStop(1); }, DRAIN_GRACE_MS);
    grace.unref();
    await Promise.allSettled(dones);
    clearTimeout(grace);
    if (statsTimer !== null) clearInterval(statsTimer);
    finalStats = sumStats(stats);
  }
  const all = await Promise.all(dones);
  const failed = all.find((r) => r.error !== null);
  const result: ConsumerResult = {
    type: 'done',
    seen: all.reduce((a, r) => a + r.seen, 0), matched: all.reduce((a, r) => a + r.matched, 0),
    bytes: all.reduce((a, r) => a + r.bytes, 0), malformed: all.reduce((a, r) => a + r.malformed, 0),
    error: failed?.error ?? null, errorCode: failed?.errorCode ?? null,
    reasm: sumReasm(all.map((r) => r.reasm)),
  };
  const ipfix = all.flatMap((r) => (r.ipfix ? [r.ipfix] : []));
  if (ipfix.length > 0 && job.base.stages.ipfix !== null) {
    const line = ipfixSummary(ipfix.reduce((a, x) => a + x.flows, 0), sumIpfix(ipfix.map((x) => x.stats)), job.base.stages.ipfix.collector,
      ipfix.reduce((a, x) => a + x.evicted, 0));
    process.stderr.write(`${line} (${ipfix.length} exporting workers)\n`);
  }
  return { result, stats: finalStats!, ringDrops: rings.reduce((a, r) => a + r.drops, 0), perWorker: all.map((r) => r.seen) };
}

/** Worker k's stages. --ipfix: N workers are N exporting processes, a socket each. A
 *  collector knows an exporter by its address and Observation Domain (nfcapd ignores the
 *  source port), and sequence numbers count the data records of one domain (RFC 7011
 *  §3.1), so each worker exports in a domain of its own, --ipfix-domain + k (mod 2^32),
 *  its statistics records too: N counters interleaved in one domain were one exporter
 *  to nfcapd, with sequence failures wherever the workers' messages alternated. */
function workerStages(stages: ConsumerJob['stages'], k: number): ConsumerJob['stages'] {
  if (stages.ipfix === null) return stages;
  const domain = (stages.ipfix.domain + k) >>> 0;
  return { ...stages, ipfix: { ...stages.ipfix, domain, statisticsDomain: domain } };
}
