// Whole programs on the same files, in one run: sniff.js against tcpdump (and sniff.js
// with the TS twin engine), reading generated captures of 5 M 60-byte frames and 2 M
// frames of a realistic mix, writing to /dev/null, with no filter and with three
// expressions (simple, port range, byte-offset flags). Runs alternate; medians of 3.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCapture } from './lib/gen-capture.js';
import { recordResult, sized, suiteName } from './lib/results.js';

const sniff = fileURLToPath(new URL('../host/sniff.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pktwasm-bench-'));
const haveTcpdump = spawnSync('tcpdump', ['--version']).status === 0;
const ROUNDS = sized(3, 1);

function time(cmd: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return secs;
}

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

interface Contender { name: string; cmd: string; args: (file: string, expr: string[]) => string[] }
const contenders: Contender[] = [
  { name: 'sniff.js (wasm)', cmd: process.execPath, args: (f, e) => [sniff, '-r', f, '-w', '/dev/null', ...e] },
  { name: 'sniff.js (ts twin)', cmd: process.execPath, args: (f, e) => [sniff, '-r', f, '-w', '/dev/null', '--engine', 'ts', ...e] },
];
if (haveTcpdump) contenders.push({ name: 'tcpdump', cmd: 'tcpdump', args: (f, e) => ['-r', f, '-w', '/dev/null', ...e] });
else console.log('SKIP tcpdump: not installed; only sniff.js is timed');

const files: Array<[string, string, number]> = [
  [`${sized(5_000_000, 20_000).toLocaleString('en-US')} x 60-byte frames`, join(dir, 'small.pcap'), sized(5_000_000, 20_000)],
  [`${sized(2_000_000, 20_000).toLocaleString('en-US')} frames, realistic mix`, join(dir, 'mix.pcap'), sized(2_000_000, 20_000)],
];
generateCapture(files[0][1], files[0][2], 'small', 1);
generateCapture(files[1][1], files[1][2], 'mix', 2);

const exprs: Array<[string, string[]]> = [
  ['no filter', []],
  ['simple: tcp', ['tcp']],
  ['port range: portrange 1000-30000', ['portrange', '1000-30000']],
  ['byte offset: tcp[tcpflags] & (tcp-syn|tcp-ack) != 0', ['tcp[tcpflags] & (tcp-syn|tcp-ack) != 0']],
];

for (const [label, file, packets] of files) {
  if (!existsSync(file)) continue;
  for (const [ename, e] of exprs) {
    const secs = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
    for (let r = 0; r < ROUNDS; r++) for (const c of contenders) secs.get(c.name)!.push(time(c.cmd, c.args(file, e)));
    console.log(`\n${label}, ${ename}: whole process, -r FILE -w /dev/null, median of ${ROUNDS}`);
    const tcp = haveTcpdump ? median(secs.get('tcpdump')!) : NaN;
    for (const c of contenders) {
      const m = median(secs.get(c.name)!);
      const vs = haveTcpdump ? `${(m / tcp).toFixed(2)}x tcpdump's time` : '';
      console.log(`${c.name.padEnd(20)} ${m.toFixed(3).padStart(7)} s  ${(packets / m / 1e6).toFixed(2).padStart(6)} Mpps  ${(m * 1e9 / packets).toFixed(1).padStart(6)} ns/pkt  ${vs}`);
      recordResult({
        suite: suiteName(), table: `${label}, ${ename} (whole process, -r FILE -w /dev/null)`, contender: c.name, unit: 'frame',
        nsPerUnit: (m * 1e9) / packets, nsPerSample: m * 1e9, throughput: packets / m / 1e6, throughputUnit: 'Mpps', samples: ROUNDS,
      });
    }
    if (haveTcpdump) {
      const ours = median(secs.get('sniff.js (wasm)')!);
      console.log(`target: sniff.js faster than tcpdump end to end: ${ours < tcp ? 'met' : 'MISSED'}`);
    }
  }
}
rmSync(dir, { recursive: true, force: true });
