// The exporter's own statistics, as Options Template Records and their data (RFC 7011 §4):
//
//   260 "Metering Process Statistics" (§4.1): scope observationDomainId (the flow
//       records' domain); exportedOctetTotalCount, exportedMessageTotalCount,
//       exportedFlowRecordTotalCount: what was handed to the transport before this
//       message (the RFC excludes the message carrying the counters).
//   261 "Exporting Process Reliability Statistics" (§4.3): scope exportingProcessId;
//       notSentFlowTotalCount, notSentPacketTotalCount, notSentOctetTotalCount (records
//       dropped by a full queue or lost by the transport, and the packets and octets
//       they accounted for), then the times of the first and of the last loss as two
//       observationTimeMilliseconds (both 0 while nothing was lost).
//
// Both records go in one message, by default in Observation Domain 0 (RFC 7011 §3.1: "the
// Observation Domain ID SHOULD be 0 when ... exporting the Exporting Process Statistics"),
// which keeps them out of the flow records' sequence numbers unless the flows use domain
// 0 too. They are Data Records: they count in their domain's sequence (§3.1), as tshark's
// sequence check counts them. nfcapd 1.7.1 counts only the records it decodes, so when the
// flows are in domain 0 as well it reports one sequence failure per statistics message
// followed by flow data (the periodic ones; the final one is followed by nothing).
// nfdump lists domain 0 as an exporter with "no flows sent"; it ignores the records.
import { IE } from './ie.js';
import { HEADER_LENGTH, exportTimeNow, writeHeader } from './message.js';
import {
  S_DROPPED_FIRST_MS, S_DROPPED_LAST_MS, S_DROPPED_OCTS, S_DROPPED_PKTS, S_DROPPED_RECS, S_EXPORTED_BYTES, S_LOST_FIRST_MS,
  S_LOST_LAST_MS, S_LOST_OCTS, S_LOST_PKTS, S_LOST_RECS, S_OPTION_MSGS, S_SENT_MSGS, S_SENT_RECS, S_TEMPLATE_MSGS, S_WITHDRAWAL_MSGS,
} from './message-queue.js';
import { setU64 } from './data-record.js';
import { template, templateSetLength, writeTemplateSet, type Template } from './template.js';

export const TEMPLATE_ID_METERING_STATISTICS = 260;
export const TEMPLATE_ID_EXPORTING_RELIABILITY = 261;

export const METERING_STATISTICS = template(TEMPLATE_ID_METERING_STATISTICS, [
  IE.observationDomainId, IE.exportedOctetTotalCount, IE.exportedMessageTotalCount, IE.exportedFlowRecordTotalCount,
], 1);

export const EXPORTING_RELIABILITY = template(TEMPLATE_ID_EXPORTING_RELIABILITY, [
  IE.exportingProcessId, IE.notSentFlowTotalCount, IE.notSentPacketTotalCount, IE.notSentOctetTotalCount,
  IE.observationTimeMilliseconds, IE.observationTimeMilliseconds,
], 1);

export const STATISTICS_TEMPLATES: readonly Template[] = [METERING_STATISTICS, EXPORTING_RELIABILITY];
/** Data records one statistics message carries (and adds to its domain's sequence). */
export const STATISTICS_RECORDS = 2;

export interface ExportCounters {
  exportedOctets: number;
  exportedMessages: number;
  exportedFlowRecords: number;
  notSentFlows: number;
  notSentPackets: number;
  notSentOctets: number;
  /** Milliseconds since the epoch; 0 when nothing was lost. */
  firstLossMs: number;
  lastLossMs: number;
}

/** The counters as the queue's shared statistics hold them now. */
export function countersFrom(st: Float64Array): ExportCounters {
  const firsts = [st[S_LOST_FIRST_MS], st[S_DROPPED_FIRST_MS]].filter((t) => t > 0);
  return {
    exportedOctets: st[S_EXPORTED_BYTES],
    exportedMessages: st[S_SENT_MSGS] + st[S_TEMPLATE_MSGS] + st[S_OPTION_MSGS] + st[S_WITHDRAWAL_MSGS],
    exportedFlowRecords: st[S_SENT_RECS],
    notSentFlows: st[S_LOST_RECS] + st[S_DROPPED_RECS],
    notSentPackets: st[S_LOST_PKTS] + st[S_DROPPED_PKTS],
    notSentOctets: st[S_LOST_OCTS] + st[S_DROPPED_OCTS],
    firstLossMs: firsts.length > 0 ? Math.min(...firsts) : 0,
    lastLossMs: Math.max(st[S_LOST_LAST_MS], st[S_DROPPED_LAST_MS]),
  };
}

export interface StatisticsMessageOptions {
  sequence: number;
  /** The message's Observation Domain. */
  domain: number;
  /** The flow records' domain (the metering statistics' scope). */
  flowDomain: number;
  exportingProcessId: number;
  /** Include the Options Template Set (always over UDP; once per session over TCP). */
  withTemplates: boolean;
  exportTime?: number;
}

export function statisticsMessage(o: StatisticsMessageOptions, c: ExportCounters): Uint8Array {
  const len = HEADER_LENGTH + (o.withTemplates ? templateSetLength(STATISTICS_TEMPLATES) : 0)
    + 4 + METERING_STATISTICS.recordLength + 4 + EXPORTING_RELIABILITY.recordLength;
  const out = new Uint8Array(len);
  const dv = new DataView(out.buffer);
  writeHeader(dv, 0, len, o.exportTime ?? exportTimeNow(), o.sequence, o.domain);
  let off = HEADER_LENGTH;
  if (o.withTemplates) off = writeTemplateSet(dv, off, STATISTICS_TEMPLATES);
  off = writeOptionsSet(dv, off, METERING_STATISTICS, o.flowDomain, [c.exportedOctets, c.exportedMessages, c.exportedFlowRecords]);
  writeOptionsSet(dv, off, EXPORTING_RELIABILITY, o.exportingProcessId,
    [c.notSentFlows, c.notSentPackets, c.notSentOctets, c.firstLossMs, c.lastLossMs]);
  return out;
}

/** A Data Set of one record of options template t: its u32 scope, then u64 values. Returns
 *  the offset after it. */
function writeOptionsSet(dv: DataView, off: number, t: Template, scope: number, values: readonly number[]): number {
  dv.setUint16(off, t.id);
  dv.setUint16(off + 2, 4 + t.recordLength);
  dv.setUint32(off + 4, scope >>> 0);
  values.forEach((v, i) => setU64(dv, off + 8 + i * 8, v));
  return off + 4 + t.recordLength;
}
