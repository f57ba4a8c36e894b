// The host's packet-building API. A PacketSpec uses the names decode() returns (Wireshark's
// field names: ip.ttl, tcp.srcport, tcp.options.mss_val ...), so a packet built from a spec
// decodes back into the same values. Builder writes the spec into the fixed-layout build
// spec in shared memory and calls the backend's build_packet on a pool buffer.
//
//   const b = new Builder(engine);
//   const m = b.ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }).tcp({ srcport: 1, dstport: 80, flags: 0x002 }).payload(buf).emit();
//
// Not for per-packet hot loops of millions: it parses address strings. Hot paths fill
// the spec once (writeSpec) and call buildInto() per packet.
import type { Engine } from '../engine/engine.js';
import { exportsOf } from '../engine/backend.js';
import { PktError } from '../runtime/errors.js';
import { parseIPv4, parseIPv6, parseMac } from '../runtime/addr.js';
import { Pool, type PoolOptions } from '../pool/pool.js';
import type { DecodedTcpOptions } from '../dissect/decode.js';
import {
  L_ETH, L_VLAN, L_ARP, L_IP4, L_IP6, L_TCP, L_UDP, L_ICMP, L_ICMP6, IPF_MF, IPF_DF, IPF_RF,
  TO_MSS, TO_WSCALE, TO_SACK_PERM, TO_TIMESTAMP, TO_SACK,
} from '../runtime/layout.js';
import * as B from './spec-layout.js';
import { BERR_TEXT } from './build-errors.js';
import { BUILDER, type BuilderExports } from './exports.js';
import type { Ipv6Ext } from './ipv6-ext.js';

export type MacLike = string | Uint8Array;

export interface EthSpec { dst?: MacLike; src?: MacLike; /** EtherType when no L3 header is built. */ type?: number }
export interface VlanSpec { id: number; priority?: number; dei?: number; /** 0x8100 (default) or 0x88a8 ... */ tpid?: number }
export interface ArpSpec {
  opcode: number; src_hw_mac: MacLike; dst_hw_mac?: MacLike; src_proto_ipv4: string; dst_proto_ipv4: string;
}
export interface IpSpec {
  src: string; dst: string; ttl?: number; dsfield?: number; id?: number;
  flags?: { rb?: number | boolean; df?: number | boolean; mf?: number | boolean };
  /** Fragment offset field in 8-byte units (ip.frag_offset). */
  frag_offset?: number;
  /** Protocol when no L4 header is built (the payload is that protocol's bytes). */
  proto?: number;
  /** Option bytes (padded to 4 with End of Options); at most 40. */
  options?: Uint8Array;
}
export interface Ipv6Spec {
  src: string; dst: string; hlim?: number; tclass?: number; flow?: number;
  /** Upper-layer next header when no L4 header is built. */
  nxt?: number;
  ext?: Ipv6Ext[];
}
export interface TcpSpec {
  srcport: number; dstport: number; seq_raw?: number; ack_raw?: number;
  /** 12 bits: NS CWR ECE URG ACK PSH RST SYN FIN (tcp.flags). */
  flags?: number;
  window_size_value?: number; urgent_pointer?: number; options?: DecodedTcpOptions;
}
export interface UdpSpec { srcport: number; dstport: number; /** IPv4 only: send checksum 0 ("none"). */ no_checksum?: boolean }
export interface IcmpSpec { type: number; code?: number; ident?: number; seq?: number }

/** A packet to build, layer by layer, with Wireshark's field names; the builder computes
 *  every length and checksum. */
export interface PacketSpec {
  eth?: EthSpec;
  vlan?: VlanSpec | VlanSpec[];
  arp?: ArpSpec;
  ip?: IpSpec;
  ipv6?: Ipv6Spec;
  tcp?: TcpSpec;
  udp?: UdpSpec;
  icmp?: IcmpSpec;
  icmpv6?: IcmpSpec;
  payload?: Uint8Array;
}

const EXTRA_BYTES = 1024; // IPv4 options / IPv6 extension headers of one spec

function bad(msg: string): never {
  throw new PktError('E_BAD_ARGUMENT', `build: ${msg}`);
}

function mac(v: MacLike | undefined, what: string): Uint8Array {
  if (v === undefined) return new Uint8Array(6);
  if (v instanceof Uint8Array) {
    if (v.length !== 6) bad(`${what} must be 6 bytes`);
    return v;
  }
  return parseMac(v) ?? bad(`${what} "${v}" is not a MAC address`);
}

