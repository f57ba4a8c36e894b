// What tcpdump prints for a DNS message (print-domain.c, domain_print(), tcpdump 4.99):
// the same walk over the same bytes with the same checks against the captured end
// ("snapend"), so that hostile messages print as tcpdump prints them too, down to
// "<BAD PTR>", "[|domain]" and its quirks (no trailing dot for a name that starts with a
// pointer to a root label; "Resp17" without its space). It reads the frame, not the app
// record, because tcpdump's truncation points are not the decoder's: the decoder says
// whether a frame is DNS (A_PROTO, A_VARIANT), tcpdump's rules say how it prints.
// Offsets are frame offsets; `f` is the frame's address in `u8`.

import { A_PROTO, A_VARIANT, APP_DNS, DV_TCP, DV_MDNS, DV_LLMNR } from '../app-layout.js';
import { E_BAD_UDP_LEN, E_TRUNC_L4 } from '../../runtime/layout.js';

const TCP_RST = 0x04;
import type { AppFrameView } from '../frame-view.js';
import { TYPE_NAMES, CLASS_NAMES, T_A, T_NS, T_CNAME, T_SOA, T_PTR, T_MX, T_TXT, T_AAAA, T_SRV, T_A6, T_DNAME, T_OPT, T_UNSPECA, T_TSIG, T_URI, C_IN } from './types.js';
import { longestZeroRun } from '../../runtime/ipv6-zero-run.js';

const OPS = [
  '', ' inv_q', ' stat', ' op3', ' notify', ' update', ' op6', ' op7',
  ' op8', ' updateA', ' updateD', ' updateDA', ' updateM', ' updateMA', ' zoneInit', ' zoneRef',
];
const RCODES = [
  '', ' FormErr', ' ServFail', ' NXDomain', ' NotImp', ' Refused', ' YXDomain', ' YXRRSet',
  ' NXRRSet', ' NotAuth', ' NotZone', ' Resp11', ' Resp12', ' Resp13', ' Resp14', ' NoChange',
  ' BadVers', 'Resp17', ' Resp18', ' Resp19', ' Resp20', 'Resp21', ' Resp22', ' BadCookie',
];
const EDNS_OPTS: ReadonlyMap<number, string> = new Map([
  [1, 'LLQ'], [2, 'UL'], [3, 'NSID'], [5, 'DAU'], [6, 'DHU'], [7, 'N3U'], [8, 'ECS'], [9, 'EXPIRE'],
  [10, 'COOKIE'], [11, 'KEEPALIVE'], [12, 'PADDING'], [13, 'CHAIN'], [14, 'KEY-TAG'], [16, 'CLIENT-TAG'], [17, 'SERVER-TAG'],
]);
const DAU: ReadonlyMap<number, string> = new Map([
  [0, 'DELETE'], [1, 'RSAMD5'], [2, 'DH'], [3, 'DS'], [5, 'RSASHA1'], [6, 'DSA-NSEC3-SHA1'], [7, 'RSASHA1-NSEC3-SHA1'],
  [8, 'RSASHA256'], [10, 'RSASHA512'], [12, 'ECC-GOST'], [13, 'ECDSAP256SHA256'], [14, 'ECDSAP384SHA384'],
  [15, 'ED25519'], [16, 'ED448'], [252, 'INDIRECT'], [253, 'PRIVATEDNS'], [254, 'PRIVATEOID'],
]);
const DHU: ReadonlyMap<number, string> = new Map([[1, 'SHA-1'], [2, 'SHA-256'], [3, 'GOST_R_34.11-94'], [4, 'SHA-384']]);
const N3U: ReadonlyMap<number, string> = new Map([[1, 'SHA-1']]);

const MAXCDNAME = 255;
const C_QU = 0x8000;
const C_CACHE_FLUSH = 0x8000;

/** A GET_ macro past the captured end: tcpdump longjmps out and prints " [|domain]". */
class Truncated extends Error {}

export interface DomainOptions {
  /** tcpdump's -v count. */
  vflag: number;
  overTcp: boolean;
  isMdns: boolean;
}

/** One message's printer: the frame bytes, where the message starts (bp) and snapend. */
class Printer {
  out = '';
  constructor(private readonly u8: Uint8Array, private readonly f: number, private readonly snapend: number, private readonly vflag: number) {}

