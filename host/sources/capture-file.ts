// Streaming reader for pcap and pcapng capture files, in pure TS. Reads the file in
// 1 MiB chunks (sized to stay in L2) and hands out one record at a time through a reused
// record object whose `data` is a view into the chunk: no allocation per packet, valid
// until the next call. Damage stops the walk with a PktError naming the byte offset;
// every good record before it has been returned first.
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { PktError, fileError } from '../runtime/errors.js';
import { splitTimestamp, type SplitTime } from './timestamp.js';

export const CHUNK_BYTES = 1 << 20;
/** The path that names standard input (tcpdump's -r -). */
export const STDIN_PATH = '-';
/** Largest record we accept: libpcap's MAXIMUM_SNAPLEN is 262144; allow some slack. */
export const MAX_RECORD = 1 << 20;

/** pcapng interfaces a file may declare, over all its sections: a ring slot names the
 *  interface in a u16 (SLOT_IFACE), and each costs memory (a 5 MB file of interface
 *  blocks held 38 MB before this bound). */
export const MAX_INTERFACES = 1 << 16;

export type CaptureFormat = 'pcap' | 'pcapng';

export interface CaptureInterface {
  linktype: number;
  snaplen: number;
  /** Raw if_tsresol byte (6 = microseconds, 9 = nanoseconds). */
  tsresol: number;
  tsoffset: number;
  name: string;
}

/** One packet record of a capture file. */
export interface CaptureRecord {
  /** Index of the record in the file, from 1 (tcpdump's and tshark's frame number). */
  number: number;
  linktype: number;
  iface: number;
  tsSec: number;
  tsNsec: number;
  caplen: number;
  wirelen: number;
  /** Byte offset of the record (its header) in the file. */
  fileOffset: number;
  /** The captured bytes: a view valid until the next call to next(). */
  data: Uint8Array;
}

/** What a capture file's header says: format, byte order, time resolution, snaplen, link type. */
export interface CaptureFileInfo {
  format: CaptureFormat;
  /** pcap: microseconds or nanoseconds. pcapng: per interface. */
  nanosecond: boolean;
  bigEndian: boolean;
  versionMajor: number;
  versionMinor: number;
  snaplen: number;
  /** Link type of the file (pcap) or of the first interface (pcapng). */
  linktype: number;
  interfaces: CaptureInterface[];
}

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;

/** Reads a pcap or pcapng file record by record (next() returns null at the end). */
export class CaptureFileReader {
  readonly path: string;
  readonly info: CaptureFileInfo;
  readonly fileSize: number;
  private fd: number;
  private buf: Uint8Array;
  private dv: DataView;
  /** File offset of buf[0]. */
  private bufBase = 0;
  /** Valid bytes in buf. */
  private bufLen = 0;
  /** Read position within buf. */
  private pos = 0;
  private eof = false;
  private le = true;
  private count = 0;
  private readonly rec: CaptureRecord;
  private readonly split: SplitTime = { sec: 0, nsec: 0 };
  /** pcapng interfaces of the current section. */
  private sectionIfaces: CaptureInterface[] = [];
  /** Interface-number offset of the current section within info.interfaces. */
  private sectionBase = 0;
  private closed = false;
  /** A pipe or socket: read where the stream is, never at an offset. */
  readonly sequential: boolean;

