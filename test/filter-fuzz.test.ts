// WASM vs TS twin on damaged input: every corpus frame cut at random lengths and with
// random bytes changed, under the expression suite and under random expressions built
// from the grammar. The two must agree on every frame and never throw. Seeded (SEED=…).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine } from '../host/engine/engine.js';
import { compileFilter, FilterError, type CompiledFilter } from '../host/filter/index.js';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL } from '../host/runtime/layout.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { corpusCaptures, corpusDir, Rng, seed } from './lib/env.js';
import { EXPRESSIONS } from './filter-oracle.js';

const eng = createEngine();
const s = seed();
const rng = new Rng(s ^ 0xf122);
console.log(`SEED ${s} (filter fuzz)`);

// Every one of these link types has frames in the corpus (108 takes the NULL ones).
const LINKS = [0, 1, 101, 108, 113, 228, 229, 276];
// Absent corpus outside CI: corpusCaptures() printed the SKIP line (in CI it threw).
const corpusPresent = corpusDir() !== null;
const byLink = new Map<number, Uint8Array[]>();
for (const path of corpusCaptures()) {
  for (const r of readCaptureFile(path).records) {
    if (!LINKS.includes(r.linktype)) continue;
    const g = byLink.get(r.linktype) ?? [];
    g.push(r.data.slice(0, 256));
    byLink.set(r.linktype, g);
  }
}

function mutate(d: Uint8Array): Uint8Array {
  const out = d.slice(0, rng.int(d.length + 1));
  const flips = rng.int(4);
  for (let i = 0; i < flips && out.length > 0; i++) out[rng.int(Math.min(out.length, 64))] = rng.int(256);
  return out;
}

