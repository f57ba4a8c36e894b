// Huge pages and pages backed ahead (runtime/prefault.ts, the addon's prefault): the call
// backs what it is asked to (the resident size grows by the range), never changes a byte,
// refuses a range outside its typed array with E_BAD_ARGUMENT, and does nothing when
// switched off. The paths that use it write what they wrote without it: a conversation
// table of 30,000 single-packet flows over a table of 8,192 that evicts, and --flows --json
// of them over the default table (both past the store's and the table's prefault
// thresholds), are byte-identical with PKTWASM_PREFAULT=0. (--json lists evicted flows in
// eviction order, which the table's random hash seed changes from run to run.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPcapAddon, pcapAddonError } from '../host/native/pcap-binding.js';
import { adviseHugePages, prefault, prefaultSoon } from '../host/runtime/prefault.js';
import { generateFlowCapture } from '../bench/lib/gen-capture.js';
import { repoRoot } from './lib/env.js';

const addon = loadPcapAddon();
if (addon === null) console.log(`prefault: NOT TESTED against the kernel: ${pcapAddonError()} (the wrapper's no-op is)`);

function rssKb(): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
}

test('prefault backs the range it is given and changes no byte', () => {
  const mb = 64;
  const u8 = new Uint8Array(mb << 20);
  for (let i = 0; i < u8.length; i += 4096 * 7) u8[i] = (i >>> 12) & 255;
  const copy = u8.slice(0, 1 << 20);
  if (addon === null) { assert.is(prefault(u8), false); return; }
  const fresh = new Uint8Array(mb << 20);
  const before = rssKb();
  const ok = prefault(fresh, 4096, fresh.length - 8192);
  if (!ok) { console.log('prefault: this kernel refuses MADV_POPULATE_WRITE (before Linux 5.14): pages fault in as before'); return; }
  assert.ok(rssKb() - before >= (mb - 4) * 1024, `resident grew by ${rssKb() - before} kB for ${mb} MiB backed`);
  assert.ok(fresh.every((x) => x === 0), 'backed pages read as zeros');
  assert.ok(prefault(u8, 100, 1 << 20));
  assert.equal(u8.subarray(0, 1 << 20), copy);
  for (let i = 0; i < u8.length; i += 4096 * 7) if (u8[i] !== ((i >>> 12) & 255)) assert.unreachable(`byte ${i} changed`);
});

test('prefaultSoon backs the range on another thread', async () => {
  if (addon === null) { assert.is(prefaultSoon(new Uint8Array(4096)), false); return; }
  const mb = 64;
  const fresh = new Uint8Array(mb << 20);
  const before = rssKb();
  if (!prefaultSoon(fresh)) assert.unreachable('the thread was not started');
  for (let i = 0; i < 200 && rssKb() - before < (mb - 4) * 1024; i++) await new Promise((r) => setTimeout(r, 10));
  if (rssKb() - before < (mb - 4) * 1024) console.log(`prefaultSoon: ${rssKb() - before} kB backed after 2 s (a kernel before 5.14 refuses)`);
  assert.ok(fresh.every((x) => x === 0));
});

test('huge pages over a region of the shared memory; the data stays', () => {
  const mem = new WebAssembly.Memory({ initial: 512, maximum: 1024, shared: true });
  const u8 = new Uint8Array(mem.buffer);
  u8[5 << 20] = 42;
  const advised = adviseHugePages(u8, 4 << 20, 16 << 20);
  assert.is(advised, addon !== null);
  if (addon !== null) assert.ok(prefault(u8, 4 << 20, 16 << 20));
  assert.is(u8[5 << 20], 42);
});

test('a range outside the typed array is refused with E_BAD_ARGUMENT', () => {
  if (addon === null) return;
  const u32 = new Uint32Array(1024);
  for (const [off, len] of [[0, 4097], [4096, 1], [-1, 4], [0, -1], [Number.NaN, 4]] as const) {
    try {
      addon.prefault(u32, off, len, 1);
      assert.unreachable(`(${off}, ${len}) accepted`);
    } catch (e) {
      assert.is((e as { code?: string }).code, 'E_BAD_ARGUMENT', `(${off}, ${len}): ${String(e)}`);
    }
  }
  assert.throws(() => addon.prefault({} as Uint8Array, 0, 0, 1), /typed array/);
  assert.throws(() => addon.prefault(u32, 0, 4, 3 as 1), /mode/);
  assert.ok(addon.prefault(u32, 4092, 4, 1), 'the last element: its page');
});

test('PKTWASM_PREFAULT=0 switches it off', () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e',
    `import { prefault } from ${JSON.stringify(join(repoRoot, 'host/runtime/prefault.js'))}; console.log(prefault(new Uint8Array(1 << 20)));`],
  { encoding: 'utf8', env: { ...process.env, PKTWASM_PREFAULT: '0' } });
  assert.is(r.stdout.trim(), 'false', r.stderr);
});

test('--flows and --flows --json: the same bytes with and without prefault', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pktwasm-prefault-'));
  try {
    const cap = join(dir, 'flows.pcap');
    generateFlowCapture(cap, 30000);
    for (const mode of [['--flows', '-q', '--flow-capacity', '8192'], ['--flows', '--json', '-q']]) {
      const run = (on: string): string => {
        const r = spawnSync(process.execPath, [join(repoRoot, 'host/sniff.js'), '-r', cap, ...mode],
          { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, PKTWASM_PREFAULT: on } });
        assert.is(r.status, 0, r.stderr);
        return r.stdout;
      };
      const off = run('0');
      const on = run('1');
      assert.ok(off.length > 30000 * 40, `${mode.join(' ')}: ${off.length} bytes`);
      assert.ok(on === off, `${mode.join(' ')}: output differs with prefault`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
