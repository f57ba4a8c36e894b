// Issue #21 item 8: the libpcap addon misused from the library. start() must refuse
// memory that is not a SharedArrayBuffer (an ArrayBuffer can be detached while the
// capture thread writes into it: use after free); close() from the END callback that its
// own stop triggers (loop driver), or from END after stop(), or twice, must be a no-op,
// never pcap_close(NULL). Each case runs in a child process (test/lib/addon-misuse-child):
// a crash is the child's signal, a failed test here, not a dead runner. Needs root and
// the built addon (live capture on lo).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { inCI, needRoot, repoRoot } from './lib/env.js';
import { loadPcapAddon, pcapAddonError } from '../host/native/pcap-binding.js';

const child = join(repoRoot, 'test', 'lib', 'addon-misuse-child.js');
const haveAddon = loadPcapAddon() !== null;
if (!haveAddon) {
  if (inCI) test('the addon is built', () => assert.unreachable(pcapAddonError()));
  else console.log(`SKIP hardening-addon: ${pcapAddonError()}`);
}

function run(scenario: string): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['--expose-gc', child, scenario], { encoding: 'utf8', timeout: 30_000 });
  assert.is(r.signal, null, `${scenario}: the child died of ${r.signal} (${r.stderr.trim().split('\n').slice(-3).join(' | ')})`);
  assert.is(r.status, 0, `${scenario}: exit ${r.status}: ${r.stdout} ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

const ready = (): boolean => haveAddon && needRoot('hardening-addon: live capture on lo');

test('start() over an ordinary ArrayBuffer is refused (E_BAD_ARGUMENT), nothing written', () => {
  if (!ready()) return;
  const r = run('arraybuffer');
  const rej = r.rejected as { code: unknown; message: string } | null;
  assert.ok(rej !== null, 'start accepted an ArrayBuffer');
  assert.is(rej.code, 'E_BAD_ARGUMENT');
  assert.match(rej.message, /SharedArrayBuffer/);
});

test('start() over the shared memory still works', () => {
  if (!ready()) return;
  assert.equal(run('shared'), { ends: 1 });
});

for (const s of ['close-in-end-loop', 'stop-close-in-end-loop', 'close-in-end-thread']) {
  test(`${s}: close() from the END callback, then twice more: no crash, one END`, () => {
    if (!ready()) return;
    assert.equal(run(s), { ends: 1, innerCloses: 1 });
  });
}

test.run();
