// --log dns: transactions against tshark's own request/response matching (dns.response_to,
// dns.response_in, dns.time, dns.unsolicited, dns.retransmission), run here, on every
// corpus capture that carries DNS and on the crafted frames; the timer wheel's timeouts
// and the bounded pending table on synthetic traffic; the CLI end to end.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createEngine, type Engine } from '../host/engine/engine.js';
import { AppArea, dissectApp } from '../host/app/app-area.js';
import { LogStage } from '../host/pipeline/log-stage.js';
import { DnsLog, DNS_TIMEOUT_S, type DnsLogRecord } from '../host/app/log/dns-log.js';
import { LOG_KINDS } from '../host/app/log/transaction-log.js';
import { LOG_KIND_HELP } from '../host/app/log/kinds.js';
import { APP_DNS, A_PROTO } from '../host/app/app-layout.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { corpusCaptures, corpusDir, corpusMoreCaptures, corpusOrSkip, haveTool, repoRoot } from './lib/env.js';
import { dnsSeeds } from './lib/dns-seeds.js';
import { message, optRecord, rd, udpFrame, type Endpoints } from './lib/dns-frames.js';

interface TimedFrame { data: Uint8Array; linktype: number; wirelen: number; sec: number; nsec: number }

const work = mkdtempSync(join(tmpdir(), 'app-log-'));
test.after(() => { rmSync(work, { recursive: true, force: true }); });

/** Runs the log stage itself over frames (batches of 256, as the runner hands them). */
function runLogStage(engine: Engine, frames: TimedFrame[]): DnsLogRecord[] {
  const path = join(work, `log-${Math.random().toString(36).slice(2)}.jsonl`);
  const fd = openSync(path, 'w');
  const stage = new LogStage(engine, ['dns'], fd);
  const batch = engine.createBatch(256, 256 * 2048);
  const area = new AppArea(engine, 256);
  for (let at = 0; at < frames.length; at += 256) {
    batch.clear();
    frames.slice(at, at + 256).forEach((f, i) => { batch.push(f.data, f.linktype, f.wirelen); batch.setTime(i, f.sec, f.nsec); });
    dissectApp(engine, batch, area);
    stage.process(batch, 0, { firstRecord: at + 1, firstMatch: at + 1, filtered: false });
  }
  stage.finish();
  closeSync(fd);
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as DnsLogRecord);
}

/** What tshark says the transactions are (two passes, so that a query knows its response):
 *  answered (query time, id, response time), unanswered queries, unsolicited responses. */
