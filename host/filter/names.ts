// Names the filter language resolves: the scanner's named numbers (tcp-syn, icmp-echo …),
// libpcap's built-in Ethernet protocol and LLC SAP tables, and the services/protocols
// databases. libpcap asks the C library (getservbyname, getprotobyname), which read
// /etc/services and /etc/protocols; we read the same files, so `port domain` means what it
// means to tcpdump on this machine. A small built-in table stands in where they are absent.
import { readFileSync } from 'node:fs';

/** Scanner rules that return NUM for a word (libpcap scanner.l). */
export const NAMED_NUMBERS: Record<string, number> = {
  icmptype: 0, icmpcode: 1,
  'icmp-echoreply': 0, 'icmp-unreach': 3, 'icmp-sourcequench': 4, 'icmp-redirect': 5, 'icmp-echo': 8,
  'icmp-routeradvert': 9, 'icmp-routersolicit': 10, 'icmp-timxceed': 11, 'icmp-paramprob': 12,
  'icmp-tstamp': 13, 'icmp-tstampreply': 14, 'icmp-ireq': 15, 'icmp-ireqreply': 16,
  'icmp-maskreq': 17, 'icmp-maskreply': 18,
  icmp6type: 0, icmp6code: 1,
  'icmp6-destinationunreach': 1, 'icmp6-packettoobig': 2, 'icmp6-timeexceeded': 3,
  'icmp6-parameterproblem': 4, 'icmp6-echo': 128, 'icmp6-echoreply': 129,
  'icmp6-multicastlistenerquery': 130, 'icmp6-multicastlistenerreportv1': 131,
  'icmp6-multicastlistenerdone': 132, 'icmp6-routersolicit': 133, 'icmp6-routeradvert': 134,
  'icmp6-neighborsolicit': 135, 'icmp6-neighboradvert': 136, 'icmp6-redirect': 137,
  'icmp6-routerrenum': 138, 'icmp6-nodeinformationquery': 139, 'icmp6-nodeinformationresponse': 140,
  'icmp6-ineighbordiscoverysolicit': 141, 'icmp6-ineighbordiscoveryadvert': 142,
  'icmp6-multicastlistenerreportv2': 143, 'icmp6-homeagentdiscoveryrequest': 144,
  'icmp6-homeagentdiscoveryreply': 145, 'icmp6-mobileprefixsolicit': 146,
  'icmp6-mobileprefixadvert': 147, 'icmp6-certpathsolicit': 148, 'icmp6-certpathadvert': 149,
  'icmp6-multicastrouteradvert': 151, 'icmp6-multicastroutersolicit': 152,
  'icmp6-multicastrouterterm': 153,
  tcpflags: 13, 'tcp-fin': 0x01, 'tcp-syn': 0x02, 'tcp-rst': 0x04, 'tcp-push': 0x08,
  'tcp-ack': 0x10, 'tcp-urg': 0x20, 'tcp-ece': 0x40, 'tcp-cwr': 0x80,
};

/** libpcap nametoaddr.c eproto_db: `ether proto \name`. */
export const ETHER_PROTO_NAMES: Record<string, number> = {
  pup: 0x0200, xns: 0x0600, ip: 0x0800, ip6: 0x86dd, arp: 0x0806, rarp: 0x8035, sprite: 0x0500,
  mopdl: 0x6001, moprc: 0x6002, decnet: 0x6003, lat: 0x6004, sca: 0x6007, lanbridge: 0x8038,
  vexp: 0x805b, vprod: 0x805c, atalk: 0x809b, atalkarp: 0x80f3, loopback: 0x9000,
  decdts: 0x803e, decdns: 0x803c,
};

/** libpcap nametoaddr.c llc_db. */
export const LLC_NAMES: Record<string, number> = { iso: 0xfe, stp: 0x42, ipx: 0xe0, netbeui: 0xf0 };

export const PROTO_UNDEF = -1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_SCTP = 132;

interface ServiceEntry { tcp?: number; udp?: number }

