// Reliable transport, in process on loopback: header codec and checksum (WASM and twin
// agree, every single-byte corruption is caught), RFC 6298 arithmetic, errors with codes,
// 10,000 fuzzed datagrams against a server with a live connection, and a flood of opens
// against the SYN cookie and the connection cap.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import dgram from 'node:dgram';
import { createHash } from 'node:crypto';
import { createEngine } from '../host/engine/engine.js';
import { connect, createServer, type Connection, type Server } from '../host/rudp/index.js';
import { F_ACK, F_HS, F_SYN, F_FIN, F_RST, F_PROBE, Segment, SegmentCodec } from '../host/rudp/header.js';
import { RtoEstimator, DEFAULT_RTO } from '../host/rudp/rto.js';
import { Relay } from '../host/rudp/relay.js';
import { Rng, seed } from './lib/env.js';

const S = seed();
console.log(`SEED ${S}`);

test('codec: round trip, WASM and twin give identical bytes, every single-byte corruption is caught', () => {
  const w = new SegmentCodec(createEngine({ backend: 'wasm' }));
  const t = new SegmentCodec(createEngine({ backend: 'ts' }));
  const rng = new Rng(S);
  const payload = Buffer.alloc(300);
  for (let i = 0; i < payload.length; i++) payload[i] = rng.int(256);
  const sack = Uint32Array.from([10, 20, 30, 40]);
  const a = w.encode(F_ACK | F_FIN, 0xdeadbeef, 123456, 654321, 65536, 1400, sack, 2, payload, 0, payload.length);
  const b = t.encode(F_ACK | F_FIN, 0xdeadbeef, 123456, 654321, 65536, 1400, sack, 2, payload, 0, payload.length);
  assert.equal(a, b);
  const seg = new Segment();
  assert.is(w.parse(a, seg), 'ok');
  assert.is(seg.cid, 0xdeadbeef);
  assert.is(seg.seq, 123456);
  assert.is(seg.ack, 654321);
  assert.is(seg.nsack, 2);
  assert.is(seg.sack[3], 40);
  assert.equal(Buffer.from(a.subarray(seg.off)), payload);
  let caught = 0;
  for (let i = 0; i < a.length; i++) {
    const c = Buffer.from(a);
    c[i] ^= 1 + rng.int(255);
    if (w.parse(c, seg) !== 'ok') caught++;
  }
  assert.is(caught, a.length);
  assert.is(w.parse(a.subarray(0, 10), seg), 'short');
});

test('RTO per RFC 6298: first sample, smoothing, back-off, clamps', () => {
  const r = new RtoEstimator({ ...DEFAULT_RTO, minRto: 200 });
  assert.is(r.rto, 1000);
  r.sample(100); // SRTT=100, RTTVAR=50 -> 100 + 200 = 300
  assert.is(r.rto, 300);
  r.sample(100); // RTTVAR = 0.75*50 + 0 = 37.5, SRTT 100 -> 250
  assert.is(r.rto, 250);
  r.backoff();
  assert.is(r.rto, 500);
  for (let i = 0; i < 20; i++) r.backoff();
  assert.is(r.rto, 60_000);
  r.sample(1);
  assert.ok(r.rto >= 200);
});

function listen(opts: Parameters<typeof createServer>[0], onConn: (c: Connection) => void): Promise<Server> {
  return new Promise((res) => { const s = createServer(opts as object, onConn); s.listen(0, '127.0.0.1', () => res(s)); });
}

test('errors with codes: ECONNREFUSED (no listener), ECONNRESET (destroy), write after end', async () => {
  const e1 = await new Promise<NodeJS.ErrnoException>((res) => { connect(1, '127.0.0.1').on('error', res); });
  assert.is(e1.code, 'ECONNREFUSED');
  const srv = await listen({}, (c) => { c.on('error', () => {}); setTimeout(() => c.destroy(), 50); });
  const c = connect(srv.address()!.port, '127.0.0.1');
  const e2 = await new Promise<NodeJS.ErrnoException>((res) => c.on('error', res));
  assert.is(e2.code, 'ECONNRESET');
  await new Promise<void>((r) => srv.close(() => r()));
});

