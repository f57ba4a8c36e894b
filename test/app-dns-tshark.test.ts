// decode()'s DNS fields against tshark, run here, on every corpus capture that carries DNS
// (a frame to or from port 53, 5353 or 5355 in tshark's reference CSV, or one our decoder
// claims) and on the crafted frames of lib/dns-seeds.ts: per frame, every field below, all
// occurrences in order, must be what `tshark -T fields -E occurrence=a` prints. tshark runs
// per frame as we do: no IP defragmentation, no TCP reassembly. Both backends.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import type { DecodedPacket } from '../host/dissect/decode.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { corpusCaptures, corpusMoreCaptures, haveTool } from './lib/env.js';
import { parseTsharkCsv } from './lib/tshark-csv.js';
import { dnsSeeds } from './lib/dns-seeds.js';
import { writePcapng } from './lib/dns-frames.js';

export const DNS_FIELDS = [
  'dns.id', 'dns.flags.response', 'dns.flags.opcode', 'dns.flags.rcode', 'dns.flags.authoritative', 'dns.flags.truncated',
  'dns.flags.recdesired', 'dns.flags.recavail', 'dns.flags.z', 'dns.flags.authenticated', 'dns.flags.checkdisable',
  'dns.flags.conflict', 'dns.flags.tentative',
  'dns.count.queries', 'dns.count.answers', 'dns.count.auth_rr', 'dns.count.add_rr',
  'dns.qry.name', 'dns.qry.type', 'dns.qry.class',
  'dns.resp.name', 'dns.resp.type', 'dns.resp.class', 'dns.resp.ttl', 'dns.resp.len',
  'dns.a', 'dns.aaaa', 'dns.cname', 'dns.ptr.domain_name', 'dns.mx.preference', 'dns.mx.mail_exchange', 'dns.ns', 'dns.txt',
  'dns.soa.mname', 'dns.soa.rname', 'dns.soa.serial_number', 'dns.soa.refresh_interval', 'dns.soa.retry_interval',
  'dns.soa.expire_limit', 'dns.soa.minimum_ttl', 'dns.srv.service', 'dns.srv.proto', 'dns.srv.name',
  'dns.srv.priority', 'dns.srv.weight', 'dns.srv.port', 'dns.srv.target',
  'dns.rr.udp_payload_size', 'dns.resp.ext_rcode', 'dns.resp.edns0_version', 'dns.resp.z.do', 'dns.length',
] as const;

const SEP = '\u0001'; // between occurrences: TXT strings hold commas and semicolons

const hex = (n: number, w: number): string => `0x${n.toString(16).padStart(w, '0')}`;

/** Our fields of one frame, formatted as tshark -T fields prints them. */
export function dnsFieldsOf(p: DecodedPacket): Map<string, string[]> {
  const f = new Map<string, string[]>();
  const d = p.dns;
  if (d === undefined) return f;
  const put = (k: string, vs: Array<string | number>): void => { if (vs.length > 0) f.set(k, vs.map(String)); };
  if (d.id !== undefined) put('dns.id', [hex(d.id, 4)]);
  if (d.flags !== undefined) {
    for (const [k, v] of Object.entries(d.flags)) put(`dns.flags.${k}`, [v]);
  }
  if (d.count !== undefined) for (const [k, v] of Object.entries(d.count)) put(`dns.count.${k}`, [v]);
  put('dns.qry.name', d.qry.map((q) => q.name));
  put('dns.qry.type', d.qry.map((q) => q.type));
  put('dns.qry.class', d.qry.map((q) => hex(q.class, 4)));
  put('dns.resp.name', d.resp.flatMap((r) => (r.name === undefined ? [] : [r.name])));
  put('dns.resp.type', d.resp.flatMap((r) => [r.type, ...(r.bitmap_types ?? [])]));
  put('dns.resp.class', d.resp.flatMap((r) => (r.class === undefined ? [] : [hex(r.class, 4)])));
  put('dns.resp.ttl', d.resp.flatMap((r) => (r.ttl === undefined ? [] : [r.ttl])));
  put('dns.resp.len', d.resp.map((r) => r.len));
  put('dns.rr.udp_payload_size', d.resp.flatMap((r) => (r.udp_payload_size === undefined ? [] : [r.udp_payload_size])));
  put('dns.resp.ext_rcode', d.resp.flatMap((r) => (r.ext_rcode === undefined ? [] : [hex(r.ext_rcode, 2)])));
  put('dns.resp.edns0_version', d.resp.flatMap((r) => (r.edns0_version === undefined ? [] : [r.edns0_version])));
  put('dns.resp.z.do', d.resp.flatMap((r) => (r.z === undefined ? [] : [r.z.do])));
  put('dns.a', d.a ?? []);
  put('dns.aaaa', d.aaaa ?? []);
  put('dns.cname', d.cname ?? []);
  put('dns.ptr.domain_name', d.ptr?.domain_name ?? []);
  put('dns.mx.preference', d.mx?.preference ?? []);
  put('dns.mx.mail_exchange', d.mx?.mail_exchange ?? []);
  put('dns.ns', d.ns ?? []);
  put('dns.txt', d.txt ?? []);
  if (d.soa !== undefined) for (const [k, v] of Object.entries(d.soa)) put(`dns.soa.${k}`, v);
  if (d.srv !== undefined) for (const [k, v] of Object.entries(d.srv)) put(`dns.srv.${k}`, v);
  if (d.length !== undefined) put('dns.length', [d.length]);
  return f;
}

