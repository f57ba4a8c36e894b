// The app record's layout (assembly/app/app-layout.ts, generated to host/app/app-layout.ts):
// every constant equals the WASM module's export of the same name, and the record holds
// together: the common header ends where the protocol area starts, DNS's header and items
// fit in APP_SIZE, the item fields lie inside an item without overlapping, and the flag
// bits are distinct.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as L from '../host/app/app-layout.js';
import { createEngine } from '../host/engine/engine.js';
import { repoRoot } from './lib/env.js';

const wasm = createEngine({ backend: 'wasm' }).wasm;
const K = L as unknown as Record<string, number>;

test('every constant of assembly/app/app-layout.ts equals the WASM export of the same name', () => {
  const declared = [...readFileSync(join(repoRoot, 'assembly/app/app-layout.ts'), 'utf8').matchAll(/^export const ([A-Z0-9_]+)/gm)].map((m) => m[1]);
  assert.equal(Object.keys(L).sort(), [...declared].sort(), 'the generated module holds exactly the source\'s constants');
  assert.ok(declared.length >= 60, `${declared.length} constants`);
  for (const name of declared) {
    const g = wasm[name];
    assert.ok(g instanceof WebAssembly.Global, `the WASM module exports no global ${name}`);
    assert.is(K[name], ((g as WebAssembly.Global).value as number) >>> 0, name);
  }
});

/** Fields [offset, size) must lie in [0, end) and not overlap. */
function fits(fields: Array<[string, number, number]>, end: number): void {
  const sorted = [...fields].sort((a, b) => a[1] - b[1]);
  for (let i = 0; i < sorted.length; i++) {
    const [name, off, size] = sorted[i];
    assert.ok(off >= 0 && off + size <= end, `${name} at ${off}+${size} within ${end}`);
    assert.is(off % size, 0, `${name} aligned to its size`);
    if (i > 0) assert.ok(sorted[i - 1][1] + sorted[i - 1][2] <= off, `${sorted[i - 1][0]} overlaps ${name}`);
  }
}

test('the record holds together', () => {
  fits([['A_PROTO', L.A_PROTO, 1], ['A_VARIANT', L.A_VARIANT, 1], ['A_FLAGS', L.A_FLAGS, 2], ['A_OFF', L.A_OFF, 2], ['A_LEN', L.A_LEN, 2],
    ['A_CAP', L.A_CAP, 2], ['A_NEXT', L.A_NEXT, 2], ['A_COUNT', L.A_COUNT, 1]], L.A_BODY);
  fits([['DNS_ID', L.DNS_ID, 2], ['DNS_FLAGS', L.DNS_FLAGS, 2], ['DNS_QDCOUNT', L.DNS_QDCOUNT, 2], ['DNS_ANCOUNT', L.DNS_ANCOUNT, 2],
    ['DNS_NSCOUNT', L.DNS_NSCOUNT, 2], ['DNS_ARCOUNT', L.DNS_ARCOUNT, 2], ['DNS_PREFIX', L.DNS_PREFIX, 2], ['DNS_OPT', L.DNS_OPT, 1],
    ['DNS_EXT_RCODE', L.DNS_EXT_RCODE, 1]], L.DNS_ITEMS);
  assert.ok(L.DNS_ID >= L.A_BODY, 'DNS fields start in the protocol area');
  assert.is(L.DNS_ITEM_MAX, Math.floor((L.APP_SIZE - L.DNS_ITEMS) / L.DNS_ITEM_SIZE), 'DNS_ITEM_MAX items fill the record');
  fits([['DI_NAME', L.DI_NAME, 2], ['DI_TYPE', L.DI_TYPE, 2], ['DI_CLASS', L.DI_CLASS, 2], ['DI_RDLEN', L.DI_RDLEN, 2], ['DI_TTL', L.DI_TTL, 4],
    ['DI_RDATA', L.DI_RDATA, 2], ['DI_SECTION', L.DI_SECTION, 1], ['DI_FLAGS', L.DI_FLAGS, 1]], L.DNS_ITEM_SIZE);
  assert.is(L.APP_SIZE % 64, 0, 'records stay 64-byte aligned in an area');
  for (const prefix of ['AF_', 'DV_', 'DIF_']) {
    const bits = Object.entries(K).filter(([k]) => k.startsWith(prefix)).map(([, v]) => v);
    assert.ok(bits.length >= 2, prefix);
    assert.is(bits.reduce((a, b) => a | b, 0), bits.reduce((a, b) => a + b, 0), `${prefix}* bits are distinct`);
    for (const b of bits) assert.is(b & (b - 1), 0, `${prefix}* one bit each`);
  }
  const ids = Object.entries(K).filter(([k]) => k.startsWith('APP_') && k !== 'APP_SIZE').map(([, v]) => v);
  assert.is(new Set(ids).size, ids.length, 'APP_* ids are distinct');
});

test.run();
