// The per-packet state of the tcpdump-style formatter: where the packet's bytes are, how
// far they were captured, which protocol is printing (for tcpdump's " [|proto]" marker),
// and where the generic part of the line begins. A bounds-checked read past the capture
// writes tcpdump's marker once and marks the packet dead (tcpdump's GET_ macros longjmp
// there): the printers then run on with zeros, and everything they write after the
// marker is dropped when the packet ends. No exception: truncated frames are common
// (-s 64 captures) and a throw per packet would cost more than the whole line.
import type { TextBuffer } from './buffer.js';
import { TcpSeqTable } from './tcp-seq.js';

export interface TextOptions {
  /** 0 -t, 1 default local time, 2 -tt, 3 -ttt, 4 -tttt, 5 -ttttt. */
  timestamps?: 0 | 1 | 2 | 3 | 4 | 5;
  /** --nano: nanosecond timestamps (when the source has them). */
  nano?: boolean;
  /** -e: print the link-level header. */
  link?: boolean;
  /** -v count. */
  verbose?: number;
  /** -q: quiet (less protocol detail). */
  quiet?: boolean;
  /** -S: absolute TCP sequence numbers. */
  absoluteSeq?: boolean;
  /** -x (1) / -xx (2): hex dump from the network header / of the whole frame. */
  hex?: 0 | 1 | 2;
  /** -X: hex dump with ASCII (the hex level says from where, default 1). */
  ascii?: boolean;
  /** -#: frame numbers. */
  numbers?: boolean;
}

export class TextState {
  readonly out: TextBuffer;
  readonly eflag: boolean;
  readonly vflag: number;
  readonly qflag: boolean;
  readonly sflag: boolean;
  readonly seqs = new TcpSeqTable();
  m: Uint8Array = new Uint8Array(0);
  /** One past the last byte that may be read (caplen, then cut to the IP length). */
  snapend = 0;
  /** Protocol name for the " [|proto]" marker. */
  proto = '';
  /** Buffer offset where this packet's generic (not dissected) part starts, or -1. */
  cut = -1;
  /** Set once a read ran past the capture; `deadPos` is where the line ends then. */
  dead = false;
  deadPos = 0;

  constructor(out: TextBuffer, opts: TextOptions) {
    this.out = out;
    this.eflag = opts.link === true;
    this.vflag = opts.verbose ?? 0;
    this.qflag = opts.quiet === true;
    this.sflag = opts.absoluteSeq === true;
  }

  /** Marks the rest of the line as generic: tcpdump would print protocol detail here. */
  markCut(): void {
    if (this.cut < 0 && !this.dead) this.cut = this.out.pos;
  }

  has(p: number, n: number): boolean {
    return p + n <= this.snapend;
  }

  /** Writes " [|proto]" (once) and kills the rest of the line; returns 0 for the reads. */
  trunc(): number {
    if (!this.dead) {
      this.out.str(' [|').str(this.proto).ch(93);
      this.dead = true;
      this.deadPos = this.out.pos;
    }
    return 0;
  }

  u8(p: number): number {
    if (p + 1 > this.snapend) return this.trunc();
    return this.m[p];
  }

  u16(p: number): number {
    if (p + 2 > this.snapend) return this.trunc();
    return (this.m[p] << 8) | this.m[p + 1];
  }

  u32(p: number): number {
    if (p + 4 > this.snapend) return this.trunc();
    const m = this.m;
    return ((m[p] << 24) | (m[p + 1] << 16) | (m[p + 2] << 8) | m[p + 3]) >>> 0;
  }

  /** Checks that n bytes at p are captured, else truncates; false when dead. */
  need(p: number, n: number): boolean {
    if (p + n > this.snapend) this.trunc();
    return !this.dead;
  }
}
