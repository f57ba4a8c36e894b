// Timestamps (RFC 7323 as PROTOCOL.md §2 carries them): the codec round trip, the
// negotiation in the handshake, and what they are for: after timeouts, the ACK of a
// retransmission echoes the copy that arrived, so the RTO collapses from its backed-off
// value at once. Under Karn's rule alone (RFC 6298 §5, a peer without timestamps) it stays
// backed off until new data is acknowledged, which under heavy loss compounded to a minute.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine } from '../host/engine/engine.js';
import { connect, type Connection } from '../host/rudp/index.js';
import { F_ACK, F_HS, F_SYN, F_TS, MAX_HDR_LEN, MAX_SACK_TS, Segment, SegmentCodec } from '../host/rudp/header.js';
import { RawPeer } from './lib/rudp-peer.js';

test('codec: timestamps after three SACK blocks fit the largest header; WASM and twin agree; a wrong length is refused', () => {
  const w = new SegmentCodec(createEngine({ backend: 'wasm' }));
  const t = new SegmentCodec(createEngine({ backend: 'ts' }));
  const sack = Uint32Array.from([10, 20, 30, 40, 50, 60]);
  const payload = Buffer.from('timestamped');
  const a = w.encode(F_ACK | F_TS, 7, 100, 200, 4096, 0, sack, MAX_SACK_TS, payload, 0, payload.length, 0xfedcba98, 0x01234567);
  const b = t.encode(F_ACK | F_TS, 7, 100, 200, 4096, 0, sack, MAX_SACK_TS, payload, 0, payload.length, 0xfedcba98, 0x01234567);
  assert.equal(a, b);
  assert.is(MAX_SACK_TS, 3);
  assert.is(a.length - payload.length, MAX_HDR_LEN);
  const seg = new Segment();
  assert.is(w.parse(a, seg), 'ok');
  assert.is(seg.nsack, 3);
  assert.is(seg.sack[5], 60);
  assert.is(seg.tsval, 0xfedcba98);
  assert.is(seg.tsecr, 0x01234567);
  assert.equal(Buffer.from(a.subarray(seg.off)), payload);
  // Without F_TS the same header is 8 bytes shorter and the fields read 0.
  const plain = w.encode(F_ACK, 7, 100, 200, 4096, 0, sack, 3, null, 0, 0);
  assert.is(plain.length, MAX_HDR_LEN - 8);
  assert.is(w.parse(plain, seg), 'ok');
  assert.is(seg.tsval, 0);
  assert.is(seg.tsecr, 0);
  // F_TS set on a header whose length has no room for them: malformed, whatever the checksum.
  const forged = Buffer.from(plain);
  forged[1] |= F_TS;
  assert.is(w.parse(forged, seg), 'header');
});

async function clientAgainst(server: RawPeer, offerTs: boolean): Promise<{ client: Connection; cid: number; sndNxt: number; rcvNxt: number; synTs: number }> {
  const client = connect(server.port, '127.0.0.1');
  client.on('error', () => {});
  const connected = new Promise((r) => client.once('connect', r));
  const syn = await server.next((r) => (r.flags & F_SYN) !== 0);
  assert.ok((syn.flags & F_TS) !== 0 && syn.tsval !== 0, 'the SYN offers timestamps');
  const mine = 0x10000001;
  const rcvNxt = (syn.seq + 1) >>> 0;
  server.send(syn.from, F_SYN | F_ACK | (offerTs ? F_TS : 0), syn.seq, mine, rcvNxt, 1 << 20, 1416, null, offerTs ? 5000 : 0, offerTs ? syn.tsval : 0);
  const sndNxt = (mine + 1) >>> 0;
  const hs = await server.next((r) => (r.flags & (F_ACK | F_HS)) === (F_ACK | F_HS) && r.cid === mine);
  assert.is((hs.flags & F_TS) !== 0, offerTs, offerTs ? 'negotiated: the ACK|HS carries timestamps' : 'not offered back: no timestamps');
  if (offerTs) assert.is(hs.tsecr, 5000, 'the ACK|HS echoes the SYN-ACK\'s TSval');
  server.send(syn.from, F_ACK | (offerTs ? F_TS : 0), syn.seq, sndNxt, rcvNxt, 1 << 20, 0, null, offerTs ? 5001 : 0, offerTs ? hs.tsval : 0);
  await connected;
  server.peerPort = syn.from;
  return { client, cid: syn.seq, sndNxt, rcvNxt, synTs: syn.tsval };
}

/** Lets the client time out `n` times on its first data segment, then acknowledges the last
 *  copy (echoing its TSval when `ts`); returns the client's RTO before and after that ACK. */
async function timeoutsThenAck(ts: boolean, n: number): Promise<{ backedOff: number; after: number; timeouts: number; copiesHadTs: boolean }> {
  const server = await RawPeer.open();
  try {
    const h = await clientAgainst(server, ts);
    server.clear();
    h.client.write(Buffer.from('x'.repeat(100)));
    let last = await server.next((r) => r.payload.length === 100);
    let copiesHadTs = (last.flags & F_TS) !== 0;
    for (let i = 0; i < n; i++) {
      last = await server.next((r) => r.payload.length === 100, 10_000);
      copiesHadTs &&= (last.flags & F_TS) !== 0;
    }
    const backedOff = Number(h.client.info().rto);
    const timeouts = Number(h.client.info().timeouts);
    server.send(server.peerPort, F_ACK | (ts ? F_TS : 0), h.cid, h.sndNxt, (h.rcvNxt + 100) >>> 0, 1 << 20, 0, null, ts ? 6000 : 0, ts ? last.tsval : 0);
    for (let i = 0; i < 100 && Number(h.client.info().rto) === backedOff; i++) await new Promise((r) => setTimeout(r, 5));
    const after = Number(h.client.info().rto);
    h.client.destroy();
    return { backedOff, after, timeouts, copiesHadTs };
  } finally {
    server.close();
  }
}

test('after two timeouts, the ACK of the retransmission brings the RTO back from its back-off (it echoes the copy that arrived)', async () => {
  const r = await timeoutsThenAck(true, 2);
  assert.ok(r.copiesHadTs, 'every copy carries timestamps once negotiated');
  assert.ok(r.timeouts >= 2, `two timeouts happened (${r.timeouts})`);
  assert.ok(r.backedOff >= 800, `the RTO was backed off twice from at least 200 ms: ${r.backedOff}`);
  assert.ok(r.after <= 250, `the echo is a sample of a few ms: the RTO returns to the floor, not ${r.after}`);
});

test('without timestamps (the peer did not answer them), Karn\'s rule keeps the back-off: no sample from a retransmission', async () => {
  const r = await timeoutsThenAck(false, 2);
  assert.not.ok(r.copiesHadTs, 'no timestamps when the SYN-ACK did not carry them');
  assert.ok(r.backedOff >= 800);
  assert.is(r.after, r.backedOff, 'the ACK of a retransmission is no RTT sample');
});

test.run();
