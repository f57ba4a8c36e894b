// --log http and --log tls against tshark's own pairing, run here, on TLS and HTTP recorded
// in a network namespace (lib/app-traffic.ts, lo at MTU 1500 without GSO): every HTTP
// request tshark pairs with its response (http.request_in, http.time, http.request_number)
// is one answered line with the same request time, method, host, URI, version, user agent,
// status code and reason, transaction depth and response time (to the microsecond); every
// TLS connection tshark shows a ClientHello and a ServerHello for (tcp.stream) is one
// complete line with its SNI, offered ALPN and versions, JA3, and the version, cipher,
// ALPN and JA3S the server chose. sniff --log http,tls and both backends. Then crafted
// frames for what recorded traffic does not show: pipelined requests, a 100 Continue, an
// unanswered request on the 30 s clock, an unsolicited response, a HelloRetryRequest, a
// ClientHello without answer, a ServerHello without its ClientHello, and the bounded
// pending tables (the oldest written out to make room).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '../host/engine/engine.js';
import { AppArea, dissectApp } from '../host/app/app-area.js';
import { LogStage } from '../host/pipeline/log-stage.js';
import { HttpLog, type HttpLogRecord } from '../host/app/log/http-log.js';
import { TlsLog, type TlsLogRecord } from '../host/app/log/tls-log.js';
import { LOG_KINDS } from '../host/app/log/transaction-log.js';
import { LOG_KIND_HELP } from '../host/app/log/kinds.js';
import { haveTool, needRoot, repoRoot } from './lib/env.js';
import { recordWeb, haveWebTools } from './lib/app-traffic.js';
import { tcpFrame } from './lib/dns-frames.js';
import { clientHello, serverHello, record, ext, sni, alpn, versions, HRR_RANDOM } from './lib/tls-seeds.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';

interface TimedFrame { data: Uint8Array; linktype: number; wirelen: number; sec: number; nsec: number }
type LogLine = HttpLogRecord | TlsLogRecord;

let dir = '';
let web = '';

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'app-log-web-'));
  if (!needRoot('recording TLS and HTTP in a network namespace') || !haveTool('tshark')) return;
  if (!haveWebTools('app-log-web')) return;
  web = (await recordWeb(dir, 1500)).path;
});

test.after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

