// `npm run build:layout` (the first step of `npm run build`): writes the host's layout
// constants, and the C header the live-capture addon includes, from the hand-written
// AssemblyScript sources, so that each layout is written once. Plain Node (.mjs), because
// it runs before tsc: the TypeScript files it writes are inputs of tsc, not outputs.
//
//   node host/runtime/generate-layout.mjs           write what changed (mtimes of unchanged files stay)
//   node host/runtime/generate-layout.mjs --check   write nothing; exit 1 naming each file that is
//                                                   missing or differs from what would be written
//
// A source may hold only `export const NAME: i32|u32 = <integer expression>; // comment`,
// `//` comments and blank lines. Anything else is refused with its line number rather than
// skipped, so a constant can never go missing from the generated side unnoticed. Values are
// computed here (expressions may use +, -, *, <<, >>, >>>, &, |, ^, ~, parentheses, integer
// literals and constants defined earlier in the same file) and written as literals;
// test/layout.test.ts compares every one with the WASM module's export of the same name.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = 'host/runtime/generate-layout.mjs';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Each hand-written source and the files generated from it. */
export const LAYOUTS = [
  { source: 'assembly/layout.ts', ts: 'host/runtime/layout.ts', c: 'host/native/src/layout.h' },
  { source: 'assembly/flow-layout.ts', ts: 'host/flows/flow-layout.ts' },
  { source: 'assembly/builder-layout.ts', ts: 'host/builder/spec-layout.ts' },
  { source: 'assembly/app/app-layout.ts', ts: 'host/app/app-layout.ts' },
  { source: 'assembly/reasm-layout.ts', ts: 'host/reasm/reasm-layout.ts' },
  { source: 'assembly/wheel-layout.ts', ts: 'host/wheel/wheel-layout.ts' },
  { source: 'assembly/pool-layout.ts', ts: 'host/pool/pool-layout.ts' },
  { source: 'assembly/lpm-layout.ts', ts: 'host/lpm/lpm-layout.ts' },
  { source: 'assembly/json/json-layout.ts', ts: 'host/sinks/json/json-layout.ts' },
];

const CONST_RE = /^export const ([A-Z][A-Z0-9_]*): (i32|u32) = ([^;]+);\s*(?:\/\/ ?(.*))?$/;
const TOKEN_RE = /\s*(0[xX][0-9a-fA-F]+|[0-9]+|[A-Za-z_][A-Za-z0-9_]*|>>>|<<|>>|[-+*&|^~()])/y;

class LayoutError extends Error {}

/** Integer value of `expr` given the constants defined so far (a Map name -> value). */
function evaluate(expr, known, where) {
  let js = '';
  let refs = false;
  TOKEN_RE.lastIndex = 0;
  while (TOKEN_RE.lastIndex < expr.length) {
    const at = TOKEN_RE.lastIndex;
    const m = TOKEN_RE.exec(expr);
    if (m === null) {
      if (expr.slice(at).trim() === '') break;
      throw new LayoutError(`${where}: cannot read "${expr.slice(at).trim()}" in "${expr}" (integer literals, earlier constants and + - * << >> >>> & | ^ ~ ( ) only)`);
    }
    const tok = m[1];
    if (/^[A-Za-z_]/.test(tok)) {
      if (!known.has(tok)) throw new LayoutError(`${where}: ${tok} is not a constant defined earlier in this file`);
      js += `(${known.get(tok)})`;
      refs = true;
    } else {
      js += tok;
    }
  }
  // Only the tokens above reach here: numbers, operators and parentheses.
  const value = Function(`"use strict"; return (${js});`)();
  if (!Number.isSafeInteger(value)) throw new LayoutError(`${where}: "${expr}" is not an integer (${value})`);
  return { value, refs };
}

/** Reads one source into a list of items: { kind: 'blank' } | { kind: 'comment', text } |
 *  { kind: 'const', name, type, value, expr, refs, comment }. The opening comment block
 *  (up to the first blank line) describes the source file itself and is left out. */