// Used only when /etc/services or /etc/protocols cannot be read.
const FALLBACK_SERVICES: Record<string, ServiceEntry> = {
  ftp: { tcp: 21 }, 'ftp-data': { tcp: 20 }, ssh: { tcp: 22 }, telnet: { tcp: 23 }, smtp: { tcp: 25 },
  domain: { tcp: 53, udp: 53 }, bootps: { udp: 67 }, bootpc: { udp: 68 }, tftp: { udp: 69 },
  http: { tcp: 80 }, www: { tcp: 80 }, pop3: { tcp: 110 }, ntp: { udp: 123 }, imap: { tcp: 143 },
  snmp: { tcp: 161, udp: 161 }, bgp: { tcp: 179 }, https: { tcp: 443, udp: 443 }, syslog: { udp: 514 },
};
const FALLBACK_PROTOCOLS: Record<string, number> = {
  ip: 0, icmp: 1, igmp: 2, ipencap: 4, tcp: 6, egp: 8, igp: 9, udp: 17, ipv6: 41, 'ipv6-route': 43,
  'ipv6-frag': 44, rsvp: 46, gre: 47, esp: 50, ah: 51, 'ipv6-icmp': 58, 'ipv6-nonxt': 59,
  'ipv6-opts': 60, ospf: 89, pim: 103, vrrp: 112, l2tp: 115, sctp: 132,
};

let services: Map<string, ServiceEntry> | null = null;
let protocols: Map<string, number> | null = null;

function readLines(path: string): string[] | null {
  try {
    return readFileSync(path, 'latin1').split('\n');
  } catch {
    return null;
  }
}

/** A netdb file (/etc/services, /etc/protocols) read into a map: `add` gets the words of
 *  each line with at least two (comments dropped); the fallback table when the file cannot
 *  be read. */
function loadNetdb<V>(path: string, fallback: Record<string, V>, add: (m: Map<string, V>, words: string[]) => void): Map<string, V> {
  const m = new Map<string, V>();
  const lines = readLines(path);
  if (lines === null) {
    for (const [k, v] of Object.entries(fallback)) m.set(k, v);
    return m;
  }
  for (const raw of lines) {
    const words = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (words.length >= 2) add(m, words);
  }
  return m;
}

function loadServices(): Map<string, ServiceEntry> {
  services ??= loadNetdb('/etc/services', FALLBACK_SERVICES, (m, words) => {
    const pp = /^(\d+)\/(tcp|udp)$/.exec(words[1]);
    if (pp === null) return;
    const port = Number(pp[1]);
    for (const name of [words[0], ...words.slice(2)]) {
      const e = m.get(name) ?? {};
      // getservbyname returns the first matching line, so the first entry wins.
      if (pp[2] === 'tcp' && e.tcp === undefined) e.tcp = port;
      if (pp[2] === 'udp' && e.udp === undefined) e.udp = port;
      m.set(name, e);
    }
  });
  return services;
}

function loadProtocols(): Map<string, number> {
  protocols ??= loadNetdb('/etc/protocols', FALLBACK_PROTOCOLS, (m, words) => {
    if (!/^\d+$/.test(words[1])) return;
    for (const name of [words[0], ...words.slice(2)]) if (!m.has(name)) m.set(name, Number(words[1]));
  });
  return protocols;
}

/** pcap_nametoport(): the port and which transport it belongs to (PROTO_UNDEF = both). */
export function nameToPort(name: string): { port: number; proto: number } | null {
  const e = loadServices().get(name);
  if (e === undefined) return null;
  if (e.tcp !== undefined) {
    return { port: e.tcp, proto: e.udp !== undefined && e.udp === e.tcp ? PROTO_UNDEF : IPPROTO_TCP };
  }
  if (e.udp !== undefined) return { port: e.udp, proto: IPPROTO_UDP };
  return null;
}

/** pcap_nametoportrange(): "N-M" (sscanf %d-%d) or "name-name". */
export function nameToPortRange(name: string): { lo: number; hi: number; proto: number } | null {
  const m = /^\s*([+-]?\d+)-\s*([+-]?\d+)/.exec(name);
  if (m !== null) return { lo: Number(m[1]), hi: Number(m[2]), proto: PROTO_UNDEF };
  const dash = name.indexOf('-');
  if (dash < 0) return null;
  const a = nameToPort(name.slice(0, dash));
  if (a === null) return null;
  const b = nameToPort(name.slice(dash + 1));
  if (b === null) return null;
  return { lo: a.port, hi: b.port, proto: a.proto === b.proto ? b.proto : PROTO_UNDEF };
}

/** pcap_nametoproto(): /etc/protocols name or alias. */
export function nameToProto(name: string): number | null {
  return loadProtocols().get(name) ?? null;
}
