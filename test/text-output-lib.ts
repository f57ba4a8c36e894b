// Shared by the text-output tests: formats a capture with the engine and the text sink,
// has tcpdump print it (text-output-tcpdump.ts), and compares packet by packet.
//
// The comparison rule is the test's, not the formatter's. A packet passes when
//  - our text equals tcpdump's, or
//  - our text equals tcpdump's up to tcpdump's application-layer part: the point right
//    after a transport header's standard fields, found in tcpdump's own text (TCP: from
//    "Flags [" to ", length N"; UDP: the ports and, with -v, the checksum verdict) and
//    followed in tcpdump's line by application text. Application printers (DNS, BOOTP,
//    BGP, HTTP ...) are issue #16's; everything before them must be equal.
// Any other difference is a failure unless the known-gaps list (text-output-gaps.ts)
// names that packet, with its owner issue.
import { basename, relative } from 'node:path';
import { createEngine, type Engine } from '../host/engine/engine.js';
import { CaptureFileReader } from '../host/sources/capture-file.js';
import { TextBuffer } from '../host/sinks/text/buffer.js';
import { TextFormatter, type TextOptions } from '../host/sinks/text/format.js';
import { PktError } from '../host/runtime/errors.js';
import { tcpdumpText } from './text-output-tcpdump.js';
import { corpusDir } from './lib/env.js';
import { writePcap } from './filter-oracle.js';

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

export interface OurText {
  /** Our text per packet (index = packet number - 1), without the final newline. */
  texts: string[];
  /** Records longer than the snapshot length, cut to it as libpcap cuts them. */
  clamped: number;
  /** The reader's error if it stopped before the end of the file. */
  readError: string | null;
}

/** Our text for every packet. The formatter gets the bytes tcpdump gets: libpcap cuts a
 *  record whose captured length exceeds the file's (or interface's) snapshot length to
 *  that length (sf-pcap.c, "the packet is bigger than the snapshot length"), while our
 *  reader and Wireshark keep every captured byte; the formatter is compared on what
 *  tcpdump formats, and the count of such records is reported. */
export function formatCapture(file: string, opts: TextOptions): OurText {
  engine ??= createEngine();
  const e = engine;
  const batch = e.createBatch(64, 64 * 70000);
  const view = e.createView();
  const out = new TextBuffer(-1);
  const fmt = new TextFormatter(out, { ...opts, numbers: false });
  const texts: string[] = [];
  const rd = new CaptureFileReader(file);
  const times: Array<[number, number]> = [];
  let clamped = 0;
  let readError: string | null = null;
  const drain = (): void => {
    e.dissect(batch);
    const u8 = e.views.refresh().u8;
    for (let i = 0; i < batch.count; i++) {
      view.at(batch, i);
      fmt.format(view, u8, times[i][0], times[i][1], texts.length + 1);
      texts.push(fmt.lastText().replace(/\n$/, ''));
      out.pos = 0;
    }
    batch.clear();
    times.length = 0;
  };
  try {
    for (let r = rd.next(); r !== null; r = rd.next()) {
      const snap = libpcapSnapshot(rd.info.format === 'pcap' ? rd.info.snaplen : rd.info.interfaces[r.iface]?.snaplen ?? 0);
      let data = r.data;
      if (data.length > snap) { data = data.subarray(0, snap); clamped++; }
      if (!batch.push(data, r.linktype, r.wirelen, r.iface)) { drain(); batch.push(data, r.linktype, r.wirelen, r.iface); }
      times.push([r.tsSec, r.tsNsec]);
    }
  } catch (err) {
    if (!(err instanceof PktError)) throw err;
    readError = err.message;
  } finally {
    rd.close();
  }
  drain();
  return { texts, clamped, readError };
}

// A transport header's standard fields as tcpdump prints them (print-tcp.c, print-udp.c).
const TCP_FIELDS = /Flags \[[^\]]*\](?:, cksum 0x[0-9a-f]{4} \((?:correct|incorrect -> 0x[0-9a-f]{4})\))?(?:, seq \d+(?::\d+)?)?(?:, ack \d+)?, win \d+(?:, urg \d+)?(?:, options \[.*?\])?, length \d+/g;
const IP4_PORT = String.raw`\d{1,3}(?:\.\d{1,3}){3}\.\d+`;
const IP6_PORT = String.raw`[0-9a-f]*:[0-9a-f:]*(?:\d{1,3}(?:\.\d{1,3}){3})?\.\d+`;
const UDP_PORTS = new RegExp(String.raw`(?<=^|[ \n])(?:${IP4_PORT} > ${IP4_PORT}|${IP6_PORT} > ${IP6_PORT}|\d+ > \d+): ` +
  String.raw`(?:\[udp sum ok\] |\[bad udp cksum 0x[0-9a-f]{4} -> 0x[0-9a-f]{4}!\] |\[no cksum\] )?`, 'g');
/** What tcpdump prints after the standard fields that is still the transport's own text
 *  (RST data, caplen and header-length complaints, truncation markers, UDP's generic
 *  form), or the start of another transport header: never application text. */
