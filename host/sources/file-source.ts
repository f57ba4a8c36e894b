// File source. pcap files are read straight into ring slots, 1 MiB at a time, cut at the
// last whole record (pcap_scan, in the engine) and published as SF_PCAP_CHUNK slots that
// the reader indexes in place: read(2) is the one copy. pcapng is walked by
// CaptureFileReader and repacked into the same chunk form (little-endian, nanosecond
// records), one link type per slot. Once started it fills the ring from this thread's
// event loop, a few slots per turn, and awaits free slots (Atomics.waitAsync) when the
// ring is full: it never drops, and never blocks the thread, so its reader may be a
// worker (the sniffer) or this very thread (the library's capture()).
import { closeSync, readSync } from 'node:fs';
import type { Engine } from '../engine/engine.js';
import { FrameRing } from '../ring/frame-ring.js';
import type { MemoryViews } from '../runtime/memory.js';
import { exportsOf } from '../engine/backend.js';
import { PCAP, type PcapExports } from '../pcap/exports.js';
import { PktError } from '../runtime/errors.js';
import { CaptureFileReader, type CaptureFileInfo } from './capture-file.js';
import { ringSpace } from './ring-async.js';
import type { RingShape, Source, SourceEvent, SourceStats } from './source.js';
import {
  CHUNK_DATA_LEN, CHUNK_RECORDS, CHUNK_WIRE_BYTES, PCAP_MAX_CAPLEN, PCAP_REC_HDR, RING_TAIL, SF_BIG_ENDIAN,
  SF_MICRO, SF_PCAP_CHUNK, SLOT_DATA, SLOT_FLAGS, SLOT_LINKTYPE,
} from '../runtime/layout.js';

/** Bytes read per slot: sized to stay in L2 while the consumer walks it. */
export const FILE_CHUNK_BYTES = 1 << 20;
/** A chunk slot must hold the largest record plus a read's worth. */
export const FILE_SLOT_BYTES = PCAP_MAX_CAPLEN + PCAP_REC_HDR + FILE_CHUNK_BYTES;
/** Slots filled per event-loop turn before yielding (signals, worker messages). */
const SLOTS_PER_TURN = 32;

type PumpResult = 'more' | 'full' | 'done';

export class FileSource implements Source {
  readonly kind = 'file' as const;
  readonly slotFormat = 'chunks' as const;
  readonly filtersInKernel = false;
  readonly ringShape: RingShape = { slots: 8, slotPayload: FILE_SLOT_BYTES };
  readonly path: string;
  readonly info: CaptureFileInfo;
  readonly fileSize: number;
  /** Set when the walk stopped at damage: every good record before it was published. */
  error: PktError | null = null;
  recordsPublished = 0;
  readonly ended: Promise<void>;
  private readonly engine: Engine;
  private readonly views: MemoryViews;
  private readonly pcap: PcapExports;
  private ring: FrameRing | null = null;
  private endedResolve!: () => void;
  private stopping = false;
  private fd = -1;
  private filePos = 24;
  private carry: Uint8Array | null = null;
  private eof = false;
  private ng: CaptureFileReader | null = null;
  private finished = false;
  private finishedEarly = false;
  private sequential = false;

  /** Opens the file and reads its header (a pcapng file: up to its first packet, so that
   *  the link type is known); a PktError if it is not a readable capture. */
  constructor(engine: Engine, path: string) {
    this.path = path;
    this.engine = engine;
    this.views = engine.views;
    this.pcap = exportsOf(engine, PCAP);
    this.ended = new Promise<void>((r) => { this.endedResolve = r; });
    const probe = new CaptureFileReader(path);
    this.info = probe.info;
    this.fileSize = probe.fileSize;
    if (this.info.format === 'pcapng') {
      this.ng = probe;
      // Read up to the first packet so that the interfaces (link type, resolution) are
      // known before anything is set up downstream; that packet waits its turn.
      try {
        const first = probe.next();
        if (first !== null) this.pendingRecord = { ...first, data: first.data.slice() };
        else this.finishedEarly = true;
      } catch (e) {
        if (!(e instanceof PktError)) throw e;
        this.error = e;
        this.finishedEarly = true;
      }
    } else {
      // Go on from the probe's descriptor with what it buffered past the 24-byte header:
      // standard input cannot be opened a second time.
      const rest = probe.detach();
      this.fd = rest.fd;
      this.sequential = probe.sequential;
      this.filePos = rest.nextOffset;
      if (rest.buffered.length > 0) this.carry = rest.buffered;
    }
  }

