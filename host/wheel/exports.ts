// The export surface of assembly/wheel.ts: the WASM functions and WheelTwin share these
// signatures over the same shared memory (wheel regions by address; u32 results come
// back as i32 on both, callers normalise with >>> 0).
import { exportNames, type Structure } from '../engine/backend.js';
import { WheelTwin } from './twin.js';

export interface WheelExports {
  wheel_region_size(capacity: number): number;
  wheel_init(w: number, capacity: number, now: number): number;
  wheel_schedule(w: number, delay: number, id: number): number;
  wheel_cancel(w: number, h: number): number;
  wheel_reschedule(w: number, h: number, delay: number): number;
  wheel_active(w: number, h: number): number;
  wheel_expiry(w: number, h: number): number;
  wheel_id(w: number, h: number): number;
  wheel_now(w: number): number;
  wheel_count(w: number): number;
  wheel_advance(w: number, to: number, out: number, max: number): number;
  wheel_schedule_burst(w: number, delays: number, ids: number, handles: number, n: number): number;
  wheel_cancel_burst(w: number, handles: number, n: number): number;
  /** Wide handles (f64 = gen * 2^bits + index): a stale one matches again only after 2^32
   *  reuses of its node (see assembly/wheel.ts). */
  wheel_schedule_h(w: number, delay: number, id: number): number;
  wheel_cancel_h(w: number, h: number): number;
  wheel_reschedule_h(w: number, h: number, delay: number): number;
  wheel_active_h(w: number, h: number): number;
  wheel_expiry_h(w: number, h: number): number;
  wheel_id_h(w: number, h: number): number;
}

export const WHEEL_EXPORTS = exportNames<WheelExports>()([
  'wheel_region_size', 'wheel_init', 'wheel_schedule', 'wheel_cancel', 'wheel_reschedule',
  'wheel_active', 'wheel_expiry', 'wheel_id', 'wheel_now', 'wheel_count', 'wheel_advance',
  'wheel_schedule_burst', 'wheel_cancel_burst',
  'wheel_schedule_h', 'wheel_cancel_h', 'wheel_reschedule_h', 'wheel_active_h', 'wheel_expiry_h', 'wheel_id_h',
]);

/** The timer wheel, for exportsOf(engine, WHEEL). */
export const WHEEL: Structure<WheelExports> = {
  name: 'wheel', exports: WHEEL_EXPORTS, twin: (engine) => new WheelTwin(engine.views),
};
