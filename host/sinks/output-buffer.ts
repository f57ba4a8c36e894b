// A reusable byte buffer in front of a file descriptor. Every sink formats or copies into
// it and hands the kernel ~1 MiB at a time with fs.writeSync: one syscall per megabyte
// instead of one per packet, and no Buffer per packet. Writes are synchronous on purpose:
// a signal handler can call flush() and close() and know the bytes are in the file when
// they return (an async stream could still hold them).
import { closeSync, fsyncSync } from 'node:fs';
import { writeAll } from './write-all.js';

export const DEFAULT_BUFFER_BYTES = 1 << 20;

export class OutputBuffer {
  /** The bytes not yet written; [0, pos) are pending. */
  buf: Uint8Array;
  pos = 0;
  readonly fd: number;
  /** Bytes handed to the kernel so far. */
  written = 0;
  private readonly ownsFd: boolean;
  /** A Buffer over `buf`'s memory (for latin1()), re-made when buf grows. */
  private alias: Buffer | null = null;
  /** A DataView over `buf`'s memory (for view()), re-made when buf grows. */
  private dv: DataView | null = null;
  private closed = false;

  /** `fd` may be -1 for an in-memory buffer (tests, library callers): flush() then only
   *  keeps the bytes, and take() hands them out. */
  constructor(fd: number, bufferBytes = DEFAULT_BUFFER_BYTES, ownsFd = false) {
    this.fd = fd;
    this.buf = new Uint8Array(Math.max(4096, bufferBytes));
    this.ownsFd = ownsFd;
  }

  /** Room for `n` more bytes: flushes first, and grows only for a single oversized item. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.fd >= 0) this.flush();
    if (this.pos + n > this.buf.length) {
      const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
      bigger.set(this.buf.subarray(0, this.pos));
      this.buf = bigger;
    }
  }

  /** A DataView over the buffer with room for `n` more bytes at `pos`: the binary sinks
   *  (pcap, pcapng) write their headers through it. The view is made again only when the
   *  buffer grows. */
  view(n: number): DataView {
    this.ensure(n);
    if (this.dv === null || this.dv.buffer !== this.buf.buffer) this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    return this.dv;
  }

  /** Copies bytes in (TypedArray.set: a memcpy, whatever the source buffer). */
  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  /** Copies n bytes of src from `start` without making a view object: Buffer.copy when
   *  the source is a Buffer (a memcpy straight from the shared memory), else set(). */
  copyFrom(src: Uint8Array, start: number, n: number): void {
    this.ensure(n);
    if (src instanceof Buffer) src.copy(this.buf, this.pos, start, start + n);
    else this.buf.set(src.subarray(start, start + n), this.pos);
    this.pos += n;
  }

  /** Writes a string of one-byte characters (ASCII, Latin-1): a native copy into the
   *  buffer, for formatters that build a line as a string (no Buffer per line). */
  latin1(s: string): void {
    this.ensure(s.length);
    if (this.alias === null || this.alias.buffer !== this.buf.buffer) {
      this.alias = Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    }
    this.pos += this.alias.write(s, this.pos, 'latin1');
  }

  /** Writes everything pending. Callers only flush between whole records, so a file is
   *  always a valid prefix of the capture after flush() returns. */
  flush(): void {
    if (this.fd < 0 || this.pos === 0) return;
    writeAll(this.fd, this.buf, 0, this.pos);
    this.written += this.pos;
    this.pos = 0;
  }

  /** In-memory mode: the pending bytes as a copy, and the buffer emptied. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }

  /** Flushes, optionally fsyncs, and closes the descriptor if this buffer opened it. */
  close(sync = false): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.fd >= 0 && this.ownsFd) {
      if (sync) {
        try { fsyncSync(this.fd); } catch { /* pipes and ttys cannot fsync */ }
      }
      closeSync(this.fd);
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
