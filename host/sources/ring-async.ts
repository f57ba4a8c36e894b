// Waiting on a frame ring without blocking the thread (Atomics.waitAsync), for a producer
// and a consumer that share one thread: the library's capture() reads a file source, or
// a raw socket, on the caller's thread. FrameRing's waitForData/waitForSpace block
// (Atomics.wait) and suit a worker; these resolve on the event loop instead, woken by
// the same notifications (publish and close notify RING_HEAD while RING_WAITING is set,
// release notifies RING_TAIL while RING_SPACE_WAITING is set).
import type { FrameRing } from '../ring/frame-ring.js';
import { RING_HEAD, RING_SPACE_WAITING, RING_TAIL, RING_WAITING } from '../runtime/layout.js';

// Atomics.waitAsync (ES2024) is in every Node this package supports (>= 20), but not in
// the compiler's ES2023 library: its shape, as the standard gives it.
type WaitAsync = (i32: Int32Array, index: number, value: number, timeoutMs: number) =>
  { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

async function waitOn(i32: Int32Array, index: number, seen: number, timeoutMs: number): Promise<void> {
  const w = waitAsync(i32, index, seen, timeoutMs);
  if (!w.async) return;
  // A pending waitAsync does not keep the event loop alive; this timer does (a live
  // source whose handle is unreferenced would otherwise let the process exit mid-wait).
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([w.value, new Promise<void>((r) => { timer = setTimeout(r, timeoutMs); })]);
  clearTimeout(timer);
}

/** Resolves when the producer publishes or closes, or after `timeoutMs`. */
export async function ringData(ring: FrameRing, timeoutMs: number): Promise<void> {
  const i32 = ring.engine.views.refresh().i32;
  const head = (ring.address + RING_HEAD) >>> 2;
  const tail = (ring.address + RING_TAIL) >>> 2;
  const waiting = (ring.address + RING_WAITING) >>> 2;
  const seen = Atomics.load(i32, head);
  if (seen !== Atomics.load(i32, tail) || ring.closed) return;
  Atomics.store(i32, waiting, 1);
  try {
    // Re-check after announcing ourselves: a publish in between would go unnoticed.
    if (Atomics.load(i32, head) === seen && !ring.closed) await waitOn(i32, head, seen, timeoutMs);
  } finally {
    Atomics.store(i32, waiting, 0);
  }
}

/** Resolves when the consumer releases a slot, or after `timeoutMs`. */
export async function ringSpace(ring: FrameRing, timeoutMs: number): Promise<void> {
  const i32 = ring.engine.views.refresh().i32;
  const tail = (ring.address + RING_TAIL) >>> 2;
  const flag = (ring.address + RING_SPACE_WAITING) >>> 2;
  const seen = Atomics.load(i32, tail);
  if (ring.core.ring_free_count(ring.address) > 0) return;
  Atomics.store(i32, flag, 1);
  try {
    // Re-check after raising the flag: FrameRing.release notifies only while it is set.
    if (Atomics.load(i32, tail) === seen) await waitOn(i32, tail, seen, timeoutMs);
  } finally {
    Atomics.store(i32, flag, 0);
  }
}
