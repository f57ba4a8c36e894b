// sniff.js on real interfaces: a veth pair between two network namespaces made by the
// test, the kernel of the far namespace as the peer (it answers ping, and RST to a SYN
// on a closed port), traffic from processes in the namespaces. The sniffer must capture
// exactly the packets sent, with the right fields, and say what it dropped. Also IP-level
// capture through raw sockets. Namespaces are removed even when a test fails.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { createEngine } from '../host/engine/engine.js';
import { haveTool, needRoot, repoRoot } from './lib/env.js';
import { withNetnsPair, nsExec, type NetnsPair } from './lib/netns.js';
import { startSniffer } from './lib/live-sniffer.js';
import { tcpdumpFrameHex } from './lib/tcpdump-hex.js';

const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-live-'));
const canRun = (): boolean => needRoot('network namespaces and live capture');

/** `count` datagrams of `size` bytes (sequence number first, then 'x'), 2 ms apart; from
 *  `srcPort` when given (else one the kernel picks). */
function sendUdp(ns: string, host: string, port: number, count: number, size: number, srcPort = 0): void {
  const script = `const s=require('dgram').createSocket('udp4');let n=0;const b=Buffer.alloc(${size},120);` +
    `const go=()=>{if(n==${count}){s.close();return;}b.writeUInt32BE(n,0);s.send(b,${port},'${host}',()=>{n++;setTimeout(go,2)});};s.bind(${srcPort},go);`;
  const r = nsExec(ns, process.execPath, ['-e', script]);
  assert.is(r.status, 0, r.stderr);
}

async function live(body: (p: NetnsPair) => Promise<void>): Promise<void> {
  if (!canRun()) return;
  await withNetnsPair(body, 'sl');
}

test('UDP from the peer namespace: exactly the datagrams sent, fields right, in pcap and text', () => live(async (p) => {
  const out = join(tmp, 'udp.pcap');
  const sn = await startSniffer(p.b, ['-i', p.ifB, '-c', '20', '-w', out, `udp port 7777`]);
  sendUdp(p.a, p.ipB, 7777, 20, 100);
  const r = await sn.done;
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /20 packets captured/);
  assert.match(r.stderr, /0 packets dropped by kernel/);
  const { records } = readCaptureFile(out);
  assert.is(records.length, 20);
  const e = createEngine();
  const t0 = Date.now() / 1000;
  records.forEach((rec, i) => {
    const d = e.decode(rec.data, rec.linktype);
    assert.is(d.ip?.src, p.ipA);
    assert.is(d.ip?.dst, p.ipB);
    assert.is(d.udp?.dstport, 7777);
    assert.is(d.udp?.length, 108);
    assert.is((rec.data[42] << 24 | rec.data[43] << 16 | rec.data[44] << 8 | rec.data[45]) >>> 0, i, 'in the order sent');
    assert.ok(Math.abs(rec.tsSec - t0) < 60, 'timestamps are wall-clock');
    if (i > 0) assert.ok(rec.tsSec * 1e9 + rec.tsNsec >= records[i - 1].tsSec * 1e9 + records[i - 1].tsNsec, 'monotonic');
  });
}));

/** `count` datagrams of 64 bytes (sequence number first) sent as fast as the socket
 *  takes them: a burst, not a trickle. */
function burstUdp(ns: string, host: string, port: number, count: number): void {
  const script = `const s=require('dgram').createSocket('udp4');let done=0;` +
    `for(let i=0;i<${count};i++){const b=Buffer.alloc(64,120);b.writeUInt32BE(i,0);s.send(b,${port},'${host}',()=>{if(++done===${count})s.close();});}`;
  const r = nsExec(ns, process.execPath, ['-e', script]);
  assert.is(r.status, 0, r.stderr);
}

/** Sequence numbers of the UDP payloads in a capture file, as tcpdump -xx reads it. */
function tcpdumpSeqs(file: string): number[] {
  return tcpdumpFrameHex(file).filter((hex) => hex.length >= 92).map((hex) => parseInt(hex.slice(84, 92), 16));
}

