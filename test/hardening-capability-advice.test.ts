// Issue #21 item 1: when live capture is not permitted, the advice must not be to setcap
// the system node (every local user's node scripts would then sniff, forge and, with
// CAP_NET_ADMIN, reconfigure the network). The kernel is the oracle for "not permitted":
// the sniffer runs as nobody (runuser, as root), and libpcap's open fails with EPERM.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { haveTool, needRoot, repoRoot } from './lib/env.js';
import { loadPcapAddon } from '../host/native/pcap-binding.js';

test('capture refused as nobody: the advice is -Z, a dedicated node copy or a systemd unit, never setcap on node', () => {
  if (!needRoot('hardening-capability-advice: runuser to nobody')) return;
  if (loadPcapAddon() === null) { console.log('SKIP hardening-capability-advice: the addon is not built'); return; }
  assert.ok(haveTool('runuser', '--version'), 'runuser (util-linux)');
  const r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, join(repoRoot, 'host', 'sniff.js'), '-i', 'lo', '-c', '1'],
    { encoding: 'utf8', timeout: 30_000, cwd: '/' });
  assert.is(r.status, 1, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.is(lines.length, 1, r.stderr);
  const msg = lines[0];
  assert.match(msg, /^sniff: no permission to capture on lo/);
  assert.match(msg, /-Z user/);
  assert.match(msg, /dedicated node copy executable only by a pcap group/);
  assert.match(msg, /AmbientCapabilities/);
  assert.match(msg, /never to the system node/);
  assert.not.match(msg, /setcap/);
  assert.not.match(msg, /command -v node/);
});

test.run();
