// Flows at scale (issue #19): the sniffer's --flows path keeps no FlowRecord per flow. The
// conversation table is written from a ConversationStore (64 bytes per row, radix-sorted)
// into a reused OutputBuffer, and --flows --json lines are formatted from memory.
//  - Crafted records of every shape (IPv4/IPv6, TCP states, ICMP, no ports, VLAN, sizes up
//    to terabytes, relative starts past 10^6 s, negative durations, durations exactly
//    halfway between two printed values, equal start times) print exactly what the
//    record path (formatConversationTable, flowJsonLine) prints: that path is held to
//    tshark by test/flows-tshark.
//  - The whole sniffer on a generated capture of single-packet UDP flows: its table rows
//    are tshark's conv,udp rows, also with a table far smaller than the flows (evictions
//    counted); its JSON lines carry every flow once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import { readFlowRecord, type FlowRecord } from '../host/flows/flow-table.js';
import { formatConversationTable, flowJsonLine } from '../host/flows/conversations.js';
import { ConversationStore } from '../host/flows/conversation-store.js';
import { writeConversationTable } from '../host/flows/conversation-text.js';
import { flowJsonText } from '../host/flows/flow-json-text.js';
import { FlowStage } from '../host/pipeline/flow-stage.js';
import { OutputBuffer } from '../host/sinks/output-buffer.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import * as F from '../host/flows/flow-layout.js';
import { generateFlowCapture } from '../bench/lib/gen-capture.js';
import { Rng, haveTool, repoRoot, seed } from './lib/env.js';

const engine = createEngine({ backend: 'wasm' });
const haveTshark = haveTool('tshark', '-v');

