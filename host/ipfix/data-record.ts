// FlowRecord -> IPFIX data records. The flow table keeps one bidirectional record per
// flow (A sent the first packet). By default each direction that carried packets becomes
// one uniflow record (A->B with A as source, B->A with B as source), which is what
// nfdump and softflowd speak. With biflows (RFC 5103) the flow is one record: A->B as
// the forward direction, B->A in the reverse elements. Both directions share the flow's
// first/last times (the table keeps them per flow, as softflowd does).
//
// The writer walks the template's fields, so a template and its records cannot disagree.
import type { FlowDirection, FlowRecord } from '../flows/flow-table.js';
import { parseIPv4, parseIPv6 } from '../runtime/addr.js';
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
      case K.icmp4: case K.icmp6: {
        let tc = 0;
        if (icmp) {
          let type = rec.icmpType ?? 0;
          if (reverse) type = (v6 ? ICMP6_REPLY[type] : ICMP4_REPLY[type]) ?? type;
          tc = (type << 8) | (rec.icmpCode ?? 0);
        }
        dv.setUint16(off, tc);
        break;
      }
      default:
        for (let j = 0; j < t.fields[i].length; j++) dv.setUint8(off + j, 0);
    }
    off += t.fields[i].length;
  }
  return off;
}

/**
 * Writes the uniflow record of one direction of `rec` at `off`; returns the offset after
 * it. `reverse` selects B->A.
 */
export function writeDataRecord(dv: DataView, off: number, rec: FlowRecord, reverse: boolean, ctx: RecordContext): number {
  return writeRecord(dv, off, templateFor(rec), rec, reverse, ctx);
}
