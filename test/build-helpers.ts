// Random packet specs of every kind the builder makes, and the check that a decoded
// packet carries every field of the spec it was built from. Shared by the build tests,
// the replay test and the build benchmark.
import type { Rng } from './lib/env.js';
import type { PacketSpec } from '../host/builder/builder.js';
import type { DecodedPacket } from '../host/dissect/decode.js';
import { ipv4ToString, ipv6ToString, macToString } from '../host/runtime/addr.js';
import { hopByHop, destinationOptions, routing, fragment, type Ipv6Ext } from '../host/builder/ipv6-ext.js';

export const KINDS = [
  'arp', 'ipv4-tcp', 'ipv4-udp', 'ipv4-icmp', 'ipv6-tcp', 'ipv6-udp', 'ipv6-icmpv6', 'raw-ipv4-tcp', 'raw-ipv6-udp',
] as const;
export type Kind = (typeof KINDS)[number];

const mac = (r: Rng): string => {
  const b = new Uint8Array(6);
  for (let i = 0; i < 6; i++) b[i] = r.int(256);
  b[0] &= 0xFE; // unicast: tshark would flag nothing either way, but a sender must
  return macToString(b, 0);
};
const v4 = (r: Rng): string => ipv4ToString(((r.int(223) + 1) * 0x1000000 + r.int(0x1000000)) >>> 0);
const v6 = (r: Rng): string => {
  const b = new Uint8Array(16);
  for (let i = 0; i < 16; i++) b[i] = r.bool(0.3) ? 0 : r.int(256);
  b[0] = 0x20 | (b[0] & 0x0F); // global unicast 2000::/4 (never multicast, never v4-mapped)
  return ipv6ToString(b, 0);
};
const bytes = (r: Rng, n: number): Uint8Array => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = r.int(256);
  return b;
};

/** IPv4 options that tshark and the dissector both accept: NOP, Router Alert, Record
 *  Route and Timestamp with empty slots, Stream ID. */
function ipv4Options(r: Rng): Uint8Array {
  const out: number[] = [];
  const room = (): number => 40 - out.length;
  for (let k = r.int(4); k > 0; k--) {
    const c = r.int(5);
    if (c === 0 && room() >= 1) out.push(1);
    else if (c === 1 && room() >= 4) out.push(148, 4, 0, 0);
    else if (c === 2 && room() >= 7) {
      const slots = 1 + r.int(Math.min(9, Math.floor((room() - 3) / 4)));
      out.push(7, 3 + 4 * slots, 4, ...new Array<number>(4 * slots).fill(0));
    } else if (c === 3 && room() >= 8) {
      const slots = 1 + r.int(Math.min(9, Math.floor((room() - 4) / 4)));
      out.push(68, 4 + 4 * slots, 5, 0, ...new Array<number>(4 * slots).fill(0));
    } else if (c === 4 && room() >= 4) out.push(136, 4, r.int(256), r.int(256));
  }
  return Uint8Array.from(out);
}

function ipv6Exts(r: Rng): Ipv6Ext[] {
  const out: Ipv6Ext[] = [];
  if (r.bool(0.3)) out.push(hopByHop(r.bool() ? Uint8Array.of(5, 2, 0, 0) : undefined)); // Router Alert
  if (r.bool(0.25)) out.push(destinationOptions(r.bool() ? undefined : Uint8Array.of(1, 4, 0, 0, 0, 0))); // PadN
  if (r.bool(0.15)) out.push(routing(0, 0, new Uint8Array(4 + 16 * r.int(2))));
  if (r.bool(0.15)) out.push(fragment(0, false, r.u32())); // an atomic fragment (RFC 6946)
  if (r.bool(0.2)) out.push(destinationOptions());
  return out;
}

function tcpOptions(r: Rng): NonNullable<NonNullable<PacketSpec['tcp']>['options']> {
  const o: NonNullable<NonNullable<PacketSpec['tcp']>['options']> = {};
  let len = 0;
  if (r.bool()) { o.mss_val = r.int(65536); len += 4; }
  if (r.bool()) { o.tsval = r.u32(); o.tsecr = r.u32(); len += 12; }
  if (r.bool()) { o.sack_perm = true; if (o.tsval === undefined) len += 4; }
  if (r.bool()) { o.wscale_shift = r.int(15); len += 4; }
  if (r.bool(0.4)) {
    const max = Math.min(4, Math.floor((40 - len - 4) / 8));
    if (max >= 1) {
      o.sack = [];
      for (let i = 1 + r.int(max); i > 0; i--) o.sack.push([r.u32(), r.u32()]);
    }
  }
  return o;
}

