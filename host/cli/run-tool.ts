// How every tool runs: the contract of DESIGN.md's "Errors and privileges" in one place.
//   - The command line is parsed against the tool's specs; --help and --version answer.
//   - prepare() turns it into what the run needs (values checked, names resolved): any
//     failure there is a usage error. run() does the work: a failure there is a runtime
//     error, unless it is a usage or filter-syntax error found late (a filter compiles
//     only once the link type is known).
//   - Exit statuses: 0 success, 1 runtime error, 2 usage error, 141 closed output pipe;
//     a tool may return others (ping: 1 when no reply came back).
//   - Errors print as one line, `tool: what failed`, the tool's name once, no internal
//     code; the stack only with --debug.
//   - A closed standard output (EPIPE: `tool ... | head -1`) ends the tool quietly with
//     141, as SIGPIPE ends Unix filters such as seq and cat (Node ignores SIGPIPE, so the
//     error is what arrives; this turns it back into the filter's behaviour).
import { readFileSync } from 'node:fs';
import { PktError } from '../runtime/errors.js';
import { parseCommandLine, type ParsedArgs, type ToolSpec } from './args.js';
import { formatHelp } from './help.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** 128 + SIGPIPE: what a shell reports for a filter that SIGPIPE ended. */
export const EXIT_CLOSED_PIPE = 141;

export interface Tool<Plan> {
  readonly spec: ToolSpec;
  /** Reads the parsed command line into the run's plan; throws on anything unusable. */
  prepare(args: ParsedArgs): Plan | Promise<Plan>;
  /** The work; resolves to the exit status (when nothing is returned: 0, or whatever
   *  process.exitCode the run set). */
  run(plan: Plan): Promise<number | void>;
  /** A hint appended to a runtime error's line ("is the server running?"), if any. */
  explain?(err: unknown): string | null;
}

/** The package's version, read from package.json next to host/. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

interface SystemError extends Error { code?: unknown }

/** An error the reader closing our output caused: quiet exit, no message. */
export function isClosedPipe(err: unknown): boolean {
  return err instanceof PktError ? err.code === 'E_PIPE' : (err as SystemError | null)?.code === 'E_PIPE';
}

/** 2 for what the command line got wrong, 1 for everything else. */
export function exitStatusFor(err: unknown): number {
  if (isClosedPipe(err)) return EXIT_CLOSED_PIPE;
  const code = (err as SystemError | null)?.code;
  return code === 'E_USAGE' || code === 'E_FILTER_SYNTAX' ? EXIT_USAGE : EXIT_FAILURE;
}

/** The one line printed for `err`: `tool: message`, the name once, no internal code.
 *  A system error (ECONNREFUSED, ETIMEDOUT ...: an errno name, never one of our E_ codes)
 *  keeps that name in front, as it is what a user looks up. */
export function errorLine(tool: string, err: unknown, hint: string | null = null): string {
  const e = err as SystemError | null;
  let msg = e instanceof Error ? e.message : String(err);
  // A message that already starts with the tool's name ("ping: ...") or with one of our
  // codes ("E_USAGE: ...") loses them: the line starts with the name exactly once.
  const prefix = new RegExp(`^(?:${tool.replace(/[^\w-]/g, '\\$&')}: |E_[A-Z_]+: )+`);
  msg = msg.replace(prefix, '');
  if (!(err instanceof PktError) && typeof e?.code === 'string' && /^E[A-Z0-9]+$/.test(e.code) && !msg.startsWith(e.code)) {
    // "connect ECONNREFUSED 127.0.0.1:5201" -> "ECONNREFUSED: connect 127.0.0.1:5201"
    msg = `${e.code}: ${msg.replace(` ${e.code}`, '')}`;
  }
  msg = msg.split('\n').map((l) => l.trim()).filter((l) => l !== '').join(' ');
  return `${tool}: ${msg}${hint ? ` ${hint}` : ''}`;
}

/** Where a tool's warnings go: one line on stderr, `tool: what`, the tool's name once. The
 *  library's own warnings start with 'pktwasm: ' (a library user sees that); a tool shows
 *  its own name instead, as on its errors. */
export function toolWarning(tool: string): (line: string) => void {
  return (line) => {
    try {
      process.stderr.write(`${tool}: ${line.replace(/^pktwasm: /, '')}\n`);
    } catch {
      // stderr itself is gone: a warning is not worth failing for
    }
  };
}

/** Prints err's line (and, with --debug, its stack) and exits with its status. */
export function fail(tool: string, err: unknown, debug: boolean, hint: string | null = null): never {
  if (isClosedPipe(err)) process.exit(EXIT_CLOSED_PIPE);
  try {
    process.stderr.write(`${errorLine(tool, err, hint)}\n`);
    if (debug) {
      for (let e: unknown = err; e instanceof Error; e = e.cause) if (e.stack) process.stderr.write(`${e.stack}\n`);
    }
  } catch {
    // stderr itself is gone: the status still tells
  }
  process.exit(exitStatusFor(err));
}

/** Standard output (and error) closed by their reader end the tool quietly; any other
 *  failure to write them is one runtime error line. */
function watchOutputs(tool: string, debug: boolean): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(EXIT_CLOSED_PIPE);
      fail(tool, new PktError('E_IO', `writing to standard ${stream === process.stdout ? 'output' : 'error'}: ${e.message}`), debug);
    });
  }
}

/** A failure while reading the command line is the user's to fix: E_USAGE (the cause
 *  kept for --debug), unless it already says what it is. */
export function asUsageError(err: unknown): unknown {
  if (err instanceof PktError && (err.code === 'E_USAGE' || err.code === 'E_FILTER_SYNTAX' || err.code === 'E_PIPE')) return err;
  return new PktError('E_USAGE', err instanceof Error ? err.message : String(err), { cause: err });
}

/** Runs a tool under the contract above. */
export async function runTool<Plan>(tool: Tool<Plan>, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const name = tool.spec.name;
  const debug = argv.includes('--debug');
  watchOutputs(name, debug);
  let args: ParsedArgs;
  try {
    args = parseCommandLine(tool.spec, argv);
  } catch (e) {
    fail(name, e, debug);
  }
  if (args.has('help')) { process.stdout.write(formatHelp(tool.spec)); return; }
  if (args.has('version')) { process.stdout.write(`pktwasm ${name} ${packageVersion()}\n`); return; }
  let plan: Plan;
  try {
    plan = await tool.prepare(args);
  } catch (e) {
    fail(name, asUsageError(e), debug);
  }
  try {
    const status = await tool.run(plan);
    if (status !== undefined) process.exitCode = status;
  } catch (e) {
    fail(name, e, debug, tool.explain?.(e) ?? null);
  }
}
