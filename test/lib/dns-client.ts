// The live tests' DNS client, run inside a network namespace:
//   node test/lib/dns-client.js <server address>
// Sends a fixed list of queries (UDP, one with EDNS, one over TCP, one the server leaves
// unanswered) one after another, waiting up to 500 ms for each answer; prints the ids sent.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { message, optRecord } from './dns-frames.js';

const server = process.argv[2] ?? '127.0.0.1';
const QUERIES: Array<{ name: string; type: number; edns?: boolean; tcp?: boolean }> = [
  { name: 'a.test', type: 1 }, { name: 'v6.test', type: 28, edns: true }, { name: 'alias.test', type: 1 },
  { name: 'mx.test', type: 15 }, { name: 'txt.test', type: 16 }, { name: 'srv.test', type: 33 },
  { name: '1.100.51.198.in-addr.arpa', type: 12 }, { name: 'nope.test', type: 1, edns: true },
  { name: 'a.test', type: 1, tcp: true }, { name: 'silent.test', type: 1 },
];

async function udpQuery(q: Uint8Array): Promise<void> {
  const s = createSocket(server.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve) => {
    const t = setTimeout(() => { s.close(); resolve(); }, 500);
    s.on('message', () => { clearTimeout(t); s.close(); resolve(); });
    s.send(q, 53, server);
  });
}

async function tcpQuery(q: Uint8Array): Promise<void> {
  await new Promise<void>((resolve) => {
    const c = connect(53, server, () => { const len = Buffer.alloc(2); len.writeUInt16BE(q.length); c.write(Buffer.concat([len, q])); });
    const t = setTimeout(() => { c.destroy(); resolve(); }, 1000);
    c.on('data', () => { clearTimeout(t); c.end(); });
    c.on('close', () => { clearTimeout(t); resolve(); });
    c.on('error', () => { clearTimeout(t); resolve(); });
  });
}

const ids: number[] = [];
for (const [i, q] of QUERIES.entries()) {
  const id = 0x1000 + i * 0x111;
  ids.push(id);
  const m = message({ id, flags: 0x0100, questions: [{ name: q.name, type: q.type }], additional: q.edns === true ? [optRecord(1232)] : [] });
  if (q.tcp === true) await tcpQuery(m); else await udpQuery(m);
}
console.log(ids.join(' '));
