// sniff.js on capture files, end to end: -r then -w reproduces every corpus capture's
// records; tcpdump and tshark read what we wrote; filters select what tcpdump selects;
// printed lines agree with tcpdump's; damaged files keep their good packets and end
// with one clear message; user errors are one line and a non-zero exit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, openSync, closeSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { spawn } from 'node:child_process';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { corpusCaptures, corpusDir, haveTool, repoRoot } from './lib/env.js';
import { runBin, runBinAsync, runNode, runNodeAsync } from './lib/run-tool.js';
import { pool } from './lib/parallel.js';

const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-sniff-'));
const captures = corpusCaptures();
const multiLink = (f: string): boolean => new Set(readCaptureFile(f).records.map((r) => r.linktype)).size > 1;
const stderrClean = (s: string): string => s.split('\n').filter((l) => l && !/^reading from file|Running as user "root"|This could be dangerous/.test(l)).join('\n');

// The runs of one capture (sniff, then tcpdump on its output and on the input) do not
// depend on another capture's: a few captures are in flight at a time (test/lib/parallel.ts)
// and the checks follow in corpus order, as when each capture ran alone.
test('-r FILE -w OUT reproduces every corpus capture record for record; tcpdump reads it', async () => {
  const tcpdump = haveTool('tcpdump');
  const runs = await pool(captures.map((f, k) => async () => {
    const multi = multiLink(f);
    // (indexed: two corpus folders may hold captures of the same name)
    const out = join(tmp, `${k}-${basename(f)}.out`);
    const r = await runNodeAsync('sniff', ['-r', f, '-w', out, ...(multi ? ['--pcapng'] : [])]);
    const oracle = tcpdump && !multi && r.status === 0
      ? await Promise.all([runBinAsync('tcpdump', ['-nn', '-r', out]), runBinAsync('tcpdump', ['-nn', '-r', f])])
      : null;
    return { f, multi, out, r, oracle };
  }));
  let files = 0;
  for (const { f, out, r, oracle } of runs) {
    assert.is(r.status, 0, `${f}: ${r.stderr}`);
    const a = readCaptureFile(f);
    const b = readCaptureFile(out);
    assert.is(b.error, null, `${f}: our output is damaged: ${b.error?.message}`);
    assert.is(b.records.length, a.records.length, `${f}: record count`);
    a.records.forEach((ra, i) => {
      const rb = b.records[i];
      assert.is(rb.caplen, ra.caplen, `${f} #${i + 1} caplen`);
      assert.is(rb.wirelen, ra.wirelen, `${f} #${i + 1} wirelen`);
      assert.is(rb.tsSec, ra.tsSec, `${f} #${i + 1} ts`);
      assert.is(rb.tsNsec, ra.tsNsec, `${f} #${i + 1} ns`);
      assert.is(rb.linktype, ra.linktype);
      assert.is(Buffer.compare(rb.data, ra.data), 0, `${f} #${i + 1} bytes`);
    });
    if (a.info.format === 'pcap' && !a.info.bigEndian) {
      // Same byte order and precision: the record area is byte for byte the input's.
      const ib = readFileSync(f);
      const ob = readFileSync(out);
      assert.is(Buffer.compare(ob.subarray(24), ib.subarray(24)), 0, `${f}: record bytes differ`);
    }
    if (oracle !== null) {
      const [t, orig] = oracle;
      assert.is(t.status, 0, `tcpdump on our ${basename(f)}: ${t.stderr}`);
      // tcpdump's remarks on our file must be the ones it makes on the input itself (it
      // warns about SLL2 interface names whichever file they come from).
      // (tcpdump refuses some pcapng inputs, e.g. interfaces with different snapshot
      // lengths; our pcap copy of them must simply read clean.)
      if (orig.status === 0) {
        assert.is(stderrClean(t.stderr), stderrClean(orig.stderr), `tcpdump complains about our ${basename(f)}`);
        assert.is(t.stdout, orig.stdout, `tcpdump reads our ${basename(f)} differently`);
      } else {
        assert.is(stderrClean(t.stderr), '', `tcpdump complains about our ${basename(f)}`);
      }
    }
    files++;
  }
  console.log(`NOTE sniff-file: ${files} captures round-tripped`);
});

