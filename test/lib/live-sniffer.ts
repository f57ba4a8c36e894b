// sniff.js started inside a network namespace the test made, for the live tests: output
// collected, ready once it says "listening on" (and the kernel ring a moment later),
// killed after 30 s whatever happens.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './env.js';

export interface SnifferRun { code: number | null; stdout: string; stderr: string }
export interface Sniffer { child: ChildProcessWithoutNullStreams; done: Promise<SnifferRun> }

/** Starts sniff.js with `args` in namespace `ns`; resolves once it listens (or has exited). */
export async function startSniffer(ns: string, args: string[], env: Record<string, string> = {}): Promise<Sniffer> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, join(repoRoot, 'host/sniff.js'), ...args], { env: { ...process.env, TZ: 'UTC', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  let ready!: () => void;
  const listening = new Promise<void>((r) => { ready = r; });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); if (/listening on/.test(stderr)) ready(); });
  const done = new Promise<SnifferRun>((r) => child.once('exit', (code) => r({ code, stdout, stderr })));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  void done.then(() => clearTimeout(timer));
  await Promise.race([listening, done]);
  await new Promise((r) => setTimeout(r, 300)); // the kernel ring is live a moment after activation
  return { child, done };
}
