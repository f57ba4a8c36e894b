// The subset of the IANA IPFIX Information Element registry (RFC 7012, RFC 7125 for
// tcpControlBits) that flow records and the exporter's statistics records carry, and the
// reverse elements of biflows (RFC 5103). Ids and abstract types are the registry's;
// lengths are the ones we encode (reduced-size encoding, RFC 7011 §6.2, is not used:
// every field is sent at its registry length so any collector decodes it).

export interface InformationElement {
  readonly id: number;
  readonly name: string;
  /** Encoded length in octets. */
  readonly length: number;
  /** Private Enterprise Number; 0 for IANA elements (enterprise bit clear). */
  readonly pen: number;
}

function ie(id: number, name: string, length: number): InformationElement {
  return { id, name, length, pen: 0 };
}

/** RFC 5103 §6.1: the reverse of IANA element N is element N with this enterprise number. */
export const REVERSE_PEN = 29305;

/** The RFC 5103 reverse counterpart of an IANA element ("octetDeltaCount" -> "reverseOctetDeltaCount"). */
export function reverseOf(e: InformationElement): InformationElement {
  return { id: e.id, name: `reverse${e.name[0].toUpperCase()}${e.name.slice(1)}`, length: e.length, pen: REVERSE_PEN };
}

/** One number per element for switch statements and maps: PEN in the high bits. */
export function ieKey(id: number, pen: number): number {
  return pen === 0 ? id : pen * 0x10000 + id;
}

export const IE = {
  octetDeltaCount: ie(1, 'octetDeltaCount', 8),
  packetDeltaCount: ie(2, 'packetDeltaCount', 8),
  protocolIdentifier: ie(4, 'protocolIdentifier', 1),
  /** RFC 7125: unsigned16 (the 8 classic flags plus NS/ECE/CWR bits in the high byte). */
  tcpControlBits: ie(6, 'tcpControlBits', 2),
  sourceTransportPort: ie(7, 'sourceTransportPort', 2),
  sourceIPv4Address: ie(8, 'sourceIPv4Address', 4),
  ingressInterface: ie(10, 'ingressInterface', 4),
  destinationTransportPort: ie(11, 'destinationTransportPort', 2),
  destinationIPv4Address: ie(12, 'destinationIPv4Address', 4),
  sourceIPv6Address: ie(27, 'sourceIPv6Address', 16),
  destinationIPv6Address: ie(28, 'destinationIPv6Address', 16),
  /** type * 256 + code of ICMP (IPv4). */
  icmpTypeCodeIPv4: ie(32, 'icmpTypeCodeIPv4', 2),
  vlanId: ie(58, 'vlanId', 2),
  flowEndReason: ie(136, 'flowEndReason', 1),
  /** type * 256 + code of ICMPv6. */
  icmpTypeCodeIPv6: ie(139, 'icmpTypeCodeIPv6', 2),
  flowStartMilliseconds: ie(152, 'flowStartMilliseconds', 8),
  flowEndMilliseconds: ie(153, 'flowEndMilliseconds', 8),
  // Statistics of the metering and exporting processes (RFC 7011 §4.1, §4.3).
  exportedOctetTotalCount: ie(40, 'exportedOctetTotalCount', 8),
  exportedMessageTotalCount: ie(41, 'exportedMessageTotalCount', 8),
  exportedFlowRecordTotalCount: ie(42, 'exportedFlowRecordTotalCount', 8),
  exportingProcessId: ie(144, 'exportingProcessId', 4),
  observationDomainId: ie(149, 'observationDomainId', 4),
  notSentFlowTotalCount: ie(166, 'notSentFlowTotalCount', 8),
  notSentPacketTotalCount: ie(167, 'notSentPacketTotalCount', 8),
  notSentOctetTotalCount: ie(168, 'notSentOctetTotalCount', 8),
  observationTimeMilliseconds: ie(323, 'observationTimeMilliseconds', 8),
} as const satisfies Record<string, InformationElement>;

export type IeName = keyof typeof IE;

/** The reverse elements a biflow record carries (RFC 5103 §6.1). */
export const REVERSE = {
  octetDeltaCount: reverseOf(IE.octetDeltaCount),
  packetDeltaCount: reverseOf(IE.packetDeltaCount),
  tcpControlBits: reverseOf(IE.tcpControlBits),
} as const satisfies Record<string, InformationElement>;

/** flowEndReason values (IANA "flowEndReason" subregistry). */
export const FLOW_END_IDLE = 1;
export const FLOW_END_ACTIVE = 2;
export const FLOW_END_OF_FLOW = 3;
export const FLOW_END_FORCED = 4;
export const FLOW_END_LACK_OF_RESOURCES = 5;
