// The one command-line parser of the tools (sniff, ping, synprobe, replay, netbench).
// Each tool declares its options once, as specs carrying what --help prints (a
// description, the value's placeholder, the default); parsing, checking and help all
// read the same specs, so an option cannot be accepted without being documented.
//
// Syntax (tcpdump's and GNU's): short flags combine (-nnvX), a short option's value is
// attached or separate (-c10, -c 10), long options take --name=value or --name value,
// `--` ends the options, and operands may stand anywhere among them (tcpdump's
// expression comes last, netbench's role first). Every refusal is an E_USAGE PktError.
import { PktError } from '../runtime/errors.js';

export interface OptionSpec {
  /** Long name without dashes; also the key the accessors take. */
  readonly name: string;
  /** One-character short name (-c). */
  readonly short?: string;
  /** Other long names accepted for this option (hidden from the synopsis). */
  readonly aliases?: readonly string[];
  /** Placeholder of the value in --help ('count', 'FILE'); absent for a flag. */
  readonly value?: string;
  /** The values allowed; the parser refuses others and --help lists them. */
  readonly choices?: readonly string[];
  /** The value may be left out (--nodelay alone means on); a separate argument is taken
   *  as the value only when it is one of `choices`. */
  readonly valueOptional?: boolean;
  /** A flag whose repeats count (-v, -vv, -vvv). */
  readonly repeatable?: boolean;
  /** What it does, for --help: sentences; a blank line starts a paragraph. */
  readonly help: string;
  /** The value when the option is not given: what the accessors return, what --help shows. */
  readonly default?: string | number;
  /** --help's words for the default when the value alone would not say it ("unlimited"). */
  readonly defaultText?: string;
}

export interface OperandSpec {
  /** As the synopsis shows it: 'expression', 'HOST'. */
  readonly name: string;
  readonly help: string;
  readonly optional?: boolean;
  /** Takes every remaining operand (tcpdump's expression). */
  readonly many?: boolean;
}

export interface ToolSpec {
  /** The tool's name: the prefix of its error lines, the word in --version. */
  readonly name: string;
  /** How it is run, as the synopsis starts. */
  readonly command: string;
  /** One sentence: what the tool is. */
  readonly summary: string;
  /** Usage lines for a tool whose forms differ by operand (netbench's roles); when
   *  absent the synopsis is made from the options and operands. */
  readonly synopsis?: readonly string[];
  readonly options: readonly OptionSpec[];
  readonly operands: readonly OperandSpec[];
  /** Paragraphs after the summary. */
  readonly description?: string;
  /** Further titled sections (file formats, notes), printed after the operands. */
  readonly sections?: ReadonlyArray<{ readonly title: string; readonly text: string }>;
  /** Exit statuses this tool adds to, or words differently from, the common ones. */
  readonly exitStatus?: Readonly<Record<number, string>>;
}

/** Options every tool takes; the parser adds them to each tool's own. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { name: 'help', short: 'h', help: 'Print this help (the options, their defaults, the exit statuses) and exit.' },
  { name: 'version', help: 'Print the version (that of the pktwasm package) and exit.' },
  { name: 'debug', help: 'On an error, print the stack trace after the one-line message.' },
];

/** "a", "a or b", "a, b or c": how the messages and --help list alternatives. */
export function listOf(items: readonly string[], conjunction = 'or'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}

export function usageError(message: string): PktError {
  return new PktError('E_USAGE', message);
}

/** How an option is named in messages: its short form when it has one. */
export function optionLabel(spec: OptionSpec): string {
  return spec.short !== undefined ? `-${spec.short}` : `--${spec.name}`;
}

export interface NumberRange {
  min?: number;
  max?: number;
  /** Whole numbers only (digits, no point or exponent). */
  integer?: boolean;
}

const DECIMAL = /^-?(\d+(\.\d*)?|\.\d+)$/;
const INTEGER = /^-?\d+$/;

/** The command line as the tool's specs read it. */
export class ParsedArgs {
  constructor(
    private readonly specs: ReadonlyMap<string, OptionSpec>,
    private readonly given: ReadonlyMap<string, readonly string[]>,
    /** The operands, in order. */
    readonly positionals: readonly string[],
  ) {}

  private spec(name: string): OptionSpec {
    const s = this.specs.get(name);
    // A programming error (a typo in a tool), not a user's: no PktError.
    if (s === undefined) throw new Error(`no option "${name}" in this tool's specs`);
    return s;
  }

  /** How many times the option was given (-vvv: 3). */
  count(name: string): number {
    this.spec(name);
    return this.given.get(name)?.length ?? 0;
  }

  has(name: string): boolean {
    return this.count(name) > 0;
  }

