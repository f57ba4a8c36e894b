// Issue #21 item 1, for the raw-socket tools: when the kernel refuses a raw socket, the
// advice names the safe setups (root, a dedicated node copy for a pcap group, a systemd
// unit) and never suggests giving the capability to the system node. The kernel is the
// oracle for "not permitted": synprobe and ping run as nobody (runuser, as root).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { haveTool, needRoot, repoRoot } from './lib/env.js';

for (const [tool, args] of [['synprobe', ['127.0.0.1', '80']], ['ping', ['-c', '1', '127.0.0.1']]] as const) {
  test(`${tool} as nobody: raw socket refused, the advice never points at the system node`, () => {
    if (!needRoot(`synprobe-permission: runuser to nobody (${tool})`)) return;
    assert.ok(haveTool('runuser', '--version'), 'runuser (util-linux)');
    const r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, join(repoRoot, 'host', `${tool}.js`), ...args],
      { encoding: 'utf8', timeout: 30_000, cwd: '/' });
    assert.ok(r.status !== 0 && r.status !== null, `exit ${r.status}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.is(lines.length, 1, r.stderr);
    const msg = lines[0];
    assert.match(msg, new RegExp(`^${tool}: \\w+ socket: raw sockets need root or CAP_NET_RAW`));
    assert.match(msg, /dedicated node copy executable only by a pcap group/);
    assert.match(msg, /AmbientCapabilities/);
    assert.match(msg, /never to the system node/);
    assert.not.match(msg, /grant cap_net_raw|setcap/i);
  });
}

test.run();
