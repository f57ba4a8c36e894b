// `npm run bench`: every bench/*.bench.js in turn, each in its own process so one
// suite's heap and JIT state do not colour the next. Pass names to run a subset.
//
//   npm run bench -- [suite ...] [--tiny] [--json [out.json]] [--compare previous.json]
//
//   --tiny                 BENCH_TINY=1 for every suite: tiny inputs, 20 ms per contender;
//                          checks that the whole bench still runs, measures nothing
//   --json [out.json]      writes every table row (median ns per unit, per sample, per call,
//                          throughput, samples) as JSON to out.json too
// A full run (not --tiny) always keeps its rows in bench/results/latest.json (rows of the
// suites not run this time are kept from the previous file) and draws the SVG charts the
// README shows beside it (bench/lib/charts.ts): one per suite and wasm-vs-twin.svg.
//   --compare prev.json    prints each row's throughput against the same row of an
//                          earlier --json file (suite, table title and contender match)
// The format of a row: bench/lib/results.ts (ResultRow). See bench/README.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rowKey, type ResultRow } from './lib/results.js';
import { writeCharts } from './lib/charts.js';

const RESULTS_DIR = fileURLToPath(new URL('./results', import.meta.url));
const LATEST = join(RESULTS_DIR, 'latest.json');

interface RunArgs { only: string[]; tiny: boolean; json?: string; compareWith?: string }

function parseArgs(argv: string[]): RunArgs {
  const a: RunArgs = { only: [], tiny: false };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i];
    if (s === '--tiny') a.tiny = true;
    else if (s === '--json') {
      const next = argv[i + 1];
      if (next !== undefined && next.endsWith('.json')) { a.json = next; i++; } else a.json = LATEST;
    } else if (s === '--compare') {
      const next = argv[++i];
      if (next === undefined) fail('--compare needs a file written by --json');
      a.compareWith = next;
    } else if (s.startsWith('--')) fail(`unknown option ${s} (--tiny, --json [file], --compare file)`);
    else a.only.push(s);
  }
  return a;
}

function fail(msg: string): never {
  console.error(`bench: ${msg}`);
  process.exit(2);
}

interface ResultsFile { date: string; node: string; tiny: boolean; rows: ResultRow[] }

function readResults(file: string): ResultsFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    fail(`cannot read ${file}: ${(e as Error).message}`);
  }
  const r = parsed as Partial<ResultsFile>;
  if (!Array.isArray(r.rows)) fail(`${file} is not a results file written by --json (no rows)`);
  return r as ResultsFile;
}

function printComparison(prev: ResultsFile, rows: ResultRow[], prevFile: string): void {
  const old = new Map(prev.rows.map((r) => [rowKey(r), r]));
  console.log(`\n=== compared with ${prevFile} (${prev.date}${prev.tiny ? ', tiny' : ''}): throughput now / then ===`);
  let matched = 0;
  for (const r of rows) {
    const o = old.get(rowKey(r));
    if (o === undefined) continue;
    matched++;
    const ratio = r.throughput / o.throughput;
    const mark = ratio >= 1.1 ? ' +' : ratio <= 0.9 ? ' -' : '';
    console.log(`${ratio.toFixed(2).padStart(6)}x${mark.padEnd(2)} ${rowKey(r)}: ${r.throughput.toPrecision(4)} vs ${o.throughput.toPrecision(4)} ${r.throughputUnit}`);
  }
  console.log(`${matched} of ${rows.length} rows matched a row of ${prevFile}${matched < prev.rows.length ? ` (${prev.rows.length - matched} of its rows not run now)` : ''}`);
}

const args = parseArgs(process.argv.slice(2));
const previous = args.compareWith !== undefined ? readResults(args.compareWith) : undefined;
const dir = fileURLToPath(new URL('.', import.meta.url));
const allSuites = readdirSync(dir).filter((f) => f.endsWith('.bench.js')).sort();
// A word that names a suite picks that suite alone ('flows' is not also 'flowscale', whose
// whole-process runs take minutes); any other word picks the suites whose names contain it.
const picks = (o: string): ((f: string) => boolean) =>
  allSuites.includes(`${o}.bench.js`) ? (f) => f === `${o}.bench.js` : (f) => f.includes(o);
const suites = args.only.length === 0 ? allSuites : allSuites.filter((f) => args.only.some((o) => picks(o)(f)));
const keepLatest = !args.tiny;
const collect = args.json !== undefined || previous !== undefined || keepLatest;
const tmp = collect ? mkdtempSync(join(tmpdir(), 'pktwasm-bench-')) : undefined;
const rowsFile = tmp !== undefined ? join(tmp, 'rows.jsonl') : '';
// Suites that take their sizes from their own variables get tiny ones too (unless set).
const TINY_ENV: Record<string, string> = { BENCH_TINY: '1', LIVE_BENCH_COUNT: '5000', LIVE_BENCH_ROUNDS: '1' };
const tinyEnv = args.tiny ? Object.fromEntries(Object.entries(TINY_ENV).filter(([k]) => process.env[k] === undefined)) : {};
const env: NodeJS.ProcessEnv = { ...process.env, ...tinyEnv, ...(collect ? { BENCH_RESULTS_FILE: rowsFile } : {}) };
let failedSuites = 0;
for (const s of suites) {
  console.log(`\n=== ${s.replace(/\.bench\.js$/, '')} ===`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(dir, s)], { stdio: 'inherit', env });
  if (r.status !== 0) {
    failedSuites++;
    console.log(`(suite ${s} exited with ${r.status ?? r.signal})`);
  }
}
if (tmp !== undefined) {
  let rows: ResultRow[] = [];
  try {
    rows = readFileSync(rowsFile, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as ResultRow);
  } catch { /* no suite wrote a row */ }
  rmSync(tmp, { recursive: true, force: true });
  const out: ResultsFile = { date: new Date().toISOString(), node: process.version, tiny: args.tiny, rows };
  if (args.json !== undefined && args.json !== LATEST) {
    writeFileSync(args.json, `${JSON.stringify(out, null, 1)}\n`);
    console.log(`\n${rows.length} result rows written to ${args.json}`);
  }
  if (keepLatest && rows.length > 0) {
    // The suites run now replace theirs; the others keep the rows of their last run.
    const ran = new Set(rows.map((r) => r.suite));
    const kept = existsSync(LATEST) ? readResults(LATEST).rows.filter((r) => !ran.has(r.suite)) : [];
    mkdirSync(RESULTS_DIR, { recursive: true });
    const all: ResultsFile = { ...out, rows: [...kept, ...rows] };
    writeFileSync(LATEST, `${JSON.stringify(all, null, 1)}\n`);
    const charts = writeCharts(all.rows, RESULTS_DIR);
    console.log(`\n${rows.length} result rows in ${LATEST} (${kept.length} kept from earlier runs); ${charts.length} charts drawn in ${RESULTS_DIR}`);
  }
  if (previous !== undefined) printComparison(previous, rows, args.compareWith ?? '');
}
if (failedSuites) console.log(`\n${failedSuites} suite(s) failed`);
process.exitCode = failedSuites ? 1 : 0;
