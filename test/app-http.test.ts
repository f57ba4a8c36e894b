// The HTTP/1.x decoder against both oracles, run here: its fields against tshark's (per
// frame, every occurrence, TCP reassembly off) and the text the sink prints for it
// (httpTextForFrame) against tcpdump's line for the same frame, with -nn and -v. Traffic:
// curl against python3's http.server recorded in a network namespace (lib/app-traffic.ts;
// lo at MTU 1500 without GSO, so a body spans segments: no segment but the first carries
// the start line, and those print "HTTP" alone), the corpus captures carrying HTTP, and the
// crafted segments of lib/http-seeds.ts (bare LF, lines without CR LF, bare CR, control
// characters, folded lines, two Hosts, a port found by content, captures cut in the
// request line and in the headers). Both backends.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import { eachAppFrame } from './lib/app-decode.js';
import type { DecodedHttp } from '../host/app/http/decode.js';
import { httpTextForFrame } from '../host/app/http/text.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { corpusCaptures, corpusOrSkip, haveTool, needRoot, Rng, seed } from './lib/env.js';
import { recordWeb, haveWebTools } from './lib/app-traffic.js';
import { tsharkFields, compareFrame, newTally, put, type Fields, type Tally } from './lib/app-tshark.js';
import { httpSeedCapture, httpSeedFrames, httpSeeds, type HttpSeed } from './lib/http-seeds.js';
import { mutateAndCut } from './lib/mutate-frames.js';
import { sniffPackets } from './lib/sniff-text.js';
import { writePcap } from './lib/dns-frames.js';
import { tcpdumpText } from './text-output-tcpdump.js';

export const HTTP_FIELDS = [
  'http.request.method', 'http.request.uri', 'http.request.version', 'http.response.version', 'http.response.code',
  'http.response.phrase', 'http.host', 'http.user_agent', 'http.content_type', 'http.content_length_header', 'http.server',
] as const;

/** Our fields of one frame as tshark prints them (an empty value prints as nothing there). */
export function httpFieldsOf(d: DecodedHttp | undefined): Fields {
  const f: Fields = new Map();
  if (d === undefined) return f;
  const one = (k: string, v: string | number | undefined): void => { if (v !== undefined && v !== '') put(f, k, [v]); };
  one('http.request.method', d.request?.method);
  one('http.request.uri', d.request?.uri);
  one('http.request.version', d.request?.version);
  one('http.response.version', d.response?.version);
  one('http.response.code', d.response?.code);
  one('http.response.phrase', d.response?.phrase);
  one('http.host', d.host);
  one('http.user_agent', d.user_agent);
  one('http.content_type', d.content_type);
  one('http.content_length_header', d.content_length_header);
  one('http.server', d.server);
  return f;
}

interface Capture { path: string; label: string; theirs: Map<number, Fields>; seeds?: HttpSeed[] }

let dir = '';
const captures: Capture[] = [];
let recorded = false;
const FUZZ = Number(process.env.APP_TEXT_FUZZ_FRAMES ?? 5000);

test.before(async () => {
  if (!haveTool('tshark') || !haveTool('tcpdump')) return;
  dir = mkdtempSync(join(tmpdir(), 'app-http-'));
  const add = (path: string, label: string, seeds?: HttpSeed[]): void => {
    captures.push({ path, label, theirs: tsharkFields(path, HTTP_FIELDS, ['-d', 'tcp.port==8000,http']), seeds });
  };
  for (const path of corpusCaptures().filter((p) => /http|print-flags/.test(basename(p)))) add(path, basename(path));
  add(httpSeedCapture(dir), 'http-seeds', httpSeeds());
  if (!needRoot('recording HTTP in a network namespace')) return;
  if (!haveWebTools('app-http')) return;
  const w = await recordWeb(dir, 1500, { tls: false });
  add(w.path, 'web-1500');
  recorded = true;
});

test.after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

function compareFields(c: Capture, backend: 'wasm' | 'ts', t: Tally): Array<DecodedHttp | undefined> {
  const e = createEngine({ backend });
  const { records } = readCaptureFile(c.path);
  const ours = records.map((r) => e.decode(r.data, r.linktype, r.wirelen).http);
  t.captures++;
  records.forEach((r, i) => {
    const a = httpFieldsOf(ours[i]);
    const b = c.theirs.get(r.number) ?? new Map();
    const seed = c.seeds?.[i];
    if (seed?.tshark === undefined) { compareFrame(c.label, r.number, a, b, t); return; }
    const differ = [...new Set([...a.keys(), ...b.keys()])].filter((k) => JSON.stringify(a.get(k) ?? []) !== JSON.stringify(b.get(k) ?? []));
    t.frames++;
    if (JSON.stringify(differ.sort()) !== JSON.stringify([...seed.tshark.fields].sort())) {
      t.diffs.push(`${c.label} #${r.number} (${seed.name}): fields that differ ${JSON.stringify(differ)} (ours ${JSON.stringify([...a])}, tshark ${JSON.stringify([...b])}), listed ${JSON.stringify(seed.tshark.fields)}`);
    }
  });
  return ours;
}

/** Our HTTP text per frame (null: tcpdump prints none) and the frame's TCP payload length. */
function ourText(path: string, vflag: number, backend: 'wasm' | 'ts'): Array<{ text: string | null; payLen: number }> {
  const out: Array<{ text: string | null; payLen: number }> = [];
  eachAppFrame(backend, readCaptureFile(path).records, 256, (view, u8, rec) => {
    out.push({ text: httpTextForFrame(view, u8, view.frame, rec, { vflag })?.text ?? null, payLen: view.payloadLen });
  });
  return out;
}

