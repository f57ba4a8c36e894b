// sniff's text of a capture, packet by packet, to set beside tcpdump's (tcpdumpText() of
// test/text-output-tcpdump.ts): the same -# numbering split, latin1 bytes and TZ=UTC, so
// that the app tests compare whole lines in one way.
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './env.js';
import { splitPackets } from '../text-output-tcpdump.js';

/**
 * Runs `sniff -# ARGS [--engine ENGINE] -r PATH` and returns its text per packet; asserts
 * that it exits 0 and prints as many packets as `expected` (tcpdump's for the same file).
 */
export function sniffPackets(path: string, args: string[], expected: number, engine?: 'wasm' | 'ts'): string[] {
  const argv = [join(repoRoot, 'host/sniff.js'), '-#', ...args, ...(engine === undefined ? [] : ['--engine', engine]), '-r', path];
  const r = spawnSync(process.execPath, argv, { encoding: 'latin1', env: { ...process.env, TZ: 'UTC' }, maxBuffer: 1 << 28 });
  const what = `sniff ${args.join(' ')}${engine === undefined ? '' : ` --engine ${engine}`} -r ${path}`;
  assert.is(r.status, 0, `${what}: ${r.stderr}`);
  const mine = splitPackets(r.stdout);
  assert.is(mine.length, expected, `${what}: packets printed`);
  return mine;
}
