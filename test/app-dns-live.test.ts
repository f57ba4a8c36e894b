// Our own DNS traffic, recorded: in a pair of network namespaces a tiny responder
// (lib/dns-responder.ts) answers a client's queries (lib/dns-client.ts: A, AAAA, CNAME, MX,
// TXT, SRV, PTR, NXDomain with SOA, EDNS, one over TCP, one left unanswered) while tcpdump
// records them and `sniff --log dns` logs them live on the same interface. Then: every DNS
// field decode() gives for the recording equals tshark's, every DNS line the sniffer prints
// for it equals tcpdump's, and the live log holds the transactions tshark pairs in the
// recording (query, answers, status; response times within a millisecond, the two
// captures' timestamps being their own).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import type { DnsLogRecord } from '../host/app/log/dns-log.js';
import { haveTool, needRoot, repoRoot } from './lib/env.js';
import { withNetnsPair, nsExec } from './lib/netns.js';
import { dnsFieldsOf, tsharkDnsFields } from './lib/dns-tshark.js';

const work = mkdtempSync(join(tmpdir(), 'app-dns-live-'));
test.after(() => { rmSync(work, { recursive: true, force: true }); });

/** Spawns `cmd` in namespace `ns` and resolves once its stdout or stderr matches `ready`. */
async function startIn(ns: string, cmd: string, args: string[], ready: RegExp): Promise<{ child: ChildProcess; out: () => string; err: () => string }> {
  const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { env: { ...process.env, TZ: 'UTC' } });
  let out = '';
  let err = '';
  let go!: () => void;
  let fail!: (e: Error) => void;
  const started = new Promise<void>((res, rej) => { go = res; fail = rej; });
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); if (ready.test(out)) go(); });
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); if (ready.test(err)) go(); });
  child.on('exit', (code) => fail(new Error(`${cmd} ${args.join(' ')} exited (${code}) before it was ready: ${err}`)));
  const timer = setTimeout(() => fail(new Error(`${cmd} not ready after 15 s: ${err}`)), 15000);
  await started.finally(() => clearTimeout(timer));
  return { child, out: () => out, err: () => err };
}

/** The exit code (null after a signal), once the process has ended. */
function exited(c: ChildProcess): Promise<number | null> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve(c.exitCode);
  return new Promise((res) => c.on('exit', (code) => res(code)));
}