/** Writes a random exported record at `at` (layout FE_*). */
function craft(rng: Rng, at: number, i: number, origin: number): void {
  const v = engine.views.refresh();
  v.u8.fill(0, at, at + F.FE_SIZE);
  const pick = rng.u32() % 10;
  const proto = pick < 4 ? 6 : pick < 8 ? 17 : pick === 8 ? 1 : 58;
  const v6 = rng.bool(0.3) || proto === 58;
  v.u8[at + F.FE_PROTO] = proto;
  v.u8[at + F.FE_IPVER] = v6 ? 6 : 4;
  let flags = F.EF_USED;
  if (rng.bool(0.05)) flags |= F.EF_NOPORTS;
  if (rng.bool(0.2)) flags |= F.EF_PICKUP;
  v.u16[(at + F.FE_FLAGS) >>> 1] = flags;
  for (let k = 0; k < (v6 ? 16 : 4); k++) {
    // Runs of zero groups (IPv6 "::") and zero octets now and then.
    v.u8[at + F.FE_ADDR_A + k] = rng.bool(0.3) ? 0 : rng.u32() & 255;
    v.u8[at + F.FE_ADDR_B + k] = rng.bool(0.3) ? 0 : rng.u32() & 255;
  }
  v.u16[(at + F.FE_PORT_A) >>> 1] = rng.u32() & 0xFFFF;
  v.u16[(at + F.FE_PORT_B) >>> 1] = rng.bool(0.2) ? 0 : rng.u32() & 0xFFFF;
  v.u8[at + F.FE_STATE_A] = rng.u32() % 12;
  v.u8[at + F.FE_STATE_B] = rng.u32() % 12;
  v.u8[at + F.FE_TCPFL_A] = rng.u32() & 255;
  v.u8[at + F.FE_TCPFL_B] = rng.u32() & 255;
  // Starts: mostly within seconds of the origin, some equal to another's, some far out
  // (past 10^6 s) or before the origin (time went backwards in the capture).
  const kind = rng.u32() % 8;
  const startSec = kind === 0 ? origin + 1_500_000 + rng.int(1000) : kind === 1 ? origin - rng.int(3) : origin + rng.int(4);
  const startNsec = kind === 2 ? 500_000_000 : rng.int(1e9);
  // Durations: zero, short, long, exactly halfway at the 4th decimal, negative.
  const dk = rng.u32() % 6;
  const durNs = dk === 0 ? 0 : dk === 1 ? rng.int(1e6) : dk === 2 ? rng.int(1e12) : dk === 3 ? rng.int(1e6) * 100000 + 50000 : dk === 4 ? -rng.int(2e9) : rng.int(1e9);
  const lastRel = startNsec + durNs; // from startSec, in ns (exact: far below 2^53)
  const lastSec = startSec + Math.floor(lastRel / 1e9);
  const lastNsec = lastRel - Math.floor(lastRel / 1e9) * 1e9;
  const w = at >>> 2;
  v.u32[w + (F.FE_START_SEC >>> 2)] = startSec;
  v.u32[w + (F.FE_START_NSEC >>> 2)] = startNsec;
  v.u32[w + (F.FE_FIRST_SEC >>> 2)] = startSec;
  v.u32[w + (F.FE_FIRST_NSEC >>> 2)] = startNsec;
  v.u32[w + (F.FE_LAST_SEC >>> 2)] = lastSec;
  v.u32[w + (F.FE_LAST_NSEC >>> 2)] = lastNsec;
  const sizes = [0, 60, 9_999, 10_000, 123_456, 99_999_999, 12_345_678_901, 9_876_543_210_987];
  for (const s of [0, 1]) {
    v.u32[w + (F.FE_FRAMES_AB >>> 2) + s] = rng.bool(0.1) ? 4_000_000_000 + rng.int(1e6) : rng.int(1e6);
    v.f64[((at + F.FE_BYTES_AB) >>> 3) + s] = rng.bool(0.5) ? sizes[rng.int(sizes.length)] : rng.int(1e9);
    v.f64[((at + F.FE_IPBYTES_AB) >>> 3) + s] = rng.int(1e9);
    v.u16[((at + F.FE_RETRANS_A) >>> 1) + s] = rng.int(5);
    v.u16[((at + F.FE_OOO_A) >>> 1) + s] = rng.int(5);
  }
  v.u32[w + (F.FE_HIST_A >>> 2)] = rng.u32();
  v.u32[w + (F.FE_HIST_B >>> 2)] = rng.u32();
  v.u8[at + F.FE_END] = rng.int(7);
  v.u8[at + F.FE_ICMP_TYPE] = rng.u32() & 255;
  v.u8[at + F.FE_ICMP_CODE] = rng.u32() & 255;
  v.u16[(at + F.FE_VLAN) >>> 1] = rng.bool(0.2) ? rng.int(4096) : 0;
  v.u16[(at + F.FE_IFACE) >>> 1] = rng.bool(0.2) ? rng.int(8) : 0;
  v.u16[(at + F.FE_RST_IGNORED) >>> 1] = rng.int(3);
  // Entry indexes repeat (entries are reused), in no particular order.
  v.u32[w + (F.FE_INDEX >>> 2)] = rng.bool(0.5) ? i : rng.int(50);
}

test('crafted records: the streamed table and JSON lines are the record path\'s, byte for byte', () => {
  const rng = new Rng(seed());
  const n = 20_000;
  const base = engine.arena.alloc(n * F.FE_SIZE);
  const origin: [number, number] = [1_700_000_000, 250_000_000];
  const store = new ConversationStore();
  const recs: FlowRecord[] = [];
  let added = 0;
  for (let i = 0; i < n; i++) {
    const at = base + i * F.FE_SIZE;
    craft(rng, at, i, origin[0]);
    recs.push(readFlowRecord(engine.views, at));
    if (store.add(engine.views, at)) added++;
    assert.is(flowJsonText(engine.views, at), flowJsonLine(recs[i]), `record ${i}: JSON line`);
  }
  assert.ok(added > n / 2 && added < n, `TCP/UDP rows with ports kept (${added}), the others not`);
  recs.sort((x, y) => x.startSec - y.startSec || x.startNsec - y.startNsec || x.index - y.index);
  const want = formatConversationTable(recs, 'tcp', origin) + formatConversationTable(recs, 'udp', origin);
  const out = new OutputBuffer(-1, 4096); // small: the rows cross many growths
  const order = store.sortedOrder();
  writeConversationTable(out, store, order, 'tcp', origin);
  writeConversationTable(out, store, order, 'udp', origin);
  const got = Buffer.from(out.take()).toString('latin1');
  const gl = got.split('\n');
  const wl = want.split('\n');
  assert.is(gl.length, wl.length, 'as many lines');
  for (let i = 0; i < wl.length; i++) assert.is(gl[i], wl[i], `line ${i}`);
  assert.ok(/ (kB|MB|GB|TB) /.test(want) && /\s-\d/.test(want) && /\b\d{7}\.\d{9}\b/.test(want), 'the crafted table has large sizes, negative and far times');
});

