// TCP as tcpdump 4.99 prints it (print-tcp.c): ports, Flags [..], relative or absolute
// seq/ack, win, urg, the options list in wire order, length, and the cut where tcpdump
// would hand the payload to an application printer. The header is where the descriptor's
// L4 offset says, as long as its L4_HDR_LEN; the fields come from the descriptor when the
// dissector read the whole header, and the options are printed from the bytes between the
// fixed header and L4_HDR_LEN.
import { appText, writeAppText } from './app.js';
import type { TextState } from './state.js';
import { onesSum, shouldBe } from './inet-checksum.js';
import { tcpAppPort, tcpOptionName } from './names.js';
import { writeCharEscaped } from './escape.js';
import { pseudoSum6 } from './ip6.js';
import { pseudoSum4 } from './ip-options.js';
import { writeMptcp, writeTcpAo } from './mptcp.js';
import { L_REASM, L_TCP } from '../../runtime/layout.js';

const FLAG_CHARS = [70, 83, 82, 80, 46, 85, 69, 87]; // F S R P . U E W (FIN first)
const MAX_RST_DATA = 30;

/** `ip` is the IP header offset, `v` its version; `length` the TCP segment length per
 *  the IP header; `innerProto` the protocol field of the fixed IP header (tcpdump prints
 *  addresses with the ports only when it is TCP, i.e. no IPv6 extension headers). */
export function writeTcp(st: TextState, bp: number, length: number, ip: number, v: number, fragmented: boolean): void {
  const d = st.v;
  const out = st.out;
  const m = st.m;
  st.proto = 'tcp';
  const srcOff = v === 4 ? ip + 12 : ip + 8;
  const dstOff = v === 4 ? ip + 16 : ip + 24;
  const alen = v === 4 ? 4 : 16;
  // Addresses go with the ports when TCP follows the fixed IP header directly.
  const direct = d.ipNxt === 6;
  if (!st.has(bp + 2, 2)) {
    writeAddr(st, srcOff, v); out.str(' > '); writeAddr(st, dstOff, v); out.ch(58);
    st.trunc();
    return;
  }
  // The dissector's fields when it read this header (on a fragment that completed a
  // reassembly they describe the datagram's, elsewhere); a segment the IP length leaves too
  // short for one gets tcpdump's reads of what is there.
  const atL4 = (d.layers & L_REASM) === 0 && bp === st.f + d.l4Off;
  const whole = atL4 && (d.layers & L_TCP) !== 0;
  const sport = whole ? d.srcPort : st.u16(bp);
  const dport = whole ? d.dstPort : st.u16(bp + 2);
  if (direct) { writeAddr(st, srcOff, v); out.ch(46); }
  out.dec(sport).str(' > ');
  if (direct) { writeAddr(st, dstOff, v); out.ch(46); }
  out.dec(dport).str(': ');
  if (!st.need(bp, 20)) return;
  let hlen = atL4 ? d.l4HdrLen : (m[bp + 12] >>> 4) * 4;
  if (hlen < 20) {
    out.str(' tcp ').dec(Math.max(0, length - hlen)).str(' [bad hdr length ').dec(hlen).str(' - too short, < 20]');
    return;
  }
  let seq = whole ? d.tcpSeq : st.u32(bp + 4);
  let ack = whole ? d.tcpAck : st.u32(bp + 8);
  const win = whole ? d.tcpWindow : st.u16(bp + 14);
  const urp = whole ? d.tcpUrgent : st.u16(bp + 18);
  if (st.qflag) {
    out.str('tcp ').dec(length - hlen >= 0 ? length - hlen : (length - hlen) >>> 0);
    if (hlen > length) out.str(' [bad hdr length ').dec(hlen).str(' - too long, > ').dec(length).ch(93);
    return;
  }
  const flags = whole ? d.tcpFlags & 0xFF : m[bp + 13];
  out.str('Flags [');
  if (flags === 0) out.str('none');
  else for (let i = 0; i < 8; i++) if (flags & (1 << i)) out.ch(FLAG_CHARS[i]);
  out.ch(93);
  let rev = 0;
  let thseq = 0;
  let thack = 0;
  if (!st.sflag && (flags & 0x10)) {
    const r = st.seqs.lookup(m, srcOff, dstOff, alen, sport, dport, seq, ack, (flags & 0x02) !== 0);
    rev = r.rev;
    if (r.found) {
      if (rev) { seq = (seq - r.ack) >>> 0; ack = (ack - r.seq) >>> 0; }
      else { seq = (seq - r.seq) >>> 0; ack = (ack - r.ack) >>> 0; }
    }
    thseq = r.seq;
    thack = r.ack;
  }
  if (hlen > length) {
    out.str(' [bad hdr length ').dec(hlen).str(' - too long, > ').dec(length).ch(93);
    return;
  }
  if (st.vflag > 0 && !fragmented && st.has(bp, length)) {
    // Pseudo-header + segment; the sum over everything including the field is 0xFFFF
    // when the checksum is right.
    // IPv4's pseudo-header holds a 16-bit TCP length (RFC 793 §3.1), IPv6's a 32-bit one
    // (RFC 8200 §8.1): a BIG TCP segment over IPv4 sums its length modulo 2^16, as tcpdump.
    let s = v === 4 ? pseudoSum4(st, ip, d.l3HdrLen) : pseudoSum6(st, ip);
    s = onesSum(m, bp, length, s + 6 + (v === 4 ? length & 0xFFFF : (length >>> 16) + (length & 0xFFFF)));
    const field = (m[bp + 16] << 8) | m[bp + 17];
    out.str(', cksum 0x').hex(field, 4);
    if (s !== 0xFFFF) out.str(' (incorrect -> 0x').hex(shouldBe(field, s), 4).ch(41);
    else out.str(' (correct)');
  }
  length -= hlen;
  if (st.vflag > 1 || length > 0 || (flags & 0x07)) {
    out.str(', seq ').dec(seq);
    if (length > 0) out.ch(58).dec((seq + length) >>> 0);
  }
  if (flags & 0x10) out.str(', ack ').dec(ack);
  out.str(', win ').dec(win);
  if (flags & 0x20) out.str(', urg ').dec(urp);
  if (hlen > 20) {
    if (!writeOptions(st, bp + 20, hlen - 20, rev, thseq, thack, flags & 0xFF)) return;
  }
  out.str(', length ').dec(length);
  if (length <= 0) return;
  if (!st.has(bp, hlen)) {
    out.str(' [remaining caplen(').dec(Math.max(0, st.snapend - bp)).str(') < header length(').dec(hlen).str(')]');
    st.trunc();
    return;
  }
  if ((flags & 0x04) && st.vflag) {
    writeRstData(st, bp + hlen, length);
    return;
  }
  const app = appText(st, bp); // the port's printer, when host/app/ decoded one (DNS ...)
  if (app !== null) { writeAppText(st, app); return; }
  if (tcpAppPort(sport) || tcpAppPort(dport)) st.markCut();
}

