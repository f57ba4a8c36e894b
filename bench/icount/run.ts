// Instruction counts per iteration of a scenario, with callgrind: counts do not move with
// the load of a shared machine, timings do (issue #17). Each scenario runs twice, N and 2N
// iterations, in a fresh node (TurboFan for WASM from the start: --no-liftoff; one thread:
// --single-threaded), and (I(2N) - I(N)) / N is what one iteration costs, startup and
// setup cancelled out.
//   node bench/icount/run.js [scenario ...] [--n N]    (needs valgrind; slow: ~30 s a scenario)
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIOS } from './scenarios.js';

const argv = process.argv.slice(2);
let n = 500_000;
const names: string[] = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--n') n = Number(argv[++i]);
  else names.push(argv[i]);
}
const driver = fileURLToPath(new URL('./driver.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pktwasm-icount-'));

function instructions(scenario: string, iterations: number): number {
  const out = join(dir, `cg.${scenario}.${iterations}`);
  const r = spawnSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, '--smc-check=all-non-file',
    process.execPath, '--no-liftoff', '--single-threaded', driver, scenario, String(iterations)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`valgrind ${scenario} ${iterations}: exit ${r.status}\n${r.stderr.slice(-2000)}`);
  const m = /^summary:\s*(\d+)/m.exec(readFileSync(out, 'utf8'));
  if (m === null) throw new Error(`no summary in ${out}`);
  return Number(m[1]);
}

try {
  for (const s of names.length > 0 ? names : Object.keys(SCENARIOS)) {
    if (SCENARIOS[s] === undefined) throw new Error(`unknown scenario ${s}`);
    const sc = SCENARIOS[s];
    const it = sc.iterations ?? n;
    const a = instructions(s, it);
    const b = instructions(s, 2 * it);
    const per = (b - a) / it;
    const perUnit = sc.units !== undefined ? `, ${(per / sc.units).toFixed(1)} per unit` : '';
    console.log(`${s.padEnd(28)} ${per.toFixed(1).padStart(10)} instructions/iteration${perUnit}  (${sc.what})`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
