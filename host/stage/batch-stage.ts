// The contract between the pipeline (host/pipeline/) and the stages that plug into it:
// its own (writers, printers, flows, prefixes) and other rooms' (the IPFIX exporter in
// host/ipfix/). It lives apart from both so that a stage depends on this contract, not
// on the pipeline that runs it: the pipeline imports host/ipfix, host/ipfix imports
// only this folder.
import type { FrameBatch } from '../engine/frame-batch.js';

/** Per-batch filter: writes one byte per frame at `select` (1 = keep), returns matches. */
export interface BatchFilter {
  matchBatch(table: number, count: number, select: number): number;
}

/** Consumes the selected frames of a batch. */
export interface BatchStage {
  /** True if the stage reads descriptors (the runner dissects only when one does). */
  readonly needsDissect: boolean;
  /** True if the stage reads the application layer (batch.apps, view.app): the runner then
   *  dissects with DF_APP into an app area (host/app/). */
  readonly needsApp?: boolean;
  process(batch: FrameBatch, select: number, info: BatchInfo): void;
  /** Called about every 100 ms while a live source is quiet, with the wall clock, so
   *  time-driven stages (flow timeouts) move on without packets. */
  idle?(sec: number, nsec: number): void;
  /** End of input: flush, print tables, close files. Synchronous (signal-safe). */
  finish(): void;
}

/** Where a batch stands in the capture, handed to every stage with it. */
export interface BatchInfo {
  /** tshark-style number (counting every record) of frame 0 of the batch. */
  firstRecord: number;
  /** tcpdump -# style number (counting matched frames) the first match will get. */
  firstMatch: number;
  /** True when select bytes are valid (a filter ran); else every frame is selected. */
  filtered: boolean;
}
