// Live capture through our libpcap addon (host/native/): a C thread drains libpcap with
// pcap_dispatch(-1) and copies each packet straight into the frame ring in the shared
// memory (host/layout.ts, RING_* and SLOT_*), publishing the head once per batch. JS is
// called at most once per batch, and only while the consumer waits (see
// host/native/pcap-binding.ts for the handshake). `openLiveSource()` picks this backend
// and falls back to `cap` (host/sources/live-cap.ts) with one warning line.
import { PktError } from '../runtime/errors.js';
import { RING_DROPS, RING_DROPS_HI, RING_HEAD } from '../runtime/layout.js';
import {
  DIRECTION, EV_END, loadPcapAddon, pcapAddonError, requirePcapAddon, toPktError,
  type Direction, type PcapAddon, type PcapHandle,
} from '../native/pcap-binding.js';
import { LiveCap } from './live-cap.js';
import type { RingShape, Source, SourceEvent, SourceStats } from './source.js';

export type { Direction } from '../native/pcap-binding.js';

export interface LiveOptions {
  /** Bytes kept of each packet (tcpdump -s). Default 262144. */
  snaplen?: number;
  /** Promiscuous mode. Default true (tcpdump's default). */
  promisc?: boolean;
  /** Kernel buffer in bytes (tcpdump -B KiB * 1024); 0 = libpcap's default (2 MiB). */
  bufferSize?: number;
  /** Buffer timeout: how long a TPACKET_V3 block may wait before the kernel hands it
   *  over. Default 1000 ms, as tcpdump. Ignored in immediate mode. */
  timeoutMs?: number;
  /** Deliver each packet at once (TPACKET_V2). Default false: TPACKET_V3 blocks, far
   *  cheaper per packet at high rates. */
  immediate?: boolean;
  /** Which packets: received ('in'), sent ('out') or both. Default 'inout'. */
  direction?: Direction;
  /** Kernel filter, tcpdump syntax (compiled by libpcap). Default: none. */
  filter?: string;
  /** Nanosecond timestamps where the platform offers them. Default true. */
  nanosecond?: boolean;
  /** Written into SLOT_IFACE of every slot (the pcapng interface number). Default 0. */
  ifaceIndex?: number;
  /** Addon only. 'thread' (default): a capture thread of its own, robust against a busy
   *  JS thread. 'loop': read libpcap in this thread's event loop, no thread and one
   *  wake-up per batch fewer; for a JS thread that mostly waits (consumers in workers). */
  driver?: 'thread' | 'loop';
}

/** A live source's statistics. received: pcap_stats ps_recv, accepted by the kernel
 *  filter (null when unknown: cap); on Linux it counts kernel drops too, so after close:
 *  captured + droppedKernel = received (on a non-loopback device: libpcap hides the
 *  outgoing copy of loopback packets). droppedKernel: ps_drop; droppedIface: ps_ifdrop. */
export type LiveStats = SourceStats;

export type LiveEvent = SourceEvent;

/** A live interface, whichever backend. Its filter runs in the kernel (filtersInKernel);
 *  close() reads what the kernel still holds (at most one buffer timeout) unless asked
 *  not to drain. */
export interface LiveSource extends Source {
  readonly kind: 'live';
  readonly backend: 'pcap' | 'cap';
  readonly iface: string;
  /** True when timestamps come from the kernel (false for cap: taken in JavaScript). */
  readonly kernelTimestamps: boolean;
  /** True when a consumer in a worker may sleep in the addon's waitRing() on this
   *  source's ring: its capture thread then wakes it directly (no JS thread between). */
  readonly wakesWaitRing: boolean;
}

const DEFAULT_SNAPLEN = 262144;
const DEFAULT_TIMEOUT_MS = 1000;
const DRAIN_MARGIN_MS = 250;
/** Ring slots hold a jumbo frame unless the caller chose the snapshot length. */
const JUMBO_SLOT = 9216;
/** Address space for a live ring's slots; pages are committed only as frames touch them. */
const LIVE_RING_BYTES = 128 << 20;

export interface ResolvedLiveOptions {
  snaplen: number; promisc: boolean; bufferSize: number; timeoutMs: number; immediate: boolean;
  direction: Direction; filter: string; nanosecond: boolean; ifaceIndex: number; driver: 'thread' | 'loop';
  /** True when the caller chose the snapshot length (ring slots are then sized to it). */
  snaplenGiven: boolean;
}

/**
 * The ring for a live source. Slot size: what the caller's snapshot length asks for (up
 * to 64 KiB, the largest GRO/TSO frame Linux hands a packet socket), else a jumbo frame.
 * Many small slots absorb scheduling hiccups of the reader that a few big ones cannot
 * (1,024 slots of 64 KiB last 20 ms at 50 kpps); a frame longer than its slot keeps its
 * wire length and is flagged as cut (caplen).
 */