function ipv4Bytes(s: string, what: string): Uint8Array {
  const v = parseIPv4(s);
  if (v === null) bad(`${what} "${s}" is not an IPv4 address`);
  return Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
}

function ipv6Bytes(s: string, what: string): Uint8Array {
  return parseIPv6(s) ?? bad(`${what} "${s}" is not an IPv6 address`);
}

const bit = (v: number | boolean | undefined): boolean => v === true || (typeof v === 'number' && v !== 0);

function check(v: number | undefined, max: number, what: string): number {
  if (v === undefined) return 0;
  if (!Number.isInteger(v) || v < 0 || v > max) bad(`${what} ${v} is out of range 0..${max}`);
  return v;
}

export interface BuilderOptions extends PoolOptions {
  /** Build into this pool (default: a pool of the builder's own). */
  pool?: Pool;
}

/** Builds packets from a PacketSpec (or the fluent chain: `builder.eth({...}).ipv4({...}).udp({...})`)
 *  into pool buffers, every length and checksum filled in. */
export class Builder {
  readonly engine: Engine;
  readonly pool: Pool;
  readonly core: BuilderExports;
  /** Address of the build spec region. */
  readonly spec: number;
  private readonly extra: number;
  private readonly fragOut: number;
  private readonly fragMax = 8192; // a 64 KiB datagram at the minimum MTU of 68

  constructor(engine: Engine, opts: BuilderOptions = {}) {
    this.engine = engine;
    this.pool = opts.pool ?? new Pool(engine, opts);
    this.core = exportsOf(engine, BUILDER);
    this.spec = engine.arena.alloc(B.BUILD_SPEC_SIZE);
    this.extra = engine.arena.alloc(EXTRA_BYTES);
    this.fragOut = engine.arena.alloc(this.fragMax * 4);
  }

