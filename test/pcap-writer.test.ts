// pcap and pcapng writers against the corpus: every capture is read with the project's
// reader and written back; the records must come out byte for byte, and tcpdump and
// tshark (run here) must read the output without a word on stderr. A child process killed
// with SIGINT/SIGTERM mid-write must leave a valid file (the sniffer's -w contract).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { corpusCaptures, haveTool, repoRoot } from './lib/env.js';
import { pool } from './lib/parallel.js';
import { runBinAsync, type ToolResult } from './lib/run-tool.js';
import { readCaptureFile, type CaptureRecord } from '../host/sources/capture-file.js';
import { PcapWriter, PCAP_HEADER_BYTES } from '../host/sinks/pcap-writer.js';
import { PcapngWriter } from '../host/sinks/pcapng-writer.js';
import { PktError } from '../host/runtime/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-pcapw-'));
const captures = corpusCaptures();
const hasTcpdump = haveTool('tcpdump');
const hasTshark = haveTool('tshark');

/** stderr lines that are not complaints: tcpdump's banner, tshark's note about root,
 *  and tcpdump's SLL2 note (it prints that for the input file too). */
function complaints(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.trim() !== ''
    && !/^reading from file /.test(l)
    && !/^Running as user "root"/.test(l)
    && !/^Warning: interface names might be incorrect$/.test(l));
}

/** Runs an oracle over a file, keeping only stderr: a reader's printout of a large
 *  capture can exceed any buffer, and cutting it off makes the oracle fail with EPIPE. */
function check(cmd: string, args: string[]): Promise<ToolResult> {
  return runBinAsync(cmd, args, { stdout: 'ignore' });
}

/**
 * The oracle runs a test asks for while it walks the corpus: each is started later, a few
 * at a time (test/lib/parallel.ts: tshark alone costs ~0.4 s a run), and its checks run
 * once all have ended, in the order they were asked for.
 */
class OracleRuns {
  private readonly jobs: Array<() => Promise<void>> = [];
  private readonly checks: Array<() => void> = [];

  add<T>(start: () => Promise<T>, verify: (result: T) => void): void {
    let result: T;
    this.jobs.push(async () => { result = await start(); });
    this.checks.push(() => verify(result));
  }

  async verifyAll(): Promise<void> {
    await pool(this.jobs);
    for (const c of this.checks) c();
  }
}

function linktypes(records: CaptureRecord[]): Set<number> {
  return new Set(records.map((r) => r.linktype));
}

function sameRecords(a: CaptureRecord[], b: CaptureRecord[], nano: boolean, what: string): void {
  assert.is(b.length, a.length, `${what}: record count`);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    const ns = nano ? x.tsNsec : Math.floor(x.tsNsec / 1000) * 1000;
    assert.is(y.tsSec, x.tsSec, `${what} #${i + 1} ts sec`);
    assert.is(y.tsNsec, ns, `${what} #${i + 1} ts nsec`);
    assert.is(y.caplen, x.caplen, `${what} #${i + 1} caplen`);
    assert.is(y.wirelen, x.wirelen, `${what} #${i + 1} wirelen`);
    assert.is(y.linktype, x.linktype, `${what} #${i + 1} linktype`);
    assert.ok(Buffer.from(y.data).equals(Buffer.from(x.data)), `${what} #${i + 1} data`);
  }
}

/** tcpdump and tshark read `path` without a word on stderr (the runs join `runs`). */
function oracleReads(runs: OracleRuns, path: string, tcpdumpToo: boolean, tsharkToo = true): void {
  if (tcpdumpToo && hasTcpdump) {
    runs.add(() => check('tcpdump', ['-nn', '-r', path]), (r) => {
      assert.is(r.status, 0, `tcpdump -r ${basename(path)}: ${r.stderr}`);
      assert.equal(complaints(r.stderr), [], `tcpdump -r ${basename(path)} stderr`);
    });
  }
  if (hasTshark && tsharkToo) {
    runs.add(() => check('tshark', ['-r', path]), (r) => {
      assert.is(r.status, 0, `tshark -r ${basename(path)}: ${r.stderr}`);
      assert.equal(complaints(r.stderr), [], `tshark -r ${basename(path)} stderr`);
    });
  }
}

/** The same, now. */
async function oracleReadsNow(path: string, tcpdumpToo: boolean, tsharkToo = true): Promise<void> {
  const runs = new OracleRuns();
  oracleReads(runs, path, tcpdumpToo, tsharkToo);
  await runs.verifyAll();
}

let pcapCompared = 0;
let bytewise = 0;
let pcapngCompared = 0;
let rejected = 0;