  ttest(p: number, n: number): boolean { return p >= 0 && p + n <= this.snapend; }
  get1(p: number): number { if (!this.ttest(p, 1)) throw new Truncated(); return this.u8[this.f + p]; }
  get2(p: number): number { if (!this.ttest(p, 2)) throw new Truncated(); return (this.u8[this.f + p] << 8) | this.u8[this.f + p + 1]; }
  get4(p: number): number {
    if (!this.ttest(p, 4)) throw new Truncated();
    const m = this.u8;
    const q = this.f + p;
    return ((m[q] << 24) | (m[q + 1] << 16) | (m[q + 2] << 8) | m[q + 3]) >>> 0;
  }
  print(s: string): void { this.out += s; }

  /** fn_print_char: M- for the high bit, ^ for control characters. */
  printChar(c: number): void {
    if (c >= 0x80) { c &= 0x7F; this.out += 'M-'; }
    if (c < 0x20 || c === 0x7F) { c ^= 0x40; this.out += '^'; }
    this.out += String.fromCharCode(c);
  }

  /** nd_printn: n characters up to snapend; true when it stopped short. */
  printn(p: number, n: number): boolean {
    while (n > 0 && p < this.snapend) {
      n--;
      this.printChar(this.get1(p));
      p++;
    }
    return n !== 0;
  }

  nskip(cp: number): number | null {
    if (!this.ttest(cp, 1)) return null;
    let i = this.get1(cp);
    cp++;
    while (i !== 0) {
      const t = i & 0xC0;
      if (t === 0xC0) return cp + 1;
      if (t === 0x40) {
        if ((i & 0x3F) !== 0x01) return null; // EDNS0_ELT_BITLABEL only
        if (!this.ttest(cp, 1)) return null;
        let bitlen = this.get1(cp);
        if (bitlen === 0) bitlen = 256;
        cp++;
        cp += Math.floor((bitlen + 7) / 8);
      } else if (t === 0x80) {
        return null;
      } else {
        cp += i;
      }
      if (!this.ttest(cp, 1)) return null;
      i = this.get1(cp);
      cp++;
    }
    return cp;
  }

  blabel(cp: number): number | null {
    if (!this.ttest(cp, 1)) return null;
    let bitlen = this.get1(cp);
    if (bitlen === 0) bitlen = 256;
    const slen = Math.floor((bitlen + 3) / 4);
    const lim = cp + 1 + slen;
    this.print('\\[x');
    let bitp = cp + 1;
    let b = bitlen;
    for (; bitp < lim && b > 7; b -= 8, bitp++) this.print(this.get1(bitp).toString(16).padStart(2, '0'));
    if (b > 4) {
      const tc = this.get1(bitp);
      bitp++;
      this.print((tc & ((0xFF << (8 - b)) & 0xFF)).toString(16).padStart(2, '0'));
    } else if (b > 0) {
      const tc = this.get1(bitp);
      bitp++;
      this.print((((tc >> 4) & 0x0F) & (0x0F << (4 - b))).toString(16));
    }
    this.print(`/${bitlen}]`);
    return lim;
  }

  /** labellen(): -1 on an unknown label type (after printing what tcpdump prints). */
  labellen(cp: number): number {
    if (!this.ttest(cp, 1)) return -1;
    const i = this.get1(cp);
    const t = i & 0xC0;
    if (t === 0x40) {
      const elt = i & 0x3F;
      if (elt !== 0x01) { this.print(`<ELT ${elt}>`); return -1; }
      if (!this.ttest(cp + 1, 1)) return -1;
      let bitlen = this.get1(cp + 1);
      if (bitlen === 0) bitlen = 256;
      return Math.floor((bitlen + 7) / 8) + 1;
    }
    if (t === 0xC0 || t === 0) return i;
    this.print('<BAD LABEL TYPE>');
    return -1;
  }

