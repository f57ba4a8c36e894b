// Decodes the application layer of each frame of a capture with one backend: the frame is
// dissected with DF_APP into an app record bound to its descriptor, and `read` turns the
// record into what the test compares (a decoder's object), while the frame is in place.
import { createEngine, type Engine } from '../../host/engine/engine.js';
import { exportsOf } from '../../host/engine/backend.js';
import { APP } from '../../host/app/exports.js';
import { DISSECT } from '../../host/dissect/exports.js';
import { APP_SIZE } from '../../host/app/app-layout.js';
import { DESC_SIZE, DF_APP } from '../../host/runtime/layout.js';
import type { CaptureRecord } from '../../host/sources/capture-file.js';
import type { PacketView } from '../../host/dissect/packet-view.js';
import { AppArea, dissectApp } from '../../host/app/app-area.js';
import * as assert from 'uvu/assert';

export type AppReader<T> = (u8: Uint8Array, frame: number, rec: number) => T | undefined;

export class AppDecoder {
  readonly engine: Engine;
  private readonly desc: number;
  private readonly app: number;
  private buf = 0;
  private bufLen = 0;

  constructor(backend: 'wasm' | 'ts') {
    this.engine = createEngine({ backend });
    this.desc = this.engine.arena.alloc(DESC_SIZE);
    this.app = this.engine.arena.alloc(APP_SIZE);
  }

  /** What `read` makes of frame `data`'s app record. */
  decode<T>(data: Uint8Array, linktype: number, wirelen: number, read: AppReader<T>): T | undefined {
    const e = this.engine;
    if (data.length > this.bufLen) {
      this.bufLen = Math.max(data.length, 65536);
      this.buf = e.arena.alloc(this.bufLen);
    }
    e.views.refresh().u8.set(data, this.buf);
    exportsOf(e, APP).app_bind(this.desc, this.app, 1);
    exportsOf(e, DISSECT).dissect_frame(this.buf, data.length, wirelen, linktype, this.desc, DF_APP);
    return read(e.views.refresh().u8, this.buf, this.app);
  }

  all<T>(records: CaptureRecord[], read: AppReader<T>): Array<T | undefined> {
    return records.map((r) => this.decode(r.data, r.linktype, r.wirelen, read));
  }
}

/**
 * Dissects `frames` with their app records on a new engine of `backend`, `per` frames a
 * batch (as the sniffer's text sink sees them), and calls `visit` for each frame in order
 * with its view (at the frame's descriptor), the engine's memory and its app record.
 */
export function eachAppFrame(backend: 'wasm' | 'ts', frames: ReadonlyArray<{ data: Uint8Array; linktype: number; wirelen: number }>, per: number,
  visit: (view: PacketView, u8: Uint8Array, rec: number) => void): void {
  const e = createEngine({ backend });
  const batch = e.createBatch(per, per * 2048);
  const area = new AppArea(e, per);
  const view = e.createView();
  for (let at = 0; at < frames.length; at += per) {
    batch.clear();
    for (const fr of frames.slice(at, at + per)) assert.ok(batch.push(fr.data, fr.linktype, fr.wirelen), 'batch room');
    dissectApp(e, batch, area);
    const u8 = e.views.refresh().u8;
    for (let i = 0; i < batch.count; i++) {
      view.at(batch, i);
      visit(view, u8, area.recordAt(i));
    }
  }
}
