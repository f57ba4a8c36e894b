// sniff --workers N with engine work (text, --json, --flows, --prefixes): N fanout
// sockets, N rings, N consumer workers on one shared memory. The oracle is the sent set:
// 16 conversations (source ports 41000..41015) from the peer namespace of a veth pair,
// datagram i from port 41000 + i % 16 with a payload of 1 + floor(i / 16) bytes, so
// (source port, length) names each datagram. Every one must come out exactly once, each
// conversation in one table row with all its datagrams, the counters summed, the kernel's
// counters saying nothing was dropped. Namespaces are removed even when a test fails.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveTool, needRoot, repoRoot } from './lib/env.js';
import { withNetnsPair, nsExec, type NetnsPair } from './lib/netns.js';
import { startSniffer } from './lib/live-sniffer.js';
import { readExporters, readNfdump, startNfcapd } from './ipfix-tools.js';

const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-lw-'));
const N = 2000;
const FLOWS = 16;
const PORT = 7800;
const lengthOf = (i: number): number => 1 + Math.floor(i / FLOWS);
const srcPortOf = (i: number): number => 41000 + (i % FLOWS);
/** The sent set as "port/length" keys, sorted. */
const sentKeys = Array.from({ length: N }, (_, i) => `${srcPortOf(i)}/${lengthOf(i)}`).sort();

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs sniff.js in namespace b on its veth end, sends the set from namespace a, then
 *  stops the sniffer with SIGINT (as a user would) once the set is sent. */
async function sniffWhileSending(p: NetnsPair, args: string[]): Promise<Run> {
  const { child, done } = await startSniffer(p.b, ['-i', p.ifB, ...args, `udp port ${PORT}`]);
  const script = `const d=require('dgram');const s=[];let n=0,b=0;` +
    `for(let f=0;f<${FLOWS};f++){const x=d.createSocket('udp4');s.push(x);x.bind(41000+f,()=>{if(++b===${FLOWS})go();});}` +
    `function go(){for(let i=0;i<${N};i++){s[i%${FLOWS}].send(Buffer.alloc(1+Math.floor(i/${FLOWS}),120),${PORT},'${p.ipB}',()=>{if(++n===${N})s.forEach(x=>x.close());});}}`;
  const g = nsExec(p.a, process.execPath, ['-e', script]);
  assert.is(g.status, 0, g.stderr);
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGINT');
  return await done;
}

/** The exit statistics every run must show: all N, nothing dropped, both workers busy. */
function assertStats(r: Run, label: string): void {
  assert.is(r.code, 0, `${label}: ${r.stderr}`);
  assert.match(r.stderr, new RegExp(`^${N} packets captured`, 'm'), `${label}: ${r.stderr}`);
  assert.match(r.stderr, new RegExp(`^${N} packets received by filter`, 'm'), `${label}: ${r.stderr}`);
  assert.match(r.stderr, /^0 packets dropped by kernel/m, `${label}: ${r.stderr}`);
  assert.match(r.stderr, /^0 packets dropped by ring/m, `${label}: ${r.stderr}`);
  const m = new RegExp(`^${N} packets taken from the rings \\(2 workers: (\\d+) \\+ (\\d+)\\)`, 'm').exec(r.stderr);
  assert.ok(m !== null, `${label}: per-worker counts: ${r.stderr}`);
  assert.is(Number(m![1]) + Number(m![2]), N, `${label}: the workers' counts sum to the total`);
  assert.ok(Number(m![1]) > 0 && Number(m![2]) > 0, `${label}: the fanout hash spread 16 conversations over both workers: ${m![0]}`);
}

async function live(body: (p: NetnsPair) => Promise<void>): Promise<void> {
  if (!needRoot('network namespaces and live capture')) return;
  await withNetnsPair(body, 'lw');
}

test('--workers 2 -nn: every datagram sent is one whole line, once; each conversation in the order sent', () => live(async (p) => {
  const r = await sniffWhileSending(p, ['--workers', '2', '-nn', '-t']);
  assertStats(r, '-nn');
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  const re = new RegExp(`^IP ${p.ipA.replace(/\./g, '\\.')}\\.(\\d+) > ${p.ipB.replace(/\./g, '\\.')}\\.${PORT}: UDP, length (\\d+)$`);
  const keys = lines.map((l) => {
    const m = re.exec(l);
    assert.ok(m !== null, `a whole tcpdump line (never cut by another worker's): ${JSON.stringify(l)}`);
    return `${m![1]}/${m![2]}`;
  });
  assert.equal([...keys].sort(), sentKeys, 'each datagram exactly once');
  // Within a conversation (one worker) the lines are in the order sent: lengths rise.
  for (let f = 0; f < FLOWS; f++) {
    const lens = keys.filter((k) => k.startsWith(`${41000 + f}/`)).map((k) => Number(k.split('/')[1]));
    assert.ok(lens.every((x, i) => i === 0 || x > lens[i - 1]), `conversation ${41000 + f} in the order sent`);
  }
}));