test('pcap writer: corpus records come back byte for byte, tcpdump and tshark read them', async () => {
  const runs = new OracleRuns();
  for (const [k, file] of captures.entries()) {
    const { info, records } = readCaptureFile(file);
    const name = basename(file);
    const lts = linktypes(records);
    const linktype = records.length > 0 ? records[0].linktype : info.linktype;
    const maxCap = records.reduce((m, r) => Math.max(m, r.caplen), 0);
    const out = join(tmp, `${k}-${name}.out.pcap`); // (indexed: its oracles run later)
    const nano = info.format === 'pcap' ? info.nanosecond : false;
    const w = PcapWriter.open(out, { linktype, snaplen: Math.max(info.snaplen, maxCap), nanosecond: nano });
    if (lts.size > 1) {
      // Several link types cannot share a pcap: the writer must refuse, clearly.
      let err: unknown = null;
      try {
        for (const r of records) w.writeRecord(r.tsSec, r.tsNsec, r.caplen, r.wirelen, r.data, r.linktype);
      } catch (e) { err = e; }
      w.close();
      assert.instance(err, PktError, `${name}: mixed link types must throw`);
      assert.is((err as PktError).code, 'E_UNKNOWN_LINKTYPE');
      assert.match((err as PktError).message, /pcapng/);
      rejected++;
      continue;
    }
    for (const r of records) w.writeRecord(r.tsSec, r.tsNsec, r.caplen, r.wirelen, r.data, r.linktype);
    w.close();
    const back = readCaptureFile(out);
    assert.is(back.error, null, `${name}: our pcap reads back cleanly`);
    assert.is(back.info.linktype, linktype);
    sameRecords(records, back.records, nano, name);
    if (info.format === 'pcap' && !info.bigEndian) {
      // Same byte order and precision: the record area is the input's, byte for byte
      // (up to the last good record of a damaged input).
      const input = readFileSync(file);
      const end = records.length ? records[records.length - 1].fileOffset + 16 + records[records.length - 1].caplen : PCAP_HEADER_BYTES;
      const ours = readFileSync(out);
      assert.ok(ours.subarray(PCAP_HEADER_BYTES).equals(input.subarray(PCAP_HEADER_BYTES, end)), `${name}: record bytes equal`);
      bytewise++;
    }
    // tcpdump cannot read a pcapng whose interfaces differ in snaplen/type, but our
    // pcap output of any single-link-type input it must read.
    oracleReads(runs, out, true);
    if (hasTcpdump && info.format === 'pcap' && maxCap <= info.snaplen) {
      // Stronger than "no complaint": tcpdump prints the same dissection for both files.
      // (Not when the input has records longer than its own header snaplen, as the fuzzed
      // mptcp-dss-oobr does: libpcap cuts those on reading, so the two files differ.)
      runs.add(
        () => Promise.all([runBinAsync('tcpdump', ['-nn', '-tt', '-v', '-r', file]), runBinAsync('tcpdump', ['-nn', '-tt', '-v', '-r', out])]),
        ([a, b]) => assert.is(b.stdout, a.stdout, `${name}: tcpdump prints the same for the copy`),
      );
    }
    pcapCompared++;
  }
  await runs.verifyAll();
  console.log(`NOTE pcap writer: ${pcapCompared} captures rewritten (${bytewise} compared byte for byte after the header), ${rejected} mixed-link-type inputs refused`);
});

test('pcapng writer: corpus records come back equal, with one IDB per link type/interface', async () => {
  const runs = new OracleRuns();
  for (const [k, file] of captures.entries()) {
    const { info, records } = readCaptureFile(file);
    const name = basename(file);
    for (const nano of [true, false]) {
      const out = join(tmp, `${k}-${name}.${nano ? 'ns' : 'us'}.pcapng`);
      const maxCap = records.reduce((m, r) => Math.max(m, r.caplen), 0);
      const first = records.length ? records[0] : null;
      // Declaring the first interface up front keeps an empty capture readable.
      const w = PcapngWriter.open(out, { snaplen: Math.max(info.snaplen, maxCap), nanosecond: nano, linktype: first?.iface === 0 ? first.linktype : info.linktype });
      for (const r of records) w.writeRecord(r.tsSec, r.tsNsec, r.caplen, r.wirelen, r.data, r.linktype, r.iface);
      w.close();
      const back = readCaptureFile(out);
      assert.is(back.error, null, `${name}: our pcapng reads back cleanly`);
      sameRecords(records, back.records, nano, `${name} (pcapng ${nano ? 'ns' : 'us'})`);
      const idbKeys = new Set(records.map((r) => `${r.linktype}/${r.iface}`));
      if (first === null || first.iface === 0) idbKeys.add(`${first?.linktype ?? info.linktype}/0`);
      assert.is(back.info.interfaces.length, idbKeys.size, `${name}: IDB count`);
      if (nano) for (const i of back.info.interfaces) assert.is(i.tsresol, 9);
      // tshark costs ~0.4 s a run (more on a busy machine): it reads the nanosecond pcapng
      // copies of the pcapng inputs (several interfaces, link types, resolutions) and
      // of nanosecond pcaps; tcpdump reads every nanosecond copy it can.
      if (nano) oracleReads(runs, out, linktypes(records).size <= 1, info.format === 'pcapng' || info.nanosecond);
    }
    pcapngCompared++;
  }
  await runs.verifyAll();
  console.log(`NOTE pcapng writer: ${pcapngCompared} captures rewritten and read back (ns and us)`);
});