export function parseLayout(sourcePath) {
  const text = readFileSync(join(root, sourcePath), 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const items = [];
  const known = new Map();
  let header = true;
  lines.forEach((raw, i) => {
    const where = `${sourcePath}:${i + 1}`;
    const line = raw.trimEnd();
    if (header && line.startsWith('//')) return;
    header = false;
    if (line === '') { if (items.length > 0) items.push({ kind: 'blank' }); return; }
    if (/^\s*\/\//.test(line)) { items.push({ kind: 'comment', text: line.replace(/^\s*\/\/ ?/, '') }); return; }
    const m = CONST_RE.exec(line);
    if (m === null) throw new LayoutError(`${where}: not a layout constant, comment or blank line: ${line}`);
    const [, name, type, expr, comment] = m;
    if (known.has(name)) throw new LayoutError(`${where}: ${name} is defined twice`);
    let { value, refs } = evaluate(expr, known, where);
    if (type === 'u32') {
      if (value < -0x8000_0000 || value > 0xFFFF_FFFF) throw new LayoutError(`${where}: ${name} = ${value} does not fit a u32`);
      value >>>= 0; // as AssemblyScript wraps 1 << 31
    } else if (value !== (value | 0)) {
      throw new LayoutError(`${where}: ${name} = ${value} does not fit an i32`);
    }
    known.set(name, value);
    items.push({ kind: 'const', name, type, value, expr: expr.trim(), refs, comment: comment?.trim() ?? '' });
  });
  while (items.at(-1)?.kind === 'blank') items.pop();
  return items;
}

/** Flag-like values (written with a shift or in hex) stay in hex; the rest in decimal. */
function literal(item) {
  if (item.value >= 0 && /<<|0[xX]/.test(item.expr)) return `0x${item.value.toString(16)}`;
  return String(item.value);
}

/** The comment of a generated constant: the source's, plus the expression it came from. */
function note(item) {
  const parts = [];
  if (item.refs) parts.push(`= ${item.expr}`);
  if (item.comment !== '') parts.push(item.comment);
  return parts.length > 0 ? ` // ${parts.join('; ')}` : '';
}

function banner(source) {
  return `generated from ${source} by ${SCRIPT}: do not edit`;
}

export function renderTs(layout, items) {
  const out = [
    `// ${banner(layout.source)}`,
    `// Edit ${layout.source} instead and run \`npm run build:layout\`. test/layout.test.ts`,
    '// checks every value against the WASM module\'s export of the same name.',
    '',
  ];
  for (const it of items) {
    if (it.kind === 'blank') out.push('');
    else if (it.kind === 'comment') out.push(`//${it.text === '' ? '' : ` ${it.text}`}`);
    else out.push(`export const ${it.name} = ${literal(it)};${note(it)}`);
  }
  return `${out.join('\n')}\n`;
}

export function renderC(layout, items) {
  const guard = `PKTWASM_${layout.c.split('/').at(-1).replace(/\W/g, '_').toUpperCase()}`;
  const out = [
    `/* ${banner(layout.source)} */`,
    `/* Edit ${layout.source} instead and run \`npm run build:layout\`. test/layout.test.ts`,
    ' * compiles this header and checks every value against the WASM module\'s export of the',
    ' * same name. */',
    `#ifndef ${guard}`,
    `#define ${guard}`,
    '',
  ];
  for (const it of items) {
    if (it.kind === 'blank') out.push('');
    else if (it.kind === 'comment') out.push(`//${it.text === '' ? '' : ` ${it.text}`}`);
    else {
      const v = it.value < 0 ? `(${literal(it)})` : `${literal(it)}${it.type === 'u32' ? 'u' : ''}`;
      out.push(`#define ${it.name} ${v}${note(it)}`);
    }
  }
  out.push('', `#endif /* ${guard} */`);
  return `${out.join('\n')}\n`;
}

/** Every generated file: [path relative to the repo, content]. */
export function generateAll() {
  const files = [];
  for (const layout of LAYOUTS) {
    const items = parseLayout(layout.source);
    files.push([layout.ts, renderTs(layout, items)]);
    if (layout.c !== undefined) files.push([layout.c, renderC(layout, items)]);
  }
  return files;
}

function main() {
  const check = process.argv.includes('--check');
  let files;
  try {
    files = generateAll();
  } catch (e) {
    if (!(e instanceof LayoutError)) throw e;
    console.error(`generate-layout: ${e.message}`);
    process.exit(1);
  }
  const stale = [];
  for (const [rel, content] of files) {
    const path = join(root, rel);
    const now = existsSync(path) ? readFileSync(path, 'utf8') : null;
    if (now === content) continue;
    if (check) {
      stale.push(`${rel} ${now === null ? 'is missing' : 'differs from its source'}`);
    } else {
      writeFileSync(path, content);
      console.log(`generate-layout: wrote ${relative(process.cwd(), path) || rel}`);
    }
  }
  if (stale.length > 0) {
    for (const s of stale) console.error(`generate-layout: ${s}`);
    console.error('generate-layout: run `npm run build:layout`');
    process.exit(1);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
