// Portable fallback live source over the npm `cap` package, writing the same frame ring
// as LivePcap so the consumer does not care which one runs. What cap cannot give (see
// issue 4): it emits one JS event per packet with no timestamp and no wire length, always
// in immediate mode with a 65535-byte snaplen, and exposes no pcap_stats. So here the
// timestamp is taken in JavaScript when the event arrives, the wire length is the
// captured length (SF_WIRELEN_UNKNOWN marks frames cut by the snaplen, whose real length
// is unknown), and kernel drops are reported as null (unknown).
import { createRequire } from 'node:module';
import { PktError, type PktErrorCode } from '../runtime/errors.js';
import {
  LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_NULL, LINKTYPE_RAW,
  RING_DROPS, RING_DROPS_HI, RING_FLAGS, RING_HEAD, RING_MASK, RING_SLOT_COUNT, RING_SLOT_SIZE, RING_SLOTS,
  RING_TAIL, RING_WAITING, RF_CLOSED, SLOT_CAPLEN, SLOT_DATA, SLOT_FLAGS, SLOT_HDR_SIZE, SLOT_IFACE,
  SLOT_LINKTYPE, SLOT_TS_NSEC, SLOT_TS_SEC, SLOT_WIRELEN, SF_WIRELEN_UNKNOWN,
} from '../runtime/layout.js';
import type { LiveEvent, LiveOptions, LiveSource, LiveStats, ResolvedLiveOptions } from './live-pcap.js';
import { liveRingShape, resolveLiveOptions, ringDrops } from './live-pcap.js';
import type { RingShape } from './source.js';

const CAP_MAX_SNAPLEN = 65535; // cap always sets this snaplen
const CAP_DEFAULT_BUFFER = 2 * 1024 * 1024;

/** The part of cap's API this file uses. */
interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): boolean;
  send(buffer: Buffer, length?: number): void;
  on(ev: 'packet', cb: (nbytes: number, truncated: boolean) => void): void;
  removeAllListeners(ev?: string): void;
}
export interface CapModule {
  Cap: (new () => CapHandle) & { deviceList(): { name: string; description?: string; addresses: { addr: string; netmask?: string; broadaddr?: string }[]; flags?: string }[] };
}

let capModule: CapModule | null | undefined;
let capError = '';

/** npm cap, or null if it is not installed or did not build. */
export function loadCap(): CapModule | null {
  if (capModule !== undefined) return capModule;
  try {
    capModule = createRequire(import.meta.url)('cap') as CapModule;
  } catch (err) {
    capError = `the cap package is not available: ${(err as Error).message.split('\n')[0]}`;
    capModule = null;
  }
  return capModule;
}

export function requireCap(): CapModule {
  const m = loadCap();
  if (!m) throw new PktError('E_NOT_FOUND', capError);
  return m;
}