test('--workers 2 --json: one object per datagram sent, once', () => live(async (p) => {
  const r = await sniffWhileSending(p, ['--workers', '2', '--json']);
  assertStats(r, '--json');
  const keys = r.stdout.split('\n').filter((l) => l !== '').map((l) => {
    const j = JSON.parse(l) as { ip: { src: string; dst: string }; udp: { srcport: number; dstport: number; length: number } };
    assert.equal([j.ip.src, j.ip.dst, j.udp.dstport], [p.ipA, p.ipB, PORT], l);
    return `${j.udp.srcport}/${j.udp.length - 8}`;
  });
  assert.equal(keys.sort(), sentKeys, 'each datagram exactly once');
}));

test('--workers 2 --flows: one table, each conversation once with all its frames and bytes; --flows --json: one line per conversation', () => live(async (p) => {
  const r = await sniffWhileSending(p, ['--workers', '2', '--flows']);
  assertStats(r, '--flows');
  // tshark's conv,udp row: A:port <-> B:port, then frames/bytes B->A, A->B, total.
  const rows = r.stdout.split('\n').filter((l) => l.includes('<->'));
  assert.is(rows.length, FLOWS, `one row per conversation:\n${r.stdout}`);
  const ports = rows.map((row) => {
    // "A:port <-> B:port  framesBA bytesBA unit  framesAB bytesAB unit  ..."
    const t = row.trim().split(/\s+/);
    const [a, aPort] = t[0].split(':');
    const [b, bPort] = t[2].split(':');
    assert.equal([a, b, Number(bPort), Number(t[3]), Number(t[6])], [p.ipA, p.ipB, PORT, 0, N / FLOWS], row);
    return Number(aPort);
  });
  assert.equal(ports.sort((a, b) => a - b), Array.from({ length: FLOWS }, (_, f) => 41000 + f));

  const j = await sniffWhileSending(p, ['--workers', '2', '--flows', '--json']);
  assertStats(j, '--flows --json');
  const flows = j.stdout.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as {
    flow: { a: { addr: string; port: number }; b: { port: number }; a_to_b: { frames: number; bytes: number }; b_to_a: { frames: number } };
  }).flow);
  assert.is(flows.length, FLOWS, j.stdout);
  // Bytes: the frames' wire lengths, 14 + 20 + 8 + payload, over the flow's 125 datagrams.
  for (const f of flows) {
    const port = f.a.port;
    let bytes = 0;
    for (let i = port - 41000; i < N; i += FLOWS) bytes += 42 + lengthOf(i);
    assert.equal([f.a.addr, f.b.port, f.a_to_b.frames, f.a_to_b.bytes, f.b_to_a.frames], [p.ipA, PORT, N / FLOWS, bytes, 0], JSON.stringify(f));
  }
  assert.equal(flows.map((f) => f.a.port).sort((a, b) => a - b), Array.from({ length: FLOWS }, (_, f) => 41000 + f));
}));

test('--workers 2 --prefixes: the counters of both workers summed into one table', () => live(async (p) => {
  const nets = join(tmp, 'nets.txt');
  // A's /32, B's /32 and a prefix nobody uses.
  writeFileSync(nets, `${p.ipA}/32 sender\n${p.ipB}/32 receiver\n10.0.0.0/8 unused\n`);
  const r = await sniffWhileSending(p, ['--workers', '2', '--prefixes', nets]);
  assertStats(r, '--prefixes');
  let bytes = 0;
  for (let i = 0; i < N; i++) bytes += 42 + lengthOf(i);
  const row = (addr: string): number[] => {
    const m = new RegExp(`^${addr.replace(/\./g, '\\.')}/32\\s+\\S+\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)$`, 'm').exec(r.stdout);
    assert.ok(m !== null, `${addr}/32 row:\n${r.stdout}`);
    return m!.slice(1).map(Number);
  };
  assert.equal(row(p.ipA), [0, 0, N, bytes], 'the sender: every datagram out');
  assert.equal(row(p.ipB), [N, bytes, 0, 0], 'the receiver: every datagram in');
  assert.match(r.stdout, /^unmatched: 0 packets, 0 bytes$/m);
}));

