// node host/sniff.js: a tcpdump-class sniffer on the pktwasm engine. The main thread is
// the capture side (file reader, live libpcap source or raw socket) and fills a frame
// ring in the shared memory; a worker with its own engine instance dissects, filters and
// writes (DESIGN.md, "Data path").
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { createEngine, type Engine } from './engine/engine.js';
import { FrameRing } from './ring/frame-ring.js';
import { PktError } from './runtime/errors.js';
import { DEFAULT_SNAPLEN, SNIFF_SPEC, resolveIpfixTarget, sniffOptions, type SniffOptions } from './cli/sniff-options.js';
import { runTool, type Tool } from './cli/run-tool.js';
import { Control, CTL_BYTES } from './pipeline/control.js';
import { FileSource, FILE_SLOT_BYTES } from './sources/file-source.js';
import { RawSource, type RawProto } from './sources/raw-source.js';
import { compileBatchFilter, loadFilterCompiler } from './pipeline/filter-stage.js';
import { linktypeBanner } from './sinks/text/linktype-names.js';
import type { ConsumerJob, ConsumerResult } from './pipeline/consumer.js';
import type { StageConfig } from './pipeline/stage-config.js';
import type { LiveSource } from './sources/live-pcap.js';

const consumerFile = fileURLToPath(new URL('./pipeline/consumer.js', import.meta.url));
// Address space for live-capture slots; pages are committed only as frames touch them.
const LIVE_RING_BYTES = 128 << 20;
const JUMBO_SLOT = 9216;

/** The capture side, whichever source: produces into the ring until done or stopped. */
interface CaptureSide {
  readonly kind: 'chunks' | 'frames';
  readonly linktype: number;
  readonly nanosecond: boolean;
  readonly snaplen: number;
  /** The filter the consumer must still apply ('' when the kernel applied it). */
  readonly consumerFilter: string;
  run(): Promise<void>;
  stop(): Promise<void>;
  /** Exit statistics the source knows (kernel counters), replacing the defaults. */
  statsLines(consumer: ConsumerResult): string[];
  error(): PktError | null;
}

function fileCapture(o: SniffOptions, engine: Engine, showProgress: boolean): { side: CaptureSide; ring: FrameRing } {
  const ring = FrameRing.create(engine, 8, FILE_SLOT_BYTES);
  const src = new FileSource(engine, o.readFile!, ring);
  const info = src.info;
  process.stderr.write(`reading from file ${o.readFile}, link-type ${linktypeBanner(Math.max(0, info.linktype))}, snapshot length ${info.snaplen}\n`);
  let stopped = false;
  let lastBar = 0;
  const bar = (): void => {
    const now = Date.now();
    if (!showProgress || now - lastBar < 200) return;
    lastBar = now;
    const frac = src.fileSize > 0 ? src.bytesRead / src.fileSize : 1;
    const fill = Math.round(frac * 30);
    process.stderr.write(`\r[${'#'.repeat(fill)}${'.'.repeat(30 - fill)}] ${(frac * 100).toFixed(0)}% ${src.recordsPublished} packets`);
  };
  const side: CaptureSide = {
    kind: 'chunks', linktype: Math.max(0, info.linktype), nanosecond: info.nanosecond, snaplen: info.snaplen || DEFAULT_SNAPLEN,
    consumerFilter: o.filter,
    run: () => new Promise<void>((resolve) => {
      const step = (): void => {
        // Fill a few slots, then yield so signals and worker messages get through.
        for (let k = 0; k < 8 && !stopped; k++) {
          const r = src.pump(4);
          if (r === 'done') { stopped = true; break; }
          if (r === 'full') ring.waitForSpace(20);
        }
        bar();
        if (stopped) {
          if (showProgress) process.stderr.write('\r\x1b[K');
          src.close();
          ring.close();
          resolve();
        } else {
          setImmediate(step);
        }
      };
      step();
    }),
    stop: async () => { stopped = true; },
    statsLines: (r) => [`${r.seen} packets read from file`],
    error: () => src.error,
  };
  return { side, ring };
}

