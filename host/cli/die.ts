// One clear line and a non-zero exit for every failure a user can cause; the stack
// only with --debug (DESIGN.md, "Errors and privileges").
import { PktError } from '../runtime/errors.js';

export function die(err: unknown, debug: boolean, tool = 'sniff'): never {
  if (debug && err instanceof Error) process.stderr.write(`${err.stack ?? err.message}\n`);
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`${tool}: ${msg}\n`);
  const code = err instanceof PktError ? (err.code === 'E_BAD_ARGUMENT' || err.code === 'E_FILTER_SYNTAX' ? 2 : 1) : 1;
  process.exit(code);
}