  /** Writes a PacketSpec into the spec region (validating it); returns the L_* layers. */
  writeSpec(p: PacketSpec): number {
    const v = this.engine.views.refresh();
    const s = this.spec;
    const dv = v.dv;
    const u8 = v.u8;
    u8.fill(0, s, s + B.BUILD_SPEC_SIZE);
    let layers = 0;
    const l3 = (p.ip ? 1 : 0) + (p.ipv6 ? 1 : 0) + (p.arp ? 1 : 0);
    const l4 = (p.tcp ? 1 : 0) + (p.udp ? 1 : 0) + (p.icmp ? 1 : 0) + (p.icmpv6 ? 1 : 0);
    if (l3 > 1) bad('one of ip, ipv6, arp at most');
    if (l4 > 1) bad('one of tcp, udp, icmp, icmpv6 at most');
    // The fields IPv4 and IPv6 share in the spec (the addresses are as long as the version's).
    const ipCommon = (src: Uint8Array, dst: Uint8Array, ttl: number, tos: number, proto: number): void => {
      u8.set(src, s + B.B_IP_SRC);
      u8.set(dst, s + B.B_IP_DST);
      u8[s + B.B_IP_TTL] = ttl;
      u8[s + B.B_IP_TOS] = tos;
      u8[s + B.B_IP_PROTO] = proto;
    };
    if (p.eth) {
      layers |= L_ETH;
      u8.set(mac(p.eth.dst, 'eth.dst'), s + B.B_ETH_DST);
      u8.set(mac(p.eth.src, 'eth.src'), s + B.B_ETH_SRC);
      dv.setUint16(s + B.B_ETH_TYPE, check(p.eth.type, 0xFFFF, 'eth.type'), true);
    }
    if (p.vlan !== undefined) {
      const tags = Array.isArray(p.vlan) ? p.vlan : [p.vlan];
      if (tags.length < 1 || tags.length > 2) bad('vlan: one or two tags');
      if (!p.eth) bad('vlan tags need an eth header');
      layers |= L_VLAN;
      u8[s + B.B_VLAN_COUNT] = tags.length;
      tags.forEach((t, i) => {
        const tci = (check(t.priority, 7, 'vlan.priority') << 13) | (check(t.dei, 1, 'vlan.dei') << 12) | check(t.id, 0xFFF, 'vlan.id');
        dv.setUint16(s + (i === 0 ? B.B_VLAN0 : B.B_VLAN1), tci, true);
        dv.setUint16(s + (i === 0 ? B.B_VLAN_TPID0 : B.B_VLAN_TPID1), check(t.tpid, 0xFFFF, 'vlan.tpid'), true);
      });
    }
    if (p.arp) {
      layers |= L_ARP;
      dv.setUint16(s + B.B_ARP_OP, check(p.arp.opcode, 0xFFFF, 'arp.opcode'), true);
      u8.set(mac(p.arp.src_hw_mac, 'arp.src_hw_mac'), s + B.B_ARP_SHA);
      u8.set(mac(p.arp.dst_hw_mac, 'arp.dst_hw_mac'), s + B.B_ARP_THA);
      u8.set(ipv4Bytes(p.arp.src_proto_ipv4, 'arp.src_proto_ipv4'), s + B.B_IP_SRC);
      u8.set(ipv4Bytes(p.arp.dst_proto_ipv4, 'arp.dst_proto_ipv4'), s + B.B_IP_DST);
    }
    if (p.ip) {
      const ip = p.ip;
      layers |= L_IP4;
      ipCommon(ipv4Bytes(ip.src, 'ip.src'), ipv4Bytes(ip.dst, 'ip.dst'), ip.ttl === undefined ? 64 : check(ip.ttl, 255, 'ip.ttl'),
        check(ip.dsfield, 255, 'ip.dsfield'), check(ip.proto, 255, 'ip.proto'));
      dv.setUint16(s + B.B_IP_ID, check(ip.id, 0xFFFF, 'ip.id'), true);
      // ip.frag_offset is the 13-bit field in 8-byte units, as decode() and tshark show it.
      dv.setUint16(s + B.B_FRAG_OFF, check(ip.frag_offset, 0x1FFF, 'ip.frag_offset') * 8, true);
      const f = ip.flags ?? {};
      u8[s + B.B_IP_FLAGS] = (bit(f.mf) ? IPF_MF : 0) | (bit(f.df) ? IPF_DF : 0) | (bit(f.rb) ? IPF_RF : 0);
      if (ip.options && ip.options.length > 0) {
        if (ip.options.length > 40) bad(`ip.options: ${ip.options.length} bytes, at most 40`);
        u8.set(ip.options, this.extra);
        dv.setUint32(s + B.B_IP_OPTS, this.extra, true);
        dv.setUint16(s + B.B_IP_OPTS_LEN, ip.options.length, true);
      }
    }
    if (p.ipv6) {
      const ip = p.ipv6;
      layers |= L_IP6;
      ipCommon(ipv6Bytes(ip.src, 'ipv6.src'), ipv6Bytes(ip.dst, 'ipv6.dst'), ip.hlim === undefined ? 64 : check(ip.hlim, 255, 'ipv6.hlim'),
        check(ip.tclass, 255, 'ipv6.tclass'), ip.nxt === undefined ? 59 : check(ip.nxt, 255, 'ipv6.nxt')); // 59: No Next Header
      dv.setUint32(s + B.B_IP6_FLOW, check(ip.flow, 0xFFFFF, 'ipv6.flow'), true);
      const ext = ip.ext ?? [];
      if (ext.length > 8) bad('ipv6.ext: at most 8 extension headers');
      let at = 0;
      ext.forEach((e, i) => {
        if (at + e.bytes.length > EXTRA_BYTES) bad('ipv6.ext: headers longer than 1 KiB');
        u8.set(e.bytes, this.extra + at);
        at += e.bytes.length;
        u8[s + B.B_IP6_EXT_TYPES + i] = e.type;
      });
      u8[s + B.B_IP6_EXT_COUNT] = ext.length;
      dv.setUint32(s + B.B_IP_OPTS, this.extra, true);
      dv.setUint16(s + B.B_IP_OPTS_LEN, at, true);
    }
    if (p.tcp) {
      const t = p.tcp;
      layers |= L_TCP;
      dv.setUint16(s + B.B_SRC_PORT, check(t.srcport, 0xFFFF, 'tcp.srcport'), true);
      dv.setUint16(s + B.B_DST_PORT, check(t.dstport, 0xFFFF, 'tcp.dstport'), true);
      dv.setUint32(s + B.B_TCP_SEQ, check(t.seq_raw, 0xFFFF_FFFF, 'tcp.seq_raw'), true);
      dv.setUint32(s + B.B_TCP_ACK, check(t.ack_raw, 0xFFFF_FFFF, 'tcp.ack_raw'), true);
      dv.setUint16(s + B.B_TCP_FLAGS, check(t.flags, 0xFFF, 'tcp.flags'), true);
      dv.setUint16(s + B.B_TCP_WINDOW, t.window_size_value === undefined ? 65535 : check(t.window_size_value, 0xFFFF, 'tcp.window_size_value'), true);
      dv.setUint16(s + B.B_TCP_URG, check(t.urgent_pointer, 0xFFFF, 'tcp.urgent_pointer'), true);
      const o = t.options ?? {};
      let bits = 0;
      if (o.mss_val !== undefined) { bits |= TO_MSS; dv.setUint16(s + B.B_TCP_MSS, check(o.mss_val, 0xFFFF, 'tcp.options.mss_val'), true); }
      if (o.wscale_shift !== undefined) { bits |= TO_WSCALE; u8[s + B.B_TCP_WSCALE] = check(o.wscale_shift, 255, 'tcp.options.wscale_shift'); }
      if (o.sack_perm) bits |= TO_SACK_PERM;
      if (o.tsval !== undefined || o.tsecr !== undefined) {
        bits |= TO_TIMESTAMP;
        dv.setUint32(s + B.B_TCP_TSVAL, check(o.tsval, 0xFFFF_FFFF, 'tcp.options.tsval'), true);
        dv.setUint32(s + B.B_TCP_TSECR, check(o.tsecr, 0xFFFF_FFFF, 'tcp.options.tsecr'), true);
      }
      if (o.sack !== undefined && o.sack.length > 0) {
        if (o.sack.length > 4) bad('tcp.options.sack: at most 4 blocks');
        bits |= TO_SACK;
        u8[s + B.B_SACK_COUNT] = o.sack.length;
        o.sack.forEach(([l, r], i) => {
          dv.setUint32(s + B.B_SACK + 8 * i, check(l, 0xFFFF_FFFF, 'sack edge'), true);
          dv.setUint32(s + B.B_SACK + 8 * i + 4, check(r, 0xFFFF_FFFF, 'sack edge'), true);
        });
      }
      u8[s + B.B_TCP_OPTS] = bits;
    }
    if (p.udp) {
      layers |= L_UDP;
      dv.setUint16(s + B.B_SRC_PORT, check(p.udp.srcport, 0xFFFF, 'udp.srcport'), true);
      dv.setUint16(s + B.B_DST_PORT, check(p.udp.dstport, 0xFFFF, 'udp.dstport'), true);
      if (p.udp.no_checksum) {
        if (!p.ip) bad('udp.no_checksum is for IPv4 only (RFC 8200 §8.1)');
        dv.setUint32(s + B.B_FLAGS, B.BF_UDP_NO_CKSUM, true);
      }
    }
    const icmp = p.icmp ?? p.icmpv6;
    if (icmp) {
      layers |= p.icmp ? L_ICMP : L_ICMP6;
      u8[s + B.B_ICMP_TYPE] = check(icmp.type, 255, 'icmp.type');
      u8[s + B.B_ICMP_CODE] = check(icmp.code, 255, 'icmp.code');
      dv.setUint16(s + B.B_ICMP_ID, check(icmp.ident, 0xFFFF, 'icmp.ident'), true);
      dv.setUint16(s + B.B_ICMP_SEQ, check(icmp.seq, 0xFFFF, 'icmp.seq'), true);
    }
    dv.setUint32(s + B.B_LAYERS, layers, true);
    return layers;
  }

