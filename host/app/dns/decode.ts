// decode()'s DNS object: Wireshark's field names as nesting (dns.qry.name ->
// dns.qry[i].name, dns.a -> dns.a[i], dns.resp.ttl -> dns.resp[i].ttl), repeated fields as
// arrays in message order, so values line up with `tshark -T fields -E occurrence=a`.
// Built from the app record and the frame; allocates, not for hot loops.
import { readDns, type DnsMessage, type DnsItem } from './message.js';
import { readName, wiresharkText, nameEnd } from './names.js';
import {
  AF_TRUNC, AF_MALFORMED, AF_BAD_PTR, AF_BAD_LABEL, AF_LONG_NAME, AF_COUNTS, DV_MDNS, DV_TCP, DV_LLMNR, DV_PREFIX_BAD,
  DS_QUESTION, DIF_BAD_RDATA, DIF_RDATA_TRUNC,
} from '../app-layout.js';
import { T_A, T_AAAA, T_CNAME, T_PTR, T_MX, T_NS, T_TXT, T_SOA, T_SRV, T_OPT, T_NSEC, T_NSEC3 } from './types.js';
import { ipv4ToString, ipv6ToString } from '../../runtime/addr.js';

export interface DecodedDnsQuery { name: string; type: number; class: number }
export interface DecodedDnsRR {
  /** The owner name; SRV records give it as srv.service/proto/name instead, as Wireshark does. */
  name?: string;
  type: number; class: number; len: number;
  /** NSEC/NSEC3: the types of the type bitmap, which Wireshark lists as further dns.resp.type values. */
  bitmap_types?: number[];
  /** Absent for OPT, whose TTL field holds EDNS bits instead (below). */
  ttl?: number;
  /** OPT only (RFC 6891 §6.1.3). */
  udp_payload_size?: number; ext_rcode?: number; edns0_version?: number; z?: { do: number };
}
export interface DecodedDns {
  /** The header's fields: absent only when the message is shorter than a header (errors say why). */
  id?: number;
  /** Wireshark's flag fields: DNS and mDNS show recdesired, z and checkdisable always,
   *  authoritative, recavail and rcode on responses, authenticated on responses and on a
   *  query that sets it; LLMNR (RFC 4795 §2.1.1) shows conflict, truncated, tentative. */
  flags?: {
    response: number; opcode: number; truncated: number;
    recdesired?: number; z?: number; authenticated?: number; checkdisable?: number;
    rcode?: number; authoritative?: number; recavail?: number;
    conflict?: number; tentative?: number;
  };
  count?: { queries: number; answers: number; auth_rr: number; add_rr: number };
  qry: DecodedDnsQuery[];
  resp: DecodedDnsRR[];
  a?: string[];
  aaaa?: string[];
  cname?: string[];
  ns?: string[];
  ptr?: { domain_name: string[] };
  mx?: { preference: number[]; mail_exchange: string[] };
  txt?: string[];
  soa?: { mname: string[]; rname: string[]; serial_number: number[]; refresh_interval: number[]; retry_interval: number[]; expire_limit: number[]; minimum_ttl: number[] };
  srv?: { service: string[]; proto: string[]; name: string[]; priority: number[]; weight: number[]; port: number[]; target: string[] };
  /** How it was carried: 'udp', 'tcp'; mdns/llmnr for those ports. */
  transport: 'udp' | 'tcp';
  variant?: 'mdns' | 'llmnr';
  /** The TCP length prefix (dns.length). */
  length?: number;
  /** AF_* and DIF_* conditions by name; absent on a sound message. */
  errors?: string[];
}

const be16 = (u8: Uint8Array, p: number): number => (u8[p] << 8) | u8[p + 1];
const be32 = (u8: Uint8Array, p: number): number => ((u8[p] << 24) | (u8[p + 1] << 16) | (u8[p + 2] << 8) | u8[p + 3]) >>> 0;

const FLAG_NAMES: Array<[number, string]> = [
  [AF_TRUNC, 'truncated'], [AF_MALFORMED, 'malformed'], [AF_BAD_PTR, 'bad_pointer'], [AF_BAD_LABEL, 'bad_label'],
  [AF_LONG_NAME, 'name_too_long'], [AF_COUNTS, 'counts_past_end'],
];

