// Packets whose text knowingly differs from tcpdump's before its application layer:
// product gaps, each with the issue that owns it. The list is exact: a listed packet that
// no longer differs (or differs elsewhere) fails the test as stale, so fixing a gap forces
// its entry out; a difference not listed fails as new. Counted and printed per owner.
//
// Owners: #15 "Complete L2–L4 ... and never a broken line" (link types, 802.3/LLC, tunnels,
// IPv4 options and IPv6 extension headers, ICMPv6 types, ICMP fallback forms, TCP options);
// #16 "Application-layer decoding" (IGMP, OSPF and ICMP errors with their quoted datagram
// are named there).
import type { CaptureComparison, PacketDiff } from './text-output-lib.js';

export interface KnownGap {
  owner: '#15' | '#16';
  why: string;
  /** The capture: its path inside the corpus, or generated/<name> for the generated ones. */
  file: string;
  /** The option sets (tcpdump's arguments joined by spaces) it applies to; all if absent. */
  when?: RegExp;
  /** Packet numbers ("1-3,7"); for the seeded generated captures (thousands of packets)
   *  the exact number of packets instead. */
  frames: string | number;
  /** Our text and tcpdump's from the word where they part (PacketDiff.at). */
  ours: RegExp;
  tcpdump: RegExp;
}

const NOT_V = /^(?!.*-v)/;
const V = /-v/;
const NOT_E = /^(?!.*-e)/;
const E = /-e/;
const NOT_Q = /^(?!.*-q)/;
const ICMP6_V = /^\[icmp6 sum ok\] ICMP6, /;

// tcpdump's names for the ICMP types we print only as "ICMP " (print-icmp.c), and the
// error types, whose quoted datagram issue #16 asks for.
const ICMP_NAMED = /^(?:type-#\d+, |time stamp (?:query|reply) id |address mask (?:request|is 0x)|information (?:request|reply), |router (?:advertisement|solicitation))/;
const ICMP_ERROR = /^(?:source quench, |parameter problem - |net [\d.]+ unreachable, |redirect [\d.]+ to )/;
const IP_OPTIONS_OURS = /^\(\)(?:\)|, bad cksum )/;
const IP_OPTIONS_TCPDUMP = /^\((?!\))[^\n]*\)/;

