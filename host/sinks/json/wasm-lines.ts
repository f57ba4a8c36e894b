// The WASM side of --json's line writer (assembly/json/lines.ts): one call per run of a
// batch's frames writes their lines into a region of the shared memory, which is then
// copied to the sink's output. A frame the module declines (json-layout's JL_DECLINED:
// a dissection error, a tunnel, ICMP, a TLS or other application object, a string that
// needs escaping ...) is written by the TS writer (../json-format.ts), its twin and
// oracle, and the module goes on after it: lines keep their order, and the bytes are the
// TS writer's for every frame (test/json-wasm-twin.test.ts).
import type { Engine } from '../../engine/engine.js';
import type { FrameBatch } from '../../engine/frame-batch.js';
import { pickExports } from '../../engine/backend.js';
import { JL_CAP, JL_LEN, JL_STOP, JL_OUT, JL_STATE_SIZE, JL_DONE, JL_DECLINED } from './json-layout.js';

interface LineExports {
  json_lines(st: number, descs: number, table: number, times: number, apps: number, keep: number, from: number, count: number, firstNumber: number): number;
}

/** Output room per call: above the most a frame can need (an HTTP head of 64 KiB strings). */
const OUT_BYTES = 1 << 20;

/** Where a run of frames stopped, and why (JL_DONE, JL_FULL or JL_DECLINED). */
export interface LineRun { next: number; stop: number }

export class WasmJsonLines {
  private readonly fn: LineExports['json_lines'];
  private readonly engine: Engine;
  /** The state region: JL_* words, then the output from JL_OUT. */
  readonly state: number;
  private readonly run: LineRun = { next: 0, stop: JL_DONE };

  constructor(engine: Engine) {
    this.engine = engine;
    this.fn = pickExports<LineExports>(engine.wasm, ['json_lines'], 'json').json_lines;
    this.state = engine.arena.alloc(JL_STATE_SIZE + OUT_BYTES);
    this.engine.views.refresh().u32[(this.state + JL_CAP) >>> 2] = OUT_BYTES;
  }

  /** The first output byte's address; lines(...) wrote `length` bytes from there. */
  get out(): number { return this.state + JL_OUT; }

  /** Bytes the last call wrote from `out`. */
  get length(): number { return this.engine.views.u32[(this.state + JL_LEN) >>> 2]; }

  /** Writes frames `from` .. `batch.count - 1` (those `keep` keeps: its address, or 0 for all)
   *  until done, out of room or at a frame it declines; the result is reused. */
  lines(batch: FrameBatch, keep: number, from: number, firstNumber: number): LineRun {
    const next = this.fn(this.state, batch.descs, batch.table, batch.times, batch.apps, keep, from, batch.count, firstNumber);
    const r = this.run;
    r.next = next;
    r.stop = this.engine.views.refresh().i32[(this.state + JL_STOP) >>> 2];
    return r;
  }
}

export { JL_DONE, JL_DECLINED };
