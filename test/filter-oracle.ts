// Shared by the filter tests: the expression suite, tcpdump as the oracle (run here, one
// process per (file, expression), a few at a time), and a tiny pcap writer for the
// captures the tests derive from the corpus (truncations, other link types).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

/** Every construct of the language at least once; some are rejected by tcpdump on purpose. */
export const EXPRESSIONS: string[] = [
  // protocols
  '', 'ip', 'ip6', 'arp', 'rarp', 'tcp', 'udp', 'icmp', 'icmp6', 'sctp', 'igmp', 'stp', 'atalk', 'ipx', 'iso',
  'ip proto 17', 'ip proto \\udp', 'ip6 proto 58', 'ip6 proto 17', 'proto 6', 'ip proto 47', 'ip6 proto \\tcp',
  'ether proto 0x800', 'ether proto \\arp', 'ether proto 0x88a8', 'ether proto 66',
  // hosts and networks
  'host 172.17.0.10', 'src host 8.8.8.8', 'dst host 8.8.8.8', 'host 192.168.1.172 or 192.168.1.249',
  'src or dst host 127.0.0.1', 'src and dst host 127.0.0.1', 'host 10.172.64.7 and not 10.172.64.6',
  'ip host 192.0.0.1', 'arp host 10.0.0.1', 'host ::1', 'ip6 host fe80::68d3:1235:d068:1f9e', 'dst host ff02::1:6',
  'net 172.17.0.0/16', 'net 192.168', 'src net 10.172.64.0 mask 255.255.255.0', 'dst net 8', 'net 10', 'host 10.1',
  'ip6 net fe80::/10', 'net 2001:db8::/32', 'src 202.108.87.165 or dst 223.132.53.222 or 8.8.8.8',
  // ports
  'port 53', 'port 53 or 22', 'tcp port 22', 'udp port 53', 'src port 53', 'dst port 53', 'tcp src port 6697 or 1723',
  'port domain', 'port http', 'udp port bootps', 'sctp port 80', 'portrange 1-1024', 'tcp portrange 6000-7000',
  'portrange 60000-65535', 'udp dst portrange 50000-60000', 'port (67 or 68)', 'not port 53 and not port 22',
  // abbreviated lists and or/and mixes: libpcap's or_pullup/and_pullup reorder their tests,
  // so which loads run on a truncated frame depends on that reordering
  'port 22 or 53 or 80', 'host 10.0.0.1 or 10.0.0.2', 'src or dst port 22', 'tcp port 22 or udp port 53',
  'port 22 and (port 53 or 22)', 'src port 53 or dst port 53', 'not port 22 or 443', 'tcp dst port 80 or 443 or 8080',
  'ip and (port 22 or 53)', 'port 53 or 22 and tcp', 'host 172.17.0.10 or 172.17.0.1 or 8.8.8.8',
  'src host 10.0.0.1 or 10.0.0.2 and port 53',
  // link layer
  'ether host 8c:85:90:3f:77:dd', 'ether src 02:42:ac:11:00:0a', 'ether dst aa:bb:cc:00:01:00',
  'ether broadcast', 'ether multicast', 'multicast', 'broadcast', 'ip multicast', 'ip6 multicast', 'ip broadcast',
  // vlan (offset shifting)
  'vlan', 'vlan 11', 'vlan and ip', 'vlan 11 and udp port 53', 'vlan or arp', 'vlan and vlan', 'not vlan', 'arp or vlan and arp',
  // lengths
  'less 100', 'greater 1000', 'len > 200', 'len <= 64', 'len = 60', 'length >= 1500',
  // byte offsets and named constants
  'tcp[13] & 2 != 0', 'tcp[tcpflags] & (tcp-syn|tcp-ack) = tcp-syn', 'tcp[tcpflags] & tcp-rst != 0', 'tcp[13] == 0x18',
  'tcp[tcpflags] & (tcp-fin|tcp-push|tcp-urg|tcp-ece|tcp-cwr) != 0',
  'icmp[icmptype] = icmp-echo', 'icmp[icmptype] = icmp-echoreply or icmp[icmptype] = icmp-unreach',
  'icmp6[icmp6type] = icmp6-routeradvert', 'icmp6[0] = 128 or icmp6[0] = icmp6-neighborsolicit',
  'ip[0] & 0xf > 5', 'ip[6:2] & 0x1fff != 0', 'ip[6] & 0x20 != 0', 'ip[2:2] > 576', 'ip[8] < 64', 'ip6[7] = 255',
  'udp[4:2] > 100', 'tcp[(tcp[12] >> 4) * 4] = 0x16', 'tcp[((tcp[12] & 0xf0) >> 2):4] = 0x47455420',
  'ether[0] & 1 = 1', 'link[12:2] = 0x86dd', 'ether[6:4] != 0', 'arp[6:2] = 1', 'ip[len - 100] = 0',
  'ip[9] + 1 = 18', 'ip[2:2] / 4 > 100', 'ip[2:2] % 7 = 3', 'ip[1] * 2 = 0', 'ip[0] ^ 0x45 = 0', 'ip[0] | 1 = 0x45',
  '-ip[0] = 4294967227', 'ip[2:2] << 1 > 1000', 'ip[2:2] >> 8 = 0', 'ip[0] & 0 = 0', 'ip[2:2] - ip[3] > 100',
  '1 + 2 ^ 3 * 4 = 15', 'udp[8:2] / (ip[0] & 0) = 0', 'ip[2:2] / (ip[1] & 1) > 0', 'ip[0] << (ip[1] + 40) = 0',
  'ip[100] = 1 or len > 0', 'tcp[100:4] = 0 or ip', 'not ip[60] = 1', 'ip6[40:4] != 0', 'udp[2:2] = 53 and ip[2:2] > 60',
  // boolean structure and abbreviations
  'ip and tcp', 'tcp or udp', 'not ip', '!tcp', 'ip && !tcp || udp', 'not (tcp or udp)', 'ip or ip6 and udp',
  'ip and (tcp[13] & 2 != 0 or udp port 53)', 'host 8.8.8.8 and (port 53 or icmp)', 'not not arp',
  // rejected by libpcap's optimiser ("expression rejects all packets") or by gencode
  'tcp and udp', 'ip and arp', '(ip or ip6) and arp', 'ip6 and not ip6', 'tcp[0] = 1 and tcp[0] = 2',
  'len > 100 and len < 50', 'inbound', 'outbound', 'byte 12 = 8', 'byte 23 < 7',
];

