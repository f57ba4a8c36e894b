// Target resolution for the raw-socket tools: name -> address, the local source address
// the kernel would use toward it, and synprobe's "is this our own network" check.
import { lookup } from 'node:dns/promises';
import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { PktError } from '../runtime/errors.js';

export interface Target {
  /** What the user typed. */
  name: string;
  address: string;
  v6: boolean;
}

export async function resolveTarget(name: string, family?: 4 | 6): Promise<Target> {
  const fam = isIP(name);
  if (fam !== 0) {
    if (family !== undefined && fam !== family) throw new PktError('E_BAD_ARGUMENT', `${name} is not an IPv${family} address`);
    return { name, address: name, v6: fam === 6 };
  }
  try {
    const r = await lookup(name, family === undefined ? {} : { family });
    return { name, address: r.address, v6: r.family === 6 };
  } catch {
    throw new PktError('E_NOT_FOUND', `${name}: Name or service not known`);
  }
}

/** The source address the kernel picks toward `t` (a connected UDP socket's name). */
export function sourceAddress(t: Target): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createSocket(t.v6 ? 'udp6' : 'udp4');
    s.on('error', (e) => { s.close(); reject(new PktError('E_IO', `no route to ${t.address}: ${e.message}`)); });
    s.connect(9, t.address, () => {
      const a = s.address().address;
      s.close();
      resolve(a);
    });
  });
}

/** The name of the `ip netns` namespace this process runs in, or null (the init
 *  namespace, or one no local tool named). Matches /proc/self/ns/net against the bind
 *  mounts in /run/netns, as `ip netns identify` does. */
export function currentNetnsName(): string | null {
  let ours: number;
  try {
    ours = statSync('/proc/self/ns/net').ino;
  } catch {
    return null;
  }
  for (const dir of ['/run/netns', '/var/run/netns']) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      try {
        if (statSync(`${dir}/${n}`).ino === ours) return n;
      } catch {
        // a stale entry: skip it
      }
    }
  }
  return null;
}

/** Why `address` is fair game for a scan, or null when it is not: loopback and this
 *  host's own addresses always; a directly connected network (no gateway) only from
 *  inside a named local network namespace (a lab or test namespace this host made). */
export function ownNetworkReason(address: string): string | null {
  const r = spawnSync('ip', ['-o', 'route', 'get', address], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const route = r.stdout.trim();
  if (/^local\s/.test(route) || address === '::1' || address.startsWith('127.')) return 'a local address';
  if (/\svia\s/.test(route)) return null;
  const ns = currentNetnsName();
  return ns === null ? null : `directly connected in local namespace ${ns}`;
}
