// The per-packet state of the tcpdump-style formatter: the descriptor of the packet being
// printed (the engine's dissection: which headers, where, how long), the memory holding its
// bytes, how far they were captured, which protocol is printing (for tcpdump's " [|proto]"
// marker), and where the generic part of the line begins. The printers never work out where
// a header starts or how long it is; they read the descriptor for that, and read the fields
// they print at the offsets it gives. A read past the capture writes tcpdump's marker once
// and marks the packet dead (tcpdump's GET_ macros longjmp there): the printers then stop,
// and anything written after the marker is dropped when the packet ends. No exception:
// truncated frames are common (-s 64 captures) and a throw per packet would cost more than
// the whole line.
import type { TextBuffer } from './buffer.js';
import type { PacketView } from '../../dissect/packet-view.js';
import { TcpSeqTable } from './tcp-seq.js';
import { writeHexDump } from './hexdump.js';

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
  /** -A (1) / -AA (2): the bytes as ASCII text from the network header / of the whole
   *  frame (tcpdump's ascii_print); -x and -X win when given too, as in tcpdump. */
  asciiText?: 0 | 1 | 2;
  /** -#: frame numbers. */
  numbers?: boolean;
}

export class TextState {
  readonly out: TextBuffer;
  readonly eflag: boolean;
  readonly vflag: number;
  readonly qflag: boolean;
  readonly sflag: boolean;
  /** tcpdump prints the bytes of a payload it has no printer for (ND_DEFAULTPRINT), unless
   *  -q, -x or -X is given. */
  readonly defaultPrint: boolean;
  readonly seqs = new TcpSeqTable();
  /** The descriptor of the packet (or inner packet) being printed. */
  v!: PacketView;
  m: Uint8Array = new Uint8Array(0);
  /** Where the frame starts in m: descriptor offsets are relative to it. */
  f = 0;
  /** One past the last byte that may be read (caplen, then cut to the IP length). */
  snapend = 0;
  /** Protocol name for the " [|proto]" marker. */
  proto = '';
  /** Buffer offset where this packet's generic (not dissected) part starts, or -1. */
  cut = -1;
  /** Set once a read ran past the capture; `deadPos` is where the line ends then. */
  dead = false;
  deadPos = 0;
  /** The truncation was one of tcpdump's longjmps (a GET_ macro, or a bounds check in a
   *  printer built to jump): tcpdump then dumps -x from the first byte, not after the link
   *  header. A printer's own "goto trunc" returns normally and keeps the link header. */
  jumped = false;
  /** Link-layer header length for -x (tcpdump's ndo_ll_hdr_len), kept current by the
   *  link printers so that a truncation still dumps from the right place. */
  hdrlen = 0;

  constructor(out: TextBuffer, opts: TextOptions) {
    this.out = out;
    this.eflag = opts.link === true;
    this.vflag = opts.verbose ?? 0;
    this.qflag = opts.quiet === true;
    this.sflag = opts.absoluteSeq === true;
    this.defaultPrint = !this.qflag && !(opts.hex !== undefined && opts.hex > 0) && opts.ascii !== true && !(opts.asciiText !== undefined && opts.asciiText > 0);
  }

  /** Points the state at a packet: its descriptor and the memory holding its bytes. */
  reset(v: PacketView, m: Uint8Array): void {
    this.v = v;
    this.m = m;
    this.f = v.frame;
    this.snapend = v.frame + v.capLen;
    this.cut = -1;
    this.proto = '';
    this.dead = false;
    this.jumped = false;
    this.softTrunc = false;
    this.hdrlen = 0;
  }

  /** Marks the rest of the line as generic: tcpdump would print protocol detail here. */
  markCut(): void {
    if (this.cut < 0 && !this.dead) this.cut = this.out.pos;
  }

  has(p: number, n: number): boolean {
    return p + n <= this.snapend;
  }

  /** Set by markTrunc(): the marker was printed and the printer returned normally. */
  softTrunc = false;

  /** tcpdump's nd_print_trunc() called directly (no longjmp): the marker, after which the
   *  caller may still print (rarely does). */
  markTrunc(): void {
    this.out.str(' [|').str(this.proto).ch(93);
    this.softTrunc = true;
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

  /** tcpdump's longjmp out of the printers: the marker, then nothing more. */
  jump(): number {
    if (!this.dead) this.jumped = true;
    return this.trunc();
  }

  /** Big-endian reads the callers have bounds-checked. */
  private be16(p: number): number { return (this.m[p] << 8) | this.m[p + 1]; }
  private be32(p: number): number {
    const m = this.m;
    return ((m[p] << 24) | (m[p + 1] << 16) | (m[p + 2] << 8) | m[p + 3]) >>> 0;
  }

  /** Reads a printer checks first (ND_TCHECK_ and "goto trunc"): a byte past the capture
   *  writes the marker and the printer returns. */
  u8(p: number): number { return p + 1 > this.snapend ? this.trunc() : this.m[p]; }
  u16(p: number): number { return p + 2 > this.snapend ? this.trunc() : this.be16(p); }
  u32(p: number): number { return p + 4 > this.snapend ? this.trunc() : this.be32(p); }

  /** The reads of tcpdump's GET_ macros: a byte past the capture jumps. */
  g8(p: number): number { return p + 1 > this.snapend ? this.jump() : this.m[p]; }
  g16(p: number): number { return p + 2 > this.snapend ? this.jump() : this.be16(p); }
  g32(p: number): number { return p + 4 > this.snapend ? this.jump() : this.be32(p); }

  /** A printer's own bounds check (ND_TCHECK_ with "goto trunc"): n bytes at p captured,
   *  else the marker; false when dead. */
  need(p: number, n: number): boolean {
    if (p + n > this.snapend) this.trunc();
    return !this.dead;
  }

  /** The same for bytes a GET_ macro reads (an address, a string): a jump when missing. */
  get(p: number, n: number): boolean {
    if (p + n > this.snapend) this.jump();
    return !this.dead;
  }

  /** tcpdump's ND_DEFAULTPRINT: n bytes at p as hex and ASCII on lines of their own (not
   *  with -q, -x, -X); a length past the capture prints what there is, then the marker. */
  defaultData(p: number, n: number): void {
    if (!this.defaultPrint || this.dead) return;
    const have = this.snapend > p ? this.snapend - p : 0;
    writeHexDump(this.out, this.m, p, n < have ? n : have, true);
    if (n > have) this.trunc();
  }

  /** tcpdump's print_unknown_data(): n bytes at p as hex, at most what was captured, each
   *  line after `indent`. */
  unknownData(p: number, n: number, indent = '\n\t'): void {
    if (this.dead) return;
    if (p > this.snapend) { this.out.str(indent).str('Dissector error: print_unknown_data called with pointer past end of packet'); return; }
    const have = this.snapend - p;
    writeHexDump(this.out, this.m, p, n < have ? n : have, false, indent);
  }
}
