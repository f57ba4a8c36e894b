// FlowRecord -> IPFIX data records. The flow table keeps one bidirectional record per
// flow (A sent the first packet). By default each direction that carried packets becomes
// one uniflow record (A->B with A as source, B->A with B as source), which is what
// nfdump and softflowd speak. With biflows (RFC 5103) the flow is one record: A->B as
// the forward direction, B->A in the reverse elements. Both directions share the flow's
// first/last times (the table keeps them per flow, as softflowd does).
//
// The writer walks the template's fields, so a template and its records cannot disagree.
// writeRecordAt does the same from a record still in the engine's memory (no FlowRecord).
import type { FlowDirection, FlowRecord } from '../flows/flow-table.js';
import { parseIPv4, parseIPv6 } from '../runtime/addr.js';
import type { MemoryViews } from '../runtime/memory.js';
import * as FL from '../flows/flow-layout.js';
import { FLOW_END_FORCED, IE, REVERSE, ieKey } from './ie.js';
import {
  TEMPLATE_BIFLOW_IPV4, TEMPLATE_BIFLOW_IPV6, TEMPLATE_IPV4, TEMPLATE_IPV6, type Template,
} from './template.js';

/** ICMP types whose answer has another type: echo, timestamp, information, mask (v4); echo (v6). */
const ICMP4_REPLY: Readonly<Record<number, number>> = { 8: 0, 13: 14, 15: 16, 17: 18 };
const ICMP6_REPLY: Readonly<Record<number, number>> = { 128: 129 };