test('--workers 2 --ipfix: nfcapd stores each conversation once with all its packets and octets; one summed summary', () => live(async (p) => {
  if (!haveTool('nfcapd', '-V') || !haveTool('nfdump', '-V')) return;
  const dir = mkdtempSync(join(tmp, 'nf-'));
  // The collector listens in the sniffer's namespace, on the veth address.
  const nf = await startNfcapd(dir, 4739, p.ipB, p.b);
  let r: Run;
  try {
    r = await sniffWhileSending(p, ['--workers', '2', '--ipfix', `${p.ipB}:4739`]);
  } finally {
    await nf.stop();
  }
  assertStats(r, '--ipfix');
  assert.match(r.stderr, new RegExp(`^ipfix: ${FLOWS} flows, ${FLOWS} records in \\d+ messages to udp://${p.ipB.replace(/\./g, '\\.')}:4739: ${FLOWS} records sent, .*0 records lost \\(2 exporting workers\\)$`, 'm'), r.stderr);
  const rows = readNfdump(dir);
  assert.is(rows.length, FLOWS, JSON.stringify(rows));
  for (const row of rows) {
    // IPFIX octets are IP lengths: 20 + 8 + payload over the flow's datagrams.
    let octets = 0;
    for (let i = row.sp - 41000; i < N; i += FLOWS) octets += 28 + lengthOf(i);
    assert.equal([row.sa, row.da, row.dp, row.pr, row.pkt, row.byt], [p.ipA, p.ipB, PORT, '17', N / FLOWS, octets], JSON.stringify(row));
  }
  assert.equal(rows.map((x) => x.sp).sort((a, b) => a - b), Array.from({ length: FLOWS }, (_, f) => 41000 + f), 'each conversation once');
  // Two exporters to nfcapd (domains 0 and 1, RFC 7011 §3.1: a sequence counter per
  // domain), each counted without a sequence failure; one shared domain made them one.
  const exporters = [...readExporters(dir).values()];
  assert.equal(exporters.map((x) => x.domain).sort(), [0, 1], JSON.stringify(exporters));
  assert.is(exporters.reduce((a, x) => a + x.flows, 0), FLOWS);
  for (const x of exporters) assert.is(x.seqFailures, 0, JSON.stringify(exporters));
}));

test('capture({ workers: 2 }): the library reads two fanout rings; every datagram once, count over both', () => live(async (p) => {
  // The library runs in the sniffer's namespace: a script that yields `take` packets.
  for (const take of [N, N / 2]) {
    const script = `import('${join(repoRoot, 'host/index.js')}').then(async ({ capture }) => {` +
      `const keys = []; let first = true;` +
      `setTimeout(() => process.stdout.write('ready\\n'), 300);` +
      `for await (const pkt of capture({ iface: '${p.ifB}', filter: 'udp port ${PORT}', workers: 2, count: ${take} })) ` +
      `keys.push(pkt.decoded.udp.srcport + '/' + (pkt.decoded.udp.length - 8));` +
      `process.stdout.write(JSON.stringify(keys) + '\\n'); });`;
    const child = spawn('ip', ['netns', 'exec', p.b, process.execPath, '-e', script]);
    let stdout = '';
    let stderr = '';
    let ready!: () => void;
    const started = new Promise<void>((r) => { ready = r; });
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); if (stdout.startsWith('ready\n')) ready(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const done = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      await Promise.race([started, done]);
      const script2 = `const d=require('dgram');const s=[];let n=0,b=0;` +
        `for(let f=0;f<${FLOWS};f++){const x=d.createSocket('udp4');s.push(x);x.bind(41000+f,()=>{if(++b===${FLOWS})go();});}` +
        `function go(){for(let i=0;i<${N};i++){s[i%${FLOWS}].send(Buffer.alloc(1+Math.floor(i/${FLOWS}),120),${PORT},'${p.ipB}',()=>{if(++n===${N})s.forEach(x=>x.close());});}}`;
      const g = nsExec(p.a, process.execPath, ['-e', script2]);
      assert.is(g.status, 0, g.stderr);
      assert.is(await done, 0, stderr);
    } finally {
      clearTimeout(timer);
    }
    const keys = JSON.parse(stdout.split('\n')[1]) as string[];
    assert.is(keys.length, take, `count ${take} over both rings`);
    assert.is(new Set(keys).size, take, 'no datagram twice');
    const sent = new Set(sentKeys);
    assert.ok(keys.every((k) => sent.has(k)), 'only datagrams sent');
    if (take === N) assert.equal([...keys].sort(), sentKeys, 'each datagram exactly once');
  }
}));

test('--workers: combinations that cannot work are one line and exit 2', () => {
  for (const args of [['-nn', '-c', '10'], ['--flows', '-w', join(tmp, 'x.pcap')]]) {
    const bad = spawnSync(process.execPath, [join(repoRoot, 'host/sniff.js'), '-i', 'lo', '--workers', '2', ...args], { encoding: 'utf8' });
    assert.is(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /--workers/);
    assert.is(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  }
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test.run();
