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

test.run();