  /** Builds the spec already written around the payload in `m`; throws on a BERR_*. */
  buildInto(m: number): number {
    const r = this.core.build_packet(this.spec, m);
    if (r < 0) throw new PktError(r === B.BERR_TOO_BIG ? 'E_CAPACITY' : 'E_BAD_ARGUMENT', `build: ${BERR_TEXT[r] ?? `error ${r}`}`);
    return r;
  }

  /** Builds a packet into a new pool buffer and returns its handle (free it with pool.free). */
  build(p: PacketSpec): number {
    this.writeSpec(p);
    const m = this.pool.alloc();
    try {
      if (p.payload && p.payload.length > 0) this.pool.append(m, p.payload);
      this.buildInto(m);
    } catch (e) {
      this.pool.free(m);
      throw e;
    }
    return m;
  }

  /** Builds a packet and returns a copy of its bytes (the buffer goes back to the pool). */
  bytes(p: PacketSpec): Uint8Array {
    const m = this.build(p);
    const out = this.pool.bytes(m).slice();
    this.pool.free(m);
    return out;
  }

  /** Offset of the L3 / L4 header in the last built frame. */
  get l3Offset(): number { return this.engine.views.refresh().dv.getUint32(this.spec + B.B_OUT_L3_OFF, true); }
  get l4Offset(): number { return this.engine.views.refresh().dv.getUint32(this.spec + B.B_OUT_L4_OFF, true); }

