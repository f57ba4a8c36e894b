// The export surface of assembly/ring.ts: the WASM functions and RingTwin share these
// signatures over the same shared memory (rings, frame tables and slots by address).
import { exportNames, type Structure } from '../engine/backend.js';
import { RingTwin } from './twin.js';

export interface RingExports {
  ring_init(r: number, slots: number, count: number, size: number): void;
  ring_free_count(r: number): number;
  ring_count(r: number): number;
  ring_enqueue_frames(r: number, table: number, times: number, count: number): number;
  ring_slot_for_write(r: number, i: number): number;
  ring_publish(r: number, n: number): void;
  ring_add_drops(r: number, n: number): void;
  ring_peek_frames(r: number, table: number, times: number, max: number): number;
  ring_slot_for_read(r: number, i: number): number;
  ring_release(r: number, n: number): void;
  ring_close(r: number): void;
  ring_is_closed(r: number): number;
  ring_enqueue_burst(r: number, src: number, count: number): number;
  ring_dequeue_burst(r: number, dst: number, max: number): number;
}

export const RING_EXPORTS = exportNames<RingExports>()([
  'ring_init', 'ring_free_count', 'ring_count', 'ring_enqueue_frames', 'ring_slot_for_write', 'ring_publish',
  'ring_add_drops', 'ring_peek_frames', 'ring_slot_for_read', 'ring_release', 'ring_close', 'ring_is_closed',
  'ring_enqueue_burst', 'ring_dequeue_burst',
]);

/** The frame ring, for exportsOf(engine, RING). */
export const RING: Structure<RingExports> = {
  name: 'ring', exports: RING_EXPORTS, twin: (engine) => new RingTwin(engine.views),
};
