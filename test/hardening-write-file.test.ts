// Issue #21 item 4: -w must not follow a symlink planted where the capture goes (root
// running sniff in a shared directory would truncate the link's target), new captures
// are created 0600 (they hold other people's traffic), and an existing regular file is
// still overwritten as tcpdump does. The kernel is the oracle for O_NOFOLLOW: opening
// the link with it must fail with ELOOP here; the test's temp dir is not sticky, so
// fs.protected_symlinks (which guards only sticky world-writable dirs) plays no part.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { constants, lstatSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './lib/env.js';
import { runNode } from './lib/run-tool.js';

const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-wfile-'));
const sample = join(repoRoot, 'test', 'fixtures', 'sample.pcap');
const SECRET = 'precious contents\n';

test('the kernel refuses O_NOFOLLOW on a symlink in this directory (ELOOP)', () => {
  const target = join(tmp, 'k-target');
  const link = join(tmp, 'k-link');
  writeFileSync(target, SECRET);
  symlinkSync(target, link);
  let code = '';
  try { openSync(link, constants.O_WRONLY | constants.O_NOFOLLOW); } catch (e) { code = (e as NodeJS.ErrnoException).code ?? ''; }
  assert.is(code, 'ELOOP');
});

const MODES: Array<[string, string[]]> = [['pcap (fast path)', []], ['pcap with a filter', ['udp']], ['pcapng', ['--pcapng']]];

for (const [name, extra] of MODES) {
  const tag = name.replace(/\W+/g, '-');
  test(`${name}: -w onto a symlink is refused with one line, the target untouched`, () => {
    const target = join(tmp, `target-${tag}`);
    const link = join(tmp, `link-${tag}.pcap`);
    writeFileSync(target, SECRET);
    symlinkSync(target, link);
    const r = runNode('sniff', ['-r', sample, '-w', link, ...extra]);
    assert.is(r.status, 1, r.stderr);
    assert.is(readFileSync(target, 'utf8'), SECRET, 'the symlink target is unchanged');
    assert.ok(lstatSync(link).isSymbolicLink(), 'the link is left as it was');
    const lines = r.stderr.trim().split('\n').filter((l) => l.includes('symbolic link'));
    assert.is(lines.length, 1, r.stderr);
    assert.match(lines[0], /^sniff: /);
    assert.not.match(r.stderr, /^\s+at /m, 'no stack trace');
  });

  test(`${name}: a new capture is created 0600`, () => {
    const out = join(tmp, `new-${tag}.pcap`);
    const r = runNode('sniff', ['-r', sample, '-w', out, ...extra]);
    assert.is(r.status, 0, r.stderr);
    assert.is(statSync(out).mode & 0o777, 0o600);
    assert.ok(statSync(out).size > 24);
  });

  test(`${name}: an existing regular file is overwritten (its mode kept), as tcpdump does`, () => {
    const out = join(tmp, `old-${tag}.pcap`);
    writeFileSync(out, 'x'.repeat(100_000));
    chmodSync(out, 0o640);
    const r = runNode('sniff', ['-r', sample, '-w', out, ...extra]);
    assert.is(r.status, 0, r.stderr);
    const got = readFileSync(out);
    assert.ok(got.length < 100_000 && got.length > 24, `truncated and rewritten (${got.length} bytes)`);
    assert.is.not(got.subarray(0, 4).toString(), 'xxxx');
    assert.is(statSync(out).mode & 0o777, 0o640);
  });
}

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
