// Captures libpcap 1.10 stops reading part-way, and the way around it. libpcap reads a
// pcapng file only while every interface has the link type and snapshot length of the
// first one (sf-pcapng.c: "an interface has a ... different from ... the first
// interface"); Wireshark reads them all. The synthetic files of pcapng-test-generator
// mix interfaces on purpose. Tools built on libpcap (tcpdump, softflowd) read such a file
// in parts: editcap (Wireshark) writes the packets of each link type into a plain pcap of
// their own, same bytes and timestamps, and the tool reads each part.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { corpusDir } from './env.js';

export interface Refusal {
  /** Path inside the corpus. */
  path: string;
  /** Packets libpcap hands out before it stops. */
  read: number;
  /** libpcap's error (tcpdump prints it after "tcpdump: pcap_loop: ", softflowd after
   *  "Exiting on pcap_dispatch: "). */
  message: string;
}

export const LIBPCAP_REFUSALS: Refusal[] = [
  { path: 'extra/pcapng-test-generator/output_be/basic/test008.pcapng', read: 1,
    message: 'an interface has a snapshot length 128 different from the snapshot length of the first interface' },
  { path: 'extra/pcapng-test-generator/output_le/advanced/test102.pcapng', read: 0,
    message: 'an interface has a type 0 different from the type of the first interface' },
  { path: 'extra/pcapng-test-generator/output_le/basic/test006.pcapng', read: 0,
    message: 'an interface has a type 0 different from the type of the first interface' },
  { path: 'extra/pcapng-test-generator/output_le/difficult/test202.pcapng', read: 0,
    message: 'an interface has a type 0 different from the type of the first interface' },
];

export function libpcapRefusal(file: string): Refusal | undefined {
  const dir = corpusDir();
  if (dir === null) return undefined;
  const rel = relative(dir, file);
  return LIBPCAP_REFUSALS.find((r) => r.path === rel);
}

/** Wireshark's encapsulation numbers (frame.encap_type) as editcap -T names. */
const EDITCAP_ENCAP: Record<string, string> = { 1: 'ether', 15: 'null' };

export interface SplitPart {
  /** A nanosecond pcap with the packets of one link type. */
  path: string;
  /** Its editcap encapsulation name. */
  name: string;
  /** File-order index (0-based, among packets) of each of its packets. */
  idxs: number[];
}

export interface Split {
  parts: SplitPart[];
  /** Packets of the capture (tshark frames that carry one). */
  count: number;
  problems: string[];
}

/** The last stderr line that is not a tool's banner. */
export function lastError(stderr: string): string {
  return stderr.split('\n').filter((l) => l !== '' && !l.startsWith('reading from file') && !l.startsWith('Running as user')).pop() ?? '';
}

const splits = new Map<string, Split>();
let splitDir: string | null = null;

/** A directory of this process's, removed at exit. */
export function scratchDir(): string {
  if (splitDir === null) {
    const dir = mkdtempSync(join(tmpdir(), 'pktwasm-split-'));
    splitDir = dir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return splitDir;
}

/** The capture split per link type (once per capture and process). tshark numbers pcapng
 *  custom blocks as frames (no encapsulation); they carry no packet and are left out. */
export function splitByLinkType(file: string): Split {
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
  for (const [encap, idxs] of byEncap) {
    const name = EDITCAP_ENCAP[encap];
    if (name === undefined) { split.problems.push(`${file}: no editcap name for Wireshark encapsulation ${encap}`); continue; }
    const path = join(scratchDir(), `${splits.size}-${name}.pcap`);
    const e = spawnSync('editcap', ['-F', 'nsecpcap', '-T', name, '-r', file, path, ...idxs.map((i) => frames[i][0])], { encoding: 'utf8' });
    if (e.status !== 0) { split.problems.push(`editcap failed on ${file}: ${lastError(e.stderr ?? '')}`); continue; }
    split.parts.push({ path, name, idxs });
  }
  return split;
}
