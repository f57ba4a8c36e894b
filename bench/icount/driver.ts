// One scenario of bench/icount/run.ts, run N times in a fresh process (under callgrind).
// The scenarios are small and deterministic: the same input every run, so that the
// difference between N and 2N iterations is the instructions of N iterations.
//   node bench/icount/driver.js SCENARIO N
import { SCENARIOS } from './scenarios.js';

const [name, nArg] = process.argv.slice(2);
const s = SCENARIOS[name ?? ''];
if (s === undefined) {
  console.error(`icount driver: unknown scenario "${name ?? ''}" (${Object.keys(SCENARIOS).join(', ')})`);
  process.exit(2);
}
const n = Number(nArg);
const step = await s.setup();
let sink = 0;
// The same warm-up in both runs, so that the counted iterations run optimized code.
const warm = Math.min(50_000, s.iterations ?? 50_000);
for (let i = 0; i < warm; i++) sink ^= step(i);
for (let i = 0; i < n; i++) sink ^= step(i);
if (sink === 0.5) console.log(sink);
