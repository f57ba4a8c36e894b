// Costs that grow with the work (issue #19): whole processes on generated captures of
// single-packet UDP flows (bench/lib/gen-capture.ts generateFlowCapture, seeded), at
// 100 k, 1 M and 2 M flows. Per row: wall time, ns per flow (flat when the cost is
// linear) and peak RSS of the process (the kernel's high-water mark, VmHWM: GNU time's
// %M from wait4's rusage, so the last moments before exit count too; without
// /usr/bin/time, VmHWM polled from /proc/PID/status). Rows:
//   sniff --flows             the conversation table   vs  tshark -q -z conv,udp
//   sniff --flows --json      one line per flow        vs  sniff --json (no flows)
//   sniff --ipfix  -> nfcapd                           vs  softflowd -v 10 -> nfcapd
//   sniff --prefixes FILE     1 M IPv4 prefixes shaped like a BGP table, every packet
// and the goals of the issue checked against them at the end, with Node's own memory floor
// (node -e 0, and with one bare worker thread) beside the --ipfix one.
//
//   FLOWSCALE_SIZES=100000,1000000  the sizes (default 100000,1000000,2000000; BENCH_TINY: 20000)
//   FLOWSCALE_TSHARK_MAX=N          skip tshark above N flows (it needs GBs there)
//   FLOWSCALE_PREFIXES=N            prefixes in the --prefixes file (default 1000000)
// Don't run it beside other work for figures: every row is a whole process timed by the
// wall clock.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateFlowCapture } from './lib/gen-capture.js';
import { Rng } from '../test/lib/env.js';
import { pokeSoftflowd, sleep, startNfcapdOnFreePort } from '../test/ipfix-tools.js';

const tiny = process.env.BENCH_TINY === '1';
const SIZES = (process.env.FLOWSCALE_SIZES ?? (tiny ? '20000' : '100000,1000000,2000000')).split(',').map(Number);
const TSHARK_MAX = Number(process.env.FLOWSCALE_TSHARK_MAX ?? Infinity);
const PREFIXES = Number(process.env.FLOWSCALE_PREFIXES ?? (tiny ? 20000 : 1_000_000));
const sniff = fileURLToPath(new URL('../host/sniff.js', import.meta.url));
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-flowscale-'));

interface Run { wall: number; rssMB: number; status: number; stderr: string; stdoutBytes: number; /** user + system seconds (NaN without GNU time) */ cpu: number }

/** Runs a whole process; stdout is counted and dropped. */
async function measure(cmd: string, args: string[], poke?: () => Promise<void>): Promise<Run> {
  const timeFile = join(tmp, `time-${process.hrtime.bigint()}`);
  const [file, argv] = GNU_TIME !== null ? [GNU_TIME, ['-f', '%M %U %S', '-o', timeFile, cmd, ...args]] : [cmd, args];
  const t0 = process.hrtime.bigint();
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdoutBytes = 0;
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdoutBytes += d.length; });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<number>((r) => child.once('close', (code) => r(code ?? -1)));
  let hwm = 0;
  let finished = false;
  void done.then(() => { finished = true; });
  while (!finished) {
    if (GNU_TIME === null) {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) hwm = Math.max(hwm, Number(m[1]));
      } catch { /* gone */ }
    }
    if (poke) await poke();
    await Promise.race([done, sleep(20)]);
  }
  const status = await done;
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  let cpu = NaN;
  if (GNU_TIME !== null) {
    // The last line (a failing command's "Command exited with non-zero status" comes first).
    const m = /(\d+) ([\d.]+) ([\d.]+)\s*$/.exec(readFileSync(timeFile, 'utf8'));
    hwm = m ? Number(m[1]) : 0;
    cpu = m ? Number(m[2]) + Number(m[3]) : NaN;
  }
  return { wall, rssMB: hwm / 1024, status, stderr, stdoutBytes, cpu };
}

/** A --prefixes file shaped like an IPv4 BGP table: mostly /24, nothing longer; the
 *  generated flows' networks (10/8 and 192.168/16) in it. */
