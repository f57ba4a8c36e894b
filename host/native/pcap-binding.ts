// Loader and types of the libpcap addon (host/native/src). Loading never throws: when the
// addon was not built (no libpcap headers at install time) `loadPcapAddon()` returns null
// and `pcapAddonError()` says why, so callers can fall back to `cap` with one warning.
//
// Two drivers. 'thread' (default): a capture thread blocks in pcap_dispatch and writes the
// ring while JS runs. 'loop': no thread; libpcap's fd sits in the JS thread's libuv loop
// and the same dispatch runs there, then calls onEvent directly: one wake-up per block,
// as tcpdump, for a JS thread that is otherwise idle (the sniffer's main thread).
//
// Waking JS. The capture thread publishes RING_HEAD once per batch. A C thread cannot
// call V8's Atomics.notify, so the addon takes a callback (a napi_threadsafe_function,
// run on the thread that called start()) and calls it:
//   - EV_BATCH after a publish, only if the consumer has set RING_WAITING to 1 and no
//     earlier EV_BATCH is still queued: at most one call per batch, none while the
//     consumer is busy or polls;
//   - EV_END once, after the thread has stopped and set RF_CLOSED.
// The consumer's side of the handshake: set RING_WAITING = 1 (Atomics.store), load
// RING_HEAD again, and only sleep if it is unchanged; clear RING_WAITING when woken. The
// callback then either processes the ring itself (a consumer on the same thread, driven
// by the event loop) or calls Atomics.notify on RING_HEAD for a consumer in a worker
// sleeping in Atomics.wait. Never Atomics.wait on the thread that called start(): the
// callback would be queued behind the wait (only the wait's timeout would end it).
//
// Waking a worker without a JS hop (RING_WAITING = WAIT_FUTEX). A consumer in a worker
// can instead sleep in waitRing(): the addon sets RING_WAITING to 2 and sleeps in the
// kernel (FUTEX_WAIT) on the RING_HEAD word itself; the capture thread, seeing 2, wakes
// it with FUTEX_WAKE on that word. No thread-safe call, no event loop in between: the
// consumer runs one context switch after the block is copied. Only a capture thread of
// the addon wakes it so; other producers' Atomics.notify does not (its timeout does).
//
// Direct file mode (startDump): no ring and no consumer at all; the capture thread writes
// each packet as a pcap record to a file descriptor (tcpdump -w's shape, in one thread).
import { createRequire } from 'node:module';
import { PktError, type PktErrorCode } from '../runtime/errors.js';

export const EV_BATCH = 1;
export const EV_END = 2;
/** RING_WAITING values (host/native/src/capture.h): asleep in Atomics.wait / in waitRing. */
export const WAIT_JS = 1;
export const WAIT_FUTEX = 2;

/** pcap_direction_t values. */
export const DIRECTION = { inout: 0, in: 1, out: 2 } as const;
export type Direction = keyof typeof DIRECTION;

declare const handleBrand: unique symbol;
/** An open libpcap handle (a napi external); only the addon looks inside. */
export interface PcapHandle {
  readonly [handleBrand]: true;
}

export interface PcapHandleInfo {
  /** LINKTYPE_* value of the capture (what the slots and pcap files carry). */
  linktype: number;
  /** The DLT_* value libpcap reports. */
  dlt: number;
  /** True when timestamps are nanosecond-precise (otherwise microseconds * 1000). */
  nanosecond: boolean;
  snaplen: number;
}

export interface PcapNativeStats {
  /** pcap_stats ps_recv: packets the kernel filter accepted (Linux: including drops). */
  recv: number;
  /** ps_drop: dropped by the kernel because libpcap's buffer was full. */
  drop: number;
  /** ps_ifdrop: dropped by the interface or its driver. */
  ifdrop: number;
  /** Packets libpcap handed to the capture thread (ring drops included). */
  captured: number;
  /** Wake-ups sent so far (EV_BATCH calls and futex wakes). */
  batches: number;
  /** Direct file mode: records written to the file, and the sum of their wire lengths. */
  written: number;
  wireBytes: number;
  /** false when pcap_stats failed (then `error` says why and the pcap counters are 0). */
  ok: boolean;
  error: string;
}

export interface PcapAddress {
  family: 'inet' | 'inet6';
  addr: string;
  netmask?: string;
  broadaddr?: string;
}

export interface PcapDevice {
  name: string;
  description: string;
  /** PCAP_IF_* bits. */
  flags: number;
  addresses: PcapAddress[];
}

export const PCAP_IF_LOOPBACK = 0x1;
export const PCAP_IF_UP = 0x2;
export const PCAP_IF_RUNNING = 0x4;
export const PCAP_IF_WIRELESS = 0x8;