test('a burst: -w (capture thread straight to the file, and through ring + worker) and -nn (worker woken by futex) deliver exactly what was sent', () => live(async (p) => {
  if (!haveTool('tcpdump', '--version')) return;
  const N = 4000;
  const want = Array.from({ length: N }, (_, i) => i);
  for (const [label, env] of [['direct', {}], ['ring', { PKTWASM_NO_DIRECT: '1' }]] as const) {
    const out = join(tmp, `burst-${label}.pcap`);
    const sn = await startSniffer(p.b, ['-i', p.ifB, '-c', String(N), '-w', out, 'udp port 7790'], env);
    burstUdp(p.a, p.ipB, 7790, N);
    const r = await sn.done;
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`^${N} packets captured`, 'm'), `${label}: ${r.stderr}`);
    assert.match(r.stderr, /^0 packets dropped by kernel/m, `${label}: ${r.stderr}`);
    assert.match(r.stderr, /^0 packets dropped by ring/m, `${label}: ${r.stderr}`);
    if (label === 'direct') assert.match(r.stderr, /written by the capture thread/, 'the single-thread path was taken');
    else assert.match(r.stderr, /taken from the ring/, 'the ring path was taken');
    // Every datagram once, in the order sent (tcpdump reads the file).
    assert.equal(tcpdumpSeqs(out), want, `${label}: the file holds exactly the burst, in order`);
  }
  const sn = await startSniffer(p.b, ['-i', p.ifB, '-c', String(N), '-nn', '-t', 'udp port 7790']);
  burstUdp(p.a, p.ipB, 7790, N);
  const r = await sn.done;
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  assert.is(lines.length, N, `-nn: one line per datagram\n${r.stderr}`);
  assert.ok(lines.every((l) => l === `IP ${p.ipA}.${l.split(' ')[1].split('.')[4]} > ${p.ipB}.7790: UDP, length 64`), `-nn: every line a datagram of the burst: ${lines[0]}`);
  assert.match(r.stderr, /^0 packets dropped by kernel/m);
  assert.match(r.stderr, /^0 packets dropped by ring/m);
}));

test('--workers 2 -w: two capture threads in one fanout group, one file with every datagram once, in timestamp order', () => live(async (p) => {
  if (!haveTool('tcpdump', '--version')) return;
  const N = 3000;
  const out = join(tmp, 'workers.pcap');
  const sn = await startSniffer(p.b, ['-i', p.ifB, '--workers', '2', '-c', String(N), '-w', out, 'udp port 7791']);
  // 16 conversations (16 source ports), so that the flow hash spreads them over both sockets.
  const script = `const d=require('dgram');const s=Array.from({length:16},()=>d.createSocket('udp4'));let n=0;` +
    `for(let i=0;i<${N};i++){const b=Buffer.alloc(64,120);b.writeUInt32BE(i,0);s[i%16].send(b,7791,'${p.ipB}',()=>{if(++n===${N})s.forEach(x=>x.close());});}`;
  const g = nsExec(p.a, process.execPath, ['-e', script]);
  assert.is(g.status, 0, g.stderr);
  const r = await sn.done;
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`^${N} packets captured`, 'm'), r.stderr);
  assert.match(r.stderr, /capture threads \(2, merged in timestamp order\)/, r.stderr);
  assert.match(r.stderr, /^0 packets dropped by kernel/m, r.stderr);
  // Every datagram exactly once (the per-socket order is kept, sockets interleave).
  const seqs = tcpdumpSeqs(out);
  assert.equal([...seqs].sort((a, b) => a - b), Array.from({ length: N }, (_, i) => i), 'each datagram once, none missing');
  // Timestamp order, as tcpdump prints the file (-tt: seconds.microseconds).
  const t = spawnSync('tcpdump', ['-r', out, '-nn', '-tt'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const times = t.stdout.split('\n').filter((l) => l !== '').map((l) => Number(l.split(' ')[0]));
  assert.is(times.length, N);
  assert.ok(times.every((x, i) => i === 0 || x >= times[i - 1]), 'the merged file is in timestamp order');
  // Per conversation, the order sent (sequence numbers rise within each source port).
  for (let f = 0; f < 16; f++) {
    const mine = seqs.filter((x) => x % 16 === f);
    assert.ok(mine.every((x, i) => i === 0 || x > mine[i - 1]), `conversation ${f} in the order sent`);
  }
  // A bad combination is one line and exit 2.
  const bad = spawnSync(process.execPath, [join(repoRoot, 'host/sniff.js'), '-i', p.ifB, '--workers', '2', '-nn', '-c', '5'], { encoding: 'utf8' });
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /--workers: -c needs -w FILE/);
  assert.is(bad.stderr.trim().split('\n').length, 1, bad.stderr);
}));