test('tshark reads our pcap and pcapng output without complaint', async () => {
  if (!haveTool('tshark')) return;
  const picks = captures.filter((f) => /(ssh|tcp-handshake-nano|icmpv6|vlan11|test202|sll2|dns_tcp)\.pcap/.test(f));
  assert.ok(picks.length >= 5 || captures.length === 0);
  const runs = await pool(picks.map((f, k) => async () => {
    const out = join(tmp, `${k}-${basename(f)}.ts.pcapng`);
    const ours = await runNodeAsync('sniff', ['-r', f, '-w', out, '--pcapng']);
    return { f, out, ours, t: ours.status === 0 ? await runBinAsync('tshark', ['-r', out]) : null };
  }));
  for (const { f, out, ours, t } of runs) {
    assert.is(ours.status, 0);
    assert.is(t!.status, 0, `tshark on ${out}: ${t!.stderr}`);
    assert.is(stderrClean(t!.stderr), '', `tshark complains about our ${basename(f)}`);
  }
});

test('filters select exactly what tcpdump selects (whole program, -w output)', async () => {
  if (!haveTool('tcpdump')) return;
  const exprs = ['tcp', 'udp port 53', 'ip6', 'tcp[tcpflags] & (tcp-syn|tcp-ack) = tcp-syn', 'portrange 1-1024 and not arp', 'vlan', 'icmp or icmp6', 'greater 200'];
  const picks = captures.filter((f) => /(ssh|dns_tcp|dns_udp|vlan11|icmpv6|various_gre|tcp-handshake-nano|print-flags|frags)\.pcap$/.test(f));
  const pairs = picks.flatMap((f) => exprs.map((e) => ({ f, e })));
  const runs = await pool(pairs.map(({ f, e }, k) => async () => {
    const td = join(tmp, `td-${k}.pcap`);
    const out = join(tmp, `ours-${k}.pcap`);
    const [t, r] = await Promise.all([runBinAsync('tcpdump', ['-nn', '-r', f, '-w', td, e]), runNodeAsync('sniff', ['-r', f, '-w', out, e])]);
    return { f, e, td, out, t, r };
  }));
  let checked = 0;
  for (const { f, e, td, out, t, r } of runs) {
    if (t.status !== 0) {
      // tcpdump refuses the expression for this link type: so must we, with one line.
      assert.is.not(r.status, 0, `${basename(f)} "${e}": tcpdump refused, we accepted`);
      continue;
    }
    assert.is(r.status, 0, `${basename(f)} "${e}": ${r.stderr}`);
    const want = readCaptureFile(td).records;
    const got = readCaptureFile(out).records;
    assert.is(got.length, want.length, `${basename(f)} "${e}": ${got.length} vs tcpdump ${want.length}`);
    got.forEach((g, i) => assert.is(Buffer.compare(g.data, want[i].data), 0));
    checked++;
  }
  assert.ok(checked >= 40 || captures.length === 0, `only ${checked} comparisons`);
});

test('printed lines equal tcpdump -nn -S -tt where tcpdump prints no application layer', async () => {
  if (!haveTool('tcpdump')) return;
  const dir = corpusDir();
  if (dir === null) return;
  const runs = await pool(['tcp-handshake-nano.pcap', 'tcp_eight_lowest_weight_flags_set.pcap', 'icmpv6-ns-nonce.pcap', '802.1ad_QinQ.pcap'].map((name) => async () => {
    const f = join(dir, name);
    return Promise.all([runBinAsync('tcpdump', ['-nn', '-S', '-tt', '-r', f]), runNodeAsync('sniff', ['-nn', '-S', '-tt', '-r', f])]);
  }));
  for (const [want, got] of runs) {
    assert.is(got.status, 0);
    assert.fixture(got.stdout, want.stdout);
  }
  // -e and -c through the whole program.
  const f = join(dir, 'tcp-handshake-nano.pcap');
  assert.fixture(runNode('sniff', ['-nn', '-e', '-tt', '-c', '2', '-r', f]).stdout, runBin('tcpdump', ['-nn', '-e', '-tt', '-c', '2', '-r', f]).stdout);
});

test('--engine ts prints and writes exactly what --engine wasm does', async () => {
  const runs = await pool(captures.slice(0, 20).flatMap((f) => [
    () => runNodeAsync('sniff', ['-nn', '-tt', '-v', '-r', f]),
    () => runNodeAsync('sniff', ['-nn', '-tt', '-v', '-r', f, '--engine', 'ts']),
  ]));
  for (let i = 0; i < runs.length; i += 2) {
    const [a, b] = [runs[i], runs[i + 1]];
    assert.is(b.status, a.status);
    assert.fixture(b.stdout, a.stdout);
  }
});