/** tshark's fields per frame number. */
export async function tsharkDnsFields(path: string): Promise<Map<number, Map<string, string[]>>> {
  const args = ['-r', path, '-o', 'ip.defragment:FALSE', '-o', 'tcp.desegment_tcp_streams:FALSE',
    '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', `aggregator=${SEP}`,
    '-e', 'frame.number', ...DNS_FIELDS.flatMap((x) => ['-e', x])];
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const c = spawn('tshark', args);
    let so = '';
    let se = '';
    c.stdout.setEncoding('utf8').on('data', (x: string) => { so += x; });
    c.stderr.setEncoding('utf8').on('data', (x: string) => { se += x; });
    c.on('error', reject);
    c.on('close', (n) => resolve({ code: n, stdout: so, stderr: se }));
  });
  assert.is(code, 0, `tshark on ${path}: ${stderr}`);
  const out = new Map<number, Map<string, string[]>>();
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const cols = line.split('\t');
    const m = new Map<string, string[]>();
    DNS_FIELDS.forEach((name, i) => { const v = cols[i + 1] ?? ''; if (v !== '') m.set(name, v.split(SEP)); });
    out.set(Number(cols[0]), m);
  }
  return out;
}

const DNS_PORTS = new Set(['53', '5353', '5355']);

function carriesDns(path: string, ours: DecodedPacket[]): boolean {
  if (ours.some((p) => p.dns !== undefined)) return true;
  const csv = `${path}.tshark.csv`;
  if (!existsSync(csv)) return false;
  return parseTsharkCsv(readFileSync(csv, 'utf8')).some((row) =>
    ['udp.srcport', 'udp.dstport', 'tcp.srcport', 'tcp.dstport'].some((k) => (row.get(k) ?? []).some((v) => DNS_PORTS.has(v))));
}

interface Tally { captures: number; frames: number; values: number; diffs: string[] }

/** Frames to compare: each with where it came from, and tshark's fields for it. */
interface Frame { label: string; linktype: number; data: Uint8Array; wirelen: number; theirs?: Map<string, string[]> }

function compare(frames: Frame[], backend: 'wasm' | 'ts', t: Tally): void {
  const e = createEngine({ backend });
  const labels = new Set<string>();
  for (const r of frames) {
    const a = dnsFieldsOf(e.decode(r.data, r.linktype, r.wirelen));
    const b = r.theirs ?? new Map<string, string[]>();
    if (a.size === 0 && b.size === 0) continue;
    labels.add(r.label.split(' ')[0]);
    t.frames++;
    for (const k of new Set([...a.keys(), ...b.keys()])) {
      const x = a.get(k) ?? [];
      const y = b.get(k) ?? [];
      t.values += Math.max(x.length, y.length);
      if (JSON.stringify(x) !== JSON.stringify(y)) t.diffs.push(`${r.label} ${k}: ours ${JSON.stringify(x)} tshark ${JSON.stringify(y)}`);
    }
  }
  t.captures = labels.size;
}

const have = haveTool('tshark');
const work = mkdtempSync(join(tmpdir(), 'app-dns-'));
const e0 = createEngine();
// Every record of every capture that carries DNS, then the crafted frames, in one pcapng:
// one tshark run reads them all (tshark's start-up is most of its time). The hostile seeds
// are left out: for a name that breaks the rules (a loop, a forward pointer, a label type
// 01/10, over 255 bytes) or a record past the message, our decoder flags it and stops,
// where Wireshark prints a marker ("<Name contains a pointer that loops>") or follows the
// forward pointer. app-dns-fuzz and app-dns-text cover them.
const corpusFrames: Frame[] = [];
for (const path of [...corpusCaptures(), ...corpusMoreCaptures()]) {
  const { records } = readCaptureFile(path);
  if (!carriesDns(path, records.map((r) => e0.decode(r.data, r.linktype, r.wirelen)))) continue;
  for (const r of records) corpusFrames.push({ label: `${basename(path)} #${r.number}`, linktype: r.linktype, data: r.data, wirelen: r.wirelen });
}
const seedFrames: Frame[] = dnsSeeds().filter((s) => !s.hostile)
  .map((s, i) => ({ label: `seed ${i + 1} (${s.what})`, linktype: 1, data: s.frame, wirelen: s.frame.length }));

test.before(async () => {
  if (!have) return;
  const all = [...corpusFrames, ...seedFrames];
  const path = join(work, 'all.pcapng');
  writePcapng(path, all);
  const theirs = await tsharkDnsFields(path);
  all.forEach((f, i) => { f.theirs = theirs.get(i + 1); });
});

test.after(() => { rmSync(work, { recursive: true, force: true }); });

for (const backend of ['wasm', 'ts'] as const) {
  test(`every DNS field of every corpus frame equals tshark's (${backend})`, () => {
    if (!have) return;
    const t: Tally = { captures: 0, frames: 0, values: 0, diffs: [] };
    compare(corpusFrames, backend, t);
    console.log(`app-dns-tshark (${backend}): ${t.captures} captures with DNS, ${t.frames} frames, ${t.values} field values compared, ${t.diffs.length} differences`);
    assert.equal(t.diffs, [], 'differences from tshark');
    assert.ok(t.captures >= 13 && t.frames >= 227 && t.values >= 6600, 'the corpus DNS captures were compared');
  });

  test(`every DNS field of the crafted frames equals tshark's (${backend})`, () => {
    if (!have) return;
    const t: Tally = { captures: 0, frames: 0, values: 0, diffs: [] };
    compare(seedFrames, backend, t);
    console.log(`app-dns-tshark seeds (${backend}): ${t.frames} frames, ${t.values} field values compared, ${t.diffs.length} differences`);
    assert.equal(t.diffs, [], 'differences from tshark');
    assert.ok(t.frames >= 26, 'the crafted frames were compared');
  });
}

test.run();