export function setU64(dv: DataView, off: number, v: number): void {
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

/** The template a record of `rec` uses. */
export function templateFor(rec: FlowRecord, biflow = false): Template {
  if (biflow) return rec.ipVersion === 6 ? TEMPLATE_BIFLOW_IPV6 : TEMPLATE_BIFLOW_IPV4;
  return rec.ipVersion === 6 ? TEMPLATE_IPV6 : TEMPLATE_IPV4;
}

/** Octets one record of `rec` takes in a data set. */
export function recordLength(rec: FlowRecord, biflow = false): number {
  return templateFor(rec, biflow).recordLength;
}

const K = {
  srcV4: ieKey(IE.sourceIPv4Address.id, 0), dstV4: ieKey(IE.destinationIPv4Address.id, 0),
  srcV6: ieKey(IE.sourceIPv6Address.id, 0), dstV6: ieKey(IE.destinationIPv6Address.id, 0),
  sport: ieKey(IE.sourceTransportPort.id, 0), dport: ieKey(IE.destinationTransportPort.id, 0),
  proto: ieKey(IE.protocolIdentifier.id, 0), flags: ieKey(IE.tcpControlBits.id, 0),
  octets: ieKey(IE.octetDeltaCount.id, 0), packets: ieKey(IE.packetDeltaCount.id, 0),
  start: ieKey(IE.flowStartMilliseconds.id, 0), end: ieKey(IE.flowEndMilliseconds.id, 0),
  reason: ieKey(IE.flowEndReason.id, 0), iface: ieKey(IE.ingressInterface.id, 0), vlan: ieKey(IE.vlanId.id, 0),
  icmp4: ieKey(IE.icmpTypeCodeIPv4.id, 0), icmp6: ieKey(IE.icmpTypeCodeIPv6.id, 0),
  rFlags: ieKey(REVERSE.tcpControlBits.id, REVERSE.tcpControlBits.pen),
  rOctets: ieKey(REVERSE.octetDeltaCount.id, REVERSE.octetDeltaCount.pen),
  rPackets: ieKey(REVERSE.packetDeltaCount.id, REVERSE.packetDeltaCount.pen),
} as const;

/** Field keys of each template, computed once. */
const KEYS = new Map<Template, number[]>();
function keysOf(t: Template): number[] {
  let k = KEYS.get(t);
  if (k === undefined) {
    k = t.fields.map((f) => ieKey(f.id, f.pen));
    KEYS.set(t, k);
  }
  return k;
}

/**
 * Writes one record of `rec` at `off` in the field order of `t`; returns the offset after
 * it. `reverse` makes B->A the (forward) direction of the record.
 */
export function writeRecord(dv: DataView, off: number, t: Template, rec: FlowRecord, reverse: boolean, ctx: RecordContext): number {
  const v6 = rec.ipVersion === 6;
  const src = reverse ? rec.b : rec.a;
  const dst = reverse ? rec.a : rec.b;
  const d: FlowDirection = reverse ? rec.bToA : rec.aToB;
  const r: FlowDirection = reverse ? rec.aToB : rec.bToA;
  const icmp = rec.icmpType !== null;
  const tcp = rec.proto === 6 && !rec.noPorts;
  const keys = keysOf(t);
  for (let i = 0; i < keys.length; i++) {
    switch (keys[i]) {
      case K.srcV4: case K.srcV6: writeAddr(dv, off, src.addr, v6); break;
      case K.dstV4: case K.dstV6: writeAddr(dv, off, dst.addr, v6); break;
      // ICMP "ports" in the flow table are the echo identifier; exporters send 0 and the
      // type/code in icmpTypeCode instead.
      case K.sport: dv.setUint16(off, icmp ? 0 : src.port); break;
      case K.dport: dv.setUint16(off, icmp ? 0 : dst.port); break;
      case K.proto: dv.setUint8(off, rec.proto); break;
      case K.flags: dv.setUint16(off, tcp ? d.tcpFlags : 0); break;
      case K.rFlags: dv.setUint16(off, tcp ? r.tcpFlags : 0); break;
      case K.octets: setU64(dv, off, d.ipBytes); break;
      case K.packets: setU64(dv, off, d.frames); break;
      case K.rOctets: setU64(dv, off, r.ipBytes); break;
      case K.rPackets: setU64(dv, off, r.frames); break;
      case K.start: setU64(dv, off, millis(rec.firstSec, rec.firstNsec)); break;
      case K.end: setU64(dv, off, millis(rec.lastSec, rec.lastNsec)); break;
      // The flow table's end codes are flowEndReason's; a flow still live ends forced.
      case K.reason: dv.setUint8(off, rec.endReasonCode === 0 ? FLOW_END_FORCED : rec.endReasonCode); break;
      case K.iface: dv.setUint32(off, rec.iface || ctx.iface); break;
      case K.vlan: dv.setUint16(off, rec.vlan & 0xFFF); break;
      case K.icmp4: case K.icmp6: dv.setUint16(off, icmp ? icmpTypeCode(rec.icmpType ?? 0, rec.icmpCode ?? 0, reverse, v6) : 0); break;
      default: zeroField(dv, off, t.fields[i].length);
    }
    off += t.fields[i].length;
  }
  return off;
}

/**
 * writeRecord for a record still in the engine's memory: the exported record or entry at
 * byte address `at` (layout FE_*), read field by field with no FlowRecord and no address
 * text (the sniffer's path, millions of flows). The bytes are writeRecord's for
 * readFlowRecord(views, at); test/ipfix-raw holds the two equal.
 */
export function writeRecordAt(dv: DataView, off: number, t: Template, views: MemoryViews, at: number, reverse: boolean, ctx: RecordContext): number {
  const v = views.refresh();
  const u8 = v.u8;
  const u16 = v.u16;
  const u32 = v.u32;
  const f64 = v.f64;
  const h = at >>> 1;
  const w = at >>> 2;
  const d = at >>> 3;
  const v6 = u8[at + FL.FE_IPVER] === 6;
  const proto = u8[at + FL.FE_PROTO];
  const icmp = proto === 1 || proto === 58;
  const tcp = proto === 6 && (u16[h + (FL.FE_FLAGS >>> 1)] & FL.EF_NOPORTS) === 0;
  const fwd = reverse ? 1 : 0; // this record's direction: 0 = A->B, 1 = B->A
  const rev = 1 - fwd;
  const srcAddr = at + (reverse ? FL.FE_ADDR_B : FL.FE_ADDR_A);
  const dstAddr = at + (reverse ? FL.FE_ADDR_A : FL.FE_ADDR_B);
  const keys = keysOf(t);
  for (let i = 0; i < keys.length; i++) {
    switch (keys[i]) {
      case K.srcV4: case K.srcV6: copyAddr(dv, off, u8, srcAddr, v6); break;
      case K.dstV4: case K.dstV6: copyAddr(dv, off, u8, dstAddr, v6); break;
      case K.sport: dv.setUint16(off, icmp ? 0 : u16[h + ((reverse ? FL.FE_PORT_B : FL.FE_PORT_A) >>> 1)]); break;
      case K.dport: dv.setUint16(off, icmp ? 0 : u16[h + ((reverse ? FL.FE_PORT_A : FL.FE_PORT_B) >>> 1)]); break;
      case K.proto: dv.setUint8(off, proto); break;
      case K.flags: dv.setUint16(off, tcp ? u8[at + FL.FE_TCPFL_A + fwd] : 0); break;
      case K.rFlags: dv.setUint16(off, tcp ? u8[at + FL.FE_TCPFL_A + rev] : 0); break;
      case K.octets: setU64(dv, off, f64[d + (FL.FE_IPBYTES_AB >>> 3) + fwd]); break;
      case K.packets: setU64(dv, off, u32[w + (FL.FE_FRAMES_AB >>> 2) + fwd]); break;
      case K.rOctets: setU64(dv, off, f64[d + (FL.FE_IPBYTES_AB >>> 3) + rev]); break;
      case K.rPackets: setU64(dv, off, u32[w + (FL.FE_FRAMES_AB >>> 2) + rev]); break;
      case K.start: setU64(dv, off, millis(u32[w + (FL.FE_FIRST_SEC >>> 2)], u32[w + (FL.FE_FIRST_NSEC >>> 2)])); break;
      case K.end: setU64(dv, off, millis(u32[w + (FL.FE_LAST_SEC >>> 2)], u32[w + (FL.FE_LAST_NSEC >>> 2)])); break;
      case K.reason: {
        const end = u8[at + FL.FE_END];
        dv.setUint8(off, end === 0 ? FLOW_END_FORCED : end);
        break;
      }
      case K.iface: dv.setUint32(off, u16[h + (FL.FE_IFACE >>> 1)] || ctx.iface); break;
      case K.vlan: dv.setUint16(off, u16[h + (FL.FE_VLAN >>> 1)] & 0xFFF); break;
      case K.icmp4: case K.icmp6: dv.setUint16(off, icmp ? icmpTypeCode(u8[at + FL.FE_ICMP_TYPE], u8[at + FL.FE_ICMP_CODE], reverse, v6) : 0); break;
      default: zeroField(dv, off, t.fields[i].length);
    }
    off += t.fields[i].length;
  }
  return off;
}

/** Copies an address as it is in memory (network order): 4 octets for IPv4, 16 for IPv6. */
function copyAddr(dv: DataView, off: number, u8: Uint8Array, from: number, v6: boolean): void {
  const n = v6 ? 16 : 4;
  for (let i = 0; i < n; i++) dv.setUint8(off + i, u8[from + i]);
}

/** The template of the record at `at` (layout FE_*). */
export function templateAt(views: MemoryViews, at: number, biflow = false): Template {
  const v6 = views.u8[at + FL.FE_IPVER] === 6;
  if (biflow) return v6 ? TEMPLATE_BIFLOW_IPV6 : TEMPLATE_BIFLOW_IPV4;
  return v6 ? TEMPLATE_IPV6 : TEMPLATE_IPV4;
}

/**
 * Writes the uniflow record of one direction of `rec` at `off`; returns the offset after
 * it. `reverse` selects B->A.
 */
export function writeDataRecord(dv: DataView, off: number, rec: FlowRecord, reverse: boolean, ctx: RecordContext): number {
  return writeRecord(dv, off, templateFor(rec), rec, reverse, ctx);
}

/** icmpTypeCodeIPv4/IPv6 (type << 8 | code), the reply's type in a reverse record. */
function icmpTypeCode(type: number, code: number, reverse: boolean, v6: boolean): number {
  const t = reverse ? (v6 ? ICMP6_REPLY[type] : ICMP4_REPLY[type]) ?? type : type;
  return (t << 8) | code;
}

/** A field this encoder does not fill is sent as zeros. */
function zeroField(dv: DataView, off: number, length: number): void {
  for (let j = 0; j < length; j++) dv.setUint8(off + j, 0);
}
