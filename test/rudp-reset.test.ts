// Resets under load (issue #20 item 1): while a flood of SYNs and forged handshake ACKs
// hits the server, a connection destroyed on either end must reset the other end within
// one round trip (the path is the impairment relay with a fixed delay, so "one RTT" is
// a known number and far below the 200 ms minimum RTO: no timer can be what ends it),
// also when the server is closed in the same tick as the destroys; and a forged RST
// whose sequence number is not exactly RCV.NXT must still change nothing, on either side.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import dgram from 'node:dgram';
import { createEngine } from '../host/engine/engine.js';
import { connect, createServer, type Connection, type Server } from '../host/rudp/index.js';
import { F_ACK, F_HS, F_RST, F_SYN, SegmentCodec } from '../host/rudp/header.js';
import { Relay } from '../host/rudp/relay.js';
import { Rng, seed } from './lib/env.js';
import { RawPeer } from './lib/rudp-peer.js';

const S = seed();
console.log(`SEED ${S}`);

const ONE_WAY_MS = 30;
const RTT_MS = 2 * ONE_WAY_MS;

interface Flood { stop: () => Promise<void>; sent: () => number }

/** SYNs that are never completed and handshake ACKs with guessed cookies, paced, until stopped. */
async function startFlood(port: number, rng: Rng): Promise<Flood> {
  const codec = new SegmentCodec(createEngine({ backend: 'ts' }));
  const sock = dgram.createSocket('udp4');
  sock.on('message', () => { /* the SYN-ACKs: read and dropped */ });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  let sent = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < 20; i++) {
      const syn = (i & 1) === 0;
      const isn = rng.u32();
      const cookie = rng.u32();
      sock.send(codec.encode(syn ? F_SYN : F_ACK | F_HS, syn ? 0 : cookie, syn ? isn : isn + 1, syn ? 0 : cookie + 1, 65536, 1400, null, 0, null, 0, 0), port, '127.0.0.1');
      sent++;
    }
  }, 1);
  return {
    sent: () => sent,
    stop: () => { clearInterval(timer); return new Promise<void>((r) => sock.close(() => r())); },
  };
}

function listen(opts: Parameters<typeof createServer>[0], onConn: (c: Connection) => void): Promise<Server> {
  return new Promise((res) => { const s = createServer(opts as object, onConn); s.listen(0, '127.0.0.1', () => res(s)); });
}

/** Resolves with the error code and the time from `t0()` to the error. */
function errorAfter(c: Connection, t0: () => number): Promise<{ code: string; ms: number }> {
  return new Promise((res) => c.once('error', (e: NodeJS.ErrnoException) => res({ code: e.code ?? '?', ms: performance.now() - t0() })));
}

/** The earliest any retransmission timer of a connection can fire (minRto). */
const MIN_RTO_MS = 200;

/**
 * Waits for the resets; each must be ECONNRESET and come before MIN_RTO (only a RST yields
 * ECONNRESET, a RST is never retransmitted, and no timer of these connections could end
 * them sooner). Returns the latencies: "within one RTT" is judged on their median over
 * the three cases, because this process runs the flood, the relay and both ends on a
 * machine shared with other jobs, where loopback delivery is now and then held up for
 * tens of ms (measured here: 32 to 54 ms typical for the 30 ms path, single cases past 90).
 */
async function resets(results: Promise<{ code: string; ms: number }[]>, what: string, label: string): Promise<number[]> {
  const r = await Promise.race([results, new Promise<null>((res) => setTimeout(() => res(null), 2000))]);
  assert.ok(r !== null, what);
  console.log(`NOTE ${label}: reset after ${r.map((x) => x.ms.toFixed(1)).join(', ')} ms (path ${ONE_WAY_MS} ms each way)`);
  for (const x of r) {
    assert.is(x.code, 'ECONNRESET');
    assert.ok(x.ms < MIN_RTO_MS, `${label}: reset after ${x.ms.toFixed(1)} ms, not before a retransmission timer could fire`);
  }
  return r.map((x) => x.ms);
}