function prefixFile(path: string, n: number): void {
  const rng = new Rng(7);
  const seen = new Set<number>();
  const lines: string[] = ['10.0.0.0/8 flows', '192.168.0.0/16 servers'];
  seen.add(0x0a000000 * 64 + 8);
  seen.add(0xc0a80000 * 64 + 16);
  const depths = [24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 23, 23, 22, 22, 22, 21, 20, 19, 18, 16];
  while (lines.length < n) {
    const d = depths[rng.u32() % depths.length];
    const a = (rng.u32() & ((0xFFFFFFFF << (32 - d)) >>> 0)) >>> 0;
    if (seen.has(a * 64 + d)) continue;
    seen.add(a * 64 + d);
    lines.push(`${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${d}${lines.length % 3 === 0 ? ` AS${rng.u32() % 65536}` : ''}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** Flows nfcapd stored in `dir`: the counts `nfdump -I` gives (no listing of millions). */
function storedFlows(dir: string): number {
  let n = 0;
  for (const f of readdirSync(dir).filter((x) => /^nfcapd\.\d+$/.test(x))) {
    const m = /^Flows: (\d+)$/m.exec(spawnSync('nfdump', ['-r', join(dir, f), '-I'], { encoding: 'utf8' }).stdout);
    n += m ? Number(m[1]) : 0;
  }
  return n;
}

interface Row { what: string; flows: number; run: Run; note: string }
const rows: Row[] = [];

function report(r: Row): void {
  rows.push(r);
  const ok = r.run.status === 0 ? '' : ` EXIT ${r.run.status}: ${r.run.stderr.trim().split('\n').pop() ?? ''}`;
  console.log(`${r.what.padEnd(28)} ${String(r.flows).padStart(8)} flows  ${r.run.wall.toFixed(2).padStart(7)} s  ${(r.run.wall * 1e9 / r.flows).toFixed(0).padStart(6)} ns/flow  ${r.run.cpu.toFixed(2).padStart(6)} s CPU  ${r.run.rssMB.toFixed(0).padStart(6)} MB  ${r.note}${ok}`);
}

/** Pokes softflowd's control socket: reading a file, it only moves on when woken. */
function softflowdPoke(ctl: string): () => Promise<void> {
  return () => pokeSoftflowd(ctl);
}

// Node's own floor, for the memory goals: an empty process, and one with a bare worker
// thread (a sniff --ipfix of a file runs its stages on the main thread and sends from
// one worker). softflowd's 8 MB x 4 is below the first.
const floorEmpty = await measure(process.execPath, ['-e', '0']);
const floorWorker = await measure(process.execPath, ['-e', "new (require('node:worker_threads').Worker)('0', { eval: true })"]);
console.log(`node's floor: ${floorEmpty.rssMB.toFixed(0)} MB (node -e 0), ${floorWorker.rssMB.toFixed(0)} MB with one bare worker thread`);

const prefixes = join(tmp, 'prefixes.txt');
prefixFile(prefixes, PREFIXES);
console.log(`flowscale: single-packet UDP flows, 60-byte frames; whole processes; peak RSS = ${GNU_TIME !== null ? 'GNU time %M (ru_maxrss)' : 'VmHWM polled'}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
for (const n of SIZES) {
  const cap = join(tmp, `flows-${n}.pcap`);
  generateFlowCapture(cap, n);
  const table = await measure(process.execPath, [sniff, '-r', cap, '--flows', '-q']);
  report({ what: 'sniff --flows', flows: n, run: table, note: `${table.stdoutBytes} bytes of table` });
  if (n <= TSHARK_MAX) {
    const ts = await measure('tshark', ['-r', cap, '-q', '-z', 'conv,udp']);
    report({ what: 'tshark -q -z conv,udp', flows: n, run: ts, note: `${ts.stdoutBytes} bytes of table` });
  }
  const json = await measure(process.execPath, [sniff, '-r', cap, '--flows', '--json', '-q']);
  report({ what: 'sniff --flows --json', flows: n, run: json, note: `${json.stdoutBytes} bytes` });
  const plain = await measure(process.execPath, [sniff, '-r', cap, '--json', '-q']);
  report({ what: 'sniff --json (no flows)', flows: n, run: plain, note: `${plain.stdoutBytes} bytes` });
  for (const who of ['sniff --ipfix', 'softflowd -v 10'] as const) {
    const dir = join(tmp, `nf-${who.split(' ')[0]}-${n}`);
    mkdirSync(dir);
    const nf = await startNfcapdOnFreePort(dir);
    let run: Run;
    try {
      if (who === 'sniff --ipfix') run = await measure(process.execPath, [sniff, '-r', cap, '--ipfix', `127.0.0.1:${nf.port}`, '-q']);
      else {
        const ctl = join(tmp, `sf-${n}.ctl`);
        run = await measure('softflowd', ['-d', '-r', cap, '-v', '10', '-n', `127.0.0.1:${nf.port}`, '-c', ctl, '-p', join(tmp, `sf-${n}.pid`)], softflowdPoke(ctl));
      }
    } finally {
      await nf.stop();
    }
    const stored = storedFlows(dir);
    const summary = /^ipfix: .*$/m.exec(run.stderr)?.[0] ?? '';
    report({ what: `${who} -> nfcapd`, flows: n, run, note: `${stored} flows stored by nfcapd${summary ? `; ${summary.replace(/ to \S+:/, ':')}` : ''}` });
  }
  const pre = await measure(process.execPath, [sniff, '-r', cap, '--prefixes', prefixes, '-q']);
  report({ what: `sniff --prefixes (${PREFIXES / 1e6} M)`, flows: n, run: pre, note: 'top 20 printed' });
  rmSync(cap, { force: true });
}

// The issue's goals, on the largest size that has each row.
const find = (what: string, n: number): Run | undefined => rows.find((r) => r.what === what && r.flows === n)?.run;
const big = Math.max(...SIZES);
const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
const t = find('sniff --flows', big)!;
console.log(`\ngoals at ${big} flows:`);
console.log(`  conversation table <= 3 s and <= 400 MB: ${t.wall.toFixed(2)} s, ${t.rssMB.toFixed(0)} MB: ${verdict(t.wall <= 3 && t.rssMB <= 400)}`);
const j = find('sniff --flows --json', big)!;
const p = find('sniff --json (no flows)', big)!;
console.log(`  --flows --json within 1.5x of --json: ${(j.wall / p.wall).toFixed(2)}x: ${verdict(j.wall <= 1.5 * p.wall)}`);
const tsSize = Math.max(...SIZES.filter((n) => n <= TSHARK_MAX));
if (Number.isFinite(tsSize)) {
  const ts = find('tshark -q -z conv,udp', tsSize)!;
  const ours = find('sniff --flows', tsSize)!;
  console.log(`  vs tshark at ${tsSize}: ${(ts.wall / ours.wall).toFixed(1)}x faster (goal 10x), ${(ours.rssMB / ts.rssMB).toFixed(2)} of its memory (goal 1/3): ${verdict(ts.wall >= 10 * ours.wall && ours.rssMB * 3 <= ts.rssMB)}`);
}
const ix = find('sniff --ipfix -> nfcapd', big)!;
const sf = find('softflowd -v 10 -> nfcapd', big)!;
console.log(`  --ipfix vs softflowd: ${(sf.wall / ix.wall).toFixed(2)}x its speed (goal > 1), ${(ix.rssMB / sf.rssMB).toFixed(1)}x its memory (goal <= 4): ${verdict(ix.wall < sf.wall && ix.rssMB <= 4 * sf.rssMB)}` +
  ` (Node's floor with a worker: ${floorWorker.rssMB.toFixed(0)} MB, ${(floorWorker.rssMB / sf.rssMB).toFixed(1)}x softflowd's; --ipfix ${(ix.rssMB - floorWorker.rssMB).toFixed(0)} MB above it)`);
rmSync(tmp, { recursive: true, force: true });
