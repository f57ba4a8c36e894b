// tcpdump -Z: give up root once the capture is open. Nothing here runs a program: while
// still root, a subprocess found through PATH (the old `id -g user`) would run as root
// with whatever PATH the caller set. The user's numeric ids come from /etc/passwd, the
// supplementary groups from the group database (process.initgroups, libc's
// getgrouplist), then the order that cannot be undone halfway: groups, gid, uid.
import { readFileSync } from 'node:fs';
import { PktError } from '../runtime/errors.js';

/** process.initgroups (POSIX builds of Node; missing from this @types/node). */
type InitGroups = (user: string | number, extraGroup: string | number) => void;
const initgroups = (process as NodeJS.Process & { initgroups?: InitGroups }).initgroups;

export interface PasswdEntry { name: string; uid: number; gid: number }

/** The entry for `user` (a name, or a numeric uid) in passwd-format text, or null. */
export function findPasswdEntry(passwd: string, user: string): PasswdEntry | null {
  const numeric = /^\d+$/.test(user);
  for (const line of passwd.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 4 || !/^\d+$/.test(f[2]) || !/^\d+$/.test(f[3])) continue;
    if (numeric ? f[2] === user : f[0] === user) return { name: f[0], uid: Number(f[2]), gid: Number(f[3]) };
  }
  return null;
}

/** Drops to `user` for good; a PktError (E_PERM, one line) when that is not possible. */
export function dropPrivileges(user: string, passwdPath = '/etc/passwd'): void {
  if (typeof process.setuid !== 'function' || typeof process.setgid !== 'function' || typeof initgroups !== 'function') {
    throw new PktError('E_PERM', `-Z ${user}: cannot drop privileges on this platform`);
  }
  let passwd: string;
  try {
    passwd = readFileSync(passwdPath, 'utf8');
  } catch (e) {
    throw new PktError('E_PERM', `-Z ${user}: cannot read ${passwdPath} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const who = findPasswdEntry(passwd, user);
  if (who === null) throw new PktError('E_PERM', `-Z ${user}: no such user in ${passwdPath}`);
  try {
    initgroups.call(process, who.name, who.gid);
    process.setgid(who.gid);
    process.setuid(who.uid);
  } catch (e) {
    throw new PktError('E_PERM', `-Z ${user}: cannot drop privileges (${(e as Error).message.split('\n')[0]})`);
  }
  // Make sure it took, and for good: a dropped uid that can get root back did not drop.
  if (process.getuid?.() !== who.uid || process.geteuid?.() !== who.uid || process.getgid?.() !== who.gid || process.getegid?.() !== who.gid) {
    throw new PktError('E_PERM', `-Z ${user}: privileges not dropped (uid ${process.geteuid?.()}, gid ${process.getegid?.()})`);
  }
  if (who.uid !== 0) {
    let regained = true;
    try { process.setuid(0); } catch { regained = false; }
    if (regained) throw new PktError('E_PERM', `-Z ${user}: root could be regained after the drop`);
  }
}