/** Sorts one of cap's plain Error messages into our codes. */
export function capErrorCode(message: string): PktErrorCode {
  if (/permission|not permitted|EPERM/i.test(message)) return 'E_PERM';
  if (/no such device|doesn't exist|No such/i.test(message)) return 'E_NO_IFACE';
  if (/syntax|parse|filter/i.test(message)) return 'E_FILTER_SYNTAX';
  return 'E_IO';
}

function linktypeOf(name: string): number {
  switch (name) {
    case 'ETHERNET': return LINKTYPE_ETHERNET;
    case 'NULL': return LINKTYPE_NULL;
    case 'RAW': return LINKTYPE_RAW;
    case 'LINKTYPE_LINUX_SLL': return LINKTYPE_LINUX_SLL;
    case 'IEEE802_11_RADIO': return 127;
    default: {
      const m = /Unknown linktype (\d+)/.exec(name);
      if (m) return Number(m[1]);
      throw new PktError('E_UNKNOWN_LINKTYPE', `cap reported an unknown link type: ${name}`);
    }
  }
}

/** libpcap filter keywords standing in for pcap_setdirection, which cap does not offer. */
function withDirection(filter: string, direction: ResolvedLiveOptions['direction']): string {
  if (direction === 'inout') return filter;
  const kw = direction === 'in' ? 'inbound' : 'outbound';
  return filter ? `${kw} and (${filter})` : kw;
}

export class LiveCap implements LiveSource {
  readonly kind = 'live' as const;
  readonly slotFormat = 'frames' as const;
  /** cap compiles the filter with libpcap into the kernel, as the addon does. */
  readonly filtersInKernel = true;
  readonly backend = 'cap' as const;
  readonly kernelTimestamps = false;
  /** No capture thread of the addon: a worker sleeps in Atomics.wait, woken from JS. */
  readonly wakesWaitRing = false;
  readonly nanosecond = false;
  readonly iface: string;
  readonly linktype: number;
  readonly snaplen: number;
  readonly options: ResolvedLiveOptions;
  readonly ringShape: RingShape;
  readonly ended: Promise<void>;
  private readonly cap: CapHandle;
  private readonly buf: Buffer;
  private u8: Uint8Array | null = null;
  private u32: Uint32Array | null = null;
  private i32: Int32Array | null = null;
  private ring = 0;
  private slots = 0;
  private slotSize = 0;
  private slotCount = 0;
  private mask = 0;
  private head = 0;
  private drops = 0;
  private captured = 0;
  private wakeQueued = false;
  private onWake: ((ev: LiveEvent) => void) | undefined;
  private started = false;
  private closed = false;
  private endedResolve!: () => void;
  readonly error: PktError | null = null;

  private constructor(cap: CapHandle, buf: Buffer, iface: string, linktype: number, options: ResolvedLiveOptions) {
    this.cap = cap;
    this.buf = buf;
    this.iface = iface;
    this.linktype = linktype;
    this.options = options;
    this.snaplen = buf.length;
    this.ringShape = liveRingShape(this.snaplen, options.snaplenGiven);
    this.ended = new Promise<void>((res) => { this.endedResolve = res; });
    cap.on('packet', (n, truncated) => this.onPacket(n, truncated));
  }

  static open(iface: string, opts: LiveOptions = {}): LiveCap {
    const o = resolveLiveOptions(opts);
    const { Cap } = requireCap();
    const cap = new Cap();
    // cap copies each packet into this one buffer; its size is our effective snaplen.
    const buf = Buffer.alloc(Math.min(o.snaplen, CAP_MAX_SNAPLEN));
    let link: string;
    try {
      link = cap.open(iface, withDirection(o.filter, o.direction), o.bufferSize || CAP_DEFAULT_BUFFER, buf);
    } catch (err) {
      // No cap.close() here: after a failed open it stops a poll handle it never
      // started and aborts the process (libuv assertion); the half-open handle leaks.
      const msg = (err as Error).message;
      throw new PktError(capErrorCode(msg), `cannot capture on ${iface} (cap): ${msg}`);
    }
    try {
      return new LiveCap(cap, buf, iface, linktypeOf(link), o);
    } catch (err) {
      cap.close();
      throw err;
    }
  }

  start(memory: WebAssembly.Memory, ring: number, onWake?: (ev: LiveEvent) => void): void {
    if (this.closed) throw new PktError('E_BAD_ARGUMENT', `live capture on ${this.iface}: already closed`);
    if (this.started) throw new PktError('E_BAD_ARGUMENT', `live capture on ${this.iface}: already started`);
    const sab = memory.buffer;
    this.u8 = new Uint8Array(sab);
    this.u32 = new Uint32Array(sab);
    this.i32 = new Int32Array(sab);
    const u32 = this.u32;
    this.ring = ring;
    this.slotCount = u32[(ring + RING_SLOT_COUNT) >>> 2];
    this.slotSize = u32[(ring + RING_SLOT_SIZE) >>> 2];
    this.slots = u32[(ring + RING_SLOTS) >>> 2];
    this.mask = u32[(ring + RING_MASK) >>> 2];
    if (this.slotCount === 0 || (this.slotCount & this.mask) !== 0 || this.slotSize < 64) {
      throw new PktError('E_BAD_ARGUMENT', 'live capture: the ring header is not initialised');
    }
    this.head = Atomics.load(u32, (ring + RING_HEAD) >>> 2);
    this.drops = ringDrops(u32, ring);
    Atomics.and(u32, (ring + RING_FLAGS) >>> 2, ~RF_CLOSED);
    this.onWake = onWake;
    this.started = true;
  }

  private onPacket(nbytes: number, truncated: boolean): void {
    if (!this.started || this.closed) return; // before start(): nowhere to put it
    const u32 = this.u32!;
    const ring = this.ring;
    this.captured++;
    const tail = Atomics.load(u32, (ring + RING_TAIL) >>> 2);
    if (((this.head - tail) >>> 0) >= this.slotCount) {
      this.drops++;
      u32[(ring + RING_DROPS) >>> 2] = this.drops >>> 0;
      u32[(ring + RING_DROPS_HI) >>> 2] = Math.floor(this.drops / 0x1_0000_0000);
      return;
    }
    const s = this.slots + (this.head & this.mask) * this.slotSize;
    const caplen = Math.min(nbytes, this.slotSize - SLOT_HDR_SIZE);
    // performance.now() is monotonic with sub-microsecond resolution; timeOrigin anchors
    // it to the wall clock once.
    const t = performance.timeOrigin + performance.now();
    const sec = Math.floor(t / 1000);
    const w = s >>> 2;
    u32[w + (SLOT_CAPLEN >>> 2)] = caplen;
    u32[w + (SLOT_WIRELEN >>> 2)] = nbytes;
    u32[w + (SLOT_TS_SEC >>> 2)] = sec;
    u32[w + (SLOT_TS_NSEC >>> 2)] = Math.min(999_999_999, Math.round((t - sec * 1000) * 1e6));
    u32[w + (SLOT_LINKTYPE >>> 2)] = (this.linktype & 0xFFFF) | ((this.options.ifaceIndex & 0xFFFF) << 16);
    u32[w + (SLOT_FLAGS >>> 2)] = truncated ? SF_WIRELEN_UNKNOWN : 0;
    this.u8!.set(this.buf.subarray(0, caplen), s + SLOT_DATA);
    this.head = (this.head + 1) >>> 0;
    Atomics.store(u32, (ring + RING_HEAD) >>> 2, this.head);
    // cap emits per packet, but drains every ready packet in one poll callback: one wake
    // per such burst, after it.
    if (!this.wakeQueued) {
      this.wakeQueued = true;
      setImmediate(() => this.wake('batch'));
    }
  }

  private wake(ev: LiveEvent): void {
    this.wakeQueued = false;
    const i32 = this.i32!;
    if (ev === 'batch' && Atomics.load(i32, (this.ring + RING_WAITING) >>> 2) === 0) return;
    Atomics.notify(i32, (this.ring + RING_HEAD) >>> 2);
    this.onWake?.(ev);
  }

  stats(): LiveStats {
    return {
      captured: this.captured,
      received: null,
      droppedKernel: null,
      droppedIface: null,
      droppedRing: this.u32 ? ringDrops(this.u32, this.ring) : 0,
    };
  }

  async close(): Promise<LiveStats> {
    if (!this.closed) {
      this.closed = true;
      this.cap.close();
      this.cap.removeAllListeners('packet');
      if (this.started) {
        Atomics.or(this.u32!, (this.ring + RING_FLAGS) >>> 2, RF_CLOSED);
        this.wake('end');
      }
      this.endedResolve();
    }
    return this.stats();
  }
}

// Keep the slot header layout assumption explicit: linktype and iface share one word.
if (SLOT_IFACE !== SLOT_LINKTYPE + 2) throw new Error('live-cap: SLOT_LINKTYPE/SLOT_IFACE layout changed');