/** Writes ", options [...]"; false when tcpdump stops the line inside (bad option). */
function writeOptions(st: TextState, cp0: number, optLen: number, rev: number, thseq: number, thack: number, flags: number): boolean {
  const out = st.out;
  let cp = cp0;
  let hlen = optLen;
  let ch = 0;
  out.str(', options [');
  while (hlen > 0) {
    if (ch) out.ch(ch);
    const opt = st.u8(cp);
    cp++;
    let len = 1;
    if (opt !== 0 && opt !== 1) {
      len = st.u8(cp);
      cp++;
      if (len < 2 || len > hlen) return badOpt(st, ch);
      --hlen;
    }
    --hlen;
    let datalen = 0;
    const name = tcpOptionName(opt);
    if (name !== undefined) out.str(name); else out.str('unknown-').dec(opt);
    switch (opt) {
      case 2: // mss
        datalen = 2;
        if (datalen > hlen) return badOpt(st, ch);
        out.ch(32).dec(st.u16(cp));
        break;
      case 3: // wscale
        datalen = 1;
        if (datalen > hlen) return badOpt(st, ch);
        out.ch(32).dec(st.u8(cp));
        break;
      case 5: // sack
        datalen = len - 2;
        if (datalen % 8 !== 0) out.str(' invalid sack');
        else {
          out.ch(32).dec(datalen / 8).ch(32);
          for (let i = 0; i < datalen; i += 8) {
            if (i + 4 > hlen) return badOpt(st, ch);
            let s = st.u32(cp + i);
            if (i + 8 > hlen) return badOpt(st, ch);
            let e = st.u32(cp + i + 4);
            if (rev) { s = (s - thseq) >>> 0; e = (e - thseq) >>> 0; }
            else { s = (s - thack) >>> 0; e = (e - thack) >>> 0; }
            out.ch(123).dec(s).ch(58).dec(e).ch(125);
          }
        }
        break;
      case 6: case 7: case 11: case 12: case 13:
        datalen = 4;
        if (datalen > hlen) return badOpt(st, ch);
        out.ch(32).dec(st.u32(cp));
        break;
      case 8: // timestamps
        datalen = 8;
        if (datalen > hlen) return badOpt(st, ch);
        out.str(' val ').dec(st.u32(cp)).str(' ecr ').dec(st.u32(cp + 4));
        break;
      case 19: // md5: tcpdump built with libcrypto cannot check without -M
        datalen = 16;
        if (datalen > hlen) return badOpt(st, ch);
        out.str(' shared secret not supplied with -M, can\'t check - ');
        for (let i = 0; i < 16; i++) out.hex2(st.u8(cp + i));
        break;
      case 20: // scps
        datalen = 2;
        if (datalen > hlen) return badOpt(st, ch);
        out.str(' cap ').hex2(st.u8(cp)).str(' id ').dec(st.u8(cp + 1));
        break;
      case 28: { // uto
        datalen = 2;
        if (datalen > hlen) return badOpt(st, ch);
        let uto = st.u16(cp);
        out.str(' 0x').hex(uto);
        uto = uto & 1 ? (uto >>> 1) * 60 : uto >>> 1;
        out.ch(32).dec(uto);
        break;
      }
      case 0: case 1: case 4:
        break;
      case 34: // tfo
        datalen = len - 2;
        if (datalen > hlen) return badOpt(st, ch);
        out.ch(32);
        writeFastOpen(st, cp, datalen, false);
        break;
      case 254: { // RFC 6994 experimental with a magic number
        datalen = len - 2;
        if (datalen > hlen) return badOpt(st, ch);
        if (datalen < 2) return badOpt(st, ch);
        const magic = st.u16(cp);
        out.ch(45);
        if (magic === 0xf989) writeFastOpen(st, cp + 2, datalen - 2, true);
        else out.hex(magic, 4);
        break;
      }
      case 29: // TCP-AO
        datalen = len - 2;
        if (!writeTcpAo(st, cp, datalen, hlen)) return badOpt(st, ch);
        break;
      case 30: { // MPTCP
        datalen = len - 2;
        if (datalen > hlen || !st.need(cp, datalen)) return badOpt(st, ch);
        // mptcp_print() leaves ndo_protocol at "mptcp": a later cut says [|mptcp].
        if (!writeMptcp(st, cp - 2, len, flags)) return badOpt(st, ch);
        break;
      }
      default:
        datalen = len - 2;
        if (datalen) out.str(' 0x');
        for (let i = 0; i < datalen; i++) {
          if (i + 1 > hlen) return badOpt(st, ch);
          out.hex2(st.u8(cp + i));
        }
        break;
    }
    cp += datalen;
    hlen -= datalen;
    let spec = datalen + 1;
    if (opt !== 0 && opt !== 1) spec++;
    if (spec !== len) out.str('[len ').dec(len).ch(93);
    ch = 44;
    if (opt === 0) break;
  }
  out.ch(93);
  return true;
}

