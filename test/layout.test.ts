// Layouts are written once, in assembly/*layout.ts; host/runtime/generate-layout.mjs writes
// the host's TypeScript constants and the addon's C header from them. This checks every
// generated side against the globals the WASM module exports under the same names (the
// module is compiled from the hand-written sources, so it is the reference), that the
// generated files are current, and that the layouts hold together: fields inside their
// records and not overlapping, the typed-array indexes matching the byte offsets, one bit
// per SLOT_FLAGS meaning. It also keeps raw frame-table offsets out of host/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as hostLayout from '../host/runtime/layout.js';
import * as flowLayout from '../host/flows/flow-layout.js';
import * as wheelLayout from '../host/wheel/wheel-layout.js';
import * as poolLayout from '../host/pool/pool-layout.js';
import * as lpmLayout from '../host/lpm/lpm-layout.js';
import { createEngine } from '../host/engine/engine.js';
import { LAYOUTS } from '../host/runtime/generate-layout.mjs';
import { haveTool, repoRoot } from './lib/env.js';

const wasm = createEngine({ backend: 'wasm' }).wasm;
const L = hostLayout as unknown as Record<string, number>;
const GENERATOR = join(repoRoot, 'host/runtime/generate-layout.mjs');

/** Every layout the generator knows, with its generated module as compiled by tsc. */
const generatedModules = await Promise.all(LAYOUTS.map(async (l) => ({
  ...l, module: (await import(pathToFileURL(join(repoRoot, l.ts.replace(/\.ts$/, '.js'))).href)) as Record<string, unknown>,
})));

/** The WASM export `name` as an unsigned 32-bit value (i32 globals come back signed). */
function wasmValue(name: string): number {
  const g = wasm[name];
  assert.ok(g instanceof WebAssembly.Global, `the WASM module exports no global ${name}`);
  return ((g as WebAssembly.Global).value as number) >>> 0;
}

test('the generated files are what the generator makes of the current sources', () => {
  const r = spawnSync(process.execPath, [GENERATOR, '--check'], { cwd: repoRoot, encoding: 'utf8' });
  assert.is(r.status, 0, `generate-layout --check failed:\n${r.stdout}${r.stderr}`);
});

test('every generated file starts with its "generated from ... do not edit" line', () => {
  assert.ok(LAYOUTS.length >= 3, `the generator knows ${LAYOUTS.length} layouts`);
  for (const l of LAYOUTS) {
    const first = readFileSync(join(repoRoot, l.ts), 'utf8').split('\n')[0];
    assert.is(first, `// generated from ${l.source} by host/runtime/generate-layout.mjs: do not edit`, l.ts);
    if (l.c === undefined) continue;
    const h = readFileSync(join(repoRoot, l.c), 'utf8').split('\n')[0];
    assert.is(h, `/* generated from ${l.source} by host/runtime/generate-layout.mjs: do not edit */`, l.c);
  }
});

for (const l of generatedModules) {
  test(`${l.ts}: the constants of ${l.source}, each equal to the WASM export of the same name`, () => {
    // The source's names, read independently of the generator.
    const declared = [...readFileSync(join(repoRoot, l.source), 'utf8').matchAll(/^export const ([A-Za-z0-9_]+)/gm)].map((m) => m[1]);
    const generated = Object.keys(l.module);
    assert.equal([...generated].sort(), [...declared].sort(), `${l.ts} holds exactly the constants of ${l.source}`);
    assert.ok(generated.length > 0, `${l.ts} is empty`);
    for (const [name, value] of Object.entries(l.module)) {
      assert.type(value, 'number', name);
      assert.is(wasmValue(name), (value as number) >>> 0, name);
    }
    console.log(`${l.ts}: ${generated.length} constants equal to the WASM exports`);
  });
}

