// ICMP as tcpdump 4.99's print-icmp.c prints it: "ICMP <what>, length N", the checksum
// verdict with -v, and with -v the datagram an error message quotes, printed like any IP
// packet (inner.ts hands it to the dissector first). The message starts at the descriptor's
// L4 offset; its fields sit at fixed offsets of the ICMP formats (RFC 792, 1191, 1256).
// tcpdump formats the text before printing it, so a field missing from the capture stops
// the line before "ICMP" itself.
import type { TextState } from './state.js';
import type { TextBuffer } from './buffer.js';
import { onesSum, shouldBe } from './inet-checksum.js';
import { writeInnerIp } from './inner.js';
import { LINKTYPE_IPV4 } from '../../runtime/layout.js';

const OTHER_TYPES: Record<number, string> = {
  0: 'echo reply', 4: 'source quench', 8: 'echo request', 10: 'router solicitation', 13: 'time stamp request',
  14: 'time stamp reply', 15: 'information request', 16: 'information reply', 17: 'address mask request',
};
const UNREACH: Array<[string, string]> = [
  ['net ', ' unreachable'], ['host ', ' unreachable'], ['', ''], ['', ''], ['', ''], ['', ' unreachable - source route failed'],
  ['net ', ' unreachable - unknown'], ['host ', ' unreachable - unknown'], ['', ' unreachable - source host isolated'],
  ['net ', ' unreachable - admin prohibited'], ['host ', ' unreachable - admin prohibited'],
  ['net ', ' unreachable - tos prohibited'], ['host ', ' unreachable - tos prohibited'],
  ['host ', ' unreachable - admin prohibited filter'], ['host ', ' unreachable - host precedence violation'],
  ['host ', ' unreachable - precedence cutoff'],
];
const REDIRECT = ['redirect ', 'redirect ', 'redirect-tos ', 'redirect-tos '];
const REDIRECT_TO = [' to net ', ' to host ', ' to net ', ' to host '];