function badOpt(st: TextState, ch: number): false {
  st.out.str('[bad opt]');
  if (ch) st.out.ch(93);
  return false;
}

function writeFastOpen(st: TextState, cp: number, datalen: number, exp: boolean): void {
  const out = st.out;
  if (exp) out.str('tfo');
  if (datalen === 0) {
    out.str(' cookiereq');
  } else if (datalen % 2 !== 0 || datalen < 4 || datalen > 16) {
    out.str(' invalid');
  } else {
    out.str(' cookie ');
    for (let i = 0; i < datalen; i++) out.hex2(st.u8(cp + i));
  }
}

/** RFC 1122 RST data, printed with -v: " [RST text]" ("[!RST" when cut by the snaplen). */
function writeRstData(st: TextState, sp: number, length: number): void {
  const out = st.out;
  out.str(st.has(sp, length) ? ' [RST' : ' [!RST');
  let n = length;
  if (n > MAX_RST_DATA) { n = MAX_RST_DATA; out.ch(43); }
  out.ch(32);
  for (let p = sp; n > 0 && p < st.snapend; p++, n--) writeCharEscaped(out, st.m[p]);
  out.ch(93);
}

export function writeAddr(st: TextState, off: number, v: number): void {
  if (v === 4) st.out.ipv4At(st.m, off);
  else st.out.ipv6At(st.m, off);
}
