// IPv6 fragmentation in the builder (issue #20 item 4; RFC 8200 §4.5). Oracles: the Linux
// kernel (fragments sent through a veth into a namespace must come out of a UDP socket
// there as the whole datagram) and tshark (it reassembles the fragments, checks the UDP
// checksum of the datagram and must find nothing malformed). Besides: the WASM builder and
// its twin write byte-identical fragments, and each train obeys the RFC's rules as read
// here (Unfragmentable Part repeated, 8-octet offsets, M flag, one identification).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import { Builder, type PacketSpec } from '../host/builder/builder.js';
import { destinationOptions, hopByHop, routing, type Ipv6Ext } from '../host/builder/ipv6-ext.js';
import { PcapWriter } from '../host/sinks/pcap-writer.js';
import { openInjector } from '../host/sinks/inject.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';
import { PktError } from '../host/runtime/errors.js';
import { createNetns, deleteNetns, ip } from './lib/netns.js';
import { haveTool, needRoot, Rng, seed } from './lib/env.js';

const SEED = seed();
console.log(`SEED=${SEED} builder-frag`);

const wasm = createEngine({ backend: 'wasm' });
const twin = createEngine({ backend: 'ts', memory: wasm.memory });
const opts = { count: 512, bufSize: 16384, headroom: 512 };
const builders = [new Builder(wasm, opts), new Builder(twin, opts)];

const SRC = 'fd00:71::1';
const DST = 'fd00:71::2';

/** AH (RFC 4302): next header, length in 4-octet units - 2, SPI, sequence, a 12-byte ICV. */
function ah(): Ipv6Ext {
  const b = new Uint8Array(24);
  b[1] = 4;
  new DataView(b.buffer).setUint32(4, 0x1234);
  b[11] = 1;
  return { type: 51, bytes: b };
}

/** A random extension chain in RFC 8200 §4.1's order, with what the Unfragmentable Part
 *  is as RFC 8200 §4.5 defines it (bytes after the fixed header). */
function randomChain(r: Rng): { ext: Ipv6Ext[]; unfrag: number } {
  const ext: Ipv6Ext[] = [];
  let unfrag = 0;
  let len = 0;
  const add = (e: Ipv6Ext, inUnfrag: boolean): void => { ext.push(e); len += e.bytes.length; if (inUnfrag) unfrag = len; };
  const opt = (): Uint8Array => Uint8Array.from({ length: r.int(3) * 4 }, (_, i) => (i % 4 === 0 ? 0x1E : i % 4 === 1 ? 2 : 0)); // RFC 3692 experimental options
  if (r.bool()) add(hopByHop(opt()), true);
  const rt = r.bool(0.4);
  if (rt && r.bool()) add(destinationOptions(opt()), false); // before a Routing header: unfragmentable
  if (rt) add(routing(4, 0, new Uint8Array(4 + 16)), true); // SRH-shaped, segments left 0
  if (r.bool(0.3)) add(destinationOptions(opt()), false);
  if (r.bool(0.2)) add(ah(), false);
  return { ext, unfrag };
}

