// decode()'s objects in the vocabulary of the corpus's tshark dissections
// (<capture>.tshark.csv, see the corpus README), and the per-frame comparison of the two
// field SETS: a field only tshark gives, a field only we give, and a field whose values
// differ are all differences. Repeated fields (tunnels, ICMP-quoted headers) are lists,
// outermost first, as tshark joins them.
import type { DecodedPacket } from '../../host/dissect/decode.js';
import type { TsharkRow } from './tshark-csv.js';

/** Field -> values, outermost occurrence first. */
export type FieldSet = Map<string, string[]>;

/**
 * The tshark fields decode() can emit (every column of the reference CSVs but
 * frame.number, which is how rows and records are paired, not a dissected field).
 */
export const VOCABULARY = [
  'frame.len', 'frame.cap_len', 'eth.type', 'vlan.id',
  'ip.src', 'ip.dst', 'ip.proto', 'ip.len', 'ip.ttl', 'ip.flags.mf', 'ip.frag_offset',
  'ipv6.src', 'ipv6.dst', 'ipv6.nxt',
  'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.flags', 'tcp.window_size_value', 'tcp.len',
  'udp.srcport', 'udp.dstport', 'udp.length',
  'icmp.type', 'icmp.code', 'icmpv6.type', 'arp.opcode',
] as const;

/** Protocol layer of a field name: the part before the first dot. */
export function layerOf(field: string): string {
  return field.slice(0, field.indexOf('.'));
}

const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

/** Every vocabulary field of one decode() object, formatted as tshark -T fields prints it. */
export function decodedFields(outer: DecodedPacket): FieldSet {
  const f: FieldSet = new Map();
  // A tunnel's inner packet (pkt.inner, one level down each time) adds its fields after the
  // outer ones: tshark's order of repeated fields.
  const put = (k: string, v: string | number): void => {
    const have = f.get(k);
    if (have === undefined) f.set(k, [String(v)]);
    else have.push(String(v));
  };
  put('frame.len', outer.frame.len);
  put('frame.cap_len', outer.frame.cap_len);
  for (let p: DecodedPacket | undefined = outer; p !== undefined; p = p.inner) layerFields(p, put);
  return f;
}

function layerFields(p: DecodedPacket, put: (k: string, v: string | number) => void): void {
  if (p.eth?.type !== undefined) put('eth.type', hex4(p.eth.type));
  if (p.vlan) {
    put('vlan.id', p.vlan.id);
    if (p.vlan.inner) put('vlan.id', p.vlan.inner.id);
  }
  if (p.ip) {
    put('ip.src', p.ip.src);
    put('ip.dst', p.ip.dst);
    put('ip.proto', p.ip.proto);
    put('ip.len', p.ip.len);
    put('ip.ttl', p.ip.ttl);
    put('ip.flags.mf', p.ip.flags.mf);
    put('ip.frag_offset', p.ip.frag_offset);
  }
  if (p.ipv6) {
    put('ipv6.src', p.ipv6.src);
    put('ipv6.dst', p.ipv6.dst);
    put('ipv6.nxt', p.ipv6.nxt);
  }
  if (p.tcp) {
    put('tcp.srcport', p.tcp.srcport);
    put('tcp.dstport', p.tcp.dstport);
    put('tcp.seq_raw', p.tcp.seq_raw);
    put('tcp.ack_raw', p.tcp.ack_raw);
    put('tcp.flags', hex4(p.tcp.flags));
    put('tcp.window_size_value', p.tcp.window_size_value);
    put('tcp.len', p.tcp.len);
  }
  if (p.udp) {
    put('udp.srcport', p.udp.srcport);
    put('udp.dstport', p.udp.dstport);
    put('udp.length', p.udp.length);
  }
  if (p.icmp) {
    put('icmp.type', p.icmp.type);
    put('icmp.code', p.icmp.code);
  }
  if (p.icmpv6) put('icmpv6.type', p.icmpv6.type);
  if (p.arp) put('arp.opcode', p.arp.opcode);
}

/** tshark's vocabulary fields of one CSV row. */
export function tsharkFields(row: TsharkRow): FieldSet {
  const f: FieldSet = new Map();
  for (const k of VOCABULARY) {
    const v = row.get(k);
    if (v !== undefined) f.set(k, v);
  }
  return f;
}

/**
 * How one field differs:
 *  - missing: tshark gives it, we do not;
 *  - extra:   we give it, tshark does not;
 *  - deeper:  our values are the first of tshark's, which lists more occurrences (it
 *             dissected a header inside: a tunnel, an ICMP-quoted datagram);
 *  - value:   anything else.
 */
export type DiffKind = 'missing' | 'extra' | 'deeper' | 'value';

export interface FieldDiff {
  field: string;
  kind: DiffKind;
  ours: string[] | undefined;
  theirs: string[] | undefined;
}

export function diffFields(ours: FieldSet, theirs: FieldSet): FieldDiff[] {
  const out: FieldDiff[] = [];
  for (const field of VOCABULARY) {
    const a = ours.get(field);
    const b = theirs.get(field);
    if (a === undefined && b === undefined) continue;
    if (a === undefined) { out.push({ field, kind: 'missing', ours: a, theirs: b }); continue; }
    if (b === undefined) { out.push({ field, kind: 'extra', ours: a, theirs: b }); continue; }
    if (a.length === b.length && a.every((x, i) => x === b[i])) continue;
    const prefix = a.length < b.length && a.every((x, i) => x === b[i]);
    out.push({ field, kind: prefix ? 'deeper' : 'value', ours: a, theirs: b });
  }
  return out;
}
