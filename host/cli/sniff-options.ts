// Command line of host/sniff.js: tcpdump's flags (combinable short options, values
// attached or separate: -nnvX, -c10, -c 10) plus long options for what tcpdump lacks,
// declared once as specs (host/cli/args.ts) that --help prints.
import { LOG_KIND_HELP } from '../app/log/kinds.js';
import { lookup } from 'node:dns/promises';
import { parseCollector } from '../ipfix/collector.js';
import { usageError, type ParsedArgs, type ToolSpec } from './args.js';
import { DEFAULT_TUNNEL_DEPTH, MAX_TUNNEL_DEPTH } from '../dissect/tunnel-depth.js';

export interface SniffOptions {
  readFile: string | null;
  writeFile: string | null;
  pcapng: boolean;
  iface: string | null;
  listInterfaces: boolean;
  count: number; // 0 = unlimited
  snaplen: number; // 0 = default (262144)
  numeric: number; // -n count
  linkHeader: boolean; // -e
  verbose: number; // -v count
  quiet: boolean; // -q
  timestamps: number; // -t count: 0 default, 1 none, 2 epoch, 3 delta, 4 date, 5 since first
  hex: number; // -x count
  hexAscii: number; // -X count
  asciiText: number; // -A count
  absoluteSeq: boolean; // -S
  frameNumbers: boolean; // -#
  nano: boolean; // --nano
  json: boolean;
  flows: boolean;
  /** --log KIND[,KIND]: metadata logs (host/app/log/), one JSON line per transaction. */
  log: string[];
  /** IP reassembly before JSON, flows, prefixes and IPFIX (off: --no-reassemble). */
  reassemble: boolean;
  /** --tunnel-depth: tunnel levels inside the outer packet that are followed. */
  tunnelDepth: number;
  prefixes: string | null;
  stats: number; // --stats SECS, 0 = off
  raw: string | null; // --raw icmp|tcp|udp|icmp6
  backend: 'pcap' | 'cap' | null;
  engine: 'wasm' | 'ts';
  user: string | null; // -Z
  promisc: boolean;
  immediate: boolean;
  bufferSize: number; // -B KiB, 0 = DEFAULT_BUFFER_KIB
  /** --workers N: live capture on N packet sockets in one PACKET_FANOUT group (1: off). */
  workers: number;
  direction: 'in' | 'out' | 'inout';
  /** The collector as given after checking: proto://address:port, the name resolved. */
  ipfix: string | null;
  ipfixDomain: number;
  activeTimeout: number;
  idleTimeout: number;
  /** --flow-capacity: live flows the --flows/--ipfix table holds (null: the stage's default). */
  flowCapacity: number | null;
  debug: boolean;
  filter: string;
}

export const DEFAULT_SNAPLEN = 262144;
/** -B's default in KiB: chosen by bench/live (issue #14), see the option's help. */
export const DEFAULT_BUFFER_KIB = 16384;
/** -B's default when the capture thread writes -w itself: libpcap's (and tcpdump's). */
export const DIRECT_BUFFER_KIB = 2048;

/** True when a live run writes its -w file from the capture thread (host/pipeline/
 *  live-dump.ts): a plain pcap file is the only output and nothing reads the consumer's
 *  counters. PKTWASM_NO_DIRECT takes the ring + worker path anyway (bench/live compares). */
export function directWritePlanned(o: SniffOptions): boolean {
  return o.readFile === null && o.raw === null && o.writeFile !== null && !o.pcapng && !o.json && !o.flows
    && o.prefixes === null && o.ipfix === null && o.log.length === 0 && o.stats === 0 && o.backend !== 'cap'
    && !process.env.PKTWASM_NO_DIRECT;
}

