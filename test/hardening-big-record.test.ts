// Issue #21 item 2: a pcap record whose captured length is just under the 1 MiB limit
// (1,048,561..1,048,576 bytes: accepted by the record scan, but record header + data no
// longer fit a 1 MiB output buffer) used to hang the sniffer at 100 % CPU under -w with
// any stage (a filter, -c), and SIGINT could not end it. The files are made here; the
// oracle for what -w writes is the input file itself (same link type, snapshot length
// and precision: a copy of the kept records must equal the input byte for byte).
// A second test: SIGINT ends a run whose consumer is stuck (its standard output is a pipe
// nobody reads), within seconds, with the statistics and a non-zero exit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './lib/env.js';

const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-bigrec-'));
const sniff = join(repoRoot, 'host', 'sniff.js');
const SNAPLEN = 1 << 20;

/** A little-endian microsecond pcap, Ethernet, with the given record sizes. */
function makePcap(caplens: number[]): Buffer {
  const parts: Buffer[] = [];
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0);
  hdr.writeUInt16LE(2, 4);
  hdr.writeUInt16LE(4, 6);
  hdr.writeUInt32LE(SNAPLEN, 16);
  hdr.writeUInt32LE(1, 20);
  parts.push(hdr);
  caplens.forEach((caplen, i) => {
    const rec = Buffer.alloc(16 + caplen);
    rec.writeUInt32LE(1_700_000_000 + i, 0);
    rec.writeUInt32LE(1000 * i, 4);
    rec.writeUInt32LE(caplen, 8);
    rec.writeUInt32LE(caplen, 12);
    // An Ethernet header with an unknown ethertype, then a counting pattern.
    rec.fill(0xaa, 16, 16 + Math.min(12, caplen));
    if (caplen >= 14) rec.writeUInt16LE(0x88b5, 16 + 12);
    for (let k = 14; k < caplen; k++) rec[16 + k] = (k * 7 + i) & 0xff;
    parts.push(rec);
  });
  return Buffer.concat(parts);
}

const BIG = [1_048_561, 1_048_570, 1_048_576];

for (const big of BIG) {
  for (const extra of [['-c', '2'], ['greater', '1'], ['-c', '5', 'greater', '1']]) {
    test(`caplen ${big} with -w ${extra.join(' ')}: finishes, writes every record`, () => {
      const input = makePcap([60, big, 100]);
      const inPath = join(tmp, `in-${big}.pcap`);
      const outPath = join(tmp, `out-${big}-${extra.join('_')}.pcap`);
      writeFileSync(inPath, input);
      const t0 = Date.now();
      const r = spawnSync(process.execPath, [sniff, '-r', inPath, '-w', outPath, ...extra], { encoding: 'utf8', timeout: 30_000 });
      assert.is(r.signal, null, `sniff was killed after ${Date.now() - t0} ms (hung): ${r.stderr}`);
      assert.is(r.status, 0, r.stderr);
      const want = extra.includes('-c') && extra[extra.indexOf('-c') + 1] === '2' ? makePcap([60, big]) : input;
      const got = readFileSync(outPath);
      assert.is(got.length, want.length, 'written file size');
      assert.ok(got.equals(want), 'the written file equals the kept records of the input');
    });
  }
}

test('SIGINT ends a run whose consumer is stuck writing to a full pipe', async () => {
  // 4,000 small packets print far more than a pipe buffer holds; nobody reads stdout.
  const inPath = join(tmp, 'many.pcap');
  writeFileSync(inPath, makePcap(new Array<number>(4000).fill(200)));
  const child = spawn(process.execPath, [sniff, '-r', inPath, '-x'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
  // Wait until the capture is under way (the banner), then let the pipe fill.
  const t0 = Date.now();
  while (!stderr.includes('reading from file') && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
  assert.ok(stderr.includes('reading from file'), `the run started: ${stderr}`);
  await new Promise((r) => setTimeout(r, 1000));
  const sent = Date.now();
  child.kill('SIGINT');
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const { code, signal } = await exited;
  clearTimeout(killer);
  const took = Date.now() - sent;
  assert.is(signal, null, `still running ${took} ms after SIGINT (killed): ${stderr}`);
  assert.ok(took < 15_000, `ended ${took} ms after SIGINT`);
  assert.is.not(code, 0, 'a consumer that had to be abandoned is not a clean exit');
  assert.match(stderr, /packets captured/);
  assert.is(stderr.trim().split('\n').filter((l) => /^\s+at /.test(l)).length, 0, 'no stack trace');
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
