// Link-layer facts the code generator needs, per LINKTYPE_* value: where libpcap's
// gencode.c finds the protocol type field (off_linktype) and the network layer
// (off_linkpl), and the name libpcap uses in its error messages.
import {
  LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP, LINKTYPE_NULL, LINKTYPE_RAW, LINKTYPE_PPP, LINKTYPE_PPP_HDLC,
} from '../runtime/layout.js';

export type LinkKind = 'ether' | 'sll' | 'sll2' | 'null' | 'loop' | 'raw' | 'ipv4' | 'ipv6' | 'ppp' | 'other';

export interface LinkInfo {
  linktype: number;
  kind: LinkKind;
  /** Offset of the protocol type field, or -1 when the link has none. */
  offLinktype: number;
  /** Offset of the network-layer header, or -1 when unknown. */
  offLinkpl: number;
  /** pcap_datalink_val_to_description() text, for error messages. */
  description: string;
}

const TABLE: LinkInfo[] = [
  { linktype: LINKTYPE_ETHERNET, kind: 'ether', offLinktype: 12, offLinkpl: 14, description: 'Ethernet' },
  { linktype: LINKTYPE_LINUX_SLL, kind: 'sll', offLinktype: 14, offLinkpl: 16, description: 'Linux cooked v1' },
  { linktype: LINKTYPE_LINUX_SLL2, kind: 'sll2', offLinktype: 0, offLinkpl: 20, description: 'Linux cooked v2' },
  { linktype: LINKTYPE_NULL, kind: 'null', offLinktype: 0, offLinkpl: 4, description: 'BSD loopback' },
  { linktype: LINKTYPE_LOOP, kind: 'loop', offLinktype: 0, offLinkpl: 4, description: 'OpenBSD loopback' },
  { linktype: LINKTYPE_RAW, kind: 'raw', offLinktype: -1, offLinkpl: 0, description: 'Raw IP' },
  { linktype: LINKTYPE_IPV4, kind: 'ipv4', offLinktype: -1, offLinkpl: 0, description: 'Raw IPv4' },
  { linktype: LINKTYPE_IPV6, kind: 'ipv6', offLinktype: -1, offLinkpl: 0, description: 'Raw IPv6' },
  // PPP: address, control, then the protocol field (libpcap takes it uncompressed).
  { linktype: LINKTYPE_PPP, kind: 'ppp', offLinktype: 2, offLinkpl: 4, description: 'PPP' },
  { linktype: LINKTYPE_PPP_HDLC, kind: 'ppp', offLinktype: 2, offLinkpl: 4, description: 'PPP over serial' },
];

export function linkInfo(linktype: number): LinkInfo {
  const hit = TABLE.find((l) => l.linktype === linktype);
  if (hit !== undefined) return hit;
  return { linktype, kind: 'other', offLinktype: -1, offLinkpl: -1, description: `DLT ${linktype}` };
}

/** Link types whose network-layer filtering this compiler implements. */
export const SUPPORTED_LINKTYPES: readonly number[] = TABLE.map((l) => l.linktype);
