// Helpers for live tests: spawn netbench roles inside namespaces and wait for their
// readiness lines; every child is killed in teardown.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { repoRoot } from './env.js';

const children = new Set<ChildProcess>();
process.on('exit', () => { for (const c of children) c.kill('SIGKILL'); });

export interface Spawned { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> }

/** Runs `node [nodeFlags] host/netbench.js ...args` in namespace `ns` (or in this one when
 *  ns is null; `ip netns exec` execs in place, so the child's pid is node's either way). */
export function spawnNetbench(ns: string | null, args: string[], nodeFlags: string[] = []): Spawned {
  const argv = [process.execPath, ...nodeFlags, 'host/netbench.js', ...args];
  const child = ns === null
    ? spawn(argv[0], argv.slice(1), { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('ip', ['netns', 'exec', ns, ...argv], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
  const exit = new Promise<number | null>((res) => child.on('exit', (code) => { children.delete(child); res(code); }));
  return { child, out: () => out, err: () => err, exit };
}

/** Resolves once `pred(stdout+stderr)` holds (or rejects after `ms`). */
export async function waitFor(s: Spawned, pred: (text: string) => boolean, ms = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!pred(s.out() + s.err())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting; output so far: ${s.out()} ${s.err()}`);
    if (s.child.exitCode !== null) throw new Error(`exited ${s.child.exitCode}: ${s.out()} ${s.err()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function stop(s: Spawned): void {
  if (s.child.exitCode === null) s.child.kill('SIGTERM');
}

/** Waits for exit with a bound; kills on overrun. */
export async function exited(s: Spawned, ms: number): Promise<number | null> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => { t = setTimeout(() => r('timeout'), ms); });
  const r = await Promise.race([s.exit, timeout]);
  clearTimeout(t);
  if (r === 'timeout') { s.child.kill('SIGKILL'); throw new Error(`did not exit within ${ms} ms: ${s.out()} ${s.err()}`); }
  return r;
}

/** Resident set size of a live process, bytes (/proc/PID/status VmRSS). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** The JSON objects a process printed, one per line (other lines skipped). */
export function jsonLines(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try { out.push(JSON.parse(line) as Record<string, unknown>); } catch { /* not JSON */ }
  }
  return out;
}