interface TextTally { lines: number; equal: number; silent: number; diffs: string[] }

/** Our HTTP text against tcpdump's for every frame of a capture, -nn and -v. */
function compareText(path: string, label: string, backend: 'wasm' | 'ts', t: TextTally): void {
  for (const [vflag, opts] of [[0, ['-nn']], [1, ['-nn', '-v']]] as const) {
    const theirs = tcpdumpText(path, [...opts]);
    assert.equal(theirs.problems, [], 'tcpdump read the capture');
    const mine = ourText(path, vflag, backend);
    assert.is(theirs.packets.length, mine.length, `${label}: packets`);
    mine.forEach((m, i) => {
      const line = theirs.packets[i];
      if (m.text === null) {
        // tcpdump prints no HTTP for this frame either.
        if (/: HTTP\b/.test(line)) t.diffs.push(`${label} #${i + 1} ${opts.join(' ')}: ours none, tcpdump ${line}`);
        else t.silent++;
        return;
      }
      t.lines++;
      const before = line.slice(0, line.length - m.text.length);
      if (line.endsWith(m.text) && before.endsWith(`length ${m.payLen}`)) t.equal++;
      else t.diffs.push(`${label} #${i + 1} ${opts.join(' ')}:\n  ours    ...${JSON.stringify(m.text)}\n  tcpdump ${JSON.stringify(line)}`);
    });
  }
}

test('sniff prints every packet of the HTTP captures as tcpdump does, -nn and -v (text sink hook)', () => {
  if (captures.length === 0) return;
  let packets = 0;
  const diffs: string[] = [];
  for (const c of captures) {
    for (const opts of [['-nn'], ['-nn', '-v']]) {
      const theirs = tcpdumpText(c.path, opts).packets;
      sniffPackets(c.path, opts, theirs.length).forEach((line, i) => {
        packets++;
        if (line !== theirs[i]) diffs.push(`${c.label} #${i + 1} ${opts.join(' ')}:\n  sniff   ${line}\n  tcpdump ${theirs[i]}`);
      });
    }
  }
  console.log(`app-http sniff: ${packets - diffs.length} of ${packets} packets print tcpdump's whole text`);
  assert.equal(diffs.slice(0, 10), [], 'sniff differs from tcpdump');
});

for (const backend of ['wasm', 'ts'] as const) {
  test(`every HTTP field equals tshark's (${backend})`, () => {
    if (captures.length === 0) return;
    const t = newTally();
    let requests = 0;
    let responses = 0;
    for (const c of captures) {
      for (const d of compareFields(c, backend, t)) {
        if (d?.request !== undefined) requests++;
        if (d?.response !== undefined) responses++;
      }
    }
    console.log(`app-http tshark (${backend}): ${t.captures} captures, ${t.frames} frames, ${t.values} field values compared, ${requests} requests, ${responses} responses, ${t.diffs.length} differences`);
    assert.equal(t.diffs, [], 'differences from tshark');
    if (corpusOrSkip('the corpus HTTP captures were not compared with tshark (crafted and recorded messages only)')) {
      assert.ok(requests >= (recorded ? 25 : 18) && responses >= (recorded ? 10 : 3), 'the HTTP messages were compared');
    } else {
      // The crafted messages (18 requests, 2 responses) and the recording's (7 and 7).
      assert.ok(requests >= (recorded ? 25 : 18) && responses >= (recorded ? 9 : 2), 'the crafted (and recorded) HTTP messages were compared');
    }
  });

  test(`HTTP text equals tcpdump's, -nn and -v (${backend})`, () => {
    if (captures.length === 0) return;
    const t = { lines: 0, equal: 0, silent: 0, diffs: [] as string[] };
    for (const c of captures) compareText(c.path, c.label, backend, t);
    console.log(`app-http text (${backend}): ${t.equal} of ${t.lines} HTTP lines equal tcpdump's (-nn and -v), ${t.silent} frames where neither prints HTTP`);
    assert.equal(t.diffs, [], 'differences from tcpdump');
    assert.ok(t.lines >= (recorded ? 80 : 40), 'HTTP lines were compared');
  });

  test(`HTTP text of ${FUZZ} mutated and cut frames equals tcpdump's (${backend})`, () => {
    if (captures.length === 0) return;
    const rng = new Rng(seed());
    const special = [0x0D, 0x0A, 0x20, 0x09, 0x3A, 0x00, 0x7F, 0xFF];
    const { frames, caplens } = mutateAndCut(rng, httpSeedFrames().map((s) => s.frame), FUZZ, () => 54,
      () => (rng.u32() % 2 === 0 ? special[rng.u32() % special.length] : rng.u32() & 0xFF));
    const path = join(dir, `http-fuzz-${backend}.pcap`);
    writePcap(path, frames, caplens);
    const t = { lines: 0, equal: 0, silent: 0, diffs: [] as string[] };
    compareText(path, 'mutated', backend, t);
    console.log(`app-http text, mutated (${backend}): ${t.equal} of ${t.lines} HTTP lines equal tcpdump's (-nn and -v), ${t.silent} frames where neither prints HTTP`);
    assert.equal(t.diffs.slice(0, 20), [], 'differences from tcpdump');
    assert.ok(t.lines > FUZZ, 'HTTP lines were compared');
  });
}

test.run();
