// tcpdump-style text output: one line per packet (more with -v, -x), as tcpdump 4.99
// prints with -n (this project never resolves names, so -n and -nn are the same and
// ports are always numeric). The text is the engine's dissection put into words: the
// descriptor says which headers a frame has, where each starts and how long it is (see
// state.ts); the printers here and in link.ts, ip.ts, ip6.ts, ... format its fields and
// read the bytes they print at the offsets it gives. Link layers: Ethernet (VLAN, QinQ,
// 802.3/LLC/SNAP, STP), Linux SLL and SLL2, BSD NULL/LOOP, raw IPv4/IPv6; then IPv4/IPv6
// with their extension headers, TCP, UDP, ICMP, ICMPv6 and ARP. Where tcpdump would go on
// with an application printer we do not have (DNS, OSPF, GRE ...), the line ends in the
// generic form tcpdump itself uses for what it cannot decode, and `lastCut` says where
// that part begins. Formatting writes bytes straight into a TextBuffer: nothing but the
// output bytes is produced per packet.
import type { PacketView } from '../../dissect/packet-view.js';
import { TextBuffer } from './buffer.js';
import { TimestampFormatter } from './timestamp.js';
import { writeAsciiText, writeHexDump } from './hexdump.js';
import { TextState, type TextOptions } from './state.js';
import { writeLink } from './link.js';
import { RecordDissector } from './record-dissector.js';

export type { TextOptions } from './state.js';

export class TextFormatter {
  readonly out: TextBuffer;
  readonly opts: Readonly<TextOptions>;
  /** Offset in the buffer where the last packet's text started / its generic part starts
   *  (-1: the whole line is ours, field for field). */
  lastStart = 0;
  lastCut = -1;
  private readonly st: TextState;
  private readonly ts: TimestampFormatter;
  private readonly hexLevel: number;
  private records: RecordDissector | null = null;

  constructor(out: TextBuffer, opts: TextOptions = {}) {
    this.out = out;
    this.opts = { ...opts };
    this.st = new TextState(out, opts);
    this.ts = new TimestampFormatter(opts.timestamps ?? 1, opts.nano === true);
    this.hexLevel = opts.hex ?? (opts.ascii ? 1 : 0);
  }

  /** Formats the dissected frame the view points at (`m`: the memory holding the frame
   *  at view.frame). Appends the text and a newline. */
  format(v: PacketView, m: Uint8Array, tsSec: number, tsNsec: number, number: number): void {
    const out = this.out;
    const st = this.st;
    out.ensure(256);
    this.lastStart = out.pos;
    st.reset(v, m);
    if (this.opts.numbers) out.decRight(number, 5).str('  ');
    this.ts.write(out, tsSec, tsNsec);
    let hdrlen = writeLink(st);
    if (st.dead) {
      // The line ends at tcpdump's " [|proto]": drop what the printers wrote after it.
      out.pos = st.deadPos;
      hdrlen = st.jumped ? 0 : st.hdrlen;
      if (st.cut > out.pos) st.cut = -1;
    }
    this.lastCut = st.cut;
    const frame = v.frame;
    const caplen = v.capLen;
    if (hdrlen < 0) {
      // Link types tcpdump cannot dissect: it dumps the bytes (hex and ASCII), and -x
      // then dumps them again as the whole frame is "after the link header".
      writeHexDump(out, m, frame, caplen, true);
      hdrlen = 0;
    }
    if (this.hexLevel > 0) {
      const from = this.hexLevel > 1 ? 0 : hdrlen;
      if (caplen > from) writeHexDump(out, m, frame + from, caplen - from, this.opts.ascii === true);
    } else if (this.opts.asciiText !== undefined && this.opts.asciiText > 0) {
      const from = this.opts.asciiText > 1 ? 0 : hdrlen;
      if (caplen > from) writeAsciiText(out, m, frame + from, caplen - from);
    }
    out.ch(10);
  }

  /** The same for a capture record that no engine has dissected (a caller reading a file
   *  itself): the record is dissected first, by the engine's TypeScript twin on a scratch
   *  memory, so the text still comes from the one dissector. */
  formatFrame(m: Uint8Array, frame: number, caplen: number, wirelen: number, linktype: number, tsSec: number, tsNsec: number, number: number): void {
    this.records ??= new RecordDissector();
    const v = this.records.dissect(m.subarray(frame, frame + caplen), linktype, wirelen);
    this.format(v, this.records.bytes(), tsSec, tsNsec, number);
  }

  /** The text of the last formatted packet (tests; allocates). */
  lastText(): string {
    return this.out.textSince(this.lastStart);
  }
}
