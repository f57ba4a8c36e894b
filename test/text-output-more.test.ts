// The text sink against the installed tcpdump on corpus-more's link-layer, tunnel and L3
// captures (issue #15: PPP, PPP_HDLC, PPPoE, MPLS, GRE, VXLAN, Geneve, STP/MSTP, IPv6
// fragments and jumbograms), each with the options of its TESTLIST line
// (corpus-more/tcpdump-tests.txt) and with -e and -q. The rule is text-output.test.ts's: a
// packet passes when our text equals tcpdump's, or equals it up to tcpdump's application
// layer; every other difference is in the exact list below (stale entries fail too).
// corpus-more's application-layer captures (DHCP, NTP, TFTP, QUIC) belong to issue #16's tests.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { basename, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { corpusMoreCaptures, corpusMoreDir, corpusOrSkip, haveTool, repoRoot } from './lib/env.js';
import { compareWithTcpdump, showDiff } from './text-output-lib.js';
import { applyGaps, type KnownGap } from './text-output-gaps.js';

const MINE = [
  'pppoe.pcap', 'ppp-invalid-lengths.pcap', 'heapoverflow-ppp_hdlc_if_print.pcap', 'mpls-ldp-hello.pcap',
  'mpls-traceroute.pcap', 'bigtcp-ipv4-geneve-ipv4.pcap', 'bigtcp-ipv6-vxlan-ipv6.pcap', 'gso-ipv6-vxlan-ipv4.pcap',
  'gre-heapoverflow-2.pcap', 'MSTP_Intra-Region_BPDUs.pcap', 'stp-heapoverflow-1.pcap', 'ip6_frag_asan.pcap',
  'ipv6_frag6_negative_len.pcap', 'ipv6-too-long-jumbo.pcap',
];

const V = /-v/;
const NOT_Q = /^(?!.*-q)/;

/** Known differences, with the reason each stays. */
const GAPS: KnownGap[] = [
  // The installed tcpdump 4.99.3 is not built with GUESS_TSO: an IPv4 total length of 0 is
  // "bad-len 0" to it. The text sink takes it as a TSO / BIG TCP send (GUESS_TSO), as the
  // later tcpdump that wrote corpus-more/bigtcp-ipv4-geneve-ipv4.out does (whose -v line also
  // says "length 80102 [was 0, presumed BIG TCP]" where ours says "length 0").
  { owner: '#15', why: 'IPv4 total length 0 (BIG TCP): tcpdump 4.99.3 without GUESS_TSO prints "bad-len 0"', file: 'corpus-more/bigtcp-ipv4-geneve-ipv4.pcap', when: V, frames: '1',
    ours: /^\(tos 0x0, ttl 61, /, tcpdump: /^bad-len 0$/ },
  { owner: '#15', why: 'IPv4 total length 0 (BIG TCP): tcpdump 4.99.3 without GUESS_TSO prints "bad-len 0"', file: 'corpus-more/bigtcp-ipv4-geneve-ipv4.pcap', when: /-e|-q/, frames: '1',
    ours: /^10\.25\.132\.11\.29804 > 10\.25\.132\.13\.6081: /, tcpdump: /^bad-len 0$/ },
];

/** name -> tcpdump options, from the TESTLIST lines. */
function testlistOptions(dir: string): Map<string, string[][]> {
  const map = new Map<string, string[][]>();
  for (const line of readFileSync(join(dir, 'tcpdump-tests.txt'), 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 3 || !f[1].endsWith('.pcap')) continue;
    const opts = f.slice(3);
    const list = map.get(f[1]) ?? [];
    if (!list.some((o) => o.join(' ') === opts.join(' '))) list.push(opts);
    map.set(f[1], list);
  }
  return map;
}

const hasTcpdump = haveTool('tcpdump');
const dir = corpusMoreDir();
const files = corpusMoreCaptures().filter((f) => MINE.includes(basename(f)));

test('corpus-more: the link-layer and tunnel captures are there', () => {
  if (dir === null) return;
  assert.is(files.length, MINE.length, `found ${files.map((f) => basename(f)).join(' ')}`);
});

test('corpus-more: text sink vs tcpdump with each capture\'s TESTLIST options, -e and -q', () => {
  if (!hasTcpdump || dir === null) return;
  const opts = testlistOptions(dir);
  const sets = new Map<string, Array<[string, string]>>();
  for (const f of files) {
    const listed = opts.get(basename(f)) ?? [[]];
    for (const extra of [...listed, ['-e'], ['-q']]) {
      const args = ['-nn', '-tt', ...extra].join(' ');
      const list = sets.get(args) ?? [];
      list.push([f, `corpus-more/${basename(f)}`]);
      sets.set(args, list);
    }
  }
  let packets = 0;
  const unexplained: string[] = [];
  const stale: string[] = [];
  const problems: string[] = [];
  for (const [joined, list] of sets) {
    const args = joined.split(' ');
    const results = list.map(([f, name]) => compareWithTcpdump(f, args, name));
    const gaps = applyGaps(args, results, GAPS);
    const n = results.reduce((a, r) => a + r.packets, 0);
    const exact = results.reduce((a, r) => a + r.exact, 0);
    const app = results.reduce((a, r) => a + r.app, 0);
    packets += n;
    console.log(`  NOTE tcpdump ${joined}: ${results.length} captures, ${n} packets: ${exact} equal in full, ${app} equal up to tcpdump's application layer, ${n - exact - app} known gaps`);
    problems.push(...results.flatMap((r) => r.problems));
    unexplained.push(...gaps.unexplained.map((d) => showDiff(d).slice(0, 600)));
    stale.push(...gaps.stale);
  }
  for (const u of unexplained.slice(0, 12)) console.log(`  UNEXPLAINED ${u}`);
  for (const s of stale) console.log(`  STALE ${s}`);
  assert.ok(packets > 0, 'packets compared');
  assert.equal(problems, [], 'tcpdump read every capture and printed as many packets as we did');
  assert.is(unexplained.length, 0, 'differences not in the known list');
  assert.equal(stale, [], 'known gaps that no longer occur');
});

// The other oracle for BIG TCP over IPv4: the tcpdump that wrote corpus-more's .out
// presumes BIG TCP for a total length of 0 ("length 80102 [was 0, presumed BIG TCP]") and
// sums the TCP length into IPv4's 16-bit pseudo-header field modulo 2^16 (RFC 793 §3.1):
// the whole -v text, the inner packet's checksum verdict included, must equal its file.
// (For IPv6 the installed tcpdump's form is kept: the .out's newer tcpdump also rewords
// every IPv6 -v header, "payload length: N" -> ", payload length N".)
test('corpus-more: BIG TCP over IPv4 -v text equals the .out of the tcpdump that wrote it (both engines)', () => {
  if (!corpusOrSkip('the BIG TCP .out comparison needs corpus-more', ['corpus-more']) || dir === null) return;
  const expected = readFileSync(join(dir, 'bigtcp-ipv4-geneve-ipv4.out'), 'utf8');
  for (const engine of ['wasm', 'ts']) {
    const r = spawnSync(process.execPath, [join(repoRoot, 'host/sniff.js'), '--engine', engine, '-#', '-n', '-tttt', '-v', '-r', join(dir, 'bigtcp-ipv4-geneve-ipv4.pcap')],
      { encoding: 'utf8', env: { ...process.env, TZ: 'GMT' } });
    assert.is(r.status, 0, r.stderr);
    assert.fixture(r.stdout, expected, `${engine}: bigtcp-ipv4-geneve-ipv4 -v`);
  }
});

test.run();
