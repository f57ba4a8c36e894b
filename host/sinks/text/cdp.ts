// Cisco Discovery Protocol (SNAP, Cisco OUI, PID 0x2000) as tcpdump 4.99's cdp_print()
// prints it: "CDPv2, ttl: Ns" and, without -v, the Device-ID and the length; with -v the
// checksum and one line per TLV with its printer (strings, addresses, capabilities, the
// version string re-indented, VLAN, duplex, ATA-186, power, MTU, AVVID, physical location),
// "(malformed TLV)" outside a TLV's length bounds, unknown TLVs as bytes, and the
// "(invalid)" ends of a packet too short for a header or a TLV.
import type { TextState } from './state.js';
import { writeCharEscaped } from './escape.js';
import { bitNames } from './names.js';

type Printer = (st: TextState, p: number, len: number) => void;
interface TlvInfo { name: string; print: Printer | null; min: number; max: number }

const CAPABILITIES: Array<[number, string]> = [
  [0x01, 'Router'], [0x02, 'Transparent Bridge'], [0x04, 'Source Route Bridge'], [0x08, 'L2 Switch'],
  [0x10, 'L3 capable'], [0x20, 'IGMP snooping'], [0x40, 'L1 capable'],
];

/** nd_printn(): len bytes, each as fn_print_char prints it. */
function chars(st: TextState, p: number, len: number): void {
  for (let i = 0; i < len && !st.dead; i++) writeCharEscaped(st.out, st.g8(p + i));
}
const str: Printer = (st, p, len) => { st.out.ch(39); chars(st, p, len); if (!st.dead) st.out.ch(39); };
const version: Printer = (st, p, len) => {
  st.out.str('\n\t  ');
  for (let i = 0; i < len && !st.dead; i++) {
    const c = st.g8(p + i);
    if (st.dead) break;
    if (c === 10) st.out.str('\n\t  '); else writeCharEscaped(st.out, c);
  }
};
const capability: Printer = (st, p) => {
  const val = st.g32(p);
  if (st.dead) return;
  st.out.str('(0x').hex(val, 8).str('): ').str(bitNames(val, CAPABILITIES));
};
// tcpdump evaluates a printf's arguments (the GET_ reads) before printing any of it: each
// printer reads first, and a read past the capture prints nothing of that statement.
const u16: Printer = (st, p) => { const v = st.g16(p); if (!st.dead) st.out.dec(v); };
const duplex: Printer = (st, p) => { const v = st.g8(p); if (!st.dead) st.out.str(v ? 'full' : 'half'); };
const ata186: Printer = (st, p, len) => {
  if (len === 2) { const v = st.g16(p); if (!st.dead) st.out.str('unknown 0x').hex(v, 4); return; }
  const app = st.g8(p);
  const vlan = st.g16(p + 1);
  if (!st.dead) st.out.str('app ').dec(app).str(', vlan ').dec(vlan);
};
const power: Printer = (st, p, len) => {
  const val = len === 1 ? st.g8(p) : len === 2 ? st.g16(p) : len === 3 ? (st.g8(p) << 16) | st.g16(p + 1) : 0;
  if (!st.dead) st.out.str((val / 1000).toFixed(2)).ch(87);
};
const mtu: Printer = (st, p) => { const v = st.g32(p); if (!st.dead) st.out.dec(v).str(' bytes'); };
const u8x: Printer = (st, p) => { const v = st.g8(p); if (!st.dead) st.out.str('0x').hex(v, 2); };
const physLoc: Printer = (st, p, len) => {
  const v = st.g8(p);
  if (st.dead) return;
  st.out.str('0x').hex(v, 2);
  if (len > 1) { st.out.ch(47); chars(st, p + 1, len - 1); }
};

/** cdp_print_addr(). */
const addresses: Printer = (st, p0, l0) => {
  const out = st.out;
  const m = st.m;
  let p = p0;
  let l = l0;
  const invalid = (why: string): void => { out.str(why); st.need(p, l); };
  if (l < 4) { invalid(' (not enough space for num)'); return; }
  let num = st.g32(p);
  p += 4; l -= 4;
  while (num !== 0 && !st.dead) {
    if (l < 2) { invalid(' (not enough space for PT+PL)'); return; }
    const pt = st.g8(p);
    const pl = st.g8(p + 1);
    p += 2; l -= 2;
    if (l < pl + 2) { invalid(' (not enough space for P+AL)'); return; }
    const al = st.g16(p + pl);
    if (st.dead) return;
    const ipv6Llc = pl === 8 && st.has(p, 8) && [0xaa, 0xaa, 0x03, 0, 0, 0, 0x86, 0xdd].every((b, i) => m[p + i] === b);
    if (pt === 1 && pl === 1 && st.g8(p) === 0xcc && al === 4) {
      p += pl + 2; l -= pl + 2;
      if (l < al) { invalid(' (not enough space for A)'); return; }
      if (!st.get(p, 4)) return;
      out.str('IPv4 (').dec(num).str(') ').ipv4At(m, p);
      p += al; l -= al;
    } else if (pt === 2 && ipv6Llc && al === 16) {
      p += pl + 2; l -= pl + 2;
      if (l < al) { invalid(' (not enough space for A)'); return; }
      if (!st.get(p, 16)) return;
      out.str('IPv6 (').dec(num).str(') ').ipv6At(m, p);
      p += al; l -= al;
    } else {
      out.str('pt=0x').hex(pt, 2).str(', pl=').dec(pl).str(', pb=');
      for (let n = pl; n !== 0 && !st.dead; n--) { const x = st.g8(p); if (!st.dead) out.ch(32).hex2(x); p++; l--; }
      out.str(', al=').dec(al).str(', a=');
      p += 2; l -= 2;
      if (l < al) { invalid(' (not enough space for A)'); return; }
      for (let n = al; n !== 0 && !st.dead; n--) { const x = st.g8(p); if (!st.dead) out.ch(32).hex2(x); p++; l--; }
    }
    num = (num - 1) >>> 0;
    if (num !== 0) out.ch(32);
  }
  if (l !== 0 && !st.dead) out.str(' (').dec(l).str(' bytes of stray data)');
};
const prefixes: Printer = (st, p, len) => {
  if (len % 5 !== 0) { st.out.str(' [length ').dec(len).str(' is not a multiple of 5]'); st.need(p, len); return; }
  st.out.str(' IPv4 Prefixes (').dec(len / 5).str('):');
  for (let o = 0; o < len && !st.dead; o += 5) {
    const b = [0, 1, 2, 3, 4].map((i) => st.g8(p + o + i));
    if (!st.dead) st.out.ch(32).dec(b[0]).ch(46).dec(b[1]).ch(46).dec(b[2]).ch(46).dec(b[3]).ch(47).dec(b[4]);
  }
};