export const SNIFF_SPEC: ToolSpec = {
  name: 'sniff',
  command: 'node host/sniff.js',
  summary: 'sniff: a tcpdump-class packet sniffer on the pktwasm engine. It reads packets from a capture file, '
    + 'a network interface (libpcap, or the cap package) or a raw socket, keeps those the filter expression '
    + 'selects, and prints them as tcpdump does, writes them to a file, or summarises them (flows, prefixes, IPFIX).',
  description: 'Without -r, --raw or -i it listens on the first interface that is up and not a loopback. '
    + 'Statistics go to standard error at exit. Host names are never resolved: output is always numeric.',
  options: [
    { name: 'count', short: 'c', value: 'count', help: 'Exit after count packets have matched the filter.', defaultText: 'unlimited' },
    { name: 'interface', short: 'i', value: 'interface', help: 'Listen on interface (-D lists them). Live capture needs root or CAP_NET_RAW.', defaultText: 'the first interface that is up and not a loopback' },
    { name: 'read', short: 'r', value: 'file', help: 'Read packets from file, a pcap (microsecond or nanosecond, either byte order) or pcapng capture, instead of an interface; - reads standard input (a pipe too).' },
    { name: 'snaplen', short: 's', value: 'snaplen', aliases: ['snapshot-length'], help: 'Keep at most snaplen bytes of each packet (0: the default).', default: DEFAULT_SNAPLEN },
    { name: 'write', short: 'w', value: 'file', help: 'Write the packets to file, a pcap capture (pcapng with --pcapng), instead of printing them; - writes standard output.' },
    { name: 'user', short: 'Z', value: 'user', aliases: ['relinquish-privileges'], help: 'Once the capture is open, and before any output file is created, drop root privileges to user and its group, as tcpdump -Z does.', defaultText: 'keep the privileges' },
    { name: 'buffer-size', short: 'B', value: 'size', help: "Live capture: the kernel capture buffer, in KiB (per socket with --workers). Packets cross from the capture thread to the consumer worker, and the kernel buffer is what absorbs the consumer's pauses: 8x tcpdump's 2 MiB by default (bench/live: -nn, --json and --flows lose nothing at 16 MiB where they lost at 2 MiB). With -w as the only output the capture thread writes the file itself, as tcpdump does, and tcpdump's 2 MiB (which stays in the cache) serves it best.", defaultText: '16384 (16 MiB); 2048 with -w as the only output' },
    { name: 'workers', value: 'N', help: 'Live capture on N packet sockets of one PACKET_FANOUT group hashed by flow (both directions of a conversation go to the same socket). With -w FILE alone: N capture threads each write a share, merged into FILE in timestamp order at exit. Otherwise N engine workers: text and JSON lines come in whole batches per worker, in timestamp order within a worker (so within a conversation) but not across workers, and frame numbers (-#, JSON frame.number) count per worker; --flows and --prefixes print one table (each conversation once), --ipfix exports from N exporters (one socket and Observation Domain each: --ipfix-domain + k for worker k) with one summed summary; statistics are summed. Not with -c unless -w is the only output.', default: 1 },
    { name: 'direction', short: 'Q', value: 'direction', choices: ['in', 'out', 'inout'], help: 'Live capture: only packets received (in), sent (out), or both (inout).', default: 'inout' },
    { name: 'list-interfaces', short: 'D', help: 'Print the interfaces live capture can use, numbered, with their flags, and exit.' },
    { name: 'numeric', short: 'n', repeatable: true, help: "Don't convert addresses or ports to names. Accepted for tcpdump's command lines: pktwasm never resolves names." },
    { name: 'link-header', short: 'e', help: 'Print the link-level header (MAC addresses, EtherType, VLAN tags) on each line.' },
    { name: 'verbose', short: 'v', repeatable: true, help: 'More detail per packet (IP TTL, id, length, checksums ...); -vv and -vvv add more, as in tcpdump.' },
    { name: 'quiet', short: 'q', help: 'Less protocol information per line (quiet output).' },
    { name: 'timestamps', short: 't', repeatable: true, help: 'Timestamp column: -t none, -tt seconds since the epoch, -ttt the delta from the previous packet, -tttt date and time of day, -ttttt the time since the first packet.', defaultText: 'the time of day' },
    { name: 'hex', short: 'x', repeatable: true, help: 'Print each packet in hex after its line, without its link-level header (-xx: with it).' },
    { name: 'hex-ascii', short: 'X', repeatable: true, help: 'As -x (-XX as -xx), with the bytes as ASCII beside the hex.' },
    { name: 'ascii', short: 'A', repeatable: true, help: 'Print each packet as ASCII text after its line, without its link-level header (-AA: with it); bytes that are not printable as ".". -x and -X take precedence.' },
    { name: 'absolute-tcp-sequence-numbers', short: 'S', help: 'Print absolute TCP sequence numbers, not relative to the first of the connection.' },
    { name: 'number', short: '#', help: 'Print a packet number at the start of each line.' },
    { name: 'no-promiscuous-mode', short: 'p', help: "Live capture: don't put the interface into promiscuous mode." },
    { name: 'line-buffered', short: 'l', help: "Accepted for tcpdump's command lines: the output is written after each batch of packets already." },
    { name: 'immediate', aliases: ['immediate-mode'], help: 'Live capture: deliver each packet as it arrives instead of a block at a time (lower latency, more CPU).' },
    { name: 'json', help: 'Print one JSON object per packet (Wireshark field names) instead of text; with --flows or --prefixes, their tables as JSON.' },
    { name: 'pcapng', help: 'With -w: write pcapng instead of pcap.' },
    { name: 'nano', help: 'Timestamps with nanosecond digits; with -w, a nanosecond capture file.' },
    { name: 'flows', help: 'Track TCP and UDP conversations instead of printing packets, and print them at exit as tshark -z conv,tcp and -z conv,udp do (with --json: one JSON line per flow as it ends).' },
    { name: 'no-reassemble', help: 'Do not reassemble IP fragments (RFC 791, RFC 8200). By default --json, --flows, --prefixes and --ipfix see a fragmented datagram whole, on the fragment that completes it, as tshark does; text lines and -w never change (tcpdump does not reassemble).' },
    { name: 'tunnel-depth', value: 'N', help: `Follow tunnels (GRE, ERSPAN, VXLAN, Geneve, GTP-U, IP-in-IP, MPLS over UDP) N levels deep (0 to ${MAX_TUNNEL_DEPTH}): text, --json, --flows, --prefixes and --ipfix see the inner packets to that level, and print or count a deeper one as its tunnel's payload.`, default: DEFAULT_TUNNEL_DEPTH },
    { name: 'log', value: 'KIND', help: `Write one JSON line per application transaction instead of printing packets, as Zeek's logs do; KIND is a comma-separated list of: ${[...LOG_KIND_HELP].map(([k, h]) => `${k} (${h})`).join('; ')}.` },
    { name: 'prefixes', value: 'FILE', help: 'Count packets and bytes per network instead of printing packets: each packet goes to the longest prefix in FILE that holds its source (out) and to the one that holds its destination (in); at exit the top 20 prefixes by bytes are printed (with --json, one JSON line). FILE is text, one network per line: an IPv4 or IPv6 prefix (192.0.2.0/24, 2001:db8::/32), then an optional label (the rest of the line); blank lines and lines starting with # are ignored.' },
    { name: 'stats', value: 'SECS', help: 'Every SECS seconds print packets seen, matched, malformed and dropped to standard error.', defaultText: 'only at exit' },
    { name: 'raw', value: 'proto', choices: ['icmp', 'tcp', 'udp', 'icmp6'], help: 'Capture at the IP level on a raw socket of that protocol instead of an interface (root or CAP_NET_RAW).' },
    { name: 'backend', value: 'backend', choices: ['pcap', 'cap'], help: "Live capture through pktwasm's libpcap addon (pcap) or the cap package (cap).", defaultText: 'pcap when the addon is built, else cap' },
    { name: 'engine', value: 'engine', choices: ['wasm', 'ts'], help: 'Run the hot paths (dissect, filter, checksum) in WebAssembly or in their TypeScript twins.', default: 'wasm' },
    { name: 'ipfix', value: 'HOST:PORT', help: 'Export flow records to an IPFIX collector (RFC 7011) instead of printing packets: HOST:PORT or udp://HOST:PORT over UDP, tcp://HOST:PORT over TCP, [IPV6]:PORT for an IPv6 address; PORT defaults to 4739. A name is resolved before any packet is read.' },
    { name: 'ipfix-domain', value: 'N', help: 'With --ipfix: the Observation Domain ID of the records (0 to 4294967295); with --workers, worker k (from 0) exports in this ID + k (sequence numbers count per domain, RFC 7011 section 3.1).', default: 0 },
    { name: 'active-timeout', value: 'S', help: 'With --ipfix: report a long flow every S seconds.', default: 1800 },
    { name: 'idle-timeout', value: 'S', help: 'With --ipfix: end a flow after S seconds without a packet.', default: 15 },
    { name: 'flow-capacity', value: 'N', help: 'With --flows or --ipfix: live flows the flow table holds (about 250 bytes each). When it is full, the stalest flow near a new one ends early (counted at exit; --flows then lists a conversation that goes on as two).', defaultText: '262144 for --flows, 65536 for --ipfix' },
  ],
  operands: [
    { name: 'expression', optional: true, many: true, help: "A tcpdump (libpcap) filter expression: only packets for which it is true are kept, e.g. 'tcp port 80 and host 192.0.2.1'. Its words may be given as several arguments. Live capture compiles it into the kernel." },
  ],
};

