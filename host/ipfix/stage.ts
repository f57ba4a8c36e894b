// The sniffer's IPFIX stage: a flow table fed by the consumer's dissected batches, whose
// ended records (idle, active-timeout reports, TCP ends, evictions, and at finish() every
// live flow) go to an IpfixExporter. Built in the consumer worker from plain data.
//
// finish() flushes the table, then blocks until the sender worker has handed every
// message to the kernel or counted it lost (bounded by the exporter's close timeout), so
// the process may exit right after it.
import type { Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import type { BatchInfo, BatchStage } from '../stage/batch-stage.js';
import { SelectedFrames } from '../stage/selected.js';
import { FlowTable, DEFAULT_TIMEOUTS, type FlowTimeouts } from '../flows/flow-table.js';
import { PktError } from '../runtime/errors.js';
import { IpfixExporter, type IpfixExporterStats } from './exporter.js';

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
  private lastFlush = Date.now();
  private finished = false;

  constructor(engine: Engine, cfg: IpfixStageConfig) {
    this.selected = new SelectedFrames(engine);
    this.exporter = new IpfixExporter({
      collector: cfg.collector, domain: cfg.domain, iface: cfg.iface, maxMessage: cfg.maxMessage, biflow: cfg.biflow,
      statistics: cfg.statistics, statisticsIntervalSec: cfg.statisticsIntervalSec, statisticsDomain: cfg.statisticsDomain,
    });
    const x = this.exporter;
    this.table = new FlowTable(engine, {
      capacity: cfg.capacity ?? 65536,
      timeouts: exportTimeouts(cfg.activeTimeout, cfg.idleTimeout),
      onExpire: (r) => x.exportFlow(r),
    });
  }

  process(batch: FrameBatch, select: number, info: BatchInfo): void {
    // Only the frames the filter matched are accounted.
    const kept = this.selected.of(batch, select, info);
    if (kept.count > 0) this.table.update(kept);
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
    this.exporter.close();
  }

  stats(): IpfixExporterStats {
    return this.exporter.stats();
  }
}

/** The factory the sniffer calls for --ipfix. */
export function createIpfixStage(engine: Engine, cfg: IpfixStageConfig): IpfixStage {
  return new Stage(engine, cfg);
}
