// Reassembler: the host class over one reassembly region (assembly/reasm.ts) and its own
// timer wheel, on whichever backend the Engine runs (WASM exports or the pure-TS twin,
// picked by the one switch in host/engine/backend.ts). It adds argument checks, sizing
// from byte budgets and readable statistics; the per-batch work is one export call.
import type { Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import { exportsOf } from '../engine/backend.js';
import { PktError } from '../runtime/errors.js';
import { WHEEL } from '../wheel/exports.js';
import { REASM, type ReasmExports } from './exports.js';
import {
  RH_BLOCK_COUNT, RH_BLOCKS_USED, RH_CAPACITY, RH_LIVE, RH_OUT_USED, REASM_BLOCK, REASM_MAX_PAYLOAD,
  RS_FRAGMENTS, RS_HELD, RS_DONE, RS_TIMEOUTS, RS_EVICTED, RS_OVERLAPS, RS_DUPLICATES, RS_INCONSISTENT,
  RS_TOO_BIG, RS_BAD, RS_CUT, RS_TINY, RS_OFFSET8, RS_HOLES, RS_LATE, RS_OUT_FULL, RS_FLUSHED, RS_NO_ROOM,
} from './reasm-layout.js';

/** Sizing and timeouts of a Reassembler. */
export interface ReassemblerOptions {
  /** Datagrams in progress at once (default 1024). The oldest is evicted for a new one. */
  maxDatagrams?: number;
  /** Bytes of fragment payload held at once, in 1 KiB blocks (default 4 MiB, Linux's
   *  ipfrag_high_thresh). The oldest datagrams are evicted to make room. */
  maxBytes?: number;
  /** Largest reassembled payload accepted, 1..65535 (default 65535, the IP limit). */
  maxDatagramBytes?: number;
  /** Timeouts in seconds (defaults as Linux: 30 for IPv4, 60 for IPv6). */
  timeoutV4?: number;
  timeoutV6?: number;
  /** Output area for the datagrams one batch completes (default 2 MiB, at least 66,560):
   *  a datagram that finds it full is counted in `outFull` and not reported. */
  outputBytes?: number;
}

/** Lifetime counters (see assembly/reasm-layout.ts RS_* for each one's exact meaning). */
export interface ReassemblerStats {
  fragments: number;
  held: number;
  reassembled: number;
  timeouts: number;
  evicted: number;
  overlaps: number;
  duplicates: number;
  inconsistent: number;
  tooBig: number;
  bad: number;
  cut: number;
  tinyFirst: number;
  offset8: number;
  tooManyHoles: number;
  late: number;
  outFull: number;
  flushed: number;
  noRoom: number;
  /** Datagrams in progress now (discarded ones kept until their timeout included). */
  inProgress: number;
  /** Payload bytes held now (whole 1 KiB blocks). */
  bytesHeld: number;
  maxDatagrams: number;
  maxBytes: number;
}

const STAT_FIELDS: ReadonlyArray<[keyof ReassemblerStats, number]> = [
  ['fragments', RS_FRAGMENTS], ['held', RS_HELD], ['reassembled', RS_DONE], ['timeouts', RS_TIMEOUTS],
  ['evicted', RS_EVICTED], ['overlaps', RS_OVERLAPS], ['duplicates', RS_DUPLICATES],
  ['inconsistent', RS_INCONSISTENT], ['tooBig', RS_TOO_BIG], ['bad', RS_BAD], ['cut', RS_CUT],
  ['tinyFirst', RS_TINY], ['offset8', RS_OFFSET8], ['tooManyHoles', RS_HOLES], ['late', RS_LATE],
  ['outFull', RS_OUT_FULL], ['flushed', RS_FLUSHED], ['noRoom', RS_NO_ROOM],
];

function checkInt(what: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new PktError('E_BAD_ARGUMENT', `reassembler: ${what} must be ${lo}..${hi}, got ${v}`);
  return v;
}

/** IPv4/IPv6 fragment reassembly over dissected batches: the fragment that completes a
 *  datagram gets the datagram's transport fields (L_REASM), the others are marked held. */
export class Reassembler {
  readonly engine: Engine;
  readonly core: ReasmExports;
  /** Byte address of the region. */
  readonly region: number;
  readonly wheel: number;
  /** Total bytes the reassembler reserved (region + wheel): its memory, once and for all. */
  readonly footprint: number;

  constructor(engine: Engine, opts: ReassemblerOptions = {}) {
    const capacity = checkInt('maxDatagrams', opts.maxDatagrams ?? 1024, 1, 0x100000);
    const maxBytes = checkInt('maxBytes', opts.maxBytes ?? 4 << 20, REASM_BLOCK, 0x400000 * REASM_BLOCK);
    const maxPayload = checkInt('maxDatagramBytes', opts.maxDatagramBytes ?? REASM_MAX_PAYLOAD, 1, REASM_MAX_PAYLOAD);
    const out = checkInt('outputBytes', opts.outputBytes ?? 2 << 20, 0x10400, 0x40000000);
    const t4 = opts.timeoutV4 ?? 30;
    const t6 = opts.timeoutV6 ?? 60;
    for (const [what, t] of [['timeoutV4', t4], ['timeoutV6', t6]] as const) {
      if (!Number.isFinite(t) || t <= 0 || t > 1e6) throw new PktError('E_BAD_ARGUMENT', `reassembler: ${what} must be a positive number of seconds up to 1e6, got ${t}`);
    }
    this.engine = engine;
    this.core = exportsOf(engine, REASM);
    const wheelCore = exportsOf(engine, WHEEL);
    const blocks = Math.floor(maxBytes / REASM_BLOCK);
    const wheelBytes = wheelCore.wheel_region_size(capacity) >>> 0;
    this.wheel = engine.arena.alloc(wheelBytes);
    wheelCore.wheel_init(this.wheel, capacity, 0);
    const bytes = this.core.reasm_region_size(capacity, blocks, out) >>> 0;
    this.region = engine.arena.alloc(bytes);
    this.footprint = bytes + wheelBytes;
    if (this.core.reasm_init(this.region, capacity, blocks, out, this.wheel) !== 1) {
      throw new PktError('E_BAD_ARGUMENT', 'reassembler: reasm_init refused its arguments');
    }
    this.core.reasm_configure(this.region, Math.max(1, Math.round(t4 * 1000)), Math.max(1, Math.round(t6 * 1000)), maxPayload);
  }

  /** Reassembles the fragments of a dissected batch (its timestamps drive the timeouts).
   *  The descriptor of each fragment taken gets L_FRAG_HELD, the one that completes a
   *  datagram L_REASM and the datagram's transport fields (assembly/layout.ts). Pointers
   *  into the output area hold until the next call. Returns datagrams completed. */
  process(batch: FrameBatch, opts = 0): number {
    return this.core.reasm_batch(this.region, batch.table, batch.descs, batch.times, batch.count, opts) >>> 0;
  }

  /** Moves the clock without frames (a quiet live capture): expires what is due. */
  expire(sec: number, nsec = 0): void {
    this.core.reasm_expire(this.region, sec >>> 0, nsec >>> 0);
  }

  /** Drops every datagram in progress (end of a capture); counted in `flushed`. */
  flush(): void {
    this.core.reasm_flush(this.region);
  }

  /** Bytes of the output area the last batch used. */
  get outputUsed(): number {
    return this.engine.views.refresh().u32[(this.region + RH_OUT_USED) >>> 2];
  }

  stats(): ReassemblerStats {
    const v = this.engine.views.refresh();
    const r = this.region;
    const s = {} as ReassemblerStats;
    for (const [k, off] of STAT_FIELDS) s[k] = v.f64[(r + off) >>> 3];
    s.inProgress = v.u32[(r + RH_LIVE) >>> 2];
    s.bytesHeld = v.u32[(r + RH_BLOCKS_USED) >>> 2] * REASM_BLOCK;
    s.maxDatagrams = v.u32[(r + RH_CAPACITY) >>> 2];
    s.maxBytes = v.u32[(r + RH_BLOCK_COUNT) >>> 2] * REASM_BLOCK;
    return s;
  }
}
