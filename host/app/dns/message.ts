// A DNS app record read back into plain numbers: the header, and every question and
// resource record as an item of frame offsets. The record holds the first DNS_ITEM_MAX
// items; when it says there are more (AF_MORE) the rest are walked here from its resume
// offset by the same twin code, over a private copy of the frame, so a reader sees the same
// items whatever the record's size. Names and RDATA stay frame offsets (see names.ts).
import { TwinMemory } from '../twin-memory.js';
import { DnsTwin } from './twin.js';
import {
  A_PROTO, A_VARIANT, A_FLAGS, A_OFF, A_LEN, A_CAP, A_NEXT, A_COUNT, APP_DNS, AF_MORE, AF_COUNTS, AF_TRUNC,
  DV_TCP, DNS_ID, DNS_FLAGS, DNS_QDCOUNT, DNS_ANCOUNT, DNS_NSCOUNT, DNS_ARCOUNT, DNS_PREFIX, DNS_OPT,
  DNS_EXT_RCODE, DNS_ITEMS, DNS_ITEM_SIZE, DI_NAME, DI_TYPE, DI_CLASS, DI_RDLEN, DI_TTL, DI_RDATA,
  DI_SECTION, DI_FLAGS, DIF_RDATA_TRUNC, DS_QUESTION,
} from '../app-layout.js';
import { T_OPT } from './types.js';

export interface DnsItem {
  /** DS_* section. */
  section: number;
  /** Frame offset of the owner name. */
  name: number;
  type: number;
  cls: number;
  ttl: number;
  rdlen: number;
  /** Frame offset of the RDATA. */
  rdata: number;
  /** DIF_* bits. */
  flags: number;
}

export interface DnsMessage {
  /** DV_* bits. */
  variant: number;
  /** AF_* bits (AF_MORE cleared once the rest was walked here). */
  flags: number;
  /** Frame offset of the message (after a TCP length prefix). */
  off: number;
  /** The message length tcpdump prints: the UDP payload, or a TCP segment's payload less 2. */
  len: number;
  /** Captured message bytes. */
  cap: number;
  /** The TCP length prefix (DV_TCP). */
  prefix: number;
  /** false when the header itself was not there (shorter than 12 bytes, or cut). */
  hasHeader: boolean;
  id: number;
  hdrFlags: number;
  qd: number;
  an: number;
  ns: number;
  ar: number;
  /** Index + 1 of the first OPT item, 0 without one; its extended rcode bits. */
  opt: number;
  extRcode: number;
  items: DnsItem[];
}

function itemAt(u8: Uint8Array, it: number): DnsItem {
  const u16 = (o: number): number => u8[it + o] | (u8[it + o + 1] << 8);
  return {
    section: u8[it + DI_SECTION], name: u16(DI_NAME), type: u16(DI_TYPE), cls: u16(DI_CLASS),
    ttl: (u16(DI_TTL) | (u16(DI_TTL + 2) << 16)) >>> 0, rdlen: u16(DI_RDLEN), rdata: u16(DI_RDATA), flags: u8[it + DI_FLAGS],
  };
}

/** The DNS message of app record `rec` for the frame at `f` (both addresses in `u8`), or
 *  null when the record is not DNS. */
export function readDns(u8: Uint8Array, f: number, rec: number): DnsMessage | null {
  if (u8[rec + A_PROTO] !== APP_DNS) return null;
  const u16 = (o: number): number => u8[rec + o] | (u8[rec + o + 1] << 8);
  const m: DnsMessage = {
    variant: u8[rec + A_VARIANT], flags: u16(A_FLAGS), off: u16(A_OFF), len: u16(A_LEN), cap: u16(A_CAP),
    prefix: u16(DNS_PREFIX), hasHeader: false, id: u16(DNS_ID), hdrFlags: u16(DNS_FLAGS),
    qd: u16(DNS_QDCOUNT), an: u16(DNS_ANCOUNT), ns: u16(DNS_NSCOUNT), ar: u16(DNS_ARCOUNT),
    opt: u8[rec + DNS_OPT], extRcode: u8[rec + DNS_EXT_RCODE], items: [],
  };
  m.hasHeader = m.cap >= 12; // A_CAP is already bounded by the message's own length
  for (let i = 0; i < u8[rec + A_COUNT]; i++) m.items.push(itemAt(u8, rec + DNS_ITEMS + i * DNS_ITEM_SIZE));
  if ((m.flags & AF_MORE) !== 0) walkRest(u8, f, m, u16(A_NEXT));
  return m;
}

/** Walks the items the record had no room for, with the twin, over a copy of the frame. */
function walkRest(u8: Uint8Array, f: number, m: DnsMessage, next: number): void {
  const capEnd = m.off + m.cap;
  const declEnd = m.off + ((m.variant & DV_TCP) !== 0 ? m.prefix : m.len);
  const slot = (capEnd + 15) & ~15; // the item slot after the copied frame, aligned
  const buf = new ArrayBuffer(slot + DNS_ITEM_SIZE);
  const local = { u8: new Uint8Array(buf), u16: new Uint16Array(buf), u32: new Uint32Array(buf) };
  local.u8.set(u8.subarray(f, f + capEnd));
  const twin = new DnsTwin(new TwinMemory({ refresh: () => local }));
  twin.begin(capEnd, declEnd);
  const total = m.qd + m.an + m.ns + m.ar;
  let pos = next;
  let n = m.items.length;
  let flags = m.flags & ~AF_MORE;
  while (n < total) {
    if (pos >= declEnd) { flags |= AF_COUNTS; break; }
    if (pos >= capEnd) { flags |= AF_TRUNC; break; }
    const after = twin.item(0, m.off, pos, n, m.qd, m.an, m.ns, slot);
    if (after < 0) break;
    const it = itemAt(local.u8, slot);
    m.items.push(it);
    if (m.opt === 0 && it.section !== DS_QUESTION && it.type === T_OPT) {
      m.opt = n + 1;
      m.extRcode = it.ttl >>> 24;
    }
    n++;
    if ((it.flags & DIF_RDATA_TRUNC) !== 0) break;
    pos = after;
  }
  m.flags = flags | twin.flagsSoFar;
}
