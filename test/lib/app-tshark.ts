// Application fields against tshark, per frame: tshark runs on the capture with TCP
// reassembly, TCP sequence analysis and IP defragmentation off (pktwasm decodes one frame at a time, as tshark
// then does) and prints every occurrence of each field; a test turns its decoded objects
// into the same strings and compares the lists in order, field by field.
import { spawnSync } from 'node:child_process';
import * as assert from 'uvu/assert';
import { createEngine } from '../../host/engine/engine.js';
import type { DecodedPacket } from '../../host/dissect/decode.js';
import { readCaptureFile, type CaptureRecord } from '../../host/sources/capture-file.js';

export type Fields = Map<string, string[]>;

const SEP = '\u0001'; // between occurrences: values may hold commas

/** tshark's fields per frame number. `extra`: more tshark options (-d decode-as ...). */
export function tsharkFields(path: string, fields: readonly string[], extra: string[] = [], sep = SEP): Map<number, Fields> {
  const r = spawnSync('tshark', ['-r', path, '-o', 'ip.defragment:FALSE', '-o', 'tcp.desegment_tcp_streams:FALSE',
    // Sequence analysis off: tshark would not dissect the payload of a segment it takes for
    // a retransmission, and pktwasm decodes each segment as it comes.
    '-o', 'tcp.analyze_sequence_numbers:FALSE', ...extra,
    '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', `aggregator=${sep}`,
    '-e', 'frame.number', ...fields.flatMap((x) => ['-e', x])], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.is(r.status, 0, `tshark on ${path}: ${r.stderr}`);
  const out = new Map<number, Fields>();
  for (const line of r.stdout.split('\n')) {
    if (line === '') continue;
    const cols = line.split('\t');
    const m: Fields = new Map();
    fields.forEach((name, i) => { const v = cols[i + 1] ?? ''; if (v !== '') m.set(name, v.split(sep)); });
    out.set(Number(cols[0]), m);
  }
  return out;
}

export interface Tally { captures: number; frames: number; values: number; diffs: string[] }

export const newTally = (): Tally => ({ captures: 0, frames: 0, values: 0, diffs: [] });

/** Compares our fields of frame `n` with tshark's: every field either side has. */
export function compareFrame(label: string, n: number, ours: Fields, theirs: Fields, t: Tally): void {
  if (ours.size === 0 && theirs.size === 0) return;
  t.frames++;
  for (const k of new Set([...ours.keys(), ...theirs.keys()])) {
    const x = ours.get(k) ?? [];
    const y = theirs.get(k) ?? [];
    t.values += Math.max(x.length, y.length);
    if (JSON.stringify(x) !== JSON.stringify(y)) t.diffs.push(`${label} #${n} ${k}: ours ${JSON.stringify(x)} tshark ${JSON.stringify(y)}`);
  }
}

export const hex = (n: number, w: number): string => `0x${n.toString(16).padStart(w, '0')}`;

/** A property of a decoded object and the tshark field that shows it: a key alone is shown
 *  as `prefix + key`; a pair names the field. */
export type FieldKey<T> = (keyof T & string) | readonly [string, keyof T & string];

/**
 * Appends, for each of `keys` in order, the property's value (each one of an array) under
 * its tshark name when it is set: the field-by-field copy of a decoded object into tshark's
 * names, written as a table.
 */
export function addFields<T extends object>(f: Fields, prefix: string, o: T, keys: ReadonlyArray<FieldKey<T>>): void {
  for (const k of keys) {
    const name = typeof k === 'string' ? prefix + k : k[0];
    const v: unknown = o[typeof k === 'string' ? k : k[1]];
    if (v === undefined) continue;
    const vs = Array.isArray(v) ? v.map(String) : [String(v)];
    if (vs.length > 0) f.set(name, [...(f.get(name) ?? []), ...vs]);
  }
}

/** Sets the field when there is something to set. */
export function put(f: Fields, k: string, vs: ReadonlyArray<string | number> | undefined): void {
  if (vs !== undefined && vs.length > 0) f.set(k, vs.map(String));
}

/** tshark's frame number of each packet of the capture, in order: tshark 4.0 numbers pcapng
 *  custom blocks as frames too (corpus README), which carry no packet and are left out. */
export function tsharkPacketNumbers(path: string): number[] {
  const r = spawnSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.encap_type'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.is(r.status, 0, `tshark on ${path}: ${r.stderr}`);
  return r.stdout.split('\n').map((l) => l.split('\t')).filter(([n, encap]) => n !== '' && encap !== undefined && encap !== '').map(([n]) => Number(n));
}

/** One packet of a compared capture: its record and index, decode()'s object on the
 *  backend, and tshark's fields of the same packet. */
export interface ComparedPacket { record: CaptureRecord; index: number; pkt: DecodedPacket; theirs: Fields }

/**
 * Decodes every packet of each capture on `backend` and hands it, with tshark's `fields`
 * of the same packet, to `visit`; counts the captures in `t`. tshark must see as many
 * packets as the capture holds (custom blocks left out, see tsharkPacketNumbers).
 */
export function eachPacketWithTshark<C extends { path: string; label: string }>(
  backend: 'wasm' | 'ts', captures: readonly C[], fields: readonly string[], t: Tally, visit: (c: C, p: ComparedPacket) => void,
): void {
  for (const c of captures) {
    const e = createEngine({ backend });
    const { records } = readCaptureFile(c.path);
    const theirs = tsharkFields(c.path, fields);
    const numbers = tsharkPacketNumbers(c.path);
    assert.is(numbers.length, records.length, `${c.label}: tshark's packets`);
    t.captures++;
    records.forEach((record, index) => {
      const pkt = e.decode(record.data, record.linktype, record.wirelen);
      visit(c, { record, index, pkt, theirs: theirs.get(numbers[index]) ?? new Map() });
    });
  }
}