async function liveCapture(o: SniffOptions, engine: Engine): Promise<{ side: CaptureSide; ring: FrameRing }> {
  const { openLiveSource } = await import('./sources/live-pcap.js');
  const { assertInterface, defaultInterface, listInterfaces } = await import('./sources/interfaces.js');
  const list = listInterfaces();
  const iface = o.iface ?? defaultInterface(list);
  assertInterface(iface, list);
  const snaplen = o.snaplen > 0 ? o.snaplen : DEFAULT_SNAPLEN;
  const src: LiveSource = openLiveSource(iface, {
    snaplen, promisc: o.promisc, bufferSize: o.bufferSize * 1024, immediate: o.immediate, direction: o.direction,
    filter: o.filter, nanosecond: true, backend: o.backend ?? 'auto',
    // The main thread has nothing else to do while capturing: libpcap's fd in its event
    // loop (one wake per TPACKET_V3 block) costs less CPU than a capture thread plus a
    // thread-safe call per batch (bench/live: ~1.3x tcpdump's CPU against ~2x).
    driver: 'loop',
  });
  // Slot size: what -s asks for (up to 64 KiB, the largest GRO/TSO frame Linux hands a
  // packet socket), else a jumbo frame. Many small slots absorb scheduling hiccups of the
  // consumer that a few big ones cannot (1,024 slots of 64 KiB last 20 ms at 50 kpps);
  // a frame longer than its slot keeps its wire length and is flagged as cut (caplen).
  const slotPayload = o.snaplen > 0 ? Math.min(src.snaplen, 65535) : Math.min(src.snaplen, JUMBO_SLOT);
  let slots = 1;
  while (slots * 2 * (slotPayload + 64) <= LIVE_RING_BYTES) slots *= 2;
  const ring = FrameRing.create(engine, Math.max(256, Math.min(slots, 65536)), slotPayload);
  process.stderr.write(`listening on ${iface}, link-type ${linktypeBanner(src.linktype)}, snapshot length ${src.snaplen} bytes${src.backend === 'cap' ? ' (cap fallback: timestamps taken in JavaScript, kernel drops unknown)' : ''}\n`);
  let final: Awaited<ReturnType<LiveSource['close']>> | null = null;
  const side: CaptureSide = {
    kind: 'frames', linktype: src.linktype, nanosecond: src.nanosecond, snaplen: src.snaplen,
    consumerFilter: '', // libpcap compiled it into the kernel
    run: async () => {
      src.start(engine.memory, ring.address);
      await src.ended;
    },
    stop: async () => { final = await src.close({ drain: true }); },
    statsLines: (r) => {
      const s = final ?? src.stats();
      return [
        `${s.received === null ? 'unknown number of' : s.received} packets received by filter`,
        `${s.droppedKernel === null ? 'unknown number of' : s.droppedKernel} packets dropped by kernel`,
        ...(s.droppedIface ? [`${s.droppedIface} packets dropped by interface`] : []),
        `${r.seen} packets taken from the ring`,
      ];
    },
    error: () => src.error,
  };
  return { side, ring };
}

function rawCapture(o: SniffOptions, engine: Engine): { side: CaptureSide; ring: FrameRing } {
  const ring = FrameRing.create(engine, 4096, 65535 + 64);
  const src = new RawSource(engine, ring, o.raw as RawProto);
  process.stderr.write(`listening on raw ${o.raw} socket, link-type ${linktypeBanner(src.linktype)}\n`);
  const side: CaptureSide = {
    kind: 'frames', linktype: src.linktype, nanosecond: true, snaplen: 65535, consumerFilter: o.filter,
    run: () => src.ended,
    stop: async () => src.close(),
    statsLines: (r) => [`${src.stats().received} packets received on the socket`, `${r.seen} packets taken from the ring`],
    error: () => src.error,
  };
  return { side, ring };
}