const TLVS: Array<TlvInfo | undefined> = [];
const def = (t: number, name: string, print: Printer | null, min = -1, max = -1): void => { TLVS[t] = { name, print, min, max }; };
def(0x01, 'Device-ID', str); def(0x02, 'Address', addresses); def(0x03, 'Port-ID', str); def(0x04, 'Capability', capability, 4, 4);
def(0x05, 'Version String', version); def(0x06, 'Platform', str); def(0x07, 'Prefixes', prefixes); def(0x08, 'Protocol-Hello option', null);
def(0x09, 'VTP Management Domain', str); def(0x0a, 'Native VLAN ID', u16, 2, 2); def(0x0b, 'Duplex', duplex, 1, 1);
def(0x0e, 'ATA-186 VoIP VLAN assignment', ata186, 3, 3); def(0x0f, 'ATA-186 VoIP VLAN request', ata186, 2, 3);
def(0x10, 'power consumption', power, 1, 3); def(0x11, 'MTU', mtu, 4, 4); def(0x12, 'AVVID trust bitmap', u8x, 1, 1);
def(0x13, 'AVVID untrusted ports CoS', u8x, 1, 1); def(0x14, 'System Name', str); def(0x15, 'System Object ID (not decoded)', null);
def(0x16, 'Management Addresses', addresses, 4); def(0x17, 'Physical Location', physLoc, 1);

const plural = (n: number): string => (n === 1 ? '' : 's');

/** cdp_print(): p the CDP header, length its length on the wire. */
export function writeCdp(st: TextState, p0: number, length0: number): void {
  const out = st.out;
  st.proto = 'cdp';
  let p = p0;
  let length = length0;
  const invalid = (): void => { out.str(' (invalid)'); st.need(p, length); };
  if (length < 4) { out.str(' (packet length ').dec(length).str(' < 4)'); invalid(); return; }
  const ver = st.g8(p);
  const ttl = st.g8(p + 1);
  if (st.dead) return;
  out.str('CDPv').dec(ver).str(', ttl: ').dec(ttl).ch(115);
  const checksum = st.g16(p + 2);
  if (st.dead) return;
  if (st.vflag) out.str(', checksum: 0x').hex(checksum, 4).str(' (unverified), length ').dec(length0);
  p += 4; length -= 4;
  while (length !== 0 && !st.dead) {
    if (length < 4) { out.str(' (remaining packet length ').dec(length).str(' < 4)'); invalid(); return; }
    const type = st.g16(p);
    let len = st.g16(p + 2);
    if (st.dead) return;
    const info = TLVS[type];
    const name = info?.name ?? 'unknown field type';
    if (len < 4) {
      if (st.vflag) out.str('\n\t').str(name).str(' (0x').hex(type, 2).str('), TLV length: ').dec(len).str(' byte').str(plural(len)).str(' (too short)');
      else out.str(', ').str(name).str(' TLV length ').dec(len).str(' too short');
      invalid();
      return;
    }
    if (len > length) { out.str(' (TLV length ').dec(len).str(' > ').dec(length).ch(41); invalid(); return; }
    p += 4; length -= 4; len -= 4;
    if (!st.vflag && type === 1) out.str(', Device-ID ');
    else if (st.vflag) out.str('\n\t').str(name).str(' (0x').hex(type, 2).str('), value length: ').dec(len).str(' byte').str(plural(len)).str(': ');
    let covered = false;
    if (info !== undefined) {
      if ((info.min > 0 && len < info.min) || (info.max > 0 && len > info.max)) out.str(' (malformed TLV)');
      else if (st.vflag || type === 1) {
        if (info.print !== null) info.print(st, p, len); else st.need(p, len);
        covered = true;
      }
    }
    if (!covered) {
      if (!st.need(p, len)) return;
      st.unknownData(p, len, '\n\t  ');
    }
    p += len; length -= len;
  }
  if (!st.dead && st.vflag < 1) out.str(', length ').dec(length0);
}
