// The one shape of a packet source: a capture file, a live interface (our libpcap addon,
// or the cap fallback) or an IP-level raw socket. A source is opened (the file read up to
// its first packet, the handle activated, the socket bound: nothing goes into a ring
// yet), then started on a frame ring in the shared memory, which it fills until its input
// ends or it is closed; whoever reads the ring (the pipeline's runner, in the sniffer's
// worker or on the library's thread) never needs to know which source it was.
import type { PktError } from '../runtime/errors.js';

/** What the source's ring slots hold: one frame each, or (files) a chunk of whole pcap
 *  records (SF_PCAP_CHUNK) that the reader indexes in place. */
export type SlotFormat = 'frames' | 'chunks';

/** The frame ring a source is best served by: a power-of-two slot count and the bytes a
 *  slot holds after its header. */
export interface RingShape {
  slots: number;
  slotPayload: number;
}

/** A source's counters: frames captured and where others were dropped. */
export interface SourceStats {
  /** Frames the source put into the ring (or tried to: ring drops included). */
  captured: number;
  /** Frames the kernel filter accepted (pcap_stats ps_recv). null when unknown (files,
   *  raw sockets, cap). On Linux it counts kernel drops too. */
  received: number | null;
  /** Dropped by the kernel because the capture buffer was full. null: unknown. */
  droppedKernel: number | null;
  /** Dropped by the interface. null: unknown. */
  droppedIface: number | null;
  /** Dropped because the frame ring was full (RING_DROPS); a file source waits instead. */
  droppedRing: number;
}

export type SourceEvent = 'batch' | 'end';

/** A packet source (capture file, live interface, raw socket) filling a frame ring. */
export interface Source {
  readonly kind: 'file' | 'live' | 'raw';
  readonly slotFormat: SlotFormat;
  /** LINKTYPE_* of the source (a pcapng file: of its first interface; each slot says its own). */
  readonly linktype: number;
  readonly snaplen: number;
  /** True when timestamps carry nanoseconds. */
  readonly nanosecond: boolean;
  /** True when the filter given at open() already runs in the kernel (libpcap): the
   *  pipeline must not apply it again. */
  readonly filtersInKernel: boolean;
  readonly ringShape: RingShape;
  /** Set when the source stopped on its own because of an error (a damaged file: after
   *  every good record went into the ring). */
  readonly error: PktError | null;
  /** Resolves when the source has stopped producing (input ended, error, or close()),
   *  after the ring was marked closed. */
  readonly ended: Promise<void>;
  /** Starts filling the ring at address `ring` (already initialised) in `memory`.
   *  `onWake` runs on this thread when the reader waits and a batch arrives ('batch'),
   *  and once when the source stops ('end'); readers that wait on the ring itself
   *  (Atomics.wait, Atomics.waitAsync on RING_HEAD) need none. */
  start(memory: WebAssembly.Memory, ring: number, onWake?: (ev: SourceEvent) => void): void;
  stats(): SourceStats;
  /** Stops (a live source first reads what the kernel still holds unless `drain` is
   *  false), marks the ring closed, releases the handle. Idempotent; resolves with the
   *  final statistics. */
  close(opts?: { drain?: boolean }): Promise<SourceStats>;
}