test('the kernel peer answers: ping request/reply and SYN -> RST, printed like tcpdump', () => live(async (p) => {
  const sn = await startSniffer(p.a, ['-i', p.ifA, '-nn', '-c', '6', 'icmp or tcp port 5555']);
  const ping = nsExec(p.a, process.execPath, [join(repoRoot, 'host/ping.js'), '-c', '2', '-i', '0.2', p.ipB]);
  assert.is(ping.status, 0, ping.stderr + ping.stdout);
  // A SYN to a closed port: the far kernel answers RST. Node's connect gives ECONNREFUSED.
  nsExec(p.a, process.execPath, ['-e', `require('net').connect(5555,'${p.ipB}').on('error',()=>{});setTimeout(()=>{},300)`]);
  const r = await sn.done;
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.is(lines.length, 6, r.stdout);
  const esc = (s: string): string => s.replace(/\./g, '\\.');
  assert.match(lines[0], new RegExp(`IP ${esc(p.ipA)} > ${esc(p.ipB)}: ICMP echo request, id \\d+, seq 1, length \\d+`));
  assert.match(lines[1], new RegExp(`IP ${esc(p.ipB)} > ${esc(p.ipA)}: ICMP echo reply, id \\d+, seq 1, length \\d+`));
  assert.match(lines[4], new RegExp(`IP ${esc(p.ipA)}\\.\\d+ > ${esc(p.ipB)}\\.5555: Flags \\[S\\]`));
  assert.match(lines[5], new RegExp(`IP ${esc(p.ipB)}\\.5555 > ${esc(p.ipA)}\\.\\d+: Flags \\[R\\.\\]`));
}));

test('-s truncates: wire length > captured length in the file', () => live(async (p) => {
  const out = join(tmp, 'snap.pcap');
  const sn = await startSniffer(p.b, ['-i', p.ifB, '-s', '64', '-c', '5', '-w', out, 'udp']);
  sendUdp(p.a, p.ipB, 7778, 5, 500);
  assert.is((await sn.done).code, 0);
  const { records } = readCaptureFile(out);
  assert.is(records.length, 5);
  for (const r of records) { assert.is(r.caplen, 64); assert.is(r.wirelen, 14 + 20 + 8 + 500); }
}));

/** The MAC address the kernel gave `dev` in `ns` (the oracle for the Ethernet fields). */
function macOf(ns: string, dev: string): string {
  const r = nsExec(ns, 'ip', ['-j', 'link', 'show', 'dev', dev]);
  assert.is(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as Array<{ address: string }>)[0].address;
}

interface JsonFrame {
  frame: { len: number; cap_len: number; linktype: number; number: number; time_epoch: string };
  eth: { src: string; dst: string; type: number };
  ip: { version: number; hdr_len: number; len: number; proto: number; ttl: number; src: string; dst: string };
  udp: { srcport: number; dstport: number; length: number };
}

