// decode()'s objects in the vocabulary of the corpus's tshark dissections
// (<capture>.tshark.csv, see the corpus README), and the per-frame comparison of the two
// field SETS: a field only tshark gives, a field only we give, and a field whose values
// differ are all differences. Repeated fields (tunnels, ICMP-quoted headers) are lists,
// outermost first, as tshark joins them.
import type { DecodedPacket } from '../../host/dissect/decode.js';
import type { DecodedQuoted } from '../../host/app/icmp-quoted.js';
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

type Put = (k: string, v: string | number) => void;

/** `layer.name` for each of `names` whose value `o` holds under that name (decode()'s
 *  objects use tshark's field names); an undefined value was not dissected: left out. */
function putEach<T extends object, K extends keyof T & string>(put: Put, layer: string, o: T & Partial<Record<K, string | number>>, names: readonly K[]): void {
  for (const n of names) {
    const v = o[n];
    if (v !== undefined) put(`${layer}.${n}`, v);
  }
}

function layerFields(p: DecodedPacket, put: Put): void {
  if (p.eth?.type !== undefined) put('eth.type', hex4(p.eth.type));
  if (p.vlan) {
    put('vlan.id', p.vlan.id);
    if (p.vlan.inner) put('vlan.id', p.vlan.inner.id);
  }
  if (p.ip) {
    putEach(put, 'ip', p.ip, ['src', 'dst', 'proto', 'len', 'ttl']);
    put('ip.flags.mf', p.ip.flags.mf);
    put('ip.frag_offset', p.ip.frag_offset);
  }
  if (p.ipv6) putEach(put, 'ipv6', p.ipv6, ['src', 'dst', 'nxt']);
  if (p.tcp) {
    putEach(put, 'tcp', p.tcp, ['srcport', 'dstport', 'seq_raw', 'ack_raw']);
    put('tcp.flags', hex4(p.tcp.flags));
    putEach(put, 'tcp', p.tcp, ['window_size_value', 'len']);
  }
  if (p.udp) putEach(put, 'udp', p.udp, ['srcport', 'dstport', 'length']);
  if (p.icmp) putEach(put, 'icmp', p.icmp, ['type', 'code']);
  if (p.icmpv6) put('icmpv6.type', p.icmpv6.type);
  if (p.arp) put('arp.opcode', p.arp.opcode);
  if (p.cut !== undefined) {
    // A header cut by the capture (pkt.cut): the fields that were captured.
    const { ip, ipv6, tcp, udp } = p.cut;
    if (ip) {
      putEach(put, 'ip', ip, ['src', 'dst', 'proto', 'len', 'ttl']);
      if (ip.flags !== undefined) put('ip.flags.mf', ip.flags.mf);
      putEach(put, 'ip', ip, ['frag_offset']);
    }
    if (ipv6) putEach(put, 'ipv6', ipv6, ['src', 'dst', 'nxt']);
    if (tcp) {
      putEach(put, 'tcp', tcp, ['srcport', 'dstport', 'seq_raw', 'ack_raw']);
      if (tcp.flags !== undefined) put('tcp.flags', hex4(tcp.flags));
      putEach(put, 'tcp', tcp, ['window_size_value', 'len']);
    }
    if (udp) putEach(put, 'udp', udp, ['srcport', 'dstport', 'length']);
  }
  const quoted = p.icmp?.quoted ?? p.icmpv6?.quoted;
  if (quoted !== undefined) quotedFields(quoted, put);
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

/** An ICMP error's quoted datagram (host/app/icmp-quoted.ts): its fields follow the outer
 *  packet's, as tshark lists a field's occurrences (ip.src "outer,quoted"); `add` appends. */
function quotedFields(q: DecodedQuoted, add: Put): void {
  if (q.ip) {
    putEach(add, 'ip', q.ip, ['src', 'dst', 'proto', 'len', 'ttl']);
    if (q.ip.flags?.mf !== undefined) add('ip.flags.mf', q.ip.flags.mf);
    putEach(add, 'ip', q.ip, ['frag_offset']);
  }
  if (q.ipv6) putEach(add, 'ipv6', q.ipv6, ['src', 'dst', 'nxt']);
  if (q.tcp) {
    putEach(add, 'tcp', q.tcp, ['srcport', 'dstport']);
    add('tcp.seq_raw', q.tcp.seq);
    putEach(add, 'tcp', q.tcp, ['ack_raw']);
    if (q.tcp.flags !== undefined) add('tcp.flags', hex4(q.tcp.flags));
    putEach(add, 'tcp', q.tcp, ['window_size_value']);
  }
  if (q.udp) putEach(add, 'udp', q.udp, ['srcport', 'dstport', 'length']);
  if (q.icmp) putEach(add, 'icmp', q.icmp, ['type', 'code']);
  if (q.icmpv6) add('icmpv6.type', q.icmpv6.type);
}
