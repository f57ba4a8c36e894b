// Runs one of the CLI tools (host/<tool>.js) or an oracle binary and collects its output.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './env.js';

export interface ToolResult { status: number | null; stdout: string; stderr: string; signal: NodeJS.Signals | null }

export function runNode(tool: string, args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): ToolResult {
  const r = spawnSync(process.execPath, [join(repoRoot, 'host', `${tool}.js`), ...args], {
    cwd: repoRoot, encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000, maxBuffer: 256 << 20,
    env: { ...process.env, TZ: 'UTC', ...opts.env },
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', signal: r.signal };
}

export function runBin(bin: string, args: string[], timeoutMs = 60_000): ToolResult {
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 << 20, env: { ...process.env, TZ: 'UTC' } });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', signal: r.signal };
}
