// The TLVs of OSPF's opaque LSAs as tcpdump 4.99.3 prints them (print-ospf.c:
// ospf_te_lsa_print, RFC 3630/4203/4124 traffic engineering; ospf_grace_lsa_print, RFC 3623
// graceful restart; the RFC 4970 router information TLVs of ospf_print_lsa), shared by the
// OSPFv2 (text-v2.ts) and OSPFv3 (text-v3.ts) printers. Each returns 0, or -1 where tcpdump's
// returns -1 (a malformed TLV or one of its own bounds checks); a byte its GET macros read
// past the capture ends the line through the state's jump (st.dead), as tcpdump's longjmp.
// Kept as tcpdump has them: the unaligned SRLG walk (its pointer moves through the group
// list and then again by the sub-TLV's length) and the 32-bit float bandwidths.
import type { TextState } from '../../sinks/text/state.js';

const TE_TLVS: Record<number, string> = { 1: 'Router Address', 2: 'Link' };
const TE_SUBTLVS: Record<number, string> = {
  1: 'Link Type', 2: 'Link ID', 3: 'Local Interface IP address', 4: 'Remote Interface IP address', 5: 'Traffic Engineering Metric',
  6: 'Maximum Bandwidth', 7: 'Maximum Reservable Bandwidth', 8: 'Unreserved Bandwidth', 9: 'Administrative Group',
  11: 'Link Local/Remote Identifier', 14: 'Link Protection Type', 15: 'Interface Switching Capability', 16: 'Shared Risk Link Group',
  17: 'Bandwidth Constraints',
};
const LINK_TYPES: Record<number, string> = { 1: 'Point-to-point', 2: 'Multi-Access' };
const BC_MODELS: Record<number, string> = { 0: 'Russian dolls', 1: 'Maximum allocation', 254: 'Maximum allocation with E-LSP support' };
const LINK_PROTECTION: Array<[number, string]> = [[0x01, 'Extra Traffic'], [0x02, 'Unprotected'], [0x04, 'Shared'], [0x08, 'Dedicated 1:1'],
  [0x10, 'Dedicated 1+1'], [0x20, 'Enhanced'], [0x40, 'Reserved'], [0x80, 'Reserved']];
const SWITCH_CAPS: Record<number, string> = { 1: 'Packet-Switch Capable-1', 2: 'Packet-Switch Capable-2', 3: 'Packet-Switch Capable-3',
  4: 'Packet-Switch Capable-4', 51: 'Layer-2 Switch Capable', 100: 'Time-Division-Multiplex', 150: 'Lambda-Switch Capable', 200: 'Fiber-Switch Capable' };
const ENCODINGS: Record<number, string> = { 1: 'Packet', 2: 'Ethernet V2/DIX', 3: 'ANSI/ETSI PDH', 4: 'Reserved', 5: 'SDH ITU-T G.707/SONET ANSI T1.105',
  6: 'Reserved', 7: 'Digital Wrapper', 8: 'Lambda (photonic)', 9: 'Fiber', 10: 'Reserved', 11: 'FiberChannel' };
const GRACE_TLVS: Record<number, string> = { 1: 'Grace Period', 2: 'Graceful restart Reason', 3: 'IPv4 interface address' };
const GRACE_REASONS: Record<number, string> = { 0: 'Unknown', 1: 'Software Restart', 2: 'Software Reload/Upgrade', 3: 'Control Processor Switch' };
const RI_CAPS: Array<[number, string]> = [[1, 'Reserved'], [2, 'Reserved'], [4, 'Reserved'], [8, 'Reserved'], [16, 'graceful restart capable'],
  [32, 'graceful restart helper'], [64, 'Stub router support'], [128, 'Traffic engineering'], [256, 'p2p over LAN'], [512, 'path computation server']];

/** A GET past the capture: the state has jumped; unwinds to the exported printer. */
class Jumped extends Error {}

function bits(table: Array<[number, string]>, v: number, none: string): string {
  const names = table.filter(([b]) => ((v & b) >>> 0) === b).map(([, n]) => n);
  return names.length === 0 ? none : names.join(', ');
}