/** Run on every truncation of sample frames (test/filter.test.ts): the reordered lists. */
export const LIST_EXPRESSIONS: string[] = [
  '', 'port 53 or 22', 'port 22 or 53 or 80', 'host 10.0.0.1 or 10.0.0.2', 'src or dst port 22',
  'tcp port 22 or udp port 53', 'port 22 and (port 53 or 22)', 'not port 22 or 443', 'port 53 or 22 and tcp',
  'host 192.168.1.172 or 192.168.1.249', 'tcp src port 6697 or 1723',
];

export interface OracleResult {
  /** tcpdump refused the expression for this file (message in `error`). */
  rejected: boolean;
  error: string;
  /** Frame numbers (from 1) that matched, among the frames tcpdump read. */
  matched: Set<number>;
  /** tcpdump's exit status and stderr: a run that stopped early must not pass for a short file. */
  status: number | null;
  stderr: string;
}

export interface FrameForOracle {
  data: Uint8Array;
  wirelen: number;
}

/** Runs `tcpdump -r file -w - -- expr` and maps the written packets back to frame numbers.
 *  With `list`, `file` names a file of capture names, one a line (tcpdump -V), read in turn. */
export function runTcpdump(file: string, expr: string, frames: FrameForOracle[], list = false): Promise<OracleResult> {
  return new Promise((resolve, reject) => {
    const p = spawn('tcpdump', [list ? '-V' : '-r', file, '-w', '-', '--', expr], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b: Buffer) => err.push(b));
    p.on('error', reject);
    p.on('close', (code) => {
      const stdout = Buffer.concat(out);
      const stderr = Buffer.concat(err).toString();
      if (stdout.length === 0) {
        if (!/reading from file/.test(stderr)) {
          reject(new Error(`tcpdump could not read ${file}: ${stderr.trim()} (exit ${code})`));
          return;
        }
        const msg = stderr.split('\n').filter((l) => l.startsWith('tcpdump: ')).join(' ');
        resolve({ rejected: true, error: msg, matched: new Set(), status: code, stderr });
        return;
      }
      resolve({ rejected: false, error: '', matched: mapBack(stdout, frames), status: code, stderr });
    });
  });
}

/** tcpdump's output is a subsequence of the input: match records in order by length and bytes. */
function mapBack(pcap: Buffer, frames: FrameForOracle[]): Set<number> {
  const matched = new Set<number>();
  const le = pcap.readUInt32LE(0) === 0xa1b2c3d4 || pcap.readUInt32LE(0) === 0xa1b23c4d;
  const u32 = (o: number): number => (le ? pcap.readUInt32LE(o) : pcap.readUInt32BE(o));
  let off = 24;
  let j = 0;
  while (off + 16 <= pcap.length) {
    const caplen = u32(off + 8);
    const wirelen = u32(off + 12);
    const data = pcap.subarray(off + 16, off + 16 + caplen);
    off += 16 + caplen;
    while (j < frames.length && !(frames[j].wirelen === wirelen && prefixEqual(frames[j].data, data))) j++;
    if (j === frames.length) throw new Error('tcpdump wrote a packet that is not in the input');
    matched.add(j + 1);
    j++;
  }
  return matched;
}

function prefixEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (b.length > a.length) return false;
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// The filter tests run their tcpdump oracles through the suite's one pool (lib/parallel).
export { pool } from './lib/parallel.js';

/** Writes a little-endian microsecond pcap. */
export function writePcap(path: string, linktype: number, frames: FrameForOracle[], snaplen = 262144): void {
  let size = 24;
  for (const f of frames) size += 16 + f.data.length;
  const b = Buffer.alloc(size);
  b.writeUInt32LE(0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeUInt32LE(snaplen, 16);
  b.writeUInt32LE(linktype, 20);
  let o = 24;
  frames.forEach((f, i) => {
    b.writeUInt32LE(1_700_000_000 + i, o);
    b.writeUInt32LE(0, o + 4);
    b.writeUInt32LE(f.data.length, o + 8);
    b.writeUInt32LE(f.wirelen, o + 12);
    b.set(f.data, o + 16);
    o += 16 + f.data.length;
  });
  writeFileSync(path, b);
}