test('under a SYN/cookie flood: destroy on either end resets the other within one RTT (also when the server closes in the same tick)', async () => {
  // Each client's first byte is its index: that pairs it with its server PCB.
  const peerOf: Connection[] = [];
  const srv = await listen({ maxConnections: 16 }, (c) => {
    c.on('error', () => {});
    c.once('data', (b: Buffer) => { peerOf[b[0]] = c; c.on('data', () => {}); });
  });
  const port = srv.address()!.port;
  const flood = await startFlood(port, new Rng(S ^ 0xf100d));
  const relay = new Relay({ listenPort: 0, listenHost: '127.0.0.1', targetHost: '127.0.0.1', targetPort: port, seed: S,
    forward: { delayMs: ONE_WAY_MS }, backward: { delayMs: ONE_WAY_MS } });
  const rport = await relay.listen();
  const clients: Connection[] = [];
  try {
    for (let i = 0; i < 6; i++) {
      const c = connect(rport, '127.0.0.1');
      clients.push(c);
      await new Promise((r, j) => { c.once('connect', r); c.once('error', j); });
      // A first exchange confirms the handshake and pairs this client with its server PCB.
      c.write(Buffer.from([i]));
    }
    for (let i = 0; i < 100 && peerOf.filter(Boolean).length < 6; i++) await new Promise((r) => setTimeout(r, 20));
    assert.is(peerOf.filter(Boolean).length, 6, 'all six opened through the flood');
    await new Promise((r) => setTimeout(r, 3 * RTT_MS)); // every handshake confirmed, every ACK home
    for (const c of clients) assert.is(c.stateName, 'ESTABLISHED');
    let t = 0;
    const at = (): number => t;

    // 1) Client destroys: its server PCB gets ECONNRESET.
    const serverSide = [peerOf[0], peerOf[1]];
    const sErr = serverSide.map((s) => errorAfter(s, at));
    t = performance.now();
    clients[0].destroy();
    clients[1].destroy();
    const lat = await resets(Promise.all(sErr), 'the server PCBs were not reset by the clients\' RSTs', 'client destroys');

    // 2) Server destroys, server stays open: the clients get ECONNRESET.
    const cErr = [clients[2], clients[3]].map((c) => errorAfter(c, at));
    t = performance.now();
    peerOf[2].destroy();
    peerOf[3].destroy();
    lat.push(...await resets(Promise.all(cErr), 'clients still open after the server destroyed them', 'server destroys'));

    // 3) Server destroys its last PCBs and closes in the same tick (the flood test's teardown).
    const lErr = [clients[4], clients[5]].map((c) => errorAfter(c, at));
    const closed = new Promise<void>((r) => srv.once('close', () => r()));
    t = performance.now();
    for (const s of [...srv.endpoint!.conns.values()]) s.destroy();
    srv.close();
    lat.push(...await resets(Promise.all(lErr), 'clients still open after the server destroyed them and closed in the same tick', 'server destroys and closes'));
    const median = [...lat].sort((a, b) => a - b)[lat.length >> 1];
    assert.ok(median < RTT_MS, `median reset latency ${median.toFixed(1)} ms, one RTT is ${RTT_MS} ms`);
    await closed;
    assert.ok(flood.sent() > 2000, `the flood ran throughout (${flood.sent()} datagrams)`);
    const st = srv.stats();
    assert.ok(st.synReceived > 500 && st.cookieBad > 500, `the server was busy with the flood: ${JSON.stringify(st)}`);
    assert.is(st.sendErrors, 0);
  } finally {
    await flood.stop();
    for (const c of clients) c.destroy();
    relay.close();
    if (srv.listening) {
      for (const c of [...srv.endpoint!.conns.values()]) c.destroy();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  }
});

test('under the flood, a forged RST with a wrong sequence number changes nothing (server PCB and client), the exact one resets', async () => {
  const accepted: Connection[] = [];
  const srv = await listen({}, (c) => { accepted.push(c); c.on('error', () => {}); });
  const port = srv.address()!.port;
  const flood = await startFlood(port, new Rng(S ^ 0xbad));
  const peer = await RawPeer.open();
  const fakeServer = await RawPeer.open();
  let client: Connection | null = null;
  try {
    // Server PCB: a hand-driven client completes the handshake, then forges resets from
    // the very address and port the PCB belongs to (what an off-path spoofer can send).
    const h = await peer.connectTo(port);
    for (let i = 0; i < 50 && accepted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const s = accepted[0];
    let sErr: NodeJS.ErrnoException | null = null;
    s.on('error', (e: NodeJS.ErrnoException) => { sErr = e; });
    const got: Buffer[] = [];
    s.on('data', (b: Buffer) => got.push(b));
    const before = s.info();
    peer.clear();
    peer.send(port, F_RST, h.cid, (h.sndNxt + 1) >>> 0, 0, 0); // in window, not exact: challenge ACK
    const challenge = await peer.next((r) => r.flags === F_ACK && r.cid !== 0);
    assert.is(challenge.ack, h.sndNxt, 'the challenge ACK names the exact sequence number');
    peer.send(port, F_RST, h.cid, (h.sndNxt + 0x80000000) >>> 0, 0, 0); // far outside
    peer.send(port, F_RST, h.cid, (h.sndNxt - 1) >>> 0, 0, 0); // just below
    peer.send(port, F_RST | F_ACK, h.cid, (h.sndNxt + 1000) >>> 0, h.rcvNxt, 0);
    peer.send(port, F_RST, (h.cid ^ 1) >>> 0, h.sndNxt, 0, 0); // exact sequence, wrong connection id
    await new Promise((r) => setTimeout(r, 100));
    assert.is(sErr, null, 'no forged reset may end the server PCB');
    assert.is(s.stateName, 'ESTABLISHED');
    const after = s.info();
    assert.is(Number(after.challengeAcks) - Number(before.challengeAcks), 2);
    assert.is(Number(after.outOfWindow) - Number(before.outOfWindow), 2);
    assert.is(Number(after.badCid) - Number(before.badCid), 1);
    // Still a working connection: data flows and is acknowledged.
    peer.send(port, F_ACK, h.cid, h.sndNxt, h.rcvNxt, 1 << 20, 0, Buffer.from('ok'));
    await peer.next((r) => (r.flags & F_ACK) !== 0 && r.ack === ((h.sndNxt + 2) >>> 0));
    assert.equal(Buffer.concat(got).toString(), 'ok');
    // The exact one is accepted (the forged ones were refused for their numbers alone).
    peer.send(port, F_RST, h.cid, (h.sndNxt + 2) >>> 0, 0, 0);
    for (let i = 0; i < 50 && sErr === null; i++) await new Promise((r) => setTimeout(r, 10));
    assert.is((sErr as NodeJS.ErrnoException | null)?.code, 'ECONNRESET');

    // Client: a hand-driven server accepts it, then forges resets at it.
    client = connect(fakeServer.port, '127.0.0.1');
    let cErr: NodeJS.ErrnoException | null = null;
    client.on('error', (e: NodeJS.ErrnoException) => { cErr = e; });
    const connected = new Promise((r) => client!.once('connect', r));
    const k = await fakeServer.acceptOne();
    await connected;
    await new Promise((r) => setTimeout(r, 50));
    const fp = fakeServer.peerPort;
    fakeServer.clear();
    fakeServer.send(fp, F_RST, k.cid, (k.sndNxt + 7) >>> 0, 0, 0);
    const ch = await fakeServer.next((r) => r.flags === F_ACK);
    assert.is(ch.ack, k.sndNxt);
    fakeServer.send(fp, F_RST, k.cid, (k.sndNxt - 1) >>> 0, 0, 0);
    fakeServer.send(fp, F_RST, k.cid, (k.sndNxt + 0x7fffffff) >>> 0, 0, 0);
    await new Promise((r) => setTimeout(r, 100));
    assert.is(cErr, null, 'no forged reset may end the client');
    assert.is(client.stateName, 'ESTABLISHED');
    assert.is(Number(client.info().challengeAcks), 1);
    fakeServer.send(fp, F_RST, k.cid, k.sndNxt, 0, 0);
    for (let i = 0; i < 50 && cErr === null; i++) await new Promise((r) => setTimeout(r, 10));
    assert.is((cErr as NodeJS.ErrnoException | null)?.code, 'ECONNRESET');
    assert.ok(srv.stats().synReceived > 100, 'the flood was running');
  } finally {
    await flood.stop();
    client?.destroy();
    peer.close();
    fakeServer.close();
    for (const c of accepted) c.destroy();
    await new Promise<void>((r) => srv.close(() => r()));
  }
});

test.run();