  /** fqdn_print(cp, bp): the name, with its trailing dot; the offset after it in place, or null. */
  fqdn(cp: number, bp: number): number | null {
    let l = this.labellen(cp);
    if (l === -1) return null;
    if (!this.ttest(cp, 1)) return null;
    let maxOffset = (cp - bp) >>> 0; // tcpdump's u_int: DHCPv6 passes the end of its option as bp
    let i = this.get1(cp);
    cp++;
    let rp: number | null = null;
    let compress = false;
    let nameChars = 0;
    if ((i & 0xC0) !== 0xC0) rp = cp + l;
    if (i !== 0) {
      while (i !== 0 && cp < this.snapend) {
        const t = i & 0xC0;
        if (t === 0xC0) {
          if (!compress) { rp = cp + 1; compress = true; }
          if (!this.ttest(cp, 1)) return null;
          const offset = ((i << 8) | this.get1(cp)) & 0x3FFF;
          if (offset >= maxOffset) { this.print('<BAD PTR>'); return null; }
          maxOffset = offset;
          cp = bp + offset;
          if (!this.ttest(cp, 1)) return null;
          i = this.get1(cp);
          l = this.labellen(cp);
          if (l === -1) return null;
          cp++;
          continue;
        }
        if (t === 0x40) {
          const elt = i & 0x3F;
          if (elt === 0x01) {
            if (this.blabel(cp) === null) return null;
          } else {
            this.print(`<ELT ${elt}>`);
            return null;
          }
        } else if (t === 0x80) {
          this.print('<BAD LABEL TYPE>');
          return null;
        } else {
          if (nameChars + l <= MAXCDNAME) {
            if (this.printn(cp, l)) return null;
          } else if (nameChars < MAXCDNAME) {
            if (this.printn(cp, MAXCDNAME - nameChars)) return null;
          }
          nameChars += l;
        }
        cp += l;
        if (nameChars <= MAXCDNAME) this.print('.');
        nameChars++;
        if (!this.ttest(cp, 1)) return null;
        i = this.get1(cp);
        l = this.labellen(cp);
        if (l === -1) return null;
        cp++;
        if (!compress && rp !== null) rp += l + 1;
      }
      if (nameChars > MAXCDNAME) this.print('<DOMAIN NAME TOO LONG>');
    } else {
      this.print('.');
    }
    return rp;
  }

  cprint(cp: number): number | null {
    if (!this.ttest(cp, 1)) return null;
    const i = this.get1(cp);
    cp++;
    if (this.printn(cp, i)) return null;
    return cp + i;
  }

  ecs(cp: number, dataLen: number): void {
    if (dataLen < 4) { this.print(' (invalid)'); return; }
    const family = this.get2(cp);
    const srcLen = this.get1(cp + 2);
    const scopeLen = this.get1(cp + 3);
    cp += 4;
    const addrBits = family === 1 ? 32 : family === 2 ? 128 : 0;
    if (addrBits === 0 || dataLen - 4 > addrBits / 8 || srcLen > addrBits || scopeLen > addrBits || Math.floor((srcLen + 7) / 8) !== dataLen - 4) {
      this.print(' (invalid)');
      return;
    }
    const padded = new Uint8Array(16);
    for (let k = 0; k < dataLen - 4; k++) padded[k] = this.u8[this.f + cp + k];
    const addr = family === 1 ? Array.from(padded.subarray(0, 4)).join('.') : ipv6Text(padded);
    this.print(`${addr}/${srcLen}/${scopeLen}`);
  }

  eopt(cp: number): number | null {
    if (!this.ttest(cp, 2)) return null;
    const opt = this.get2(cp);
    cp += 2;
    this.print(EDNS_OPTS.get(opt) ?? `Opt${opt}`);
    if (!this.ttest(cp, 2)) return null;
    const dataLen = this.get2(cp);
    cp += 2;
    if (!this.ttest(cp, dataLen)) return null;
    if (dataLen > 0) {
      this.print(' ');
      const hexAll = (): void => { for (let k = 0; k < dataLen; k++) this.print(this.get1(cp + k).toString(16).padStart(2, '0')); };
      const algs = (names: ReadonlyMap<number, string>): void => {
        for (let k = 0; k < dataLen; k++) {
          if (k > 0) this.print(' ');
          const a = this.get1(cp + k);
          this.print(names.get(a) ?? `Alg_${a}`);
        }
      };
      switch (opt) {
        case 8: this.ecs(cp, dataLen); break;
        case 10:
          if (dataLen < 8 || (dataLen > 8 && dataLen < 16) || dataLen > 40) this.print(' (invalid)');
          else for (let k = 0; k < dataLen; k++) { if (k === 8) this.print(' '); this.print(this.get1(cp + k).toString(16).padStart(2, '0')); }
          break;
        case 11:
          if (dataLen !== 2) this.print(' (invalid)');
          else this.print(`${(this.get2(cp) / 10).toFixed(1)} sec`);
          break;
        case 9:
          if (dataLen !== 4) this.print(' (invalid)');
          else this.print(`${this.get4(cp)} sec`);
          break;
        case 12: this.print(`(${dataLen})`); break;
        case 14:
          if (dataLen % 2 !== 0) this.print(' (invalid)');
          else for (let k = 0; k < dataLen; k += 2) { if (k > 0) this.print(' '); this.print(String(this.get2(cp + k))); }
          break;
        case 5: algs(DAU); break;
        case 6: algs(DHU); break;
        case 7: algs(N3U); break;
        case 13: this.fqdn(cp, cp + dataLen); break;
        default: hexAll(); break;
      }
    }
    return cp + dataLen;
  }