test('10,000 fuzzed datagrams change nothing for a live connection (all counted, dropped)', async () => {
  const rng = new Rng(S ^ 0x5a5a);
  const N = 3 << 20;
  const data = Buffer.alloc(N);
  for (let i = 0; i < N; i += 4) data.writeUInt32LE(rng.u32(), i);
  let got: Buffer[] = [];
  const done = new Promise<void>((res) => { (globalThis as { _d?: () => void })._d = res; });
  const srv = await listen({}, (c) => {
    c.on('data', (b: Buffer) => got.push(b));
    c.on('end', () => { (globalThis as { _d?: () => void })._d!(); c.end(); });
  });
  const port = srv.address()!.port;
  const cl = connect(port, '127.0.0.1');
  await new Promise((r) => cl.once('connect', r));
  // Stream slowly so the fuzz lands while the connection is live.
  let off = 0;
  const pace = setInterval(() => { if (off < N) { cl.write(data.subarray(off, off + 16384)); off += 16384; } else { clearInterval(pace); cl.end(); } }, 2);
  const codec = new SegmentCodec(createEngine({ backend: 'ts' }));
  const fz = dgram.createSocket('udp4');
  await new Promise<void>((r) => fz.bind(0, '127.0.0.1', () => r()));
  const flagsSet = [0, F_ACK, F_ACK | F_FIN, F_RST, F_ACK | F_HS, F_SYN | F_ACK, F_ACK | F_PROBE, F_RST | F_ACK];
  let sent = 0;
  for (let batch = 0; batch < 100; batch++) {
    for (let i = 0; i < 100; i++) {
      const kind = rng.int(3);
      let d: Buffer;
      if (kind === 0) { d = Buffer.alloc(rng.int(1500)); for (let k = 0; k < d.length; k++) d[k] = rng.int(256); }
      else {
        // Valid checksum, random fields: only the connection id / cookie checks can stop these.
        const pl = Buffer.alloc(rng.int(200));
        d = codec.encode(flagsSet[rng.int(flagsSet.length)], rng.u32(), rng.u32(), rng.u32(), rng.u32(), rng.int(65536), Uint32Array.from([rng.u32(), rng.u32()]), rng.int(2), pl, 0, pl.length);
        if (kind === 2) d[rng.int(d.length)] ^= 0xff; // and a corrupt copy
      }
      fz.send(d, port, '127.0.0.1');
      sent++;
    }
    await new Promise((r) => setTimeout(r, 3));
  }
  assert.ok(off < N || !cl.writableFinished, 'the connection was still live while fuzzed');
  await done;
  const all = Buffer.concat(got);
  got = [];
  assert.is(all.length, N);
  assert.is(createHash('sha256').update(all).digest('hex'), createHash('sha256').update(data).digest('hex'));
  const st = srv.stats();
  const dropped = st.malformed + st.badChecksum + st.noConnection + st.cookieBad + (st.synReceived - 1); // minus the real SYN
  assert.is(sent, 10_000);
  assert.is(dropped, 10_000, `every fuzzed datagram accounted for: ${JSON.stringify(st)}`);
  assert.is(st.cookieOk, 1, 'only the real connection passed the cookie check');
  fz.close();
  await new Promise<void>((r) => srv.close(() => r()));
});

test('flood of opens: no PCB without a valid cookie; the connection cap holds (ECONNREFUSED beyond it)', async () => {
  const rng = new Rng(S ^ 0x1234);
  const srv = await listen({ maxConnections: 4 }, (c) => { c.on('error', () => {}); });
  const port = srv.address()!.port;
  const codec = new SegmentCodec(createEngine({ backend: 'ts' }));
  const fl = dgram.createSocket('udp4');
  await new Promise<void>((r) => fl.bind(0, '127.0.0.1', () => r()));
  for (let b = 0; b < 40; b++) {
    for (let i = 0; i < 100; i++) {
      // SYNs that are never completed, and forged handshake ACKs with guessed cookies.
      const syn = i % 2 === 0;
      const isn = rng.u32();
      const cookie = rng.u32();
      fl.send(codec.encode(syn ? F_SYN : F_ACK | F_HS, syn ? 0 : cookie, syn ? isn : isn + 1, syn ? 0 : cookie + 1, 65536, 1400, null, 0, null, 0, 0), port, '127.0.0.1');
    }
    await new Promise((r) => setTimeout(r, 2));
    assert.is(srv.connections, 0);
  }
  await new Promise((r) => setTimeout(r, 50));
  let st = srv.stats();
  // Loopback may drop some of a flood (socket buffer): every one that arrived is accounted for.
  assert.ok(st.datagramsIn >= 2000, `most of the flood arrived: ${st.datagramsIn}`);
  assert.is(st.synReceived + st.cookieBad, st.datagramsIn);
  assert.is(st.synAcksSent, st.synReceived, 'each SYN answered statelessly');
  assert.ok(st.synReceived > 1000 && st.cookieBad > 1000);
  assert.is(st.cookieOk, 0);
  assert.is(srv.connections, 0);
  const clients: Connection[] = [];
  const results = await Promise.all(Array.from({ length: 6 }, () => new Promise<string>((res) => {
    const c = connect(port, '127.0.0.1');
    clients.push(c);
    c.on('error', (e: NodeJS.ErrnoException) => res(e.code ?? 'E'));
    // The server confirms the handshake with an ACK; a refused one gets a reset instead.
    c.on('connect', () => setTimeout(() => res(c.destroyed ? 'destroyed' : 'ok'), 300));
  })));
  assert.is(results.filter((r) => r === 'ok').length, 4, results.join(','));
  assert.is(results.filter((r) => r === 'ECONNREFUSED').length, 2, results.join(','));
  st = srv.stats();
  assert.is(st.capRefused, 2);
  assert.is(srv.connections, 4);
  fl.close();
  srv.endpoint!.accepting = false;
  for (const c of srv.endpoint!.conns.values()) c.destroy();
  // Our own clients too: an established connection whose peer went away stays open, as
  // a TCP connection without keepalive does, and would keep this process alive.
  for (const c of clients) c.destroy();
  await new Promise<void>((r) => srv.close(() => r()));
});