function stageConfig(o: SniffOptions, side: CaptureSide): StageConfig {
  // tcpdump: -t none, default local time, -tt epoch, -ttt delta, -tttt date, -ttttt since first.
  const ts = o.timestamps === 0 ? 1 : o.timestamps === 1 ? 0 : Math.min(o.timestamps, 5);
  const summariesOnly = o.flows || o.prefixes !== null || o.ipfix !== null;
  return {
    filter: side.consumerFilter,
    count: o.count,
    write: o.writeFile === null ? null : {
      path: o.writeFile, linktype: side.linktype, snaplen: o.snaplen > 0 ? o.snaplen : side.snaplen, cut: o.snaplen,
      nanosecond: side.nanosecond || o.nano, pcapng: o.pcapng,
    },
    // Like tcpdump, -w writes the file instead of printing; --flows/--prefixes/--ipfix
    // print their tables instead of one line per packet (add -v... no: ask --json).
    text: o.writeFile === null && !o.json && !summariesOnly ? {
      timestamps: ts as 0 | 1 | 2 | 3 | 4 | 5, nano: o.nano, link: o.linkHeader, verbose: o.verbose, quiet: o.quiet,
      absoluteSeq: o.absoluteSeq, hex: (o.hex > 0 || o.hexAscii > 0 ? Math.min(2, Math.max(o.hex, o.hexAscii)) : 0) as 0 | 1 | 2,
      ascii: o.hexAscii > 0, numbers: o.frameNumbers,
    } : null,
    json: o.json && !summariesOnly ? true : o.json,
    flows: o.flows,
    prefixes: o.prefixes,
    ipfix: o.ipfix === null ? null : { collector: o.ipfix, domain: o.ipfixDomain, activeTimeout: o.activeTimeout, idleTimeout: o.idleTimeout },
  };
}

function dropPrivileges(user: string): void {
  if (typeof process.setuid !== 'function' || typeof process.setgid !== 'function') return;
  try {
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    process.setgroups?.([gid]);
    process.setgid(gid);
    process.setuid(user);
  } catch (e) {
    throw new PktError('E_PERM', `-Z ${user}: cannot drop privileges (${(e as Error).message.split('\n')[0]})`);
  }
}

async function sniff(o: SniffOptions, worker: Worker): Promise<void> {
  if (o.listInterfaces) {
    const { formatInterfaceList } = await import('./sources/interfaces.js');
    process.stdout.write(`${formatInterfaceList()}\n`);
    return;
  }
  const engine = createEngine({ backend: o.engine });
  const control = new Control(engine.views, engine.arena.alloc(CTL_BYTES));
  const { side, ring } = o.readFile !== null
    ? fileCapture(o, engine, process.stderr.isTTY === true && !o.quiet)
    : o.raw !== null ? rawCapture(o, engine) : await liveCapture(o, engine);
  // A bad filter is reported before any packet moves (and per link type, as libpcap does).
  if (side.consumerFilter !== '') {
    await loadFilterCompiler();
    compileBatchFilter(engine, side.consumerFilter, side.linktype);
  }
  // tcpdump -Z: give up root once the capture is open, before creating output files.
  if (o.user !== null) dropPrivileges(o.user);
  const job: ConsumerJob = {
    memory: engine.memory, module: engine.module, engine: o.engine, ring: ring.address, control: control.address,
    kind: side.kind, stages: stageConfig(o, side),
  };
  const started = process.hrtime.bigint();
  worker.postMessage(job);
  const result = new Promise<ConsumerResult>((resolve, reject) => {
    worker.once('message', (m: ConsumerResult) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => { if (code !== 0) reject(new PktError('E_IO', `the consumer thread exited with code ${code}`)); });
  });
  let stopping: Promise<void> | null = null;
  const stopCapture = (): Promise<void> => (stopping ??= side.stop().then(() => ring.close()));
  const onSignal = (): void => {
    control.requestStop(1);
    void stopCapture();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let statsTimer: NodeJS.Timeout | null = null;
  if (o.stats > 0) {
    statsTimer = setInterval(() => {
      const c = control.read();
      process.stderr.write(`stats: ${c.seen} seen, ${c.matched} matched, ${c.malformed} malformed, ${ring.drops} dropped by ring\n`);
    }, o.stats * 1000);
  }
  const capDone = side.run().then(() => ring.close());
  // The source ends (file read, error), or the consumer ends first (-c): stop the other.
  const res = await Promise.race([result, capDone.then(() => result)]);
  await stopCapture();
  await capDone;
  if (statsTimer) clearInterval(statsTimer);
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  const err = side.error() ?? (res.error !== null ? new PktError((res.errorCode ?? 'E_IO') as PktError['code'], res.error) : null);
  // A closed standard output ends the run quietly, statistics included, as SIGPIPE would.
  if (err?.code === 'E_PIPE') throw err;
  printStats(o, res, ring.drops, secs, side.statsLines(res));
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
    // Start the consumer thread first: its start-up overlaps ours.
    const worker = new Worker(consumerFile, { workerData: { consumer: true } });
    try {
      await sniff(o, worker);
    } catch (e) {
      worker.postMessage(null);
      throw closedPipe(e);
    }
    if (o.listInterfaces) worker.postMessage(null);
  },
};

void runTool(tool);
