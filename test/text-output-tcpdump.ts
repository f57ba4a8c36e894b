// tcpdump as the text oracle: runs it on a capture and splits its output per packet (-#
// frame numbers). Every capture must be read to its end with exit status 0; the few that
// libpcap 1.10 refuses part-way are listed below with the exact reason it gives, and the
// test asserts that reason, compares what tcpdump printed before it stopped, and then
// has every packet printed by tcpdump anyway: Wireshark's editcap rewrites the packets of
// each link type into a plain pcap of their own (same bytes, same timestamps), which
// tcpdump reads. No packet of a capture goes uncompared, and none is compared with
// output that pktwasm produced.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { corpusDir } from './lib/env.js';

export interface TcpdumpText {
  /** tcpdump's text per packet, in file order (index = packet number - 1). */
  packets: string[];
  /** How the packets were obtained when tcpdump stopped early (for the test's note). */
  note: string;
  /** Oracle failures: tcpdump failed for a reason not listed, or stopped elsewhere. */
  problems: string[];
}

/** A capture libpcap stops reading before its end, and why (tcpdump's stderr). */
interface Refusal {
  /** Path inside the corpus. */
  path: string;
  /** Packets tcpdump prints before it stops. */
  printed: number;
  /** The message tcpdump ends with (exit status 1). */
  message: string;
}

// libpcap reads pcapng only while every interface has the link type and snapshot length
// of the first one (sf-pcapng.c: "an interface has a ... different from ... the first
// interface"); Wireshark reads them all. These synthetic files from pcapng-test-generator
// mix interfaces on purpose.
const REFUSALS: Refusal[] = [
  { path: 'extra/pcapng-test-generator/output_be/basic/test008.pcapng', printed: 1,
    message: 'tcpdump: pcap_loop: an interface has a snapshot length 128 different from the snapshot length of the first interface' },
  { path: 'extra/pcapng-test-generator/output_le/advanced/test102.pcapng', printed: 0,
    message: 'tcpdump: pcap_loop: an interface has a type 0 different from the type of the first interface' },
  { path: 'extra/pcapng-test-generator/output_le/basic/test006.pcapng', printed: 0,
    message: 'tcpdump: pcap_loop: an interface has a type 0 different from the type of the first interface' },
  { path: 'extra/pcapng-test-generator/output_le/difficult/test202.pcapng', printed: 0,
    message: 'tcpdump: pcap_loop: an interface has a type 0 different from the type of the first interface' },
];

/** Wireshark's encapsulation numbers (frame.encap_type) as editcap -T names. */
const EDITCAP_ENCAP: Record<string, string> = { 1: 'ether', 15: 'null' };

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

/** The last stderr line that is not tcpdump's "reading from file" banner. */
function lastError(stderr: string): string {
  return stderr.split('\n').filter((l) => l !== '' && !l.startsWith('reading from file')).pop() ?? '';
}

function refusalOf(file: string): Refusal | undefined {
  const dir = corpusDir();
  if (dir === null) return undefined;
  const rel = relative(dir, file);
  return REFUSALS.find((r) => r.path === rel);
}

/** tcpdump's text for every packet of `file` with `args` (see the header comment). */
export function tcpdumpText(file: string, args: string[]): TcpdumpText {
  const r = run(file, args);
  const refusal = refusalOf(file);
  if (refusal === undefined) {
    const problems = r.status === 0 ? [] : [`tcpdump exited ${r.status} on ${file}: ${lastError(r.stderr)}`];
    return { packets: r.packets, note: '', problems };
  }
  const problems: string[] = [];
  const got = lastError(r.stderr);
  if (r.status !== 1 || got !== refusal.message || r.packets.length !== refusal.printed) {
    problems.push(`${refusal.path}: expected tcpdump to stop after ${refusal.printed} packet(s) with "${refusal.message}", got exit ${r.status} after ${r.packets.length}: "${got}"`);
  }
  const split = splitByLinkType(file, args);
  problems.push(...split.problems);
  // What tcpdump printed before it stopped must be what it prints from the split files.
  for (let i = 0; i < r.packets.length; i++) {
    if (r.packets[i] !== split.packets[i]) problems.push(`${refusal.path} #${i + 1}: tcpdump's own text differs from the split file's`);
  }
  const note = `${refusal.path}: tcpdump stops after ${r.packets.length} packet(s) ("${refusal.message.replace('tcpdump: pcap_loop: ', '')}"); all ${split.packets.length} read from editcap's per-link-type pcaps`;
  return { packets: split.packets, note, problems };
}

interface Split {
  /** One plain pcap per link type, and the file-order index of each of its packets. */
  parts: Array<{ path: string; name: string; idxs: number[] }>;
  count: number;
  problems: string[];
}

const splits = new Map<string, Split>();
let splitDir: string | null = null;

/** editcap writes the packets of each link type to a pcap of their own (once per capture
 *  and process). tshark numbers pcapng custom blocks as frames (no encapsulation); they
 *  carry no packet and are left out. */
function splitCapture(file: string): Split {
  const cached = splits.get(file);
  if (cached !== undefined) return cached;
  const split: Split = { parts: [], count: 0, problems: [] };
  splits.set(file, split);
  const t = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.encap_type'], { encoding: 'utf8' });
  if (t.status !== 0) { split.problems.push(`tshark failed on ${file}: ${lastError(t.stderr ?? '')}`); return split; }
  const frames = t.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'))
    .filter(([, encap]) => encap !== undefined && encap !== '');
  split.count = frames.length;
  const byEncap = new Map<string, number[]>();
  frames.forEach(([, encap], idx) => {
    const list = byEncap.get(encap) ?? [];
    list.push(idx);
    byEncap.set(encap, list);
  });
  if (splitDir === null) {
    const dir = mkdtempSync(join(tmpdir(), 'pktwasm-split-'));
    splitDir = dir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  for (const [encap, idxs] of byEncap) {
    const name = EDITCAP_ENCAP[encap];
    if (name === undefined) { split.problems.push(`${file}: no editcap name for Wireshark encapsulation ${encap}`); continue; }
    const path = join(splitDir, `${splits.size}-${name}.pcap`);
    const e = spawnSync('editcap', ['-F', 'nsecpcap', '-T', name, '-r', file, path, ...idxs.map((i) => frames[i][0])], { encoding: 'utf8' });
    if (e.status !== 0) { split.problems.push(`editcap failed on ${file}: ${lastError(e.stderr ?? '')}`); continue; }
    split.parts.push({ path, name, idxs });
  }
  return split;
}

/** tcpdump on each part of the split capture; the texts go back into file order. */
function splitByLinkType(file: string, args: string[]): { packets: string[]; problems: string[] } {
  const split = splitCapture(file);
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