test('recorded DNS traffic: fields equal tshark\'s, lines equal tcpdump\'s, the live --log dns pairs as tshark does', async () => {
  if (!needRoot('network namespaces and live capture') || !haveTool('tcpdump') || !haveTool('tshark')) return;
  await withNetnsPair(async (p) => {
    const rec = join(work, 'dns.pcap');
    // The veth link and the neighbour entry first: until the peer answers ARP the kernel
    // holds (and then drops) what the client sends.
    let up = false;
    for (let i = 0; i < 20 && !up; i++) up = nsExec(p.a, process.execPath, [join(repoRoot, 'host/ping.js'), '-c', '1', p.ipB]).status === 0;
    assert.ok(up, 'the namespaces reach each other');
    const responder = await startIn(p.b, process.execPath, [join(repoRoot, 'test/lib/dns-responder.js'), p.ipB], /ready/);
    // --immediate-mode: without it, packets still in libpcap's unfinished TPACKET_V3 block
    // when SIGINT arrives are never written ('27 packets received by filter, 0 captured').
    const dump = await startIn(p.a, 'tcpdump', ['-i', p.ifA, '--immediate-mode', '-U', '-w', rec, 'port 53'], /listening on/);
    const log = await startIn(p.a, process.execPath, [join(repoRoot, 'host/sniff.js'), '-i', p.ifA, '--log', 'dns', 'port 53'], /listening on/);
    const client = nsExec(p.a, process.execPath, [join(repoRoot, 'test/lib/dns-client.js'), p.ipB], 60_000);
    assert.is(client.status, 0, client.stderr);
    await new Promise((r) => setTimeout(r, 300));
    for (const c of [log.child, dump.child, responder.child]) c.kill('SIGINT');
    assert.is(await exited(log.child), 0, `sniff --log dns: ${log.err()}`);
    await exited(dump.child);
    await exited(responder.child);

    // The recording: decode() against tshark, field by field.
    const { records } = readCaptureFile(rec);
    const e = createEngine();
    const theirs = await tsharkDnsFields(rec);
    let values = 0;
    let dnsFrames = 0;
    for (const r of records) {
      const ours = dnsFieldsOf(e.decode(r.data, r.linktype, r.wirelen));
      const t = theirs.get(r.number) ?? new Map<string, string[]>();
      if (ours.size > 0) dnsFrames++;
      for (const k of new Set([...ours.keys(), ...t.keys()])) {
        values++;
        assert.equal(ours.get(k) ?? [], t.get(k) ?? [], `frame ${r.number} ${k}`);
      }
    }
    assert.ok(dnsFrames >= 19, `${dnsFrames} DNS frames recorded (10 queries, 9 answers) of ${records.length} frames; client: ${client.stdout} ${client.stderr}; tcpdump: ${dump.err()}`);

    // The sniffer's lines for the recording against tcpdump's, whole, -nn and -vv.
    let lines = 0;
    for (const v of [[], ['-vv']]) {
      const ours = spawnSync(process.execPath, [join(repoRoot, 'host/sniff.js'), '-nn', '-t', ...v, '-r', rec], { encoding: 'utf8' });
      const tcpd = spawnSync('tcpdump', ['-nn', '-t', ...v, '-r', rec], { encoding: 'utf8' });
      assert.is(ours.status, 0, ours.stderr);
      assert.is(tcpd.status, 0, tcpd.stderr);
      assert.equal(ours.stdout.split('\n'), tcpd.stdout.split('\n'), `sniff -nn -t ${v.join(' ')} -r`);
      lines += tcpd.stdout.split('\n').filter((l) => / \(\d+\)$/.test(l)).length;
    }
    assert.ok(lines >= 2 * 19, `${lines} DNS lines compared`);

    // The live log against tshark's pairing of the recording.
    const logged = log.out().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as DnsLogRecord);
    const pairs = spawnSync('tshark', ['-2', '-r', rec, '-T', 'fields', '-E', 'separator=/t', '-e', 'dns.id', '-e', 'dns.flags.response',
      '-e', 'dns.response_in', '-e', 'dns.time', '-e', 'dns.qry.name', '-e', 'dns.a'], { encoding: 'utf8' });
    assert.is(pairs.status, 0, pairs.stderr);
    const rows = pairs.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
    const rtt = new Map(rows.filter((c) => c[1] === '1').map((c) => [parseInt(c[0], 16), Number(c[3])]));
    const queries = rows.filter((c) => c[1] === '0');
    assert.is(logged.length, queries.length, 'one log line per query');
    for (const q of queries) {
      const id = parseInt(q[0], 16);
      const l = logged.find((x) => x.trans_id === id);
      assert.ok(l !== undefined, `query ${id} (${q[4]}) logged`);
      assert.is(l.query, q[4]);
      assert.is(l.proto, id === 0x1000 + 8 * 0x111 ? 'tcp' : 'udp');
      if (q[2] === '') {
        assert.is(l.status, 'unanswered', `${q[4]}: tshark saw no response`);
      } else {
        assert.is(l.status, 'answered', `${q[4]}: tshark paired it`);
        assert.ok(Math.abs((l.rtt ?? -1) - (rtt.get(id) ?? 0)) < 0.001, `${q[4]}: rtt ${l.rtt} vs tshark ${rtt.get(id)}`);
      }
    }
    const a = logged.find((x) => x.query === 'a.test' && x.proto === 'udp');
    assert.equal(a?.answers, ['198.51.100.1', '198.51.100.2']);
    assert.equal(logged.find((x) => x.query === 'nope.test')?.rcode_name, 'NXDOMAIN');
    console.log(`app-dns-live: ${records.length} frames recorded, ${dnsFrames} DNS frames, ${values} field values equal tshark's, ${lines} DNS lines equal tcpdump's, ${logged.length} live log lines paired as tshark pairs them`);
  }, 'dns');
});

test.run();