function randomSpec(r: Rng, i: number): { spec: PacketSpec; unfrag: number } {
  const { ext, unfrag } = randomChain(r);
  const payload = Uint8Array.from({ length: 200 + r.int(5000) }, () => r.int(256));
  const spec: PacketSpec = { eth: { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' }, ipv6: { src: SRC, dst: DST, hlim: 64, ext }, payload };
  const k = i % 4;
  if (k === 0 || k === 1) spec.udp = { srcport: 40000 + i, dstport: 9000 };
  else if (k === 2) spec.tcp = { srcport: 40000 + i, dstport: 80, seq_raw: i, flags: 0x018, ack_raw: 1, options: { tsval: i, tsecr: 1 } };
  else spec.icmpv6 = { type: 128, ident: i, seq: 1 };
  return { spec, unfrag: 40 + unfrag };
}

/** Builds `spec`, fragments it with builder `b`, returns the fragments' bytes (buffers freed). */
function fragmentWith(b: Builder, spec: PacketSpec, mtu: number, id: number): { whole: Uint8Array; frags: Uint8Array[] } {
  const m = b.build(spec);
  try {
    const whole = b.pool.bytes(m).slice();
    const hs = b.fragmentIPv6(m, 14, mtu, id);
    const frags = hs.map((h) => b.pool.bytes(h).slice());
    for (const h of hs) b.pool.free(h);
    return { whole, frags };
  } finally {
    b.pool.free(m);
  }
}

/** RFC 8200 §4.5 as read here: the rules each fragment of a train obeys, and the
 *  reassembly of §4.5's "Reassembly" paragraph must give back the original packet. */
function checkTrain(whole: Uint8Array, frags: Uint8Array[], mtu: number, unfrag: number, id: number): void {
  const l3 = 14;
  const orig = whole.subarray(l3);
  assert.ok(frags.length >= 2, `${frags.length} fragments`);
  // The next header value the last unfragmentable header (or the IPv6 header) had.
  let nhAt = 6;
  for (let at = 40; at < unfrag;) { nhAt = at; at += (orig[at + 1] + 1) * 8; }
  const firstType = orig[nhAt];
  const parts: Uint8Array[] = [];
  let expectOff = 0;
  frags.forEach((f, i) => {
    const p = f.subarray(l3);
    const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
    assert.ok(p.length <= mtu, `fragment ${i}: ${p.length} > MTU ${mtu}`);
    assert.equal(f.subarray(0, l3), whole.subarray(0, l3), 'link header copied');
    assert.is(dv.getUint16(4), p.length - 40, `fragment ${i}: payload length`);
    // Unfragmentable Part: the original's, but Payload Length and the last Next Header.
    for (let j = 0; j < unfrag; j++) {
      if (j === 4 || j === 5) continue;
      assert.is(p[j], j === nhAt ? 44 : orig[j], `fragment ${i}: unfragmentable byte ${j}`);
    }
    const fh = unfrag;
    assert.is(p[fh], firstType, `fragment ${i}: Fragment header's next header`);
    assert.is(p[fh + 1], 0, 'reserved');
    const w = dv.getUint16(fh + 2);
    assert.is((w >>> 3) * 8, expectOff, `fragment ${i}: offset`);
    assert.is(w & 6, 0, 'reserved bits');
    assert.is(w & 1, i + 1 < frags.length ? 1 : 0, `fragment ${i}: M flag`);
    assert.is(dv.getUint32(fh + 4), id >>> 0, 'identification');
    const data = p.subarray(fh + 8);
    if (i + 1 < frags.length) assert.is(data.length % 8, 0, `fragment ${i}: a multiple of 8 octets`);
    parts.push(data);
    expectOff += data.length;
  });
  const joined = new Uint8Array(expectOff);
  let at = 0;
  for (const d of parts) { joined.set(d, at); at += d.length; }
  assert.equal(joined, orig.subarray(unfrag), 'the fragments carry the Fragmentable Part in order');
}

test('WASM = twin byte for byte; every train follows RFC 8200 §4.5', () => {
  const r = new Rng(SEED ^ 0xf6a6);
  let trains = 0;
  for (let i = 0; i < 300; i++) {
    const { spec, unfrag } = randomSpec(r, i);
    const mtu = 1280 + r.int(220) - (i % 5 === 0 ? 1000 : 0); // some far below IPv6's minimum
    const id = r.u32();
    const [a, b] = builders.map((bd) => {
      try { return fragmentWith(bd, spec, mtu, id); } catch (e) { return { whole: new Uint8Array(0), frags: [], err: (e as Error).message }; }
    });
    assert.equal(b, a, `spec ${i}: WASM and twin (SEED=${SEED})`);
    if (a.frags.length === 0) continue; // fits, or a BERR (the same on both)
    checkTrain(a.whole, a.frags, mtu, unfrag, id);
    trains++;
  }
  assert.ok(trains > 200, `${trains} trains checked`);
});

test('errors: fits, already fragmented, jumbogram, cut, MTU too small for the chain, no IPv6', () => {
  for (const b of builders) {
    const small = b.build({ eth: {}, ipv6: { src: SRC, dst: DST }, udp: { srcport: 1, dstport: 2 }, payload: new Uint8Array(100) });
    assert.equal(b.fragmentIPv6(small, 14, 1280), [], 'a packet that fits is left alone (no atomic fragment, RFC 8021)');
    b.pool.free(small);
    const code = (f: () => unknown): string => { try { f(); return 'none'; } catch (e) { return e instanceof PktError ? `${e.code} ${e.message}` : String(e); } };
    const withFrag = b.build({ eth: {}, ipv6: { src: SRC, dst: DST, ext: [{ type: 44, bytes: new Uint8Array(8) }] }, udp: { srcport: 1, dstport: 2 }, payload: new Uint8Array(3000) });
    assert.match(code(() => b.fragmentIPv6(withFrag, 14, 1280)), /E_BAD_ARGUMENT .*already carries a Fragment header/);
    b.pool.free(withFrag);
    // A chain (40 + 392 + 8 octets) longer than a 400-octet MTU leaves room for in the first
    // fragment; an MTU of 50 leaves no room for 8 octets of data at all.
    const longChain = b.build({ eth: {}, ipv6: { src: SRC, dst: DST, ext: [destinationOptions(new Uint8Array(390))] }, udp: { srcport: 1, dstport: 2 }, payload: new Uint8Array(3000) });
    assert.match(code(() => b.fragmentIPv6(longChain, 14, 400)), /E_BAD_ARGUMENT .*header chain through the upper-layer header/);
    assert.match(code(() => b.fragmentIPv6(longChain, 14, 50)), /E_BAD_ARGUMENT .*no room for 8 bytes/);
    // Jumbogram: payload length 0 (RFC 2675) is never fragmented.
    const v = b.engine.views.refresh();
    const at = b.pool.core.pool_data(longChain) >>> 0;
    v.u8[at + 14 + 4] = 0; v.u8[at + 14 + 5] = 0;
    assert.match(code(() => b.fragmentIPv6(longChain, 14, 1280)), /jumbogram/);
    b.pool.free(longChain);
    const v4 = b.build({ eth: {}, ip: { src: '10.0.0.1', dst: '10.0.0.2' }, udp: { srcport: 1, dstport: 2 }, payload: new Uint8Array(3000) });
    assert.match(code(() => b.fragmentIPv6(v4, 14, 1280)), /E_BAD_ARGUMENT/);
    b.pool.free(v4);
    const cut = b.build({ eth: {}, ipv6: { src: SRC, dst: DST }, udp: { srcport: 1, dstport: 2 }, payload: new Uint8Array(3000) });
    v.u8[(b.pool.core.pool_data(cut) >>> 0) + 14 + 4] = 0xFF; // payload length past the buffer
    assert.match(code(() => b.fragmentIPv6(cut, 14, 1280)), /E_BAD_ARGUMENT/);
    b.pool.free(cut);
    assert.is(b.pool.inUse, 0, `${b.engine.backend}: no buffer kept by failures`);
  }
});

test('tshark reassembles every train to the datagram (UDP checksum verified, nothing malformed)', () => {
  if (!haveTool('tshark', '-v')) return;
  const dir = mkdtempSync(join(tmpdir(), 'pw-frag6-'));
  try {
    const file = join(dir, 'frag6.pcap');
    const w = PcapWriter.open(file, { linktype: LINKTYPE_ETHERNET });
    const r = new Rng(SEED ^ 0x7e5a);
    const want: string[] = [];
    let t = 0;
    for (let i = 0; i < 40; i++) {
      const { spec } = randomSpec(r, i * 4); // UDP, and every chain
      spec.ipv6!.ext = spec.ipv6!.ext!.filter((e) => e.type !== 51); // AH: tshark would not show udp.payload
      spec.payload = Uint8Array.from({ length: 1500 + r.int(6000) }, () => r.int(256)); // never fits
      const { frags } = fragmentWith(builders[i & 1], spec, 1280 + r.int(200), 0x1000 + i);
      for (const f of frags) w.writeRecord(t++, 0, f.length, f.length, f);
      want.push(`${0x1000 + i}\t${Buffer.from(spec.payload!).toString('hex')}`);
    }
    w.close();
    if (process.env.FRAG6_KEEP) spawnSync('cp', [file, process.env.FRAG6_KEEP]);
    const out = spawnSync('tshark', ['-r', file, '-n', '-o', 'ipv6.defragment:TRUE', '-o', 'udp.check_checksum:TRUE',
      '-Y', 'udp', '-T', 'fields', '-E', 'occurrence=l', '-e', 'ipv6.fraghdr.ident', '-e', 'udp.payload', '-e', 'udp.checksum.status', '-e', '_ws.malformed'],
    { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.is(out.status, 0, out.stderr);
    const rows = out.stdout.replace(/\n$/, '').split('\n').map((l) => l.split('\t'));
    assert.is(rows.length, want.length, 'one reassembled datagram per train');
    rows.forEach((row, i) => {
      assert.is(`${Number(row[0])}\t${row[1].replace(/:/g, '')}`, want[i], `train ${i}: identification and payload`);
      assert.is(row[2], '1', `train ${i}: UDP checksum good (tshark's status 1, PROTO_CHECKSUM_E_GOOD)`);
      assert.is(row[3], '', `train ${i}: malformed`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** One veth end in this namespace, the other in `ns`; returns both names and MACs. */
function vethInto(ns: string): { here: string; there: string; macHere: string; macThere: string } {
  const tag = `${process.pid % 100000}`;
  const here = `vf6a${tag}`.slice(0, 15);
  const there = `vf6b${tag}`.slice(0, 15);
  ip('link', 'add', here, 'type', 'veth', 'peer', 'name', there, 'netns', ns);
  ip('link', 'set', here, 'up');
  ip('-n', ns, 'addr', 'add', `${DST}/64`, 'dev', there, 'nodad');
  ip('-n', ns, 'link', 'set', there, 'up');
  ip('-n', ns, 'link', 'set', 'lo', 'up');
  // The sender's address is a neighbour the namespace knows already (no ND needed).
  const mac = (args: string[]): string => (JSON.parse(ip('-j', ...args)) as { address: string }[])[0].address;
  const macHere = mac(['link', 'show', here]);
  ip('-n', ns, 'neigh', 'add', SRC, 'lladdr', macHere, 'dev', there, 'nud', 'permanent');
  return { here, there, macHere, macThere: mac(['-n', ns, 'link', 'show', there]) };
}

test('the kernel reassembles the fragments: a UDP socket in a namespace receives each datagram whole', async () => {
  if (!needRoot('builder-frag: a namespace and a veth')) return;
  const ns = createNetns('f6');
  try {
    const v = vethInto(ns);
    // The receiver prints each datagram as hex, one per line, and exits after `n`.
    const n = 6;
    const rx = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', `
      const s = require('node:dgram').createSocket({ type: 'udp6' });
      let got = 0;
      s.on('message', (m) => { process.stdout.write(m.toString('hex') + '\\n'); if (++got === ${n}) { s.close(); process.exit(0); } });
      s.bind(9000, '${DST}', () => process.stdout.write('ready\\n'));
      setTimeout(() => process.exit(3), 20000);`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    rx.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    rx.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<number | null>((res) => rx.on('exit', (c) => res(c)));
    for (let i = 0; i < 100 && !stdout.includes('ready'); i++) await new Promise((res) => setTimeout(res, 100));
    assert.ok(stdout.includes('ready'), `receiver not ready: ${stderr}`);
    const inj = openInjector(v.here);
    const r = new Rng(SEED ^ 0x6b6e);
    const sent: string[] = [];
    try {
      for (let i = 0; i < n; i++) {
        const b = builders[i & 1];
        const payload = Uint8Array.from({ length: 2000 + r.int(7000) }, () => r.int(256));
        // Plain, and with a Hop-by-Hop header (unfragmentable) and final Destination Options (fragmentable).
        const ext = i % 2 === 0 ? [] : [hopByHop(), destinationOptions()];
        const spec: PacketSpec = { eth: { src: v.macHere, dst: v.macThere }, ipv6: { src: SRC, dst: DST, hlim: 64, ext }, udp: { srcport: 50000 + i, dstport: 9000 }, payload };
        const { frags } = fragmentWith(b, spec, 1280 + 8 * r.int(20), r.u32());
        assert.ok(frags.length >= 2, `${frags.length} fragments`);
        inj.sendBatch(i === 3 ? [...frags].reverse() : frags); // one train out of order
        sent.push(Buffer.from(payload).toString('hex'));
        await new Promise((res) => setTimeout(res, 50));
      }
    } finally {
      inj.close();
    }
    const code = await Promise.race([exited, new Promise<string>((res) => setTimeout(() => res('timeout'), 15000))]);
    if (code === 'timeout') rx.kill();
    const got = stdout.split('\n').filter((l) => l !== '' && l !== 'ready');
    assert.is(got.length, n, `datagrams received (exit ${code}; ${stderr})`);
    assert.equal(got, sent, 'each datagram as sent');
    const stats = spawnSync('ip', ['netns', 'exec', ns, 'cat', '/proc/net/snmp6'], { encoding: 'utf8' }).stdout;
    const reasmOk = Number(/Ip6ReasmOKs\s+(\d+)/.exec(stats)?.[1] ?? -1);
    assert.is(reasmOk, n, 'the kernel counted each datagram reassembled (Ip6ReasmOKs)');
  } finally {
    deleteNetns(ns);
  }
});

test.run();
