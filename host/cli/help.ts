// --help, made from the tool's specs in the shape of tcpdump's man page: a synopsis
// (short flags grouped, then each option with its value, then the operands), what the
// tool is, every option with its description and default, the operands, any further
// sections (file formats), and the exit statuses.
import { COMMON_OPTIONS, type OptionSpec, type ToolSpec } from './args.js';

const WIDTH = 79;
const INDENT = 10; // where descriptions start, as man(1) indents them

/** Exit statuses every tool shares (host/cli/run-tool.ts implements them). */
export const COMMON_EXIT_STATUS: Readonly<Record<number, string>> = {
  0: 'success',
  1: 'a runtime error (a file, device, socket or peer failed): one line on stderr',
  2: 'a usage error (unknown option, bad value, missing operand, unresolvable name, filter syntax): one line on stderr',
  141: 'standard output was closed by its reader (as head does once it has its lines): the tool stops quietly, as Unix filters stopped by SIGPIPE do (128 + 13)',
};

/** Words of `text` wrapped to `width`, each line starting with `indent` spaces; a blank
 *  line in the text keeps its paragraph break. */
export function wrap(text: string, indent: number, width = WIDTH): string[] {
  const out: string[] = [];
  const pad = ' '.repeat(indent);
  for (const para of text.split(/\n\s*\n/)) {
    if (out.length > 0) out.push('');
    let line = '';
    for (const word of para.split(/\s+/).filter((w) => w !== '')) {
      if (line !== '' && indent + line.length + 1 + word.length > width) {
        out.push(pad + line);
        line = word;
      } else {
        line = line === '' ? word : `${line} ${word}`;
      }
    }
    if (line !== '') out.push(pad + line);
  }
  return out;
}

/** tcpdump's order of short options: by letter, lower case before upper, then the rest. */
function shortOrder(a: string, b: string): number {
  const key = (c: string): string => (/[a-z]/i.test(c) ? `0${c.toLowerCase()}${c === c.toLowerCase() ? 0 : 1}` : `1${c}`);
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

function valueText(s: OptionSpec): string {
  return s.choices !== undefined && !s.valueOptional ? s.choices.join('|') : (s.value ?? '');
}

/** The synopsis items: [ -flags ], [ -o value ] ..., [ --long ] ..., operands. */
function synopsisItems(tool: ToolSpec): string[] {
  const all = [...tool.options, ...COMMON_OPTIONS];
  const flags = all.filter((s) => s.short !== undefined && s.value === undefined).map((s) => s.short!).sort(shortOrder);
  const items: string[] = [];
  if (flags.length > 0) items.push(`[ -${flags.join('')} ]`);
  for (const s of all.filter((o) => o.short !== undefined && o.value !== undefined).sort((a, b) => shortOrder(a.short!, b.short!))) {
    items.push(`[ -${s.short} ${valueText(s)} ]`);
  }
  for (const s of all.filter((o) => o.short === undefined)) {
    if (s.value === undefined) items.push(`[ --${s.name} ]`);
    else if (s.valueOptional === true) items.push(`[ --${s.name}[=${s.choices?.join('|') ?? s.value}] ]`);
    else items.push(`[ --${s.name} ${valueText(s)} ]`);
  }
  for (const o of tool.operands) {
    const name = o.many === true ? `${o.name} ...` : o.name;
    items.push(o.optional === true ? `[ ${name} ]` : name);
  }
  return items;
}

function synopsis(tool: ToolSpec): string[] {
  if (tool.synopsis !== undefined) return tool.synopsis.map((l, i) => (i === 0 ? `Usage: ${l}` : `       ${l}`));
  // Started through the package's `pktwasm <tool>` command: say so in the usage line.
  const head = `Usage: ${process.env.PKTWASM_INVOKED_AS ?? tool.command} `;
  const pad = ' '.repeat(head.length);
  const lines: string[] = [];
  let line = head;
  for (const item of synopsisItems(tool)) {
    if (line.length > head.length && line.length + item.length + 1 > WIDTH) {
      lines.push(line.trimEnd());
      line = pad;
    }
    line += `${item} `;
  }
  lines.push(line.trimEnd());
  return lines;
}

/** "-c count, --count=count" and the like. */
function optionHeader(s: OptionSpec): string {
  const v = valueText(s);
  const long = [s.name, ...(s.aliases ?? [])].map((n) => {
    if (s.value === undefined) return `--${n}`;
    if (s.valueOptional === true) return `--${n}[=${s.choices?.join('|') ?? s.value}]`;
    return `--${n}=${v}`;
  });
  return [...(s.short !== undefined ? [s.value === undefined ? `-${s.short}` : `-${s.short} ${v}`] : []), ...long].join(', ');
}

function defaultSentence(s: OptionSpec): string {
  if (s.defaultText !== undefined) return ` Default: ${s.defaultText}.`;
  if (s.default !== undefined) return ` Default: ${s.default}.`;
  return '';
}

export function formatHelp(tool: ToolSpec): string {
  const out: string[] = [...synopsis(tool), '', ...wrap(tool.summary, 0)];
  if (tool.description !== undefined) out.push('', ...wrap(tool.description, 0));
  const all = [...tool.options, ...COMMON_OPTIONS];
  const ordered = [
    ...all.filter((s) => s.short !== undefined).sort((a, b) => shortOrder(a.short!, b.short!)),
    ...all.filter((s) => s.short === undefined),
  ];
  out.push('', 'Options:');
  for (const s of ordered) {
    out.push(`  ${optionHeader(s)}`);
    out.push(...wrap(`${s.help}${defaultSentence(s)}`, INDENT), '');
  }
  if (tool.operands.length > 0) {
    out.push('Operands:');
    for (const o of tool.operands) out.push(`  ${o.name}`, ...wrap(o.help, INDENT), '');
  }
  for (const sec of tool.sections ?? []) out.push(`${sec.title}:`, ...wrap(sec.text, 2), '');
  out.push('Exit status:');
  const statuses = { ...COMMON_EXIT_STATUS, ...tool.exitStatus };
  for (const code of Object.keys(statuses).map(Number).sort((a, b) => a - b)) {
    const lines = wrap(statuses[code], INDENT);
    out.push(`  ${String(code).padEnd(INDENT - 2)}${lines[0].trimStart()}`, ...lines.slice(1));
  }
  return `${out.join('\n')}\n`;
}
