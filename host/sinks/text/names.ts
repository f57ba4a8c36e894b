// Names tcpdump prints for numbers (its tok2str tables), limited to what the text
// formatter prints itself.

const ETHERTYPES: Record<number, string> = {
  0x0800: 'IPv4', 0x86dd: 'IPv6', 0x0806: 'ARP', 0x8035: 'Reverse ARP', 0x8100: '802.1Q',
  0x88a8: '802.1Q-QinQ', 0x9100: '802.1Q-9100', 0x9200: '802.1Q-9200', 0x88cc: 'LLDP',
  0x8847: 'MPLS unicast', 0x8848: 'MPLS multicast', 0x8863: 'PPPoE D', 0x8864: 'PPPoE S',
  0x9000: 'Loopback', 0x888e: 'EAPOL', 0x8809: 'Slow Protocols', 0x88f7: 'PTP', 0x88e5: 'MACsec',
  0x8137: 'IPX', 0x809b: 'Appletalk', 0x80f3: 'Appletalk ARP', 0x6003: 'DECNET', 0x88bb: 'Slow Protocols',
  0x893a: 'IEEE1905.1', 0x88b8: 'GOOSE', 0x8902: 'CFM', 0x88be: 'ERSPAN', 0x22eb: 'ERSPAN III',
  0x0842: 'Wake-on-LAN', 0x8906: 'FCoE', 0x8914: 'FIP', 0x880b: 'PPP', 0x8808: 'MAC control',
  0x6558: 'TEB', 0x88e7: 'PBB', 0x8870: 'Jumbo',
  // The rest of tcpdump 4.99's ethertype_values (print-ether.c).
  0x0200: 'PUP', 0x0600: 'NS', 0x0500: 'Sprite', 0x1000: 'Trail', 0x6001: 'MOP DL', 0x6002: 'MOP RC',
  0x6004: 'LAT', 0x6007: 'SCA', 0x8038: 'Lanbridge', 0x803c: 'DEC DNS', 0x803e: 'DEC DTS', 0x805b:
  'VEXP', 0x805c: 'VPROD', 0x8899: 'Realtek protocols', 0x886f: 'MS NLB heartbeat', 0x894f: 'NSH',
  0xfefe: 'OSI', 0x00fe: 'GRE-OSI', 0xabcd: 'CFM (old)', 0x88ca: 'TIPC', 0x0707: 'GeoNet (old)',
  0x8947: 'GeoNet', 0x1111: 'CALM FAST', 0x88a2: 'AoE', 0xd28b: 'Arista Vendor Specific Protocol',
};

export function ethertypeName(t: number): string | undefined {
  return ETHERTYPES[t];
}

const IPPROTOS: Record<number, string> = {
  0: 'Options', 1: 'ICMP', 2: 'IGMP', 4: 'IPIP', 6: 'TCP', 8: 'EGP', 9: 'IGRP', 17: 'UDP',
  33: 'DCCP', 41: 'IPv6', 43: 'Routing', 44: 'Fragment', 46: 'RSVP', 47: 'GRE', 50: 'ESP', 51: 'AH',
  55: 'Mobile IP', 58: 'ICMPv6', 62: 'Mobile IP (old)', 88: 'EIGRP', 89: 'OSPF', 103: 'PIM',
  108: 'Compressed IP', 112: 'VRRP', 113: 'PGM', 132: 'SCTP', 135: 'Mobility',
};

export function ipprotoName(p: number): string {
  return IPPROTOS[p] ?? 'unknown';
}

/** tcp_option_values */
const TCP_OPTIONS: Record<number, string> = {
  0: 'eol', 1: 'nop', 2: 'mss', 3: 'wscale', 4: 'sackOK', 5: 'sack', 6: 'echo', 7: 'echoreply',
  8: 'TS', 11: 'cc', 12: 'ccnew', 13: 'ccecho', 19: 'md5', 20: 'scps', 27: 'qs', 28: 'uto',
  29: 'tcp-ao', 30: 'mptcp', 34: 'tfo', 253: 'exp', 254: 'exp',
};

export function tcpOptionName(k: number): string | undefined {
  return TCP_OPTIONS[k];
}

/** Linux SLL packet types, as tcpdump prints them. */
export const SLL_PKTTYPES = ['In', 'B', 'M', 'P', 'Out'];

/** BSD address families of DLT_NULL/DLT_LOOP headers. */
export function bsdAfName(af: number): string {
  switch (af) {
    case 2: return 'IPv4';
    case 24: case 28: case 30: return 'IPv6';
    case 7: return 'OSI';
    case 16: return 'Appletalk';
    case 23: return 'IPX';
    default: return 'Unknown';
  }
}

/** Ports whose TCP payload tcpdump hands to an application printer (print-tcp.c). */
export function tcpAppPort(p: number): boolean {
  switch (p) {
    case 21: case 22: case 23: case 25: case 43: case 53: case 80: case 139: case 179: case 323:
    case 445: case 554: case 639: case 646: case 1723: case 2049: case 3128: case 6379:
    case 6633: case 6653: case 8080: case 8554: case 10288:
      return true;
    default:
      return false;
  }
}

/** tcpdump's bittok2str(): the names of the bits set in v, in the table's order, joined by
 *  ", "; `none` when no bit is set. */
export function bitNames(v: number, names: ReadonlyArray<readonly [number, string]>, none = 'none'): string {
  const set = names.filter(([bit]) => (v & bit) !== 0).map(([, n]) => n);
  return set.length === 0 ? none : set.join(', ');
}