/** pkt.dns for app record `rec` of the frame at `f` (addresses in `u8`), or undefined. */
export function decodeDns(u8: Uint8Array, f: number, rec: number): DecodedDns | undefined {
  const m = readDns(u8, f, rec);
  if (m === null || !m.hasHeader) return m === null ? undefined : headerless(m);
  const capEnd = m.off + m.cap;
  const name = (p: number): string => readName(u8, f, m.off, p, capEnd).text;
  const h = m.hdrFlags;
  const response = h >>> 15;
  const flags: NonNullable<DecodedDns['flags']> = { response, opcode: (h >>> 11) & 15, truncated: (h >>> 9) & 1 };
  if ((m.variant & DV_LLMNR) !== 0) {
    flags.conflict = (h >>> 10) & 1;
    flags.tentative = (h >>> 8) & 1;
    if (response) flags.rcode = h & 15;
  } else {
    if (response) flags.authoritative = (h >>> 10) & 1;
    flags.recdesired = (h >>> 8) & 1;
    if (response) flags.recavail = (h >>> 7) & 1;
    flags.z = (h >>> 6) & 1;
    if (response || (h & 0x20) !== 0) flags.authenticated = (h >>> 5) & 1;
    flags.checkdisable = (h >>> 4) & 1;
    if (response) flags.rcode = h & 15;
  }
  const d: DecodedDns = {
    id: m.id, flags, count: { queries: m.qd, answers: m.an, auth_rr: m.ns, add_rr: m.ar }, qry: [], resp: [],
    transport: (m.variant & DV_TCP) !== 0 ? 'tcp' : 'udp',
  };
  if (m.variant & DV_MDNS) d.variant = 'mdns';
  if (m.variant & DV_LLMNR) d.variant = 'llmnr';
  if (m.variant & DV_TCP) d.length = m.prefix;
  const mdns = (m.variant & DV_MDNS) !== 0;
  for (const it of m.items) {
    // mDNS (RFC 6762 §5.4, §10.2): the class's top bit is the unicast-response or cache-flush bit.
    const cls = mdns ? it.cls & 0x7FFF : it.cls;
    if (it.section === DS_QUESTION) {
      d.qry.push({ name: name(it.name), type: it.type, class: cls });
      continue;
    }
    const rr: DecodedDnsRR = { name: name(it.name), type: it.type, class: cls, len: it.rdlen };
    if (it.type === T_SRV) {
      // Wireshark: _service._proto.name, and no dns.resp.name.
      const labels = (rr.name ?? '').split('.');
      const srv = d.srv ??= { service: [], proto: [], name: [], priority: [], weight: [], port: [], target: [] };
      // Each part only when the name has it (Wireshark shows no empty Name).
      srv.service.push(labels[0]);
      if (labels.length > 1) srv.proto.push(labels[1]);
      if (labels.length > 2) srv.name.push(labels.slice(2).join('.'));
      delete rr.name;
    }
    if (it.type === T_OPT) {
      rr.udp_payload_size = it.cls;
      rr.ext_rcode = it.ttl >>> 24;
      rr.edns0_version = (it.ttl >>> 16) & 0xFF;
      rr.z = { do: (it.ttl >>> 15) & 1 };
      delete (rr as { class?: number }).class;
    } else {
      rr.ttl = it.ttl;
    }
    d.resp.push(rr);
    if ((it.flags & (DIF_BAD_RDATA | DIF_RDATA_TRUNC)) === 0) {
      rdataFields(u8, f, m, it, d, name);
      if (it.type === T_NSEC || it.type === T_NSEC3) rr.bitmap_types = bitmapTypes(u8, f, it);
    }
  }
  const errors = FLAG_NAMES.filter(([bit]) => (m.flags & bit) !== 0).map(([, n]) => n);
  if (m.variant & DV_PREFIX_BAD) errors.push('tcp_length_prefix_mismatch');
  if (m.items.some((it) => it.flags & DIF_BAD_RDATA)) errors.push('bad_rdata');
  if (errors.length > 0) d.errors = errors;
  return d;
}