  constructor(path: string, chunkBytes = CHUNK_BYTES) {
    this.path = path;
    // '-' is standard input, as for tcpdump -r -: a pipe is read in sequence (no offsets).
    try {
      this.fd = path === STDIN_PATH ? 0 : openSync(path, 'r');
    } catch (e) {
      throw fileError(e, path);
    }
    const stat = fstatSync(this.fd);
    if (stat.isDirectory()) {
      this.close();
      throw new PktError('E_IO', `${path}: Is a directory`);
    }
    this.sequential = !stat.isFile() && !stat.isBlockDevice();
    this.fileSize = this.sequential ? 0 : stat.size;
    this.buf = new Uint8Array(chunkBytes);
    this.dv = new DataView(this.buf.buffer);
    this.rec = { number: 0, linktype: 0, iface: 0, tsSec: 0, tsNsec: 0, caplen: 0, wirelen: 0, fileOffset: 0, data: this.buf.subarray(0, 0) };
    try {
      this.info = this.readHeader();
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Records returned so far. */
  get recordsRead(): number {
    return this.count;
  }

  /** Bytes of the file consumed so far (for progress bars). */
  get bytesConsumed(): number {
    return this.bufBase + this.pos;
  }

  /** Hands the open file to a reader that takes over after the header: the descriptor,
   *  the bytes already buffered past `pos` and the offset the next read continues from.
   *  This reader is finished afterwards (a pipe cannot be reopened, so it is not closed). */
  detach(): { fd: number; buffered: Uint8Array; nextOffset: number } {
    const out = { fd: this.fd, buffered: this.buf.slice(this.pos, this.bufLen), nextOffset: this.bufBase + this.bufLen };
    this.closed = true;
    return out;
  }

  close(): void {
    if (!this.closed) {
      this.closed = true;
      closeSync(this.fd);
    }
  }

  /** Makes at least `n` bytes available at pos; false at end of file. */
  private want(n: number): boolean {
    if (this.bufLen - this.pos >= n) return true;
    if (n > this.buf.length) {
      const bigger = new Uint8Array(Math.max(n, this.buf.length * 2));
      bigger.set(this.buf.subarray(this.pos, this.bufLen));
      this.buf = bigger;
      this.dv = new DataView(bigger.buffer);
    } else {
      this.buf.copyWithin(0, this.pos, this.bufLen);
    }
    this.bufBase += this.pos;
    this.bufLen -= this.pos;
    this.pos = 0;
    while (!this.eof && this.bufLen < n) {
      const got = readSync(this.fd, this.buf, this.bufLen, this.buf.length - this.bufLen, this.sequential ? null : this.bufBase + this.bufLen);
      if (got === 0) this.eof = true;
      this.bufLen += got;
    }
    return this.bufLen - this.pos >= n;
  }

  private u16(p: number): number { return this.dv.getUint16(p, this.le); }
  private u32(p: number): number { return this.dv.getUint32(p, this.le); }

  private fail(code: 'E_BAD_CAPTURE' | 'E_TRUNCATED_CAPTURE', offset: number, what: string): never {
    throw new PktError(code, `${this.path}: ${what} at byte offset ${offset} (after ${this.count} good packets)`);
  }

  private readHeader(): CaptureFileInfo {
    if (!this.want(4)) {
      throw new PktError('E_BAD_CAPTURE', `${this.path}: not a capture file (only ${this.bufLen} bytes)`);
    }
    const raw = this.dv.getUint32(0, false);
    if (raw === PCAPNG_SHB) {
      const info: CaptureFileInfo = {
        format: 'pcapng', nanosecond: false, bigEndian: false, versionMajor: 1, versionMinor: 0,
        snaplen: 0, linktype: -1, interfaces: [],
      };
      this.readSHB(info);
      // Interfaces appear before their packets: read blocks up to the first packet so
      // that info.linktype is known to callers before next().
      return info;
    }
    const le = this.dv.getUint32(0, true);
    let magic = 0;
    if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) { this.le = true; magic = le; }
    else if (raw === PCAP_MAGIC_US || raw === PCAP_MAGIC_NS) { this.le = false; magic = raw; }
    else {
      throw new PktError('E_BAD_CAPTURE', `${this.path}: not a pcap or pcapng file (magic 0x${raw.toString(16).padStart(8, '0')})`);
    }
    if (!this.want(24)) this.fail('E_TRUNCATED_CAPTURE', 0, 'pcap file header cut short');
    const linkWord = this.u32(20);
    const info: CaptureFileInfo = {
      format: 'pcap', nanosecond: magic === PCAP_MAGIC_NS, bigEndian: !this.le,
      versionMajor: this.u16(4), versionMinor: this.u16(6), snaplen: this.u32(16),
      // The upper bits may carry the FCS length (pcap-linktype(7)); libpcap masks them.
      linktype: linkWord & 0xFFFF, interfaces: [],
    };
    info.interfaces.push({ linktype: info.linktype, snaplen: info.snaplen, tsresol: info.nanosecond ? 9 : 6, tsoffset: 0, name: '' });
    this.pos = 24;
    return info;
  }

  /** Reads a Section Header Block at pos, setting the byte order of the section. */
  private readSHB(info: CaptureFileInfo): void {
    const start = this.bufBase + this.pos;
    if (!this.want(12)) this.fail('E_TRUNCATED_CAPTURE', start, 'pcapng section header cut short');
    const bom = this.dv.getUint32(this.pos + 8, true);
    if (bom === PCAPNG_BOM) this.le = true;
    else if (this.dv.getUint32(this.pos + 8, false) === PCAPNG_BOM) this.le = false;
    else this.fail('E_BAD_CAPTURE', start, 'pcapng section header with a bad byte-order magic');
    const len = this.u32(this.pos + 4);
    if (len < 28 || len % 4 !== 0 || len > MAX_RECORD) this.fail('E_BAD_CAPTURE', start, `pcapng section header with bad length ${len}`);
    if (!this.want(len)) this.fail('E_TRUNCATED_CAPTURE', start, 'pcapng section header cut short');
    info.bigEndian = !this.le;
    info.versionMajor = this.u16(this.pos + 12);
    info.versionMinor = this.u16(this.pos + 14);
    this.sectionBase = info.interfaces.length;
    this.sectionIfaces = [];
    this.pos += len;
  }

  private readIDB(p: number, len: number, start: number): void {
    if (len < 20) this.fail('E_BAD_CAPTURE', start, `pcapng interface block too short (${len})`);
    if (this.info.interfaces.length >= MAX_INTERFACES) this.fail('E_BAD_CAPTURE', start, `too many pcapng interfaces (more than ${MAX_INTERFACES})`);
    const iface: CaptureInterface = { linktype: this.u16(p + 8), snaplen: this.u32(p + 12), tsresol: 6, tsoffset: 0, name: '' };
    // Options: code u16, length u16, value padded to 4.
    let o = p + 16;
    const end = p + len - 4;
    while (o + 4 <= end) {
      const code = this.u16(o);
      const olen = this.u16(o + 2);
      if (code === 0) break;
      if (o + 4 + olen > end) break;
      if (code === 9 && olen >= 1) iface.tsresol = this.buf[o + 4];
      else if (code === 14 && olen >= 8) iface.tsoffset = this.u32(o + 4 + (this.le ? 0 : 4)) + this.u32(o + 4 + (this.le ? 4 : 0)) * 4294967296;
      else if (code === 2 && olen > 0) iface.name = Buffer.from(this.buf.subarray(o + 4, o + 4 + olen)).toString('utf8').replace(/\0+$/, '');
      o += 4 + ((olen + 3) & ~3);
    }
    this.sectionIfaces.push(iface);
    this.info.interfaces.push(iface);
    if (this.info.linktype < 0) {
      this.info.linktype = iface.linktype;
      this.info.snaplen = iface.snaplen;
    }
    if ((iface.tsresol & 0x80) === 0 && (iface.tsresol & 0x7F) >= 9) this.info.nanosecond = true;
  }

  /** The next packet record, or null at a clean end of file. Throws PktError on damage. */
  next(): CaptureRecord | null {
    return this.info.format === 'pcap' ? this.nextPcap() : this.nextPcapng();
  }

  private nextPcap(): CaptureRecord | null {
    const start = this.bufBase + this.pos;
    if (!this.want(16)) {
      if (this.bufLen - this.pos === 0) return null;
      this.fail('E_TRUNCATED_CAPTURE', start, `truncated packet header (${this.bufLen - this.pos} of 16 bytes)`);
    }
    const p = this.pos;
    const caplen = this.u32(p + 8);
    const wirelen = this.u32(p + 12);
    if (caplen > MAX_RECORD) this.fail('E_BAD_CAPTURE', start, `corrupt packet header: captured length ${caplen} exceeds ${MAX_RECORD}`);
    if (!this.want(16 + caplen)) {
      this.fail('E_TRUNCATED_CAPTURE', start, `truncated packet: ${this.bufLen - this.pos - 16} of ${caplen} bytes present`);
    }
    const q = this.pos;
    const r = this.rec;
    r.number = ++this.count;
    r.linktype = this.info.linktype;
    r.iface = 0;
    r.tsSec = this.u32(q);
    const frac = this.u32(q + 4);
    r.tsNsec = this.info.nanosecond ? frac : frac * 1000;
    r.caplen = caplen;
    r.wirelen = wirelen;
    r.fileOffset = start;
    r.data = this.buf.subarray(q + 16, q + 16 + caplen);
    this.pos = q + 16 + caplen;
    return r;
  }

  private nextPcapng(): CaptureRecord | null {
    for (;;) {
      const start = this.bufBase + this.pos;
      if (!this.want(12)) {
        if (this.bufLen - this.pos === 0) return null;
        this.fail('E_TRUNCATED_CAPTURE', start, `truncated block header (${this.bufLen - this.pos} bytes)`);
      }
      const rawType = this.dv.getUint32(this.pos, false);
      if (rawType === PCAPNG_SHB) {
        this.readSHB(this.info);
        continue;
      }
      const type = this.u32(this.pos);
      const len = this.u32(this.pos + 4);
      if (len < 12 || len % 4 !== 0 || len > MAX_RECORD + 64) this.fail('E_BAD_CAPTURE', start, `corrupt block (type 0x${type.toString(16)}, length ${len})`);
      if (!this.want(len)) this.fail('E_TRUNCATED_CAPTURE', start, `truncated block (type 0x${type.toString(16)}): ${this.bufLen - this.pos} of ${len} bytes present`);
      const p = this.pos;
      if (this.u32(p + len - 4) !== len) this.fail('E_BAD_CAPTURE', start, `block length fields disagree (${len} vs ${this.u32(p + len - 4)})`);
      this.pos += len;
      if (type === 1) {
        this.readIDB(p, len, start);
      } else if (type === 6 || type === 2) {
        // Enhanced Packet Block (6), or the obsolete Packet Block (2) with a 16-bit interface id.
        if (len < 32) this.fail('E_BAD_CAPTURE', start, `packet block too short (${len})`);
        const ifid = type === 6 ? this.u32(p + 8) : this.u16(p + 8);
        const caplen = this.u32(p + 20);
        const wirelen = this.u32(p + 24);
        if (28 + caplen + 4 > len) this.fail('E_BAD_CAPTURE', start, `packet block: captured length ${caplen} overruns the block`);
        // The block bound (MAX_RECORD + 64) lets a caplen of up to MAX_RECORD + 32 through:
        // the same record limit as pcap, or the engine's indexer stops there silently.
        if (caplen > MAX_RECORD) this.fail('E_BAD_CAPTURE', start, `corrupt packet block: captured length ${caplen} exceeds ${MAX_RECORD}`);
        return this.emit(ifid, this.u32(p + 12), this.u32(p + 16), p + 28, caplen, wirelen, start);
      } else if (type === 3) {
        // Simple Packet Block: interface 0 of the section, no timestamp, caplen implied.
        if (len < 16) this.fail('E_BAD_CAPTURE', start, `simple packet block too short (${len})`);
        const wirelen = this.u32(p + 8);
        let caplen = Math.min(wirelen, len - 16);
        const iface = this.sectionIfaces[0];
        if (iface && iface.snaplen > 0) caplen = Math.min(caplen, iface.snaplen);
        if (caplen > MAX_RECORD) this.fail('E_BAD_CAPTURE', start, `corrupt simple packet block: captured length ${caplen} exceeds ${MAX_RECORD}`);
        return this.emit(0, -1, -1, p + 12, caplen, wirelen, start);
      }
      // Anything else (ISB, NRB, custom, DSB ...) is skipped: it carries no packet.
    }
  }

  private emit(ifid: number, hi: number, lo: number, dataOff: number, caplen: number, wirelen: number, start: number): CaptureRecord {
    const iface = this.sectionIfaces[ifid];
    if (iface === undefined) this.fail('E_BAD_CAPTURE', start, `packet for interface ${ifid}, but the section has ${this.sectionIfaces.length}`);
    const r = this.rec;
    r.number = ++this.count;
    r.linktype = iface.linktype;
    r.iface = this.sectionBase + ifid;
    if (hi < 0) {
      r.tsSec = 0;
      r.tsNsec = 0;
    } else {
      splitTimestamp(hi, lo, iface.tsresol, this.split);
      r.tsSec = this.split.sec + iface.tsoffset;
      r.tsNsec = this.split.nsec;
    }
    r.caplen = caplen;
    r.wirelen = wirelen;
    r.fileOffset = start;
    r.data = this.buf.subarray(dataOff, dataOff + caplen);
    return r;
  }
}

/** Reads a whole capture into copies (tests and small files). Damage is reported in
 *  `error` after the good records, never thrown. */
export function readCaptureFile(path: string): { info: CaptureFileInfo; records: CaptureRecord[]; error: PktError | null } {
  const rd = new CaptureFileReader(path);
  const records: CaptureRecord[] = [];
  let error: PktError | null = null;
  try {
    for (let r = rd.next(); r !== null; r = rd.next()) records.push({ ...r, data: r.data.slice() });
  } catch (e) {
    if (e instanceof PktError) error = e;
    else throw e;
  } finally {
    rd.close();
  }
  return { info: rd.info, records, error };
}
