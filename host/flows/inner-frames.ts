// The inner packets of a dissected batch's tunnel frames (issue #15) as a batch of their
// own, for the flow table: tshark's conversation tables count a tunnelled TCP/UDP packet in
// its inner conversation as well as in the outer one (VXLAN's UDP, say), with the length of
// the whole frame. Each tunnel frame (L_TUNNEL with an inner link type, assembly/layout.ts)
// gives one inner frame: its bytes from D_INNER_OFF (at most D_INNER_LEN), its link type,
// the outer frame's timestamp; once dissected, its descriptor's wire length is set to the
// outer frame's, which is what the flow table counts. Inner tunnels are followed the same
// way, to tunnelDepth() levels (host/dissect/tunnel-depth.ts).
import type { Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import {
  D_CAPLEN, D_INNER_LEN, D_INNER_LINKTYPE, D_INNER_OFF, D_LAYERS, D_REASM_LEN, D_REASM_PTR, D_WIRELEN, L_REASM, L_TUNNEL,
} from '../runtime/layout.js';
import { tunnelDepth } from '../dissect/tunnel-depth.js';


export class InnerFrames {
  private readonly engine: Engine;
  private readonly levels: FrameBatch[] = [];
  private readonly wire: Uint32Array[] = [];
  private readonly capacity: number;
  private readonly bytes: number;

  /** `capacity` frames and `bytes` of frame data per level (an inner packet that does not
   *  fit in what is left is cut, as by a snaplen). */
  constructor(engine: Engine, capacity = 256, bytes = capacity * 2048) {
    this.engine = engine;
    this.capacity = capacity;
    this.bytes = bytes;
  }

  /** Level `depth`'s batch, made when a first tunnel frame needs it: a capture without
   *  tunnels costs no memory (half a megabyte a level; issue #19). */
  private batchAt(depth: number): FrameBatch {
    while (this.levels.length <= depth) {
      this.levels.push(this.engine.createBatch(this.capacity, this.bytes));
      this.wire.push(new Uint32Array(this.capacity));
    }
    return this.levels[depth];
  }

  /** Calls `fn` with each dissected batch of inner frames of `batch` (outermost level
   *  first, several calls when a level holds more than the capacity). */
  forEach(batch: FrameBatch, fn: (inner: FrameBatch) => void): void {
    this.level(batch, 0, fn);
  }

  private level(src: FrameBatch, depth: number, fn: (inner: FrameBatch) => void): void {
    if (depth >= tunnelDepth()) return;
    let out: FrameBatch | null = null;
    let wire: Uint32Array | null = null;
    const emit = (): void => {
      if (out === null || wire === null || out.count === 0) return;
      this.engine.dissect(out);
      const u32 = this.engine.views.refresh().u32;
      for (let k = 0; k < out.count; k++) u32[(out.descAt(k) + D_WIRELEN) >>> 2] = wire[k];
      fn(out);
      this.level(out, depth + 1, fn);
      out.clear();
    };
    let views = this.engine.views.refresh();
    for (let i = 0; i < src.count; i++) {
      const d = src.descAt(i);
      if ((views.u32[(d + D_LAYERS) >>> 2] & L_TUNNEL) === 0) continue;
      const linktype = views.u16[(d + D_INNER_LINKTYPE) >>> 1];
      if (linktype === 0) continue;
      const off = views.u16[(d + D_INNER_OFF) >>> 1];
      const len = views.u32[(d + D_INNER_LEN) >>> 2];
      // A reassembled tunnel datagram (L_REASM): the offsets count from the datagram.
      const reasm = (views.u32[(d + D_LAYERS) >>> 2] & L_REASM) !== 0;
      const have = reasm ? views.u32[(d + D_REASM_LEN) >>> 2] : views.u32[(d + D_CAPLEN) >>> 2];
      const cap = Math.min(have - off, len);
      if (!(cap > 0)) continue;
      const f = reasm ? views.u32[(d + D_REASM_PTR) >>> 2] : src.framePtr(i);
      const bytes = views.u8.slice(f + off, f + off + cap);
      if (out === null || wire === null) {
        out = this.batchAt(depth);
        wire = this.wire[depth];
        out.clear();
        views = this.engine.views.refresh(); // making a batch may have grown the memory
      }
      if (out.count === this.capacity || !out.push(bytes, linktype, len)) {
        emit();
        views = this.engine.views.refresh();
        if (!out.push(bytes, linktype, len)) continue;
      }
      const k = out.count - 1;
      out.setTime(k, src.timeSec(i), src.timeNsec(i));
      wire[k] = views.u32[(d + D_WIRELEN) >>> 2];
    }
    emit();
  }
}