test('pcapng writer: 64-bit timestamps split exactly (no BigInt, no double rounding)', () => {
  const out = join(tmp, 'ts.pcapng');
  const cases: Array<[number, number]> = [[0, 0], [1, 1], [4294967295, 999999999], [2145916800, 123456789], [1700000000, 999999999]];
  for (const nano of [true, false]) {
    const w = PcapngWriter.open(out, { nanosecond: nano });
    for (const [s, ns] of cases) w.writeRecord(s, ns, 4, 4, new Uint8Array([1, 2, 3, 4]), 1);
    w.close();
    const back = readCaptureFile(out).records;
    cases.forEach(([s, ns], i) => {
      assert.is(back[i].tsSec, s, `sec ${s}`);
      assert.is(back[i].tsNsec, nano ? ns : Math.floor(ns / 1000) * 1000, `nsec ${ns}`);
    });
  }
});

test('pcap writer: snaplen cuts records, header-only file is valid, big records pass the buffer', async () => {
  const out = join(tmp, 'snap.pcap');
  const w = PcapWriter.open(out, { linktype: 1, snaplen: 64, bufferBytes: 4096 });
  const big = new Uint8Array(100).map((_, i) => i);
  w.writeRecord(1, 0, 100, 100, big);
  w.close();
  const r = readCaptureFile(out).records;
  assert.is(r[0].caplen, 64);
  assert.is(r[0].wirelen, 100);
  const empty = join(tmp, 'empty.pcap');
  PcapWriter.open(empty, { linktype: 1 }).close();
  assert.is(readFileSync(empty).length, PCAP_HEADER_BYTES);
  await oracleReadsNow(empty, true);
  // A record larger than the whole buffer grows it once instead of splitting a record.
  const huge = join(tmp, 'huge.pcap');
  const hw = PcapWriter.open(huge, { linktype: 1, bufferBytes: 4096 });
  const frame = new Uint8Array(9000);
  for (let i = 0; i < 10; i++) hw.writeRecord(i, 0, frame.length, frame.length, frame);
  hw.close();
  const hr = readCaptureFile(huge);
  assert.is(hr.records.length, 10);
  assert.is(hr.records[9].caplen, 9000);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`pcap writer: a writer killed with ${signal} leaves a valid file`, async () => {
    const out = join(tmp, `sig-${signal}.pcap`);
    const script = join(tmp, `writer-${signal}.mjs`);
    const mod = join(repoRoot, 'host', 'sinks', 'pcap-writer.js');
    // The child writes forever; its handler does what sniff.js does: flush, close, exit.
    writeFileSync(script, `
      import { PcapWriter } from ${JSON.stringify(mod)};
      const w = PcapWriter.open(${JSON.stringify(out)}, { linktype: 1, nanosecond: true });
      const frame = new Uint8Array(60 + 1000);
      const stop = () => { w.flush(); w.close(); process.stdout.write('n=' + w.packets + '\\n'); process.exit(0); };
      process.on('SIGINT', stop); process.on('SIGTERM', stop);
      let i = 0;
      process.stdout.write('ready\\n');
      const tick = () => { for (let k = 0; k < 5000; k++, i++) w.writeRecord(i, i % 1e9, 60 + (i % 1000), 60 + (i % 1000), frame); setImmediate(tick); };
      tick();
    `);
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('ready')) setTimeout(() => child.kill(signal), 300);
      });
      child.on('exit', () => resolve());
    });
    const n = Number(/n=(\d+)/.exec(text)?.[1] ?? NaN);
    assert.ok(n > 0, `child wrote records (${text.trim()})`);
    assert.ok(existsSync(out));
    const back = readCaptureFile(out);
    assert.is(back.error, null, 'file ends on a record boundary');
    assert.is(back.records.length, n, 'every record the writer accepted is in the file');
    await oracleReadsNow(out, true);
  });
}

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
