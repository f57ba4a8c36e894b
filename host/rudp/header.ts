// Segment header codec (layout in PROTOCOL.md §2). Encoding and checking work on the
// engine's shared memory so that the checksum is the engine's own (cksum_compute, WASM
// or twin): a segment is assembled in a scratch region, summed there, then copied out to
// a Buffer for the socket. Parsing validates lengths once and fills a reused record.
import type { Engine } from '../engine/engine.js';

export const MAGIC = 0x52; // 'R'
export const VERSION = 1;
export const HDR_LEN = 24;
export const MAX_SACK = 4;
export const SACK_LEN = 8;
export const MAX_HDR_LEN = HDR_LEN + MAX_SACK * SACK_LEN;

export const F_SYN = 0x01;
export const F_ACK = 0x02;
export const F_FIN = 0x04;
export const F_RST = 0x08;
/** Handshake confirmation requested: the receiver must answer with an ACK. */
export const F_HS = 0x10;
/** Window probe: the receiver must answer with an ACK carrying its window. */
export const F_PROBE = 0x20;
/** Timestamps (RFC 7323 §3 TSval/TSecr): 8 bytes after the SACK blocks. They give an RTT
 *  sample from every ACK that advances the left edge, retransmissions included (Karn's rule
 *  leaves none while a timeout's backed-off RTO is being recovered from). */
export const F_TS = 0x40;
const KNOWN_FLAGS = 0x7f;
export const TS_LEN = 8;
/** SACK blocks that fit beside the timestamps in MAX_HDR_LEN (three, as in TCP: RFC 2018 §3). */
export const MAX_SACK_TS = (MAX_HDR_LEN - HDR_LEN - TS_LEN) / SACK_LEN;

/** Largest datagram we ever accept (anything larger is malformed for us). */
export const MAX_DATAGRAM = 65507;

/** Payload bytes per segment for a link MTU: IP + UDP + our header with full SACK room. */
export function mssForMtu(mtu: number, ipv6: boolean): number {
  return mtu - (ipv6 ? 40 : 20) - 8 - MAX_HDR_LEN;
}

/** A parsed segment; one instance is reused for every datagram received. */
export class Segment {
  flags = 0;
  cid = 0;
  seq = 0;
  ack = 0;
  wnd = 0;
  mss = 0;
  nsack = 0;
  readonly sack = new Uint32Array(MAX_SACK * 2);
  /** With F_TS: the sender's clock and the echo of ours (0 when absent). */
  tsval = 0;
  tsecr = 0;
  /** Payload offset and length within the datagram. */
  off = 0;
  len = 0;
}

export type ParseResult = 'ok' | 'short' | 'magic' | 'header' | 'checksum';

/** Encoder/decoder bound to one engine (its checksum and a scratch region). */
export class SegmentCodec {
  private readonly engine: Engine;
  private readonly scratch: number;
  private u8: Uint8Array;

  constructor(engine: Engine) {
    this.engine = engine;
    this.scratch = engine.arena.alloc(MAX_DATAGRAM + 64);
    this.u8 = engine.views.refresh().u8;
  }

  private mem(): Uint8Array {
    const u8 = this.engine.views.refresh().u8;
    this.u8 = u8;
    return u8;
  }

  /**
   * Builds a datagram: header (+ SACK blocks) + `len` payload bytes taken from `src`
   * (a ring buffer: bytes from `srcOff` wrapping at src.length). Returns a fresh Buffer
   * (the socket may keep it until the send completes). With F_TS in `flags`, `tsval` and
   * `tsecr` follow the SACK blocks.
   */
  encode(flags: number, cid: number, seq: number, ack: number, wnd: number, mss: number,
    sack: Uint32Array | null, nsack: number, src: Uint8Array | null, srcOff: number, len: number,
    tsval = 0, tsecr = 0): Buffer {
    const u8 = this.mem();
    const p = this.scratch;
    const ts = (flags & F_TS) !== 0;
    const hl = HDR_LEN + nsack * SACK_LEN + (ts ? TS_LEN : 0);
    const total = hl + len;
    u8[p] = MAGIC;
    u8[p + 1] = flags;
    u8[p + 2] = hl >>> 2;
    u8[p + 3] = (VERSION << 4) | nsack;
    put32(u8, p + 4, cid);
    put32(u8, p + 8, seq);
    put32(u8, p + 12, ack);
    put32(u8, p + 16, wnd);
    u8[p + 20] = 0;
    u8[p + 21] = 0;
    u8[p + 22] = mss >>> 8;
    u8[p + 23] = mss & 0xff;
    for (let i = 0; i < nsack; i++) {
      put32(u8, p + HDR_LEN + i * 8, sack![i * 2]);
      put32(u8, p + HDR_LEN + i * 8 + 4, sack![i * 2 + 1]);
    }
    if (ts) {
      put32(u8, p + hl - TS_LEN, tsval);
      put32(u8, p + hl - 4, tsecr);
    }
    if (len > 0 && src !== null) {
      const cap = src.length;
      const first = Math.min(len, cap - srcOff);
      u8.set(src.subarray(srcOff, srcOff + first), p + hl);
      if (first < len) u8.set(src.subarray(0, len - first), p + hl + first);
    }
    const c = this.engine.core.cksum_compute(p, total);
    u8[p + 20] = (c >>> 8) & 0xff;
    u8[p + 21] = c & 0xff;
    const out = Buffer.allocUnsafe(total);
    out.set(u8.subarray(p, p + total));
    return out;
  }

  /** Validates and parses a datagram into `seg`. Never throws. */
  parse(d: Uint8Array, seg: Segment): ParseResult {
    const n = d.length;
    if (n < HDR_LEN || n > MAX_DATAGRAM) return 'short';
    if (d[0] !== MAGIC || (d[3] >>> 4) !== VERSION) return 'magic';
    const hl = d[2] << 2;
    const nsack = d[3] & 0x0f;
    const ts = (d[1] & F_TS) !== 0;
    if (hl !== HDR_LEN + nsack * SACK_LEN + (ts ? TS_LEN : 0) || nsack > MAX_SACK || hl > n || (d[1] & ~KNOWN_FLAGS) !== 0) return 'header';
    const u8 = this.mem();
    u8.set(d, this.scratch);
    if (this.engine.core.cksum_compute(this.scratch, n) !== 0) return 'checksum';
    seg.flags = d[1];
    seg.cid = get32(d, 4);
    seg.seq = get32(d, 8);
    seg.ack = get32(d, 12);
    seg.wnd = get32(d, 16);
    seg.mss = (d[22] << 8) | d[23];
    seg.nsack = nsack;
    for (let i = 0; i < nsack; i++) {
      seg.sack[i * 2] = get32(d, HDR_LEN + i * 8);
      seg.sack[i * 2 + 1] = get32(d, HDR_LEN + i * 8 + 4);
    }
    seg.tsval = ts ? get32(d, hl - TS_LEN) : 0;
    seg.tsecr = ts ? get32(d, hl - 4) : 0;
    seg.off = hl;
    seg.len = n - hl;
    return 'ok';
  }
}

function put32(u8: Uint8Array, p: number, v: number): void {
  u8[p] = v >>> 24;
  u8[p + 1] = (v >>> 16) & 0xff;
  u8[p + 2] = (v >>> 8) & 0xff;
  u8[p + 3] = v & 0xff;
}

function get32(u8: Uint8Array, p: number): number {
  return ((u8[p] << 24) | (u8[p + 1] << 16) | (u8[p + 2] << 8) | u8[p + 3]) >>> 0;
}
