// Issue #21 item 5: -Z resolved the user by running `id` from PATH while still root.
// A fake `id` first in PATH leaves a marker if it is ever run; the drop must still
// happen: the capture written after it belongs to the user and its primary group, as
// the system's own /usr/bin/id (by absolute path, in the test) says. Needs root.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needRoot, repoRoot } from './lib/env.js';
import { runNode } from './lib/run-tool.js';
import { findPasswdEntry } from '../host/cli/drop-privileges.js';

const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-dropz-'));
// The user drops to `nobody`, who must be able to create the capture here.
chmodSync(tmp, 0o777);
const sample = join(repoRoot, 'test', 'fixtures', 'sample.pcap');
const fakeBin = join(tmp, 'bin');
const marker = join(tmp, 'id-was-run');

function plantFakeId(): void {
  execFileSync('/bin/mkdir', ['-p', fakeBin]);
  writeFileSync(join(fakeBin, 'id'), `#!/bin/sh\necho "$(/usr/bin/id -u) $*" >> ${marker}\necho 0\n`);
  chmodSync(join(fakeBin, 'id'), 0o755);
}

test('passwd parsing: names, numeric uids, comments and junk lines', () => {
  const text = '# comment\nroot:x:0:0:root:/root:/bin/sh\nbroken line\nodd:x:abc:1::/:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';
  assert.equal(findPasswdEntry(text, 'nobody'), { name: 'nobody', uid: 65534, gid: 65534 });
  assert.equal(findPasswdEntry(text, '0'), { name: 'root', uid: 0, gid: 0 });
  assert.is(findPasswdEntry(text, 'odd'), null);
  assert.is(findPasswdEntry(text, 'nob'), null);
});

test('-Z nobody with a fake id first in PATH: id never runs, the capture belongs to nobody', () => {
  if (!needRoot('hardening-drop-privileges: -Z')) return;
  plantFakeId();
  const out = join(tmp, 'as-nobody.pcap');
  const r = runNode('sniff', ['-r', sample, '-Z', 'nobody', '-w', out], { env: { PATH: `${fakeBin}:${process.env.PATH ?? ''}` } });
  assert.not.ok(existsSync(marker), 'the fake id was run');
  assert.is(r.status, 0, r.stderr);
  const uid = Number(execFileSync('/usr/bin/id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('/usr/bin/id', ['-g', 'nobody'], { encoding: 'utf8' }).trim());
  const st = statSync(out);
  assert.is(st.uid, uid, 'owner of the capture');
  assert.is(st.gid, gid, 'group of the capture');
});

test('-Z with an unknown user: one line, exit 1, no output file', () => {
  if (!needRoot('hardening-drop-privileges: -Z')) return;
  const out = join(tmp, 'never.pcap');
  const r = runNode('sniff', ['-r', sample, '-Z', 'no-such-user-pktwasm', '-w', out]);
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, /^sniff: .*-Z no-such-user-pktwasm: no such user/m);
  assert.not.match(r.stderr, /^\s+at /m);
  assert.not.ok(existsSync(out));
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
