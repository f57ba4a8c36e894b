// SVG charts of a bench run's rows (the --json results): one picture per suite with a bar
// per contender of each table (throughput at the median, the table's fastest first), and
// an overview of WASM against its TypeScript twin for every table that has both. Plain
// SVG text, no dependency: the README shows the files as images.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultRow } from './results.js';

const WIDTH = 960;
const LABEL_W = 330;
const BAR_W = 420;
const BAR_H = 16;
const GAP = 5;
const TITLE_H = 26;
const FONT = 'font-family="system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif"';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Three significant digits, as the bench tables print. */
function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toPrecision(3);
}

function colour(contender: string): string {
  const c = contender.toLowerCase();
  if (c.includes('twin') || /^ts\b/.test(c)) return '#e8833a';
  if (c.includes('wasm') || c.includes('pktwasm') || c.includes('sniff')) return '#2f6db5';
  if (c.includes('tcpdump') || c.includes('tshark') || c.includes('softflowd')) return '#3a9a5b';
  return '#8a8f98';
}

interface Table { title: string; rows: ResultRow[] }

function tablesOf(rows: readonly ResultRow[]): Table[] {
  const byTitle = new Map<string, ResultRow[]>();
  for (const r of rows) {
    const list = byTitle.get(r.table) ?? [];
    list.push(r);
    byTitle.set(r.table, list);
  }
  return [...byTitle].map(([title, list]) => ({ title, rows: [...list].sort((a, b) => b.throughput - a.throughput) }));
}

function svg(height: number, body: string[], heading: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT} font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="22" font-size="16" font-weight="600">${esc(heading)}</text>`,
    ...body,
    '</svg>',
  ].join('\n');
}

/** One suite: each table's contenders as bars scaled to the table's fastest. */
export function suiteChart(suite: string, rows: readonly ResultRow[]): string {
  const body: string[] = [];
  let y = 40;
  for (const t of tablesOf(rows)) {
    body.push(`<text x="10" y="${y + 16}" font-weight="600">${esc(t.title)}</text>`);
    y += TITLE_H;
    const best = t.rows[0]?.throughput ?? 1;
    for (const r of t.rows) {
      const w = best > 0 ? Math.max(2, (r.throughput / best) * BAR_W) : 2;
      const ratio = r.throughput > 0 && r === t.rows[0] ? 'fastest' : r.throughput > 0 ? `${num(best / r.throughput)}x slower` : '';
      body.push(
        `<text x="${LABEL_W - 8}" y="${y + 12}" text-anchor="end">${esc(r.contender)}</text>`,
        `<rect x="${LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${colour(r.contender)}"/>`,
        `<text x="${(LABEL_W + w + 6).toFixed(1)}" y="${y + 12}">${esc(`${num(r.throughput)} ${r.throughputUnit}`)}  <tspan fill="#666">${esc(ratio)}</tspan></text>`,
      );
      y += BAR_H + GAP;
    }
    y += 10;
  }
  return svg(y + 10, body, `pktwasm bench: ${suite} (median throughput; longer is faster)`);
}

/** Every table with a WASM contender and its twin: how many times faster WASM is. */
export function twinChart(rows: readonly ResultRow[]): string | null {
  const pairs: Array<{ label: string; speedup: number }> = [];
  for (const t of tablesOf(rows)) {
    const wasm = t.rows.find((r) => /^wasm\b/i.test(r.contender));
    const twin = t.rows.find((r) => /twin/i.test(r.contender));
    if (wasm === undefined || twin === undefined || twin.throughput <= 0) continue;
    pairs.push({ label: `${wasm.suite}: ${t.title}`, speedup: wasm.throughput / twin.throughput });
  }
  if (pairs.length === 0) return null;
  const max = Math.max(...pairs.map((p) => p.speedup), 1);
  const body: string[] = [];
  let y = 40;
  const labelW = 560;
  const barW = WIDTH - labelW - 90;
  for (const p of pairs) {
    const w = Math.max(2, (p.speedup / max) * barW);
    const label = p.label.length > 88 ? `${p.label.slice(0, 85)}...` : p.label;
    body.push(
      `<text x="${labelW - 8}" y="${y + 12}" text-anchor="end">${esc(label)}</text>`,
      `<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${p.speedup >= 1 ? '#2f6db5' : '#c0392b'}"/>`,
      `<text x="${(labelW + w + 6).toFixed(1)}" y="${y + 12}">${esc(`${num(p.speedup)}x`)}</text>`,
    );
    y += BAR_H + GAP;
  }
  return svg(y + 10, body, 'WASM vs its TypeScript twin, same API over the same memory (times faster)');
}

/** Writes <suite>.svg for every suite and wasm-vs-twin.svg into `dir`; returns the files. */
export function writeCharts(rows: readonly ResultRow[], dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  const suites = [...new Set(rows.map((r) => r.suite))];
  for (const s of suites) {
    const file = join(dir, `${s}.svg`);
    writeFileSync(file, suiteChart(s, rows.filter((r) => r.suite === s)));
    out.push(file);
  }
  const twin = twinChart(rows);
  if (twin !== null) {
    const file = join(dir, 'wasm-vs-twin.svg');
    writeFileSync(file, twin);
    out.push(file);
  }
  return out;
}
