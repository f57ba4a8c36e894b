// Receive-side memory (issue #21 item 6): a peer that completed the handshake sends ~60 KB
// datagrams that overlap data already received by all but one byte, so each delivers a
// single new byte. The window counts one byte per datagram; the memory kept must be about
// that too, not the whole datagram. Measured as the process's ArrayBuffer memory after a
// full garbage collection (every received datagram is an ArrayBuffer of its own), with
// the reader paused so every delivered byte stays queued; then every byte is checked.
// And the small-datagram form of the same attack: 1-byte segments to a paused reader cost
// hundreds of bytes of heap each, so what the connection holds is capped in memory too.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createServer, type Connection, type Server } from '../host/rudp/index.js';
import { F_ACK } from '../host/rudp/header.js';
import { RawPeer } from './lib/rudp-peer.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const N = 1000;
const L = 60_000;
/** Generous: 1,000 retained datagrams are 60 MB; 1,000 one-byte chunks are well under 1 MB. */
const BOUND = 8 << 20;

/** Stream bytes are a function of their offset from the first byte, so whichever datagram
 *  delivers a byte (a lost one is covered by the next), its value is known. */
function pattern(from: number, len: number): Buffer {
  const b = Buffer.allocUnsafe(len);
  for (let j = 0; j < len; j++) b[j] = (from + j) & 0xff;
  return b;
}

function arrayBuffers(): number {
  gc();
  gc();
  return process.memoryUsage().arrayBuffers;
}

