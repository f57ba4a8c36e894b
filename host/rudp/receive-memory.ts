// What received data costs in memory, beyond the bytes the receive window counts. A
// chunk queued for the reader is a Buffer object, the ArrayBuffer it views (the whole
// datagram when the chunk is a slice of one) and a node in the stream's list: ~400 bytes
// for a 1-byte chunk in Node 20 (measured), so a peer sending 1-byte segments to a paused
// reader could make a 1 MiB window cost 400 MB. Each chunk is therefore charged its
// ArrayBuffer plus a fixed overhead, and the charges above the chunk's own bytes count
// against the receive window (as Linux charges skb truesize against sk_rcvbuf). Data past
// the last advertised window is refused, and the window is advertised on every second
// in-order segment and every out-of-order one, so what a connection holds stays within
// about its receive buffer of memory. A full-size segment costs ~1.4x its payload: a
// bulk sender sees a window ~30 % smaller only while the reader lags.

/** Bytes charged per queued chunk on top of its ArrayBuffer (measured ~400, rounded up). */
export const CHUNK_OVERHEAD = 512;

/**
 * A slice of a received datagram keeps the whole datagram alive while the receive window
 * counts only the slice: a peer overlapping RCV.NXT by all but one byte of a 60 KB
 * datagram pinned 60 KB per delivered byte (issue #21 item 6). A slice shorter than half
 * of the memory it views is copied out, into memory of its own (not the shared Buffer
 * pool, whose 8 KiB slabs a 1-byte copy could pin the same way); a full segment is not.
 */
export function compactSlice(b: Buffer): Buffer {
  if (!keepsMore(b.length, b.buffer.byteLength)) return b;
  const own = Buffer.allocUnsafeSlow(b.length);
  own.set(b);
  return own;
}

function keepsMore(len: number, backing: number): boolean {
  return len * 2 < backing;
}

/** Memory one queued chunk keeps alive: the ArrayBuffer it views and the fixed overhead. */
export function chunkCost(b: Uint8Array): number {
  return b.buffer.byteLength + CHUNK_OVERHEAD;
}

/**
 * Charges of the chunks in the readable stream's queue, released as the reader consumes
 * them. Node gives no event per consumed chunk, but the queue is FIFO and its byte count
 * (`readableLength`) is exact: bytes consumed = bytes queued so far − bytes still queued,
 * and every chunk whose end lies at or below that has left the queue.
 */
export class QueueCharges {
  /** Cumulative end offset of each charged chunk, and its charge beyond its own bytes. */
  private ends: number[] = [];
  private extras: number[] = [];
  private head = 0;
  private queuedTotal = 0;
  /** Sum of the extras of chunks still (at least partly) queued. */
  extra = 0;

  /** A chunk of `len` bytes entered the queue, costing `cost` in all. */
  add(len: number, cost: number): void {
    this.queuedTotal += len;
    const x = cost - len;
    if (x <= 0) return;
    this.ends.push(this.queuedTotal);
    this.extras.push(x);
    this.extra += x;
  }

  /** Releases the charges of chunks the reader has consumed; `queuedNow` is readableLength. */
  settle(queuedNow: number): void {
    const consumed = this.queuedTotal - queuedNow;
    const ends = this.ends;
    let h = this.head;
    while (h < ends.length && ends[h] <= consumed) this.extra -= this.extras[h++];
    if (h === ends.length) {
      this.ends = [];
      this.extras = [];
      this.head = 0;
      this.extra = 0;
    } else if (h > 1024 && h * 2 > ends.length) {
      this.ends = ends.slice(h);
      this.extras = this.extras.slice(h);
      this.head = 0;
    } else this.head = h;
  }
}
