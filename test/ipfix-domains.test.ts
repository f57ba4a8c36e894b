// Two sniffers, one collector: nfcapd runs in namespace A; two `sniff.js -r FILE --ipfix`
// processes run at the same time in namespace B and export over the veth pair from the
// same address, with observation domains 11 and 12. nfdump must show two exporters, one
// per domain, each with exactly the flows of its own capture.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { withNetnsPair } from './lib/netns.js';
import { corpusCaptures, corpusOrSkip, haveTool, needRoot, repoRoot } from './lib/env.js';
import { readExporters, readNfdump, startNfcapd } from './ipfix-tools.js';

const captures = corpusCaptures().filter((f) => ['ssh.pcap', 'dns_tcp.pcap'].includes(basename(f)));


function sniffIn(ns: string, file: string, collector: string, domain: number): Promise<number> {
  const p = spawn('ip', ['netns', 'exec', ns, process.execPath, join(repoRoot, 'host', 'sniff.js'), '-r', file, '--ipfix', collector, '--ipfix-domain', String(domain)], { stdio: 'ignore' });
  return new Promise((resolve) => {
    const t = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('exit', (code) => { clearTimeout(t); resolve(code ?? -1); });
  });
}

test('two sniffers in a namespace, one collector across the veth: domains stay apart', async () => {
  if (!needRoot('namespaces') || !haveTool('nfcapd', '-V') || !haveTool('nfdump', '-V')) return;
  if (!corpusOrSkip('ssh.pcap and dns_tcp.pcap were not exported under two domains')) return;
  assert.is(captures.length, 2, 'ssh.pcap and dns_tcp.pcap in the corpus');
  const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-ipfix-dom-'));
  try {
    await withNetnsPair(async (pair) => {
      const nf = await startNfcapd(tmp, 4739, pair.ipA, pair.a);
      let codes: number[];
      try {
        codes = await Promise.all([
          sniffIn(pair.b, captures[0], `${pair.ipA}:4739`, 11),
          sniffIn(pair.b, captures[1], `${pair.ipA}:4739`, 12),
        ]);
      } finally {
        await nf.stop();
      }
      assert.equal(codes, [0, 0]);
      const ex = readExporters(tmp);
      const domains = [...ex.values()].map((e) => e.domain).sort();
      assert.equal(domains, [11, 12]);
      for (const e of ex.values()) assert.is(e.ip, pair.ipB);
      const rows = readNfdump(tmp);
      const sysOf = (d: number): number => [...ex.entries()].find(([, e]) => e.domain === d)![0];
      const ssh = rows.filter((r) => r.exp === sysOf(captures[0].endsWith('ssh.pcap') ? 11 : 12));
      const dns = rows.filter((r) => r.exp === sysOf(captures[0].endsWith('ssh.pcap') ? 12 : 11));
      assert.ok(ssh.length === 2 && ssh.every((r) => r.sp === 22 || r.dp === 22), 'ssh flows under their own domain');
      assert.ok(dns.length === 2 && dns.every((r) => r.sp === 53 || r.dp === 53), 'dns flows under their own domain');
    }, 'ipx');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test.run();