test('--json and --flows on live traffic', () => live(async (p) => {
  // --json: one object per frame, every field as sent. The oracles: what the sender was
  // told (addresses, ports, 50-byte payloads), the kernel's MACs of the pair, and the clock
  // around the capture.
  const t0 = Date.now() / 1000;
  const js = await startSniffer(p.b, ['-i', p.ifB, '-c', '10', '--json', 'udp port 7779']);
  sendUdp(p.a, p.ipB, 7779, 10, 50, 40779);
  const jr = await js.done;
  const t1 = Date.now() / 1000;
  assert.is(jr.code, 0, jr.stderr);
  const lines = jr.stdout.split('\n').filter((l) => l.trim() !== '');
  assert.is(lines.length, 10, `one JSON line per datagram:\n${jr.stdout}`);
  const macA = macOf(p.a, p.ifA);
  const macB = macOf(p.b, p.ifB);
  let prevTime = 0;
  lines.forEach((line, k) => {
    const j = JSON.parse(line) as JsonFrame;
    assert.equal(j.frame.len, 14 + 20 + 8 + 50, line);
    assert.is(j.frame.cap_len, j.frame.len);
    assert.is(j.frame.linktype, 1);
    assert.is(j.frame.number, k + 1);
    const t = Number(j.frame.time_epoch);
    assert.ok(t >= t0 - 1 && t <= t1 + 1 && t >= prevTime, `time_epoch ${j.frame.time_epoch} outside the capture [${t0}, ${t1}]`);
    prevTime = t;
    assert.equal([j.eth.src, j.eth.dst, j.eth.type], [macA, macB, 0x0800], line);
    assert.equal([j.ip.version, j.ip.hdr_len, j.ip.len, j.ip.proto, j.ip.src, j.ip.dst], [4, 20, 20 + 8 + 50, 17, p.ipA, p.ipB], line);
    assert.equal([j.udp.srcport, j.udp.dstport, j.udp.length], [40779, 7779, 8 + 50], line);
  });

  const sn = await startSniffer(p.b, ['-i', p.ifB, '-c', '10', '--flows', 'udp']);
  sendUdp(p.a, p.ipB, 7779, 10, 50);
  const r = await sn.done;
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`${p.ipA.replace(/\./g, '\\.')}:\\d+\\s+<->\\s+${p.ipB.replace(/\./g, '\\.')}:7779`));
}));

test('raw sockets: --raw udp and --raw icmp capture IP datagrams tagged RAW', () => live(async (p) => {
  const out = join(tmp, 'raw.pcap');
  const sn = await startSniffer(p.b, ['--raw', 'udp', '-c', '4', '-w', out, 'udp port 7780']);
  sendUdp(p.a, p.ipB, 7780, 4, 30);
  const r = await sn.done;
  assert.is(r.code, 0, r.stderr);
  const { info, records } = readCaptureFile(out);
  assert.is(info.linktype, 101);
  assert.is(records.length, 4);
  const e = createEngine();
  for (const rec of records) {
    const d = e.decode(rec.data, 101);
    assert.is(d.udp?.dstport, 7780);
    assert.is(d.ip?.src, p.ipA);
  }
  const sn2 = await startSniffer(p.b, ['--raw', 'icmp', '-c', '2', '-nn']);
  nsExec(p.a, process.execPath, [join(repoRoot, 'host/ping.js'), '-c', '2', '-i', '0.2', p.ipB]);
  const r2 = await sn2.done;
  assert.is(r2.code, 0, r2.stderr);
  assert.match(r2.stdout, /ICMP echo request/);
}));

test('-Z nobody: root is given up after the capture opens; the output file belongs to nobody', () => live(async (p) => {
  const dir = join(tmp, 'z');
  chmodSync(tmp, 0o755);
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777);
  const out = join(dir, 'z.pcap');
  const sn = await startSniffer(p.b, ['-i', p.ifB, '-Z', 'nobody', '-c', '3', '-w', out, 'udp']);
  sendUdp(p.a, p.ipB, 7781, 3, 20);
  const r = await sn.done;
  assert.is(r.code, 0, r.stderr);
  assert.is(statSync(out).uid, 65534, 'the file was created after dropping to nobody');
  assert.is(readCaptureFile(out).records.length, 3);
}));

test('errors: unknown interface lists the valid ones; not root is one clear line', () => {
  if (!canRun()) return;
  const bad = spawnSyncSniff(['-i', 'nosuchif0', '-c', '1']);
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /no such interface: nosuchif0 \(available: .*lo/);
  assert.not.match(bad.stderr, /\n\s+at /);
  const np = spawnSyncSniff(['-i', 'lo', '-c', '1'], ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
  assert.is.not(np.status, 0);
  const line = np.stderr.split('\n').filter((l) => l.startsWith('sniff:'));
  assert.is(line.length, 1, np.stderr);
  assert.match(line[0], /permission|privilege|root|CAP_NET_RAW/i);
});

function spawnSyncSniff(args: string[], prefix: string[] = []): { status: number | null; stderr: string } {
  const cmd = prefix.length ? prefix[0] : process.execPath;
  const full = prefix.length ? [...prefix.slice(1), process.execPath, join(repoRoot, 'host/sniff.js'), ...args] : [join(repoRoot, 'host/sniff.js'), ...args];
  const r = spawnSync(cmd, full, { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stderr: r.stderr ?? '' };
}

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