function compile(expr: string, linktype: number, backend: 'wasm' | 'ts'): CompiledFilter | FilterError {
  try {
    return compileFilter(expr, { linktype, memory: eng.memory, backend });
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
}

/** Both backends' filters, or null when both reject the expression (one alone is a failure). */
function both(expr: string, linktype: number): [CompiledFilter, CompiledFilter] | null {
  const w = compile(expr, linktype, 'wasm');
  const t = compile(expr, linktype, 'ts');
  if (w instanceof FilterError || t instanceof FilterError) {
    assert.ok(w instanceof FilterError && t instanceof FilterError, `"${expr}" linktype ${linktype}: one backend rejects it, the other accepts it`);
    return null;
  }
  return [w, t];
}

const ATOMS = [
  'ip', 'ip6', 'arp', 'tcp', 'udp', 'icmp', 'icmp6', 'vlan', 'port 53', 'tcp port 80', 'portrange 1-1000',
  'host 8.8.8.8', 'net 10.0.0.0/8', 'ip6 net fe80::/10', 'ether multicast', 'less 80', 'greater 200',
  'tcp[13] & 2 != 0', 'ip[0] & 0xf > 5', 'udp[4:2] > 40', 'ip[6:2] & 0x1fff = 0', 'icmp[0] = 8',
  'ip[2:2] / (ip[0] & 0xf) > 10', 'tcp[(tcp[12] >> 4) * 4] = 0x16', 'link[0] & 1 = 1', 'ip6[6] = 58',
  'len - 20 > ip[2:2]', 'ip[ip[0] & 0xf] < 0x80', 'udp[8:4] ^ 0xdeadbeef != 0', 'ip[1] << ip[8] > 3',
];

function randomExpr(depth = 0): string {
  const r = rng.int(10);
  if (depth > 3 || r < 4) return ATOMS[rng.int(ATOMS.length)];
  if (r < 6) return `not ${randomExpr(depth + 1)}`;
  const op = rng.bool() ? 'and' : 'or';
  return `(${randomExpr(depth + 1)} ${op} ${randomExpr(depth + 1)})`;
}

function agree(linktype: number, frames: Uint8Array[], exprs: string[]): number {
  const bytes = frames.reduce((n, f) => n + f.length + 16, 64);
  const batch = eng.createBatch(frames.length, bytes);
  for (const f of frames) batch.push(f, linktype, f.length + rng.int(64));
  const outW = eng.arena.alloc(frames.length);
  const outT = eng.arena.alloc(frames.length);
  let compared = 0;
  for (const expr of exprs) {
    const fs = both(expr, linktype);
    if (fs === null) continue;
    const [w, t] = fs;
    const nw = w.matchBatch(batch.table, batch.count, outW);
    const nt = t.matchBatch(batch.table, batch.count, outT);
    const u8 = eng.views.refresh().u8;
    for (let i = 0; i < frames.length; i++) {
      if (u8[outW + i] !== u8[outT + i]) {
        const hex = Buffer.from(batch.frameBytes(i)).toString('hex');
        assert.unreachable(`"${expr}" linktype ${linktype}: WASM ${u8[outW + i]} TS ${u8[outT + i]} on ${hex}`);
      }
    }
    assert.is(nw, nt, expr);
    // The single-frame entry points agree with the batch.
    for (let k = 0; k < 8 && frames.length > 0; k++) {
      const i = rng.int(frames.length);
      const args: [number, number, number] = [batch.framePtr(i), batch.caplen(i), batch.wirelen(i)];
      assert.is(w.match(...args), u8[outW + i] === 1, `${expr}: wasm match() = batch`);
      assert.is(t.match(...args), u8[outT + i] === 1, `${expr}: ts match() = batch`);
    }
    compared++;
  }
  return compared;
}

for (const linktype of LINKS) {
  test(`linktype ${linktype}: damaged frames, WASM and TS agree on the expression suite`, () => {
    if (!corpusPresent) return;
    const src = byLink.get(linktype === 108 ? 0 : linktype) ?? [];
    assert.ok(src.length > 0, `the corpus has no frame of link type ${linktype}`);
    const frames: Uint8Array[] = [];
    while (frames.length < 600) frames.push(mutate(src[rng.int(src.length)]));
    const n = agree(linktype, frames, EXPRESSIONS);
    console.log(`NOTE filter fuzz linktype ${linktype}: ${src.length} corpus frames, 600 damaged, ${n} of ${EXPRESSIONS.length} expressions compared (the rest rejected by both backends)`);
    assert.ok(n > 0, `no expression compiled for link type ${linktype}`);
  });
}

test('random expressions: WASM and TS agree on damaged Ethernet and SLL frames', () => {
  if (!corpusPresent) return;
  const exprs = Array.from({ length: 150 }, () => randomExpr());
  for (const lt of [LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL]) {
    const src = byLink.get(lt) ?? [];
    assert.ok(src.length > 0, `the corpus has no frame of link type ${lt}`);
    const frames = Array.from({ length: 300 }, () => mutate(src[rng.int(src.length)]));
    const n = agree(lt, frames, exprs);
    console.log(`NOTE filter fuzz random expressions linktype ${lt}: ${n} of ${exprs.length} compared`);
    assert.ok(n > 100, `${n} random expressions compiled`);
  }
});

test('frames of another link type never match; an empty batch is fine', () => {
  for (const backend of ['wasm', 'ts'] as const) {
    const f = compileFilter('', { linktype: LINKTYPE_ETHERNET, memory: eng.memory, backend });
    const batch = eng.createBatch(4);
    batch.push(new Uint8Array(60), LINKTYPE_ETHERNET);
    batch.push(new Uint8Array(60), LINKTYPE_LINUX_SLL);
    const out = eng.arena.alloc(4);
    assert.is(f.matchBatch(batch.table, batch.count, out), 1, backend);
    const u8 = eng.views.refresh().u8;
    assert.equal([u8[out], u8[out + 1]], [1, 0]);
    assert.is(f.matchBatch(batch.table, 0, out), 0);
  }
});

test('snaplen clamps caplen as libpcap does', () => {
  for (const backend of ['wasm', 'ts'] as const) {
    const f = compileFilter('ip[0] = 0x45', { linktype: LINKTYPE_ETHERNET, memory: eng.memory, backend, snaplen: 14 });
    const g = compileFilter('ip[0] = 0x45', { linktype: LINKTYPE_ETHERNET, memory: eng.memory, backend });
    const batch = eng.createBatch(1);
    const frame = new Uint8Array(60);
    frame[12] = 0x08;
    frame[14] = 0x45;
    batch.push(frame);
    assert.is(f.match(batch.framePtr(0), 60, 60), false, backend);
    assert.is(g.match(batch.framePtr(0), 60, 60), true, backend);
  }
});

test.run();
