// The two templates every message stream uses (one for IPv4 flows, one for IPv6), and
// their Template Set encoding (RFC 7011 §3.4.1). Field order is the data record order:
// the encoder in data-record.ts writes exactly these fields, at these offsets.
import { IE, type InformationElement } from './ie.js';

export const SET_ID_TEMPLATE = 2;
export const TEMPLATE_ID_IPV4 = 256;
export const TEMPLATE_ID_IPV6 = 257;

export interface Template {
  readonly id: number;
  readonly fields: readonly InformationElement[];
  /** Octets of one data record. */
  readonly recordLength: number;
}

function template(id: number, fields: readonly InformationElement[]): Template {
  return { id, fields, recordLength: fields.reduce((n, f) => n + f.length, 0) };
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

export const TEMPLATES: readonly Template[] = [TEMPLATE_IPV4, TEMPLATE_IPV6];

/** Bytes of a Template Set holding `templates`. */
export function templateSetLength(templates: readonly Template[] = TEMPLATES): number {
  return 4 + templates.reduce((n, t) => n + 4 + 4 * t.fields.length, 0);
}

/** Writes a Template Set at `off`; returns the offset after it. */
export function writeTemplateSet(dv: DataView, off: number, templates: readonly Template[] = TEMPLATES): number {
  const start = off;
  dv.setUint16(off, SET_ID_TEMPLATE);
  off += 4;
  for (const t of templates) {
    dv.setUint16(off, t.id);
    dv.setUint16(off + 2, t.fields.length);
    off += 4;
    for (const f of t.fields) {
      dv.setUint16(off, f.id); // enterprise bit clear: IANA elements only
      dv.setUint16(off + 2, f.length);
      off += 4;
    }
  }
  dv.setUint16(start + 2, off - start);
  return off;
}
