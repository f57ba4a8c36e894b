// node host/sniff.js: a tcpdump-class sniffer on the pktwasm engine. The main thread is
// the capture side (file reader, live source or raw socket) and fills a frame ring in the
// shared memory; a worker with its own engine instance dissects, filters and writes.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { createEngine } from './engine.js';
import { FrameRing, ringCore } from './ring.js';
import { pcapCore } from './pcap.js';
import { PktError } from './errors.js';
import { parseArgs, USAGE, type SniffOptions } from './sniff/options.js';
import { die } from './sniff/errors-cli.js';
import { Control, CTL_BYTES } from './sniff/control.js';
import { FileSource, FILE_SLOT_BYTES } from './sources/file-source.js';
import { compileBatchFilter, loadFilterCompiler } from './sniff/filter-stage.js';
import { linktypeBanner } from './sinks/linktype-names.js';
import type { ConsumerJob, ConsumerResult } from './sniff/consumer.js';
import type { StageConfig } from './sniff/stage-config.js';

const consumerFile = fileURLToPath(new URL('./sniff/consumer.js', import.meta.url));
const DEFAULT_SNAPLEN = 262144;

interface CaptureSide {
  /** Starts producing; resolves when the source is exhausted or stopped. */
  run(): Promise<void>;
  stop(): void;
  /** Lines for the exit statistics (kernel counters where the source has them). */
  statsLines(): string[];
  error(): PktError | null;
}

function fileCapture(src: FileSource, ring: FrameRing, showProgress: boolean): CaptureSide {
  let stopped = false;
  let lastBar = 0;
  const bar = (): void => {
    const now = Date.now();
    if (!showProgress || now - lastBar < 200) return;
    lastBar = now;
    const frac = src.fileSize > 0 ? src.bytesRead / src.fileSize : 1;
    const w = 30;
    const fill = Math.round(frac * w);
    process.stderr.write(`\r[${'#'.repeat(fill)}${'.'.repeat(w - fill)}] ${(frac * 100).toFixed(0)}% ${src.recordsPublished} packets`);
  };
  return {
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
    stop: () => { stopped = true; },
    statsLines: () => [],
    error: () => src.error,
  };
}

function stageConfig(o: SniffOptions, linktype: number, nanosecond: boolean, snaplen: number): StageConfig {
  // tcpdump: -t none, default local time, -tt epoch, -ttt delta, -tttt date, -ttttt since first.
  const ts = o.timestamps === 0 ? 1 : o.timestamps === 1 ? 0 : Math.min(o.timestamps, 5);
  return {
    filter: o.filter,
    count: o.count,
    write: o.writeFile === null ? null : {
      path: o.writeFile, linktype, snaplen: o.snaplen > 0 ? o.snaplen : snaplen, cut: o.snaplen, nanosecond: nanosecond || o.nano, pcapng: o.pcapng,
    },
    // Like tcpdump, -w writes the file instead of printing (unless --json asks for both).
    text: o.writeFile === null ? {
      timestamps: ts as 0 | 1 | 2 | 3 | 4 | 5, nano: o.nano, link: o.linkHeader, verbose: o.verbose, quiet: o.quiet,
      absoluteSeq: o.absoluteSeq, hex: (o.hex > 0 || o.hexAscii > 0 ? Math.min(2, Math.max(o.hex, o.hexAscii)) : 0) as 0 | 1 | 2,
      ascii: o.hexAscii > 0, numbers: o.frameNumbers,
    } : null,
    json: o.json,
  };
}

async function main(): Promise<void> {
  let o: SniffOptions;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    die(e, process.argv.includes('--debug'));
  }
  if (o.help) { process.stdout.write(`${USAGE}\n`); return; }
  if (o.version) { process.stdout.write('pktwasm sniff 0.1.0\n'); return; }
  const debug = o.debug;
  try {
    await sniff(o);
  } catch (e) {
    die(e, debug);
  }
}

async function sniff(o: SniffOptions): Promise<void> {
  if (o.readFile === null) throw new PktError('E_BAD_ARGUMENT', 'live capture is not wired into this build yet; use -r FILE');
  const engine = createEngine({ backend: o.engine });
  const views = engine.views;
  const ring = FrameRing.create(engine.arena, ringCore(o.engine, views, engine.wasm), 8, FILE_SLOT_BYTES);
  const pcap = pcapCore(o.engine, views, engine.wasm);
  const control = new Control(views, engine.arena.alloc(CTL_BYTES));
  const src = new FileSource(o.readFile, ring, views, pcap);
  const info = src.info;
  if (info.format === 'pcap' || info.interfaces.length > 0) {
    process.stderr.write(`reading from file ${o.readFile}, link-type ${linktypeBanner(info.linktype)}, snapshot length ${info.snaplen}\n`);
  }
  // A bad filter is reported before any packet moves (and per link type, as libpcap does).
  if (o.filter !== '') {
    await loadFilterCompiler();
    if (info.linktype >= 0) compileBatchFilter(engine, o.filter, info.linktype);
  }
  const capture = fileCapture(src, ring, process.stderr.isTTY === true && !o.quiet);
  const job: ConsumerJob = {
    memory: engine.memory, module: engine.module, engine: o.engine, ring: ring.address, control: control.address,
    kind: 'chunks', stages: stageConfig(o, Math.max(0, info.linktype), info.nanosecond, info.snaplen || DEFAULT_SNAPLEN),
  };
  const started = process.hrtime.bigint();
  const worker = new Worker(consumerFile, { workerData: job });
  const result = new Promise<ConsumerResult>((resolve, reject) => {
    worker.once('message', (m: ConsumerResult) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => { if (code !== 0) reject(new Error(`consumer exited with code ${code}`)); });
  });
  const onSignal = (): void => {
    control.requestStop(1);
    capture.stop();
    ring.close();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let statsTimer: NodeJS.Timeout | null = null;
  if (o.stats > 0) {
    statsTimer = setInterval(() => {
      const c = control.read();
      process.stderr.write(`stats: ${c.seen} seen, ${c.matched} matched, ${ring.drops} dropped by ring\n`);
    }, o.stats * 1000);
  }
  const capDone = capture.run();
  // The consumer stops early on -c; the capture side must stop then too.
  const res = await Promise.race([result, capDone.then(() => result)]);
  capture.stop();
  await capDone;
  if (statsTimer) clearInterval(statsTimer);
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  printStats(o, res, ring.drops, secs, capture.statsLines());
  const err = capture.error() ?? (res.error !== null ? new PktError((res.errorCode ?? 'E_IO') as PktError['code'], res.error) : null);
  if (err !== null) {
    process.stderr.write(`sniff: ${err.message}\n`);
    process.exitCode = 1;
  }
}

function printStats(o: SniffOptions, r: ConsumerResult, ringDrops: number, secs: number, extra: string[]): void {
  const pps = secs > 0 ? r.seen / secs : 0;
  const mbps = secs > 0 ? (r.bytes * 8) / secs / 1e6 : 0;
  const lines = [
    `${r.matched} packets ${o.filter ? 'matched' : 'captured'}`,
    `${r.seen} packets received by filter`,
    ...extra,
    `${ringDrops} packets dropped by ring`,
  ];
  if (r.malformed > 0) lines.push(`${r.malformed} packets malformed (flagged, not dropped)`);
  lines.push(`${secs.toFixed(3)} s elapsed, ${(pps / 1e6).toFixed(3)} Mpps, ${mbps.toFixed(1)} Mbit/s`);
  process.stderr.write(`${lines.join('\n')}\n`);
}

void main();