function headerless(m: DnsMessage): DecodedDns {
  const errors = FLAG_NAMES.filter(([bit]) => (m.flags & bit) !== 0).map(([, n]) => n);
  return {
    qry: [], resp: [],
    transport: (m.variant & DV_TCP) !== 0 ? 'tcp' : 'udp', errors: errors.length > 0 ? errors : ['malformed'],
  };
}

/** The type-specific fields of one sound RDATA. */
function rdataFields(u8: Uint8Array, f: number, m: DnsMessage, it: DnsItem, d: DecodedDns, name: (p: number) => string): void {
  const p = f + it.rdata;
  switch (it.type) {
    case T_A: (d.a ??= []).push(ipv4ToString(be32(u8, p))); break;
    case T_AAAA: (d.aaaa ??= []).push(ipv6ToString(u8, p)); break;
    case T_CNAME: (d.cname ??= []).push(name(it.rdata)); break;
    case T_NS: (d.ns ??= []).push(name(it.rdata)); break;
    case T_PTR: (d.ptr ??= { domain_name: [] }).domain_name.push(name(it.rdata)); break;
    case T_MX: {
      const mx = d.mx ??= { preference: [], mail_exchange: [] };
      mx.preference.push(be16(u8, p));
      mx.mail_exchange.push(name(it.rdata + 2));
      break;
    }
    case T_SRV: {
      const srv = d.srv ??= { service: [], proto: [], name: [], priority: [], weight: [], port: [], target: [] };
      srv.priority.push(be16(u8, p));
      srv.weight.push(be16(u8, p + 2));
      srv.port.push(be16(u8, p + 4));
      srv.target.push(name(it.rdata + 6));
      break;
    }
    case T_TXT: {
      for (let q = it.rdata; q < it.rdata + it.rdlen; q += 1 + u8[f + q]) {
        (d.txt ??= []).push(wiresharkText(u8.subarray(f + q + 1, f + q + 1 + u8[f + q])));
      }
      break;
    }
    case T_SOA: {
      const soa = d.soa ??= { mname: [], rname: [], serial_number: [], refresh_interval: [], retry_interval: [], expire_limit: [], minimum_ttl: [] };
      const capEnd = m.off + m.cap;
      soa.mname.push(name(it.rdata));
      const rname = nameEnd(u8, f, it.rdata, capEnd);
      soa.rname.push(name(rname));
      const nums = f + nameEnd(u8, f, rname, capEnd);
      soa.serial_number.push(be32(u8, nums));
      soa.refresh_interval.push(be32(u8, nums + 4));
      soa.retry_interval.push(be32(u8, nums + 8));
      soa.expire_limit.push(be32(u8, nums + 12));
      soa.minimum_ttl.push(be32(u8, nums + 16));
      break;
    }
    default: break;
  }
}

/** The types of an NSEC (RFC 4034 §4.1) or NSEC3 (RFC 5155 §3.2) type bitmap, in order;
 *  what does not fit the RDATA is left out. */
function bitmapTypes(u8: Uint8Array, f: number, it: DnsItem): number[] {
  const end = it.rdata + it.rdlen;
  let p = it.rdata;
  if (it.type === T_NSEC) {
    // The next owner name, uncompressed (RFC 4034 §4.1.1).
    while (p < end && u8[f + p] !== 0 && (u8[f + p] & 0xC0) === 0) p += 1 + u8[f + p];
    p += 1;
  } else {
    if (p + 5 > end) return [];
    p += 5 + u8[f + p + 4]; // algorithm, flags, iterations, salt
    if (p >= end) return [];
    p += 1 + u8[f + p]; // hash
  }
  const types: number[] = [];
  while (p + 2 <= end) {
    const win = u8[f + p];
    const len = u8[f + p + 1];
    if (len === 0 || len > 32 || p + 2 + len > end) break;
    for (let i = 0; i < len; i++) {
      const b = u8[f + p + 2 + i];
      for (let bit = 0; bit < 8; bit++) if (b & (0x80 >> bit)) types.push(win * 256 + i * 8 + bit);
    }
    p += 2 + len;
  }
  return types;
}
