// createEngine(): the shared memory, its arena, and one backend (WASM or the pure-TS
// twin) behind one API. Several engines may share a memory, on one thread or across
// worker_threads (pass `memory` and `module` from the first one). Each structure's
// exports come from the one switch, exportsOf(engine, STRUCTURE) in ./backend.ts; the
// WASM module is compiled and instantiated only when something asks for it, so a 'ts'
// engine runs without build/pktwasm.wasm.
import { Arena } from '../runtime/arena.js';
import { FrameBatch } from './frame-batch.js';
import { exportsOf, type Backend } from './backend.js';
import { CHECKSUM, type ChecksumExports } from '../checksum/exports.js';
import { checksumSmall, SMALL_CHECKSUM_BYTES } from '../checksum/small.js';
import { DISSECT, type DissectExports } from '../dissect/exports.js';
import { decodeView, type DecodedPacket } from '../dissect/decode.js';
import { APP } from '../app/exports.js';
import { APP_SIZE } from '../app/app-layout.js';
import { PktError } from '../runtime/errors.js';
import { DESC_SIZE, DF_APP, LINKTYPE_ETHERNET } from '../runtime/layout.js';
import { createSharedMemory, MemoryViews, type MemoryOptions } from '../runtime/memory.js';
import { PacketView } from '../dissect/packet-view.js';
import { compileEngineModule, instantiateEngine, type WasmExports, type WasmFlavour } from '../runtime/wasm-module.js';

export type { Backend };

/** Options of createEngine(): the backend, and a memory and module to share with another engine. */
export interface EngineOptions extends MemoryOptions {
  /** 'wasm' (the default) or 'ts'. */
  backend?: Backend;
  /** Share an existing memory (another engine's, or one received by a worker). */
  memory?: WebAssembly.Memory;
  /** A compiled module to instantiate (saves compiling again in a worker). */
  module?: WebAssembly.Module;
  /** 'debug' loads the debug build (bounds assertions on). */
  flavour?: WasmFlavour;
}

/** The checksum and dissect exports of the engine's backend, the ones the engine itself calls. */
export type EngineCore = ChecksumExports & DissectExports;

const SCRATCH_BYTES = 256 * 1024;

/** The shared memory, its arena and one backend: makes batches and views, dissects, decodes and
 *  checksums; every structure (FlowTable, Lpm4, TimerWheel ...) is built on an Engine. */
export class Engine {
  // `declare`d fields are stored by the constructor only (an emitted ES2022 class field is
  // defined as undefined first, and V8 then stops treating it as constant in the callers'
  // hot loops: host/lpm/lpm4.ts). The scratch and checksum fields change later.
  /** 'wasm' or 'ts'. */
  declare readonly backend: Backend;
  /** The shared memory every structure of this engine lives in. */
  declare readonly memory: WebAssembly.Memory;
  /** Typed-array views over `memory`, refreshed after it grows. */
  declare readonly views: MemoryViews;
  /** The allocator that carves regions out of `memory`. */
  declare readonly arena: Arena;
  /** exportsOf(this, CHECKSUM) and exportsOf(this, DISSECT) in one object: the same
   *  signatures on both backends. */
  declare readonly core: EngineCore;
  private declare readonly flavour: WasmFlavour | undefined;
  private declare compiled: WebAssembly.Module | undefined;
  private declare instance: WasmExports | undefined;
  private declare scratch: number;
  private declare scratchBytes: number;
  private declare scratchDesc: number;
  private declare scratchApp: number;
  private declare readonly scratchView: PacketView;
  // checksum()'s memo of the last buffer it was given (see there).
  private declare lastBytes: Uint8Array | null;
  private declare lastAt: number;
  private declare viewsU8: Uint8Array | null;
  private declare viewsBuffer: ArrayBufferLike | null;

  constructor(opts: EngineOptions = {}) {
    this.backend = opts.backend ?? 'wasm';
    if (this.backend !== 'wasm' && this.backend !== 'ts') {
      throw new PktError('E_BAD_ARGUMENT', `engine: unknown backend "${String(this.backend)}" (wasm or ts)`);
    }
    this.flavour = opts.flavour;
    this.compiled = opts.module;
    this.instance = undefined;
    this.scratch = 0;
    this.scratchBytes = 0;
    this.scratchDesc = 0;
    this.scratchApp = 0;
    this.lastBytes = null;
    this.lastAt = -1;
    this.viewsU8 = null;
    this.viewsBuffer = null;
    this.memory = opts.memory ?? createSharedMemory(opts);
    this.views = new MemoryViews(this.memory);
    this.arena = new Arena(this.views);
    // A 'wasm' engine loads its module now, so that a missing build fails here, once.
    if (this.backend === 'wasm') this.loadWasm();
    this.core = { ...exportsOf(this, CHECKSUM), ...exportsOf(this, DISSECT) };
    this.scratchView = new PacketView(this.views);
  }

