// Oracle: tshark reads packets of every kind built by both backends (plus IPv4 fragment
// trains, which it reassembles) with checksum verification on, and reports no checksum
// problem, no malformed packet and no expert error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import { Builder, type PacketSpec } from '../host/builder/builder.js';
import { PcapWriter } from '../host/sinks/pcap-writer.js';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW } from '../host/runtime/layout.js';
import { haveTool, Rng, seed } from './lib/env.js';
import { KINDS, randomSpec, type Kind } from './build-helpers.js';

const SEED = seed();
console.log(`SEED=${SEED} build-tshark`);
const PER_KIND = 400;

// Expert info as tshark encodes it (epan/proto.h): severity and group masks.
const PI_ERROR = 0x00800000;
const PI_CHECKSUM = 0x01000000;
const PI_MALFORMED = 0x07000000;
const PI_GROUP_MASK = 0xFF000000;

const wasm = createEngine({ backend: 'wasm' });
const twin = createEngine({ backend: 'ts', memory: wasm.memory });
const builders = [new Builder(wasm, { count: 256, bufSize: 16384, headroom: 512 }), new Builder(twin, { count: 256, bufSize: 16384, headroom: 512 })];

/** A random spec made protocol-sane, so tshark has nothing to say but what we test:
 *  TCP fields only with their flags, ICMP errors quoting a real packet. */
function saneSpec(r: Rng, kind: Kind, b: Builder): PacketSpec {
  const s = randomSpec(r, kind);
  if (s.tcp) {
    const t = s.tcp;
    const syn = (t.flags ?? 0) & 0x002;
    if (!((t.flags ?? 0) & 0x010)) t.ack_raw = 0;
    if (!((t.flags ?? 0) & 0x020)) t.urgent_pointer = 0;
    if (!syn && t.options) { delete t.options.mss_val; delete t.options.wscale_shift; delete t.options.sack_perm; }
    if (t.options?.sack) t.options.sack = t.options.sack.map(([, x], i) => [(t.ack_raw ?? 0) + 1000 * (i + 1), (t.ack_raw ?? 0) + 1000 * (i + 1) + (x % 900) + 1]);
  }
  const quote = (spec: PacketSpec): Uint8Array => b.bytes(spec).subarray(0, 28 + r.int(40));
  if (s.icmp && ![0, 8].includes(s.icmp.type)) {
    // Errors and timestamps: an error quotes an IPv4 header plus 8 bytes (RFC 792);
    // timestamp messages carry exactly three 32-bit times.
    if (s.icmp.type === 13 || s.icmp.type === 14) s.payload = new Uint8Array(12);
    else s.icmp.ident = s.icmp.seq = 0; // "unused" (RFC 792), else read as an RFC 4884 length
    if (s.icmp.type !== 13 && s.icmp.type !== 14) s.payload = quote({ ip: { src: s.ip!.dst, dst: s.ip!.src }, udp: { srcport: 40000, dstport: 33434 }, payload: new Uint8Array(40) });
  }
  if (s.icmpv6 && ![128, 129].includes(s.icmpv6.type)) {
    s.icmpv6.ident = s.icmpv6.seq = 0;
    s.payload = b.bytes({ ipv6: { src: s.ipv6!.dst, dst: s.ipv6!.src }, udp: { srcport: 40000, dstport: 33434 }, payload: new Uint8Array(40) });
  }
  return s;
}

function tsharkProblems(file: string): string[] {
  const r = spawnSync('tshark', [
    '-r', file, '-n',
    '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
    '-o', 'tcp.analyze_sequence_numbers:FALSE',
    // Payloads are random bytes: read them as data, not as whatever protocol a port suggests.
    '-d', 'tcp.port==1-65535,data', '-d', 'udp.port==1-65535,data',
    '-T', 'fields', '-E', 'separator=\t', '-e', 'frame.number', '-e', '_ws.expert.severity', '-e', '_ws.expert.group',
    '-e', '_ws.expert.message', '-Y', '_ws.expert || _ws.malformed',
  ], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.is(r.status, 0, `tshark failed: ${r.stderr}`);
  const problems: string[] = [];
  for (const line of r.stdout.split('\n')) {
    if (!line) continue;
    const [num, sev, grp, msg] = line.split('\t');
    const sevs = sev.split(',').map(Number);
    const grps = grp.split(',').map(Number);
    const msgs = msg.split(',');
    grps.forEach((g, i) => {
      const group = (g & PI_GROUP_MASK) >>> 0;
      if (group === PI_CHECKSUM || group === PI_MALFORMED || sevs[i] >= PI_ERROR) problems.push(`frame ${num}: ${msgs[i] ?? msg}`);
    });
  }
  return problems;
}

test('tshark finds no checksum, malformed or error in built packets of every kind', () => {
  if (!haveTool('tshark')) return;
  const dir = mkdtempSync(join(tmpdir(), 'pktwasm-build-'));
  try {
    const rng = new Rng(SEED ^ 0x75a4);
    const files = { eth: join(dir, 'eth.pcap'), raw: join(dir, 'raw.pcap') };
    const we = PcapWriter.open(files.eth, { linktype: LINKTYPE_ETHERNET });
    const wr = PcapWriter.open(files.raw, { linktype: LINKTYPE_RAW });
    let t = 0;
    for (const kind of KINDS) {
      for (let i = 0; i < PER_KIND; i++) {
        const b = builders[i & 1]; // alternate backends
        const x = b.bytes(saneSpec(rng, kind, b));
        (kind.startsWith('raw-') ? wr : we).writeRecord(t++, 0, x.length, x.length, x);
      }
    }
    // Fragment trains: tshark reassembles them and checks the datagram's L4 checksum.
    for (let i = 0; i < 60; i++) {
      const b = builders[i & 1];
      const spec = saneSpec(rng, i % 3 === 0 ? 'ipv4-tcp' : 'ipv4-udp', b);
      spec.ip!.flags = {};
      spec.ip!.id = i + 1;
      spec.payload = new Uint8Array(1000 + rng.int(6000)).map(() => rng.int(256));
      if (spec.udp) spec.udp.no_checksum = false;
      const m = b.build(spec);
      for (const f of b.fragmentIPv4(m, b.l3Offset, 576 + rng.int(900))) {
        const x = b.pool.bytes(f);
        we.writeRecord(t++, 0, x.length, x.length, x);
        b.pool.free(f);
      }
      b.pool.free(m);
    }
    we.close();
    wr.close();
    const problems = [...tsharkProblems(files.eth).map((p) => `eth.pcap ${p}`), ...tsharkProblems(files.raw).map((p) => `raw.pcap ${p}`)];
    assert.equal(problems.slice(0, 20), [], `${problems.length} problems (SEED=${SEED}; kept in ${dir})`);
    // Sanity: the oracle does see a bad checksum when there is one.
    const spoiled = join(dir, 'spoiled.pcap');
    const ws = PcapWriter.open(spoiled, { linktype: LINKTYPE_ETHERNET });
    const x = builders[0].bytes({ eth: {}, ip: { src: '10.0.0.1', dst: '10.0.0.2' }, udp: { srcport: 40000, dstport: 40001 }, payload: Uint8Array.of(1, 2, 3) });
    x[x.length - 1] ^= 0xFF;
    ws.writeRecord(0, 0, x.length, x.length, x);
    ws.close();
    assert.ok(tsharkProblems(spoiled).length > 0, 'tshark must flag a spoiled UDP checksum');
    rmSync(dir, { recursive: true, force: true });
  } catch (e) {
    console.log(`NOTE build-tshark: captures kept in ${dir}`);
    throw e;
  }
});

test.run();