test('--json: one object per packet, Wireshark names, equal to decode()', () => {
  const dir = corpusDir();
  if (dir === null) return;
  const r = runNode('sniff', ['--json', '-r', join(dir, 'ssh.pcap')]);
  assert.is(r.status, 0);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { frame: { number: number; len: number }; ip?: { src: string }; tcp?: { srcport: number } });
  assert.is(lines.length, 54);
  assert.is(lines[0].frame.number, 1);
  assert.is(lines[0].ip?.src, '202.108.87.165');
  assert.is(lines[0].tcp?.srcport, 62146);
});

test('--flows prints tshark-style conversation tables; with --json one line per flow', () => {
  const dir = corpusDir();
  if (dir === null) return;
  const f = join(dir, 'dns_tcp.pcap');
  const t = runNode('sniff', ['-r', f, '--flows']);
  assert.is(t.status, 0, t.stderr);
  assert.match(t.stdout, /TCP Conversations/);
  assert.match(t.stdout, /192\.168\.1\.11:\d+\s+<->\s+209\.87\.249\.18:53/);
  const j = runNode('sniff', ['-r', f, '--flows', '--json']);
  assert.is(j.status, 0, j.stderr);
  const flows = j.stdout.trim().split('\n').map((l) => JSON.parse(l) as { flow: { proto: string; a: { addr: string; port: number }; b: { port: number }; a_to_b: { frames: number }; b_to_a: { frames: number }; state: string } });
  assert.is(flows.length, 1);
  assert.is(flows[0].flow.proto, 'tcp');
  assert.is(flows[0].flow.b.port, 53);
  assert.is(flows[0].flow.a_to_b.frames + flows[0].flow.b_to_a.frames, 11);
  if (haveTool('tshark')) {
    // The same frame counts as tshark's conversation statistics.
    const ts = runBin('tshark', ['-q', '-r', f, '-z', 'conv,tcp']);
    const row = ts.stdout.split('\n').find((l) => /<->/.test(l)) ?? '';
    assert.match(row, new RegExp(`\\s${flows[0].flow.a_to_b.frames + flows[0].flow.b_to_a.frames}\\s`));
  }
});

test('--prefixes accounts packets and bytes per prefix and direction', () => {
  const dir = corpusDir();
  if (dir === null) return;
  const pf = join(tmp, 'prefixes.txt');
  writeFileSync(pf, '192.168.1.0/24 home\n209.87.249.0/24 dns-server\n0.0.0.0/0 rest\n');
  const r = runNode('sniff', ['-r', join(dir, 'dns_tcp.pcap'), '--prefixes', pf]);
  assert.is(r.status, 0, r.stderr);
  const want = readCaptureFile(join(dir, 'dns_tcp.pcap')).records;
  const bytes = want.reduce((a, x) => a + x.wirelen, 0);
  const home = r.stdout.split('\n').find((l) => l.startsWith('192.168.1.0/24')) ?? '';
  const cols = home.trim().split(/\s+/);
  // in pkts + out pkts for the client's /24 covers every frame of the conversation.
  assert.is(Number(cols[2]) + Number(cols[4]), want.length, home);
  assert.is(Number(cols[3]) + Number(cols[5]), bytes, home);
  const j = runNode('sniff', ['-r', join(dir, 'dns_tcp.pcap'), '--prefixes', pf, '--json']);
  const obj = JSON.parse(j.stdout.trim().split('\n').pop() ?? '{}') as { prefixes: Array<{ prefix: string; inPackets: number; outPackets: number }> };
  assert.ok(obj.prefixes.some((x) => x.prefix === '209.87.249.0/24' && x.inPackets + x.outPackets === want.length));
  const bad = runNode('sniff', ['-r', join(dir, 'dns_tcp.pcap'), '--prefixes', join(tmp, 'missing.txt')]);
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /missing\.txt: No such file/);
});

