// Jumbograms (RFC 2675: IPv6 payload length 0 and a hop-by-hop Jumbo Payload option) and
// TSO/BIG TCP sends (IPv4 total length 0) counted by their real size: the descriptor's
// D_IP_TOTAL, decode()'s ip.len and the flow table's IP octets (what IPFIX exports as
// octetDeltaCount) against tshark's ip.len / ipv6.plen / ipv6.opt.jumbo, run here, on the
// corpus's jumbogram and the BIG TCP captures of corpus-more, both backends. (softflowd's
// count of the corpus jumbogram is compared in ipfix-softflowd.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import { FlowTable } from '../host/flows/flow-table.js';
import { allFlows } from '../host/flows/conversations.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { corpusDir, corpusMoreDir, haveTool } from './lib/env.js';

const wasm = createEngine({ backend: 'wasm' });
const twin = createEngine({ backend: 'ts', memory: wasm.memory });

function captures(): string[] {
  const out: string[] = [];
  const c = corpusDir();
  const m = corpusMoreDir();
  if (c !== null) out.push(join(c, 'ipv6_jumbogram_1.pcap'));
  if (m !== null) for (const f of ['bigtcp-ipv4-geneve-ipv4.pcap', 'bigtcp-ipv6-vxlan-ipv6.pcap', 'ipv6-too-long-jumbo.pcap']) out.push(join(m, f));
  return out;
}

/** tshark's length of each frame's (outer) IP packet: ip.len, or 40 + the payload length,
 *  or 40 + the first Jumbo Payload length when the payload length is 0. */
function tsharkLengths(file: string): number[] {
  const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=;', '-e', 'ip.len', '-e', 'ipv6.plen', '-e', 'ipv6.opt.jumbo'], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return r.stdout.split('\n').slice(0, -1).map((line) => {
    const [ip, plen, jumbo] = line.split(';').map((f) => f.split(',')[0]);
    if (ip !== '') return Number(ip);
    return 40 + (plen === '0' && jumbo !== '' ? Number(jumbo) : Number(plen));
  });
}

test('the real length of jumbograms and BIG TCP sends: descriptor, decode() and flow octets equal tshark\'s', () => {
  if (!haveTool('tshark', '-v')) return;
  const files = captures();
  if (files.length === 0) return; // corpusDir() printed the SKIP line (in CI: thrown)
  let frames = 0;
  for (const file of files) {
    assert.ok(existsSync(file), file);
    const want = tsharkLengths(file);
    const { records } = readCaptureFile(file);
    assert.is(records.length, want.length, file);
    for (const engine of [wasm, twin]) {
      const batch = engine.createBatch(records.length, records.reduce((s, r) => s + r.data.length, 0));
      records.forEach((r, i) => { batch.push(r.data, r.linktype, r.wirelen); batch.setTime(i, r.tsSec, r.tsNsec); });
      engine.dissect(batch);
      const view = engine.createView();
      records.forEach((_, i) => {
        view.at(batch, i);
        assert.is(view.ipTotal, want[i], `${file} #${i + 1}: D_IP_TOTAL`);
        const d = engine.decodeAt(batch, i);
        if (d.ip !== undefined) assert.is(d.ip.len, want[i], `${file} #${i + 1}: ip.len`);
      });
      const table = new FlowTable(engine, { capacity: 64, keepEnded: true, exportCapacity: 16 });
      table.update(batch);
      const octets = allFlows(table).reduce((s, f) => s + f.aToB.ipBytes + f.bToA.ipBytes, 0);
      assert.is(octets, want.reduce((s, n) => s + n, 0), `${file}: IP octets of the flows`);
    }
    frames += records.length;
  }
  console.log(`NOTE jumbo: ${files.length} captures, ${frames} frames: real lengths equal tshark's on both backends`);
});

test.run();
