// The application area of a batch: APP_SIZE bytes per frame in the engine's arena, record
// i for frame i, filled by dissection with DF_APP. dissectApp() binds it and dissects.
import type { Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import { exportsOf } from '../engine/backend.js';
import { PktError } from '../runtime/errors.js';
import { DF_APP } from '../runtime/layout.js';
import { APP_SIZE } from './app-layout.js';
import { APP } from './exports.js';

export class AppArea {
  /** Address of record 0. */
  readonly base: number;
  readonly capacity: number;

  constructor(engine: Engine, capacity: number) {
    if (capacity <= 0 || !Number.isInteger(capacity)) throw new PktError('E_BAD_ARGUMENT', `app area: bad capacity ${capacity}`);
    this.capacity = capacity;
    this.base = engine.arena.alloc(capacity * APP_SIZE);
  }

  /** Address of record i. */
  recordAt(i: number): number {
    return this.base + i * APP_SIZE;
  }
}

/** Dissects every frame of the batch, L2-L4 into its descriptors and the application layer
 *  into `area` (which must hold batch.count records); returns what engine.dissect returns. */
export function dissectApp(engine: Engine, batch: FrameBatch, area: AppArea, opts = 0): number {
  if (batch.count > area.capacity) throw new PktError('E_BAD_ARGUMENT', `app area: ${batch.count} frames, room for ${area.capacity}`);
  exportsOf(engine, APP).app_bind(batch.descs, area.base, batch.count);
  batch.apps = area.base;
  return engine.dissect(batch, opts | DF_APP);
}
