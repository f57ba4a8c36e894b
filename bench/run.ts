// `npm run bench`: every bench/*.bench.js in turn, each in its own process so one
// suite's heap and JIT state do not colour the next. Pass names to run a subset.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const suites = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failedSuites = 0;
for (const s of suites) {
  console.log(`\n=== ${s.replace(/\.bench\.js$/, '')} ===`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(dir, s)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failedSuites++;
    console.log(`(suite ${s} exited with ${r.status ?? r.signal})`);
  }
}
process.exitCode = failedSuites ? 1 : 0;
