// The backend switch: every structure's export list is exactly the WASM module's functions
// of that structure (together they cover the module, each function once), both backends
// hand out a function for every name, and exportsOf() makes one surface per engine and
// backend.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine } from '../host/engine/engine.js';
import { exportsOf, type Structure } from '../host/engine/backend.js';
import { CHECKSUM } from '../host/checksum/exports.js';
import { DISSECT } from '../host/dissect/exports.js';
import { RING } from '../host/ring/exports.js';
import { PCAP } from '../host/pcap/exports.js';
import { POOL } from '../host/pool/exports.js';
import { WHEEL } from '../host/wheel/exports.js';
import { FLOWS } from '../host/flows/exports.js';
import { REASM } from '../host/reasm/exports.js';
import { LPM4, LPM6 } from '../host/lpm/exports.js';
import { BUILDER } from '../host/builder/exports.js';
import { APP } from '../host/app/exports.js';
import { JSON_LINES } from '../host/sinks/json/exports.js';

const STRUCTURES: Structure<object>[] = [CHECKSUM, DISSECT, RING, PCAP, POOL, WHEEL, FLOWS, REASM, LPM4, LPM6, BUILDER, APP, JSON_LINES];

const wasm = createEngine({ backend: 'wasm' });
const twin = createEngine({ backend: 'ts', memory: wasm.memory });

test('the export lists cover the WASM module\'s functions, each exactly once', () => {
  const mod = wasm.module;
  assert.ok(mod !== undefined, 'a wasm engine has its module');
  const functions = WebAssembly.Module.exports(mod).filter((e) => e.kind === 'function').map((e) => e.name);
  assert.ok(functions.length > 100, `only ${functions.length} WASM functions`);
  const owner = new Map<string, string>();
  for (const s of STRUCTURES) {
    for (const n of s.exports) {
      assert.not.ok(owner.has(n), `${n} is listed by ${owner.get(n)} and ${s.name}`);
      owner.set(n, s.name);
    }
  }
  const unlisted = functions.filter((f) => !owner.has(f));
  const absent = [...owner.keys()].filter((n) => !functions.includes(n));
  assert.equal(unlisted, [], 'WASM functions no structure lists');
  assert.equal(absent, [], 'listed names the WASM module does not export');
});

test('both backends give a function for every listed name, and nothing else', () => {
  for (const s of STRUCTURES) {
    for (const [label, e] of [['wasm', wasm], ['ts', twin]] as const) {
      const surface = exportsOf(e, s) as Record<string, unknown>;
      assert.equal(Object.keys(surface).sort(), [...s.exports].sort(), `${s.name} on ${label}`);
      for (const n of s.exports) assert.type(surface[n], 'function', `${s.name}.${n} on ${label}`);
    }
  }
});

test('one surface per engine and backend; the engine\'s backend unless asked otherwise', () => {
  for (const s of STRUCTURES) {
    assert.is(exportsOf(twin, s), exportsOf(twin, s), `${s.name}: cached`);
    assert.is(exportsOf(twin, s), exportsOf(twin, s, 'ts'), `${s.name}: a ts engine gives the twin`);
    assert.is(exportsOf(wasm, s), exportsOf(wasm, s, 'wasm'), `${s.name}: a wasm engine gives WASM`);
    assert.is.not(exportsOf(wasm, s, 'ts'), exportsOf(wasm, s, 'wasm'), `${s.name}: two backends, two surfaces`);
  }
  const other = createEngine({ backend: 'ts', memory: wasm.memory });
  assert.is.not(exportsOf(other, RING), exportsOf(twin, RING), 'another engine, another twin');
  // A WASM surface is the instance's own functions, not wrappers.
  assert.is(exportsOf(wasm, CHECKSUM).cksum_compute, wasm.wasm.cksum_compute);
});

test('backends agree through the switch on the same memory (checksum of a buffer)', () => {
  const p = wasm.arena.alloc(1500);
  const u8 = wasm.views.refresh().u8;
  for (let i = 0; i < 1500; i++) u8[p + i] = (i * 131 + 7) & 0xFF;
  // RFC 1071 over the same bytes, summed here as the oracle.
  let sum = 0;
  for (let i = 0; i < 1500; i += 2) sum += (u8[p + i] << 8) | u8[p + i + 1];
  while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >>> 16);
  const want = ~sum & 0xFFFF;
  assert.is(exportsOf(wasm, CHECKSUM).cksum_compute(p, 1500), want, 'wasm');
  assert.is(exportsOf(twin, CHECKSUM).cksum_compute(p, 1500), want, 'ts');
});

test('an unknown backend is refused', () => {
  try {
    exportsOf(twin, RING, 'rust' as 'ts');
    assert.unreachable('accepted');
  } catch (e) {
    assert.is((e as { code?: string }).code, 'E_BAD_ARGUMENT');
  }
});

test.run();