  /** The value given last, else the spec's default (as text), else undefined. */
  string(name: string): string | undefined {
    const s = this.spec(name);
    const v = this.given.get(name);
    if (v !== undefined && v.length > 0) return v[v.length - 1];
    return s.default === undefined ? undefined : String(s.default);
  }

  /** The option's value as a number in `range`, or its default; undefined when neither. */
  maybeNumber(name: string, range: NumberRange = {}): number | undefined {
    const s = this.spec(name);
    const v = this.given.get(name);
    if (v === undefined || v.length === 0) return typeof s.default === 'number' ? s.default : undefined;
    return parseNumber(optionLabel(s), v[v.length - 1], range);
  }

  /** As maybeNumber, for an option whose spec has a numeric default. */
  number(name: string, range: NumberRange = {}): number {
    const n = this.maybeNumber(name, range);
    if (n === undefined) throw new Error(`option "${name}" has no numeric default`);
    return n;
  }

  /** The value of an option with `choices` (checked by the parser), or its default. */
  choice<T extends string>(name: string): T | undefined {
    return this.string(name) as T | undefined;
  }
}

/** A decimal number within range, or an E_USAGE naming the option. */
export function parseNumber(label: string, text: string, range: NumberRange = {}): number {
  const { min = -Infinity, max = Infinity, integer = false } = range;
  const n = Number(text);
  if (!(integer ? INTEGER : DECIMAL).test(text) || !Number.isFinite(n) || n < min || n > max) {
    const kind = integer ? 'an integer' : 'a number';
    const bounds = Number.isFinite(min) && Number.isFinite(max) ? ` from ${min} to ${max}`
      : Number.isFinite(min) ? ` of at least ${min}` : Number.isFinite(max) ? ` of at most ${max}` : '';
    return invalid(`invalid number "${text}" for ${label}: expected ${kind}${bounds}`);
  }
  return n;
}

function invalid(message: string): never {
  throw usageError(message);
}

function checkChoice(label: string, spec: OptionSpec, v: string): void {
  if (spec.choices !== undefined && !spec.choices.includes(v)) {
    invalid(`invalid value "${v}" for ${label}: expected ${listOf(spec.choices)}`);
  }
}

/** Parses argv against the tool's options (and the common ones) and operand counts. */
export function parseCommandLine(tool: ToolSpec, argv: readonly string[]): ParsedArgs {
  const all = [...tool.options, ...COMMON_OPTIONS];
  const byName = new Map<string, OptionSpec>();
  const byLong = new Map<string, OptionSpec>();
  const byShort = new Map<string, OptionSpec>();
  for (const s of all) {
    byName.set(s.name, s);
    for (const n of [s.name, ...(s.aliases ?? [])]) byLong.set(n, s);
    if (s.short !== undefined) byShort.set(s.short, s);
  }
  const given = new Map<string, string[]>();
  const put = (s: OptionSpec, v: string): void => {
    const list = given.get(s.name) ?? [];
    list.push(v);
    given.set(s.name, list);
  };
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const inline = eq < 0 ? undefined : a.slice(eq + 1);
      const s = byLong.get(name) ?? invalid(`unknown option --${name} (--help lists the options)`);
      const label = `--${name}`;
      if (s.value === undefined) {
        if (inline !== undefined) invalid(`option ${label} takes no value`);
        put(s, '');
        continue;
      }
      let v = inline;
      if (v === undefined) {
        const next = argv[i + 1];
        if (s.valueOptional === true) {
          if (next !== undefined && s.choices?.includes(next) === true) { v = next; i++; } else v = '';
        } else {
          if (next === undefined) invalid(`option ${label} needs a value (${s.value})`);
          v = next;
          i++;
        }
      }
      if (!(s.valueOptional === true && v === '')) checkChoice(label, s, v);
      put(s, v);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let k = 1; k < a.length; k++) {
        const c = a[k];
        const s = byShort.get(c) ?? invalid(`unknown option -${c} (--help lists the options)`);
        if (s.value === undefined) { put(s, ''); continue; }
        let v = a.slice(k + 1);
        if (v === '') {
          if (i + 1 >= argv.length) invalid(`option -${c} needs a value (${s.value})`);
          v = argv[++i];
        }
        checkChoice(`-${c}`, s, v);
        put(s, v);
        break;
      }
      continue;
    }
    positionals.push(a);
  }
  // --help and --version answer whatever else the line holds.
  if (!given.has('help') && !given.has('version')) checkOperands(tool, positionals);
  return new ParsedArgs(byName, given, positionals);
}

function checkOperands(tool: ToolSpec, positionals: readonly string[]): void {
  const ops = tool.operands;
  const required = ops.filter((o) => o.optional !== true);
  if (positionals.length < required.length) invalid(`missing ${required[positionals.length].name}`);
  if (!ops.some((o) => o.many === true) && positionals.length > ops.length) {
    invalid(`unexpected argument "${positionals[ops.length]}"`);
  }
}
