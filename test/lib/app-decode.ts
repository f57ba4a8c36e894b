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