function vlanTags(r: Rng): PacketSpec['vlan'] {
  const n = r.int(3);
  if (n === 0) return undefined;
  const tag = (tpid?: number): NonNullable<PacketSpec['vlan']> => ({ id: 1 + r.int(4094), priority: r.int(8), dei: r.int(2), tpid });
  return n === 1 ? tag() : [tag(0x88a8), tag()] as NonNullable<PacketSpec['vlan']>;
}

/** A random spec of one kind; `maxPayload` bounds the payload. */
export function randomSpec(r: Rng, kind: Kind, maxPayload = 300): PacketSpec {
  const payload = bytes(r, r.int(maxPayload + 1));
  const eth = { src: mac(r), dst: mac(r) };
  const ip = (): NonNullable<PacketSpec['ip']> => ({
    src: v4(r), dst: v4(r), ttl: 1 + r.int(255), dsfield: r.int(256), id: r.int(65536),
    flags: { df: r.int(2) }, options: r.bool(0.4) ? ipv4Options(r) : undefined,
  });
  const ipv6 = (): NonNullable<PacketSpec['ipv6']> => ({
    src: v6(r), dst: v6(r), hlim: r.int(256), tclass: r.int(256), flow: r.int(0x100000), ext: r.bool(0.5) ? ipv6Exts(r) : undefined,
  });
  const tcp = (): NonNullable<PacketSpec['tcp']> => ({
    srcport: r.int(65536), dstport: r.int(65536), seq_raw: r.u32(), ack_raw: r.u32(), flags: r.int(0x200),
    window_size_value: r.int(65536), urgent_pointer: r.int(65536), options: tcpOptions(r),
  });
  const udp = (): NonNullable<PacketSpec['udp']> => ({ srcport: 1 + r.int(65535), dstport: 1 + r.int(65535) });
  switch (kind) {
    case 'arp':
      return {
        eth: { ...eth, dst: r.bool() ? 'ff:ff:ff:ff:ff:ff' : eth.dst }, vlan: vlanTags(r),
        arp: { opcode: 1 + r.int(2), src_hw_mac: mac(r), dst_hw_mac: mac(r), src_proto_ipv4: v4(r), dst_proto_ipv4: v4(r) },
      };
    case 'ipv4-tcp': return { eth, vlan: vlanTags(r), ip: ip(), tcp: tcp(), payload };
    case 'ipv4-udp': return { eth, vlan: vlanTags(r), ip: ip(), udp: { ...udp(), no_checksum: r.bool(0.1) }, payload };
    case 'ipv4-icmp': {
      const type = [0, 8, 13, 14, 3, 11][r.int(6)];
      return { eth, vlan: vlanTags(r), ip: ip(), icmp: { type, code: type === 3 ? r.int(16) : 0, ident: r.int(65536), seq: r.int(65536) }, payload };
    }
    case 'ipv6-tcp': return { eth, vlan: vlanTags(r), ipv6: ipv6(), tcp: tcp(), payload };
    case 'ipv6-udp': return { eth, vlan: vlanTags(r), ipv6: ipv6(), udp: udp(), payload };
    case 'ipv6-icmpv6': {
      const type = [128, 129, 1, 3][r.int(4)];
      return { eth, ipv6: ipv6(), icmpv6: { type, code: type === 1 ? r.int(7) : 0, ident: r.int(65536), seq: r.int(65536) }, payload };
    }
    case 'raw-ipv4-tcp': return { ip: ip(), tcp: tcp(), payload };
    case 'raw-ipv6-udp': return { ipv6: ipv6(), udp: udp(), payload };
  }
}

const pad4 = (n: number): number => (n + 3) & ~3;

function tcpHdrLen(o: NonNullable<NonNullable<PacketSpec['tcp']>['options']>): number {
  let n = 20;
  if (o.mss_val !== undefined) n += 4;
  if (o.tsval !== undefined) n += 12;
  else if (o.sack_perm) n += 4;
  if (o.wscale_shift !== undefined) n += 4;
  if (o.sack) n += 4 + 8 * o.sack.length;
  return n;
}

/** JSON with object keys sorted and undefined members dropped: order-free comparison. */
export function canon(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (x === null || typeof x !== 'object' || Array.isArray(x) || x instanceof Uint8Array) return x;
    const o = x as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
  });
}