test('a truncated capture keeps every good packet, then one message with the byte offset, exit 1', () => {
  const dir = corpusDir();
  if (dir === null) return;
  const src = readFileSync(join(dir, 'ssh.pcap'));
  const all = readCaptureFile(join(dir, 'ssh.pcap')).records;
  // Cut inside record 31's data.
  let off = 24;
  for (let i = 0; i < 30; i++) off += 16 + all[i].caplen;
  const cutAt = off + 16 + 5;
  const bad = join(tmp, 'cut.pcap');
  writeFileSync(bad, src.subarray(0, cutAt));
  const out = join(tmp, 'cut-out.pcap');
  const r = runNode('sniff', ['-r', bad, '-w', out]);
  assert.is(r.status, 1);
  const msgs = r.stderr.split('\n').filter((l) => l.startsWith('sniff:'));
  assert.is(msgs.length, 1, r.stderr);
  assert.match(msgs[0], new RegExp(`truncated packet at byte offset ${off}`));
  assert.not.match(r.stderr, /at .*\.js:\d+/, 'no stack trace');
  assert.is(readCaptureFile(out).records.length, 30);
  // A corrupt record header (absurd caplen) likewise.
  const corrupt = Buffer.from(src);
  corrupt.writeUInt32LE(0x7fffffff, off + 8);
  writeFileSync(bad, corrupt);
  const r2 = runNode('sniff', ['-r', bad, '-w', out]);
  assert.is(r2.status, 1);
  assert.match(r2.stderr, new RegExp(`corrupt packet header at byte offset ${off}`));
  assert.is(readCaptureFile(out).records.length, 30);
  // Text mode prints the good packets before the message.
  const r3 = runNode('sniff', ['-nn', '-r', bad]);
  assert.is(r3.stdout.trim().split('\n').length, 30);
});

test('user errors: one line, non-zero exit, no stack trace', () => {
  const cases: Array<[string[], RegExp, number]> = [
    [['-r', '/nonexistent/x.pcap'], /No such file/, 1],
    [['-r', join(repoRoot, 'package.json')], /not a pcap or pcapng file/, 1],
    [['-r', join(repoRoot, 'test/fixtures/sample.pcap'), 'tcp port'], /syntax error.*at character/, 2],
    [['-r', join(repoRoot, 'test/fixtures/sample.pcap'), 'host nosuchhost.invalid'], /./, 2],
    [['--frobnicate'], /unknown option --frobnicate/, 2],
    [['-c', 'x', '-r', 'f'], /invalid number/, 2],
    [['-r', join(repoRoot, 'test/fixtures/sample.pcap'), '-w', '/nonexistent-dir/out.pcap'], /nonexistent-dir/, 1],
  ];
  for (const [args, msg, code] of cases) {
    const r = runNode('sniff', args);
    assert.is(r.status, code, `${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('sniff:'));
    assert.is(lines.length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[0], msg);
    assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('SIGINT while writing a large file leaves a valid capture of whole records', async () => {
  const big = join(tmp, 'big.pcap');
  const fd = openSync(big, 'w');
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0); hdr.writeUInt16LE(2, 4); hdr.writeUInt16LE(4, 6); hdr.writeUInt32LE(65535, 16); hdr.writeUInt32LE(1, 20);
  writeSync(fd, hdr);
  const rec = Buffer.alloc(16 + 60);
  rec.writeUInt32LE(60, 8); rec.writeUInt32LE(60, 12);
  const chunk = Buffer.concat(new Array(10000).fill(rec));
  for (let i = 0; i < 600; i++) writeSync(fd, chunk); // 6 M records, ~450 MB
  closeSync(fd);
  const out = join(tmp, 'sigint.pcap');
  // A filter keeps the copy-per-record path busy (plain -r/-w writes whole chunks and
  // can finish 450 MB before any signal arrives); the signal comes just after start-up.
  const child = spawn(process.execPath, [join(repoRoot, 'host/sniff.js'), '-r', big, '-w', out, 'greater', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exit = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  let stderr = '';
  const started = new Promise<void>((r) => child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); if (stderr.includes('reading from file')) r(); }));
  await Promise.race([started, exit]);
  await new Promise((r) => setTimeout(r, 40));
  child.kill('SIGINT');
  const code = await exit;
  assert.is(code, 0, stderr);
  const got = readCaptureFile(out);
  assert.is(got.error, null, 'output must end on a whole record');
  assert.ok(got.records.length > 0 && got.records.length < 6_000_000, `${got.records.length} records: the run was not interrupted`);
  if (haveTool('tcpdump')) assert.is(runBin('tcpdump', ['-r', out, '-w', '/dev/null']).status, 0);
  rmSync(big);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