  get linktype(): number {
    return Math.max(0, this.info.linktype);
  }

  /** The file's snapshot length (0 when it does not say). */
  get snaplen(): number {
    return this.info.snaplen;
  }

  get nanosecond(): boolean {
    return this.info.nanosecond;
  }

  /** Bytes of the file consumed so far (progress). */
  get bytesRead(): number {
    return this.ng ? this.ng.bytesConsumed : this.filePos;
  }

  start(memory: WebAssembly.Memory, ring: number, onWake?: (ev: SourceEvent) => void): void {
    if (this.ring !== null) throw new PktError('E_BAD_ARGUMENT', `${this.path}: file source already started`);
    if (memory !== this.engine.memory) throw new PktError('E_BAD_ARGUMENT', `${this.path}: the ring must be in the engine's memory`);
    const r = FrameRing.attach(this.engine, ring);
    this.ring = r;
    void this.run(r, onWake);
  }

  /** Fills the ring until the file ends, is damaged, or close() is called. */
  private async run(ring: FrameRing, onWake?: (ev: SourceEvent) => void): Promise<void> {
    try {
      while (!this.stopping) {
        const r = this.pump(SLOTS_PER_TURN);
        if (r === 'done') break;
        if (r === 'full') await ringSpace(ring, 100);
        else await new Promise<void>((res) => setImmediate(res));
      }
    } catch (e) {
      this.error = e instanceof PktError ? e : new PktError('E_IO', `${this.path}: ${(e as Error).message}`);
    } finally {
      this.finish();
      ring.close();
      onWake?.('end');
      this.endedResolve();
    }
  }

  /** Fills up to `maxSlots` free slots. 'full' when the ring has no free slot. */
  private pump(maxSlots: number): PumpResult {
    if (this.finished) return 'done';
    if (this.finishedEarly) {
      this.finish();
      return 'done';
    }
    const ring = this.ring!;
    for (let k = 0; k < maxSlots && !this.stopping; k++) {
      const slot = ring.core.ring_slot_for_write(ring.address, 0);
      if (slot === 0) return 'full';
      const more = this.ng ? this.fillPcapng(slot) : this.fillPcap(slot);
      if (!more) {
        this.finish();
        return 'done';
      }
    }
    return 'more';
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.ng?.close();
  }

  stats(): SourceStats {
    return { captured: this.recordsPublished, received: null, droppedKernel: null, droppedIface: null, droppedRing: 0 };
  }

  /** Stops reading (what is in the ring stays there); resolves once the ring is closed. */
  async close(): Promise<SourceStats> {
    this.stopping = true;
    const ring = this.ring;
    if (ring === null) {
      this.finish();
      this.endedResolve();
    } else {
      // Wake a run() waiting for a free slot: it sees `stopping` and ends.
      Atomics.notify(this.views.refresh().i32, (ring.address + RING_TAIL) >>> 2);
    }
    await this.ended;
    return this.stats();
  }

  private publish(slot: number, bytes: number, records: number, flags: number, linktype: number, wireBytes: number): void {
    const v = this.views.refresh();
    v.u32[(slot + CHUNK_DATA_LEN) >>> 2] = bytes;
    v.u32[(slot + CHUNK_RECORDS) >>> 2] = records;
    v.f64[(slot + CHUNK_WIRE_BYTES) >>> 3] = wireBytes;
    v.u32[(slot + SLOT_FLAGS) >>> 2] = flags;
    v.u16[(slot + SLOT_LINKTYPE) >>> 1] = linktype;
    this.recordsPublished += records;
    this.ring!.publish(1);
  }