/** Every difference between what a spec asked for and what dissection found. */
export function mismatches(spec: PacketSpec, d: DecodedPacket): string[] {
  const bad: string[] = [];
  const eq = (what: string, got: unknown, want: unknown): void => {
    if (canon(got) !== canon(want)) bad.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  };
  if (d.errors) bad.push(`errors: ${d.errors.join(',')}`);
  const plen = spec.payload?.length ?? 0;
  if (spec.eth) {
    eq('eth.src', d.eth?.src, spec.eth.src);
    eq('eth.dst', d.eth?.dst, spec.eth.dst);
  }
  if (spec.vlan) {
    const tags = Array.isArray(spec.vlan) ? spec.vlan : [spec.vlan];
    eq('vlan.count', d.vlan?.count, tags.length);
    eq('vlan.id', d.vlan?.id, tags[0].id);
    eq('vlan.priority', d.vlan?.priority, tags[0].priority ?? 0);
    eq('vlan.dei', d.vlan?.dei, tags[0].dei ?? 0);
    eq('eth.type', d.eth?.type, tags[0].tpid ?? 0x8100);
    if (tags.length > 1) eq('vlan.inner.id', d.vlan?.inner?.id, tags[1].id);
  }
  if (spec.arp) {
    const a = spec.arp;
    eq('arp', d.arp, { opcode: a.opcode, hw_size: 6, src_hw_mac: a.src_hw_mac, dst_hw_mac: a.dst_hw_mac, src_proto_ipv4: a.src_proto_ipv4, dst_proto_ipv4: a.dst_proto_ipv4 });
  }
  let l4len = plen;
  if (spec.tcp) l4len += tcpHdrLen(spec.tcp.options ?? {});
  else if (spec.udp || spec.icmp || spec.icmpv6) l4len += 8;
  if (spec.ip) {
    const ip = spec.ip;
    const hl = 20 + pad4(ip.options?.length ?? 0);
    eq('ip', d.ip, {
      version: 4, hdr_len: hl, dsfield: ip.dsfield ?? 0, len: hl + l4len, id: ip.id ?? 0,
      flags: { rb: ip.flags?.rb ? 1 : 0, df: ip.flags?.df ? 1 : 0, mf: ip.flags?.mf ? 1 : 0 },
      frag_offset: ip.frag_offset ?? 0, ttl: ip.ttl ?? 64,
      proto: spec.tcp ? 6 : spec.udp ? 17 : spec.icmp ? 1 : ip.proto ?? 0, checksum: d.ip?.checksum, src: ip.src, dst: ip.dst,
    });
  }
  if (spec.ipv6) {
    const ip = spec.ipv6;
    const ext = ip.ext ?? [];
    const extLen = ext.reduce((n, e) => n + e.bytes.length, 0);
    const upper = spec.tcp ? 6 : spec.udp ? 17 : spec.icmpv6 ? 58 : ip.nxt ?? 59;
    eq('ipv6', { ...d.ipv6, frag: undefined }, {
      version: 6, tclass: ip.tclass ?? 0, flow: ip.flow ?? 0, plen: extLen + l4len, nxt: ext.length ? ext[0].type : upper,
      hlim: ip.hlim ?? 64, src: ip.src, dst: ip.dst, ext_count: ext.length, upper, frag: undefined,
    });
  }
  if (spec.tcp) {
    const t = spec.tcp;
    const o = t.options ?? {};
    const want: Record<string, unknown> = {};
    if (o.mss_val !== undefined) want.mss_val = o.mss_val;
    if (o.wscale_shift !== undefined) want.wscale_shift = o.wscale_shift;
    if (o.sack_perm) want.sack_perm = true;
    if (o.tsval !== undefined) { want.tsval = o.tsval; want.tsecr = o.tsecr; }
    if (o.sack) want.sack = o.sack;
    eq('tcp', d.tcp, {
      srcport: t.srcport, dstport: t.dstport, seq_raw: t.seq_raw ?? 0, ack_raw: t.ack_raw ?? 0, hdr_len: tcpHdrLen(o),
      flags: t.flags ?? 0, window_size_value: t.window_size_value ?? 65535, checksum: d.tcp?.checksum,
      urgent_pointer: t.urgent_pointer ?? 0, len: plen, options: want,
    });
  }
  if (spec.udp) {
    eq('udp', d.udp, { srcport: spec.udp.srcport, dstport: spec.udp.dstport, length: 8 + plen, checksum: d.udp?.checksum });
    if (spec.udp.no_checksum) eq('udp.checksum', d.udp?.checksum, 0);
    else if (d.udp?.checksum === 0) bad.push('udp.checksum is 0 but was asked for');
  }
  const ic = spec.icmp ?? spec.icmpv6;
  if (ic) {
    const got = spec.icmp ? d.icmp : d.icmpv6;
    eq('icmp.type', got?.type, ic.type);
    eq('icmp.code', got?.code, ic.code ?? 0);
    if (got?.ident !== undefined || got?.seq !== undefined) {
      eq('icmp.ident', got?.ident, ic.ident ?? 0);
      eq('icmp.seq', got?.seq, ic.seq ?? 0);
    }
  }
  return bad;
}