const ipv4 = (v: number): string => `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;

class Get {
  constructor(private readonly st: TextState) {}
  u8(p: number): number { const v = this.st.g8(p); if (this.st.dead) throw new Jumped(); return v; }
  u16(p: number): number { const v = this.st.g16(p); if (this.st.dead) throw new Jumped(); return v; }
  u32(p: number): number { const v = this.st.g32(p); if (this.st.dead) throw new Jumped(); return v; }
}

const f32 = new Float32Array(1);
const f32bits = new Uint32Array(f32.buffer);

/** printf("%.3f", bw.f * 8 / 1000000) with bw.f the float whose bits are `bits`: the
 *  arithmetic in single precision, glibc's rounding (half to even on the exact binary value),
 *  its spelling of infinities and NaNs, and every digit of a large value. */
export function mbps(bitsOfFloat: number): string {
  const exp = (bitsOfFloat >>> 23) & 0xff;
  if (exp === 0xff) return `${(bitsOfFloat & 0x80000000) !== 0 ? '-' : ''}${(bitsOfFloat & 0x7fffff) !== 0 ? 'nan' : 'inf'}`;
  f32bits[0] = bitsOfFloat;
  const x = Math.fround(Math.fround(f32[0] * 8) / 1000000);
  if (!Number.isFinite(x)) return x < 0 ? '-inf' : 'inf';
  const a = Math.abs(x);
  let s: string;
  if (a >= 2 ** 53) s = `${BigInt(a)}.000`;
  else {
    const k = a * 2000; // exact: a has 24 significant bits
    if (Number.isInteger(k) && k % 2 === 1) {
      const lo = Math.floor(a * 1000);
      const n = lo % 2 === 0 ? lo : lo + 1;
      s = `${Math.floor(n / 1000)}.${String(n % 1000).padStart(3, '0')}`;
    } else s = a.toFixed(3);
  }
  return (x < 0 || Object.is(x, -0) ? '-' : '') + s;
}

/** print_unknown_data(): false for its "pointer past end of packet" error. */
function unknown(st: TextState, p: number, n: number, indent: string): boolean {
  const bad = p > st.snapend;
  st.unknownData(p, n, indent);
  return !bad;
}

/** ospf_te_lsa_print(). */
export function teTlvs(st: TextState, tptr: number, lsLength: number): number {
  try { return te(st, new Get(st), tptr, lsLength); } catch (e) { if (e instanceof Jumped) return -1; throw e; }
}

function te(st: TextState, g: Get, tptr: number, lsLength: number): number {
  const out = st.out;
  while (lsLength !== 0) {
    if (tptr + 4 > st.snapend) return -1;
    if (lsLength < 4) { out.str('\n\t    Remaining LS length ').dec(lsLength).str(' < 4'); return -1; }
    const type = g.u16(tptr);
    let len = g.u16(tptr + 2);
    tptr += 4;
    lsLength -= 4;
    out.str('\n\t    ').str(TE_TLVS[type] ?? 'unknown').str(' TLV (').dec(type).str('), length: ').dec(len);
    if (len > lsLength) { out.str('\n\t    Bogus length ').dec(len).str(' > ').dec(lsLength); return -1; }
    if (type === 0 || len === 0) return -1;
    if (type === 2) {
      while (len !== 0) {
        if (len < 4) { out.str('\n\t    Remaining TLV length ').dec(len).str(' < 4'); return -1; }
        const sub = g.u16(tptr);
        let subLen = g.u16(tptr + 2);
        tptr += 4;
        len -= 4;
        if (sub === 0 || subLen === 0) return invalid(st);
        out.str('\n\t      ').str(TE_SUBTLVS[sub] ?? 'unknown').str(' subTLV (').dec(sub).str('), length: ').dec(subLen);
        if (len < subLen) { out.str('\n\t    Remaining TLV length ').dec(len + 4).str(' < ').dec(subLen + 4); return -1; }
        if (tptr + subLen > st.snapend) return -1; // ND_TCHECK_LEN: the sub-TLV's reads below cannot fail
        const r = subTlv(st, g, sub, tptr, subLen);
        if (r === 'invalid') return invalid(st);
        if (r === 'error') return -1;
        tptr += typeof r === 'number' ? r : 0; // the SRLG walk's own advance
        if (subLen % 4 !== 0) subLen += 4 - (subLen % 4);
        if (len < subLen) { out.str('\n\t    Remaining TLV length ').dec(len + 4).str(' < ').dec(subLen + 4); return -1; }
        len -= subLen;
        tptr += subLen;
      }
    } else if (type === 1) {
      if (len < 4) { out.str('\n\t    TLV length ').dec(len).str(' < 4'); return -1; }
      const router = g.u32(tptr); // not checked first: a cut address prints nothing of it
      out.str(', ').str(ipv4(router));
    } else if (st.vflag <= 1 && !unknown(st, tptr, len, '\n\t      ')) return -1;
    if (len % 4 !== 0) len += 4 - (len % 4);
    if (len > lsLength) { out.str('\n\t    Bogus padded length ').dec(len).str(' > ').dec(lsLength); return -1; }
    lsLength -= len;
    tptr += len;
  }
  return 0;
}

function invalid(st: TextState): number {
  st.out.str(' (invalid)');
  return -1;
}

/** One traffic-engineering link sub-TLV; how far it moved the pointer itself (the SRLG
 *  walk), or how it failed. */
function subTlv(st: TextState, g: Get, sub: number, p: number, n: number): number | 'invalid' | 'error' {
  const out = st.out;
  const need = (ok: boolean, say: string): boolean => { if (!ok) out.str(say); return ok; };
  switch (sub) {
    case 9:
      if (!need(n === 4, ' != 4')) return 'invalid';
      out.str(', 0x').hex(g.u32(p), 8);
      return 0;
    case 2: case 11: {
      if (!need(n === 4 || n === 8, ' != 4 && != 8')) return 'invalid';
      const a = g.u32(p);
      out.str(', ').str(ipv4(a)).str(' (0x').hex(a, 8).ch(41);
      if (n === 8) { const b = g.u32(p + 4); out.str(', ').str(ipv4(b)).str(' (0x').hex(b, 8).ch(41); }
      return 0;
    }
    case 3: case 4:
      if (!need(n === 4, ' != 4')) return 'invalid';
      out.str(', ').str(ipv4(g.u32(p)));
      return 0;
    case 6: case 7:
      if (!need(n === 4, ' != 4')) return 'invalid';
      out.str(', ').str(mbps(g.u32(p))).str(' Mbps');
      return 0;
    case 8:
      if (!need(n === 32, ' != 32')) return 'invalid';
      for (let c = 0; c < 8; c++) out.str('\n\t\tTE-Class ').dec(c).str(': ').str(mbps(g.u32(p + c * 4))).str(' Mbps');
      return 0;
    case 17: {
      if (!need(n >= 4, ' < 4')) return 'invalid';
      const model = g.u8(p);
      out.str('\n\t\tBandwidth Constraints Model ID: ').str(BC_MODELS[model] ?? 'unknown').str(' (').dec(model).ch(41);
      if (n % 4 !== 0) { out.str('\n\t\tlength ').dec(n).str(' != N x 4'); return 'invalid'; }
      if (n > 36) { out.str('\n\t\tlength ').dec(n).str(' > 36'); return 'invalid'; }
      for (let c = 0; c < (n - 4) / 4; c++) out.str('\n\t\t  Bandwidth constraint CT').dec(c).str(': ').str(mbps(g.u32(p + 4 + c * 4))).str(' Mbps');
      return 0;
    }
    case 5:
      if (!need(n === 4, ' != 4')) return 'invalid';
      out.str(', Metric ').dec(g.u32(p));
      return 0;
    case 14:
      if (!need(n === 4, ' != 4')) return 'invalid';
      out.str(', ').str(bits(LINK_PROTECTION, g.u8(p), 'none'));
      return 0;
    case 15: {
      if (!need(n >= 36, ' < 36')) return 'invalid';
      const cap = g.u8(p);
      out.str('\n\t\tInterface Switching Capability: ').str(SWITCH_CAPS[cap] ?? 'Unknown');
      const enc = g.u8(p + 1);
      out.str('\n\t\tLSP Encoding: ').str(ENCODINGS[enc] ?? 'Unknown').str('\n\t\tMax LSP Bandwidth:');
      for (let l = 0; l < 8; l++) out.str('\n\t\t  priority level ').dec(l).str(': ').str(mbps(g.u32(p + 4 + l * 4))).str(' Mbps');
      return 0;
    }
    case 1: {
      if (!need(n === 1, ' != 1')) return 'invalid';
      const t = g.u8(p);
      out.str(', ').str(LINK_TYPES[t] ?? 'unknown').str(' (').dec(t).ch(41);
      return 0;
    }
    case 16: {
      if (!need(n % 4 === 0, ' != N x 4')) return 'invalid';
      const count = n / 4;
      if (count !== 0) out.str('\n\t\t  Shared risk group: ');
      for (let i = 0; i < count; i++) {
        out.dec(g.u32(p + i * 4));
        if (i + 1 < count) out.str(', ');
      }
      return n;
    }
    default:
      if (st.vflag <= 1 && !unknown(st, p, n, '\n\t\t')) return 'error';
      return 0;
  }
}

/** ospf_grace_lsa_print(). */
export function graceTlvs(st: TextState, tptr: number, lsLength: number): number {
  try { return grace(st, new Get(st), tptr, lsLength); } catch (e) { if (e instanceof Jumped) return -1; throw e; }
}

function grace(st: TextState, g: Get, tptr: number, lsLength: number): number {
  const out = st.out;
  while (lsLength > 0) {
    if (tptr + 4 > st.snapend) return -1;
    if (lsLength < 4) { out.str('\n\t    Remaining LS length ').dec(lsLength).str(' < 4'); return -1; }
    const type = g.u16(tptr);
    let len = g.u16(tptr + 2);
    tptr += 4;
    lsLength -= 4;
    out.str('\n\t    ').str(GRACE_TLVS[type] ?? 'unknown').str(' TLV (').dec(type).str('), length ').dec(len).str(', value: ');
    if (len > lsLength) { out.str('\n\t    Bogus length ').dec(len).str(' > ').dec(lsLength); return -1; }
    if (type === 0 || len === 0) return -1;
    if (tptr + len > st.snapend) return -1;
    switch (type) {
      case 1:
        if (len !== 4) { out.str('\n\t    Bogus length ').dec(len).str(' != 4'); return -1; }
        out.dec(g.u32(tptr)).ch(115);
        break;
      case 2: {
        if (len !== 1) { out.str('\n\t    Bogus length ').dec(len).str(' != 1'); return -1; }
        const r = g.u8(tptr);
        out.str(GRACE_REASONS[r] ?? 'Unknown').str(' (').dec(r).ch(41);
        break;
      }
      case 3:
        if (len !== 4) { out.str('\n\t    Bogus length ').dec(len).str(' != 4'); return -1; }
        out.str(ipv4(g.u32(tptr)));
        break;
      default:
        if (st.vflag <= 1 && !unknown(st, tptr, len, '\n\t      ')) return -1;
    }
    if (len % 4 !== 0) len += 4 - (len % 4);
    lsLength = (lsLength - len) >>> 0; // an unsigned subtraction in tcpdump: a padded TLV past the end wraps
    tptr += len;
  }
  return 0;
}

/** The router information TLVs of an OSPFv2 opaque LSA (inline in tcpdump's ospf_print_lsa):
 *  'end' where it returns the LSA's end early, 'trunc' where its own checks fail (it
 *  returns NULL: the packet's truncation), 0 when all were printed. */
export function riTlvs(st: TextState, tptr: number, lsLength: number): 0 | 'end' | 'trunc' {
  const out = st.out;
  const g = new Get(st);
  try {
    let left = lsLength;
    while (left !== 0) {
      if (tptr + 4 > st.snapend) return 'trunc';
      if (left < 4) { out.str('\n\t    Remaining LS length ').dec(left).str(' < 4'); return 'end'; }
      const type = g.u16(tptr);
      const len = g.u16(tptr + 2);
      tptr += 4;
      left -= 4;
      out.str('\n\t    ').str(type === 1 ? 'Router Capabilities' : 'unknown').str(' TLV (').dec(type).str('), length: ').dec(len).str(', value: ');
      if (len > left) { out.str('\n\t    Bogus length ').dec(len).str(' > remaining LS length ').dec(left); return 'end'; }
      if (tptr + len > st.snapend) return 'trunc';
      if (type === 1) {
        if (len !== 4) { out.str('\n\t    Bogus length ').dec(len).str(' != 4'); return 'end'; }
        out.str('Capabilities: ').str(bits(RI_CAPS, g.u32(tptr), 'Unknown'));
      } else if (st.vflag <= 1 && !unknown(st, tptr, len, '\n\t      ')) return 'end';
      tptr += len;
      left -= len;
    }
    return 0;
  } catch (e) {
    if (e instanceof Jumped) return 'trunc';
    throw e;
  }
}