export function liveRingShape(snaplen: number, snaplenGiven: boolean): RingShape {
  const slotPayload = snaplenGiven ? Math.min(snaplen, 65535) : Math.min(snaplen, JUMBO_SLOT);
  let slots = 1;
  while (slots * 2 * (slotPayload + 64) <= LIVE_RING_BYTES) slots *= 2;
  return { slots: Math.max(256, Math.min(slots, 65536)), slotPayload };
}

function intIn(name: string, v: number | undefined, dflt: number, lo: number, hi: number): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < lo || x > hi) throw new PktError('E_BAD_ARGUMENT', `live capture: ${name} must be an integer in [${lo}, ${hi}], got ${x}`);
  return x;
}

export function resolveLiveOptions(opts: LiveOptions): ResolvedLiveOptions {
  const direction = opts.direction ?? 'inout';
  if (opts.driver !== undefined && opts.driver !== 'thread' && opts.driver !== 'loop') {
    throw new PktError('E_BAD_ARGUMENT', `live capture: driver must be thread or loop, got ${String(opts.driver)}`);
  }
  if (!(direction in DIRECTION)) throw new PktError('E_BAD_ARGUMENT', `live capture: direction must be in, out or inout, got ${String(direction)}`);
  return {
    snaplen: intIn('snaplen', opts.snaplen, DEFAULT_SNAPLEN, 1, DEFAULT_SNAPLEN),
    promisc: opts.promisc ?? true,
    bufferSize: intIn('bufferSize', opts.bufferSize, 0, 0, 0x7FFF_FFFF),
    timeoutMs: intIn('timeoutMs', opts.timeoutMs, DEFAULT_TIMEOUT_MS, 0, 3_600_000),
    immediate: opts.immediate ?? false,
    direction,
    filter: opts.filter ?? '',
    nanosecond: opts.nanosecond ?? true,
    ifaceIndex: intIn('ifaceIndex', opts.ifaceIndex, 0, 0, 0xFFFF),
    driver: opts.driver === 'loop' ? 'loop' : 'thread',
    snaplenGiven: opts.snaplen !== undefined,
  };
}

/** Reads the u64 drop counter of a ring header. */
export function ringDrops(u32: Uint32Array, ring: number): number {
  return u32[(ring + RING_DROPS) >>> 2] + u32[(ring + RING_DROPS_HI) >>> 2] * 0x1_0000_0000;
}

export class LivePcap implements LiveSource {
  readonly kind = 'live' as const;
  readonly slotFormat = 'frames' as const;
  readonly filtersInKernel = true;
  readonly backend = 'pcap' as const;
  readonly kernelTimestamps = true;
  readonly wakesWaitRing: boolean;
  readonly ringShape: RingShape;
  readonly iface: string;
  readonly linktype: number;
  readonly snaplen: number;
  readonly nanosecond: boolean;
  readonly options: ResolvedLiveOptions;
  readonly ended: Promise<void>;
  private readonly addon: PcapAddon;
  private readonly handle: PcapHandle;
  private u32: Uint32Array | null = null;
  private i32: Int32Array | null = null;
  private ring = 0;
  private started = false;
  private closed = false;
  private isEnded = false;
  private endedResolve!: () => void;
  private finalStats: LiveStats | null = null;
  private finalWritten: { records: number; wireBytes: number } | null = null;
  private err: PktError | null = null;

  private constructor(addon: PcapAddon, handle: PcapHandle, iface: string, options: ResolvedLiveOptions) {
    this.addon = addon;
    this.handle = handle;
    this.iface = iface;
    this.options = options;
    const info = addon.info(handle);
    this.linktype = info.linktype;
    this.snaplen = info.snaplen;
    this.nanosecond = info.nanosecond;
    this.ringShape = liveRingShape(this.snaplen, options.snaplenGiven);
    this.wakesWaitRing = options.driver === 'thread';
    this.ended = new Promise<void>((res) => { this.endedResolve = res; });
  }

  /** Opens and activates the handle (filter installed); no packet is read before start(). */
  static open(iface: string, opts: LiveOptions = {}): LivePcap {
    const addon = requirePcapAddon();
    const o = resolveLiveOptions(opts);
    let handle: PcapHandle;
    try {
      handle = addon.open(iface, o.snaplen, o.promisc ? 1 : 0, o.bufferSize, o.timeoutMs, o.immediate ? 1 : 0,
        DIRECTION[o.direction], o.filter, o.nanosecond ? 1 : 0, 0);
    } catch (err) {
      throw toPktError(err);
    }
    return new LivePcap(addon, handle, iface, o);
  }

  get error(): PktError | null {
    return this.err;
  }

