// Live tests of the reliable transport over a namespace pair, through the userspace
// impairment relay (seeded loss, 5 % reordering, 1 % duplication, 1 % corruption, 2 ms
// delay): every byte must arrive once and in order (sha256 of a seeded stream on both
// ends), and a killed peer must be detected by the retransmission timeout (ETIMEDOUT).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { needRoot, seed } from './lib/env.js';
import { withNetnsPair } from './lib/netns.js';
import { exited, spawnNetbench, stop, waitFor } from './lib/relay-run.js';

const S = seed();
console.log(`SEED ${S}`);

interface Report { verify?: { ok: boolean }; received?: { bytes: number }; sent: { bytes: number } }

// At 20% loss (each way) a 512 KiB stream still takes thousands of recoveries; more only
// adds minutes on a loaded 2-core machine without exercising anything new.
for (const [loss, bytes] of [[0, '2M'], [0.01, '2M'], [0.05, '2M'], [0.2, '512K']] as const) {
  test(`every byte once and in order at ${loss * 100}% loss with reordering, duplication and corruption`, async () => {
    if (!needRoot('namespaces')) return;
    await withNetnsPair(async (p) => {
      const srv = spawnNetbench(p.b, ['server', '--proto', 'rudp', '--port', '7000']);
      const rel = spawnNetbench(p.b, ['relay', '--port', '7001', '--bind', p.ipB, '--to', '127.0.0.1:7000', '--loss', String(loss), '--reorder', '0.05',
        '--dup', '0.01', '--corrupt', '0.01', '--delay', '2', '--seed', String(S)]);
      try {
        await waitFor(srv, (t) => t.includes('rudp on'));
        await waitFor(rel, (t) => t.includes('"relay"'));
        const cl = spawnNetbench(p.a, ['client', p.ipB, '--port', '7001', '--proto', 'rudp', '--bytes', bytes, '--verify',
          '--seed', String(S), '--json', '-t', '120']);
        const code = await exited(cl, 90_000);
        assert.is(code, 0, `client failed: ${cl.err()}`);
        const r = JSON.parse(cl.out().trim().split('\n').pop()!) as Report;
        assert.ok(r.verify?.ok, 'sha256 of the received stream must match the sent one');
        assert.is(r.received?.bytes, r.sent.bytes);
        stop(rel);
        await exited(rel, 5000);
        const st = JSON.parse(rel.out().trim().split('\n').pop()!) as { relayStats: { forward: { dropped: number; corrupted: number; reordered: number } } };
        if (loss > 0) assert.ok(st.relayStats.forward.dropped > 0, 'the relay must actually have dropped datagrams');
        assert.ok(st.relayStats.forward.corrupted > 0 && st.relayStats.forward.reordered > 0, 'impairments must have happened');
      } finally {
        stop(rel);
        stop(srv);
      }
    });
  });
}

test('a killed peer is detected by the retransmission timeout (ETIMEDOUT)', async () => {
  if (!needRoot('namespaces')) return;
  await withNetnsPair(async (p) => {
    const srv = spawnNetbench(p.b, ['server', '--proto', 'rudp', '--port', '7000']);
    // The relay stays up: after the kill nothing answers (no ICMP reaches the client).
    const rel = spawnNetbench(p.b, ['relay', '--port', '7001', '--bind', p.ipB, '--to', '127.0.0.1:7000', '--seed', String(S)]);
    try {
      await waitFor(srv, (t) => t.includes('rudp on'));
      await waitFor(rel, (t) => t.includes('"relay"'));
      const t0 = Date.now();
      const cl = spawnNetbench(p.a, ['client', p.ipB, '--port', '7001', '--proto', 'rudp', '-t', '60', '--user-timeout', '2000']);
      // Kill only once data really flows (a non-zero interval), not during the open.
      await waitFor(cl, (t) => /sec\s+[0-9.]+ [KMG]Bytes\s+[0-9]*[1-9][0-9.]* Mbits\/sec/.test(t), 20_000);
      srv.child.kill('SIGKILL');
      const code = await exited(cl, 45_000);
      assert.is(code, 1, `client should fail with ETIMEDOUT: ${cl.out().slice(-300)} ${cl.err()}`);
      assert.match(cl.err(), /ETIMEDOUT/);
      assert.ok(Date.now() - t0 < 45_000);
    } finally {
      stop(rel);
      stop(srv);
    }
  });
});

test.run();