/** Error messages quote the datagram that caused them (printed with -v). */
function isError(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/** icmp_print(): bp the message, plen its length per the IP header. */
export function writeIcmp(st: TextState, bp: number, plen: number, fragmented: boolean): void {
  const out = st.out;
  const m = st.m;
  st.proto = 'icmp';
  const type = st.g8(bp);
  const code = st.g8(bp + 1);
  if (st.dead) return;
  // Every field the text needs is checked first: then "ICMP " and the text are written.
  if (!checkFields(st, bp, type, code)) return;
  out.str('ICMP ');
  const quoted = bp + 8; // the quoted IP header of an error message
  switch (type) {
    case 0: case 8:
      out.str(type === 8 ? 'echo request' : 'echo reply').str(', id ').dec(be16(m, bp + 4)).str(', seq ').dec(be16(m, bp + 6));
      break;
    case 3:
      if (code === 2) out.ipv4At(m, quoted + 16).str(' protocol ').dec(m[quoted + 9]).str(' unreachable');
      else if (code === 3) {
        const hlen = (m[quoted] & 15) * 4;
        const dport = be16(m, quoted + hlen + 2);
        const proto = m[quoted + 9];
        out.ipv4At(m, quoted + 16);
        if (proto === 6) out.str(' tcp port ').dec(dport).str(' unreachable');
        else if (proto === 17) out.str(' udp port ').dec(dport).str(' unreachable');
        else out.str(' protocol ').dec(proto).str(' port ').dec(dport).str(' unreachable');
      } else if (code === 4) {
        const mtu = be16(m, bp + 6);
        out.ipv4At(m, quoted + 16).str(' unreachable - need to frag');
        if (mtu) out.str(' (mtu ').dec(mtu).ch(41);
      } else if (code < UNREACH.length) {
        out.str(UNREACH[code][0]).ipv4At(m, quoted + 16).str(UNREACH[code][1]);
      } else {
        out.ipv4At(m, quoted + 16).str(' unreachable - #').dec(code);
      }
      break;
    case 5:
      if (code < 4) out.str(REDIRECT[code]).ipv4At(m, quoted + 16).str(REDIRECT_TO[code]).ipv4At(m, bp + 4);
      else out.str('redirect-#').dec(code).ch(32).ipv4At(m, quoted + 16).str(' to ').ipv4At(m, bp + 4);
      break;
    case 9: writeRouterAdvert(st, bp); break;
    case 11:
      if (code === 0) out.str('time exceeded in-transit');
      else if (code === 1) out.str('ip reassembly time exceeded');
      else out.str('time exceeded-#').dec(code);
      break;
    case 12:
      if (code) out.str('parameter problem - code ').dec(code);
      else out.str('parameter problem - octet ').dec(m[bp + 4]);
      break;
    case 18: out.str('address mask is 0x').hex(be32(m, bp + 8), 8); break;
    case 13: out.str('time stamp query id ').dec(be16(m, bp + 4)).str(' seq ').dec(be16(m, bp + 6)); break;
    case 14:
      out.str('time stamp reply id ').dec(be16(m, bp + 4)).str(' seq ').dec(be16(m, bp + 6)).str(': org ');
      writeMsTime(out, be32(m, bp + 8));
      out.str(', recv ');
      writeMsTime(out, be32(m, bp + 12));
      out.str(', xmit ');
      writeMsTime(out, be32(m, bp + 16));
      break;
    default: {
      const name = OTHER_TYPES[type];
      if (name !== undefined) out.str(name); else out.str('type-#').dec(type);
      break;
    }
  }
  out.str(', length ').dec(plen);
  if (st.vflag && !fragmented && st.has(bp, plen)) {
    const s = onesSum(m, bp, plen);
    if (s !== 0xFFFF) {
      const field = be16(m, bp + 2);
      out.str(' (wrong icmp cksum ').hex(field).str(' (->').hex(shouldBe(field, s)).str(')!)');
    }
  }
  if (st.vflag >= 1 && isError(type)) {
    // The quoted datagram, cut to the length its own header gives.
    out.str('\n\t');
    const ipLen = st.g16(quoted + 2);
    if (st.dead) return;
    const snapend = st.snapend;
    if (quoted + ipLen < st.snapend) st.snapend = quoted + ipLen;
    writeInnerIp(st, quoted, ipLen, LINKTYPE_IPV4, 4);
    st.snapend = snapend;
    st.proto = 'icmp';
    if (st.dead) return;
  }
  if (st.vflag >= 1 && plen > EXT_OFF && (type === 3 || type === 11 || type === 12)) writeMultipart(st, bp, plen);
}

/** Where RFC 4884 extensions start: after the 128 bytes the original datagram is padded to. */
const EXT_OFF = 136;

/** The multi-part extension of an error message (RFC 4884, MPLS label stacks RFC 4950).
 *  Without a length field, only a valid checksum says an extension is there. */
function writeMultipart(st: TextState, bp: number, plen: number): void {
  const out = st.out;
  const m = st.m;
  if (!st.need(bp, EXT_OFF + 5)) return;
  const ext = bp + EXT_OFF;
  if (m[bp + 5] === 0 && st.has(ext, plen - EXT_OFF) && onesSum(m, ext, plen - EXT_OFF) !== 0xFFFF) return;
  const version = m[ext] >> 4;
  out.str('\n\tICMP Multi-Part extension v').dec(version);
  if (version !== 2) { out.str(' packet not supported'); return; }
  let hlen = plen - EXT_OFF;
  if (st.has(ext, hlen)) {
    out.str(', checksum 0x').hex(be16(m, ext + 2), 4).str(' (').str(onesSum(m, ext, hlen) !== 0xFFFF ? 'in' : '')
      .str('correct), length ').dec(hlen);
  }
  hlen -= 4;
  let obj = ext + 4;
  while (hlen > 4) {
    if (!st.need(obj, 4)) return;
    let tlen = be16(m, obj);
    const cls = m[obj + 2];
    const ctype = m[obj + 3];
    obj += 4;
    out.str('\n\t  ').str(cls === 1 ? 'MPLS Stack Entry' : cls === 2 ? 'Interface Identification' : 'unknown')
      .str(' Object (').dec(cls).str('), Class-Type: ').dec(ctype).str(', length ').dec(tlen);
    hlen -= 4;
    if (cls === 0 || tlen < 4) return;
    tlen -= 4;
    if (cls === 1 && ctype === 1) {
      if (!st.get(obj, 4)) return;
      const raw = be32(m, obj);
      out.str('\n\t    label ').dec(raw >>> 12).str(', tc ').dec((raw >>> 9) & 7);
      if (raw & 0x100) out.str(', [S]');
      out.str(', ttl ').dec(raw & 0xff);
    } else {
      st.unknownData(obj, tlen, '\n\t    ');
    }
    if (hlen < tlen) break;
    hlen -= tlen;
    obj += tlen;
  }
}

/** The captured-field checks tcpdump's GET_ macros make while it formats the text. */
function checkFields(st: TextState, bp: number, type: number, code: number): boolean {
  const q = bp + 8;
  switch (type) {
    case 0: case 8: case 13: return st.get(bp + 4, 4);
    case 3:
      if (code === 2) return st.get(q + 16, 4) && st.get(q + 9, 1);
      if (code === 3) {
        if (!st.need(q + 9, 1)) return false; // ND_TCHECK_1, then GETs
        const hlen = (st.m[q] & 15) * 4;
        return st.get(q + hlen + 2, 2) && st.get(q + 16, 4);
      }
      if (code === 4) return st.get(bp + 6, 2) && st.get(q + 16, 4);
      return st.get(q + 16, 4);
    case 5: return st.get(q + 16, 4) && st.get(bp + 4, 4);
    case 9: {
      if (!st.need(bp + 4, 4)) return false; // ND_TCHECK_SIZE of the header and of each entry
      const num = st.m[bp + 4];
      if (st.m[bp + 5] === 2) for (let i = 0; i < num; i++) if (!st.need(bp + 8 + i * 8, 8)) return false;
      return true;
    }
    case 11: return st.need(q + 16, 4); // ND_TCHECK_4
    case 12: return code !== 0 || st.get(bp + 4, 1);
    case 18: return st.get(bp + 8, 4);
    case 14: return st.need(bp + 16, 4) && st.get(bp + 4, 4) && st.get(bp + 8, 8); // ND_TCHECK_4, then GETs
    default: return true;
  }
}

/** "router advertisement lifetime L N: {addr pref} ..." (RFC 1256; checkFields() made
 *  sure every entry was captured, as tcpdump's buffer would not be printed otherwise). */
function writeRouterAdvert(st: TextState, bp: number): void {
  const out = st.out;
  const m = st.m;
  const num = m[bp + 4];
  const size = m[bp + 5];
  out.str('router advertisement lifetime ');
  const lifetime = be16(m, bp + 6);
  if (lifetime < 60) out.dec(lifetime);
  else if (lifetime < 3600) out.dec(Math.floor(lifetime / 60)).ch(58).decPad(lifetime % 60, 2);
  else out.dec(Math.floor(lifetime / 3600)).ch(58).decPad(Math.floor((lifetime % 3600) / 60), 2).ch(58).decPad(lifetime % 60, 2);
  out.ch(32).dec(num).ch(58);
  if (size !== 2) { out.str(' [size ').dec(size).ch(93); return; }
  for (let i = 0; i < num; i++) {
    const e = bp + 8 + i * 8;
    out.str(' {').ipv4At(m, e).ch(32).dec(be32(m, e + 4)).ch(125);
  }
}

/** icmp_tstamp_print(): milliseconds since midnight UT as hh:mm:ss.mmm. */
function writeMsTime(out: TextBuffer, t: number): void {
  const msec = t % 1000;
  let sec = Math.floor(t / 1000);
  let min = Math.floor(sec / 60);
  sec -= min * 60;
  const hrs = Math.floor(min / 60);
  min -= hrs * 60;
  out.decPad(hrs, 2).ch(58).decPad(min, 2).ch(58).decPad(sec, 2).ch(46).decPad(msec, 3);
}

function be16(m: Uint8Array, p: number): number {
  return (m[p] << 8) | m[p + 1];
}

function be32(m: Uint8Array, p: number): number {
  return ((m[p] << 24) | (m[p + 1] << 16) | (m[p + 2] << 8) | m[p + 3]) >>> 0;
}
