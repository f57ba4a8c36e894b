// createEngine({ backend: 'ts' }) needs no .wasm file: a child process whose
// PKTWASM_WASM_DIR is an empty directory runs every structure (pcap walker, dissector,
// checksums, flow table, ring, pool, wheel, lpm4/6, route table, builder) on the twin and
// must produce what the WASM backend produces here; asking that child for WASM fails with
// one E_NOT_FOUND line naming the missing file. The sniffer's --engine ts runs there too.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../host/engine/engine.js';
import { runScenario, type Summary } from './lib/backend-scenario.js';
import { corpusCaptures, repoRoot } from './lib/env.js';
import { refChecksum } from './lib/sample-frames.js';

const emptyDir = mkdtempSync(join(tmpdir(), 'pktwasm-nowasm-'));
process.on('exit', () => rmSync(emptyDir, { recursive: true, force: true }));
const env = { ...process.env, PKTWASM_WASM_DIR: emptyDir };

// The corpus's pcap files up to 4 MiB (the scenario skips big-endian ones and pcapng).
const captures = corpusCaptures().filter((f) => f.endsWith('.pcap') && statSync(f).size <= 4 << 20);
const fixture = join(repoRoot, 'test', 'fixtures', 'sample.pcap');
const inputs = [fixture, ...captures];

interface Failure { code: string | null; message: string; lines: number }
interface ChildResult { summary: Summary; moduleAfterScenario: string; wasmEngine: Failure | null; explicitWasm: Failure | null; rawWasm: Failure | null }

function runChild(): ChildResult {
  const child = fileURLToPath(new URL('./lib/ts-without-wasm-child.js', import.meta.url));
  const r = spawnSync(process.execPath, [child, ...inputs], { env, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000 });
  assert.is(r.status, 0, `child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildResult;
}

test('every structure runs on the twin with no .wasm file, as on WASM', () => {
  assert.equal(readdirSync(emptyDir), [], 'the wasm directory is empty');
  const got = runChild();
  assert.is(got.moduleAfterScenario, 'none', 'the ts engine never compiled a module');
  const want = runScenario(createEngine({ backend: 'wasm' }), inputs);
  // Enough was exercised for the comparison to mean something.
  const frames = want.captures.reduce((n, c) => n + c.indexed, 0);
  console.log(`NOTE ts-without-wasm: ${want.captures.length} captures, ${frames} frames compared`);
  if (captures.length > 0) {
    assert.ok(want.captures.length > 40, `${want.captures.length} captures walked`);
    assert.ok(frames > 1000, `${frames} frames indexed`);
  }
  assert.ok(want.captures.some((c) => c.flows.length > 0), 'flows recorded');
  assert.ok(want.lpm4.some((v) => v !== null) && want.lpm6.some((v) => v !== null), 'prefixes matched');
  assert.ok(want.wheel.flat().length > 300, 'timers fired');
  // Oracles that are not pktwasm: the file's own record bytes, RFC 1071 computed here.
  for (const c of got.summary.captures) {
    assert.ok(c.roundTrip, `${c.file}: pcap_write(pcap_index(records)) = the file's records`);
    assert.is(c.scan[3], 0, `${c.file}: no damage`);
  }
  for (const [i, hex] of got.summary.built.entries()) {
    const p = Buffer.from(hex, 'hex');
    if (i === 1) continue; // IPv6 has no header checksum
    // Built without an Ethernet header: the packet starts at its IPv4 header.
    assert.is(p[0] >> 4, 4, `built packet ${i} is IPv4`);
    const ip = p.subarray(0, (p[0] & 0x0F) * 4);
    assert.is(refChecksum(ip), 0xFFFF, `built packet ${i}: IPv4 header checksum verifies`);
  }
  // The twin, alone, produced what WASM produces.
  assert.equal(got.summary, want);
});

test('asking that process for WASM fails with one clear E_NOT_FOUND line', () => {
  const got = runChild();
  const missing = join(emptyDir, 'pktwasm.wasm');
  for (const [what, f] of [['createEngine({ backend: \'wasm\' })', got.wasmEngine], ['exportsOf(engine, RING, \'wasm\')', got.explicitWasm], ['engine.wasm', got.rawWasm]] as const) {
    assert.ok(f !== null, `${what} did not fail`);
    assert.is(f.code, 'E_NOT_FOUND', what);
    assert.is(f.lines, 1, `${what}: one line`);
    assert.ok(f.message.includes(missing), `${what}: names ${missing}: ${f.message}`);
  }
});

test('the sniffer reads a file with --engine ts and no .wasm file; --engine wasm stops with one line', () => {
  const sniff = join(repoRoot, 'host', 'sniff.js');
  const args = ['-nn', '-r', fixture];
  const normal = spawnSync(process.execPath, [sniff, ...args], { encoding: 'utf8', timeout: 60_000 });
  assert.is(normal.status, 0, normal.stderr);
  assert.ok(normal.stdout.split('\n').length > 5, 'the fixture prints packets');
  const ts = spawnSync(process.execPath, [sniff, '--engine', 'ts', ...args], { env, encoding: 'utf8', timeout: 60_000 });
  assert.is(ts.status, 0, ts.stderr);
  assert.is(ts.stdout, normal.stdout);
  const wasm = spawnSync(process.execPath, [sniff, '--engine', 'wasm', ...args], { env, encoding: 'utf8', timeout: 60_000 });
  assert.is(wasm.status, 1, `exit status: ${wasm.stderr}`);
  const lines = wasm.stderr.trim().split('\n');
  assert.is(lines.length, 1, wasm.stderr);
  assert.ok(lines[0].includes(join(emptyDir, 'pktwasm.wasm')), lines[0]);
  assert.is(wasm.stdout, '');
});

test.run();
