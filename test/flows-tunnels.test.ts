// sniff --flows on tunnel captures against `tshark -q -z conv,tcp -z conv,udp` (issue #15):
// tshark counts a tunnelled TCP/UDP packet in its inner conversation as well as in the
// outer one, with the whole frame's length, and so must the flow stage (host/flows/
// inner-frames.ts). Captures: VXLAN (ICMP/ARP inside, and corpus-more's GSO capture with
// TCP inside), GRE (keyed, NHRP, PPTP with PPP), ERSPAN II/III, SRv6's IPv6-in-IPv6. The
// BIG TCP captures stay out: their UDP length of 0 (a datagram over 65,535 bytes) is a
// header tshark 4.0 rejects, so it shows no conversation at all (see test/jumbo).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { corpusDir, corpusMoreDir, haveTool, repoRoot } from './lib/env.js';

const haveTshark = haveTool('tshark', '-v');
const CORPUS = ['vxlan.pcap', 'various_gre.pcap', 'erspan-type-ii-3.pcap', 'erspan-type-iii-pb-1.pcap', 'nhrp.pcapng', 'pptp.pcap', 'ipv6-srh-ext-header.pcap'];
const MORE = ['gso-ipv6-vxlan-ipv4.pcap'];

const run = promisify(execFile);

function rows(text: string): string[] {
  return text.split('\n').filter((l) => l.includes('<->')).sort();
}

test('sniff --flows counts tunnels\' inner conversations as tshark conv,tcp / conv,udp does', async () => {
  const c = corpusDir();
  const m = corpusMoreDir();
  if (!haveTshark || c === null || m === null) return;
  const files = [...CORPUS.map((f) => join(c, f)), ...MORE.map((f) => join(m, f))];
  // Both tools on every capture, a few processes at a time.
  const results: Array<[string[], string[]]> = [];
  for (let i = 0; i < files.length; i += 2) {
    const part = await Promise.all(files.slice(i, i + 2).map(async (file) => Promise.all([
      run(process.execPath, [join(repoRoot, 'host/sniff.js'), '-r', file, '--flows'], { encoding: 'utf8' }).then((r) => rows(r.stdout)),
      run('tshark', ['-q', '-z', 'conv,tcp', '-z', 'conv,udp', '-r', file], { encoding: 'utf8' }).then((r) => rows(r.stdout)),
    ])));
    results.push(...part);
  }
  let total = 0;
  let inner = 0;
  files.forEach((file, i) => {
    const [ours, theirs] = results[i];
    assert.equal(ours, theirs, file);
    total += theirs.length;
    if (file.endsWith('gso-ipv6-vxlan-ipv4.pcap')) inner += theirs.filter((r) => r.startsWith('192.168.1.2:34737')).length;
  });
  console.log(`  NOTE flows-tunnels: ${files.length} captures, ${total} conversation rows equal tshark's (${inner} of them inside a tunnel)`);
  assert.ok(total >= 7, `${total} rows`);
  assert.is(inner, 1, 'the TCP conversation inside VXLAN is counted');
});

// --tunnel-depth 0 follows no tunnel: the conversations are the outer packets' alone,
// which is what tshark shows with its tunnel dissectors switched off.
test('sniff --flows --tunnel-depth 0 equals tshark with the tunnel protocols disabled', async () => {
  const c = corpusDir();
  const m = corpusMoreDir();
  if (!haveTshark || c === null || m === null) return;
  const files = [...['vxlan.pcap', 'various_gre.pcap', 'erspan-type-ii-3.pcap', 'pptp.pcap'].map((f) => join(c, f)), join(m, 'gso-ipv6-vxlan-ipv4.pcap')];
  let rowsSeen = 0;
  for (const file of files) {
    const [ours, theirs, deep] = await Promise.all([
      run(process.execPath, [join(repoRoot, 'host/sniff.js'), '-r', file, '--flows', '--tunnel-depth', '0'], { encoding: 'utf8' }).then((r) => rows(r.stdout)),
      run('tshark', ['-q', '-z', 'conv,tcp', '-z', 'conv,udp', '--disable-protocol', 'vxlan', '--disable-protocol', 'gre', '-r', file], { encoding: 'utf8' }).then((r) => rows(r.stdout)),
      run(process.execPath, [join(repoRoot, 'host/sniff.js'), '-r', file, '--flows'], { encoding: 'utf8' }).then((r) => rows(r.stdout)),
    ]);
    assert.equal(ours, theirs, file);
    rowsSeen += ours.length;
    if (file.endsWith('gso-ipv6-vxlan-ipv4.pcap')) {
      assert.ok(deep.some((r) => r.startsWith('192.168.1.2:34737')), 'the default depth counts the TCP conversation inside VXLAN');
      assert.not.ok(ours.some((r) => r.startsWith('192.168.1.2:34737')), 'depth 0 does not');
    }
  }
  assert.ok(rowsSeen >= 2, `${rowsSeen} rows`);
});

test('--tunnel-depth outside 0..8 is a usage error (exit 2, one line)', async () => {
  const r = await run(process.execPath, [join(repoRoot, 'host/sniff.js'), '-r', join(repoRoot, 'test/fixtures/sample.pcap'), '--tunnel-depth', '9'], { encoding: 'utf8' })
    .then(() => null, (e: { code: number; stderr: string }) => e);
  assert.ok(r !== null, 'sniff refused the value');
  assert.is(r.code, 2);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
});

test.run();
