// Names for descriptor bit sets, for messages, JSON output and tests.
import * as L from '../runtime/layout.js';

const ERROR_NAMES: Array<[number, string]> = [
  [L.E_TRUNC_L2, 'truncated_l2'], [L.E_TRUNC_L3, 'truncated_l3'], [L.E_TRUNC_L4, 'truncated_l4'],
  [L.E_BAD_IP_VERSION, 'bad_ip_version'], [L.E_BAD_IP_HDR_LEN, 'bad_ip_hdr_len'], [L.E_BAD_IP_LEN, 'bad_ip_len'],
  [L.E_BAD_TCP_OFF, 'bad_tcp_offset'], [L.E_BAD_UDP_LEN, 'bad_udp_len'], [L.E_BAD_IP_CKSUM, 'bad_ip_checksum'],
  [L.E_BAD_L4_CKSUM, 'bad_l4_checksum'], [L.E_UNKNOWN_LINK, 'unknown_linktype'], [L.E_BAD_EXT_HDR, 'bad_ext_header'],
  [L.E_BAD_OPTION, 'bad_option'], [L.E_SNAPLEN, 'snaplen'], [L.E_BAD_ARP, 'bad_arp'],
  [L.E_CAPLEN_OVER_WIRE, 'caplen_over_wire'],
];

const LAYER_NAMES: Array<[number, string]> = [
  [L.L_ETH, 'eth'], [L.L_SLL, 'sll'], [L.L_SLL2, 'sll2'], [L.L_NULL, 'null'], [L.L_VLAN, 'vlan'], [L.L_LLC, 'llc'],
  [L.L_ARP, 'arp'], [L.L_IP4, 'ip'], [L.L_IP6, 'ipv6'], [L.L_TCP, 'tcp'], [L.L_UDP, 'udp'], [L.L_ICMP, 'icmp'],
  [L.L_ICMP6, 'icmpv6'], [L.L_FRAG, 'frag'], [L.L_RAW, 'raw'], [L.L_SNAP, 'snap'], [L.L_STP, 'stp'],
];

/** Names of the E_* bits set in a descriptor's error word (PacketView.errors). */
export function errorNames(bits: number): string[] {
  return ERROR_NAMES.filter(([b]) => (bits & b) !== 0).map(([, n]) => n);
}

/** Names of the L_* bits set in a descriptor's layer word (PacketView.layers), e.g. ["eth", "ip", "tcp"]. */
export function layerNames(bits: number): string[] {
  return LAYER_NAMES.filter(([b]) => (bits & b) !== 0).map(([, n]) => n);
}