  /** The compiled WASM module, once this engine has one (always, on the 'wasm' backend):
   *  post it to workers so that they need not compile it again. */
  get module(): WebAssembly.Module | undefined {
    return this.compiled;
  }

  /** The raw exports of this engine's WASM instance on its memory, instantiated on first
   *  use (a 'ts' engine never needs it); a PktError E_NOT_FOUND if the .wasm is missing.
   *  Structures take their typed part of it with exportsOf(engine, STRUCTURE). */
  get wasm(): WasmExports {
    return this.instance ?? this.loadWasm();
  }

  private loadWasm(): WasmExports {
    this.compiled ??= compileEngineModule(this.flavour);
    this.instance = instantiateEngine(this.memory, this.compiled);
    return this.instance;
  }

  /** A batch with room for `capacity` frames (and `dataBytes` of copied frame data). */
  createBatch(capacity: number, dataBytes?: number): FrameBatch {
    return new FrameBatch(this.arena, capacity, dataBytes);
  }

  /** Dissects every frame of the batch; returns how many carry errors (snaplen aside). */
  dissect(batch: FrameBatch, opts = 0): number {
    return this.core.dissect_batch(batch.table, batch.count, batch.descs, opts);
  }

  /** A reusable zero-allocation view; point it with `at(batch, i)`. */
  createView(): PacketView {
    return new PacketView(this.views);
  }

  /** Copies bytes into the engine's scratch region and returns their address. */
  private toScratch(bytes: Uint8Array): number {
    if (bytes.length > this.scratchBytes) {
      this.scratchBytes = Math.max(SCRATCH_BYTES, bytes.length);
      this.scratch = this.arena.alloc(this.scratchBytes);
      this.scratchDesc = this.arena.alloc(DESC_SIZE);
      this.scratchApp = this.arena.alloc(APP_SIZE);
    }
    this.views.refresh().u8.set(bytes, this.scratch);
    return this.scratch;
  }

  /** Internet checksum (RFC 1071) of any buffer (one outside the shared memory is copied in). */
  checksum(bytes: Uint8Array): number {
    if (bytes !== this.lastBytes) this.place(bytes);
    // A view into the engine's own memory (made from engine.views) is summed in place:
    // no copy, which is most of the cost of a call on a small buffer.
    if (this.lastAt >= 0) return this.core.cksum_compute(this.lastAt, bytes.length);
    // A small buffer of its own: summing it in JS costs less than the copy and the call.
    if (bytes.length <= SMALL_CHECKSUM_BYTES) return checksumSmall(bytes);
    return this.core.cksum_compute(this.toScratch(bytes), bytes.length);
  }

  /** Where checksum()'s buffer lies: its address when it views the engine's memory, else -1.
   *  Reading a typed array's .buffer or .byteOffset is a runtime call in Node 20's V8 (10-15
   *  ns each, four times the WASM call at 64 B), and neither ever changes for a given
   *  array, so the answer for the last array is kept and a caller that checksums the same
   *  buffer or view again (a reused output buffer) pays neither. The memory's own buffer
   *  is read again only when the views were re-made (after growth). */
  private place(bytes: Uint8Array): void {
    const u8 = this.views.u8;
    if (u8 !== this.viewsU8) {
      this.viewsU8 = u8;
      this.viewsBuffer = u8.buffer;
    }
    this.lastBytes = bytes;
    this.lastAt = bytes.buffer === this.viewsBuffer ? bytes.byteOffset : -1;
  }

  /** Dissects one frame and returns it as a Wireshark-shaped object (allocates: not for hot loops). */
  decode(bytes: Uint8Array, linktype = LINKTYPE_ETHERNET, wirelen = bytes.length, opts = 0): DecodedPacket {
    const p = this.toScratch(bytes);
    // The application layer too (DF_APP), into the scratch record bound to the scratch descriptor.
    exportsOf(this, APP).app_bind(this.scratchDesc, this.scratchApp, 1);
    this.core.dissect_frame(p, bytes.length, wirelen, linktype, this.scratchDesc, opts | DF_APP);
    const v = this.scratchView.set(this.scratchDesc, p);
    return decodeView(v, this.views.u8, p, this.scratchApp);
  }

  /** Decodes frame i of an already dissected batch. */
  decodeAt(batch: FrameBatch, i: number): DecodedPacket {
    const v = this.scratchView.at(batch, i);
    return decodeView(v, this.views.refresh().u8, v.frame, v.app === 0 ? undefined : v.app);
  }
}

/** A new engine on a new shared memory, or on `opts.memory` to share one (across worker threads too). */
export function createEngine(opts: EngineOptions = {}): Engine {
  return new Engine(opts);
}