export interface PcapAddon {
  open(
    iface: string, snaplen: number, promisc: number, bufferSize: number, timeoutMs: number,
    immediate: number, direction: number, filter: string, nanosecond: number, injectOnly: number,
  ): PcapHandle;
  info(h: PcapHandle): PcapHandleInfo;
  /** `memory` is a Uint8Array over the whole shared memory (its base never moves).
   *  loopDriver 0: a capture thread, onEvent through a thread-safe function. 1: libpcap's
   *  fd in this thread's event loop, onEvent called directly (see src/loop.c). */
  start(h: PcapHandle, memory: Uint8Array, ring: number, ifaceIndex: number, onEvent: (ev: number) => void, loopDriver: number): void;
  /** Direct file mode: the capture thread appends each packet as a little-endian pcap
   *  record to `fd` (the caller wrote the file header, nanosecond or not as
   *  `nanosecondFile` says) and stops by itself after `limit` records (0: no limit).
   *  onEvent receives EV_END only; close `fd` after it. */
  startDump(h: PcapHandle, fd: number, nanosecondFile: number, limit: number, onEvent: (ev: number) => void): void;
  /** Puts the handle's socket into PACKET_FANOUT group `group` (0..65535), hashed by flow
   *  (both directions of a conversation to the same member). */
  joinFanout(h: PcapHandle, group: number): void;
  /** A worker's sleep on the ring at `ring`: returns when a capture thread publishes or
   *  closes, or after timeoutMs (RING_WAITING = WAIT_FUTEX). Blocks the calling thread. */
  waitRing(memory: Uint8Array, ring: number, timeoutMs: number): void;
  /** Asks the producer to stop, draining for at most drainMs first; EV_END follows (with
   *  the loop driver: before stop() returns, unless called from inside onEvent). */
  stop(h: PcapHandle, drainMs: number): void;
  /** Stops without draining if needed, joins the thread, pcap_close. Idempotent. */
  close(h: PcapHandle): void;
  stats(h: PcapHandle): PcapNativeStats;
  /** The libpcap error that stopped the thread, or "". */
  error(h: PcapHandle): string;
  /** Sends `count` frames lying back to back in `bytes`; throws E_IO (with `.sent`) on failure. */
  inject(h: PcapHandle, bytes: Uint8Array, lengths: Uint32Array, count: number): number;
  findAllDevs(): PcapDevice[];
  version(): string;
  /** Mode 0: asks for huge pages under view[byteOffset, byteOffset + byteLength); 1: has the
   *  kernel back its pages now, in one call; 2: the same on a thread of its own, returning
   *  at once (host/runtime/prefault.ts says why). False where the kernel refuses. */
  prefault(view: ArrayBufferView, byteOffset: number, byteLength: number, mode: 0 | 1 | 2): boolean;
}

const ADDON_PATH = '../../host/native/build/Release/pktwasm_pcap.node';

let cached: PcapAddon | null | undefined;
let loadError = '';

/** The addon, or null when it is not built or cannot load (see pcapAddonError()). */
export function loadPcapAddon(): PcapAddon | null {
  if (cached !== undefined) return cached;
  if (process.env.PKTWASM_NO_NATIVE) {
    loadError = 'disabled by PKTWASM_NO_NATIVE';
    cached = null;
    return cached;
  }
  try {
    // Resolved from host/native/ (where this file compiles to) to the node-gyp output.
    const require = createRequire(import.meta.url);
    cached = require(ADDON_PATH) as PcapAddon;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    loadError = e.code === 'MODULE_NOT_FOUND'
      ? 'the live-capture addon is not built (install libpcap-dev and run `npm run build:native`)'
      : `the live-capture addon did not load: ${e.message}`;
    cached = null;
  }
  return cached;
}

export function pcapAddonError(): string {
  loadPcapAddon();
  return loadError;
}

/** The addon or a PktError saying why there is none. */
export function requirePcapAddon(): PcapAddon {
  const a = loadPcapAddon();
  if (!a) throw new PktError('E_NOT_FOUND', loadError);
  return a;
}

const CODES: ReadonlySet<string> = new Set<PktErrorCode>([
  'E_PERM', 'E_NO_IFACE', 'E_FILTER_SYNTAX', 'E_IO', 'E_BAD_ARGUMENT',
]);

/** Turns an error thrown by the addon (an Error with `code`) into a PktError. */
export function toPktError(err: unknown): Error {
  if (err instanceof PktError) return err;
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && CODES.has(e.code)) {
    const out = new PktError(e.code as PktErrorCode, String(e.message));
    const sent = (err as { sent?: unknown }).sent;
    if (typeof sent === 'number') Object.defineProperty(out, 'sent', { value: sent, enumerable: true });
    return out;
  }
  return err instanceof Error ? err : new Error(String(err));
}
