// json_lines() in TypeScript (assembly/json/lines.ts's twin, same state region and
// contract): each line is the TS writer's (../json-format.ts), copied into the region. It
// declines nothing the module would write; it stops JL_FULL when a line does not fit after
// others, and JL_DECLINED for a line larger than the whole region (the host writes that one
// straight out).
import type { Engine } from '../../engine/engine.js';
import type { MemoryViews } from '../../runtime/memory.js';
import type { PacketView } from '../../dissect/packet-view.js';
import { TextBuffer } from '../text/buffer.js';
import { writeJsonPacket } from '../json-format.js';
import { JL_CAP, JL_LEN, JL_STOP, JL_OUT, JL_TAIL, JL_DONE, JL_FULL, JL_DECLINED } from './json-layout.js';
import { DESC_SIZE, FRAME_SIZE, FRAME_W_PTR, TIME_SIZE, TIME_W_NSEC, TIME_W_SEC } from '../../runtime/layout.js';
import { APP_SIZE } from '../../app/app-layout.js';

export class JsonLinesTwin {
  private readonly views: MemoryViews;
  private readonly view: PacketView;
  private readonly line = new TextBuffer(-1, 1 << 16);

  constructor(engine: Engine) {
    this.views = engine.views;
    this.view = engine.createView();
  }

  json_lines(st: number, descs: number, table: number, times: number, apps: number, keep: number, from: number, count: number, firstNumber: number): number {
    const v = this.views.refresh();
    const { u8, u32 } = v;
    const room = u32[(st + JL_CAP) >>> 2] - JL_TAIL;
    let len = u32[(st + JL_LEN) >>> 2];
    let stop = JL_DONE;
    let i = from;
    for (; i < count; i++) {
      if (keep !== 0 && u8[keep + i] === 0) continue;
      const view = this.view;
      view.desc = descs + i * DESC_SIZE;
      view.frame = u32[((table + i * FRAME_SIZE) >>> 2) + FRAME_W_PTR];
      view.app = apps === 0 ? 0 : apps + i * APP_SIZE;
      const t = (times + i * TIME_SIZE) >>> 2;
      const s = this.line;
      s.pos = 0;
      writeJsonPacket(s, view, u8, u32[t + TIME_W_SEC], u32[t + TIME_W_NSEC], (firstNumber >>> 0) + i);
      if (len + s.pos > room) { stop = len === 0 ? JL_DECLINED : JL_FULL; break; }
      u8.set(s.buf.subarray(0, s.pos), st + JL_OUT + len);
      len += s.pos;
    }
    u32[(st + JL_LEN) >>> 2] = len;
    u32[(st + JL_STOP) >>> 2] = stop;
    return i;
  }
}