  qprint(cp: number, bp: number, isMdns: boolean): number | null {
    const np = cp;
    const after = this.nskip(cp);
    if (after === null || !this.ttest(after, 4)) return null;
    cp = after;
    const type = this.get2(cp);
    cp += 2;
    this.print(` ${TYPE_NAMES.get(type) ?? `Type${type}`}`);
    const i = this.get2(cp);
    cp += 2;
    const cls = isMdns ? i & ~C_QU : i;
    if (cls !== C_IN) this.print(` ${CLASS_NAMES.get(cls) ?? `(Class ${cls})`}`);
    if (isMdns) this.print(i & C_QU ? ' (QU)' : ' (QM)');
    this.print('? ');
    const r = this.fqdn(np, bp);
    return r !== null ? r + 4 : null;
  }

  rprint(cp: number, bp: number, isMdns: boolean): number | null {
    let optFlags = 0;
    let c: number | null;
    if (this.vflag) {
      this.print(' ');
      c = this.fqdn(cp, bp);
      if (c === null) return null;
    } else {
      c = this.nskip(cp);
    }
    if (c === null || !this.ttest(c, 10)) return this.snapend;
    cp = c;
    const typ = this.get2(cp);
    cp += 2;
    const i = this.get2(cp);
    cp += 2;
    const cls = isMdns ? i & ~C_CACHE_FLUSH : i;
    if (cls !== C_IN && typ !== T_OPT) this.print(` ${CLASS_NAMES.get(cls) ?? `(Class ${cls})`}`);
    if (isMdns && (i & C_CACHE_FLUSH)) this.print(' (Cache flush)');
    if (typ === T_OPT) {
      cp += 2;
      optFlags = this.get2(cp);
      cp += 2;
    } else if (this.vflag > 2) {
      this.print(` [${relts(this.get4(cp))}]`);
      cp += 4;
    } else {
      cp += 4;
    }
    const len = this.get2(cp);
    cp += 2;
    const rp = cp + len;
    this.print(` ${TYPE_NAMES.get(typ) ?? `Type${typ}`}`);
    if (rp > this.snapend) return null;
    switch (typ) {
      case T_A:
        if (!this.ttest(cp, 4)) return null;
        this.print(` ${this.get1(cp)}.${this.get1(cp + 1)}.${this.get1(cp + 2)}.${this.get1(cp + 3)}`);
        break;
      case T_NS: case T_CNAME: case T_PTR: case T_DNAME:
        this.print(' ');
        if (this.fqdn(cp, bp) === null) return null;
        break;
      case T_SOA: {
        if (!this.vflag) break;
        this.print(' ');
        let q = this.fqdn(cp, bp);
        if (q === null) return null;
        this.print(' ');
        q = this.fqdn(q, bp);
        if (q === null) return null;
        if (!this.ttest(q, 20)) return null;
        for (let k = 0; k < 5; k++) this.print(` ${this.get4(q + 4 * k)}`);
        break;
      }
      case T_MX:
        this.print(' ');
        if (!this.ttest(cp, 2)) return null;
        if (this.fqdn(cp + 2, bp) === null) return null;
        this.print(` ${this.get2(cp)}`);
        break;
      case T_TXT: {
        let q: number | null = cp;
        while (q !== null && q < rp) {
          this.print(' "');
          q = this.cprint(q);
          if (q === null) return null;
          this.print('"');
        }
        break;
      }
      case T_SRV:
        this.print(' ');
        if (!this.ttest(cp, 6)) return null;
        if (this.fqdn(cp + 6, bp) === null) return null;
        this.print(`:${this.get2(cp + 4)} ${this.get2(cp)} ${this.get2(cp + 2)}`);
        break;
      case T_AAAA: {
        if (!this.ttest(cp, 16)) return null;
        this.print(` ${ipv6Text(this.u8.subarray(this.f + cp, this.f + cp + 16))}`);
        break;
      }
      case T_A6: {
        if (!this.ttest(cp, 1)) return null;
        const pbit = this.get1(cp);
        const pbyte = Math.floor((pbit & ~7) / 8);
        if (pbit > 128) {
          this.print(` ${pbit}(bad plen)`);
          break;
        } else if (pbit < 128) {
          const a = new Uint8Array(16);
          for (let k = 0; k < 16 - pbyte; k++) a[pbyte + k] = this.get1(cp + 1 + k);
          this.print(` ${pbit} ${ipv6Text(a)}`);
        }
        if (pbit > 0) {
          this.print(' ');
          if (this.fqdn(cp + 1 + 16 - pbyte, bp) === null) return null;
        }
        break;
      }
      case T_URI:
        if (!this.ttest(cp, len)) return null;
        this.print(` ${this.get2(cp)} ${this.get2(cp + 2)} `);
        if (this.printn(cp + 4, (len - 4) >>> 0)) return null; // u_int: under 4 runs to snapend
        break;
      case T_OPT:
        this.print(` UDPsize=${cls}`);
        if (optFlags & 0x8000) this.print(' DO');
        if (cp < rp) {
          this.print(' [');
          let q: number | null = cp;
          while (q !== null && q < rp) {
            q = this.eopt(q);
            if (q === null) return null;
            if (q < rp) this.print(',');
          }
          this.print(']');
        }
        break;
      case T_UNSPECA:
        if (!this.ttest(cp, len)) return null;
        if (this.printn(cp, len)) return null;
        break;
      case T_TSIG: {
        if (cp + len > this.snapend) return null;
        if (!this.vflag) break;
        this.print(' ');
        let q = this.fqdn(cp, bp);
        if (q === null) return null;
        q += 6;
        // The u16 fields after the time signed, each checked before it is printed; the MAC
        // follows its length.
        for (const label of [' fudge=', ' maclen=', ' origid=', ' error=', ' otherlen=']) {
          if (!this.ttest(q, 2)) return null;
          const value = this.get2(q);
          this.print(`${label}${value}`);
          q += label === ' maclen=' ? 2 + value : 2;
        }
        break;
      }
      default: break;
    }
    return rp;
  }