async function tsharkTransactions(path: string): Promise<{ answered: string[]; unanswered: string[]; unsolicited: string[]; frames: number }> {
  const r = await promisify(execFile)('tshark', ['-2', '-r', path, '-T', 'fields', '-E', 'separator=/t', '-e', 'frame.number', '-e', 'frame.time_epoch',
    '-e', 'dns.id', '-e', 'dns.flags.response', '-e', 'dns.response_to', '-e', 'dns.response_in', '-e', 'dns.time',
    '-e', 'dns.unsolicited', '-e', 'dns.retransmission'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const rows = r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
  const time = new Map(rows.map((c) => [c[0], c[1]]));
  const out = { answered: [] as string[], unanswered: [] as string[], unsolicited: [] as string[], frames: 0 };
  for (const [, , id, response, to, inFrame, rtt, unsolicited, retrans] of rows) {
    if (id === '' || id === undefined) continue;
    out.frames++;
    const tid = parseInt(id, 16);
    if (response === '1') {
      if (to !== '') out.answered.push(`${us(time.get(to) ?? '')} ${tid} ${us(rtt)}`);
      else if (unsolicited === '1' || retrans !== '1') out.unsolicited.push(`${tid}`);
    } else if (inFrame === '' && retrans !== '1') {
      out.unanswered.push(`${tid}`);
    }
  }
  for (const k of Object.values(out)) if (Array.isArray(k)) k.sort();
  return out;
}

/** A decimal seconds string to microseconds, as the log rounds. */
function us(s: string): string {
  return (Math.round(Number(s) * 1e6) / 1e6).toFixed(6);
}

function ourTransactions(recs: DnsLogRecord[]): { answered: string[]; unanswered: string[]; unsolicited: string[] } {
  const out = { answered: [] as string[], unanswered: [] as string[], unsolicited: [] as string[] };
  for (const x of recs) {
    if (x.status === 'answered') out.answered.push(`${x.ts.toFixed(6)} ${x.trans_id} ${(x.rtt ?? -1).toFixed(6)}`);
    else out[x.status].push(`${x.trans_id}`);
  }
  for (const k of Object.values(out)) k.sort();
  return out;
}

/** The capture's frames without IP fragments: tshark (defragmenting) pairs a fragmented
 *  message on its last fragment, our per-frame log on its first: neither is comparable. */
function unfragmented(engine: Engine, path: string): TimedFrame[] {
  return readCaptureFile(path).records.filter((r) => {
    const d = engine.decode(r.data, r.linktype, r.wirelen);
    return d.ip?.flags.mf !== 1 && (d.ip?.frag_offset ?? 0) === 0 && d.ipv6?.frag === undefined;
  }).map((r) => ({ data: r.data.slice(), linktype: r.linktype, wirelen: r.wirelen, sec: r.tsSec, nsec: r.tsNsec }));
}

test('every DNS transaction of the corpus pairs as tshark pairs it, with its response time', async () => {
  if (!haveTool('tshark') || !corpusOrSkip('the corpus DNS transactions were not paired against tshark', ['corpus', 'corpus-more'])) return;
  const e = createEngine();
  const jobs: Array<{ name: string; frames: TimedFrame[]; copy: string }> = [];
  for (const path of [...corpusCaptures(), ...corpusMoreCaptures()]) {
    const frames = unfragmented(e, path);
    if (!frames.some((f) => e.decode(f.data, f.linktype, f.wirelen).dns !== undefined)) continue;
    const copy = join(work, basename(path).replace(/\.pcapng$/, '.pcap'));
    writePcapTimed(copy, frames);
    jobs.push({ name: basename(path), frames, copy });
  }
  // tshark two at a time (two cores), each capture on its own: ids repeat across captures.
  const theirs: Array<Awaited<ReturnType<typeof tsharkTransactions>>> = [];
  for (let i = 0; i < jobs.length; i += 2) theirs.push(...await Promise.all(jobs.slice(i, i + 2).map((j) => tsharkTransactions(j.copy))));
  let answered = 0;
  let others = 0;
  jobs.forEach((j, i) => {
    const ours = ourTransactions(runLogStage(e, j.frames));
    assert.equal(ours.answered, theirs[i].answered, `${j.name}: answered (query time, id, rtt)`);
    assert.equal(ours.unanswered, theirs[i].unanswered, `${j.name}: unanswered queries`);
    assert.equal(ours.unsolicited, theirs[i].unsolicited, `${j.name}: unsolicited responses`);
    answered += ours.answered.length;
    others += ours.unanswered.length + ours.unsolicited.length;
  });
  console.log(`app-log-dns: ${jobs.length} captures, ${answered} answered transactions and ${others} unanswered/unsolicited equal tshark's pairing`);
  assert.ok(jobs.length >= 12 && answered >= 70, 'the corpus DNS captures were logged');
});

/** writePcap with each frame's own time (and link type: all frames of one file share it). */
function writePcapTimed(path: string, frames: TimedFrame[]): void {
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b23c4d, 0);
  hdr.writeUInt16LE(2, 4);
  hdr.writeUInt16LE(4, 6);
  hdr.writeUInt32LE(262144, 16);
  hdr.writeUInt32LE(frames[0]?.linktype ?? 1, 20);
  const parts: Buffer[] = [hdr];
  for (const f of frames) {
    const r = Buffer.alloc(16);
    r.writeUInt32LE(f.sec, 0);
    r.writeUInt32LE(f.nsec, 4);
    r.writeUInt32LE(f.data.length, 8);
    r.writeUInt32LE(f.wirelen, 12);
    parts.push(r, Buffer.from(f.data));
  }
  assert.ok(frames.every((f) => f.linktype === frames[0].linktype), 'one link type per capture');
  writeFileSync(path, Buffer.concat(parts));
}

test('the crafted frames pair as tshark pairs them (mDNS and LLMNR included)', async () => {
  if (!haveTool('tshark')) return;
  const e = createEngine();
  const frames: TimedFrame[] = dnsSeeds().filter((s) => !s.hostile).map((s, i) => ({ data: s.frame, linktype: 1, wirelen: s.frame.length, sec: 1700000000 + i, nsec: i * 1000000 }));
  const path = join(work, 'seeds.pcap');
  writePcapTimed(path, frames);
  const theirs = await tsharkTransactions(path);
  const ours = ourTransactions(runLogStage(e, frames));
  assert.equal(ours, { answered: theirs.answered, unanswered: theirs.unanswered, unsolicited: theirs.unsolicited });
  assert.ok(ours.answered.length >= 3, 'some crafted queries were answered');
});

const C: Endpoints = { src: '192.0.2.10', dst: '192.0.2.53', sport: 33333, dport: 53 };
const S: Endpoints = { src: '192.0.2.53', dst: '192.0.2.10', sport: 53, dport: 33333 };
const query = (id: number, n = 'x.example'): Uint8Array => udpFrame(C, message({ id, flags: 0x0100, questions: [{ name: n, type: 1 }], additional: [optRecord()] }));
const answer = (id: number, n = 'x.example'): Uint8Array => udpFrame(S, message({ id, flags: 0x8180, questions: [{ name: n, type: 1 }],
  answers: [{ name: n, type: 1, ttl: 60, rdata: rd.a('192.0.2.99') }] }));
const at = (data: Uint8Array, sec: number, nsec = 0): TimedFrame => ({ data, linktype: 1, wirelen: data.length, sec, nsec });

test(`a query waits ${DNS_TIMEOUT_S} s of packet time on the timer wheel, a retransmission is the same transaction`, () => {
  const e = createEngine();
  const recs = runLogStage(e, [
    at(query(1), 100), at(query(1), 101), at(answer(1), 105, 250_000_000), // answered after 5.25 s, the repeat ignored
    at(query(2), 106), at(answer(2), 117), // 11 s: too late
    at(query(3), 118),
  ]);
  const brief = recs.map((r) => `${r.trans_id} ${r.status}${r.rtt !== undefined ? ` ${r.rtt}` : ''}`);
  assert.equal(brief, ['1 answered 5.25', '2 unanswered', '2 unsolicited', '3 unanswered']);
  const a = recs[0];
  assert.equal([a['id.orig_h'], a['id.orig_p'], a['id.resp_h'], a['id.resp_p'], a.proto, a.query, a.qtype_name, a.rcode_name, a.answers, a.TTLs, a.RD, a.RA],
    ['192.0.2.10', 33333, '192.0.2.53', 53, 'udp', 'x.example', 'A', 'NOERROR', ['192.0.2.99'], [60], true, true]);
});

test('pending queries are bounded: the oldest goes out unanswered to make room', () => {
  const e = createEngine();
  const lines: string[] = [];
  const log = new DnsLog(e, (l) => lines.push(l), 8);
  const batch = e.createBatch(64, 64 * 2048);
  const area = new AppArea(e, 64);
  const frames = [...Array.from({ length: 20 }, (_, i) => at(query(100 + i), 200)), at(answer(100), 201), at(answer(119), 201)];
  frames.forEach((f, i) => { batch.push(f.data); batch.setTime(i, f.sec, f.nsec); });
  dissectApp(e, batch, area);
  const view = e.createView();
  let maxWaiting = 0;
  for (let i = 0; i < batch.count; i++) {
    view.at(batch, i);
    assert.is(e.views.u8[view.app + A_PROTO], APP_DNS);
    log.frame({ u8: e.views.u8, view, sec: frames[i].sec, nsec: frames[i].nsec });
    maxWaiting = Math.max(maxWaiting, log.waiting);
  }
  assert.is(maxWaiting, 8, 'never more than the capacity waits');
  const before = lines.length;
  log.finish();
  const recs = lines.map((l) => JSON.parse(l) as DnsLogRecord);
  assert.is(before, 12 + 2, '12 evicted as new queries came, then two responses');
  assert.equal(recs.filter((r) => r.status === 'unanswered').map((r) => r.trans_id), [...Array.from({ length: 19 }, (_, i) => 100 + i)]);
  assert.equal(recs.filter((r) => r.status === 'unsolicited').map((r) => r.trans_id), [100]);
  assert.equal(recs.filter((r) => r.status === 'answered').map((r) => r.trans_id), [119]);
});

test('many unanswered queries: pending memory bounded, each one ends once, every way out counted (stage and CLI summary)', async () => {
  // Phase A: 5,000 queries one per 100 ms tick (500 s): each times out 10 s (100 ticks)
  // later, when a later frame moves the clock there; the last 100 are still waiting when
  // phase B starts. Phase B: 3,000 queries at one instant, 10 s after phase A's last: phase
  // A's 100 expire first, then a 2,048-query table pushes out the oldest 952, and 2,048
  // are left at the end. Expected counts follow from those times; tshark confirms that no
  // query of the file has a response.
  const A = 5000;
  const B = 3000;
  const CAP = 2048;
  const base = 1_700_000_000;
  const frames: TimedFrame[] = [];
  for (let i = 0; i < A; i++) frames.push(at(query(i), base + Math.floor(i / 10), (i % 10) * 100_000_000));
  for (let i = 0; i < B; i++) frames.push(at(query(A + i), base + 510));
  const e = createEngine();
  const lines: string[] = [];
  const log = new DnsLog(e, (l) => lines.push(l), CAP);
  const batch = e.createBatch(256, 256 * 2048);
  const area = new AppArea(e, 256);
  const view = e.createView();
  let maxWaiting = 0;
  for (let off = 0; off < frames.length; off += 256) {
    batch.clear();
    const part = frames.slice(off, off + 256);
    part.forEach((f, i) => { batch.push(f.data); batch.setTime(i, f.sec, f.nsec); });
    dissectApp(e, batch, area);
    for (let i = 0; i < batch.count; i++) {
      view.at(batch, i);
      log.frame({ u8: e.views.u8, view, sec: part[i].sec, nsec: part[i].nsec });
      maxWaiting = Math.max(maxWaiting, log.waiting);
    }
  }
  log.finish();
  assert.is(maxWaiting, CAP, 'never more than the capacity waits');
  const recs = lines.map((l) => JSON.parse(l) as DnsLogRecord);
  assert.is(recs.length, A + B);
  assert.ok(recs.every((r) => r.status === 'unanswered'));
  assert.is(new Set(recs.map((r) => r.trans_id)).size, A + B, 'each query written once');
  assert.is(log.summary(), `log dns: ${A + B} transactions: 0 answered, ${A + B} unanswered (${A} queries timed out after ${DNS_TIMEOUT_S} s, ${B - CAP} pushed out at the ${CAP} pending limit, ${CAP} left at the end), 0 unsolicited`);

  // The CLI (a 65,536-query table: phase B fits) prints the same counts on standard error.
  const path = join(work, 'unanswered.pcap');
  writePcapTimed(path, frames);
  const r = spawnSync(process.execPath, [join(repoRoot, 'host/sniff.js'), '--log', 'dns', '-r', path], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.split('\n').filter((l) => l !== '').length, A + B);
  assert.match(r.stderr, `log dns: ${A + B} transactions: 0 answered, ${A + B} unanswered (${A} queries timed out after ${DNS_TIMEOUT_S} s, 0 pushed out at the 65536 pending limit, ${B} left at the end), 0 unsolicited\n`);
  if (!haveTool('tshark')) return;
  const theirs = await tsharkTransactions(path);
  assert.is(theirs.unanswered.length, A + B, 'tshark: no query has a response');
  assert.is(theirs.answered.length + theirs.unsolicited.length, 0);
});

test('--log names match the log kinds; sniff --log dns equals the stage, a bad kind is one line and exit 2', () => {
  assert.equal([...LOG_KINDS.keys()], [...LOG_KIND_HELP.keys()]);
  const dir = corpusDir();
  if (dir === null) { console.log('SKIP app-log-dns CLI: no corpus'); return; }
  const path = join(dir, 'dns_udp.pcap');
  const r = spawnSync(process.execPath, [join(repoRoot, 'host/sniff.js'), '--log', 'dns', '-r', path], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const e = createEngine();
  const frames = readCaptureFile(path).records.map((x) => ({ data: x.data.slice(), linktype: x.linktype, wirelen: x.wirelen, sec: x.tsSec, nsec: x.tsNsec }));
  assert.equal(r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as DnsLogRecord), runLogStage(e, frames));
  const bad = spawnSync(process.execPath, [join(repoRoot, 'host/sniff.js'), '--log', 'dns,smtp', '-r', path], { encoding: 'utf8' });
  assert.is(bad.status, 2);
  assert.is(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.match(bad.stderr, /invalid value "smtp" for --log/);
});

test.run();
