// node host/sniff.js: a tcpdump-class sniffer on the pktwasm engine. The main thread is
// the capture side (file reader, live libpcap source or raw socket) and fills a frame
// ring in the shared memory; a worker with its own engine instance dissects, filters and
// writes (DESIGN.md, "Data path").
import { fstatSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { fileURLToPath } from 'node:url';
import { createEngine, type Engine } from './engine/engine.js';
import { FrameRing } from './ring/frame-ring.js';
import { PktError } from './runtime/errors.js';
import { DEFAULT_BUFFER_KIB, DIRECT_BUFFER_KIB, DEFAULT_SNAPLEN, SNIFF_SPEC, directWritePlanned, resolveIpfixTarget, sniffOptions, type SniffOptions } from './cli/sniff-options.js';
import { runTool, toolWarning, type Tool } from './cli/run-tool.js';
import { dropPrivileges } from './cli/drop-privileges.js';
import { Control, CTL_BYTES } from './pipeline/control.js';
import { FileSource } from './sources/file-source.js';
import type { RawProto } from './sources/raw-source.js';
import { compileBatchFilter, loadFilterCompiler } from './pipeline/filter-stage.js';
import { linktypeBanner } from './sinks/text/linktype-names.js';
import type { ConsumerJob, ConsumerReady, ConsumerResult } from './pipeline/consumer.js';
import type { StageConfig } from './pipeline/stage-config.js';
import type { Source, SourceStats } from './sources/source.js';
import type { LivePcap, OpenLiveOptions } from './sources/live-pcap.js';

// V8's memory reducer runs a few full GCs on helper threads once a process goes quiet
// after start-up, to give back heap nobody uses. The sniffer's heap is small (packets live
// in the WASM memory) and a live capture is "quiet" JS for its whole life: those GCs were
// ~13 ms of CPU in every capture's first seconds, 110 ns per packet of a 4 s -w capture
// at 30 kpps (1.5x tcpdump's CPU; without them 0.94x). Workers started later inherit it.
setFlagsFromString('--no-memory-reducer');

/** How long a stop request (SIGINT/SIGTERM) waits for the consumer before abandoning it. */
const STOP_GRACE_MS = 2000;

const consumerFile = fileURLToPath(new URL('./pipeline/consumer.js', import.meta.url));

/** -r FILE runs its stages on this thread, between the file source's reads, with no
 *  consumer worker: a worker's start-up (its own Node bootstrap, the ~90 modules of the
 *  stages loaded a second time, a second engine instance) cost ~0.24 s of CPU per run,
 *  more than reading a file on another thread saves (the reads are ~4% of a --json run).
 *  PKTWASM_SNIFF_WORKER=1 keeps the worker (A/B measurements, tests of that path). */
function fileInThread(o: SniffOptions): boolean {
  return o.readFile !== null && o.workers <= 1 && process.env.PKTWASM_SNIFF_WORKER !== '1' && stdoutNeverBlocks(o);
}

/** A write to a pipe, socket or terminal blocks for as long as its reader pleases, and on
 *  this thread a blocked write keeps the SIGINT handler from ever running (the event loop
 *  never turns: test/hardening-big-record). So a run that writes to standard output keeps
 *  the consumer worker unless that output is a regular file or /dev/null, which never block. */
function stdoutNeverBlocks(o: SniffOptions): boolean {
  if (o.writeFile !== null && o.writeFile !== '-') return true;
  try {
    const st = fstatSync(1);
    return st.isFile() || (st.isCharacterDevice() && st.rdev === statSync('/dev/null').rdev);
  } catch {
    return false;
  }
}

interface OpenedCapture {
  src: Source;
  /** The same source when it is a file (for the progress bar). */
  file: FileSource | null;
  /** What tcpdump prints on stderr once its capture is open. */
  banner: string;
}

/** How sniff opens a live interface (each of them, with --workers). */
function liveOptions(o: SniffOptions): OpenLiveOptions {
  return {
    snaplen: o.snaplen > 0 ? o.snaplen : undefined, promisc: o.promisc, immediate: o.immediate,
    // The ring + worker path needs the larger buffer (its consumer's pauses); the direct
    // -w path is tcpdump's shape and runs best in tcpdump's 2 MiB, which stays in cache.
    bufferSize: (o.bufferSize > 0 ? o.bufferSize : directWritePlanned(o) ? DIRECT_BUFFER_KIB : DEFAULT_BUFFER_KIB) * 1024,
    direction: o.direction, filter: o.filter, nanosecond: true, backend: o.workers > 1 ? 'pcap' : o.backend ?? 'auto',
    // A capture thread of the addon, which wakes the consumer worker itself (waitRing:
    // FUTEX_WAKE on the ring's head word) instead of going through this thread's event
    // loop. PKTWASM_LIVE_DRIVER=loop brings back the event-loop driver (bench/live
    // compares the two).
    driver: process.env.PKTWASM_LIVE_DRIVER === 'loop' ? 'loop' : 'thread',
    warn: toolWarning('sniff'), // the cap fallback's line names sniff, as its errors do
  };
}

/** The source the options name, opened. */
async function openCapture(o: SniffOptions, engine: Engine): Promise<OpenedCapture> {
  if (o.readFile !== null) {
    const file = new FileSource(engine, o.readFile);
    return { src: file, file, banner: `reading from file ${o.readFile}, link-type ${linktypeBanner(file.linktype)}, snapshot length ${file.snaplen}\n` };
  }
  if (o.raw !== null) {
    const { RawSource } = await import('./sources/raw-source.js');
    const src = new RawSource(engine, o.raw as RawProto);
    return { src, file: null, banner: `listening on raw ${o.raw} socket, link-type ${linktypeBanner(src.linktype)}\n` };
  }
  const { openLiveSource } = await import('./sources/live-pcap.js');
  const { assertInterface, defaultInterface, listInterfaces } = await import('./sources/interfaces.js');
  const list = listInterfaces();
  const iface = o.iface ?? defaultInterface(list);
  assertInterface(iface, list);
  const src = openLiveSource(iface, liveOptions(o));
  const fallback = src.backend === 'cap' ? ' (cap fallback: timestamps taken in JavaScript, kernel drops unknown)' : '';
  return { src, file: null, banner: `listening on ${iface}, link-type ${linktypeBanner(src.linktype)}, snapshot length ${src.snaplen} bytes${fallback}\n` };
}

/** A progress bar on stderr while a file is read (a terminal, not -q). */
function progressBar(file: FileSource): () => void {
  const draw = (): void => {
    const frac = file.fileSize > 0 ? file.bytesRead / file.fileSize : 1;
    const fill = Math.round(frac * 30);
    process.stderr.write(`\r[${'#'.repeat(fill)}${'.'.repeat(30 - fill)}] ${(frac * 100).toFixed(0)}% ${file.recordsPublished} packets`);
  };
  const timer = setInterval(draw, 200);
  return () => {
    clearInterval(timer);
    process.stderr.write('\r\x1b[K');
  };
}

/** Exit statistics the source knows (kernel counters for live capture). */
/** `direct`: how many capture threads wrote the file themselves (0: a consumer read the ring). */
/** `perWorker`: what each consumer took from its ring (sniff --workers N without -w). */
function sourceStatsLines(src: Source, s: SourceStats, r: ConsumerResult, direct = 0, perWorker: number[] = []): string[] {
  if (src.kind === 'file') return [`${r.seen} packets read from file`];
  if (src.kind === 'raw') return [`${s.captured} packets received on the socket`, `${r.seen} packets taken from the ring`];
  return [
    `${s.received === null ? 'unknown number of' : s.received} packets received by filter`,
    `${s.droppedKernel === null ? 'unknown number of' : s.droppedKernel} packets dropped by kernel`,
    ...(s.droppedIface ? [`${s.droppedIface} packets dropped by interface`] : []),
    direct === 0 ? `${r.seen} packets taken from the ring${perWorker.length > 1 ? `s (${perWorker.length} workers: ${perWorker.join(' + ')})` : ''}`
      : `${r.seen} packets written by the capture thread${direct > 1 ? `s (${direct}, merged in timestamp order)` : ''} (no ring)`,
  ];
}

function stageConfig(o: SniffOptions, src: Source): StageConfig {
  // tcpdump: -t none, default local time, -tt epoch, -ttt delta, -tttt date, -ttttt since first.
  const ts = o.timestamps === 0 ? 1 : o.timestamps === 1 ? 0 : Math.min(o.timestamps, 5);
  const summariesOnly = o.flows || o.prefixes !== null || o.ipfix !== null || o.log.length > 0;
  return {
    // What the kernel filtered (libpcap) is not filtered again.
    filter: src.filtersInKernel ? '' : o.filter,
    count: o.count,
    write: o.writeFile === null ? null : {
      path: o.writeFile, linktype: src.linktype, snaplen: o.snaplen > 0 ? o.snaplen : src.snaplen || DEFAULT_SNAPLEN, cut: o.snaplen,
      nanosecond: src.nanosecond || o.nano, pcapng: o.pcapng,
    },
    // Like tcpdump, -w writes the file instead of printing; --flows/--prefixes/--ipfix
    // print their tables instead of one line per packet (add -v... no: ask --json).
    text: o.writeFile === null && !o.json && !summariesOnly ? {
      timestamps: ts as 0 | 1 | 2 | 3 | 4 | 5, nano: o.nano, link: o.linkHeader, verbose: o.verbose, quiet: o.quiet,
      absoluteSeq: o.absoluteSeq, hex: (o.hex > 0 || o.hexAscii > 0 ? Math.min(2, Math.max(o.hex, o.hexAscii)) : 0) as 0 | 1 | 2,
      ascii: o.hexAscii > 0, asciiText: Math.min(2, o.asciiText) as 0 | 1 | 2, numbers: o.frameNumbers,
    } : null,
    json: o.json && !summariesOnly ? true : o.json,
    flows: o.flows,
    log: o.log,
    prefixes: o.prefixes,
    ipfix: o.ipfix === null ? null : { collector: o.ipfix, domain: o.ipfixDomain, activeTimeout: o.activeTimeout, idleTimeout: o.idleTimeout },
    flowCapacity: o.flowCapacity,
    // JSON and the summaries show what tshark shows: reassembled datagrams. Text lines are
    // tcpdump's, which never reassembles, so they read the wire's descriptors as they are.
    reassemble: o.reassemble && (o.json || summariesOnly),
    tunnelDepth: o.tunnelDepth,
  };
}

/** The consumer thread, started at once (its start-up overlaps the main thread's) unless
 *  the capture thread is expected to write the file itself; then only if it must. */
class ConsumerThread {
  private w: Worker | null = null;
  constructor(eager: boolean) {
    if (eager) this.get();
  }
  get(): Worker {
    this.w ??= new Worker(consumerFile, { workerData: { consumer: true } });
    return this.w;
  }
  /** Lets a started thread go (its job is null). */
  release(): void {
    this.w?.postMessage(null);
  }
}

/** The other --workers N - 1 live sources on `iface` (the first is open); none left open
 *  if one fails. */
async function openFanoutMembers(o: SniffOptions, iface: string): Promise<LivePcap[]> {
  const { openLiveSource } = await import('./sources/live-pcap.js');
  const more: LivePcap[] = [];
  try {
    for (let k = 1; k < o.workers; k++) more.push(openLiveSource(iface, liveOptions(o)) as LivePcap);
  } catch (e) {
    for (const m of more) await m.close({ drain: false });
    throw e;
  }
  return more;
}

async function sniff(o: SniffOptions, consumer: ConsumerThread): Promise<void> {
  if (o.listInterfaces) {
    const { formatInterfaceList } = await import('./sources/interfaces.js');
    process.stdout.write(`${formatInterfaceList()}\n`);
    return;
  }
  const engine = createEngine({ backend: o.engine });
  const control = new Control(engine.views, engine.arena.alloc(CTL_BYTES));
  // The filter compiler loads while the source opens (live filters run in the kernel).
  const compiler = o.filter !== '' && (o.readFile !== null || o.raw !== null) ? loadFilterCompiler() : null;
  const { src, file, banner } = await openCapture(o, engine);
  const ring = FrameRing.create(engine, src.ringShape.slots, src.ringShape.slotPayload);
  let final: SourceStats | null = null;
  let stopping: Promise<void> | null = null;
  const stopCapture = (): Promise<void> => (stopping ??= src.close({ drain: true }).then((s) => { final = s; ring.close(); }));
  // A consumer that cannot see the stop flag (stuck in a blocked write, or a loop that
  // makes no progress) is abandoned STOP_GRACE_MS after the first signal, or at the second.
  let abandonConsumer: (() => void) | null = null;
  let graceTimer: NodeJS.Timeout | null = null;
  const onSignal = (): void => {
    control.requestStop(1);
    void stopCapture();
    if (graceTimer !== null) { abandonConsumer?.(); return; }
    graceTimer = setTimeout(() => abandonConsumer?.(), STOP_GRACE_MS);
    graceTimer.unref();
  };
  // From here on a signal ends the run cleanly (whole records written, statistics).
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const stages = stageConfig(o, src);
  // A bad filter is reported before any packet moves (and per link type, as libpcap does),
  // after the capture's announcement, as tcpdump does.
  if (stages.filter !== '') {
    await (compiler ?? loadFilterCompiler());
    try {
      compileBatchFilter(engine, stages.filter, src.linktype);
    } catch (e) {
      process.stderr.write(banner);
      throw e;
    }
  }
  // tcpdump -Z: give up root once the capture is open, before creating output files.
  if (o.user !== null) dropPrivileges(o.user);
  // The direct -w paths (a capture thread writes the file) load only when planned.
  const dump = directWritePlanned(o) ? await import('./pipeline/live-dump.js') : null;
  const direct = dump !== null ? dump.directDumpSource(src, stages, o.stats) : null;
  if (o.workers > 1 && (src.kind !== 'live' || (src as LivePcap).backend !== 'pcap')) throw new PktError('E_BAD_ARGUMENT', '--workers needs the libpcap addon (packet fanout)');
  if (o.workers > 1 && direct !== null && stages.write !== null) {
    // --workers N -w FILE: N capture threads on N sockets of one fanout group, merged.
    consumer.release();
    const more = await openFanoutMembers(o, (direct as LivePcap).iface);
    const started = process.hrtime.bigint();
    const { runFanoutDump } = await import('./pipeline/live-workers.js');
    const w = await runFanoutDump([direct, ...more], stages.write, o.count, () => process.stderr.write(banner));
    const secs = Number(process.hrtime.bigint() - started) / 1e9;
    const res: ConsumerResult = { type: 'done', seen: w.records, matched: w.records, bytes: w.wireBytes, malformed: 0, error: null, errorCode: null, reasm: null };
    printStats(o, res, 0, secs, sourceStatsLines(src, w.stats, res, o.workers));
    const failed = [direct, ...more].find((s) => s.error !== null);
    if (failed !== undefined) throw failed.error;
    return;
  }
  if (o.workers > 1) {
    // --workers N with engine work: N fanout sockets, N rings, N consumer workers.
    const more = await openFanoutMembers(o, (src as LivePcap).iface);
    const started = process.hrtime.bigint();
    // Loaded only here: the engine workers bring the flow and IPFIX modules, which a
    // single-pipeline run does not need at start-up.
    const { runEngineWorkers } = await import('./pipeline/engine-workers.js');
    const run = await runEngineWorkers({
      engine, sources: [src as LivePcap, ...more], firstRing: ring, firstWorker: consumer.get(), consumerFile,
      base: { memory: engine.memory, module: engine.module, engine: o.engine, slots: src.slotFormat, stages: { ...stages, ipfixSummary: false } },
      statsEvery: o.stats, onStarted: () => process.stderr.write(banner),
    });
    const secs = Number(process.hrtime.bigint() - started) / 1e9;
    const res = run.result;
    const err = [src, ...more].find((s) => s.error !== null)?.error
      ?? (res.error !== null ? new PktError((res.errorCode ?? 'E_IO') as PktError['code'], res.error) : null);
    if (err?.code === 'E_PIPE') throw err;
    printStats(o, res, run.ringDrops, secs, sourceStatsLines(src, run.stats, res, 0, run.perWorker));
    if (err !== null) throw err;
    return;
  }
  if (direct !== null && stages.write !== null) {
    // -i IFACE -w FILE and nothing else: the capture thread writes the file itself.
    consumer.release();
    const started = process.hrtime.bigint();
    const w = await dump!.runDirectDump(direct, stages.write, o.count, () => process.stderr.write(banner));
    const secs = Number(process.hrtime.bigint() - started) / 1e9;
    const res: ConsumerResult = { type: 'done', seen: w.records, matched: w.records, bytes: w.wireBytes, malformed: 0, error: null, errorCode: null, reasm: null };
    printStats(o, res, 0, secs, sourceStatsLines(src, direct.stats(), res, 1));
    if (src.error !== null) throw src.error;
    return;
  }
  const job: ConsumerJob = {
    memory: engine.memory, module: engine.module, engine: o.engine, ring: ring.address, control: control.address,
    slots: src.slotFormat, stages,
    wake: src.kind === 'live' && (src as { wakesWaitRing?: boolean }).wakesWaitRing === true ? 'futex' : 'atomics',
  };
  const started = process.hrtime.bigint();
  let ready!: () => void;
  const consumerReady = new Promise<void>((r) => { ready = r; });
  let result: Promise<ConsumerResult>;
  if (fileInThread(o)) {
    // The stages run here (see fileInThread); the source starts first so that the first
    // step finds chunks. Loaded only now: a live capture's main thread never needs them.
    const { runConsumer } = await import('./pipeline/consumer.js');
    const { ringData } = await import('./sources/ring-async.js');
    if (stopping === null) src.start(engine.memory, ring.address);
    // The banner goes out before the first line, as the worker's 'ready' made it.
    result = runConsumer(job, () => { process.stderr.write(banner); ready(); }, () => Promise.resolve([]), { engine, wait: () => ringData(ring, 100) });
  } else {
    const worker = consumer.get();
    worker.postMessage(job);
    result = new Promise<ConsumerResult>((resolve, reject) => {
      abandonConsumer = () => {
        const c = control.read();
        resolve({ type: 'done', ...c, error: `the consumer did not stop within ${STOP_GRACE_MS} ms of the stop request; abandoned`, errorCode: 'E_IO', reasm: null });
        ready();
        void worker.terminate();
      };
      worker.on('message', (m: ConsumerReady | ConsumerResult) => {
        if (m.type !== 'ready') resolve(m);
        else { process.stderr.write(banner); ready(); }
      });
      worker.once('error', reject);
      worker.once('exit', (code) => { if (code !== 0) reject(new PktError('E_IO', `the consumer thread exited with code ${code}`)); });
    });
  }
  let statsTimer: NodeJS.Timeout | null = null;
  if (o.stats > 0) {
    statsTimer = setInterval(() => {
      const c = control.read();
      process.stderr.write(`stats: ${c.seen} seen, ${c.matched} matched, ${c.malformed} malformed, ${ring.drops} dropped by ring\n`);
    }, o.stats * 1000);
  }
  const endBar = file !== null && process.stderr.isTTY === true && !o.quiet ? progressBar(file) : null;
  if (stopping === null && !fileInThread(o)) src.start(engine.memory, ring.address);
  const capDone = src.ended.then(() => { endBar?.(); ring.close(); });
  // The announcement comes once the pipeline runs (ready() writes it): from then on the
  // capture is under way. A consumer that failed first never announced it.
  await Promise.race([consumerReady, result]);
  // The source ends (file read, error), or the consumer ends first (-c): stop the other.
  const res = await Promise.race([result, capDone.then(() => result)]);
  await stopCapture();
  await capDone;
  if (statsTimer) clearInterval(statsTimer);
  if (graceTimer !== null) clearTimeout(graceTimer);
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  const err = src.error ?? (res.error !== null ? new PktError((res.errorCode ?? 'E_IO') as PktError['code'], res.error) : null);
  // A closed standard output ends the run quietly, statistics included, as SIGPIPE would.
  if (err?.code === 'E_PIPE') throw err;
  printStats(o, res, ring.drops, secs, sourceStatsLines(src, final ?? src.stats(), res));
  // The source's or the consumer's failure comes after the statistics, as one error line.
  if (err !== null) throw err;
}

function printStats(o: SniffOptions, r: ConsumerResult, ringDrops: number, secs: number, sourceLines: string[]): void {
  const pps = secs > 0 ? r.seen / secs : 0;
  const mbps = secs > 0 ? (r.bytes * 8) / secs / 1e6 : 0;
  const lines = [
    `${r.matched} packets captured${o.filter ? ' (matched the filter)' : ''}`,
    ...sourceLines,
    `${ringDrops} packets dropped by ring`,
  ];
  if (r.malformed > 0) lines.push(`${r.malformed} packets malformed (flagged, not dropped)`);
  const re = r.reasm;
  if (re !== null && re.fragments > 0) {
    const discarded = re.overlaps + re.inconsistent + re.tooBig + re.tooManyHoles + re.noRoom + re.outFull;
    lines.push(`${re.fragments} IP fragments: ${re.reassembled} datagrams reassembled, ${re.timeouts + re.evicted + re.flushed} left incomplete, ${discarded} discarded (${re.overlaps} overlapping)`);
  }
  lines.push(`${secs.toFixed(3)} s elapsed, ${(pps / 1e6).toFixed(3)} Mpps, ${mbps.toFixed(1)} Mbit/s`);
  process.stderr.write(`${lines.join('\n')}\n`);
}

/** A stage that wrote to a closed standard output (writeSync(1) got EPIPE) crashes the
 *  worker with that error: it is the quiet closed-pipe exit, not a failure to print. */
function closedPipe(e: unknown): unknown {
  return (e as { code?: unknown } | null)?.code === 'EPIPE' ? new PktError('E_PIPE', 'standard output closed', { cause: e }) : e;
}

const tool: Tool<SniffOptions> = {
  spec: SNIFF_SPEC,
  async prepare(args) {
    const o = sniffOptions(args);
    if (o.ipfix !== null) o.ipfix = await resolveIpfixTarget(o.ipfix);
    return o;
  },
  async run(o) {
    // Start the consumer thread first: its start-up overlaps ours. Not when the capture
    // thread will write the file itself (a thread that starts and is let go still costs
    // its start-up's CPU: module loading, a few scavenges), nor for a file read here.
    const consumer = new ConsumerThread(!directWritePlanned(o) && !o.listInterfaces && !fileInThread(o));
    try {
      await sniff(o, consumer);
    } catch (e) {
      consumer.release();
      throw closedPipe(e);
    }
    if (o.listInterfaces) consumer.release();
  },
};

void runTool(tool);