  /** The sections after the header; false where tcpdump goes to "trunc". */
  body(bp: number, length: number, isMdns: boolean): boolean {
    const v = this.vflag;
    const flags = this.get2(bp + 2);
    const qdcount0 = this.get2(bp + 4);
    let qdcount = qdcount0;
    let ancount = this.get2(bp + 6);
    let nscount = this.get2(bp + 8);
    let arcount = this.get2(bp + 10);
    // The OPT record's extended rcode (RFC 6891 §6.1.3): found by skipping to it.
    let rcode = flags & 0xF;
    scan: {
      let cp: number | null = bp + 12;
      for (let i = 0; i < qdcount; i++) {
        cp = this.nskip(cp);
        if (cp === null) break scan;
        cp += 4;
        if (cp >= this.snapend) break scan;
      }
      for (let i = 0; i < ancount + nscount; i++) {
        cp = this.nskip(cp);
        if (cp === null) break scan;
        cp += 8;
        if (cp + 2 > this.snapend) break scan;
        cp += 2 + this.get2(cp);
        if (cp >= this.snapend) break scan;
      }
      for (let i = 0; i < arcount; i++) {
        cp = this.nskip(cp);
        if (cp === null) break scan;
        if (cp + 2 > this.snapend) break scan;
        const type = this.get2(cp);
        cp += 4;
        if (cp + 1 > this.snapend) break scan;
        if (type === T_OPT) { rcode |= this.get1(cp) << 4; break scan; }
        cp += 4;
        if (cp + 2 > this.snapend) break scan;
        cp += 2 + this.get2(cp);
        if (cp >= this.snapend) break scan;
      }
    }
    const id = this.get2(bp);
    const opcode = (flags >>> 11) & 0xF;
    let cp: number | null = bp + 12;
    // `count` records from cp on, comma-separated, the first one whatever is left of the
    // capture and the others while there are bytes: the records not printed, -1 when one
    // did not print.
    const records = (from: number, count: number): number => {
      cp = this.rprint(from, bp, isMdns);
      if (cp === null) return -1;
      count--;
      while (cp < this.snapend && count) {
        this.print(',');
        cp = this.rprint(cp, bp, isMdns);
        if (cp === null) return -1;
        count--;
      }
      return count;
    };
    // " ns:"/" ar:" then the records, if there are bytes.
    const sections = (count: number, label: string): number => {
      if (cp === null || cp >= this.snapend || !count) return count;
      this.print(label);
      return records(cp, count);
    };
    if (flags & 0x8000) {
      const rc = rcode < RCODES.length ? RCODES[rcode] : ` Resp${rcode & 0xFFF}`;
      this.print(`${id}${OPS[opcode]}${rc}${flags & 0x400 ? '*' : ''}${flags & 0x80 ? '' : '-'}${flags & 0x200 ? '|' : ''}${flags & 0x20 ? '$' : ''}`);
      if (qdcount !== 1) this.print(` [${qdcount}q]`);
      for (let i = 0; i < qdcount; i++) {
        if (i !== 0) this.print(',');
        if (v > 1) {
          this.print(' q:');
          cp = this.qprint(cp, bp, isMdns);
          if (cp === null) return false;
        } else {
          cp = this.nskip(cp);
          if (cp === null) return false;
          cp += 4;
        }
      }
      this.print(` ${ancount}/${nscount}/${arcount}`);
      if (ancount && records(cp, ancount) !== 0) return false;
      if (v > 1) {
        nscount = sections(nscount, ' ns:');
        if (nscount !== 0) return false;
        arcount = sections(arcount, ' ar:');
        if (arcount !== 0) return false;
      }
    } else {
      this.print(`${id}${OPS[opcode]}${flags & 0x100 ? '+' : ''}${flags & 0x10 ? '%' : ''}`);
      if (flags & 0x6CF) this.print(` [b2&3=0x${flags.toString(16)}]`);
      if (opcode === 1) {
        if (qdcount) this.print(` [${qdcount}q]`);
        if (ancount !== 1) this.print(` [${ancount}a]`);
      } else {
        if (ancount) this.print(` [${ancount}a]`);
        if (qdcount !== 1) this.print(` [${qdcount}q]`);
      }
      if (nscount) this.print(` [${nscount}n]`);
      if (arcount) this.print(` [${arcount}au]`);
      if (qdcount) {
        cp = this.qprint(cp, bp, isMdns);
        if (cp === null) return false;
        qdcount--;
        while (cp < this.snapend && qdcount) {
          cp = this.qprint(cp, bp, isMdns);
          if (cp === null) return false;
          qdcount--;
        }
      }
      if (qdcount) return false;
      if (v > 1) {
        if (ancount && records(cp, ancount) !== 0) return false;
        nscount = sections(nscount, ' ns:');
        if (nscount !== 0) return false; // -1: a record did not print
        arcount = sections(arcount, ' ar:');
        if (arcount !== 0) return false;
      }
    }
    void qdcount0;
    this.print(` (${length})`);
    return true;
  }
}