const TRANSPORT_TEXT = /^(?: ?\[(?:!?RST|remaining caplen|bad hdr length|\|tcp\]|\|udp\])|Flags \[|tcp \d|sctp|DCCP|UDP|truncated-udp|\[udp sum|\[bad udp|\[no cksum)/;

/** Offsets in tcpdump's text where its application-layer part begins (after a transport
 *  header's standard fields, with application text following), ascending. */
export function appLayerStarts(theirs: string): number[] {
  const out: number[] = [];
  for (const re of [TCP_FIELDS, UDP_PORTS]) {
    re.lastIndex = 0;
    for (let m = re.exec(theirs); m !== null; m = re.exec(theirs)) {
      const end = m.index + m[0].length;
      const rest = theirs.slice(end);
      if (rest.length === 0 || TRANSPORT_TEXT.test(rest)) continue;
      // TCP: application text follows ", length N" after ": " or " " (DNS over TCP).
      if (re === TCP_FIELDS && !/^(?::? )/.test(rest)) continue;
      out.push(end);
    }
  }
  return out.sort((a, b) => a - b);
}

export type Verdict = 'exact' | 'app' | 'diff';

/** The rule of the header comment for one packet. */
export function judge(ours: string, theirs: string): Verdict {
  if (ours === theirs) return 'exact';
  const starts = appLayerStarts(theirs);
  for (let k = starts.length - 1; k >= 0; k--) if (ours.startsWith(theirs.slice(0, starts[k]))) return 'app';
  return 'diff';
}

/** Where a differing packet stops agreeing: the start of the word in which the texts
 *  first differ (both texts are equal before it). */
export function divergence(ours: string, theirs: string): number {
  let d = 0;
  while (d < ours.length && d < theirs.length && ours[d] === theirs[d]) d++;
  while (d > 0 && !/[ \n\t]/.test(theirs[d - 1])) d--;
  return d;
}

export interface PacketDiff {
  /** The capture (CaptureComparison.file). */
  file: string;
  /** Packet number, from 1. */
  frame: number;
  ours: string;
  tcpdump: string;
  /** divergence(ours, tcpdump). */
  at: number;
}

export interface CaptureComparison {
  /** The capture's path inside the corpus, or the label the caller gave. */
  file: string;
  /** Packets we print; tcpdump's count must be the same. */
  packets: number;
  exact: number;
  app: number;
  diffs: PacketDiff[];
  /** Failures of the comparison itself: counts, tcpdump's exit, our reader. */
  problems: string[];
  /** How tcpdump's text was obtained, when not by one plain run. */
  note: string;
  clamped: number;
}

/** A corpus capture's path inside the corpus (the known-gaps list names captures so). */
export function corpusLabel(file: string): string {
  const dir = corpusDir();
  const rel = dir === null ? '' : relative(dir, file);
  return rel === '' || rel.startsWith('..') ? basename(file) : rel;
}

export function compareWithTcpdump(file: string, args: string[], name = corpusLabel(file)): CaptureComparison {
  const ours = formatCapture(file, optionsFromArgs(args));
  const theirs = tcpdumpText(file, args);
  const res: CaptureComparison = {
    file: name, packets: ours.texts.length, exact: 0, app: 0, diffs: [], problems: [...theirs.problems], note: theirs.note, clamped: ours.clamped,
  };
  if (ours.readError !== null) res.problems.push(`${name}: our reader stopped: ${ours.readError}`);
  if (theirs.packets.length !== ours.texts.length) res.problems.push(`${name}: we print ${ours.texts.length} packets, tcpdump ${theirs.packets.length}`);
  const n = Math.min(theirs.packets.length, ours.texts.length);
  for (let i = 0; i < n; i++) {
    const o = ours.texts[i];
    const t = theirs.packets[i];
    const v = judge(o, t);
    if (v === 'exact') res.exact++;
    else if (v === 'app') res.app++;
    else res.diffs.push({ file: name, frame: i + 1, ours: o, tcpdump: t, at: divergence(o, t) });
  }
  return res;
}

/** One line for a difference: both texts from where they part. */
export function showDiff(d: PacketDiff): string {
  const from = Math.max(0, d.at - 40);
  return `${d.file} #${d.frame}\n     ours: ${JSON.stringify(d.ours.slice(from))}\n     tcpd: ${JSON.stringify(d.tcpdump.slice(from))}`;
}

export interface CraftedFrame { data: Uint8Array; wirelen: number }

/** A crafted frame whole, then cut short at from, from + step ... (wirelen stays whole). */
export function wholeAndCuts(whole: readonly number[], from: number, step: number): CraftedFrame[] {
  const frames: CraftedFrame[] = [{ data: Uint8Array.from(whole), wirelen: whole.length }];
  for (let cut = from; cut < whole.length; cut += step) frames.push({ data: Uint8Array.from(whole.slice(0, cut)), wirelen: whole.length });
  return frames;
}

/** Crafted frames of one link type written to `file` and printed by tcpdump and by us
 *  with -nn -tt and each of `optionSets`: every line must be equal (or equal up to
 *  tcpdump's application layer). Returns the problems (empty when all agree) and the
 *  number of lines equal in full. */
export function compareCrafted(file: string, linktype: number, frames: CraftedFrame[], optionSets: string[][]): { problems: string[]; exact: number } {
  writePcap(file, linktype, frames);
  const problems: string[] = [];
  let exact = 0;
  for (const extra of optionSets) {
    const r = compareWithTcpdump(file, ['-nn', '-tt', ...extra], basename(file));
    const label = `tcpdump -nn ${extra.join(' ')}`;
    problems.push(...r.problems.map((p) => `${label}: ${p}`), ...r.diffs.map((d) => `${label}: ${showDiff(d)}`));
    if (r.exact + r.app !== frames.length) problems.push(`${label}: ${r.exact + r.app} of ${frames.length} lines compared`);
    exact += r.exact;
  }
  return { problems, exact };
}