export const KNOWN_GAPS: KnownGap[] = [
  // Link layer (#15: link types, 802.3/LLC/SNAP with STP, whole lines).
  { owner: '#15', why: 'VSOCK link type (DLT 271) dumped as UNSUPPORTED; tcpdump decodes it', file: 'vsock-1.pcapng', frames: '1-10',
    ours: /^UNSUPPORTED\n\t0x0000: /, tcpdump: /^VIRTIO / },
  { owner: '#15', why: '802.3/LLC frames (STP and PVST BPDUs, DTP, CDP): the line stops after the timestamp', file: 'various_gre.pcap', when: NOT_E,
    frames: '2-10,13-15,18-20,22-24,35-40,43-45,48,50-51,53-62,66,68-69,72,74-75,77-86,89-91,94-96,98-100',
    ours: /^$/, tcpdump: /^(?:STP 802\.1d, |DTPv1, |CDPv2, )/ },
  { owner: '#15', why: '802.3/LLC frames with -e: the line stops after the MAC addresses (or the VLAN tag)', file: 'various_gre.pcap', when: E,
    frames: '2-10,13-15,18-20,22-24,35-40,43-45,48,50-51,53-62,66,68-69,72,74-75,77-86,89-91,94-96,98-100',
    ours: /^$/, tcpdump: /^802\.3(?:, length \d+: )?LLC, dsap (?:STP|SNAP) / },
  { owner: '#15', why: 'Ethernet loopback (ethertype 0x9000, ECTP) printed by its ethertype only', file: 'various_gre.pcap', frames: '1,21,52,76,97',
    ours: /^(?:aa:bb:cc:00:02:00 > aa:bb:cc:00:02:00, ethertype Loopback \(0x9000\), length 64: )?$/, tcpdump: /^Loopback, skipCount 0, / },
  { owner: '#15', why: 'ARP of an unknown hardware type: -v prints the operation, we stop after the lengths', file: 'getname_2_read4_asan.pcap', when: V, frames: '1',
    ours: /^length 65556$/, tcpdump: /^Reverse Reply <empty> at <wrong proto type>, length 65556$/ },

  // Tunnels (#15: GRE, ERSPAN, PPTP, NHRP print their header and the inner packet).
  { owner: '#15', why: 'GRE (ERSPAN type II) printed as ip-proto-47', file: 'erspan-type-ii-3.pcap', frames: '1-108', ours: /^ip-proto-47 \d+$/, tcpdump: /^GREv0, / },
  { owner: '#15', why: 'GRE (ERSPAN type III) after a destination-options header printed as ip-proto-47', file: 'erspan-type-iii-pb-1.pcap', when: NOT_V, frames: '1',
    ours: /^ip-proto-47 272$/, tcpdump: /^GREv0, / },
  { owner: '#15', why: 'IPv6 destination options (padn, opt_type) not printed with -v', file: 'erspan-type-iii-pb-1.pcap', when: V, frames: '1',
    ours: /^ip-proto-47 272$/, tcpdump: /^\(padn\)\(pad1\)\(padn\)\(opt_type / },
  { owner: '#15', why: 'GRE (NHRP inside) printed as ip-proto-47', file: 'nhrp.pcapng', frames: '1-25', ours: /^ip-proto-47 \d+$/, tcpdump: /^GREv0, / },
  { owner: '#15', why: 'GRE (PPTP, PPP inside) printed as ip-proto-47', file: 'pptp.pcap', frames: '16', ours: /^ip-proto-47 60$/, tcpdump: /^GREv1, / },
  { owner: '#15', why: 'GRE (keyed, several payloads) printed as ip-proto-47', file: 'various_gre.pcap',
    frames: '11-12,16-17,25-34,41-42,46-47,49,63-65,67,70-71,73,87-88,92-93', ours: /^ip-proto-47 \d+$/, tcpdump: /^GREv0, / },

  // IPv4 options and IPv6 extension headers (#15).
  { owner: '#15', why: 'IPv4 option Router Alert printed as "options ()" with -v', file: 'IGMP_V2.pcap', when: V, frames: '2-5,7-10,12-14,16-18',
    ours: /^\(\)\)\n {4}/, tcpdump: /^\(RA\)\)\n {4}/ },
  { owner: '#15', why: 'IPv4 timestamp option printed as "options ()" with -v', file: 'ip_ts_opts_asan.pcap', when: V, frames: '1',
    ours: IP_OPTIONS_OURS, tcpdump: /^\(timestamp TS\{/ },
  { owner: '#15', why: 'IPv6 routing header: the line stops after the addresses', file: 'ipv6-routing-header.pcap', frames: '1-4', ours: /^$/, tcpdump: /^RT6 \(len=\d+, type=0 / },
  { owner: '#15', why: 'IPv6 routing header: the line stops after the addresses', file: 'ipv6-rthdr-oobr.pcap', frames: '1', ours: /^$/, tcpdump: /^RT6 \(len=48, type=0 / },
  { owner: '#15', why: 'IPv6 segment routing header: the line stops after the addresses', file: 'ipv6-srh-ext-header.pcap', frames: '1', ours: /^$/, tcpdump: /^RT6 \(len=4, type=4, / },
  { owner: '#15', why: 'IPv6 hop-by-hop options (router alert, padn) not printed with -v', file: 'icmpv6.pcap', when: V, frames: '2-5', ours: /^$/, tcpdump: /^\(rtalert: 0x0000\) \(padn\) / },
  { owner: '#15', why: 'IPv6 hop-by-hop options (router alert, padn) not printed with -v', file: 'babel.pcap', when: V, frames: '25', ours: /^$/, tcpdump: /^\(rtalert: 0x0000\) \(padn\) / },
  { owner: '#15', why: 'IPv6 hop-by-hop jumbo option not printed with -v', file: 'ipv6_jumbogram_1.pcap', when: V, frames: '1', ours: /^$/, tcpdump: /^\(jumbo: \d+\) / },

  // ICMPv6 (#15: "ICMPv6 types we do not name end in ICMP6, "; with -v every ICMPv6 line ends after the addresses).
  { owner: '#15', why: 'ICMPv6 multicast listener report v2 / query v2 not named', file: 'icmpv6.pcap', when: NOT_V, frames: '2-5', ours: /^$/, tcpdump: /^multicast listener (?:report|query) v2/ },
  { owner: '#15', why: 'ICMPv6 multicast listener report v2 not named', file: 'babel.pcap', when: NOT_V, frames: '25', ours: /^$/, tcpdump: /^multicast listener report v2/ },
  { owner: '#15', why: 'ICMPv6 router renumbering not named', file: 'icmpv6-RFC2894-RR.pcap', when: NOT_V, frames: '1-6', ours: /^$/, tcpdump: /^router renumbering, / },
  { owner: '#15', why: 'ICMPv6 parameter problem not named', file: 'icmpv6-rfc7112.pcap', when: NOT_V, frames: '1', ours: /^$/, tcpdump: /^parameter problem, / },
  { owner: '#15', why: 'ICMPv6 with -v: the line stops after the addresses', file: 'icmpv6-RFC2894-RR.pcap', when: V, frames: '1-6', ours: /^$/, tcpdump: ICMP6_V },
  { owner: '#15', why: 'ICMPv6 with -v: the line stops after the addresses', file: 'icmpv6-rfc7112.pcap', when: V, frames: '1', ours: /^$/, tcpdump: ICMP6_V },
  { owner: '#15', why: 'ICMPv6 with -v: the line stops after the addresses', file: 'icmpv6-ns-nonce.pcap', when: V, frames: '1', ours: /^$/, tcpdump: ICMP6_V },
  { owner: '#15', why: 'ICMPv6 with -v: the line stops after the addresses', file: 'icmpv6-ra-pref64.pcap', when: V, frames: '1-4', ours: /^$/, tcpdump: ICMP6_V },
  { owner: '#15', why: 'ICMPv6 with -v: the line stops after the addresses', file: 'icmpv6.pcap', when: V, frames: '1', ours: /^$/, tcpdump: ICMP6_V },

  // TCP options (#15).
  { owner: '#15', why: 'MPTCP option: tcpdump prints its subtype (dss, bad length); we print "mptcp," and stop', file: 'mptcp-dss-oobr.pcap', when: NOT_Q, frames: '1',
    ours: /^0,mptcp, \[\|tcp\]$/, tcpdump: /^0,mptcp 3 dss\[bad opt\]\]$/ },

  // IGMP, OSPF, ICMP errors (#16).
  { owner: '#16', why: 'IGMP printed as ip-proto-2', file: 'IGMP_V2.pcap', when: NOT_V, frames: '1-18', ours: /^ip-proto-2 8$/, tcpdump: /^igmp\b/ },
  { owner: '#16', why: 'IGMP printed as ip-proto-2', file: 'IGMP_V2.pcap', when: V, frames: '1,6,11,15', ours: /^ip-proto-2 8$/, tcpdump: /^igmp query v[23]/ },
  { owner: '#16', why: 'OSPF printed as ip-proto-89', file: 'OSPFv2_Capture_FINAL.pcapng', frames: '1-30', ours: /^ip-proto-89 \d+$/, tcpdump: /^OSPFv2, / },
  { owner: '#16', why: 'ICMP port unreachable: tcpdump prints the quoted datagram, we stop at "ICMP "', file: 'icmp-cksum-oobr-1.pcap', frames: '1',
    ours: /^$/, tcpdump: /^62\.220\.31\.247 udp port 1027 unreachable, / },

  // The generated captures (bench/lib/gen-capture.ts, seed 7): its address/port variation
  // writes random bytes where an ICMP type and IPv4 option bytes are, so every ICMP type
  // and many IPv4 options occur; IPv6 samples carry hop-by-hop and destination options.
  { owner: '#15', why: 'ICMP types other than echo and time exceeded: tcpdump names them or prints "type-#N"', file: 'generated/small.pcap',
    frames: 1944, ours: /^$/, tcpdump: ICMP_NAMED },
  { owner: '#15', why: 'ICMP of an unprinted type cut short: tcpdump prints only [|icmp], we print "ICMP "', file: 'generated/small.pcap',
    frames: 15, ours: /^ICMP $/, tcpdump: /^ \[\|icmp\]$/ },
  { owner: '#16', why: 'ICMP errors (source quench, parameter problem, unreachable, redirect) stop at "ICMP "', file: 'generated/small.pcap',
    frames: 13, ours: /^$/, tcpdump: ICMP_ERROR },
  { owner: '#15', why: 'ICMP types other than echo and time exceeded: tcpdump names them or prints "type-#N"', file: 'generated/mix.pcap',
    frames: 1940, ours: /^$/, tcpdump: ICMP_NAMED },
  { owner: '#16', why: 'ICMP errors (source quench, parameter problem, unreachable, redirect) stop at "ICMP "', file: 'generated/mix.pcap',
    frames: 26, ours: /^$/, tcpdump: ICMP_ERROR },
  { owner: '#16', why: 'ICMP time exceeded with -v: tcpdump prints the quoted datagram on the next line', file: 'generated/mix.pcap', when: V,
    frames: 7, ours: /^\(->[0-9a-f]+\)!\)$/, tcpdump: /^\(->[0-9a-f]+\)!\)\n\tIP0 \(invalid\)$/ },
  { owner: '#15', why: 'IPv4 options printed as "options ()" with -v', file: 'generated/small.pcap', when: V, frames: 1927, ours: IP_OPTIONS_OURS, tcpdump: IP_OPTIONS_TCPDUMP },
  { owner: '#15', why: 'IPv4 options printed as "options ()" with -v', file: 'generated/mix.pcap', when: V, frames: 1991, ours: IP_OPTIONS_OURS, tcpdump: IP_OPTIONS_TCPDUMP },
  { owner: '#15', why: 'ICMPv6 with -v: the line stops after the addresses', file: 'generated/small.pcap', when: V, frames: 1964, ours: /^$/, tcpdump: /^ICMP6, / },
  { owner: '#15', why: 'ICMPv6 with -v: the line stops after the addresses', file: 'generated/mix.pcap', when: V, frames: 1965, ours: /^$/, tcpdump: /^(?:\[icmp6 sum ok\] )?ICMP6, / },
  { owner: '#15', why: 'IPv6 hop-by-hop / destination options (padn) not printed with -v', file: 'generated/mix.pcap', when: V, frames: 2044,
    ours: /^(?: \[\|dstopt\]|DSTOPT frag )/, tcpdump: /^\(padn\) / },
];

/** "1-3,7" as [1, 2, 3, 7]. */
export function parseFrames(s: string): number[] {
  const out: number[] = [];
  for (const part of s.split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let i = a; i <= (b ?? a); i++) out.push(i);
  }
  return out;
}

