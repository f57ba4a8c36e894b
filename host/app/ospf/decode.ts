// decode()'s OSPF object: Wireshark's field names (ospf.srcrouter -> srcrouter,
// ospf.hello.active_neighbor -> hello.active_neighbor, ospf.db.dd_sequence ->
// db.dd_sequence) and what tshark 4.0 shows: the header fields whose bytes are in the
// message, in order, v2's authentication (none, or the cryptographic key id, data length,
// sequence number and the digest after the packet when it is captured), then the body of
// the five packet types: Hello, Database Description, LS Request entries (requests[]), LS
// Update's count, the LSA headers of a DD, LS Update or LS Ack (lsa[]: their bodies are not
// decoded). Options bytes are ospf.v2.options (v2 only). OSPFv3 headers and Hellos are
// decoded; v3 LSA headers give their common fields, v3 LS Requests their id and router.
// A cut message gives the fields before the cut, as Wireshark stops at the first that is not
// all there.
import { ipv4ToString } from '../../runtime/addr.js';
import {
  A_PROTO, A_FLAGS, A_COUNT, A_CAP, A_OFF, APP_OSPF, OSPF_VERSION, OSPF_TYPE, OSPF_LENGTH, OSPF_ROUTER, OSPF_AREA,
  OSPF_CHECKSUM, OSPF_AUTYPE, OSPF_BODY, OSPF_DIGEST, OSPF_LSA_COUNT, OSPF_ITEMS, OSPF_ITEM_SIZE,
} from '../app-layout.js';
import { le16, le32, be16, be32, recordErrors } from '../record-reader.js';

export interface OspfAuth {
  type: number;
  /** Authentication type 0: the 8 bytes, hex. */
  none?: string;
  crypt?: { key_id: number; data_length?: number; seq_nbr?: number; data?: string };
}
export interface OspfHello {
  network_mask?: string; interface_id?: number; hello_interval?: number; options?: number; router_priority?: number;
  router_dead_interval?: number; designated_router?: string; backup_designated_router?: string; active_neighbor: string[];
}
export interface OspfDbDesc { interface_mtu?: number; options?: number; dbd?: number; dd_sequence?: number }
export interface OspfLsaHeader {
  age: number; options?: number; type?: number; id?: string; link_state_id?: string; advrouter: string;
  seqnum: number; chksum: number; length: number;
}
export interface OspfLsRequest { type?: number; link_state_id: string; advrouter: string }

export interface DecodedOspf {
  version: number;
  msg: number;
  packet_length: number;
  srcrouter?: string;
  area_id?: string;
  checksum?: number;
  auth?: OspfAuth;
  hello?: OspfHello;
  db?: OspfDbDesc;
  requests?: OspfLsRequest[];
  ls?: { number_of_lsas: number };
  lsa?: OspfLsaHeader[];
  errors?: string[];
}

const hex = (u8: Uint8Array, p: number, n: number): string => Buffer.from(u8.subarray(p, p + n)).toString('hex');
const ip = (u8: Uint8Array, p: number): string => ipv4ToString(be32(u8, p));

/** An LSA header at `p` (v2: options, type and, for non-opaque types, the id; v3: the id). */
function lsaHeader(u8: Uint8Array, p: number, v2: boolean): OspfLsaHeader {
  const h: OspfLsaHeader = { age: be16(u8, p), advrouter: ip(u8, p + 8), seqnum: be32(u8, p + 12), chksum: be16(u8, p + 16), length: be16(u8, p + 18) };
  if (v2) {
    h.options = u8[p + 2];
    h.type = u8[p + 3];
    if (h.type < 9 || h.type > 11) h.id = ip(u8, p + 4);
  } else h.link_state_id = ip(u8, p + 4);
  return h;
}