/** tshark's conversation rows for one protocol, or null when tshark is not here. */
function tsharkRows(file: string, proto: 'udp' | 'tcp'): string[] {
  const out = execFileSync('tshark', ['-r', file, '-q', '-z', `conv,${proto}`], { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((l) => l.includes('<->'));
}

const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-flows-scale-'));
const FLOWS = 30_000;
const file = join(tmp, 'flows.pcap');
generateFlowCapture(file, FLOWS);

test('sniff --flows on 30,000 single-packet UDP flows prints tshark conv,udp rows; the stage with a 1,024-flow table too, evictions counted', () => {
  if (!haveTshark) return; // SKIP printed by haveTool (in CI: thrown)
  const want = tsharkRows(file, 'udp');
  assert.is(want.length, FLOWS, 'tshark sees every flow');
  const r = spawnSync(process.execPath, [join(repoRoot, 'host/sniff.js'), '-r', file, '--flows', '-q'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  assert.is(r.status, 0, r.stderr);
  const rows = r.stdout.split('\n').filter((l) => l.includes('<->'));
  assert.equal(rows.slice().sort(), want.slice().sort(), 'sniff --flows rows');
  assert.not.match(r.stderr, /evicted/, 'no eviction with the default table');

  // The stage itself with a table far smaller than the flows: single-packet flows are
  // whole when evicted, so the rows stay tshark's; the evictions are counted.
  const stage = new FlowStage(engine, false, 1024, -1);
  const batch = engine.createBatch(256, 256 * 128);
  const info = { firstRecord: 1, firstMatch: 1, filtered: false };
  const feed = (): void => { engine.dissect(batch); stage.process(batch, 0, info); batch.clear(); };
  for (const rec of readCaptureFile(file).records) {
    if (!batch.push(rec.data, rec.linktype, rec.wirelen)) { feed(); batch.push(rec.data, rec.linktype, rec.wirelen); }
    batch.setTime(batch.count - 1, rec.tsSec, rec.tsNsec);
  }
  feed();
  stage.finish();
  const small = Buffer.from(stage.output.take()).toString('latin1').split('\n').filter((l) => l.includes('<->'));
  assert.equal(small.slice().sort(), want.slice().sort(), 'rows with a 1,024-flow table');
  assert.is(stage.flowTable.stats().evicted, FLOWS - 1024, 'every flow beyond the table evicted, and counted');
});

test('sniff --flows --json: one line per flow, each tshark conversation once', () => {
  if (!haveTshark) return;
  const r = spawnSync(process.execPath, [join(repoRoot, 'host/sniff.js'), '-r', file, '--flows', '--json', '-q'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  assert.is(lines.length, FLOWS);
  const keys = lines.map((l) => {
    const f = (JSON.parse(l) as { flow: { a: { addr: string; port: number }; b: { addr: string; port: number }; a_to_b: { frames: number } } }).flow;
    assert.is(f.a_to_b.frames, 1);
    return `${f.a.addr}:${f.a.port} <-> ${f.b.addr}:${f.b.port}`;
  });
  const want = tsharkRows(file, 'udp').map((l) => l.replace(/^(\S+)\s+<->\s+(\S+).*$/, '$1 <-> $2'));
  assert.equal(keys.sort(), want.sort());
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
