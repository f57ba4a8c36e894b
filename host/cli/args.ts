// Shared CLI plumbing for ping, synprobe and replay: argument parsing on node:util's
// parseArgs, and the one-line error contract (DESIGN.md): what failed, why, what to do;
// exit non-zero; a stack trace only with --debug.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PktError } from '../runtime/errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedCli {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Parses argv strictly; an unknown option or a missing value is an E_BAD_ARGUMENT. */
export function parseCli(argv: string[], options: OptionSpec): ParsedCli {
  try {
    return parseArgs({ args: argv, options: { ...options, debug: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new PktError('E_BAD_ARGUMENT', (e as Error).message.replace(/\. To specify.*$/s, ''));
  }
}

/** A number option within [min, max], or the default when absent. */
export function numberOpt(v: string | boolean | undefined, name: string, def: number, min: number, max: number): number {
  if (v === undefined || typeof v === 'boolean') return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new PktError('E_BAD_ARGUMENT', `invalid ${name} "${v}": expected a number from ${min} to ${max}`);
  }
  return n;
}

/** Runs a tool's main and turns any error into the one-line contract. */
export function runTool(prog: string, usage: string, main: (argv: string[]) => Promise<number>): void {
  const argv = process.argv.slice(2);
  const debug = argv.includes('--debug');
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  main(argv).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => {
      const e = err as Error;
      let msg = e instanceof PktError ? e.message : `${e.message ?? String(err)}`;
      if (e instanceof PktError && e.code === 'E_BAD_ARGUMENT') msg += ` (${prog} --help shows the usage)`;
      process.stderr.write(`${prog}: ${msg}\n`);
      if (debug && e.stack) process.stderr.write(`${e.stack}\n`);
      process.exitCode = 2;
    },
  );
}

/** Maps a raw-socket creation failure to a clear PktError. */
export function rawSocketError(err: unknown, what: string): PktError {
  const msg = (err as Error).message ?? String(err);
  if (/not permitted|EPERM|EACCES|permission/i.test(msg)) {
    return new PktError('E_PERM', `${what}: raw sockets need root or CAP_NET_RAW (${msg}); run with sudo or grant cap_net_raw`);
  }
  return new PktError('E_IO', `${what}: ${msg}`);
}