/** pkt.ospf for app record `rec` of the frame at `f` (addresses in `u8`), or undefined. */
export function decodeOspf(u8: Uint8Array, f: number, rec: number): DecodedOspf | undefined {
  if (u8[rec + A_PROTO] !== APP_OSPF) return undefined;
  const cap = le16(u8, rec + A_CAP);
  if (cap < 4) return undefined;
  const version = u8[rec + OSPF_VERSION];
  const type = u8[rec + OSPF_TYPE];
  const len = le16(u8, rec + OSPF_LENGTH);
  const d: DecodedOspf = { version, msg: type, packet_length: len };
  const errors = recordErrors(le16(u8, rec + A_FLAGS));
  if (errors !== undefined) d.errors = errors;
  if (cap >= 8) d.srcrouter = ipv4ToString(le32(u8, rec + OSPF_ROUTER));
  if (cap >= 12) d.area_id = ipv4ToString(le32(u8, rec + OSPF_AREA));
  if (cap >= 14) d.checksum = le16(u8, rec + OSPF_CHECKSUM);
  if ((version !== 2 && version !== 3) || cap < 16) return d;
  const off = le16(u8, rec + A_OFF);
  const m = f + off;
  if (version === 2) {
    const a: OspfAuth = { type: le16(u8, rec + OSPF_AUTYPE) };
    d.auth = a;
    if (a.type === 0 && cap >= 24) a.none = hex(u8, m + 16, 8);
    else if (a.type === 2 && cap >= 19) {
      a.crypt = { key_id: u8[m + 18] };
      if (cap >= 20) a.crypt.data_length = u8[m + 19];
      if (cap >= 24) a.crypt.seq_nbr = be32(u8, m + 20);
      const dg = le16(u8, rec + OSPF_DIGEST);
      if (dg !== 0) a.crypt.data = hex(u8, f + dg, u8[m + 19]);
    }
  }
  const body = le16(u8, rec + OSPF_BODY);
  if (body === 0) return d;
  const b = f + body;
  const n = u8[rec + A_COUNT];
  const item = (i: number): number => f + le16(u8, rec + OSPF_ITEMS + i * OSPF_ITEM_SIZE);
  // Whether the body's bytes k .. k + len are captured.
  const have = (k: number, len: number): boolean => body - off + k + len <= cap;
  const v2 = version === 2;
  const bodyLen = (len - (v2 ? 24 : 16)) & 0xFFFF;
  // Each field in order while it is captured: [key, offset, length, read]
  const fields = <T>(o: T, list: Array<[keyof T, number, number, (p: number) => number | string]>): T => {
    for (const [k, at, len, read] of list) {
      if (!have(at, len)) break;
      (o as Record<keyof T, unknown>)[k] = read(b + at);
    }
    return o;
  };
  const u8at = (p: number): number => u8[p];
  const b16 = (p: number): number => be16(u8, p);
  const b32 = (p: number): number => be32(u8, p);
  const addr = (p: number): string => ip(u8, p);
  if (type === 1 && have(0, 1)) {
    const h = fields<OspfHello>({ active_neighbor: [] }, v2
      ? [['network_mask', 0, 4, addr], ['hello_interval', 4, 2, b16], ['options', 6, 1, u8at], ['router_priority', 7, 1, u8at],
        ['router_dead_interval', 8, 4, b32], ['designated_router', 12, 4, addr], ['backup_designated_router', 16, 4, addr]]
      : [['interface_id', 0, 4, b32], ['router_priority', 4, 1, u8at], ['hello_interval', 5, 5, (p) => be16(u8, p + 3)],
        ['router_dead_interval', 10, 2, b16], ['designated_router', 12, 4, addr], ['backup_designated_router', 16, 4, addr]]);
    for (let i = 0; i < n; i++) h.active_neighbor.push(ip(u8, item(i)));
    d.hello = h;
  } else if ((type === 2 || type === 4) && !have(0, bodyLen)) {
    // Wireshark opens the Database Description's and LS Update's subtree over the whole
    // body: a body the capture cuts shows none of its fields.
    return d;
  } else if (type === 2) {
    d.db = fields<OspfDbDesc>({}, v2
      ? [['interface_mtu', 0, 2, b16], ['options', 2, 1, u8at], ['dbd', 3, 1, u8at], ['dd_sequence', 4, 4, b32]]
      : [['interface_mtu', 0, 6, (p) => be16(u8, p + 4)], ['dbd', 6, 2, (p) => u8[p + 1]], ['dd_sequence', 8, 4, b32]]);
  } else if (type === 4 && have(0, 4)) {
    d.ls = { number_of_lsas: le32(u8, rec + OSPF_LSA_COUNT) };
  }
  if (type === 3) {
    const reqs: OspfLsRequest[] = [];
    for (let i = 0; i < n; i++) {
      const p = item(i);
      const r: OspfLsRequest = { link_state_id: ip(u8, p + 4), advrouter: ip(u8, p + 8) };
      if (v2) r.type = be32(u8, p);
      reqs.push(r);
    }
    if (reqs.length > 0) d.requests = reqs;
  } else if (type === 2 || type === 4 || type === 5) {
    const lsa: OspfLsaHeader[] = [];
    for (let i = 0; i < n; i++) lsa.push(lsaHeader(u8, item(i), v2));
    if (lsa.length > 0) d.lsa = lsa;
  }
  return d;
}