/** tcpdump's unsigned_relts_print: 3600 -> "1h", 4500 -> "1h15m", 0 -> "0s". */
export function relts(secs: number): string {
  if (secs === 0) return '0s';
  const units: Array<[number, string]> = [[31536000, 'y'], [604800, 'w'], [86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']];
  let s = '';
  for (const [n, u] of units) {
    if (secs >= n) {
      s += `${Math.floor(secs / n)}${u}`;
      secs %= n;
    }
  }
  return s;
}

/** An IPv6 address as inet_ntop writes it (RFC 5952: longest zero run compressed, lowercase). */
export function ipv6Text(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i] << 8) | b[i + 1]);
  const run = longestZeroRun(b, 0);
  const best = run < 0 ? -1 : run >> 4;
  const bestLen = run < 0 ? 0 : run & 15;
  // IPv4-mapped and -compatible forms, as glibc's inet_ntop writes them.
  if (best === 0 && (bestLen === 6 || (bestLen === 5 && g[5] === 0xFFFF))) {
    return `::${bestLen === 5 ? 'ffff:' : ''}${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  const hex = (a: number, z: number): string => g.slice(a, z).map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(0, 8) : `${hex(0, best)}::${hex(best + bestLen, 8)}`;
}

/**
 * domain_print(): what tcpdump prints for the DNS payload at frame offset `pay` (`length`
 * bytes per the transport: UDP length - 8, or the TCP payload), reading nothing at or past
 * frame offset `snapend`. UDP text starts at the message; TCP text starts with a space.
 */
export function domainText(u8: Uint8Array, f: number, pay: number, length: number, snapend: number, o: DomainOptions): DomainText {
  const p = new Printer(u8, f, snapend, o.vflag);
  let bp = pay;
  try {
    if (o.overTcp) {
      if (length < 2) return { text: ` [DNS over TCP: length ${length} < 2] (invalid)`, trunc: 'none' };
      length -= 2;
      const prefix = p.get2(bp);
      if (prefix !== length) return { text: ` [prefix length(${prefix}) != length(${length})] (invalid)`, trunc: 'none' };
      bp += 2;
      p.print(' ');
    }
    if (length < 12) return { text: `${p.out}domain [length ${length} < 12] (invalid)`, trunc: 'none' };
    // ND_TCHECK_SIZE: a printer's own check, then "goto trunc".
    if (!p.ttest(bp, 12)) return { text: `${p.out} [|domain]`, trunc: 'soft' };
    if (!p.body(bp, length, o.isMdns)) return { text: `${p.out} [|domain]`, trunc: 'soft' };
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    return { text: `${p.out} [|domain]`, trunc: 'jump' };
  }
  return { text: p.out, trunc: 'none' };
}

/** The DNS text, and how tcpdump got to a " [|domain]" at its end: 'soft' when a printer
 *  checked and returned (nd_print_trunc), 'jump' when a GET_ macro longjmp'd out (which
 *  changes where -x dumps from), 'none' when the text has no marker. */
export interface DomainText {
  text: string;
  trunc: 'none' | 'soft' | 'jump';
}

/** What the text sink needs of a frame to print its DNS: the descriptor's view of it. */
export interface DnsFrameView extends AppFrameView {
  readonly layers: number;
  readonly tcpFlags: number;
}

/**
 * The DNS part of tcpdump's line for a frame whose app record `rec` says DNS, or null when
 * tcpdump would not print this frame as DNS (LLMNR: tcpdump prints "UDP, length N"; a UDP
 * length the datagram cannot hold; -q). `f` is the frame's address in `u8`.
 */
export function dnsTextForFrame(v: DnsFrameView, u8: Uint8Array, f: number, rec: number, o: { vflag: number; qflag?: boolean }): DomainText | null {
  // -q: tcpdump prints the transport line only ("UDP, length N").
  if (u8[rec + A_PROTO] !== APP_DNS || o.qflag === true) return null;
  const vflag = o.vflag;
  const variant = u8[rec + A_VARIANT];
  if (variant & DV_LLMNR) return null;
  // tcpdump prints no application layer after a bad UDP length or a TCP header cut short
  // ("[|tcp]"), and with -v shows a RST segment's payload as "[RST ...]" instead.
  if (v.errors & (E_BAD_UDP_LEN | E_TRUNC_L4)) return null;
  if ((variant & DV_TCP) !== 0 && (v.tcpFlags & TCP_RST) !== 0 && vflag > 0) return null;
  // tcpdump reads no further than the IP packet's length (nd_push_snaplen in ip_print).
  const ipEnd = v.l3Off + v.ipLen;
  const snapend = Math.min(v.capLen, ipEnd);
  return domainText(u8, f, v.payloadOff, v.payloadLen, snapend, {
    vflag, overTcp: (variant & DV_TCP) !== 0, isMdns: (variant & DV_MDNS) !== 0,
  });
}

/**
 * fqdn_print(ndo, cp, bp) for another printer (DHCPv6's domain lists): the name at `cp`,
 * compression pointers counted from `bp`, nothing read at or past `snapend` (all offsets in
 * `u8`). `next` is where the name ends, or null where tcpdump's returns NULL; `jumped` when
 * one of its GET macros would have longjmp'd out.
 */
export function fqdnText(u8: Uint8Array, cp: number, bp: number, snapend: number): { text: string; next: number | null; jumped: boolean } {
  const p = new Printer(u8, 0, snapend, 0);
  try {
    const next = p.fqdn(cp, bp);
    return { text: p.out, next, jumped: false };
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    return { text: p.out, next: null, jumped: true };
  }
}