for (const l of generatedModules) {
  if (l.c === undefined) continue;
  const c = l.c;
  test(`${c}, compiled: every #define equals the WASM export of the same name`, () => {
    if (!haveTool('gcc')) return;
    const header = join(repoRoot, c);
    const names = [...readFileSync(header, 'utf8').matchAll(/^#define ([A-Z][A-Z0-9_]*) \S/gm)].map((m) => m[1]);
    assert.equal([...names].sort(), Object.keys(l.module).sort(), `${c} defines exactly the constants of ${l.ts}`);
    const dir = mkdtempSync(join(tmpdir(), 'pktwasm-layout-'));
    try {
      const src = join(dir, 'print-layout.c');
      writeFileSync(src, [
        '#include <stdio.h>',
        `#include "${header}"`,
        'int main(void) {',
        ...names.map((n) => `  printf("%s %lld\\n", "${n}", (long long)(${n}));`),
        '  return 0;',
        '}',
        '',
      ].join('\n'));
      const exe = join(dir, 'print-layout');
      const cc = spawnSync('gcc', ['-std=c11', '-Wall', '-Wextra', '-Werror', '-o', exe, src], { encoding: 'utf8' });
      assert.is(cc.status, 0, `gcc failed on ${c}:\n${cc.stderr}`);
      const run = spawnSync(exe, [], { encoding: 'utf8' });
      assert.is(run.status, 0, run.stderr);
      const lines = run.stdout.trim().split('\n');
      assert.is(lines.length, names.length);
      for (const line of lines) {
        const [name, value] = line.split(' ');
        assert.is(Number(value) >>> 0, wasmValue(name), `${c} ${name}`);
      }
      console.log(`${c}: ${lines.length} #defines, compiled by gcc, equal to the WASM exports`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** Fields (offset, width in bytes) of `layout` must lie inside [0, size), naturally aligned
 *  (arrays to their element, `align`), and not overlap. */
function assertFieldsOf(layout: Record<string, number>, record: string, size: number, fields: Record<string, number>, align: Record<string, number> = {}): void {
  const used = new Array<string | undefined>(size);
  for (const [name, width] of Object.entries(fields)) {
    const off = layout[name];
    assert.type(off, 'number', `${name} is a layout constant`);
    const a = align[name] ?? width;
    assert.ok(off % a === 0, `${name} (${off}) is aligned to ${a}`);
    for (let i = off; i < off + width; i++) {
      assert.ok(i < size, `${name} runs past the end of the ${record} (${size} bytes)`);
      assert.is(used[i], undefined, `${name} overlaps ${used[i]} at byte ${i} of the ${record}`);
      used[i] = name;
    }
  }
}

/** The same for the constants of the host layout (assembly/layout.ts). */
function assertFields(record: string, size: number, fields: Record<string, number>, align: Record<string, number> = {}): void {
  assertFieldsOf(L, record, size, fields, align);
}

/** `width` bytes for each of `names`, for assertFieldsOf. */
function eachWide(names: string[], width: number): Record<string, number> {
  return Object.fromEntries(names.map((n) => [n, width]));
}

/** The names of `layout` that match `re`, less `except`. */
function namesOf(layout: Record<string, number>, re: RegExp, except: string[] = []): string[] {
  return Object.keys(layout).filter((k) => re.test(k) && !except.includes(k));
}

test('descriptor fields: each says its width, fits in DESC_SIZE and overlaps no other', () => {
  // The width is the one the field's comment in assembly/layout.ts gives (u8, u16, u32,
  // u8[N], or "N bytes"), on its line or on the comment line opening the block above it.
  const lines = readFileSync(join(repoRoot, 'assembly/layout.ts'), 'utf8').split('\n');
  const widths: Record<string, number> = {};
  const align: Record<string, number> = {};
  const ELEM: Record<string, number> = { u8: 1, u16: 2, u32: 4 };
  lines.forEach((line, i) => {
    const m = /^export const (D_[A-Z0-9_]+): i32 = \S+;\s*(?:\/\/\s*(.*))?$/.exec(line);
    if (m === null) return;
    let j = i;
    while (j > 0 && lines[j - 1].startsWith('//')) j--;
    const said = [m[2] ?? '', j < i ? lines[j].replace(/^\/\/\s*/, '') : ''];
    let w: number | undefined;
    for (const text of said) {
      const t = /^(u8|u16|u32)(?:\[(\d+)\])?\b/.exec(text);
      const b = /^(\d+) bytes\b/.exec(text);
      if (t !== null) { w = ELEM[t[1]] * Number(t[2] ?? 1); align[m[1]] = ELEM[t[1]]; break; }
      if (b !== null) { w = Number(b[1]); align[m[1]] = 1; break; }
    }
    assert.ok(w !== undefined, `assembly/layout.ts:${i + 1}: ${m[1]}: say its width (u8, u16, u32, u8[N] or N bytes) in its comment`);
    widths[m[1]] = w;
  });
  const declared = Object.keys(L).filter((k) => k.startsWith('D_'));
  assert.equal(Object.keys(widths).sort(), declared.sort(), 'every D_ field of the host layout is read from the source');
  assert.ok(declared.length >= 55, `only ${declared.length} descriptor fields`);
  assertFields('descriptor', L.DESC_SIZE, widths, align);
});

test('frame table, timestamps, slot and ring headers: fields inside their records, no overlap', () => {
  assertFields('frame table entry', L.FRAME_SIZE, { FRAME_PTR: 4, FRAME_CAPLEN: 4, FRAME_WIRELEN: 4, FRAME_LINKTYPE: 2, FRAME_IFACE: 2 });
  assertFields('timestamp entry', L.TIME_SIZE, { TIME_SEC: 4, TIME_NSEC: 4 });
  assertFields('slot header', L.SLOT_HDR_SIZE, {
    SLOT_CAPLEN: 4, SLOT_WIRELEN: 4, SLOT_TS_SEC: 4, SLOT_TS_NSEC: 4, SLOT_LINKTYPE: 2, SLOT_IFACE: 2, SLOT_FLAGS: 4,
  });
  assert.ok(L.SLOT_DATA >= L.SLOT_HDR_SIZE, 'frame bytes start after the slot header');
  assertFields('ring header', L.RING_HDR_SIZE, {
    RING_HEAD: 4, RING_TAIL: 4, RING_SLOT_COUNT: 4, RING_SLOT_SIZE: 4, RING_SLOTS: 4, RING_MASK: 4, RING_DROPS: 4,
    RING_FLAGS: 4, RING_WAITING: 4, RING_DROPS_HI: 4, RING_TAIL_SEEN: 4, RING_HEAD_SEEN: 4,
  });
  // The producer's and the consumer's counters each on a 64-byte line of their own.
  const line = (off: number): number => Math.floor(off / 64);
  const shared = ['RING_SLOT_COUNT', 'RING_SLOT_SIZE', 'RING_SLOTS', 'RING_MASK', 'RING_DROPS', 'RING_FLAGS', 'RING_WAITING', 'RING_DROPS_HI'];
  assert.is.not(line(L.RING_HEAD), line(L.RING_TAIL));
  // Each side's copy of the other's counter sits on its own line, which it writes anyway.
  assert.is(line(L.RING_TAIL_SEEN), line(L.RING_HEAD), 'the producer keeps its copy of the tail beside the head');
  assert.is(line(L.RING_HEAD_SEEN), line(L.RING_TAIL), 'the consumer keeps its copy of the head beside the tail');
  for (const f of shared) assert.ok(line(L[f]) !== line(L.RING_HEAD) && line(L[f]) !== line(L.RING_TAIL), `${f} shares a line with head or tail`);
});

test('the typed-array indexes (FRAME_W_*, FRAME_H_*, TIME_W_*) name the same bytes as the offsets', () => {
  assert.is(L.FRAME_WORDS * 4, L.FRAME_SIZE);
  assert.is(L.TIME_WORDS * 4, L.TIME_SIZE);
  const words: [string, string][] = [
    ['FRAME_W_PTR', 'FRAME_PTR'], ['FRAME_W_CAPLEN', 'FRAME_CAPLEN'], ['FRAME_W_WIRELEN', 'FRAME_WIRELEN'],
    ['FRAME_W_LINK', 'FRAME_LINKTYPE'], ['TIME_W_SEC', 'TIME_SEC'], ['TIME_W_NSEC', 'TIME_NSEC'],
  ];
  for (const [w, b] of words) assert.is(L[w] * 4, L[b], `${w} * 4 === ${b}`);
  assert.is(L.FRAME_H_LINKTYPE * 2, L.FRAME_LINKTYPE);
  assert.is(L.FRAME_H_IFACE * 2, L.FRAME_IFACE);
  // FRAME_W_LINK is written as one word: link type in the low half, interface in the high.
  assert.is(L.FRAME_IFACE, L.FRAME_LINKTYPE + 2);
  const named = Object.keys(L).filter((k) => /^(FRAME|TIME)_[WH]_/.test(k)).sort();
  assert.equal(named, [...words.map(([w]) => w), 'FRAME_H_LINKTYPE', 'FRAME_H_IFACE'].sort(), 'every index is checked here');
});

test('SLOT_FLAGS: each SF_* is one bit of its own (SF_WIRELEN_UNKNOWN no longer shares one)', () => {
  const flags = Object.keys(L).filter((k) => k.startsWith('SF_'));
  assert.ok(flags.includes('SF_WIRELEN_UNKNOWN') && flags.includes('SF_PCAP_CHUNK'), flags.join(' '));
  let seen = 0;
  for (const f of flags) {
    const bit = L[f];
    assert.ok(bit > 0 && (bit & (bit - 1)) === 0, `${f} = ${bit} is a single bit`);
    assert.is(seen & bit, 0, `${f} shares its bit with another SF_*`);
    seen |= bit;
  }
});

test('chunk slot: CHUNK_* fields inside the slot header, apart from the fields a chunk keeps', () => {
  assertFields('chunk slot header', L.SLOT_HDR_SIZE, {
    CHUNK_DATA_LEN: 4, CHUNK_RECORDS: 4, CHUNK_WIRE_BYTES: 8, SLOT_FLAGS: 4, SLOT_LINKTYPE: 2,
  });
  // Slots are 64-byte aligned (RING_SLOTS, RING_SLOT_SIZE), so an 8-aligned offset is an
  // f64 view index.
  assert.is(L.CHUNK_WIRE_BYTES % 8, 0);
});

test('flow table: header, bucket and entry fields inside their records, offsets distinct', () => {
  const F = flowLayout as unknown as Record<string, number>;
  const counts = new Set(['FT_HDR_SIZE', 'FT_CHUNK', 'FT_WHEEL_OUT', 'FT_PROBE', 'FT_SCRATCH_SIZE']);
  const groups: [string, RegExp, number][] = [
    ['header', /^FT_(?!SC_)/, F.FT_HDR_SIZE], ['scratch', /^FT_SC_/, F.FT_SCRATCH_SIZE], ['entry', /^FE_/, F.FE_SIZE],
  ];
  for (const [what, re, size] of groups) {
    const fields = Object.keys(F).filter((k) => re.test(k) && !counts.has(k) && k !== 'FE_SIZE');
    assert.ok(fields.length > 3, what);
    const offs = new Map<number, string>();
    for (const f of fields) {
      assert.ok(F[f] >= 0 && F[f] < size, `${f} = ${F[f]} lies inside the ${what} (${size} bytes)`);
      assert.is(offs.get(F[f]), undefined, `${f} and ${offs.get(F[f])} are the same ${what} offset`);
      offs.set(F[f], f);
    }
  }
  assert.ok(F.FB_OVERFLOW < F.FB_IDX && F.FB_IDX + F.FB_SLOTS * 4 <= F.FB_SIZE, 'bucket: signatures, overflow, indexes');
});

test('timer wheel: header and node fields inside their records, no overlap', () => {
  const W = wheelLayout as unknown as Record<string, number>;
  const header = namesOf(W, /^WH_/, ['WH_HDR_SIZE', 'WH_BITMAP']);
  assert.ok(header.length >= 14, header.join(' '));
  // The bitmap holds one bit per slot.
  assertFieldsOf(W, 'wheel header', W.WH_HDR_SIZE, { ...eachWide(header, 4), WH_BITMAP: W.WHEEL_SLOTS / 8 }, { WH_BITMAP: 4 });
  const node = namesOf(W, /^WN_/, ['WN_SIZE']);
  assertFieldsOf(W, 'wheel node', W.WN_SIZE, eachWide(node, 4));
  assert.is(node.length * 4, W.WN_SIZE, 'a node is its u32 fields, nothing else (the twin reads it as words)');
  // Node 0 is nil, nodes 1..WHEEL_SLOTS the slots' sentinels.
  assert.is(W.WHEEL_FIRST, W.WHEEL_SLOTS + 1);
  // A handle keeps 32 - IDX_BITS generation bits: at least 6 at the largest pool, all 32 in
  // a wide handle (IDX_BITS <= 21) up to WHEEL_MAX_WIDE_CAPACITY.
  const idxBits = (capacity: number): number => 32 - Math.clz32(W.WHEEL_FIRST + capacity);
  assert.ok(32 - idxBits(W.WHEEL_MAX_CAPACITY) >= 6, 'WHEEL_MAX_CAPACITY keeps 6 generation bits');
  assert.ok(idxBits(W.WHEEL_MAX_WIDE_CAPACITY) <= 21 && idxBits(W.WHEEL_MAX_WIDE_CAPACITY + 1) > 21, 'WHEEL_MAX_WIDE_CAPACITY is the last with 21 index bits');
});

test('buffer pool: header and mbuf fields inside their records, results distinct', () => {
  const P = poolLayout as unknown as Record<string, number>;
  const header = namesOf(P, /^POOL_/, ['POOL_HDR_SIZE', 'POOL_MAGIC_VALUE', 'POOL_BAD_HANDLE', 'POOL_DOUBLE_FREE']);
  assert.ok(header.length >= 16, header.join(' '));
  assertFieldsOf(P, 'pool header', P.POOL_HDR_SIZE, eachWide(header, 4));
  const mbuf = namesOf(P, /^MB_/, ['MB_SIZE']);
  assertFieldsOf(P, 'mbuf record', P.MB_SIZE, eachWide(mbuf, 4));
  assert.is(mbuf.length * 4, P.MB_SIZE, 'an mbuf is its u32 fields (the twin reads it as words)');
  assert.is(P.POOL_HDR_SIZE % 64, 0, 'the free stack after the header starts 64-byte aligned');
  assert.ok(P.POOL_BAD_HANDLE < 0 && P.POOL_DOUBLE_FREE < 0 && P.POOL_BAD_HANDLE !== P.POOL_DOUBLE_FREE, 'pool_free failures: negative, distinct');
});

test('lpm: the shared header, then each family\'s own fields inside its header; status codes distinct', () => {
  const M = lpmLayout as unknown as Record<string, number>;
  const shared = namesOf(M, /^LPM_H_/, ['LPM_H_SIZE']);
  assert.ok(shared.length >= 28, shared.join(' '));
  assertFieldsOf(M, 'lpm shared header', M.LPM_H_SIZE, eachWide(shared, 4));
  // The twins index the header as u32 words: every field on a word.
  for (const f of shared) assert.is(M[f] % 4, 0, f);
  assertFieldsOf(M, 'lpm4 header', M.LPM4_HEADER, { LPM4_H_DEPTHS: 33 * 4 }, { LPM4_H_DEPTHS: 4 });
  assert.ok(M.LPM4_H_DEPTHS >= M.LPM_H_SIZE, 'lpm4 depth counts after the shared header');
  assertFieldsOf(M, 'lpm6 header', M.LPM6_HEADER, { LPM6_H_KEY: 16, LPM6_H_KEY2: 16, LPM6_H_DEPTHS: 129 * 4 }, { LPM6_H_KEY: 16, LPM6_H_KEY2: 16, LPM6_H_DEPTHS: 4 });
  assert.ok(M.LPM6_H_KEY >= M.LPM_H_SIZE, 'lpm6 scratch keys after the shared header');
  // The first level follows the header in a 64-byte aligned region.
  assert.is(M.LPM4_HEADER % 64, 0);
  assert.is(M.LPM6_HEADER % 64, 0);
  const codes = ['LPM_OK', 'LPM_UPDATED', 'LPM_E_DEPTH', 'LPM_E_RULES', 'LPM_E_TBL8', 'LPM_E_NOT_FOUND'].map((c) => M[c]);
  assert.is(new Set(codes).size, codes.length, 'status codes distinct');
  assert.is(M.LPM_EXT & M.LPM_GROUP_MASK, 0, 'the group bit is not a group index bit');
});

/** host/ TypeScript sources, generated files and declarations left out. */
function hostSources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...hostSources(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

test('host/ reads frame tables and timestamps by name, not by raw offset', () => {
  // The shapes the raw offsets had: u32[e + 1], u16[(e << 1) + 6], (table >>> 2) + 2, i * 16.
  const raw = /\[(?:e|t|tp) \+ \d\]|\(e << 1\) \+ \d|\((?:\w+\.)?(?:table|times) >>> 2\) \+ \d|(?:table|times) \+ i \* \d+\)/;
  const generated = new Set(LAYOUTS.map((l) => join(repoRoot, l.ts)));
  const bad: string[] = [];
  let files = 0;
  for (const file of hostSources(join(repoRoot, 'host'))) {
    if (generated.has(file)) continue;
    const text = readFileSync(file, 'utf8');
    if (!/\b(?:FRAME|TIME)_[A-Z_]+\b|\btable\b|\btimes\b/.test(text)) continue;
    files++;
    text.split('\n').forEach((line, i) => {
      if (raw.test(line)) bad.push(`${relative(repoRoot, file)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.ok(files > 10, `only ${files} files looked at`);
  assert.equal(bad, [], 'use FRAME_W_* / FRAME_H_* / TIME_W_* (or the byte offsets) from the layout');
});

test.run();
