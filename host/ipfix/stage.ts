// The sniffer's IPFIX stage: a flow table fed by the consumer's dissected batches, whose
// ended records (idle, active-timeout reports, TCP ends, evictions, and at finish() every
// live flow) go to an IpfixExporter. Built in the consumer worker from plain data.
//
// finish() flushes the table, then blocks until the sender worker has handed every
// message to the kernel or counted it lost (bounded by the exporter's close timeout), so
// the process may exit right after it.
import { writeSync } from 'node:fs';
import type { Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import type { BatchInfo, BatchStage } from '../stage/batch-stage.js';
import { SelectedFrames } from '../stage/selected.js';
import { FlowTable, DEFAULT_TIMEOUTS, type FlowTimeouts } from '../flows/flow-table.js';
import { InnerFrames } from '../flows/inner-frames.js';
import { PktError } from '../runtime/errors.js';
import { IpfixExporter, type IpfixExporterStats } from './exporter.js';
import { ipfixSummary } from './summary.js';

export { ipfixSummary };

export interface IpfixStageConfig {
  /** host:port (UDP), udp://host:port or tcp://host:port. */
  collector: string;
  /** Observation Domain ID. */
  domain: number;
  /** Seconds between reports of a long flow (0 = only at its end). */
  activeTimeout: number;
  /** Seconds of silence after which a flow ends. */
  idleTimeout: number;
  /** ingressInterface for frames that carry none. */
  iface?: number;
  /** Live flows the table holds (default 65536); beyond, the stalest nearby flow is
   *  exported early (flowEndReason 5, lack of resources). */
  capacity?: number;
  /** Largest message in octets (default 1400). */
  maxMessage?: number;
  /** RFC 5103 biflow records (one per flow) instead of one uniflow record per direction. */
  biflow?: boolean;
  /** The exporter's statistics records: false turns them off (default on, every 60 s and
   *  at the end; see IpfixExporterOptions). */
  statistics?: boolean;
  statisticsIntervalSec?: number;
  statisticsDomain?: number;
  /** Tunnels' inner TCP/UDP/ICMP packets are flows of their own too, as `--flows` counts
   *  them (VXLAN, GRE, Geneve, IP-in-IP ...: host/flows/inner-frames.ts), their octets the
   *  inner IP lengths. Default on; false exports the outer flows only, as softflowd does. */
  inner?: boolean;
  /** At finish(), one line on stderr: flows, records, messages, octets, counted losses
   *  (the sniffer's exit summary). Default off (library callers read stats()). */
  summary?: boolean;
}

export interface IpfixStage extends BatchStage {
  readonly table: FlowTable;
  readonly exporter: IpfixExporter;
  /** Advances flow time with no frames (a quiet live source): ends what is due. */
  tick(sec: number, nsec: number): void;
  stats(): IpfixExporterStats;
}

/** Flow-table timeouts for an exporter: one idle timeout for every state, the TCP
 *  closing states never longer than the table's defaults (they are ends, not silences). */
export function exportTimeouts(activeTimeout: number, idleTimeout: number): FlowTimeouts {
  if (!(idleTimeout > 0) || !(activeTimeout >= 0)) {
    throw new PktError('E_BAD_ARGUMENT', `ipfix: idle timeout must be > 0 and active timeout >= 0 (got ${idleTimeout}, ${activeTimeout})`);
  }
  return {
    tcpOpening: idleTimeout, tcpEstablished: idleTimeout, udp: idleTimeout, icmp: idleTimeout, other: idleTimeout,
    tcpClosing: Math.min(DEFAULT_TIMEOUTS.tcpClosing, idleTimeout),
    tcpTimeWait: Math.min(DEFAULT_TIMEOUTS.tcpTimeWait, idleTimeout),
    tcpClosed: Math.min(DEFAULT_TIMEOUTS.tcpClosed, idleTimeout),
    active: activeTimeout,
  };
}

/** Flush a partly filled message after this long without one going out. */
const FLUSH_MS = 1000;

class Stage implements IpfixStage {
  readonly needsDissect = true;
  readonly table: FlowTable;
  readonly exporter: IpfixExporter;
  private readonly selected: SelectedFrames;
  private readonly inner: InnerFrames | null;
  private lastFlush = Date.now();
  private finished = false;
  private flows = 0;
  private readonly summary: boolean;
  private readonly collector: string;

  constructor(engine: Engine, cfg: IpfixStageConfig) {
    this.selected = new SelectedFrames(engine);
    this.inner = cfg.inner === false ? null : new InnerFrames(engine);
    this.exporter = new IpfixExporter({
      collector: cfg.collector, domain: cfg.domain, iface: cfg.iface, maxMessage: cfg.maxMessage, biflow: cfg.biflow,
      statistics: cfg.statistics, statisticsIntervalSec: cfg.statisticsIntervalSec, statisticsDomain: cfg.statisticsDomain,
    });
    const x = this.exporter;
    const views = engine.views;
    this.summary = cfg.summary === true;
    this.collector = cfg.collector;
    // Records go to the encoder straight from the table's memory: no FlowRecord per flow.
    this.table = new FlowTable(engine, {
      capacity: cfg.capacity ?? 65536,
      timeouts: exportTimeouts(cfg.activeTimeout, cfg.idleTimeout),
      onExpireRaw: (at) => { x.exportFlowAt(views, at); this.flows++; },
    });
  }

  /** Flow records handed to the exporter (a flow's active-timeout reports count each). */
  get exportedFlows(): number {
    return this.flows;
  }

  process(batch: FrameBatch, select: number, info: BatchInfo): void {
    // Only the frames the filter matched are accounted.
    const kept = this.selected.of(batch, select, info);
    if (kept.count > 0) {
      this.table.update(kept);
      this.inner?.forEach(kept, (b) => { this.table.update(b); });
    }
    this.maybeFlush();
  }

  private maybeFlush(): void {
    const now = Date.now();
    if (now - this.lastFlush >= FLUSH_MS) {
      this.exporter.flush();
      this.lastFlush = now;
    }
  }

  tick(sec: number, nsec: number): void {
    this.table.expire(sec, nsec);
    this.maybeFlush();
  }

  /** The consumer loop's quiet-source hook (BatchStage.idle): the same as tick. */
  idle(sec: number, nsec: number): void {
    this.tick(sec, nsec);
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.table.flush();
    const st = this.exporter.close();
    if (this.summary) writeSync(2, `${ipfixSummary(this.flows, st, this.collector, this.table.stats().evicted)}\n`);
  }

  stats(): IpfixExporterStats {
    return this.exporter.stats();
  }
}

/** The factory the sniffer calls for --ipfix. */
export function createIpfixStage(engine: Engine, cfg: IpfixStageConfig): IpfixStage {
  return new Stage(engine, cfg);
}