function heapAndBuffers(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

async function setup(receiveBuffer = 1 << 20): Promise<{ srv: Server; conn: Connection; peer: RawPeer; h: { cid: number; sndNxt: number; rcvNxt: number }; port: number }> {
  let conn: Connection | null = null;
  const srv = await new Promise<Server>((res) => {
    const s = createServer({ receiveBuffer }, (c) => { conn = c; c.pause(); c.on('error', () => {}); });
    s.listen(0, '127.0.0.1', () => res(s));
  });
  const port = srv.address()!.port;
  const peer = await RawPeer.open();
  const h = await peer.connectTo(port);
  for (let i = 0; i < 100 && conn === null; i++) await new Promise((r) => setTimeout(r, 10));
  return { srv, conn: conn!, peer, h, port };
}

/** Sends datagrams with some pacing (loopback drops a burst beyond the socket buffer) and
 *  waits until the connection has acknowledged up to `ackTo`. */
async function sendAll(peer: RawPeer, port: number, dgrams: { seq: number; payload: Buffer }[], cid: number, ack: number): Promise<void> {
  for (let i = 0; i < dgrams.length; i++) {
    peer.send(port, F_ACK, cid, dgrams[i].seq, ack, 1 << 20, 0, dgrams[i].payload);
    if (i % 20 === 19) await new Promise((r) => setImmediate(r));
  }
}

test('1,000 datagrams of 60 KB that each deliver one new byte in order keep about 1,000 bytes, not 60 MB', async () => {
  const { srv, conn, peer, h, port } = await setup();
  try {
    const base = arrayBuffers();
    const dgrams: { seq: number; payload: Buffer }[] = [];
    for (let i = 0; i < N; i++) {
      // Ends one byte past RCV.NXT (which moves by one each time): all but the last byte are old.
      dgrams.push({ seq: (h.sndNxt + i + 1 - L) >>> 0, payload: pattern(i + 1 - L, L) });
    }
    await sendAll(peer, port, dgrams, h.cid, h.rcvNxt);
    dgrams.length = 0;
    for (let i = 0; i < 200 && conn.bytesRead < N; i++) await new Promise((r) => setTimeout(r, 10));
    assert.is(conn.bytesRead, N, `every datagram delivered its byte (${conn.bytesRead}; dupData ${conn.info().dupData})`);
    assert.is(conn.readableLength, N, 'all of it still queued for the paused reader');
    const grown = arrayBuffers() - base;
    console.log(`NOTE in order: ${N} one-byte deliveries from ${L}-byte datagrams keep ${(grown / 1024).toFixed(0)} KiB of ArrayBuffers`);
    assert.ok(grown < BOUND, `retained ${(grown / 1e6).toFixed(1)} MB for ${N} delivered bytes`);
    const got = Buffer.concat(Array.from({ length: N }, () => conn.read() as Buffer | null).filter((b): b is Buffer => b !== null));
    assert.is(got.length, N);
    assert.ok(got.equals(pattern(0, N)), 'every byte in order');
  } finally {
    conn.destroy();
    peer.close();
    await new Promise<void>((r) => srv.close(() => r()));
  }
});

test('the same out of order (behind a hole): 1,000 one-byte additions to the queue keep about 1,000 bytes', async () => {
  const { srv, conn, peer, h, port } = await setup();
  try {
    // Hole at RCV.NXT; one legitimate 60 KB segment after it; then each datagram overlaps
    // the queued data by all but one byte at its end.
    const start = (h.sndNxt + 1) >>> 0;
    peer.send(port, F_ACK, h.cid, start, h.rcvNxt, 1 << 20, 0, pattern(1, L));
    await new Promise((r) => setTimeout(r, 50));
    const base = arrayBuffers();
    const dgrams: { seq: number; payload: Buffer }[] = [];
    for (let i = 0; i < N; i++) dgrams.push({ seq: (h.sndNxt + i + 2) >>> 0, payload: pattern(i + 2, L) });
    await sendAll(peer, port, dgrams, h.cid, h.rcvNxt);
    dgrams.length = 0;
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(Number(conn.info().rcvWnd) <= (1 << 20) - (L + N), 'the window counts the segment and the 1,000 bytes');
    const grown = arrayBuffers() - base;
    console.log(`NOTE out of order: ${N} one-byte additions from ${L}-byte datagrams keep ${(grown / 1024).toFixed(0)} KiB of ArrayBuffers`);
    assert.ok(grown < BOUND, `retained ${(grown / 1e6).toFixed(1)} MB for ${N} queued bytes`);
    // Fill the hole: everything is delivered in order.
    peer.send(port, F_ACK, h.cid, h.sndNxt, h.rcvNxt, 1 << 20, 0, pattern(0, 1));
    for (let i = 0; i < 100 && conn.bytesRead < 1 + L + N; i++) await new Promise((r) => setTimeout(r, 10));
    assert.is(conn.bytesRead, 1 + L + N);
    const chunks: Buffer[] = [];
    for (let b = conn.read() as Buffer | null; b !== null; b = conn.read() as Buffer | null) chunks.push(b);
    const got = Buffer.concat(chunks);
    assert.is(got.length, 1 + L + N);
    assert.ok(got.equals(pattern(0, 1 + L + N)), 'every byte in order');
  } finally {
    conn.destroy();
    peer.close();
    await new Promise<void>((r) => srv.close(() => r()));
  }
});

test('20,000 one-byte segments to a paused reader: the window counts what each chunk costs in memory, the rest is refused', async () => {
  const RB = 256 << 10;
  const { srv, conn, peer, h, port } = await setup(RB);
  const M = 20_000;
  try {
    const base = heapAndBuffers();
    const in0 = srv.stats().datagramsIn;
    for (let i = 0; i < M; i++) {
      peer.send(port, F_ACK, h.cid, (h.sndNxt + i) >>> 0, h.rcvNxt, 1 << 20, 0, pattern(i, 1));
      if (i % 50 === 49) { await new Promise((r) => setImmediate(r)); peer.clear(); }
    }
    await new Promise((r) => setTimeout(r, 300));
    peer.clear(); // the server's ACKs: our memory, not its
    const held = conn.readableLength;
    const grown = heapAndBuffers() - base;
    const info = conn.info();
    console.log(`NOTE ${M} one-byte segments: ${held} queued, ${info.outOfWindow} refused, ${(grown / 1024).toFixed(0)} KiB of heap and ArrayBuffers`);
    // Unbounded, each 1-byte chunk costs ~400 bytes: 8 MB for 20,000.
    assert.ok(grown < 2 << 20, `held ${(grown / 1e6).toFixed(1)} MB for a ${RB >> 10} KiB receive buffer`);
    assert.ok(held > 100 && held < M, `some queued, not all: ${held}`);
    // The window counts each chunk's memory: it closes long before 20,000 bytes. (Loopback
    // on a busy machine drops some of the burst: counted against what arrived.)
    const arrived = srv.stats().datagramsIn - in0;
    assert.ok(arrived > 5000, `enough arrived to close the window many times over: ${arrived}`);
    assert.ok(Number(info.outOfWindow) > 0 && held + Number(info.outOfWindow) <= arrived,
      `queued ${held} + refused ${info.outOfWindow} of ${arrived} arrived`);
    assert.is(Number(info.rcvWnd), 0, 'the window is closed, so a sender that follows it stops');
    // What was accepted is the stream's beginning, in order.
    const got = conn.read() as Buffer;
    assert.ok(got.equals(pattern(0, held)));
  } finally {
    conn.destroy();
    peer.close();
    await new Promise<void>((r) => srv.close(() => r()));
  }
});

test.run();