export interface GapReport {
  /** Packets explained by the list, per owner and per reason. */
  byOwner: Map<string, number>;
  byReason: Map<string, number>;
  /** Differences the list does not explain. */
  unexplained: PacketDiff[];
  /** Listed packets that no longer differ as listed. */
  stale: string[];
}

function matches(g: KnownGap, d: PacketDiff): boolean {
  if (g.file !== d.file) return false;
  if (typeof g.frames === 'string' && !parseFrames(g.frames).includes(d.frame)) return false;
  return g.ours.test(d.ours.slice(d.at)) && g.tcpdump.test(d.tcpdump.slice(d.at));
}

/** Applies the list to one option set's comparisons (only entries for these captures and
 *  this option set take part, so a test that reads some captures checks their entries). */
export function applyGaps(args: string[], comparisons: Array<Pick<CaptureComparison, 'file' | 'diffs'>>, gaps: KnownGap[] = KNOWN_GAPS): GapReport {
  const joined = args.join(' ');
  const files = new Set(comparisons.map((c) => c.file));
  const live = gaps.filter((g) => files.has(g.file) && (g.when?.test(joined) ?? true));
  const hits = new Map<KnownGap, number[]>(live.map((g) => [g, []]));
  const rep: GapReport = { byOwner: new Map(), byReason: new Map(), unexplained: [], stale: [] };
  for (const c of comparisons) {
    for (const d of c.diffs) {
      const g = live.find((x) => matches(x, d));
      if (g === undefined) { rep.unexplained.push(d); continue; }
      hits.get(g)?.push(d.frame);
      rep.byOwner.set(g.owner, (rep.byOwner.get(g.owner) ?? 0) + 1);
      const reason = `${g.owner} ${g.why}`;
      rep.byReason.set(reason, (rep.byReason.get(reason) ?? 0) + 1);
    }
  }
  for (const [g, got] of hits) {
    if (typeof g.frames === 'number') {
      if (got.length !== g.frames) rep.stale.push(`${g.file} (${joined}): ${g.owner} "${g.why}" lists ${g.frames} packets, ${got.length} differ so`);
    } else {
      const missing = parseFrames(g.frames).filter((f) => !got.includes(f));
      if (missing.length > 0) rep.stale.push(`${g.file} #${missing.join(',')} (${joined}): listed for ${g.owner} "${g.why}" but no longer differs so`);
    }
  }
  return rep;
}
