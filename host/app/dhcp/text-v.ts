// BOOTP/DHCP with -v, as tcpdump 4.99.3 prints it (print-bootp.c: bootp_print past its
// first line, rfc1048_print, cmu_print): the header's interesting fields on the first line,
// then the addresses, sname, file and every vendor option on lines of their own. Reads stop
// at tcpdump's snapend (the captured bytes, cut at the IP datagram's end); a read past it
// ends the text with " [|bootp]" as tcpdump's GET macros longjmp out ('jump'), and its
// ND_TCHECKs print the same and return ('soft').
import type { AppText } from '../app-text.js';
import { fnPrintChar, hexPrint, reader, Snapend } from '../text-chars.js';
import { DHCP_OPTION_FORMATS, DHCP_MESSAGE_NAMES, dhcpOptionName } from './option-names.js';

const TRUNC = ' [|bootp]';
const RFC1048_COOKIE = 0x63825363;
const CMU_COOKIE = 0x434d5500; // "CMU\0"

const OVERLOAD = ['', 'file', 'sname', 'file+sname'];
const NETBIOS_NODE: Record<number, string> = { 1: 'b-node', 2: 'p-node', 4: 'm-node', 8: 'h-node' };
const ARP_HW: Record<number, string> = { 1: 'ether', 6: 'ieee802', 7: 'arcnet', 15: 'frelay', 23: 'strip', 24: 'ieee1394' };
const AGENT_SUBOPTIONS: Record<number, string> = { 1: 'Circuit-ID', 2: 'Remote-ID', 6: 'Subscriber-ID' };

class Stop extends Error {}

/** The printer's state: the text so far and the bytes it may read. */
class Out {
  s = '';
  readonly get: (p: number) => number;
  constructor(readonly u8: Uint8Array, readonly snapend: number) {
    this.get = reader(u8, snapend);
  }
  u16(p: number): number { return (this.get(p) << 8) | this.get(p + 1); }
  u32(p: number): number { return ((this.get(p) << 24) | (this.get(p + 1) << 16) | (this.get(p + 2) << 8) | this.get(p + 3)) >>> 0; }
  ip(p: number): string { return `${this.get(p)}.${this.get(p + 1)}.${this.get(p + 2)}.${this.get(p + 3)}`; }
  mac(p: number): string {
    const b: string[] = [];
    for (let i = 0; i < 6; i++) b.push(this.get(p + i).toString(16).padStart(2, '0'));
    return b.join(':');
  }
  /** ND_TCHECK: prints the truncation itself and stops the printer ('soft'). */
  check(p: number, n: number): void {
    if (p + n > this.snapend) { this.s += TRUNC; throw new Stop(); }
  }
  /** nd_printn: up to n characters before snapend; true when it was cut short. */
  printn(p: number, n: number): boolean {
    let i = 0;
    for (; i < n && p + i < this.snapend; i++) this.s += fnPrintChar(this.u8[p + i]);
    return i < n;
  }
  /** nd_printztn: characters up to a NUL within n bytes; false when there was none before
   *  n bytes or snapend (tcpdump's "0 bytes": truncated). */
  printztn(p: number, n: number): boolean {
    for (let i = 0; i < n && p + i < this.snapend; i++) {
      const c = this.u8[p + i];
      if (c === 0) return true;
      this.s += fnPrintChar(c);
    }
    return false;
  }
}

/** The whole -v text of a BOOTP/DHCP message at `p` (`length`: the UDP payload's). */
export function bootpVerboseText(u8: Uint8Array, p: number, length: number, snapend: number, vflag: number): AppText {
  const o = new Out(u8, snapend);
  try {
    header(o, p, length, vflag);
    return { text: o.s, trunc: 'none' };
  } catch (e) {
    if (e instanceof Stop) return { text: o.s, trunc: 'soft' };
    if (e instanceof Snapend) return { text: o.s + TRUNC, trunc: 'jump' };
    throw e;
  }
}

