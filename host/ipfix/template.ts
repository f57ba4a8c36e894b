// The templates of the flow records (IPv4 and IPv6, as uniflows or as RFC 5103 biflows)
// and their Template Set encoding (RFC 7011 §3.4.1). Field order is the data record
// order: data-record.ts writes the fields of a template in its order, whatever it is.
import { IE, REVERSE, type InformationElement } from './ie.js';

export const SET_ID_TEMPLATE = 2;
export const SET_ID_OPTIONS_TEMPLATE = 3;
export const TEMPLATE_ID_IPV4 = 256;
export const TEMPLATE_ID_IPV6 = 257;
export const TEMPLATE_ID_BIFLOW_IPV4 = 258;
export const TEMPLATE_ID_BIFLOW_IPV6 = 259;

export interface Template {
  readonly id: number;
  readonly fields: readonly InformationElement[];
  /** Options Templates: how many leading fields are scope fields (0 for data templates). */
  readonly scopeCount: number;
  /** Octets of one data record. */
  readonly recordLength: number;
}

export function template(id: number, fields: readonly InformationElement[], scopeCount = 0): Template {
  return { id, fields, scopeCount, recordLength: fields.reduce((n, f) => n + f.length, 0) };
}

const COMMON_TAIL: readonly InformationElement[] = [
  IE.sourceTransportPort, IE.destinationTransportPort, IE.protocolIdentifier, IE.tcpControlBits,
  IE.octetDeltaCount, IE.packetDeltaCount, IE.flowStartMilliseconds, IE.flowEndMilliseconds,
  IE.flowEndReason, IE.ingressInterface, IE.vlanId,
];

export const TEMPLATE_IPV4 = template(TEMPLATE_ID_IPV4, [
  IE.sourceIPv4Address, IE.destinationIPv4Address, ...COMMON_TAIL, IE.icmpTypeCodeIPv4,
]);

export const TEMPLATE_IPV6 = template(TEMPLATE_ID_IPV6, [
  IE.sourceIPv6Address, IE.destinationIPv6Address, ...COMMON_TAIL, IE.icmpTypeCodeIPv6,
]);

// Biflows: the forward fields as above (source = the side that sent the flow's first
// packet), plus the reverse direction's counters and flags. reverseTcpControlBits comes
// before tcpControlBits on purpose: nfdump 1.7 stores a reverse element it has no slot for
// into its forward slot, last one written wins, so this order keeps the forward flags
// there (the reverse counters it does map, to its "out" packets and bytes).
const BIFLOW_TAIL: readonly InformationElement[] = [
  IE.sourceTransportPort, IE.destinationTransportPort, IE.protocolIdentifier, REVERSE.tcpControlBits, IE.tcpControlBits,
  IE.octetDeltaCount, IE.packetDeltaCount, REVERSE.octetDeltaCount, REVERSE.packetDeltaCount,
  IE.flowStartMilliseconds, IE.flowEndMilliseconds, IE.flowEndReason, IE.ingressInterface, IE.vlanId,
];

export const TEMPLATE_BIFLOW_IPV4 = template(TEMPLATE_ID_BIFLOW_IPV4, [
  IE.sourceIPv4Address, IE.destinationIPv4Address, ...BIFLOW_TAIL, IE.icmpTypeCodeIPv4,
]);

export const TEMPLATE_BIFLOW_IPV6 = template(TEMPLATE_ID_BIFLOW_IPV6, [
  IE.sourceIPv6Address, IE.destinationIPv6Address, ...BIFLOW_TAIL, IE.icmpTypeCodeIPv6,
]);

export const TEMPLATES: readonly Template[] = [TEMPLATE_IPV4, TEMPLATE_IPV6];
export const BIFLOW_TEMPLATES: readonly Template[] = [TEMPLATE_BIFLOW_IPV4, TEMPLATE_BIFLOW_IPV6];

/** The data templates of an exporter. */
export function flowTemplates(biflow: boolean): readonly Template[] {
  return biflow ? BIFLOW_TEMPLATES : TEMPLATES;
}

/** Octets of one field specifier: 4, or 8 with an enterprise number. */
function specLength(f: InformationElement): number {
  return f.pen === 0 ? 4 : 8;
}

/** Bytes of a Template Set (or Options Template Set) holding `templates`. */
export function templateSetLength(templates: readonly Template[] = TEMPLATES): number {
  return 4 + templates.reduce((n, t) => n + (t.scopeCount > 0 ? 6 : 4) + t.fields.reduce((k, f) => k + specLength(f), 0), 0);
}

/**
 * Writes a Template Set at `off` (an Options Template Set when the templates have scope
 * fields: all of them must be of one kind); returns the offset after it.
 */
export function writeTemplateSet(dv: DataView, off: number, templates: readonly Template[] = TEMPLATES): number {
  const start = off;
  const options = templates.length > 0 && templates[0].scopeCount > 0;
  dv.setUint16(off, options ? SET_ID_OPTIONS_TEMPLATE : SET_ID_TEMPLATE);
  off += 4;
  for (const t of templates) {
    dv.setUint16(off, t.id);
    dv.setUint16(off + 2, t.fields.length);
    off += 4;
    if (options) {
      dv.setUint16(off, t.scopeCount);
      off += 2;
    }
    for (const f of t.fields) {
      dv.setUint16(off, f.pen === 0 ? f.id : f.id | 0x8000);
      dv.setUint16(off + 2, f.length);
      if (f.pen !== 0) dv.setUint32(off + 4, f.pen);
      off += specLength(f);
    }
  }
  dv.setUint16(start + 2, off - start);
  return off;
}

/**
 * A set withdrawing templates (RFC 7011 §8.1: a Template Record with Field Count 0), in a
 * Template Set or an Options Template Set as the templates were defined; returns the
 * offset after it.
 */
export function writeWithdrawalSet(dv: DataView, off: number, ids: readonly number[], options: boolean): number {
  dv.setUint16(off, options ? SET_ID_OPTIONS_TEMPLATE : SET_ID_TEMPLATE);
  dv.setUint16(off + 2, 4 + 4 * ids.length);
  let p = off + 4;
  for (const id of ids) {
    dv.setUint16(p, id);
    dv.setUint16(p + 2, 0);
    p += 4;
  }
  return p;
}
