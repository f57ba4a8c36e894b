// FlowTable: the host class over one flow-table region and its timer wheel, on whichever
// backend the Engine runs. update() feeds a dissected FrameBatch; records of flows that
// leave the table (idle or active timeout, TCP end, eviction, flush) are decoded into
// FlowRecord objects and handed to `onExpire`, or handed by address to `onExpireRaw`
// (no object: what a scan's millions of flows need). Live flows can be iterated at any time.
import type { Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import type { MemoryViews } from '../runtime/memory.js';
import { exportsOf } from '../engine/backend.js';
import { PktError } from '../runtime/errors.js';
import { ipv4ToString, ipv6ToString } from '../runtime/addr.js';
import { WHEEL } from '../wheel/exports.js';
import { FLOWS, type FlowsExports } from './exports.js';
import * as F from './flow-layout.js';
import { DESC_SIZE, FRAME_SIZE, TIME_SIZE } from '../runtime/layout.js';
import { adviseHugePages, prefault, prefaultSoon } from '../runtime/prefault.js';

/** Flows from which a table backs its entries ahead (backEntriesAhead), and the step in
 *  entries (~4 MiB of them). */
const PREFAULT_FROM = 4096;
const PREFAULT_STEP = 21845;

export type TcpStateName =
  | 'CLOSED' | 'LISTEN' | 'SYN_SENT' | 'SYN_RECEIVED' | 'ESTABLISHED' | 'FIN_WAIT_1' | 'FIN_WAIT_2'
  | 'CLOSING' | 'TIME_WAIT' | 'CLOSE_WAIT' | 'LAST_ACK';

export const TCP_STATE_NAMES: readonly (TcpStateName | null)[] = [
  null, 'CLOSED', 'LISTEN', 'SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2',
  'CLOSING', 'TIME_WAIT', 'CLOSE_WAIT', 'LAST_ACK',
];

export type EndReasonName = 'live' | 'idle' | 'active' | 'end' | 'forced' | 'resources';
const END_NAMES: readonly EndReasonName[] = ['live', 'idle', 'active', 'end', 'forced', 'resources'];

/** Idle timeouts per state class, and the active (periodic report) timeout, in seconds. */
export interface FlowTimeouts {
  tcpOpening: number;
  tcpEstablished: number;
  tcpClosing: number;
  tcpTimeWait: number;
  tcpClosed: number;
  udp: number;
  icmp: number;
  other: number;
  /** 0 = off. When set, a long flow is reported every `active` seconds and its counters
   *  restart (IPFIX delta semantics). */
  active: number;
}

export const DEFAULT_TIMEOUTS: Readonly<FlowTimeouts> = {
  tcpOpening: 30, tcpEstablished: 3600, tcpClosing: 120, tcpTimeWait: 120, tcpClosed: 10,
  udp: 120, icmp: 30, other: 120, active: 0,
};

const CLASS_OF: readonly (keyof FlowTimeouts)[] = [
  'tcpOpening', 'tcpEstablished', 'tcpClosing', 'tcpTimeWait', 'tcpClosed', 'udp', 'icmp', 'other', 'active',
];

export interface FlowEndpoint {
  addr: string;
  port: number;
}

export interface FlowDirection {
  frames: number;
  /** Frame (wire) lengths, as tshark's conversation table counts them. */
  bytes: number;
  /** IP total lengths, as flow exporters count octets. */
  ipBytes: number;
  /** OR of the TCP flags this side sent (low 8 bits). */
  tcpFlags: number;
  retransmissions: number;
  outOfOrder: number;
}

/** One flow as a plain object: endpoints, per-direction counters, times and TCP state. */
export interface FlowRecord {
  /** Entry index in the table (reused after the flow ends). */
  index: number;
  proto: number;
  ipVersion: 4 | 6;
  /** A sent the first packet seen. */
  a: FlowEndpoint;
  b: FlowEndpoint;
  aToB: FlowDirection;
  bToA: FlowDirection;
  /** First and last packet of this record (after an active-timeout report, of the interval). */
  firstSec: number;
  firstNsec: number;
  lastSec: number;
  lastNsec: number;
  /** The flow's first packet, kept across active-timeout reports. */
  startSec: number;
  startNsec: number;
  stateA: TcpStateName | null;
  stateB: TcpStateName | null;
  /** One word for the connection (see tcpSummary). */
  state: TcpStateName | null;
  /** The states each end went through, oldest first (the last 8). */
  historyA: TcpStateName[];
  historyB: TcpStateName[];
  endReason: EndReasonName;
  /** RSTs ignored because their sequence number lay outside the receiver's window
   *  (RFC 5961 section 3; see tcpWindow in assembly/flows.ts). Saturates at 65,535. */
  rstIgnored: number;
  /** IPFIX flowEndReason (1 idle, 2 active, 3 end of flow, 4 forced, 5 lack of resources; 0 live). */
  endReasonCode: number;
  icmpType: number | null;
  icmpCode: number | null;
  vlan: number;
  iface: number;
  /** No transport header was available (non-first fragments, truncated): ports are 0. */
  noPorts: boolean;
  /** TCP picked up mid-stream: no handshake seen. */
  pickup: boolean;
  reports: number;
}

export interface FlowTableOptions {
  /** Flows that can be live at once. */
  capacity: number;
  /** Records buffered in the shared memory before the host drains them. */
  exportCapacity?: number;
  /** Timer resolution in milliseconds (timeouts are rounded up to it). */
  tickMs?: number;
  timeouts?: Partial<FlowTimeouts>;
  /** Evict the stalest nearby flow when full (default), or refuse new flows. */
  evict?: boolean;
  /** Called for every record leaving the table, in order. */
  onExpire?: (rec: FlowRecord) => void;
  /** Also keep every ended record in `ended` (for a final conversation table). */
  keepEnded?: boolean;
  /** Called for every record leaving the table with its byte address in the engine's
   *  memory (layout FE_*, valid until the callback returns), before onExpire: readers
   *  that copy or format the fields they need make no FlowRecord (millions of flows). */
  onExpireRaw?: (at: number) => void;
  /** Key of the flow hash (u32). Default: random per table (crypto.getRandomValues), so
   *  that keys chosen offline cannot be made to collide (issue #21 item 9). Give one only
   *  to reproduce a run's bucket placement (tests, benchmarks). */
  seed?: number;
}

export interface FlowTableStats {
  live: number;
  capacity: number;
  frames: number;
  skipped: number;
  created: number;
  idle: number;
  evicted: number;
  failed: number;
  active: number;
  reused: number;
  flushed: number;
  /** TCP RSTs ignored as outside the receiver's window (RFC 5961 section 3). */
  rstIgnored: number;
}

function tcpHistory(h: number): TcpStateName[] {
  const out: TcpStateName[] = [];
  for (let k = 7; k >= 0; k--) {
    const s = (h >>> (4 * k)) & 15;
    const n = TCP_STATE_NAMES[s];
    if (n) out.push(n);
  }
  return out;
}

/** One word for a TCP connection: TIME_WAIT if either end is there, the shared state when
 *  both agree, otherwise A's state unless A is ESTABLISHED (then B's, which is further along). */
export function tcpSummary(a: TcpStateName | null, b: TcpStateName | null): TcpStateName | null {
  if (a === null || b === null) return a ?? b;
  if (a === 'TIME_WAIT' || b === 'TIME_WAIT') return 'TIME_WAIT';
  if (a === b) return a;
  return a === 'ESTABLISHED' ? b : a;
}

/** Decodes an entry or exported record at `addr` (layout FE_*). */
export function readFlowRecord(views: MemoryViews, addr: number): FlowRecord {
  const v = views.refresh();
  const u8 = v.u8;
  const u16 = v.u16;
  const u32 = v.u32;
  const f64 = v.f64;
  const w = addr >>> 2;
  const h = addr >>> 1;
  const d = addr >>> 3;
  const ver = u8[addr + F.FE_IPVER] === 6 ? 6 : 4;
  const proto = u8[addr + F.FE_PROTO];
  const flags = u16[h + (F.FE_FLAGS >>> 1)];
  const addrText = (off: number): string =>
    ver === 4
      ? ipv4ToString(((u8[addr + off] << 24) | (u8[addr + off + 1] << 16) | (u8[addr + off + 2] << 8) | u8[addr + off + 3]) >>> 0)
      : ipv6ToString(u8, addr + off);
  const tcp = proto === 6 && (flags & F.EF_NOPORTS) === 0;
  const stateA = tcp ? TCP_STATE_NAMES[u8[addr + F.FE_STATE_A]] ?? null : null;
  const stateB = tcp ? TCP_STATE_NAMES[u8[addr + F.FE_STATE_B]] ?? null : null;
  const icmp = proto === 1 || proto === 58;
  const dir = (s: 0 | 1): FlowDirection => ({
    frames: u32[w + (F.FE_FRAMES_AB >>> 2) + s],
    bytes: f64[d + (F.FE_BYTES_AB >>> 3) + s],
    ipBytes: f64[d + (F.FE_IPBYTES_AB >>> 3) + s],
    tcpFlags: u8[addr + F.FE_TCPFL_A + s],
    retransmissions: u16[h + (F.FE_RETRANS_A >>> 1) + s],
    outOfOrder: u16[h + (F.FE_OOO_A >>> 1) + s],
  });
  const end = u8[addr + F.FE_END];
  return {
    index: u32[w + (F.FE_INDEX >>> 2)],
    proto,
    ipVersion: ver,
    a: { addr: addrText(F.FE_ADDR_A), port: u16[h + (F.FE_PORT_A >>> 1)] },
    b: { addr: addrText(F.FE_ADDR_B), port: u16[h + (F.FE_PORT_B >>> 1)] },
    aToB: dir(0),
    bToA: dir(1),
    firstSec: u32[w + (F.FE_FIRST_SEC >>> 2)],
    firstNsec: u32[w + (F.FE_FIRST_NSEC >>> 2)],
    lastSec: u32[w + (F.FE_LAST_SEC >>> 2)],
    lastNsec: u32[w + (F.FE_LAST_NSEC >>> 2)],
    startSec: u32[w + (F.FE_START_SEC >>> 2)],
    startNsec: u32[w + (F.FE_START_NSEC >>> 2)],
    stateA,
    stateB,
    state: tcpSummary(stateA, stateB),
    historyA: tcp ? tcpHistory(u32[w + (F.FE_HIST_A >>> 2)]) : [],
    historyB: tcp ? tcpHistory(u32[w + (F.FE_HIST_B >>> 2)]) : [],
    endReason: END_NAMES[end] ?? 'live',
    endReasonCode: end,
    rstIgnored: u16[h + (F.FE_RST_IGNORED >>> 1)],
    icmpType: icmp ? u8[addr + F.FE_ICMP_TYPE] : null,
    icmpCode: icmp ? u8[addr + F.FE_ICMP_CODE] : null,
    vlan: u16[h + (F.FE_VLAN >>> 1)],
    iface: u16[h + (F.FE_IFACE >>> 1)],
    noPorts: (flags & F.EF_NOPORTS) !== 0,
    pickup: (flags & F.EF_PICKUP) !== 0,
    reports: u32[w + (F.FE_REPORTS >>> 2)],
  };
}

/** Bidirectional IP flows (TCP and UDP conversations, ICMP, ...) tracked in the shared memory, with
 *  TCP state, idle and active timeouts; fed dissected batches with update(). */
export class FlowTable {
  readonly engine: Engine;
  readonly core: FlowsExports;
  /** Byte address of the table region and of its wheel region. */
  readonly region: number;
  readonly wheel: number;
  readonly capacity: number;
  readonly tickMs: number;
  readonly timeouts: Readonly<FlowTimeouts>;
  /** The flow hash's key (opts.seed, or the random one drawn at init). */
  readonly seed: number;
  /** Ended records, when created with keepEnded. */
  readonly ended: FlowRecord[] = [];
  onExpire: ((rec: FlowRecord) => void) | undefined;
  onExpireRaw: ((at: number) => void) | undefined;
  private readonly keepEnded: boolean;

  constructor(engine: Engine, opts: FlowTableOptions) {
    const cap = opts.capacity;
    if (!Number.isInteger(cap) || cap < 1 || cap > 0x3FFFFFF) {
      throw new PktError('E_BAD_ARGUMENT', `flow table: capacity must be 1..${0x3FFFFFF}, got ${cap}`);
    }
    const exportCap = opts.exportCapacity ?? 1024;
    const tickMs = opts.tickMs ?? 100;
    if (!Number.isInteger(exportCap) || exportCap < 1) throw new PktError('E_BAD_ARGUMENT', `flow table: bad exportCapacity ${exportCap}`);
    if (!(tickMs > 0) || !Number.isInteger(tickMs * 1000)) throw new PktError('E_BAD_ARGUMENT', `flow table: bad tickMs ${tickMs}`);
    const seed = opts.seed ?? crypto.getRandomValues(new Uint32Array(1))[0];
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xFFFFFFFF) throw new PktError('E_BAD_ARGUMENT', `flow table: seed must be a u32, got ${seed}`);
    this.seed = seed;
    this.engine = engine;
    this.core = exportsOf(engine, FLOWS);
    this.capacity = cap;
    this.tickMs = tickMs;
    this.onExpire = opts.onExpire;
    this.onExpireRaw = opts.onExpireRaw;
    this.keepEnded = opts.keepEnded ?? false;
    const wcore = exportsOf(engine, WHEEL);
    this.wheel = engine.arena.alloc(wcore.wheel_region_size(cap));
    wcore.wheel_init(this.wheel, cap, 0);
    this.region = engine.arena.alloc(this.core.flows_region_size(cap, exportCap));
    if (this.core.flows_init(this.region, cap, exportCap, this.wheel, tickMs * 1000, seed) !== 1) {
      throw new PktError('E_BAD_ARGUMENT', 'flow table: init refused its arguments');
    }
    const t: FlowTimeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
    for (let c = 0; c < CLASS_OF.length; c++) {
      const secs = t[CLASS_OF[c]];
      if (!(secs >= 0) || !Number.isFinite(secs)) throw new PktError('E_BAD_ARGUMENT', `flow table: bad timeout ${CLASS_OF[c]}=${secs}`);
      this.core.flows_set_timeout(this.region, c, Math.ceil((secs * 1000) / tickMs));
    }
    this.timeouts = t;
    this.core.flows_set_evict(this.region, opts.evict === false ? 0 : 1);
  }

  /**
   * Ends the table for good and lends its entries' memory (the largest part of its region,
   * about FE_SIZE bytes per flow of capacity) as u32 scratch: a conversation table sorts
   * its rows there after the last flush instead of in new arrays. On this kind of machine a
   * page the process touches for the first time costs ~15 us (the hypervisor's fault as well
   * as the kernel's), so 32 MB of sort arrays for 2 M rows were ~0.1 s; these pages are
   * already present. stats() and firstTime() still answer (the header is kept); update,
   * expire, flush and iteration refuse from now on.
   */
  retire(): Uint32Array {
    this.retired = true;
    const u32 = this.engine.views.refresh().u32;
    const entries = u32[(this.region + F.FT_ENTRIES) >>> 2];
    return new Uint32Array(u32.buffer, entries, ((this.capacity + 1) * F.FE_SIZE) >>> 2);
  }

  private retired = false;

  private assertUsable(): void {
    if (this.retired) throw new PktError('E_BAD_ARGUMENT', 'flow table: used after retire()');
  }

  /** Accounts the frames of a dissected batch (engine.dissect(batch) first). */
  update(batch: FrameBatch): void {
    this.updateRaw(batch.table, batch.descs, batch.times, batch.count);
  }

  /** Same, on raw addresses: frame table, descriptors, timestamps, count. */
  updateRaw(frames: number, descs: number, times: number, count: number): void {
    this.assertUsable();
    const { core, region } = this;
    let done = 0;
    while (done < count) {
      done += core.flows_update_batch(region, frames + done * FRAME_SIZE, descs + done * DESC_SIZE, times + done * TIME_SIZE, count - done);
      this.drain();
    }
    this.backEntriesAhead();
  }

  /** Bytes of the entries, from entry 0, backed so far (runtime/prefault.ts). */
  private backedTo = 0;

  /**
   * New entries are taken in index order (the bump index) until the table is full, each
   * on pages the process has not touched yet: once a table holds PREFAULT_FROM flows,
   * huge pages are asked for the entries and backed a step ahead of the bump index, one
   * call per step (on the addon's thread) instead of a fault per 4 KiB (~12 us each here).
   */
  private backEntriesAhead(): void {
    const total = (this.capacity + 1) * F.FE_SIZE;
    if (this.backedTo >= total) return;
    const v = this.engine.views.refresh();
    const bump = v.u32[(this.region + F.FT_BUMP) >>> 2];
    if (bump < PREFAULT_FROM || (bump + PREFAULT_STEP / 2) * F.FE_SIZE <= this.backedTo) return;
    const entries = v.u32[(this.region + F.FT_ENTRIES) >>> 2];
    if (this.backedTo === 0) {
      adviseHugePages(v.u8, entries, total);
      this.backedTo = Math.min(total, (bump + PREFAULT_STEP / 2) * F.FE_SIZE);
      prefault(v.u8, entries, this.backedTo);
    }
    // The next step on the addon's thread, while this thread fills the one before it.
    const to = Math.min(total, (bump + PREFAULT_STEP) * F.FE_SIZE);
    if (to > this.backedTo) prefaultSoon(v.u8, entries + this.backedTo, to - this.backedTo);
    this.backedTo = to;
  }

  /** Advances the clock with no frames (a quiet live capture), ending what is due. */
  expire(sec: number, nsec = 0): void {
    this.assertUsable();
    while (this.core.flows_expire(this.region, sec >>> 0, nsec >>> 0) === 0) this.drain();
    this.drain();
  }

  /** Ends every live flow (end of capture: reason "forced", IPFIX 4). */
  flush(reason: number = F.END_FORCED): void {
    this.assertUsable();
    while (this.core.flows_flush(this.region, reason) === 0) this.drain();
    this.drain();
  }

  /** Hands buffered records to onExpire and empties the buffer. */
  drain(): void {
    const n = this.core.flows_export_count(this.region);
    if (n === 0) return;
    const base = this.engine.views.refresh().u32[(this.region + F.FT_EXPORT) >>> 2];
    const decode = this.keepEnded || this.onExpire !== undefined;
    for (let i = 0; i < n; i++) {
      const at = base + i * F.FE_SIZE;
      this.onExpireRaw?.(at);
      if (!decode) continue;
      const rec = readFlowRecord(this.engine.views, at);
      if (this.keepEnded) this.ended.push(rec);
      this.onExpire?.(rec);
    }
    this.core.flows_export_clear(this.region);
  }

  get live(): number {
    return this.core.flows_count(this.region);
  }

  /** Entry addresses of live flows, in entry order (zero-allocation iteration). */
  forEachEntry(cb: (addr: number, index: number) => void): void {
    this.assertUsable();
    const { core, region } = this;
    for (let i = core.flows_next(region, 0); i !== 0; i = core.flows_next(region, i)) cb(core.flows_entry(region, i), i);
  }

  /** Live flows as records (endReason 'live'). */
  flows(): FlowRecord[] {
    const out: FlowRecord[] = [];
    this.forEachEntry((addr) => { out.push(readFlowRecord(this.engine.views, addr)); });
    return out;
  }

  /** Capture time of the first frame seen, as [sec, nsec] (tshark's relative-time origin). */
  firstTime(): [number, number] {
    const u32 = this.engine.views.refresh().u32;
    return [u32[(this.region + F.FT_FIRST_SEC) >>> 2], u32[(this.region + F.FT_FIRST_NSEC) >>> 2]];
  }

  stats(): FlowTableStats {
    const v = this.engine.views.refresh();
    const f = (off: number): number => v.f64[(this.region + off) >>> 3];
    return {
      live: this.live,
      capacity: this.capacity,
      frames: f(F.FT_ST_FRAMES),
      skipped: f(F.FT_ST_SKIPPED),
      created: f(F.FT_ST_CREATED),
      idle: f(F.FT_ST_IDLE),
      evicted: f(F.FT_ST_EVICTED),
      failed: f(F.FT_ST_FAILED),
      active: f(F.FT_ST_ACTIVE),
      reused: f(F.FT_ST_REUSED),
      flushed: f(F.FT_ST_FLUSHED),
      rstIgnored: f(F.FT_ST_RST_IGNORED),
    };
  }
}