function header(o: Out, p: number, length: number, vflag: number): void {
  const op = o.get(p);
  o.s = `BOOTP/DHCP, ${op === 1 ? 'Request' : op === 2 ? 'Reply' : `unknown (0x${op.toString(16).padStart(2, '0')})`}`;
  const htype = o.get(p + 1);
  const hlen = o.get(p + 2);
  if (htype === 1 && hlen === 6 && op === 1) o.s += ` from ${o.mac(p + 28)}`;
  o.s += `, length ${length}`;
  o.check(p + 8, 2);
  if (htype !== 1) o.s += `, htype ${htype}`;
  if (htype !== 1 || hlen !== 6) o.s += `, hlen ${hlen}`;
  const hops = o.get(p + 3);
  if (hops !== 0) o.s += `, hops ${hops}`;
  const xid = o.u32(p + 4);
  if (xid !== 0) o.s += `, xid 0x${xid.toString(16)}`;
  const secs = o.u16(p + 8);
  if (secs !== 0) o.s += `, secs ${secs}`;
  const flags = o.u16(p + 10);
  o.s += `, Flags [${(flags & 0x8000) !== 0 ? 'Broadcast' : 'none'}]`;
  if (vflag > 1) o.s += ` (0x${flags.toString(16).padStart(4, '0')})`;
  const addrs: Array<[number, string]> = [[12, 'Client-IP'], [16, 'Your-IP'], [20, 'Server-IP'], [24, 'Gateway-IP']];
  for (const [at, name] of addrs) if (o.u32(p + at) !== 0) o.s += `\n\t  ${name} ${o.ip(p + at)}`;
  if (htype === 1 && hlen === 6) o.s += `\n\t  Client-Ethernet-Address ${o.mac(p + 28)}`;
  for (const [at, size, name] of [[44, 64, 'sname'], [108, 128, 'file']] as const) {
    if (o.get(p + at) === 0) continue;
    o.s += `\n\t  ${name} "`;
    if (!o.printztn(p + at, size)) { o.s += `"${TRUNC}`; throw new Stop(); }
    o.s += '"';
  }
  o.check(p + 236, 4);
  const cookie = o.u32(p + 236);
  if (cookie === RFC1048_COOKIE) rfc1048(o, p + 236, vflag);
  else if (cookie === CMU_COOKIE) cmu(o, p + 236);
  else if (cookie !== 0) o.s += `\n\t  Vendor-#0x${cookie.toString(16)}`;
}

function rfc1048(o: Out, bp: number, vflag: number): void {
  o.s += `\n\t  Vendor-rfc1048 Extensions\n\t    Magic Cookie 0x${o.u32(bp).toString(16).padStart(8, '0')}`;
  let q = bp + 4;
  while (q < o.snapend) {
    const tag = o.get(q++);
    if (tag === 0 && vflag < 3) continue;
    if (tag === 255 && vflag < 3) return;
    let fmt = DHCP_OPTION_FORMATS[tag] ?? '?';
    let len = 0;
    if (tag !== 0 && tag !== 255) len = o.get(q++);
    o.s += `\n\t    ${dhcpOptionName(tag)} (${tag}), length ${len}${len > 0 ? ': ' : ''}`;
    if (tag === 0 && vflag > 2) {
      let n = 1;
      while (q < o.snapend && o.u8[q] === 0) { q++; n++; }
      if (n > 1) o.s += `, occurs ${n}`;
    }
    o.check(q, len);
    if (tag === 53 && len === 1) {
      const t = o.get(q++);
      o.s += DHCP_MESSAGE_NAMES[t] ?? `Unknown (${t})`;
      continue;
    }
    if (tag === 55) {
      for (let i = 0; i < len; i++) {
        const inner = o.get(q++);
        o.s += i % 4 === 0 ? '\n\t      ' : ', ';
        o.s += `${dhcpOptionName(inner)} (${inner})`;
      }
      continue;
    }
    if (fmt === '?') fmt = (len & 1) !== 0 ? 'b' : (len & 2) !== 0 ? 's' : 'l';
    const left = fmt === '$' ? special(o, tag, q, len) : plain(o, fmt, q, len);
    q += len;
    // Data left over: what a fixed-size format could not use.
    if (left > 0) o.s += `\n\t  trailing data length ${left}`;
  }
}

/** The table's formats; returns how many of the `len` bytes it did not print. */
function plain(o: Out, fmt: string, q: number, len: number): number {
  const parts: string[] = [];
  switch (fmt) {
    case 'a':
      o.s += '"';
      o.printn(q, len);
      o.s += '"';
      return 0;
    case 'i': case 'l': case 'L':
      for (; len >= 4; len -= 4, q += 4) {
        parts.push(fmt === 'i' ? o.ip(q) : fmt === 'L' ? String(o.u32(q) | 0) : String(o.u32(q)));
      }
      break;
    case 'p':
      for (; len >= 8; len -= 8, q += 8) parts.push(`(${o.ip(q)}:${o.ip(q + 4)})`);
      break;
    case 's':
      for (; len >= 2; len -= 2, q += 2) parts.push(String(o.u16(q)));
      break;
    case 'B':
      for (; len > 0; len--, q++) {
        const b = o.get(q);
        parts.push(b === 0 ? 'N' : b === 1 ? 'Y' : `${b}?`);
      }
      break;
    default: // 'b', 'x' and the names without a format (PAD, END, DHCP-Message of another length)
      for (; len > 0; len--, q++) {
        const b = o.get(q);
        parts.push(fmt === 'x' ? b.toString(16).padStart(2, '0') : String(b));
      }
      o.s += parts.join(fmt === 'x' ? ':' : '.');
      return 0;
  }
  o.s += parts.join(',');
  return len;
}

