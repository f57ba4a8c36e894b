// The library's capture() iterator: on files (with filters, across link types, pcapng)
// it yields what tcpdump selects; on a live interface in a namespace it yields the
// datagrams a peer sent.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture } from '../host/pipeline/capture.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { corpusCaptures, corpusOrSkip, haveTool, needRoot, repoRoot } from './lib/env.js';
import { runBin } from './lib/run-tool.js';
import { withNetnsPair, nsExec } from './lib/netns.js';

test('files: every record in order; with a filter, the frames tcpdump selects', async () => {
  // The fixture as well, so that the records are compared without the corpus too.
  for (const f of [join(repoRoot, 'test/fixtures/sample.pcap'), ...corpusCaptures().slice(0, 40)]) {
    const want = readCaptureFile(f).records;
    let i = 0;
    for await (const p of capture({ file: f, batchSize: 7 })) {
      assert.is(p.number, i + 1);
      assert.is(p.wirelen, want[i].wirelen);
      assert.is(Buffer.compare(p.data, want[i].data), 0);
      i++;
    }
    assert.is(i, want.length, f);
  }
  if (!haveTool('tcpdump') || !corpusOrSkip('tcpdump\'s filter selections on ssh, dns_tcp, icmpv6 and vlan11 were not compared')) return;
  // The oracle: tcpdump writes the frames it selects (-w), and capture() must yield those
  // same frames, byte for byte. tcpdump must succeed every time; a failed run is a failure
  // here, not a comparison left out.
  const files = corpusCaptures().filter((x) => /\/(ssh|dns_tcp|icmpv6|vlan11)\.pcap$/.test(x));
  assert.is(files.length, 4, 'ssh, dns_tcp, icmpv6 and vlan11 in the corpus');
  const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-capture-api-'));
  let runs = 0;
  let frames = 0;
  try {
    for (const f of files) {
      for (const expr of ['tcp and not port 22', 'udp or icmp6', 'vlan and udp', 'tcp port 22']) {
        const out = join(tmp, `${runs}.pcap`);
        const t = runBin('tcpdump', ['-nn', '-r', f, '-w', out, expr]);
        assert.is(t.status, 0, `tcpdump -r ${f} "${expr}" failed: ${t.stderr}`);
        const want = readCaptureFile(out).records;
        let n = 0;
        for await (const p of capture({ file: f, filter: expr })) {
          assert.ok(n < want.length, `${f} "${expr}": more frames than tcpdump's ${want.length}`);
          assert.is(p.wirelen, want[n].wirelen);
          assert.is(Buffer.compare(p.data, want[n].data), 0, `${f} "${expr}": frame ${n + 1} differs from tcpdump's`);
          assert.ok(p.decoded.frame.len > 0);
          n++;
        }
        assert.is(n, want.length, `${f} "${expr}"`);
        runs++;
        frames += n;
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  assert.is(runs, files.length * 4, 'every tcpdump run compared');
  assert.ok(frames >= 100, `only ${frames} frames selected by tcpdump and compared`);
  console.log(`NOTE capture-api: ${runs} filter runs, ${frames} frames equal to tcpdump's selection`);
});

test('count stops early; a bad filter is a clear error', async () => {
  const f = join(repoRoot, 'test/fixtures/sample.pcap');
  let n = 0;
  for await (const p of capture({ file: f, count: 3 })) { n++; void p; }
  assert.is(n, 3);
  try {
    for await (const p of capture({ file: f, filter: 'tcp port' })) void p;
    assert.unreachable('bad filter accepted');
  } catch (e) {
    assert.is((e as { code?: string }).code, 'E_FILTER_SYNTAX');
  }
});

test('live: capture({ iface }) in a namespace yields the datagrams the peer sent', async () => {
  if (!needRoot('namespaces and live capture')) return;
  await withNetnsPair(async (p) => {
    const script = `import { capture } from ${JSON.stringify(join(repoRoot, 'host/index.js'))};
      process.stderr.write('ready\\n');
      const out = [];
      // Frozen: capture() must not change the caller's options (the kernel filters here).
      const opts = Object.freeze({ iface: ${JSON.stringify(p.ifB)}, filter: 'udp port 6000', count: 5 });
      for await (const pkt of capture(opts)) out.push([pkt.decoded.ip.src, pkt.decoded.udp.dstport, pkt.wirelen]);
      console.log(JSON.stringify(out));`;
    const child = spawn('ip', ['netns', 'exec', p.b, process.execPath, '--input-type=module', '-e', script]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    const ready = new Promise<void>((r) => child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); if (stderr.includes('ready')) r(); }));
    const done = new Promise<number | null>((r) => child.once('exit', r));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await ready;
    await new Promise((r) => setTimeout(r, 500));
    nsExec(p.a, process.execPath, ['-e', `const s=require('dgram').createSocket('udp4');let n=0;const go=()=>{if(n++==5)return s.close();s.send('x'.repeat(20),6000,'${p.ipB}',()=>setTimeout(go,20))};go()`]);
    const code = await done;
    clearTimeout(killer);
    assert.is(code, 0, stderr);
    const got = JSON.parse(stdout) as Array<[string, number, number]>;
    assert.is(got.length, 5);
    for (const g of got) assert.equal(g, [p.ipA, 6000, 14 + 20 + 8 + 20]);
  }, 'ca');
});

test.run();
