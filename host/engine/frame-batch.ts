// A batch of frames in the shared memory: a frame table (layout FRAME_*), a descriptor
// array (DESC_SIZE each) and a data area that frames can be copied into. Frames can also
// be referenced where they already are (a ring slot, a file chunk) with no copy.
import type { Arena } from '../runtime/arena.js';
import type { MemoryViews } from '../runtime/memory.js';
import { PktError } from '../runtime/errors.js';
import {
  DESC_SIZE, FRAME_CAPLEN, FRAME_LINKTYPE, FRAME_PTR, FRAME_SIZE, FRAME_W_CAPLEN, FRAME_W_LINK, FRAME_W_PTR,
  FRAME_W_WIRELEN, FRAME_WIRELEN, LINKTYPE_ETHERNET, TIME_NSEC, TIME_SEC, TIME_SIZE, TIME_W_NSEC, TIME_W_SEC,
} from '../runtime/layout.js';

/** Frames in the shared memory: a frame table, their descriptors once dissected, their
 *  timestamps and a data area frames can be copied into (or referenced where they lie). */
export class FrameBatch {
  readonly capacity: number;
  readonly dataBytes: number;
  /** Address of the frame table. */
  readonly table: number;
  /** Address of the first descriptor. */
  readonly descs: number;
  /** Address of the data area. */
  readonly data: number;
  /** Address of the per-frame timestamps (TIME_SIZE each: sec u32, nsec u32). */
  readonly times: number;
  count = 0;
  /** Address of the application record of frame 0 when the batch was dissected with its
   *  application layer (host/app/app-area.ts dissectApp: record i at apps + i * APP_SIZE),
   *  else 0. */
  apps = 0;
  private dataUsed = 0;
  private readonly views: MemoryViews;

  constructor(arena: Arena, capacity: number, dataBytes = capacity * 2048) {
    if (capacity <= 0 || !Number.isInteger(capacity)) throw new PktError('E_BAD_ARGUMENT', `batch: bad capacity ${capacity}`);
    this.capacity = capacity;
    this.dataBytes = dataBytes;
    this.table = arena.alloc(capacity * FRAME_SIZE);
    this.descs = arena.alloc(capacity * DESC_SIZE);
    this.data = arena.alloc(dataBytes);
    this.times = arena.alloc(capacity * TIME_SIZE);
    this.views = arena.views;
  }

  clear(): void {
    this.count = 0;
    this.apps = 0;
    this.dataUsed = 0;
  }

  /** Bytes still free in the data area. */
  get dataFree(): number {
    return this.dataBytes - this.dataUsed;
  }

  /** Copies a frame into the data area; false when the batch or its data area is full. */
  push(bytes: Uint8Array, linktype = LINKTYPE_ETHERNET, wirelen = bytes.length, iface = 0): boolean {
    if (this.count >= this.capacity || bytes.length > this.dataBytes - this.dataUsed) return false;
    const ptr = this.data + this.dataUsed;
    const v = this.views.refresh();
    v.u8.set(bytes, ptr);
    this.dataUsed += (bytes.length + 15) & ~15; // keep frames 16-byte aligned for SIMD loads
    if (this.dataUsed > this.dataBytes) this.dataUsed = this.dataBytes;
    this.setEntry(this.count++, ptr, bytes.length, wirelen, linktype, iface);
    return true;
  }

  /** References a frame already in the shared memory. */
  pushRef(ptr: number, caplen: number, wirelen = caplen, linktype = LINKTYPE_ETHERNET, iface = 0): boolean {
    if (this.count >= this.capacity) return false;
    this.setEntry(this.count++, ptr, caplen, wirelen, linktype, iface);
    return true;
  }

  private setEntry(i: number, ptr: number, caplen: number, wirelen: number, linktype: number, iface: number): void {
    const v = this.views.refresh();
    const e = (this.table + i * FRAME_SIZE) >>> 2;
    v.u32[e + FRAME_W_PTR] = ptr;
    v.u32[e + FRAME_W_CAPLEN] = caplen;
    v.u32[e + FRAME_W_WIRELEN] = wirelen;
    v.u32[e + FRAME_W_LINK] = (linktype & 0xFFFF) | ((iface & 0xFFFF) << 16);
  }

  /** Sets frame i's capture time. */
  setTime(i: number, sec: number, nsec: number): void {
    const v = this.views.refresh();
    const t = (this.times + i * TIME_SIZE) >>> 2;
    v.u32[t + TIME_W_SEC] = sec;
    v.u32[t + TIME_W_NSEC] = nsec;
  }

  /** The u32 at byte `field` of frame i's timestamp entry. */
  private timeField(i: number, field: number): number {
    return this.views.refresh().u32[(this.times + i * TIME_SIZE + field) >>> 2];
  }

  /** The u32 at byte `field` of frame i's frame-table entry. */
  private frameField(i: number, field: number): number {
    return this.views.refresh().u32[(this.table + i * FRAME_SIZE + field) >>> 2];
  }

  timeSec(i: number): number { return this.timeField(i, TIME_SEC); }
  timeNsec(i: number): number { return this.timeField(i, TIME_NSEC); }
  framePtr(i: number): number { return this.frameField(i, FRAME_PTR); }
  caplen(i: number): number { return this.frameField(i, FRAME_CAPLEN); }
  wirelen(i: number): number { return this.frameField(i, FRAME_WIRELEN); }

  linktype(i: number): number {
    return this.views.refresh().u16[(this.table + i * FRAME_SIZE + FRAME_LINKTYPE) >>> 1];
  }

  /** A view (not a copy) of frame i's captured bytes. */
  frameBytes(i: number): Uint8Array {
    const ptr = this.framePtr(i);
    return this.views.u8.subarray(ptr, ptr + this.caplen(i));
  }

  descAt(i: number): number {
    return this.descs + i * DESC_SIZE;
  }
}
