// FlowRecord -> IPFIX data records. The flow table keeps one bidirectional record per
// flow (A sent the first packet); exporters and collectors (nfdump, softflowd) speak
// uniflows, so each direction that carried packets becomes one record: A->B with A as
// source, B->A with B as source. Both directions share the flow's first/last times
// (the table keeps them per flow, as softflowd does).
import type { FlowDirection, FlowRecord } from '../flows/flow-table.js';
import { parseIPv4, parseIPv6 } from '../runtime/addr.js';
import { TEMPLATE_IPV4, TEMPLATE_IPV6 } from './template.js';

/** ICMP types whose answer has another type: echo, timestamp, information, mask (v4); echo (v6). */
const ICMP4_REPLY: Readonly<Record<number, number>> = { 8: 0, 13: 14, 15: 16, 17: 18 };
const ICMP6_REPLY: Readonly<Record<number, number>> = { 128: 129 };

function setU64(dv: DataView, off: number, v: number): void {
  // Counters and millisecond times stay far below 2^53: two 32-bit halves, no BigInt.
  dv.setUint32(off, Math.floor(v / 4294967296));
  dv.setUint32(off + 4, v >>> 0);
}

function writeAddr(dv: DataView, off: number, text: string, v6: boolean): void {
  if (!v6) {
    dv.setUint32(off, parseIPv4(text) ?? 0);
    return;
  }
  const b = parseIPv6(text);
  if (b === null) for (let i = 0; i < 16; i++) dv.setUint8(off + i, 0);
  else for (let i = 0; i < 16; i++) dv.setUint8(off + i, b[i]);
}

function millis(sec: number, nsec: number): number {
  return sec * 1000 + Math.floor(nsec / 1e6);
}

/** Optional overrides from the exporting process (e.g. the capture interface). */
export interface RecordContext {
  /** ingressInterface when the record carries none (0 = unknown). */
  iface: number;
}

/** Records `rec` turns into (0, 1 or 2). */
export function recordCount(rec: FlowRecord): number {
  return (rec.aToB.frames > 0 ? 1 : 0) + (rec.bToA.frames > 0 ? 1 : 0);
}

/** Octets one direction of `rec` takes in a data set. */
export function recordLength(rec: FlowRecord): number {
  return rec.ipVersion === 6 ? TEMPLATE_IPV6.recordLength : TEMPLATE_IPV4.recordLength;
}

/**
 * Writes the data record of one direction of `rec` at `off` (fields in template order);
 * returns the offset after it. `reverse` selects B->A.
 */
export function writeDataRecord(dv: DataView, off: number, rec: FlowRecord, reverse: boolean, ctx: RecordContext): number {
  const v6 = rec.ipVersion === 6;
  const alen = v6 ? 16 : 4;
  const src = reverse ? rec.b : rec.a;
  const dst = reverse ? rec.a : rec.b;
  const d: FlowDirection = reverse ? rec.bToA : rec.aToB;
  const icmp = rec.icmpType !== null;
  const tcp = rec.proto === 6 && !rec.noPorts;
  writeAddr(dv, off, src.addr, v6);
  writeAddr(dv, off + alen, dst.addr, v6);
  off += 2 * alen;
  // ICMP "ports" in the flow table are the echo identifier; exporters send 0 and the
  // type/code in icmpTypeCode instead.
  dv.setUint16(off, icmp ? 0 : src.port);
  dv.setUint16(off + 2, icmp ? 0 : dst.port);
  dv.setUint8(off + 4, rec.proto);
  dv.setUint16(off + 5, tcp ? d.tcpFlags : 0);
  setU64(dv, off + 7, d.ipBytes);
  setU64(dv, off + 15, d.frames);
  setU64(dv, off + 23, millis(rec.firstSec, rec.firstNsec));
  setU64(dv, off + 31, millis(rec.lastSec, rec.lastNsec));
  dv.setUint8(off + 39, rec.endReasonCode === 0 ? 4 : rec.endReasonCode);
  dv.setUint32(off + 40, rec.iface || ctx.iface);
  dv.setUint16(off + 44, rec.vlan & 0xFFF);
  let tc = 0;
  if (icmp) {
    let type = rec.icmpType ?? 0;
    if (reverse) type = (v6 ? ICMP6_REPLY[type] : ICMP4_REPLY[type]) ?? type;
    tc = (type << 8) | (rec.icmpCode ?? 0);
  }
  dv.setUint16(off + 46, tc);
  return off + 48;
}
