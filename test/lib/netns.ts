// Network namespaces and veth pairs for live tests. Each pair gets unique names; the
// namespaces are deleted in teardown (which also runs when the test body throws), and a
// process-exit hook removes any that a crash left behind.
import { execFileSync, spawnSync } from 'node:child_process';

export interface NetnsPair {
  /** Namespace names. */
  a: string;
  b: string;
  /** veth device names inside a and b. */
  ifA: string;
  ifB: string;
  /** IPv4 and IPv6 addresses of each end. */
  ipA: string;
  ipB: string;
  ip6A: string;
  ip6B: string;
}

const live = new Set<string>();
let counter = 0;
let hooked = false;

export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs a command inside a namespace (synchronously). */
export function nsExec(ns: string, cmd: string, args: string[], timeoutMs = 30_000): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function cleanupAll(): void {
  for (const ns of live) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  live.clear();
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', cleanupAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { cleanupAll(); process.exit(130); });
}

/** One bare namespace (only lo, down) with a unique name, registered with the exit hook
 *  like the pairs; remove it with deleteNetns (in a finally). */
export function createNetns(tag = 'n'): string {
  hookExit();
  const ns = `pw${tag}${process.pid % 100000}x${++counter}`;
  ip('netns', 'add', ns);
  live.add(ns);
  return ns;
}

export function deleteNetns(ns: string): void {
  spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  live.delete(ns);
}

export function createNetnsPair(tag = 't'): NetnsPair {
  hookExit();
  const n = ++counter;
  const id = `${process.pid % 100000}${tag}${n}`;
  const subnet = (process.pid + n) % 250;
  const pair: NetnsPair = {
    a: `pwa${id}`, b: `pwb${id}`, ifA: `va${id}`.slice(0, 15), ifB: `vb${id}`.slice(0, 15),
    ipA: `198.18.${subnet}.1`, ipB: `198.18.${subnet}.2`,
    ip6A: `fd00:70:${subnet.toString(16)}::1`, ip6B: `fd00:70:${subnet.toString(16)}::2`,
  };
  ip('netns', 'add', pair.a);
  live.add(pair.a);
  ip('netns', 'add', pair.b);
  live.add(pair.b);
  ip('link', 'add', pair.ifA, 'netns', pair.a, 'type', 'veth', 'peer', 'name', pair.ifB, 'netns', pair.b);
  for (const [ns, dev, v4, v6] of [[pair.a, pair.ifA, pair.ipA, pair.ip6A], [pair.b, pair.ifB, pair.ipB, pair.ip6B]]) {
    ip('-n', ns, 'addr', 'add', `${v4}/24`, 'dev', dev);
    ip('-n', ns, 'addr', 'add', `${v6}/64`, 'dev', dev, 'nodad');
    ip('-n', ns, 'link', 'set', dev, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  return pair;
}

export function destroyNetnsPair(pair: NetnsPair): void {
  for (const ns of [pair.a, pair.b]) {
    spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    live.delete(ns);
  }
}

/** Creates a pair, runs `body`, and always removes the pair. */
export async function withNetnsPair<T>(body: (pair: NetnsPair) => Promise<T> | T, tag = 't'): Promise<T> {
  const pair = createNetnsPair(tag);
  try {
    return await body(pair);
  } finally {
    destroyNetnsPair(pair);
  }
}