  /** Splits the IPv4 packet in `m` (link header of `l3off` bytes first) into fragments of
   *  at most `mtu` bytes of IP packet; returns their handles ([] if it fits). */
  fragmentIPv4(m: number, l3off: number, mtu: number): number[] {
    const r = this.core.build_ipv4_fragment(this.pool.addr, m, l3off, mtu, this.fragOut, this.fragMax);
    if (r < 0) throw new PktError(r === B.BERR_NO_BUFFER ? 'E_CAPACITY' : 'E_BAD_ARGUMENT', `build: fragmenting: ${BERR_TEXT[r] ?? `error ${r}`}`);
    const w = this.engine.views.refresh().u32;
    const out: number[] = [];
    for (let i = 0; i < r; i++) out.push(w[(this.fragOut >>> 2) + i]);
    return out;
  }

  /** Splits the IPv6 packet in `m` (link header of `l3off` bytes first) into fragments of at
   *  most `mtu` bytes of IP packet, each with a Fragment header (RFC 8200 §4.5: the
   *  Unfragmentable Part repeated, offsets in 8-octet units, M on all but the last);
   *  returns their handles ([] if it fits). `id` is the Identification; by default a
   *  random one (RFC 7739: unpredictable). Throws when the packet already carries a
   *  Fragment header, is a jumbogram, or the MTU cannot hold the header chain through the
   *  upper-layer header in the first fragment (RFC 7112). */
  fragmentIPv6(m: number, l3off: number, mtu: number, id?: number): number[] {
    const ident = id === undefined ? crypto.getRandomValues(new Uint32Array(1))[0] : check(id, 0xFFFF_FFFF, 'fragment id');
    const r = this.core.build_ipv6_fragment(this.pool.addr, m, l3off, mtu, ident, this.fragOut, this.fragMax);
    if (r < 0) throw new PktError(r === B.BERR_NO_BUFFER ? 'E_CAPACITY' : 'E_BAD_ARGUMENT', `build: fragmenting: ${BERR_TEXT[r] ?? `error ${r}`}`);
    const w = this.engine.views.refresh().u32;
    const out: number[] = [];
    for (let i = 0; i < r; i++) out.push(w[(this.fragOut >>> 2) + i]);
    return out;
  }

  // Fluent entry points: each starts a chain that collects a PacketSpec.
  eth(e: EthSpec = {}): PacketChain { return new PacketChain(this).eth(e); }
  ipv4(ip: IpSpec): PacketChain { return new PacketChain(this).ipv4(ip); }
  ipv6(ip: Ipv6Spec): PacketChain { return new PacketChain(this).ipv6(ip); }
  arp(a: ArpSpec): PacketChain { return new PacketChain(this).arp(a); }
  icmp(i: IcmpSpec): PacketChain { return new PacketChain(this).icmp(i); }
  icmpv6(i: IcmpSpec): PacketChain { return new PacketChain(this).icmpv6(i); }
  tcp(t: TcpSpec): PacketChain { return new PacketChain(this).tcp(t); }
  udp(u: UdpSpec): PacketChain { return new PacketChain(this).udp(u); }
}

/** `build.eth({...}).vlan({...}).ipv4({...}).tcp({...}).payload(buf).emit()` */
export class PacketChain {
  readonly spec: PacketSpec = {};
  private readonly builder: Builder;

  constructor(builder: Builder) {
    this.builder = builder;
  }

  eth(e: EthSpec = {}): this { this.spec.eth = e; return this; }
  vlan(v: VlanSpec): this {
    const cur = this.spec.vlan;
    this.spec.vlan = cur === undefined ? [v] : [...(Array.isArray(cur) ? cur : [cur]), v];
    return this;
  }
  arp(a: ArpSpec): this { this.spec.arp = a; return this; }
  ipv4(ip: IpSpec): this { this.spec.ip = ip; return this; }
  ipv6(ip: Ipv6Spec): this { this.spec.ipv6 = ip; return this; }
  tcp(t: TcpSpec): this { this.spec.tcp = t; return this; }
  udp(u: UdpSpec): this { this.spec.udp = u; return this; }
  icmp(i: IcmpSpec): this { this.spec.icmp = i; return this; }
  icmpv6(i: IcmpSpec): this { this.spec.icmpv6 = i; return this; }
  payload(b: Uint8Array): this { this.spec.payload = b; return this; }

  /** A pool buffer holding the packet. */
  emit(): number { return this.builder.build(this.spec); }
  /** A copy of the packet's bytes. */
  toBytes(): Uint8Array { return this.builder.bytes(this.spec); }
}