test('flow control: a reader that stops closes the window; back-pressure reaches write(); all data arrives after resume', async () => {
  const N = 6 << 20;
  let got = 0;
  let server: Connection | null = null;
  const hash = createHash('sha256');
  const ended = new Promise<void>((res) => {
    void listen({ receiveBuffer: 256 << 10 }, (c) => {
      server = c;
      c.pause();
      c.on('data', (b: Buffer) => { got += b.length; hash.update(b); });
      c.on('end', () => { c.end(); res(); });
    }).then((srv) => { (globalThis as { _srv?: Server })._srv = srv; });
  });
  await new Promise((r) => setTimeout(r, 50));
  const srv = (globalThis as { _srv?: Server })._srv!;
  const cl = connect(srv.address()!.port, '127.0.0.1', { sendBuffer: 256 << 10 });
  const data = Buffer.alloc(N);
  const rng = new Rng(S ^ 77);
  for (let i = 0; i < N; i += 4) data.writeUInt32LE(rng.u32(), i);
  let sawFalse = false;
  for (let off = 0; off < N; off += 65536) if (!cl.write(data.subarray(off, off + 65536))) sawFalse = true;
  cl.end();
  await new Promise((r) => setTimeout(r, 600));
  assert.ok(sawFalse, 'write() must return false while the peer does not read');
  const info = cl.info();
  assert.is(info.sndWnd, 0, 'the reader advertised a closed window');
  assert.ok(got === 0 && Number(info.bytesOut) <= (256 << 10) + 65536, `sent no more than the window: ${info.bytesOut}`);
  server!.resume();
  await ended;
  assert.is(got, N);
  assert.is(hash.digest('hex'), createHash('sha256').update(data).digest('hex'));
  await new Promise<void>((r) => srv.close(() => r()));
});

test('a vanished peer: the sender fails with ETIMEDOUT (user timeout), the idle receiver by keepalive', async () => {
  let serverErr: NodeJS.ErrnoException | null = null;
  const srv = await listen({ keepAliveMs: 300, keepAliveIntervalMs: 100, keepAliveProbes: 3 }, (c) => {
    c.on('data', () => {});
    c.on('error', (e: NodeJS.ErrnoException) => { serverErr = e; });
  });
  const relay = new Relay({ listenPort: 0, listenHost: '127.0.0.1', targetHost: '127.0.0.1', targetPort: srv.address()!.port, seed: S });
  const rport = await relay.listen();
  const cl = connect(rport, '127.0.0.1', { userTimeoutMs: 1000 });
  await new Promise((r) => cl.once('connect', r));
  cl.write(Buffer.alloc(100_000));
  await new Promise((r) => setTimeout(r, 200));
  relay.blackhole();
  const t0 = Date.now();
  const e = await new Promise<NodeJS.ErrnoException>((res) => {
    cl.on('error', res);
    cl.write(Buffer.alloc(10_000));
  });
  assert.is(e.code, 'ETIMEDOUT');
  assert.ok(Date.now() - t0 < 8000, `detected in ${Date.now() - t0} ms`);
  for (let i = 0; i < 100 && serverErr === null; i++) await new Promise((r) => setTimeout(r, 50));
  assert.is((serverErr as NodeJS.ErrnoException | null)?.code, 'ETIMEDOUT');
  assert.is(srv.connections, 0, 'the PCB is freed');
  relay.close();
  await new Promise<void>((r) => srv.close(() => r()));
});

test.run();