  /** One pcap chunk into `slot`; false when the file is exhausted (or damaged). */
  private fillPcap(slot: number): boolean {
    if (this.eof && this.carry === null) return false;
    const data = slot + SLOT_DATA;
    const room = this.ring!.slotPayload;
    let have = 0;
    const u8 = this.views.refresh().u8;
    if (this.carry !== null) {
      u8.set(this.carry, data);
      have = this.carry.length;
      this.carry = null;
    }
    const big = this.info.bigEndian ? 1 : 0;
    const flags = SF_PCAP_CHUNK | (big ? SF_BIG_ENDIAN : 0) | (this.info.nanosecond ? 0 : SF_MICRO);
    const chunkStart = this.filePos - have;
    let complete = 0;
    for (;;) {
      if (!this.eof) {
        const want = Math.min(FILE_CHUNK_BYTES, room - have);
        const got = want > 0 ? readSync(this.fd, u8, data + have, want, this.sequential ? null : this.filePos) : 0;
        if (got === 0 && want > 0) this.eof = true;
        this.filePos += got;
        have += got;
      }
      complete = this.pcap.pcap_scan(data, have, big);
      if (this.pcap.pcap_scan_bad() !== 0) {
        const count = this.pcap.pcap_scan_count();
        if (complete > 0) this.publish(slot, complete, count, flags, this.info.linktype, this.pcap.pcap_scan_bytes());
        this.error = new PktError('E_BAD_CAPTURE', `${this.path}: corrupt packet header at byte offset ${chunkStart + complete} (captured length beyond ${PCAP_MAX_CAPLEN}); ${this.recordsPublished} good packets before it`);
        return false;
      }
      // Need more bytes for even one record? Read on (a record can be up to 1 MiB).
      if (complete === 0 && !this.eof && have < room) continue;
      break;
    }
    const count = this.pcap.pcap_scan_count();
    if (complete > 0) this.publish(slot, complete, count, flags, this.info.linktype, this.pcap.pcap_scan_bytes());
    if (have > complete) {
      if (this.eof) {
        this.error = new PktError('E_TRUNCATED_CAPTURE', `${this.path}: truncated packet at byte offset ${chunkStart + complete} (${have - complete} bytes left of a record); ${this.recordsPublished} good packets before it`);
        return false;
      }
      this.carry = u8.slice(data + complete, data + have);
    }
    return !(this.eof && this.carry === null);
  }

  /** pcapng records repacked into one chunk (one link type per slot). */
  private fillPcapng(slot: number): boolean {
    const rd = this.ng!;
    const data = slot + SLOT_DATA;
    const room = this.ring!.slotPayload;
    let used = 0;
    let records = 0;
    let wireBytes = 0;
    let linktype = -1;
    let more = true;
    const pending = this.pendingRecord;
    const put = (tsSec: number, tsNsec: number, caplen: number, wirelen: number, bytes: Uint8Array): void => {
      const v = this.views.refresh();
      const o = data + used;
      v.dv.setUint32(o, tsSec, true);
      v.dv.setUint32(o + 4, tsNsec, true);
      v.dv.setUint32(o + 8, caplen, true);
      v.dv.setUint32(o + 12, wirelen, true);
      v.u8.set(bytes.subarray(0, caplen), o + PCAP_REC_HDR);
      used += PCAP_REC_HDR + caplen;
      records++;
      wireBytes += wirelen;
    };
    if (pending !== null) {
      linktype = pending.linktype;
      put(pending.tsSec, pending.tsNsec, pending.caplen, pending.wirelen, pending.data);
      this.pendingRecord = null;
    }
    try {
      for (;;) {
        const r = rd.next();
        if (r === null) { more = false; break; }
        if (r.caplen > PCAP_MAX_CAPLEN) throw new PktError('E_BAD_CAPTURE', `${this.path}: packet ${r.number} is larger than ${PCAP_MAX_CAPLEN} bytes`);
        if ((linktype >= 0 && r.linktype !== linktype) || used + PCAP_REC_HDR + r.caplen > room) {
          this.pendingRecord = { ...r, data: r.data.slice() };
          break;
        }
        linktype = r.linktype;
        put(r.tsSec, r.tsNsec, r.caplen, r.wirelen, r.data);
      }
    } catch (e) {
      if (!(e instanceof PktError)) throw e;
      this.error = e;
      more = false;
    }
    if (records > 0) this.publish(slot, used, records, SF_PCAP_CHUNK, linktype, wireBytes);
    return more || this.pendingRecord !== null;
  }

  private pendingRecord: { tsSec: number; tsNsec: number; caplen: number; wirelen: number; linktype: number; data: Uint8Array } | null = null;
}
