// The consumer's stages, as seen from its loop: each takes a dissected (or raw) batch
// and the per-frame selection bytes the filter wrote. Implementations live with their
// rooms (filter, sinks, flows, prefixes); these are the only shapes the loop knows.
import type { FrameBatch } from '../engine/frame-batch.js';

/** Per-batch filter: writes one byte per frame at `select` (1 = keep), returns matches. */
export interface BatchFilter {
  matchBatch(table: number, count: number, select: number): number;
}

/** Consumes the selected frames of a batch. `numbers` gives frame numbering. */
export interface BatchStage {
  /** True if the stage reads descriptors (the loop dissects only when one does). */
  readonly needsDissect: boolean;
  process(batch: FrameBatch, select: number, info: BatchInfo): void;
  /** Called about every 100 ms while a live source is quiet, with the wall clock, so
   *  time-driven stages (flow timeouts) move on without packets. */
  idle?(sec: number, nsec: number): void;
  /** End of input: flush, print tables, close files. Synchronous (signal-safe). */
  finish(): void;
}

export interface BatchInfo {
  /** tshark-style number (counting every record) of frame 0 of the batch. */
  firstRecord: number;
  /** tcpdump -# style number (counting matched frames) the first match will get. */
  firstMatch: number;
  /** True when select bytes are valid (a filter ran); else every frame is selected. */
  filtered: boolean;
}
