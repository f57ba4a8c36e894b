// The sinks the sniffer's pipeline writes to: tcpdump-style text, JSON lines, pcap and
// pcapng. One small interface; each call hands over a dissected batch and the sink writes
// every frame (or those a filter kept) into its 1 MiB buffer, then one write(2) per batch
// for the text sinks (so live output appears as it comes) and per megabyte for files.
//
// Shutdown on SIGINT/SIGTERM: flush() then close(), both synchronous; after flush() a
// capture file holds whole records only, so it is valid whenever the process stops.
import type { FrameBatch } from '../engine/frame-batch.js';
import type { MemoryViews } from '../runtime/memory.js';
import type { PacketView } from '../dissect/packet-view.js';
import { FRAME_SIZE, FRAME_W_CAPLEN, FRAME_W_LINK, FRAME_W_PTR, FRAME_W_WIRELEN, TIME_SIZE, TIME_W_NSEC, TIME_W_SEC } from '../runtime/layout.js';
import { MemoryBytes, TextLikeSink } from './line-sink.js';
import { TextFormatter, type TextOptions } from './text/format.js';
import { PcapWriter, type PcapWriterOptions } from './pcap-writer.js';
import { PcapngWriter, type PcapngWriterOptions } from './pcapng-writer.js';

/** Where the pipeline writes frames: text, JSON lines, pcap or pcapng. */
export interface PacketSink {
  /** Writes the frames of a dissected batch. Frame i is written when `keep` is absent or
   *  keep[i] !== 0; written frames are numbered firstNumber, firstNumber + 1, ... (tcpdump's
   *  -# counts the packets it prints). Returns how many were written. */
  writeBatch(batch: FrameBatch, view: PacketView, firstNumber: number, keep?: Uint8Array | null): number;
  /** Writes everything buffered. */
  flush(): void;
  /** Flushes and releases the descriptor (if the sink opened it). */
  close(): void;
  /** Packets written so far. */
  readonly packets: number;
}

// --json's sink lives in its own module (./json-sink.ts) so that a --json run does not load
// the text formatter; it is re-exported here for the library and the tests.
export { JsonSink } from './json-sink.js';

/** tcpdump-style lines to a descriptor (1 = stdout). */
export class TextSink extends TextLikeSink {
  readonly formatter: TextFormatter;
  constructor(views: MemoryViews, fd: number, opts: TextOptions = {}, ownsFd = false, flushEachBatch = true) {
    super(views, fd, ownsFd, flushEachBatch);
    this.formatter = new TextFormatter(this.out, opts);
  }
  protected one(view: PacketView, m: Uint8Array, sec: number, nsec: number, number: number): void {
    this.formatter.format(view, m, sec, nsec, number);
  }
}

/** The writer surface both capture-file sinks drive. */
interface RecordWriter {
  readonly packets: number;
  writeRecordAt(sec: number, nsec: number, caplen: number, wirelen: number, m: Uint8Array, at: number, linktype: number, iface?: number): void;
  flush(): void;
  close(): void;
}

/** Copies the kept frames of a batch into a capture-file writer, reading the frame table
 *  directly (no view object per packet). */
abstract class RecordSink<W extends RecordWriter> implements PacketSink {
  readonly writer: W;
  private readonly mem: MemoryBytes;
  constructor(views: MemoryViews, writer: W) {
    this.writer = writer;
    this.mem = new MemoryBytes(views);
  }
  get packets(): number { return this.writer.packets; }
  writeBatch(batch: FrameBatch, _view: PacketView, _firstNumber: number, keep?: Uint8Array | null): number {
    const m = this.mem.get();
    const u32 = this.mem.views.u32;
    let n = 0;
    for (let i = 0; i < batch.count; i++) {
      if (keep && keep[i] === 0) continue;
      const e = (batch.table + i * FRAME_SIZE) >>> 2;
      const t = (batch.times + i * TIME_SIZE) >>> 2;
      const lw = u32[e + FRAME_W_LINK]; // link type in the low half, interface index in the high half
      this.writer.writeRecordAt(u32[t + TIME_W_SEC], u32[t + TIME_W_NSEC], u32[e + FRAME_W_CAPLEN], u32[e + FRAME_W_WIRELEN], m,
        u32[e + FRAME_W_PTR], lw & 0xFFFF, lw >>> 16);
      n++;
    }
    return n;
  }
  flush(): void { this.writer.flush(); }
  close(): void { this.writer.close(); }
}

/** -w FILE: pcap. A frame of another link type than the file's throws a PktError
 *  (E_UNKNOWN_LINKTYPE) that says to use --pcapng. */
export class PcapSink extends RecordSink<PcapWriter> {
  static open(views: MemoryViews, path: string, opts: PcapWriterOptions): PcapSink {
    return new PcapSink(views, PcapWriter.open(path, opts));
  }
}

/** -w FILE --pcapng: one IDB per (link type, interface). */
export class PcapngSink extends RecordSink<PcapngWriter> {
  static open(views: MemoryViews, path: string, opts: PcapngWriterOptions = {}): PcapngSink {
    return new PcapngSink(views, PcapngWriter.open(path, opts));
  }
}
