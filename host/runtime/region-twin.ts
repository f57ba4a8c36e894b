// The base of the pure-TS twins that run a structure's region in the shared memory (the
// flow table, the reassembler): aligned typed views over the memory, refreshed once per
// exported call that may touch grown memory, the region's u32 header words and its f64
// counters, and the key of the frame being processed (IPv4 or IPv6 addresses as four
// words each), which lives in fields as it lives in WASM globals.
import type { MemoryViews } from './memory.js';

export abstract class RegionTwin {
  protected readonly views: MemoryViews;
  protected m8!: Uint8Array;
  protected m16!: Uint16Array;
  protected m32!: Uint32Array;
  protected f64!: Float64Array;
  protected kVer = 0;
  protected kProto = 0;
  protected kS0 = 0; protected kS1 = 0; protected kS2 = 0; protected kS3 = 0;
  protected kD0 = 0; protected kD1 = 0; protected kD2 = 0; protected kD3 = 0;

  constructor(views: MemoryViews) {
    this.views = views;
    this.sync();
  }

  /** Refreshes the views (once per exported call that may touch newly grown memory). */
  protected sync(): void {
    const v = this.views.refresh();
    this.m8 = v.u8;
    this.m16 = v.u16;
    this.m32 = v.u32;
    this.f64 = v.f64;
  }

  /** The u32 at byte `f` of the region at `t`. */
  protected h32(t: number, f: number): number { return this.m32[(t + f) >>> 2]; }
  protected set32(t: number, f: number, v: number): void { this.m32[(t + f) >>> 2] = v; }
  /** Adds one to the f64 counter at byte `f` of the region at `t`. */
  protected bump(t: number, f: number): void { this.f64[(t + f) >>> 3] += 1; }
}