export function sniffOptions(args: ParsedArgs): SniffOptions {
  const int = { integer: true, min: 0 };
  const o: SniffOptions = {
    readFile: args.string('read') ?? null,
    writeFile: args.string('write') ?? null,
    pcapng: args.has('pcapng'),
    iface: args.string('interface') ?? null,
    listInterfaces: args.has('list-interfaces'),
    count: args.maybeNumber('count', { integer: true, min: 1 }) ?? 0,
    // 0 stays "not given": live capture sizes its slots differently when -s is given.
    snaplen: args.has('snaplen') ? args.number('snaplen', int) : 0,
    numeric: args.count('numeric'),
    linkHeader: args.has('link-header'),
    verbose: args.count('verbose'),
    quiet: args.has('quiet'),
    timestamps: args.count('timestamps'),
    hex: args.count('hex'),
    hexAscii: args.count('hex-ascii'),
    asciiText: args.count('ascii'),
    absoluteSeq: args.has('absolute-tcp-sequence-numbers'),
    frameNumbers: args.has('number'),
    nano: args.has('nano'),
    json: args.has('json'),
    flows: args.has('flows'),
    log: logKinds(args.string('log')),
    reassemble: !args.has('no-reassemble'),
    tunnelDepth: args.number('tunnel-depth', { integer: true, min: 0, max: MAX_TUNNEL_DEPTH }),
    prefixes: args.string('prefixes') ?? null,
    stats: args.maybeNumber('stats', { integer: true, min: 1 }) ?? 0,
    raw: args.string('raw') ?? null,
    backend: args.choice<'pcap' | 'cap'>('backend') ?? null,
    engine: args.choice<'wasm' | 'ts'>('engine') ?? 'wasm',
    user: args.string('user') ?? null,
    promisc: !args.has('no-promiscuous-mode'),
    immediate: args.has('immediate'),
    bufferSize: args.maybeNumber('buffer-size', { integer: true, min: 1 }) ?? 0,
    workers: args.number('workers', { integer: true, min: 1, max: 64 }),
    direction: args.choice<'in' | 'out' | 'inout'>('direction') ?? 'inout',
    ipfix: args.string('ipfix') ?? null,
    ipfixDomain: args.number('ipfix-domain', { integer: true, min: 0, max: 0xFFFFFFFF }),
    activeTimeout: args.number('active-timeout', { integer: true, min: 1 }),
    idleTimeout: args.number('idle-timeout', { integer: true, min: 1 }),
    flowCapacity: args.maybeNumber('flow-capacity', { integer: true, min: 1, max: 1 << 24 }) ?? null,
    debug: args.has('debug'),
    filter: args.positionals.join(' ').trim(),
  };
  if (o.readFile !== null && o.raw !== null) throw usageError('-r and --raw cannot be combined');
  if (o.readFile !== null && o.iface !== null) throw usageError('-r and -i cannot be combined');
  if (o.workers > 1) {
    if (o.readFile !== null || o.raw !== null) throw usageError('--workers is for live capture on an interface (not -r or --raw)');
    // -w alone: N capture threads write shares merged at exit. Anything else: N engine
    // workers, where a file beside other output would have N writers.
    if (!directWritePlanned(o)) {
      if (o.writeFile !== null) throw usageError('--workers with -w FILE: the pcap file must be the only output (text, JSON, --flows, --prefixes, --ipfix, --log run in N workers without -w)');
      if (o.count > 0) throw usageError('--workers: -c needs -w FILE as the only output (N workers printing cannot stop at one exact packet)');
    }
  }
  return o;
}

/** --log's list, each name checked. */
function logKinds(text: string | undefined): string[] {
  if (text === undefined) return [];
  const kinds = text.split(',').map((k) => k.trim()).filter((k) => k !== '');
  for (const k of kinds) {
    if (!LOG_KIND_HELP.has(k)) throw usageError(`invalid value "${k}" for --log: expected ${[...LOG_KIND_HELP.keys()].join(', ')} (comma-separated)`);
  }
  if (kinds.length === 0) throw usageError('--log needs a log: ' + [...LOG_KIND_HELP.keys()].join(', '));
  return [...new Set(kinds)];
}

/** Checks an --ipfix target and resolves its name now, so that a typo is one line and
 *  exit 2 before any packet is read (the exporter would otherwise retry in silence). */
export async function resolveIpfixTarget(text: string): Promise<string> {
  const c = parseCollector(text);
  let address = c.host;
  if (c.family === 0) {
    try {
      address = (await lookup(c.host)).address;
    } catch {
      throw usageError(`--ipfix ${text}: ${c.host}: Name or service not known`);
    }
  }
  return `${c.protocol}://${address.includes(':') ? `[${address}]` : address}:${c.port}`;
}
