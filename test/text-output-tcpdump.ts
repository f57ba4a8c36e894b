// tcpdump as the text oracle: runs it on a capture and splits its output per packet (-#
// frame numbers). Every capture must be read to its end with exit status 0; the few that
// libpcap 1.10 refuses part-way are listed in lib/libpcap-split.ts with the exact reason
// it gives, and the test asserts that reason, compares what tcpdump printed before it
// stopped, and then has every packet printed by tcpdump anyway: Wireshark's editcap
// rewrites the packets of each link type into a plain pcap of their own (same bytes, same
// timestamps), which tcpdump reads. No packet of a capture goes uncompared, and none is
// compared with output that pktwasm produced.
import { spawnSync } from 'node:child_process';
import { lastError, libpcapRefusal, splitByLinkType } from './lib/libpcap-split.js';

export interface TcpdumpText {
  /** tcpdump's text per packet, in file order (index = packet number - 1). */
  packets: string[];
  /** How the packets were obtained when tcpdump stopped early (for the test's note). */
  note: string;
  /** Oracle failures: tcpdump failed for a reason not listed, or stopped elsewhere. */
  problems: string[];
}

/** Splits tcpdump -# output into packets (continuation lines belong to the packet above). */
export function splitPackets(stdout: string): string[] {
  const pkts: string[] = [];
  for (const line of stdout.split('\n')) {
    const mm = /^\s*(\d+) {2}/.exec(line);
    if (mm && Number(mm[1]) === pkts.length + 1) pkts.push(line.slice(mm[0].length));
    else if (pkts.length > 0 && line !== '') pkts[pkts.length - 1] += `\n${line}`;
  }
  return pkts;
}

interface Run { status: number | null; stderr: string; packets: string[] }

function run(file: string, args: string[]): Run {
  const r = spawnSync('tcpdump', ['-#', ...args, '-r', file], { encoding: 'latin1', env: { ...process.env, TZ: 'UTC' }, maxBuffer: 256 << 20 });
  return { status: r.status, stderr: (r.stderr ?? '').trim(), packets: splitPackets(r.stdout ?? '') };
}

/** tcpdump's text for every packet of `file` with `args` (see the header comment). */
export function tcpdumpText(file: string, args: string[]): TcpdumpText {
  const r = run(file, args);
  const refusal = libpcapRefusal(file);
  if (refusal === undefined) {
    const problems = r.status === 0 ? [] : [`tcpdump exited ${r.status} on ${file}: ${lastError(r.stderr)}`];
    return { packets: r.packets, note: '', problems };
  }
  const problems: string[] = [];
  const got = lastError(r.stderr);
  const message = `tcpdump: pcap_loop: ${refusal.message}`;
  if (r.status !== 1 || got !== message || r.packets.length !== refusal.read) {
    problems.push(`${refusal.path}: expected tcpdump to stop after ${refusal.read} packet(s) with "${message}", got exit ${r.status} after ${r.packets.length}: "${got}"`);
  }
  const split = readSplit(file, args);
  problems.push(...split.problems);
  // What tcpdump printed before it stopped must be what it prints from the split files.
  for (let i = 0; i < r.packets.length; i++) {
    if (r.packets[i] !== split.packets[i]) problems.push(`${refusal.path} #${i + 1}: tcpdump's own text differs from the split file's`);
  }
  const note = `${refusal.path}: tcpdump stops after ${r.packets.length} packet(s) ("${refusal.message}"); all ${split.packets.length} read from editcap's per-link-type pcaps`;
  return { packets: split.packets, note, problems };
}

/** tcpdump on each part of the split capture; the texts go back into file order. */
function readSplit(file: string, args: string[]): { packets: string[]; problems: string[] } {
  const split = splitByLinkType(file);
  const problems = [...split.problems];
  const packets: string[] = new Array<string>(split.count).fill('');
  for (const part of split.parts) {
    const r = run(part.path, args);
    if (r.status !== 0) problems.push(`tcpdump exited ${r.status} on the ${part.name} part of ${file}: ${lastError(r.stderr)}`);
    if (r.packets.length !== part.idxs.length) problems.push(`${file}: tcpdump printed ${r.packets.length} of the ${part.idxs.length} ${part.name} packets`);
    part.idxs.forEach((idx, j) => { packets[idx] = r.packets[j] ?? ''; });
  }
  return { packets, problems };
}
