// One pass of decode()-shaped objects over the corpus against its tshark reference
// dissections (<capture>.tshark.csv): frames paired with tshark's rows, field SETS
// compared per frame (tshark-fields.ts), every difference either covered by exactly one
// allow-list entry (tshark-allowlist.ts) or reported. Shared by dissect-tshark (decode()
// on both backends) and the JSON sink test (the sink's lines parsed back).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { DecodedPacket } from '../../host/dissect/decode.js';
import type { Engine } from '../../host/engine/engine.js';
import { Reassembler } from '../../host/reasm/reassembler.js';
import { readCaptureFile, type CaptureRecord } from '../../host/sources/capture-file.js';
import { parseTsharkCsv, type TsharkRow } from './tshark-csv.js';
import { decodedFields, diffFields, layerOf, tsharkFields, VOCABULARY, type FieldDiff, type FieldSet } from './tshark-fields.js';
import { ALLOWANCES, type Allowance, type Section } from './tshark-allowlist.js';

/** tshark's VOCABULARY fields of every frame of `file`, a row each (`extra`: options such
 *  as decode-as rules). */
export function tsharkFieldRows(file: string, extra: readonly string[] = []): TsharkRow[] {
  const csv = execFileSync('tshark', ['-r', file, ...extra, '-T', 'fields', '-E', 'separator=,', '-E', 'header=y', '-E', 'quote=d',
    '-e', 'frame.number', ...VOCABULARY.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return parseTsharkCsv(csv);
}

/** One frame's fields against tshark's row: how many agree, and a line per difference,
 *  each headed by `label`. */
export function compareFrame(pkt: DecodedPacket, row: TsharkRow, label: string): { agreed: number; problems: string[] } {
  const ours = decodedFields(pkt);
  const theirs = tsharkFields(row);
  const diffs = diffFields(ours, theirs);
  return {
    agreed: [...ours.keys()].filter((k) => theirs.has(k) && !diffs.some((x) => x.field === k)).length,
    problems: diffs.map((x) => `${label} ${x.field} ${x.kind}: ours ${JSON.stringify(x.ours)} tshark ${JSON.stringify(x.theirs)}`),
  };
}

/** decode()-shaped objects for every record of one capture, in order. */
export type DecodeCapture = (path: string, records: CaptureRecord[]) => DecodedPacket[];

/** decode() of every record on `engine`, with IP reassembly as tshark defragments (a
 *  reassembler per capture, driven by the records' timestamps). */
export function decodeWithReassembly(engine: Engine): DecodeCapture {
  const batch = engine.createBatch(1, 1 << 20);
  return (_path, records) => {
    const reasm = new Reassembler(engine, { maxDatagrams: 64, maxBytes: 256 * 1024, outputBytes: 0x10400 });
    return records.map((rec) => {
      batch.clear();
      batch.push(rec.data, rec.linktype, rec.wirelen);
      batch.setTime(0, rec.tsSec, rec.tsNsec);
      engine.dissect(batch);
      reasm.process(batch);
      return engine.decodeAt(batch, 0);
    });
  };
}

export interface Comparison {
  captures: number;
  frames: number;
  /** tshark rows for pcapng custom blocks, which are no packet (corpus README). */
  customRows: number;
  /** Per protocol layer: fields both sides give with equal values. */
  agreed: Map<string, number>;
  /** Differences each allow-list entry covered. */
  allowed: Map<Allowance, number>;
  /** Differences no entry covers, and frames that could not be paired. */
  problems: string[];
}

/**
 * Agreeing fields per layer in one pass over the corpus as it is today (69 captures,
 * 1,237 frames): the floors are the real counts, which can only grow as gaps close (a
 * field that stops agreeing is a difference, which fails on its own). So neither
 * frame.len and frame.cap_len alone nor a corpus or CSV reader that lost a protocol can
 * pass.
 */
export const LAYER_FLOORS: ReadonlyMap<string, number> = new Map([
  ['frame', 2474], ['eth', 606], ['vlan', 223], ['ip', 7448], ['ipv6', 222],
  ['tcp', 938], ['udp', 921], ['icmp', 120], ['icmpv6', 22], ['arp', 25],
]);

const KNOWN: ReadonlySet<string> = new Set(VOCABULARY);

function hasProtocolFields(row: TsharkRow): boolean {
  for (const k of row.keys()) if (!k.startsWith('frame.')) return true;
  return false;
}

function covering(capture: string, frame: number, d: FieldDiff, ours: FieldSet, theirs: FieldSet): Allowance | undefined {
  return ALLOWANCES.find((a) => a.capture === capture && a.kind === d.kind && a.fields.includes(d.field)
    && (a.frames === undefined || a.frames.includes(frame))
    && (a.when === undefined || a.when(ours, theirs)));
}

const show = (v: string[] | undefined): string => (v === undefined ? '-' : JSON.stringify(v));

export function compareCorpus(files: readonly string[], root: string, decodeCapture: DecodeCapture): Comparison {
  const c: Comparison = { captures: 0, frames: 0, customRows: 0, agreed: new Map(), allowed: new Map(), problems: [] };
  for (const path of files) {
    const name = relative(root, path);
    const csv = `${path}.tshark.csv`;
    c.captures++;
    if (!existsSync(csv)) { c.problems.push(`${name}: no tshark reference ${csv}`); continue; }
    const rows = parseTsharkCsv(readFileSync(csv, 'utf8'));
    // A column outside the vocabulary would be a field nobody compares.
    const unknown = new Set(rows.flatMap((row) => [...row.keys()]).filter((k) => k !== 'frame.number' && !KNOWN.has(k)));
    if (unknown.size) c.problems.push(`${name}: tshark columns outside the compared vocabulary: ${[...unknown].join(', ')}`);
    const { records } = readCaptureFile(path);
    const decoded = decodeCapture(path, records);
    if (decoded.length !== records.length) {
      c.problems.push(`${name}: ${decoded.length} decoded frames for ${records.length} records`);
      continue;
    }
    let r = 0;
    for (const row of rows) {
      const rec = records[r];
      // tshark 4.0 lists pcapng custom blocks as frames (corpus README): such rows match
      // no record of ours and carry no protocol field.
      if (rec === undefined || String(rec.wirelen) !== row.get('frame.len')?.[0] || String(rec.caplen) !== row.get('frame.cap_len')?.[0]) {
        if (!hasProtocolFields(row) && path.endsWith('.pcapng')) { c.customRows++; continue; }
        c.problems.push(`${name} tshark row ${row.get('frame.number')?.[0]}: no matching record (ours #${r + 1})`);
        break;
      }
      const ours = decodedFields(decoded[r]);
      const theirs = tsharkFields(row);
      r++;
      c.frames++;
      const diffs = diffFields(ours, theirs);
      const differing = new Set(diffs.map((d) => d.field));
      for (const [field] of ours) {
        if (theirs.has(field) && !differing.has(field)) c.agreed.set(layerOf(field), (c.agreed.get(layerOf(field)) ?? 0) + 1);
      }
      for (const d of diffs) {
        const a = covering(name, rec.number, d, ours, theirs);
        if (a !== undefined) c.allowed.set(a, (c.allowed.get(a) ?? 0) + 1);
        else c.problems.push(`${name} frame ${rec.number} ${d.field} (${d.kind}): ours ${show(d.ours)} tshark ${show(d.theirs)}`);
      }
    }
    if (r !== records.length && !c.problems.some((p) => p.startsWith(`${name} `))) {
      c.problems.push(`${name}: ${records.length - r} records without a tshark row`);
    }
  }
  return c;
}

/** Entries that covered nothing (stale: the gap is fixed, remove the entry) or not exactly their count. */
export function allowanceProblems(c: Comparison): string[] {
  const out: string[] = [];
  for (const a of ALLOWANCES) {
    const n = c.allowed.get(a) ?? 0;
    const what = `${a.capture} ${a.kind} ${a.fields.join(',')}`;
    if (n === 0) out.push(`stale allow-list entry (no such difference any more, remove it): ${what}`);
    else if (n !== a.count) out.push(`allow-list entry ${what} covers ${n} differences, written for ${a.count}`);
  }
  return out;
}

export function layerFloorProblems(c: Comparison): string[] {
  const out: string[] = [];
  for (const [layer, floor] of LAYER_FLOORS) {
    const n = c.agreed.get(layer) ?? 0;
    if (n < floor) out.push(`only ${n} ${layer} fields agreed with tshark (floor ${floor})`);
  }
  return out;
}

/** NOTE lines: the figures of one pass and the allow-list by section. */
export function describe(label: string, c: Comparison): string[] {
  const total = [...c.agreed.values()].reduce((s, n) => s + n, 0);
  const perLayer = [...LAYER_FLOORS.keys()].map((l) => `${l} ${c.agreed.get(l) ?? 0}`).join(', ');
  const lines = [
    `NOTE ${label}: ${c.captures} captures, ${c.frames} frames, ${total} fields agree (${perLayer}); ${c.customRows} tshark custom-block rows skipped`,
  ];
  for (const section of ['accepted', 'gap'] as Section[]) {
    const entries = ALLOWANCES.filter((a) => a.section === section);
    const n = entries.reduce((s, a) => s + (c.allowed.get(a) ?? 0), 0);
    const byIssue = section === 'gap'
      ? ` (${[...new Set(entries.map((a) => a.issue))].map((i) => `${i} ${entries.filter((a) => a.issue === i).reduce((s, a) => s + (c.allowed.get(a) ?? 0), 0)}`).join(', ')})`
      : '';
    lines.push(`NOTE ${label}: allow-list ${section === 'accepted' ? '(a) accepted differences' : '(b) known product gaps'}: ${entries.length} entries, ${n} field differences${byIssue}`);
  }
  return lines;
}
