// The stage runner: the one pipeline behind the sniffer and the library. It takes what a
// source put into the frame ring (whole-record chunks from files, indexed in place; single
// frames from live and raw sources), dissects when a stage needs descriptors, applies the
// filter (compiled once per link type) and the count, and hands the kept frames to the
// stages (writers, printers, flows, prefixes, the IPFIX exporter).
//
// IP fragments are reassembled right after dissection, before the filter, so that every
// fragment reaches the reassembler whatever the expression keeps: the fragment completing a
// datagram then carries its transport fields (L_REASM), the others are marked held
// (L_FRAG_HELD), which JSON, decode() and the flow table read as tshark would; the frames
// themselves are untouched (-w writes them as they were on the wire, text prints them as
// tcpdump does).
//
// It never blocks: step() does one batch of work or says why it cannot. The sniffer's
// consumer worker sleeps on the ring between steps (Atomics.wait); the library's
// captureBatches() awaits it on the calling thread (Atomics.waitAsync) and yields each
// batch to its caller before the next step, which is when the batch's ring slots go back.
import type { Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import { exportsOf } from '../engine/backend.js';
import { PCAP, type PcapExports } from '../pcap/exports.js';
import type { FrameRing } from '../ring/frame-ring.js';
import type { BatchInfo, BatchStage } from '../stage/batch-stage.js';
import type { SlotFormat } from '../sources/source.js';
import {
  CHUNK_DATA_LEN, CHUNK_RECORDS, CHUNK_WIRE_BYTES, FRAME_W_WIRELEN, FRAME_WORDS, SF_BIG_ENDIAN, SF_MICRO, SLOT_DATA,
  SLOT_FLAGS, SLOT_LINKTYPE, DF_APP,
} from '../runtime/layout.js';
import { BatchFilters } from './filter-stage.js';
import { Reassembler, type ReassemblerOptions } from '../reasm/reassembler.js';
import { PktError } from '../runtime/errors.js';
import { MAX_TUNNEL_DEPTH, setTunnelDepth } from '../dissect/tunnel-depth.js';
import { AppArea, dissectApp } from '../app/app-area.js';

export interface RunnerConfig {
  /** What the ring's slots hold: the source's slotFormat. */
  slots: SlotFormat;
  /** Filter expression ('' keeps everything). The compiler must be loaded (loadFilterCompiler). */
  filter: string;
  /** Stop after this many kept frames (0: no limit). */
  count: number;
  stages: BatchStage[];
  /** Dissect every batch even when no stage reads descriptors (the library decodes). */
  dissect?: boolean;
  /** Frames per batch (default 1024). */
  batchSize?: number;
  /** Decode the application layer too (host/app/), as when a stage asks for it (needsApp). */
  app?: boolean;
  /** IP reassembly of dissected batches (default on; false turns it off, an object sizes it). */
  reassemble?: boolean | ReassemblerOptions;
  /** Tunnel levels followed in this thread (host/dissect/tunnel-depth.ts); absent: as set. */
  tunnelDepth?: number;
}

/** Counters of the run; `bytes` counts wire lengths. */
export interface RunCounters { seen: number; matched: number; bytes: number; malformed: number }

/**
 * 'batch': one batch of input went through; `batch`, `select`, `info` and `kept` describe
 * it until the next step (`kept` is 0 when nothing matched, or when a chunk was written
 * through whole). 'wait': the ring is empty for now. 'end': the ring is closed and drained,
 * or `count` frames were kept.
 */
export type StepResult = 'batch' | 'wait' | 'end';

/** A stage that can write a whole chunk of pcap records as it came (-r IN -w OUT). */
interface ChunkWriter extends BatchStage {
  acceptsChunk(flags: number, linktype: number): boolean;
  writeChunk(ptr: number, len: number): void;
}

function isChunkWriter(s: BatchStage): s is ChunkWriter {
  const c = s as Partial<ChunkWriter>;
  return typeof c.acceptsChunk === 'function' && typeof c.writeChunk === 'function';
}

export class StageRunner {
  readonly batch: FrameBatch;
  /** Address of one keep-byte per frame of `batch`; valid when info.filtered. */
  readonly select: number;
  readonly info: BatchInfo = { firstRecord: 1, firstMatch: 1, filtered: false };
  readonly counters: RunCounters = { seen: 0, matched: 0, bytes: 0, malformed: 0 };
  /** Frames of the last batch handed to the stages. */
  kept = 0;
  /** True once `count` frames were kept: the run is complete. */
  countReached = false;
  /** The IP reassembler, when batches are dissected and reassembly is on. */
  readonly reassembler: Reassembler | null;
  private readonly engine: Engine;
  private readonly ring: FrameRing;
  private readonly pcap: PcapExports;
  private readonly cfg: RunnerConfig;
  private readonly size: number;
  private readonly stages: BatchStage[];
  private readonly idleStages: BatchStage[];
  private readonly filters: BatchFilters;
  private readonly needDissect: boolean;
  /** The app records of `batch` (DF_APP), when a stage reads the application layer. */
  private readonly appArea: AppArea | null;
  private readonly passthrough: ChunkWriter | null;
  private readonly nextOut: number;
  /** Frame slots the last batch references (frames mode), given back on the next step. */
  private held = 0;
  /** The chunk slot being indexed (chunks mode), 0 when none. */
  private chunk = 0;
  private chunkPos = 0;
  private chunkEnd = 0;
  private chunkLinktype = 0;
  private chunkBig = 0;
  private chunkMicro = 0;
  private finished = false;

  constructor(engine: Engine, ring: FrameRing, cfg: RunnerConfig) {
    this.engine = engine;
    this.ring = ring;
    this.cfg = cfg;
    this.pcap = exportsOf(engine, PCAP);
    this.size = cfg.batchSize ?? 1024;
    this.batch = engine.createBatch(this.size, 64);
    this.select = engine.arena.alloc(this.size);
    this.nextOut = engine.arena.alloc(64);
    this.stages = cfg.stages;
    this.idleStages = cfg.stages.filter((s) => s.idle !== undefined);
    this.filters = new BatchFilters(engine, cfg.filter);
    const app = cfg.app === true || cfg.stages.some((s) => s.needsApp === true);
    this.needDissect = app || cfg.dissect === true || cfg.stages.some((s) => s.needsDissect);
    this.appArea = app ? new AppArea(engine, this.size) : null;
    if (cfg.tunnelDepth !== undefined && !setTunnelDepth(cfg.tunnelDepth)) {
      throw new PktError('E_BAD_ARGUMENT', `tunnelDepth must be an integer in [0, ${MAX_TUNNEL_DEPTH}], got ${cfg.tunnelDepth}`);
    }
    const re = cfg.reassemble ?? true;
    this.reassembler = this.needDissect && re !== false ? new Reassembler(engine, re === true ? {} : re) : null;
    // -r IN -w OUT with nothing else to do: whole chunks of records go out as they came in.
    const only = cfg.stages.length === 1 ? cfg.stages[0] : null;
    this.passthrough = only !== null && isChunkWriter(only) && cfg.filter === '' && cfg.count === 0 && !this.needDissect ? only : null;
  }

  /** Compiles the filter for `linktype` now, so that a bad expression fails before any
   *  input moves (other link types a file holds compile when they turn up). */
  prepareFilter(linktype: number): void {
    this.filters.for(linktype);
  }

  /** Changes the count between steps (kept frames of this runner's run at which it ends;
   *  0: none): capture({ workers }) reads N rings with one count and hands each runner
   *  what the others left. */
  setCount(count: number): void {
    this.cfg.count = count;
  }

  /** Gives back what the previous batch held, then takes the next batch of input. */
  step(): StepResult {
    this.giveBack();
    this.kept = 0;
    if (this.countReached || this.finished) return 'end';
    return this.cfg.slots === 'chunks' ? this.stepChunks() : this.stepFrames();
  }

  private drained(): StepResult {
    return this.ring.closed && this.ring.core.ring_count(this.ring.address) === 0 ? 'end' : 'wait';
  }

  private stepFrames(): StepResult {
    const n = this.ring.peek(this.batch, this.size);
    if (n === 0) return this.drained();
    this.held = n;
    this.process(this.batch.linktype(0));
    return 'batch';
  }

  private stepChunks(): StepResult {
    const views = this.engine.views;
    for (;;) {
      if (this.chunk === 0) {
        const slot = this.ring.core.ring_slot_for_read(this.ring.address, 0);
        if (slot === 0) return this.drained();
        const u32 = views.refresh().u32;
        const flags = u32[(slot + SLOT_FLAGS) >>> 2];
        const linktype = views.u16[(slot + SLOT_LINKTYPE) >>> 1];
        const start = slot + SLOT_DATA;
        const len = u32[(slot + CHUNK_DATA_LEN) >>> 2];
        if (this.passthrough !== null && this.passthrough.acceptsChunk(flags, linktype)) {
          this.passthrough.writeChunk(start, len);
          const records = u32[(slot + CHUNK_RECORDS) >>> 2];
          this.counters.seen += records;
          this.counters.matched += records;
          this.counters.bytes += views.f64[(slot + CHUNK_WIRE_BYTES) >>> 3];
          this.ring.release(1);
          this.batch.count = 0;
          return 'batch';
        }
        this.chunk = slot;
        this.chunkPos = start;
        this.chunkEnd = start + len;
        this.chunkLinktype = linktype;
        this.chunkBig = (flags & SF_BIG_ENDIAN) !== 0 ? 1 : 0;
        this.chunkMicro = (flags & SF_MICRO) !== 0 ? 1 : 0;
      }
      const b = this.batch;
      b.count = this.chunkPos < this.chunkEnd
        ? this.pcap.pcap_index(this.chunkPos, this.chunkEnd, this.chunkBig, this.chunkMicro, this.chunkLinktype, b.table, b.times, this.size, this.nextOut)
        : 0;
      if (b.count === 0) {
        // The source publishes whole, bounded records only: a chunk the indexer cannot walk
        // to its end is damage, reported, never the rest of the chunk dropped in silence.
        if (this.chunkPos < this.chunkEnd) {
          const at = this.chunkPos - (this.chunk + SLOT_DATA);
          this.releaseChunk();
          throw new PktError('E_BAD_CAPTURE', `indexing stopped early: no whole record at byte ${at} of a ${this.chunkEnd - this.chunk - SLOT_DATA}-byte chunk (after ${this.counters.seen} packets)`);
        }
        this.releaseChunk();
        continue;
      }
      this.chunkPos = views.refresh().u32[this.nextOut >>> 2];
      this.process(this.chunkLinktype);
      return 'batch';
    }
  }

  /** Dissect, filter, count, stages: one batch of frames of one link type. */
  private process(linktype: number): void {
    const b = this.batch;
    const n = b.count;
    const c = this.counters;
    const info = this.info;
    const u32 = this.engine.views.refresh().u32;
    let bytes = 0;
    for (let i = 0, w = (b.table >>> 2) + FRAME_W_WIRELEN; i < n; i++, w += FRAME_WORDS) bytes += u32[w];
    c.bytes += bytes;
    info.firstRecord = c.seen + 1;
    info.firstMatch = c.matched + 1;
    info.filtered = false;
    c.seen += n;
    if (this.needDissect) c.malformed += this.appArea !== null ? dissectApp(this.engine, b, this.appArea) : this.engine.dissect(b);
    if (this.reassembler !== null) this.reassembler.process(b, this.appArea !== null ? DF_APP : 0);
    const filter = this.filters.for(linktype);
    let matched = n;
    if (filter !== null) {
      matched = filter.matchBatch(b.table, n, this.select);
      info.filtered = true;
    }
    const limit = this.cfg.count;
    if (limit > 0 && c.matched + matched >= limit) {
      // Keep exactly the first `limit` matches of the run.
      const keep = limit - c.matched;
      const u8 = this.engine.views.u8;
      if (!info.filtered) { u8.fill(1, this.select, this.select + n); info.filtered = true; }
      let k = 0;
      for (let i = 0; i < n; i++) {
        if (u8[this.select + i] !== 0) { if (k >= keep) u8[this.select + i] = 0; else k++; }
      }
      matched = keep;
      this.countReached = true;
    }
    c.matched += matched;
    this.kept = matched;
    if (matched > 0) for (const s of this.stages) s.process(b, this.select, info);
  }

  /** A quiet live source: time-driven stages (flow timeouts) move on by the wall clock. */
  idle(): void {
    if (this.idleStages.length === 0 && this.reassembler === null) return;
    const ms = Date.now();
    this.reassembler?.expire(Math.floor(ms / 1000), (ms % 1000) * 1e6);
    for (const s of this.idleStages) s.idle!(Math.floor(ms / 1000), (ms % 1000) * 1e6);
  }

  private releaseChunk(): void {
    if (this.chunk === 0) return;
    this.chunk = 0;
    this.ring.release(1);
  }

  private giveBack(): void {
    if (this.held > 0) {
      this.ring.release(this.held);
      this.held = 0;
    }
  }

  /** End of the run: gives back what is held, then every stage flushes and closes. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.giveBack();
    this.releaseChunk();
    // Datagrams still incomplete at the end are dropped (counted in its stats as flushed).
    this.reassembler?.flush();
    for (const s of this.stages) s.finish();
  }
}
