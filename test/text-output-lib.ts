// Shared by the text-output tests: formats a capture with the engine and the text sink,
// runs tcpdump on it, and compares packet by packet (see text-output.test.ts for the
// cut-off rule).
import { spawnSync } from 'node:child_process';
import { basename } from 'node:path';
import { createEngine, type Engine } from '../host/engine.js';
import { CaptureFileReader } from '../host/sources/capture-file.js';
import { TextBuffer } from '../host/sinks/text-buffer.js';
import { TextFormatter, type TextOptions } from '../host/sinks/text-format.js';
import { PktError } from '../host/errors.js';

export interface CompareResult {
  exact: number;
  prefix: number;
  mismatches: string[];
  files: number;
  skipped: string[];
}

let engine: Engine | null = null;

/** tcpdump's command-line options as TextOptions. */
export function optionsFromArgs(args: string[]): TextOptions {
  const o: TextOptions = { timestamps: 1 };
  for (const a of args) {
    if (a === '-e') o.link = true;
    else if (a === '-q') o.quiet = true;
    else if (a === '-S') o.absoluteSeq = true;
    else if (a === '-#') o.numbers = true;
    else if (a === '--nano') o.nano = true;
    else if (/^-v+$/.test(a)) o.verbose = a.length - 1;
    else if (/^-t+$/.test(a)) o.timestamps = ([0, 2, 3, 4, 5] as const)[a.length - 2] ?? 5;
    else if (a === '-x') o.hex = 1;
    else if (a === '-xx') o.hex = 2;
    else if (a === '-X') { o.hex = 1; o.ascii = true; }
    else if (a === '-XX') { o.hex = 2; o.ascii = true; }
  }
  return o;
}

/** libpcap's snapshot length for a file or interface: 0 or above the maximum means the
 *  maximum (pcap_adjust_snapshot(), 262144 for the link types of this corpus). */
function libpcapSnapshot(snaplen: number): number {
  return snaplen === 0 || snaplen > 262144 ? 262144 : snaplen;
}

/** Our text per packet (index = frame number - 1) and the cut offset within it. The
 *  formatter gets the bytes tcpdump gets: libpcap cuts a record whose captured length
 *  exceeds the file's (or interface's) snapshot length to that length (sf-pcap.c, "the
 *  packet is bigger than the snapshot length"), while our reader and Wireshark keep every
 *  captured byte; `clamped` counts such records. */
export function formatCapture(file: string, opts: TextOptions): { texts: string[]; cuts: number[]; linktypes: Set<number>; clamped: number } {
  engine ??= createEngine();
  const e = engine;
  const batch = e.createBatch(64, 64 * 70000);
  const view = e.createView();
  const out = new TextBuffer(-1);
  const fmt = new TextFormatter(out, { ...opts, numbers: false });
  const texts: string[] = [];
  const cuts: number[] = [];
  const linktypes = new Set<number>();
  const rd = new CaptureFileReader(file);
  const times: Array<[number, number]> = [];
  let clamped = 0;
  const drain = (): void => {
    e.dissect(batch);
    const u8 = e.views.refresh().u8;
    for (let i = 0; i < batch.count; i++) {
      view.at(batch, i);
      fmt.format(view, u8, times[i][0], times[i][1], texts.length + 1);
      const start = fmt.lastStart;
      texts.push(fmt.lastText().replace(/\n$/, ''));
      cuts.push(fmt.lastCut < 0 ? -1 : fmt.lastCut - start);
      out.pos = 0;
    }
    batch.clear();
    times.length = 0;
  };
  try {
    for (let r = rd.next(); r !== null; r = rd.next()) {
      linktypes.add(r.linktype);
      const snap = libpcapSnapshot(rd.info.format === 'pcap' ? rd.info.snaplen : rd.info.interfaces[r.iface]?.snaplen ?? 0);
      let data = r.data;
      if (data.length > snap) { data = data.subarray(0, snap); clamped++; }
      if (!batch.push(data, r.linktype, r.wirelen, r.iface)) { drain(); batch.push(data, r.linktype, r.wirelen, r.iface); }
      times.push([r.tsSec, r.tsNsec]);
    }
  } catch (err) {
    if (!(err instanceof PktError)) throw err;
  } finally {
    rd.close();
  }
  drain();
  return { texts, cuts, linktypes, clamped };
}

/** tcpdump's text per packet, split on the -# frame numbers. */
export function tcpdumpPackets(file: string, args: string[]): string[] {
  const r = spawnSync('tcpdump', ['-#', ...args, '-r', file], { encoding: 'latin1', env: { ...process.env, TZ: 'UTC' }, maxBuffer: 256 << 20 });
  const pkts: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const mm = /^\s*(\d+) {2}/.exec(line);
    if (mm && Number(mm[1]) === pkts.length + 1) pkts.push(line.slice(mm[0].length));
    else if (pkts.length > 0 && line !== '') pkts[pkts.length - 1] += `\n${line}`;
  }
  return pkts;
}

export function compareWithTcpdump(file: string, args: string[]): CompareResult {
  const res: CompareResult = { exact: 0, prefix: 0, mismatches: [], files: 0, skipped: [] };
  const ours = formatCapture(file, optionsFromArgs(args));
  if (ours.linktypes.size > 1) {
    // tcpdump refuses pcapng files whose interfaces differ in link type.
    res.skipped.push(`${basename(file)} (several link types)`);
    return res;
  }
  const theirs = tcpdumpPackets(file, args);
  res.files = 1;
  for (let i = 0; i < theirs.length; i++) {
    const t = theirs[i];
    const o = ours.texts[i];
    const cut = ours.cuts[i];
    if (o === undefined) { res.mismatches.push(`${basename(file)} #${i + 1}: missing; tcpdump: ${t}`); continue; }
    if (o === t) res.exact++;
    else if (cut >= 0 && t.startsWith(o.slice(0, cut))) res.prefix++;
    else res.mismatches.push(`${basename(file)} #${i + 1}\n     ours: ${JSON.stringify(cut >= 0 ? `${o.slice(0, cut)}|${o.slice(cut)}` : o)}\n     tcpd: ${JSON.stringify(t)}`);
  }
  return res;
}
