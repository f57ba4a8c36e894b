// The package as a dependency, as a newcomer gets it: `npm pack`, the tarball installed
// into an empty project (its install script allowed, as npm 11 asks), then the library
// imported by name (ESM, the exports map, the types under `tsc --strict`) and the CLI run
// through npm's bin link. The repository is built already (the suite runs after `npm
// run build`), so the pack skips the prepack build: it packs these very files.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './lib/env.js';
import { runNode } from './lib/run-tool.js';

const work = mkdtempSync(join(tmpdir(), 'pktwasm-pack-'));
const project = join(work, 'project');
const sample = join(repoRoot, 'test', 'fixtures', 'sample.pcap');
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };

function run(cmd: string, args: string[], cwd: string, timeout = 300_000): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, maxBuffer: 64 << 20, env: { ...process.env, TZ: 'UTC', npm_config_update_notifier: 'false' } });
  return { status: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

let tarball = '';
let installLog = '';

test('npm pack: compiled JS, types, the .wasm, the addon sources, docs; no tests, no AssemblyScript', () => {
  const r = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], repoRoot);
  assert.is(r.status, 0, r.stderr);
  const info = (JSON.parse(r.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>)[0];
  tarball = join(work, info.filename);
  const files = new Set(info.files.map((f) => f.path));
  for (const need of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'build/pktwasm.wasm', 'host/index.js', 'host/index.d.ts',
    'host/cli/pktwasm.js', 'host/sniff.js', 'host/runtime/layout.js', 'host/native/binding.gyp', 'host/native/src/addon.c',
    'host/native/src/layout.h', 'host/native/install.mjs', 'test/fixtures/sample.pcap', 'examples/capture-file.mjs']) {
    assert.ok(files.has(need), `the tarball holds ${need}`);
  }
  for (const f of files) {
    // One test file ships: the sample capture the examples and `npm start` read by default.
    assert.not.ok((f.startsWith('test/') && f !== 'test/fixtures/sample.pcap') || f.startsWith('assembly/') || f.startsWith('bench/') || f.startsWith('node_modules/'), `no ${f}`);
    assert.not.ok(f.endsWith('.ts') && !f.endsWith('.d.ts'), `no TypeScript source ${f}`);
  }
});

test('npm install of the tarball into an empty project: the addon builds where libpcap is, else one line says cap is used', () => {
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({
    name: 'newcomer', version: '1.0.0', private: true, type: 'module', allowScripts: { [pkg.name]: true },
  }, null, 2));
  // The dependencies come from npm's cache when the repository's own install filled it.
  const r = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts', tarball], project);
  installLog = r.stdout + r.stderr;
  assert.is(r.status, 0, installLog);
  const addon = join(project, 'node_modules', pkg.name, 'host', 'native', 'build', 'Release', 'pktwasm_pcap.node');
  const headers = existsSync('/usr/include/pcap/pcap.h') || existsSync('/usr/include/pcap.h');
  if (headers) assert.ok(existsSync(addon), `libpcap headers are here, so the addon was built on install:\n${installLog}`);
  else assert.match(installLog, /live capture will use the `cap` package/);
});

test("import { ... } from 'pktwasm' in the project: the engine dissects, a filter matches, capture() reads a file", () => {
  const script = join(project, 'use.mjs');
  writeFileSync(script, `
import { createEngine, compileFilter, capture, PktError } from '${pkg.name}';
const engine = createEngine();
let n = 0, tcp = 0;
for await (const p of capture({ file: process.argv[2] })) n++;
for await (const p of capture({ file: process.argv[2], filter: 'tcp' })) tcp++;
console.log(JSON.stringify({ n, tcp, engine: typeof engine, filter: typeof compileFilter, error: typeof PktError }));
`);
  const r = run(process.execPath, [script, sample], project, 60_000);
  assert.is(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout.trim()) as { n: number; tcp: number; engine: string };
  const tcpdumpAll = run('tcpdump', ['-nn', '-r', sample], project).stdout.trim().split('\n').length;
  const tcpdumpTcp = run('tcpdump', ['-nn', '-r', sample, 'tcp'], project).stdout.trim().split('\n').length;
  assert.is(got.n, tcpdumpAll, 'every packet of the file, as tcpdump reads it');
  assert.is(got.tcp, tcpdumpTcp, "the filter 'tcp' selects what tcpdump's does");
  assert.is(got.engine, 'object');
});

test('the types resolve through the exports map under tsc --strict (module nodenext)', () => {
  writeFileSync(join(project, 'typed.ts'), `
import { createEngine, FlowTable, Lpm4, type Engine, type DecodedPacket, type CaptureOptions, type FlowTableOptions, type TimerWheelOptions } from '${pkg.name}';
export type Opts = [FlowTableOptions, TimerWheelOptions];
const opts: CaptureOptions = { file: 'x.pcap', filter: 'udp' };
const later: Engine = createEngine({ backend: 'ts' });
export { opts, later, FlowTable, Lpm4 };
export type P = DecodedPacket;
// A wrong option must be an error, or the types prove nothing.
// @ts-expect-error
const bad: CaptureOptions = { file: 1 };
export { bad };
`);
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(repoRoot, 'node_modules', '@types')] }, files: ['typed.ts'] }));
  const r = run(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], project, 120_000);
  assert.is(r.status, 0, r.stdout + r.stderr);
});

test('the CLI through npm: npx pktwasm --version, and pktwasm sniff prints what the repository\'s sniff.js prints', () => {
  const v = run('npx', ['--no-install', 'pktwasm', '--version'], project, 60_000);
  assert.is(v.status, 0, v.stderr);
  assert.is(v.stdout.trim(), `pktwasm ${pkg.version}`);
  const bin = join(project, 'node_modules', '.bin', 'pktwasm');
  const ours = run(bin, ['sniff', '-nn', '-r', sample], project, 60_000);
  const repo = runNode('sniff', ['-nn', '-r', sample]);
  assert.is(ours.status, 0, ours.stderr);
  assert.ok(ours.stdout.length > 0 && ours.stdout === repo.stdout, 'same lines from the installed CLI');
  // An example script from the installed copy, on the sample it ships with.
  const example = run(process.execPath, [join(project, 'node_modules', pkg.name, 'examples', 'capture-file.mjs')], project, 60_000);
  assert.is(example.status, 0, example.stderr);
  const selected = run('tcpdump', ['-nn', '-r', sample, 'ip or ip6'], project).stdout.trim().split('\n').length;
  assert.match(example.stdout, new RegExp(`^${selected} packets matched "ip or ip6"`, 'm'), 'as many as tcpdump selects');
  const help = run(bin, ['sniff', '--help'], project, 60_000);
  assert.match(help.stdout, /^Usage: pktwasm sniff /);
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
