// node bench/charts.js RESULTS.json [DIR]: draws the SVG charts of a `npm run bench --
// --json` results file (default DIR: bench/results). bench/run.ts calls the same code
// after every run; this is for redrawing a saved file.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeCharts } from './lib/charts.js';
import type { ResultRow } from './lib/results.js';

const [file, dir = fileURLToPath(new URL('./results', import.meta.url))] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node bench/charts.js RESULTS.json [DIR]\n');
  process.exit(2);
}
const text = readFileSync(file, 'utf8').trim();
// A results file of --json ({ date, tiny, rows }) or the suites' raw rows, one a line.
const rows: ResultRow[] = text.startsWith('{"suite"')
  ? text.split('\n').map((l) => JSON.parse(l) as ResultRow)
  : (JSON.parse(text) as { rows: ResultRow[] }).rows;
for (const f of writeCharts(rows, dir)) process.stdout.write(`${f}\n`);
