// Link-type names as libpcap spells them (pcap_datalink_val_to_name), for messages.
const NAMES: Record<number, string> = {
  0: 'NULL', 1: 'EN10MB', 101: 'RAW', 105: 'IEEE802_11', 108: 'LOOP', 113: 'LINUX_SLL',
  127: 'IEEE802_11_RADIO', 228: 'IPV4', 229: 'IPV6', 271: 'VSOCK', 276: 'LINUX_SLL2',
};

/** "EN10MB (1)", or "link type 160" for one libpcap would print as a number. */
export function linktypeName(linktype: number): string {
  const n = NAMES[linktype];
  return n === undefined ? `link type ${linktype}` : `${n} (${linktype})`;
}
