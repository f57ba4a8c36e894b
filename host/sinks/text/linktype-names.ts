// Link-type names as libpcap spells them (pcap_datalink_val_to_name and
// pcap_datalink_val_to_description), for messages and tcpdump's "reading from file" line.
const NAMES: Record<number, [string, string]> = {
  0: ['NULL', 'BSD loopback'], 1: ['EN10MB', 'Ethernet'], 101: ['RAW', 'Raw IP'],
  105: ['IEEE802_11', '802.11'], 108: ['LOOP', 'OpenBSD loopback'], 113: ['LINUX_SLL', 'Linux cooked v1'],
  127: ['IEEE802_11_RADIO', '802.11 plus radiotap header'], 228: ['IPV4', 'Raw IPv4'], 229: ['IPV6', 'Raw IPv6'],
  271: ['VSOCK', 'Linux vsock'], 276: ['LINUX_SLL2', 'Linux cooked v2'],
};

/** "EN10MB (1)", or "link type 160" for one libpcap would print as a number. */
export function linktypeName(linktype: number): string {
  const n = NAMES[linktype];
  return n === undefined ? `link type ${linktype}` : `${n[0]} (${linktype})`;
}

/** tcpdump's banner form: "EN10MB (Ethernet)", or just the number when unknown. */
export function linktypeBanner(linktype: number): string {
  const n = NAMES[linktype];
  return n === undefined ? String(linktype) : `${n[0]} (${n[1]})`;
}