  start(memory: WebAssembly.Memory, ring: number, onWake?: (ev: LiveEvent) => void): void {
    if (this.closed) throw new PktError('E_BAD_ARGUMENT', `live capture on ${this.iface}: already closed`);
    if (this.started) throw new PktError('E_BAD_ARGUMENT', `live capture on ${this.iface}: already started`);
    const buf = memory.buffer;
    if (!(buf instanceof SharedArrayBuffer)) throw new PktError('E_BAD_ARGUMENT', 'live capture: the memory must be shared');
    this.u32 = new Uint32Array(buf);
    this.i32 = new Int32Array(buf);
    this.ring = ring;
    const headIndex = (ring + RING_HEAD) >>> 2;
    const i32 = this.i32;
    const onEvent = (ev: number): void => {
      // Wake a consumer sleeping in Atomics.wait (a worker) before anything else.
      Atomics.notify(i32, headIndex);
      if (ev === EV_END) this.onEnd();
      onWake?.(ev === EV_END ? 'end' : 'batch');
    };
    try {
      this.addon.start(this.handle, new Uint8Array(buf), ring, this.options.ifaceIndex, onEvent, this.options.driver === 'loop' ? 1 : 0);
    } catch (err) {
      throw toPktError(err);
    }
    this.started = true;
  }

  /**
   * Direct file mode instead of start(): the capture thread itself appends every packet
   * to `fd` as a pcap record (tcpdump -w's shape: no ring, no consumer, one thread), and
   * stops after `limit` records (0: none). The caller wrote the file header (little
   * endian; `nanosecondFile` says its precision) and closes `fd` once `ended` resolves.
   */
  startDump(fd: number, nanosecondFile: boolean, limit: number): void {
    if (this.closed) throw new PktError('E_BAD_ARGUMENT', `live capture on ${this.iface}: already closed`);
    if (this.started) throw new PktError('E_BAD_ARGUMENT', `live capture on ${this.iface}: already started`);
    try {
      this.addon.startDump(this.handle, fd, nanosecondFile ? 1 : 0, limit, (ev) => { if (ev === EV_END) this.onEnd(); });
    } catch (err) {
      throw toPktError(err);
    }
    this.started = true;
  }

  /** Joins PACKET_FANOUT group `group` (flow hash): with N sources on one interface in
   *  one group, each packet reaches exactly one of them, a conversation always the same. */
  joinFanout(group: number): void {
    try {
      this.addon.joinFanout(this.handle, group);
    } catch (err) {
      throw toPktError(err);
    }
  }

  /** Direct file mode: records written so far and the sum of their wire lengths. */
  written(): { records: number; wireBytes: number } {
    if (this.finalWritten !== null) return this.finalWritten;
    const s = this.addon.stats(this.handle);
    return { records: s.written, wireBytes: s.wireBytes };
  }

  private onEnd(): void {
    if (this.isEnded) return;
    this.isEnded = true;
    const msg = this.addon.error(this.handle);
    if (msg) this.err = new PktError('E_IO', `live capture on ${this.iface}: ${msg}`);
    this.endedResolve();
  }

  stats(): LiveStats {
    if (this.finalStats) return this.finalStats;
    const s = this.addon.stats(this.handle);
    return {
      captured: s.captured,
      received: s.ok ? s.recv : null,
      droppedKernel: s.ok ? s.drop : null,
      droppedIface: s.ok ? s.ifdrop : null,
      droppedRing: this.u32 ? ringDrops(this.u32, this.ring) : 0,
    };
  }

  async close(opts: { drain?: boolean } = {}): Promise<LiveStats> {
    if (this.finalStats) return this.finalStats;
    if (this.closed) { await this.ended; return this.stats(); }
    this.closed = true;
    if (this.started) {
      const drainMs = opts.drain === false ? 0 : (this.options.immediate ? 0 : this.options.timeoutMs) + DRAIN_MARGIN_MS;
      this.addon.stop(this.handle, drainMs);
      await this.ended;
    }
    const s = this.stats();
    this.finalWritten = this.written();
    this.addon.close(this.handle);
    this.finalStats = s;
    if (!this.started) { this.isEnded = true; this.endedResolve(); }
    return s;
  }
}

export interface OpenLiveOptions extends LiveOptions {
  /** 'pcap' (our addon), 'cap' (npm cap), or 'auto' (pcap, else cap with a warning). */
  backend?: 'auto' | 'pcap' | 'cap';
  /** Where the one fallback warning line goes. Default: stderr. */
  warn?: (line: string) => void;
}

/** Opens a live source on `iface` with the requested (or the best available) backend. */
export function openLiveSource(iface: string, opts: OpenLiveOptions = {}): LiveSource {
  const backend = opts.backend ?? 'auto';
  if (backend === 'cap') return LiveCap.open(iface, opts);
  if (backend === 'pcap' || loadPcapAddon()) return LivePcap.open(iface, opts);
  const warn = opts.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  warn(`pktwasm: ${pcapAddonError()}; using the cap fallback: timestamps are taken in JavaScript and kernel drops are unknown`);
  return LiveCap.open(iface, opts);
}
