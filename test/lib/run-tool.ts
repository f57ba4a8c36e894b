// Runs one of the CLI tools (host/<tool>.js) or an oracle binary and collects its output:
// runNode/runBin wait for it; runNodeAsync/runBinAsync return a promise, so that a test
// can keep a few independent runs in flight (pool(), test/lib/parallel.ts) and assert on
// the results afterwards, in the order it would have run them.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './env.js';

export interface ToolResult { status: number | null; stdout: string; stderr: string; signal: NodeJS.Signals | null }

export interface RunOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** 'ignore': do not collect standard output (a reader's printout of a large capture
   *  can exceed any buffer); `stdout` is then ''. */
  stdout?: 'pipe' | 'ignore';
}

const toolPath = (tool: string): string => join(repoRoot, 'host', `${tool}.js`);

export function runNode(tool: string, args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): ToolResult {
  const r = spawnSync(process.execPath, [toolPath(tool), ...args], {
    cwd: repoRoot, encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000, maxBuffer: 256 << 20,
    env: { ...process.env, TZ: 'UTC', ...opts.env },
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', signal: r.signal };
}

export function runBin(bin: string, args: string[], timeoutMs = 60_000): ToolResult {
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 << 20, env: { ...process.env, TZ: 'UTC' } });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', signal: r.signal };
}

/** runNode without waiting: the same command, environment and timeout. */
export function runNodeAsync(tool: string, args: string[], opts: RunOptions = {}): Promise<ToolResult> {
  return spawnCollect(process.execPath, [toolPath(tool), ...args], { ...opts, cwd: repoRoot });
}

/** runBin without waiting. */
export function runBinAsync(bin: string, args: string[], opts: RunOptions = {}): Promise<ToolResult> {
  return spawnCollect(bin, args, opts);
}

/** Spawns, collects stdout and stderr as UTF-8, and resolves on exit; a run past its
 *  timeout is killed (SIGKILL, status null) as spawnSync's timeout does. A command that
 *  cannot start rejects (as spawnSync's result would carry an error). */
function spawnCollect(cmd: string, args: string[], opts: RunOptions & { cwd?: string }): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd, env: { ...process.env, TZ: 'UTC', ...opts.env },
      stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}