function sniffLog(path: string, kinds: string, engine: 'wasm' | 'ts'): LogLine[] {
  const r = spawnSync(process.execPath, [join(repoRoot, 'host/sniff.js'), '--engine', engine, '--log', kinds, '-r', path], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.is(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as LogLine);
}

function tshark(path: string, fields: string[], extra: string[] = []): string[][] {
  const r = spawnSync('tshark', ['-2', '-r', path, '-o', 'tcp.analyze_sequence_numbers:TRUE', ...extra, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a',
    '-E', 'aggregator=\u0001', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.is(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

const us = (s: string): number => Math.round(Number(s) * 1e6);

/** The answered HTTP transactions tshark pairs, as our log writes them (keys in order). */
function tsharkHttp(path: string): string[] {
  const rows = tshark(path, ['frame.number', 'frame.time_epoch', 'ip.src', 'tcp.srcport', 'ip.dst', 'tcp.dstport', 'http.request.method',
    'http.host', 'http.request.uri', 'http.request.version', 'http.user_agent', 'http.request_number', 'http.response.code',
    'http.response.phrase', 'http.request_in', 'http.time'], ['-o', 'tcp.desegment_tcp_streams:FALSE']); // the status line's own segment, as we log it
  const byFrame = new Map(rows.map((c) => [c[0], c]));
  const out: string[] = [];
  for (const c of rows) {
    if (c[12] === '' || c[14] === '') continue; // a response that answers a request
    const q = byFrame.get(c[14])!;
    out.push(JSON.stringify({
      ts: us(q[1]), orig: `${q[2]}:${q[3]}`, resp: `${q[4]}:${q[5]}`, trans_depth: Number(q[11]), method: q[6], host: q[7], uri: q[8],
      version: q[9].slice(5), user_agent: q[10], status_code: Number(c[12]), status_msg: c[13], rtt: us(c[15]),
    }));
  }
  return out.sort();
}

function ourHttp(lines: LogLine[]): string[] {
  return (lines as HttpLogRecord[]).filter((r) => r.status === 'answered' && 'method' in r).map((r) => JSON.stringify({
    ts: us(String(r.ts)), orig: `${r['id.orig_h']}:${r['id.orig_p']}`, resp: `${r['id.resp_h']}:${r['id.resp_p']}`, trans_depth: r.trans_depth,
    method: r.method, host: r.host, uri: r.uri, version: r.version, user_agent: r.user_agent, status_code: r.status_code, status_msg: r.status_msg, rtt: us(String(r.rtt)),
  })).sort();
}

const VERSION = new Map([['0x0301', 'TLSv10'], ['0x0302', 'TLSv11'], ['0x0303', 'TLSv12'], ['0x0304', 'TLSv13']]);

/** The TLS handshakes tshark shows per TCP stream (ClientHello, then ServerHello). */
function tsharkTls(path: string, altPort: number): string[] {
  const rows = tshark(path, ['tcp.stream', 'frame.time_epoch', 'ip.src', 'tcp.srcport', 'ip.dst', 'tcp.dstport', 'tls.handshake.type',
    'tls.handshake.extensions_server_name', 'tls.handshake.extensions_alpn_str', 'tls.handshake.extensions.supported_version',
    'tls.handshake.ja3', 'tls.handshake.version', 'tls.handshake.ciphersuite', 'tls.handshake.ja3s'], ['-o', 'tcp.desegment_tcp_streams:FALSE', '-d', `tcp.port==${altPort},tls`]);
  const streams = new Map<string, { ch?: string[]; sh?: string[] }>();
  for (const c of rows) {
    const types = c[6].split('\u0001');
    const s = streams.get(c[0]) ?? {};
    if (types.includes('1') && s.ch === undefined) s.ch = c;
    if (types.includes('2') && s.sh === undefined) s.sh = c;
    streams.set(c[0], s);
  }
  const out: string[] = [];
  for (const { ch, sh } of streams.values()) {
    if (ch === undefined || sh === undefined) continue;
    const list = (x: string): string[] | undefined => (x === '' ? undefined : x.split('\u0001'));
    const offered = list(ch[9])?.map((v) => VERSION.get(v) ?? v);
    out.push(JSON.stringify({
      ts: us(ch[1]), orig: `${ch[2]}:${ch[3]}`, resp: `${ch[4]}:${ch[5]}`,
      version: VERSION.get(list(sh[9])?.[0] ?? sh[11]), cipher: sh[12], server_name: ch[7] || undefined, next_protocol: list(sh[8])?.[0],
      client_alpn: list(ch[8]), client_versions: offered, ja3: ch[10], ja3s: sh[13], rtt: us(sh[1]) - us(ch[1]),
    }));
  }
  return out.sort();
}

const CIPHER_HEX = new Map([['TLS_AES_256_GCM_SHA384', '0x1302'], ['TLS_AES_128_GCM_SHA256', '0x1301'], ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', '0xc030']]);

function ourTls(lines: LogLine[]): string[] {
  return (lines as TlsLogRecord[]).filter((r) => r.status === 'complete').map((r) => JSON.stringify({
    ts: us(String(r.ts)), orig: `${r['id.orig_h']}:${r['id.orig_p']}`, resp: `${r['id.resp_h']}:${r['id.resp_p']}`,
    version: r.version, cipher: CIPHER_HEX.get(r.cipher ?? '') ?? r.cipher, server_name: r.server_name, next_protocol: r.next_protocol,
    client_alpn: r.client_alpn, client_versions: r.client_versions, ja3: r.ja3, ja3s: r.ja3s, rtt: us(String(r.rtt)),
  })).sort();
}

for (const engine of ['wasm', 'ts'] as const) {
  test(`sniff --log http,tls: every transaction tshark pairs, field for field (${engine})`, () => {
    if (web === '') return;
    const lines = sniffLog(web, 'http,tls', engine);
    const http = ourHttp(lines);
    const tls = ourTls(lines);
    const theirHttp = tsharkHttp(web);
    const theirTls = tsharkTls(web, 8443);
    console.log(`app-log-web (${engine}): ${http.length} HTTP transactions (tshark ${theirHttp.length}), ${tls.length} TLS handshakes (tshark ${theirTls.length}), ${lines.length} lines`);
    assert.equal(http, theirHttp, 'HTTP transactions');
    assert.equal(tls, theirTls, 'TLS handshakes');
    assert.ok(http.length >= 7 && tls.length >= 8, 'the recorded transactions were all logged');
    assert.is(lines.length, http.length + tls.length, 'nothing unanswered or unsolicited in clean traffic');
  });
}

// ---- crafted frames: the cases clean traffic does not show -----------------------------

const C = { src: '192.0.2.1', dst: '192.0.2.2' };
const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
const frame = (sport: number, dport: number, payload: Uint8Array, sec: number, fromClient = true): TimedFrame => {
  const data = fromClient ? tcpFrame({ ...C, sport, dport }, payload, false) : tcpFrame({ src: C.dst, dst: C.src, sport, dport }, payload, false);
  return { data, linktype: LINKTYPE_ETHERNET, wirelen: data.length, sec, nsec: 0 };
};

function runStage(engine: Engine, kinds: string[], frames: TimedFrame[]): LogLine[] {
  const path = join(dir, `log-${Math.random().toString(36).slice(2)}.jsonl`);
  const fd = openSync(path, 'w');
  const stage = new LogStage(engine, kinds, fd);
  const batch = engine.createBatch(64, 64 * 2048);
  const area = new AppArea(engine, 64);
  // One frame per batch: each moves the clock as it comes, as live input would.
  frames.forEach((f, i) => {
    batch.clear();
    batch.push(f.data, f.linktype, f.wirelen);
    batch.setTime(0, f.sec, f.nsec);
    dissectApp(engine, batch, area);
    stage.process(batch, 0, { firstRecord: i + 1, firstMatch: i + 1, filtered: false });
  });
  stage.finish();
  closeSync(fd);
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as LogLine);
}

test('--log http: pipelined requests in order, 100 Continue, 30 s unanswered, unsolicited (both backends)', () => {
  for (const backend of ['wasm', 'ts'] as const) {
    const e = createEngine({ backend });
    const req = (uri: string): Uint8Array => bytes(`GET ${uri} HTTP/1.1\r\nHost: h.example\r\n\r\n`);
    const resp = (code: number, msg: string): Uint8Array => bytes(`HTTP/1.1 ${code} ${msg}\r\n\r\n`);
    const lines = runStage(e, ['http'], [
      frame(40001, 80, req('/one'), 100), frame(40001, 80, req('/two'), 100),
      frame(80, 40001, resp(100, 'Continue'), 101, false), frame(80, 40001, resp(200, 'OK'), 101, false), frame(80, 40001, resp(404, 'Not Found'), 102, false),
      frame(40002, 80, req('/late'), 110),
      frame(80, 40003, resp(500, 'Oops'), 120, false),
      frame(40004, 80, req('/other'), 141), // 31 s after /late: its clock ran out first
    ]) as HttpLogRecord[];
    const brief = lines.map((r) => `${r.status} ${r.uri ?? '-'} ${r.trans_depth ?? 0} ${r.status_code ?? '-'} ${r.rtt ?? '-'}`);
    assert.equal(brief, [
      'answered /one 1 200 1', 'answered /two 2 404 2', 'unsolicited - 0 500 -', 'unanswered /late 1 - -', 'unanswered /other 1 - -',
    ], backend);
  }
});

/** An HttpLog of `capacity` pending requests and request(port, uri), which dissects one
 *  GET from client port `port` to port 80 and hands it to the log at t = 200 s. */
function httpLogRig(capacity: number): { log: HttpLog; out: HttpLogRecord[]; request: (port: number, uri: string) => void } {
  const e = createEngine();
  const out: HttpLogRecord[] = [];
  const log = new HttpLog(e, (l) => out.push(JSON.parse(l) as HttpLogRecord), capacity);
  const batch = e.createBatch(1, 2048);
  const area = new AppArea(e, 1);
  const view = e.createView();
  const request = (port: number, uri: string): void => {
    const f = frame(port, 80, bytes(`GET ${uri} HTTP/1.1\r\n\r\n`), 200);
    batch.clear();
    batch.push(f.data, f.linktype, f.wirelen);
    dissectApp(e, batch, area);
    view.at(batch, 0);
    view.app = area.recordAt(0);
    log.frame({ u8: e.views.refresh().u8, view, sec: 200, nsec: 0 });
  };
  return { log, out, request };
}

test('--log http keeps at most its capacity waiting: the oldest requests go out unanswered', () => {
  const { log, out, request } = httpLogRig(4);
  for (let i = 0; i < 10; i++) {
    request(41000 + i, `/${i}`);
    assert.ok(log.waiting <= 4, 'never more than the capacity waits');
  }
  assert.equal(out.map((r) => r.uri), ['/0', '/1', '/2', '/3', '/4', '/5']);
  log.finish();
  assert.equal(out.map((r) => r.uri), ['/0', '/1', '/2', '/3', '/4', '/5', '/6', '/7', '/8', '/9']);
  assert.ok(out.every((r) => r.status === 'unanswered'));
});

test('--log http: trans_depth counts per connection, the least recently seen connections forgotten beyond the capacity', () => {
  // Capacity 2. Connections by client port: a b a c a b c b. LRU by latest request:
  // c evicts b (a was seen after b), b (again) evicts c, c (again) evicts a; a forgotten
  // connection counts from 1 again. Hence depths 1 1 2 1 3 1 1 2.
  const { log, out, request } = httpLogRig(2);
  const ports = [41000, 41001, 41000, 41002, 41000, 41001, 41002, 41001];
  ports.forEach((port, i) => { request(port, `/${i}`); });
  log.finish();
  const depth = new Map(out.map((r) => [r.uri, r.trans_depth]));
  assert.equal(ports.map((_, i) => depth.get(`/${i}`)), [1, 1, 2, 1, 3, 1, 1, 2]);
});

test('--log tls: HelloRetryRequest, no ServerHello, no ClientHello (both backends)', () => {
  for (const backend of ['wasm', 'ts'] as const) {
    const e = createEngine({ backend });
    const ch = (name: string): Uint8Array => record(22, clientHello({ exts: [sni(name), alpn('h2', 'http/1.1'), versions(0x0304, 0x0303)] }), 0x0301);
    const sh = (random?: Uint8Array): Uint8Array => record(22, serverHello({ random, suite: 0x1301, exts: [ext(43, Uint8Array.of(3, 4)), alpn('h2')] }));
    const lines = runStage(e, ['tls'], [
      frame(42001, 443, ch('retry.example'), 300), frame(443, 42001, sh(HRR_RANDOM), 300, false),
      frame(42001, 443, ch('retry.example'), 300), frame(443, 42001, sh(), 301, false),
      frame(42002, 443, ch('silent.example'), 302),
      frame(443, 42003, sh(), 303, false),
      frame(42004, 443, ch('late.example'), 340),
    ]) as TlsLogRecord[];
    const brief = lines.map((r) => `${r.status} ${r.server_name ?? '-'} ${r.version ?? '-'} ${r.cipher ?? '-'} ${r.next_protocol ?? '-'} ${r.hello_retry === true ? 'hrr' : '-'}`);
    assert.equal(brief, [
      'complete retry.example TLSv13 TLS_AES_128_GCM_SHA256 h2 hrr', 'no_client_hello - TLSv13 TLS_AES_128_GCM_SHA256 h2 -',
      'no_server_hello silent.example - - - -', 'no_server_hello late.example - - - -',
    ], backend);
  }
});

test('--log names and help: dns, http, tls', () => {
  assert.equal([...LOG_KINDS.keys()], [...LOG_KIND_HELP.keys()]);
  assert.ok(['http', 'tls'].every((k) => LOG_KINDS.has(k)));
});

test.run();
