// -w FILE on the sniffer's fast path: records are assembled by the engine (pcap_write)
// into an output buffer in the shared memory, then written with one writeSync per
// MiB. Only whole records are ever written, so the file is valid whenever we stop.
import { closeSync } from 'node:fs';
import { writeAll } from '../sinks/write-all.js';
import type { Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import { exportsOf } from '../engine/backend.js';
import { PCAP, type PcapExports } from '../pcap/exports.js';
import { PktError, fileError } from '../runtime/errors.js';
import { PCAP_HEADER_BYTES, writePcapHeader } from '../sinks/pcap-writer.js';
import { openCaptureOutput } from '../sinks/output-file.js';
import type { BatchInfo, BatchStage } from '../stage/batch-stage.js';
import { PCAP_MAX_CAPLEN, PCAP_REC_HDR, SF_BIG_ENDIAN, SF_MICRO } from '../runtime/layout.js';

/** Sized for the largest record a source accepts (header + PCAP_MAX_CAPLEN bytes): a
 *  1 MiB buffer could never take a record of 1,048,561+ bytes, and the loop below spun. */
const OUT_BYTES = Math.max(1 << 20, PCAP_REC_HDR + PCAP_MAX_CAPLEN);

export interface PcapOutOptions {
  path: string;
  linktype: number;
  /** The header's snapshot length (the input's, or -s). */
  snaplen: number;
  /** Cut records to this many bytes (-s); 0 keeps them whole. */
  cut: number;
  nanosecond: boolean;
}

export class PcapOut implements BatchStage {
  readonly needsDissect = false;
  private readonly fd: number;
  private readonly engine: Engine;
  private readonly pcap: PcapExports;
  private readonly out: number;
  private readonly usedPtr: number;
  private readonly opts: PcapOutOptions;
  private closed = false;

  constructor(engine: Engine, opts: PcapOutOptions) {
    this.engine = engine;
    this.pcap = exportsOf(engine, PCAP);
    this.opts = opts;
    try {
      this.fd = opts.path === '-' ? 1 : openCaptureOutput(opts.path);
    } catch (e) {
      throw e instanceof PktError ? e : fileError(e, opts.path);
    }
    this.out = engine.arena.alloc(OUT_BYTES + 64);
    this.usedPtr = this.out + OUT_BYTES;
    const hdr = new Uint8Array(PCAP_HEADER_BYTES);
    writePcapHeader(new DataView(hdr.buffer), 0, opts.linktype, opts.snaplen, opts.nanosecond);
    writeAll(this.fd, hdr);
  }

  process(batch: FrameBatch, select: number, info: BatchInfo): void {
    let i = 0;
    const sel = info.filtered ? select : 0;
    const micro = this.opts.nanosecond ? 0 : 1;
    while (i < batch.count) {
      const from = i;
      const emptyBefore = this.used === 0;
      i = this.pcap.pcap_write(batch.table, batch.times, i, batch.count, sel, this.opts.cut > 0 ? this.opts.cut : 0xFFFFFFFF, micro, this.out, OUT_BYTES, this.usedPtr);
      // An empty buffer that takes nothing never will: an error, not a spin.
      if (i === from && emptyBefore) {
        throw new PktError('E_BAD_CAPTURE', `${this.opts.path}: record ${info.firstRecord + i} does not fit the ${OUT_BYTES}-byte output buffer`);
      }
      if (i < batch.count) this.flush();
    }
  }

  private get used(): number {
    return this.engine.views.refresh().u32[this.usedPtr >>> 2];
  }

  /** True when a chunk of pcap records with these slot flags can be written as it is:
   *  little-endian, our timestamp precision, our link type, and nothing to cut. */
  acceptsChunk(flags: number, linktype: number): boolean {
    return (flags & SF_BIG_ENDIAN) === 0 && ((flags & SF_MICRO) !== 0) === !this.opts.nanosecond
      && linktype === this.opts.linktype && this.opts.cut === 0;
  }

  /** Writes a chunk of whole records straight from its ring slot (no copy). */
  writeChunk(ptr: number, len: number): void {
    this.flush();
    const u8 = this.engine.views.refresh().u8;
    writeAll(this.fd, u8, ptr, len);
  }

  flush(): void {
    const used = this.used;
    if (used > 0) {
      const u8 = this.engine.views.u8;
      writeAll(this.fd, u8, this.out, used);
      this.engine.views.u32[this.usedPtr >>> 2] = 0;
    }
  }

  finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    if (this.fd !== 1) closeSync(this.fd);
  }
}
