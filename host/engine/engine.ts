// createEngine(): the shared memory, its arena, and one backend (WASM or the pure-TS
// twin) behind one API. Several engines may share a memory, on one thread or across
// worker_threads (pass `memory` and `module` from the first one).
import { Arena } from '../runtime/arena.js';
import { FrameBatch } from './frame-batch.js';
import { ChecksumTwin } from '../checksum/twin.js';
import { CHECKSUM_EXPORTS, DISSECT_EXPORTS, pickExports, type EngineCore } from './exports.js';
import { decodeView, type DecodedPacket } from '../dissect/decode.js';
import { DissectTwin } from '../dissect/twin.js';
import { PktError } from '../runtime/errors.js';
import { DESC_SIZE, LINKTYPE_ETHERNET } from '../runtime/layout.js';
import { createSharedMemory, MemoryViews, type MemoryOptions } from '../runtime/memory.js';
import { PacketView } from '../dissect/packet-view.js';
import { compileEngineModule, instantiateEngine, type WasmExports, type WasmFlavour } from '../runtime/wasm-module.js';

export type Backend = 'wasm' | 'ts';

export interface EngineOptions extends MemoryOptions {
  backend?: Backend;
  /** Share an existing memory (another engine's, or one received by a worker). */
  memory?: WebAssembly.Memory;
  /** A compiled module to instantiate (saves compiling again in a worker). */
  module?: WebAssembly.Module;
  /** 'debug' loads the debug build (bounds assertions on). */
  flavour?: WasmFlavour;
}

const SCRATCH_BYTES = 256 * 1024;

export class Engine {
  readonly backend: Backend;
  readonly memory: WebAssembly.Memory;
  readonly views: MemoryViews;
  readonly arena: Arena;
  /** The backend's raw exports: the same signatures for both backends. */
  readonly core: EngineCore;
  /** The WASM instance's exports (also present for the 'ts' backend, for other rooms). */
  readonly wasm: WasmExports;
  readonly module: WebAssembly.Module;
  private scratch = 0;
  private scratchBytes = 0;
  private scratchDesc = 0;
  private readonly scratchView: PacketView;

  constructor(opts: EngineOptions = {}) {
    this.backend = opts.backend ?? 'wasm';
    if (this.backend !== 'wasm' && this.backend !== 'ts') {
      throw new PktError('E_BAD_ARGUMENT', `engine: unknown backend "${String(this.backend)}" (wasm or ts)`);
    }
    this.memory = opts.memory ?? createSharedMemory(opts);
    this.views = new MemoryViews(this.memory);
    this.arena = new Arena(this.views);
    this.module = opts.module ?? compileEngineModule(opts.flavour);
    this.wasm = instantiateEngine(this.memory, this.module);
    if (this.backend === 'wasm') {
      this.core = pickExports<EngineCore>(this.wasm, [...CHECKSUM_EXPORTS, ...DISSECT_EXPORTS]);
    } else {
      const cks = new ChecksumTwin(this.views);
      const dis = new DissectTwin(this.views, cks);
      // Bind every method so the twin can be called as free functions, like WASM exports.
      const core: Record<string, unknown> = {};
      for (const n of CHECKSUM_EXPORTS) core[n] = (cks[n] as (...a: number[]) => number).bind(cks);
      for (const n of DISSECT_EXPORTS) core[n] = (dis[n] as (...a: number[]) => number).bind(dis);
      this.core = core as unknown as EngineCore;
    }
    this.scratchView = new PacketView(this.views);
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
    }
    this.views.refresh().u8.set(bytes, this.scratch);
    return this.scratch;
  }

  /** Internet checksum (RFC 1071) of a buffer outside the shared memory. */
  checksum(bytes: Uint8Array): number {
    const p = this.toScratch(bytes);
    return this.core.cksum_compute(p, bytes.length);
  }

  /** Dissects one frame and returns it as a Wireshark-shaped object (allocates: not for hot loops). */
  decode(bytes: Uint8Array, linktype = LINKTYPE_ETHERNET, wirelen = bytes.length, opts = 0): DecodedPacket {
    const p = this.toScratch(bytes);
    this.core.dissect_frame(p, bytes.length, wirelen, linktype, this.scratchDesc, opts);
    const v = this.scratchView.set(this.scratchDesc, p);
    return decodeView(v, this.views.u8, p);
  }

  /** Decodes frame i of an already dissected batch. */
  decodeAt(batch: FrameBatch, i: number): DecodedPacket {
    const v = this.scratchView.at(batch, i);
    return decodeView(v, this.views.refresh().u8, v.frame);
  }
}

export function createEngine(opts: EngineOptions = {}): Engine {
  return new Engine(opts);
}
