// Streaming pcapng writer: one Section Header Block, an Interface Description Block the
// first time each (link type, interface) pair appears, and an Enhanced Packet Block per
// record. Unlike pcap it can hold captures mixing link types (pcapng inputs with several
// IDBs, or a sniffer on several interfaces). Timestamps are written in nanoseconds
// (if_tsresol = 9) when asked, else in microseconds (the pcapng default, no option).
// Same buffering and signal-safety contract as PcapWriter: the SHB is written at open,
// flush() writes whole blocks only, so the file is valid whenever flush() returns.
import { openCaptureOutput } from './output-file.js';
import { CaptureWriter } from './capture-writer.js';
import { DEFAULT_SNAPLEN } from './pcap-writer.js';

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 1;
const BT_EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_ENDOFOPT = 0;
const OPT_IF_NAME = 2;
const OPT_IF_TSRESOL = 9;

export interface PcapngWriterOptions {
  /** The snapshot length the interface blocks declare (default 262144). */
  snaplen?: number;
  /** Records are cut to this many bytes; 0: written whole. Default: the snaplen. (sniff
   *  declares the source's snaplen and cuts only for -s, as tcpdump -w does.) */
  cutAt?: number;
  nanosecond?: boolean;
  bufferBytes?: number;
  /** Interface names by interface index (if_name options), e.g. from the source. */
  interfaceNames?: readonly string[];
  /** Declares interface 0 with this link type at open, so that a capture that ends
   *  with no packets still has an IDB (tcpdump refuses a pcapng without one). */
  linktype?: number;
}

/** Streaming pcapng writer: mixed link types and interfaces; valid after every flush(). */
export class PcapngWriter extends CaptureWriter {
  readonly snaplen: number;
  readonly cutAt: number;
  readonly nanosecond: boolean;
  /** (linktype << 16 | iface) -> IDB index in this section. */
  private readonly idbs = new Map<number, number>();
  private readonly names: readonly string[];
  private lastKey = -1;
  private lastIdb = 0;

  constructor(fd: number, opts: PcapngWriterOptions = {}, ownsFd = false) {
    super(fd, opts.bufferBytes, ownsFd);
    this.snaplen = opts.snaplen && opts.snaplen > 0 ? opts.snaplen >>> 0 : DEFAULT_SNAPLEN;
    this.cutAt = opts.cutAt === undefined ? this.snaplen : opts.cutAt > 0 ? opts.cutAt >>> 0 : 0x7fffffff;
    this.nanosecond = opts.nanosecond === true;
    this.names = opts.interfaceNames ?? [];
    const v = this.out.view(28);
    const p = this.out.pos;
    v.setUint32(p, BT_SHB, true);
    v.setUint32(p + 4, 28, true);
    v.setUint32(p + 8, BYTE_ORDER_MAGIC, true);
    v.setUint16(p + 12, 1, true);
    v.setUint16(p + 14, 0, true);
    v.setInt32(p + 16, -1, true); // section length unknown (we stream)
    v.setInt32(p + 20, -1, true);
    v.setUint32(p + 24, 28, true);
    this.out.pos += 28;
    if (opts.linktype !== undefined) this.idbFor(opts.linktype, 0);
    this.out.flush();
  }

  static open(path: string, opts: PcapngWriterOptions = {}): PcapngWriter {
    return new PcapngWriter(openCaptureOutput(path), opts, true); // its errors are PktErrors already
  }

  /** IDB index for (linktype, iface), writing the block the first time. */
  private idbFor(linktype: number, iface: number): number {
    const key = ((linktype & 0xFFFF) * 65536) + (iface & 0xFFFF);
    if (key === this.lastKey) return this.lastIdb;
    let idx = this.idbs.get(key);
    if (idx === undefined) {
      idx = this.idbs.size;
      this.idbs.set(key, idx);
      this.writeIdb(linktype, iface);
    }
    this.lastKey = key;
    this.lastIdb = idx;
    return idx;
  }

  private writeIdb(linktype: number, iface: number): void {
    const name = this.names[iface] ?? '';
    const nameBytes = name === '' ? null : new TextEncoder().encode(name);
    let len = 20 + 4; // header, linktype, reserved, snaplen, endofopt option, trailer
    if (nameBytes) len += 4 + ((nameBytes.length + 3) & ~3);
    if (this.nanosecond) len += 8;
    const v = this.out.view(len);
    const b = this.out.buf;
    let p = this.out.pos;
    b.fill(0, p, p + len);
    v.setUint32(p, BT_IDB, true);
    v.setUint32(p + 4, len, true);
    v.setUint16(p + 8, linktype & 0xFFFF, true);
    v.setUint32(p + 12, this.snaplen, true);
    p += 16;
    if (nameBytes) {
      v.setUint16(p, OPT_IF_NAME, true);
      v.setUint16(p + 2, nameBytes.length, true);
      b.set(nameBytes, p + 4);
      p += 4 + ((nameBytes.length + 3) & ~3);
    }
    if (this.nanosecond) {
      v.setUint16(p, OPT_IF_TSRESOL, true);
      v.setUint16(p + 2, 1, true);
      b[p + 4] = 9;
      p += 8;
    }
    v.setUint16(p, OPT_ENDOFOPT, true);
    v.setUint16(p + 2, 0, true);
    v.setUint32(p + 4, len, true);
    this.out.pos += len;
  }

  /** Appends one packet as an EPB on the IDB of (linktype, iface). */
  writeRecord(tsSec: number, tsNsec: number, caplen: number, wirelen: number, bytes: Uint8Array, linktype: number, iface = 0): void {
    this.writeRecordAt(tsSec, tsNsec, caplen, wirelen, bytes, 0, linktype, iface);
  }

  /** The same with the frame at `start` in `bytes` (Buffer.copy from a Buffer source). */
  writeRecordAt(tsSec: number, tsNsec: number, caplen: number, wirelen: number, bytes: Uint8Array, start: number, linktype: number, iface = 0): void {
    const idb = this.idbFor(linktype, iface);
    let n = caplen < bytes.length - start ? caplen : bytes.length - start;
    if (n > this.cutAt) n = this.cutAt;
    const padded = (n + 3) & ~3;
    const len = 32 + padded;
    const v = this.out.view(len);
    const b = this.out.buf;
    const p = this.out.pos;
    // 64-bit timestamp in units of 1e-9 or 1e-6 s, split exactly without BigInt:
    // sec*unit = (sh*65536 + sl)*unit, each partial product below 2^53.
    const unit = this.nanosecond ? 1e9 : 1e6;
    const frac = this.nanosecond ? tsNsec >>> 0 : Math.floor(tsNsec / 1000);
    const sec = tsSec >>> 0;
    const y = (sec >>> 16) * unit;
    const yLo = y % 65536;
    let lo = yLo * 65536 + (sec & 0xFFFF) * unit + frac;
    const carry = Math.floor(lo / 4294967296);
    lo -= carry * 4294967296;
    const hi = (y - yLo) / 65536 + carry;
    v.setUint32(p, BT_EPB, true);
    v.setUint32(p + 4, len, true);
    v.setUint32(p + 8, idb, true);
    v.setUint32(p + 12, hi, true);
    v.setUint32(p + 16, lo, true);
    v.setUint32(p + 20, n, true);
    v.setUint32(p + 24, wirelen >>> 0, true);
    this.out.pos = p + 28;
    this.out.copyFrom(bytes, start, n);
    if (padded !== n) b.fill(0, p + 28 + n, p + 28 + padded);
    v.setUint32(p + 28 + padded, len, true);
    this.out.pos = p + len;
    this.packets++;
  }
}
