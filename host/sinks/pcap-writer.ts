// Streaming pcap writer (the classic libpcap format, little-endian, as libpcap writes it
// on this machine). The 24-byte file header is written to the descriptor at once, when
// the writer is created, so even an empty capture is a valid file. Records are copied
// into a 1 MiB buffer (TypedArray.set, no Buffer per packet) and the buffer is written
// with fs.writeSync only between whole records: after flush() the file is always a
// complete, valid capture. That is what makes -w safe under SIGINT/SIGTERM: the sniffer's
// signal handler calls flush() and close(), both synchronous, and exits.
import { PktError } from '../runtime/errors.js';
import { openCaptureOutput } from './output-file.js';
import { CaptureWriter } from './capture-writer.js';
import { linktypeName } from './text/linktype-names.js';

export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
export const PCAP_HEADER_BYTES = 24;
export const PCAP_RECORD_HEADER_BYTES = 16;
/** libpcap's MAXIMUM_SNAPLEN: the default when the caller gives none. */
export const DEFAULT_SNAPLEN = 262144;

/** Writes the 24-byte pcap file header (little-endian, version 2.4) at `pos`. */
export function writePcapHeader(v: DataView, pos: number, linktype: number, snaplen: number, nanosecond: boolean): void {
  v.setUint32(pos, nanosecond ? PCAP_MAGIC_NANO : PCAP_MAGIC_MICRO, true);
  v.setUint16(pos + 4, 2, true);
  v.setUint16(pos + 6, 4, true);
  v.setInt32(pos + 8, 0, true); // thiszone
  v.setUint32(pos + 12, 0, true); // sigfigs
  v.setUint32(pos + 16, snaplen, true);
  v.setUint32(pos + 20, linktype, true);
}

export interface PcapWriterOptions {
  linktype: number;
  /** Header snaplen; records longer than it are cut to it (what -s means). */
  snaplen?: number;
  /** Nanosecond magic (a1b23c4d) instead of microseconds. */
  nanosecond?: boolean;
  bufferBytes?: number;
}

/** Streaming pcap writer (one link type per file); the file is valid after every flush(). */
export class PcapWriter extends CaptureWriter {
  readonly linktype: number;
  readonly snaplen: number;
  readonly nanosecond: boolean;

  /** Writes to an open descriptor (stdout: fd 1); `ownsFd` closes it on close(). */
  constructor(fd: number, opts: PcapWriterOptions, ownsFd = false) {
    super(fd, opts.bufferBytes, ownsFd);
    this.linktype = opts.linktype & 0xFFFF;
    this.snaplen = opts.snaplen && opts.snaplen > 0 ? opts.snaplen >>> 0 : DEFAULT_SNAPLEN;
    this.nanosecond = opts.nanosecond === true;
    const o = this.out;
    writePcapHeader(this.out.view(PCAP_HEADER_BYTES), o.pos, this.linktype, this.snaplen, this.nanosecond);
    o.pos += PCAP_HEADER_BYTES;
    o.flush();
  }

  /** Creates (truncates) `path` and writes the header. */
  static open(path: string, opts: PcapWriterOptions): PcapWriter {
    return new PcapWriter(openCaptureOutput(path), opts, true); // its errors are PktErrors already
  }

  /** Appends one record. `bytes` holds at least `caplen` bytes (only those are written).
   *  A pcap file has one link type: a record of another type is refused with a PktError
   *  naming both (write pcapng for mixed captures). */
  writeRecord(tsSec: number, tsNsec: number, caplen: number, wirelen: number, bytes: Uint8Array, linktype = this.linktype): void {
    this.writeRecordAt(tsSec, tsNsec, caplen, wirelen, bytes, 0, linktype);
  }

  /** The same with the frame at `start` in `bytes` (e.g. a Buffer over the shared memory:
   *  copied with Buffer.copy, no per-packet view). */
  writeRecordAt(tsSec: number, tsNsec: number, caplen: number, wirelen: number, bytes: Uint8Array, start: number, linktype = this.linktype): void {
    if (linktype !== this.linktype) this.rejectLinktype(linktype);
    let n = caplen < bytes.length - start ? caplen : bytes.length - start;
    if (n > this.snaplen) n = this.snaplen;
    const v = this.out.view(PCAP_RECORD_HEADER_BYTES + n);
    const o = this.out;
    const p = o.pos;
    v.setUint32(p, tsSec >>> 0, true);
    v.setUint32(p + 4, this.nanosecond ? tsNsec >>> 0 : Math.floor(tsNsec / 1000), true);
    v.setUint32(p + 8, n, true);
    v.setUint32(p + 12, wirelen >>> 0, true);
    o.pos = p + PCAP_RECORD_HEADER_BYTES;
    o.copyFrom(bytes, start, n);
    this.packets++;
  }

  private rejectLinktype(linktype: number): never {
    throw new PktError('E_UNKNOWN_LINKTYPE',
      `pcap output holds one link type (${linktypeName(this.linktype)}) but packet ${this.packets + 1} is ${linktypeName(linktype)}: write pcapng (--pcapng) for captures with several link types`);
  }
}
