// --json's batch line writer around json_lines() (./exports.ts: assembly/json/lines.ts in
// WASM, ./twin.ts in TS): one call per run of a batch's frames appends their lines to an
// output region of the shared memory, which is written to the descriptor from there (no
// copy) when it fills and after each batch. A frame the module declines (a dissection
// error, a tunnel, ICMP, an application object other than DNS, TLS and HTTP, a name that
// needs escaping ...) is written by the TS writer (../json-format.ts), the module's oracle,
// into a scratch buffer whose bytes are appended to the region; the module goes on after
// it. Lines keep their order, and every frame's bytes are the TS writer's
// (test/json-wasm-twin.test.ts).
import type { Engine } from '../../engine/engine.js';
import type { FrameBatch } from '../../engine/frame-batch.js';
import type { PacketView } from '../../dissect/packet-view.js';
import type { OutputBuffer } from '../output-buffer.js';
import { exportsOf, type Backend } from '../../engine/backend.js';
import { JSON_LINES, type JsonLinesExports } from './exports.js';
import { TextBuffer } from '../text/buffer.js';
import { writeAll } from '../write-all.js';
import { writeJsonPacket } from '../json-format.js';
import { JL_CAP, JL_LEN, JL_STOP, JL_OUT, JL_STATE_SIZE, JL_TAIL, JL_DECLINED } from './json-layout.js';
import { DESC_SIZE, FRAME_SIZE, FRAME_W_PTR, TIME_SIZE, TIME_W_NSEC, TIME_W_SEC } from '../../runtime/layout.js';
import { APP_SIZE } from '../../app/app-layout.js';

/** The output region: above the most one frame can need (an HTTP head of 64 KiB strings). */
const OUT_BYTES = 1 << 20;

export class WasmJsonLines {
  private readonly fn: JsonLinesExports['json_lines'];
  private readonly engine: Engine;
  /** The state region: JL_* words, then the output from JL_OUT. */
  private readonly state: number;
  /** The TS writer's line for a declined frame, before it joins the region. */
  private readonly scratch = new TextBuffer(-1, 1 << 16);
  /** The output room, less the module's scratch tail (which lines never reach). */
  private readonly room: number;
  /** Frames the module declined so far (written by the TS writer). */
  declined = 0;

  /** `outBytes`: the output region's size (smaller in tests, to make it fill); `backend`:
   *  the module's json_lines() or its twin's (the engine's by default). */
  constructor(engine: Engine, outBytes = OUT_BYTES, backend: Backend = engine.backend) {
    this.engine = engine;
    this.fn = exportsOf(engine, JSON_LINES, backend).json_lines;
    if (outBytes < 2 * JL_TAIL) throw new RangeError(`json lines: an output region of ${outBytes} bytes (at least ${2 * JL_TAIL})`);
    this.room = outBytes - JL_TAIL;
    this.state = engine.arena.alloc(JL_STATE_SIZE + outBytes);
    const u32 = engine.views.refresh().u32;
    u32[(this.state + JL_CAP) >>> 2] = outBytes;
    u32[(this.state + JL_LEN) >>> 2] = 0;
  }

  /**
   * Appends the lines of the batch's frames that `keep` keeps (its address in the shared
   * memory, or 0 for all), frame i numbered firstNumber + i; `m` a Buffer over the whole
   * shared memory. The bytes stay in the region until it fills or drain() is called.
   */
  writeBatch(batch: FrameBatch, view: PacketView, m: Buffer, keep: number, firstNumber: number, out: OutputBuffer): void {
    const st = this.state;
    const u32 = this.engine.views.u32;
    let i = 0;
    while (i < batch.count) {
      i = this.fn(st, batch.descs, batch.table, batch.times, batch.apps, keep, i, batch.count, firstNumber);
      if (i >= batch.count) break;
      if (u32[(st + JL_STOP) >>> 2] !== JL_DECLINED) { this.drain(m, out); continue; } // full
      const t = (batch.times + i * TIME_SIZE) >>> 2;
      view.desc = batch.descs + i * DESC_SIZE;
      view.frame = u32[((batch.table + i * FRAME_SIZE) >>> 2) + FRAME_W_PTR];
      view.app = batch.apps === 0 ? 0 : batch.apps + i * APP_SIZE;
      const s = this.scratch;
      s.pos = 0;
      writeJsonPacket(s, view, m, u32[t + TIME_W_SEC], u32[t + TIME_W_NSEC], firstNumber + i);
      this.declined++;
      if (u32[(st + JL_LEN) >>> 2] + s.pos > this.room) this.drain(m, out);
      if (s.pos > this.room) {
        out.bytes(s.buf.subarray(0, s.pos)); // a line larger than the region (drained above)
      } else {
        const len = u32[(st + JL_LEN) >>> 2];
        m.set(s.buf.subarray(0, s.pos), st + JL_OUT + len);
        u32[(st + JL_LEN) >>> 2] = len + s.pos;
      }
      i++;
    }
  }

  /** Hands the region's bytes on: written to `out`'s descriptor from the shared memory
   *  (after what `out` holds), or copied into `out` when it has none (in-memory). */
  drain(m: Buffer, out: OutputBuffer): void {
    const u32 = this.engine.views.u32;
    const len = u32[(this.state + JL_LEN) >>> 2];
    if (len === 0) return;
    if (out.fd >= 0) {
      out.flush();
      writeAll(out.fd, m, this.state + JL_OUT, len);
      out.written += len;
    } else {
      out.copyFrom(m, this.state + JL_OUT, len);
    }
    u32[(this.state + JL_LEN) >>> 2] = 0;
  }
}