/** The options tcpdump handles one by one ('$'). */
function special(o: Out, tag: number, q: number, len: number): number {
  switch (tag) {
    case 46: // Netbios-Node
    case 52: { // Option overload
      if (len < 1) { o.s += '[ERROR: length < 1 bytes]'; return 0; }
      const v = o.get(q);
      o.s += (tag === 46 ? NETBIOS_NODE[v] : OVERLOAD[v] || undefined) ?? `#${v}`; // tok2str's default
      return len - 1;
    }
    case 81: { // Client FQDN
      if (len < 3) { o.s += '[ERROR: length < 3 bytes]'; return 0; }
      const f = o.get(q);
      if ((f & 0xf0) !== 0) o.s += `[ERROR: MBZ nibble 0x${((f & 0xf0) >> 4).toString(16)} != 0] `;
      if ((f & 0x0f) !== 0) o.s += `[${(f & 1 ? 'S' : '') + (f & 2 ? 'O' : '') + (f & 4 ? 'E' : '') + (f & 8 ? 'N' : '')}] `;
      const r1 = o.get(q + 1), r2 = o.get(q + 2);
      if (r1 !== 0 || r2 !== 0) o.s += `${r1}/${r2} `;
      o.s += '"';
      o.printn(q + 3, len - 3);
      o.s += '"';
      return 0;
    }
    case 61: { // Client-ID
      if (len < 1) { o.s += '[ERROR: length < 1 bytes]'; return 0; }
      const type = o.get(q);
      if (type === 0) {
        o.s += '"';
        o.printn(q + 1, len - 1);
        o.s += '"';
        return 0;
      }
      o.s += `${ARP_HW[type] ?? `hardware-type ${type},`} `;
      const b: string[] = [];
      for (let i = 1; i < len; i++) b.push(o.get(q + i).toString(16).padStart(2, '0'));
      o.s += b.join(':');
      return 0;
    }
    case 82: { // Agent-Information (RFC 3046)
      let n = len;
      while (n >= 2) {
        const sub = o.get(q), sublen = o.get(q + 1);
        q += 2;
        n -= 2;
        const name = AGENT_SUBOPTIONS[sub] ?? 'Unknown';
        if (sublen > n) {
          o.s += `\n\t      ${name} SubOption ${sub}, length ${sublen}: length goes past end of option`;
          return 0;
        }
        o.s += `\n\t      ${name} SubOption ${sub}, length ${sublen}: `;
        if (AGENT_SUBOPTIONS[sub] !== undefined) o.printn(q, sublen);
        else o.s += hexPrint(o.u8, q, sublen, '\n\t\t'); // the option's bytes were checked whole
        n -= sublen;
        q += sublen;
      }
      return n;
    }
    case 121: case 249: { // Classless static routes (RFC 3442)
      if (len < 5) { o.s += '[ERROR: length < 5 bytes]'; return 0; }
      let n = len;
      let first = true;
      while (n > 0) {
        if (!first) o.s += ',';
        first = false;
        const width = o.get(q++);
        n--;
        if (width > 32) { o.s += `[ERROR: Mask width (${width}) > 32]`; return 0; }
        const sig = (width + 7) >> 3;
        if (n < sig + 4) { o.s += `[ERROR: Remaining length (${n}) < ${sig + 4} bytes]`; return 0; }
        o.s += '(';
        if (width === 0) o.s += 'default';
        else {
          const b: number[] = [];
          for (let i = 0; i < sig; i++) b.push(o.get(q++));
          o.s += b.join('.') + '.0'.repeat(4 - sig) + `/${width}`;
        }
        o.s += `:${o.ip(q)})`;
        q += 4;
        n -= sig + 4;
      }
      return 0;
    }
    case 77: { // User-Class (RFC 3004)
      if (len < 2) { o.s += '[ERROR: length < 2 bytes]'; return 0; }
      let n = len;
      for (let k = 1; n > 0; k++) {
        const sublen = o.get(q++);
        n--;
        o.s += `\n\t      instance#${k}: `;
        if (sublen === 0) { o.s += '[ERROR: suboption length must be non-zero]'; return 0; }
        if (n < sublen) { o.s += '[ERROR: invalid option]'; return 0; }
        o.s += '"';
        o.printn(q, sublen);
        o.s += `", length ${sublen}`;
        n -= sublen;
        q += sublen;
      }
      return 0;
    }
    default:
      o.s += `[unknown special tag ${tag}, size ${len}]`;
      return 0;
  }
}

/** The CMU vendor area (" vend-cmu" and its non-zero addresses). */
function cmu(o: Out, bp: number): void {
  o.s += ' vend-cmu';
  o.check(bp + 4, 4);
  const flags = o.get(bp + 4);
  if ((flags & ~1) !== 0) o.s += ` F:0x${flags.toString(16)}`;
  const fields: Array<[number, string]> = [[12, 'DG'], [8, (flags & 1) !== 0 ? 'SM' : 'SM*'], [16, 'NS1'], [20, 'NS2'], [24, 'IEN1'], [28, 'IEN2'], [32, 'TS1'], [36, 'TS2']];
  for (const [at, name] of fields) {
    o.check(bp + at, 4);
    if (o.u32(bp + at) !== 0) o.s += ` ${name}:${o.ip(bp + at)}`;
  }
}
