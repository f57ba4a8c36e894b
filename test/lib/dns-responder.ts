// A tiny DNS server for the live tests, run inside a network namespace:
//   node test/lib/dns-responder.js <address>
// It answers UDP and TCP queries on port 53 of <address> from a fixed zone (below), sends
// nothing for silent.test, and prints "ready" once both sockets listen. A fixture, not an
// oracle: tshark and tcpdump judge what goes over the wire.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { message, optRecord, rd, type Record as RR } from './dns-frames.js';

const ZONE: Record<string, Array<Omit<RR, 'name'>>> = {
  'a.test': [{ type: 1, ttl: 300, rdata: rd.a('198.51.100.1') }, { type: 1, ttl: 300, rdata: rd.a('198.51.100.2') }],
  'v6.test': [{ type: 28, ttl: 60, rdata: rd.aaaa('2001:db8::53') }],
  'alias.test': [{ type: 5, ttl: 120, rdata: rd.name('a.test') }],
  'mx.test': [{ type: 15, ttl: 3600, rdata: rd.mx(10, 'mail.mx.test') }],
  'txt.test': [{ type: 16, ttl: 30, rdata: rd.txt('hello world', 'v=spf1 -all') }],
  'srv.test': [{ type: 33, ttl: 600, rdata: rd.srv(5, 10, 443, 'web.srv.test') }],
  '1.100.51.198.in-addr.arpa': [{ type: 12, ttl: 86400, rdata: rd.name('a.test') }],
};

/** The first question's name, type and the bytes after it (plus where the question ends). */
function question(q: Uint8Array): { name: string; type: number; end: number } | null {
  let p = 12;
  const labels: string[] = [];
  while (p < q.length && q[p] !== 0) {
    labels.push(Buffer.from(q.subarray(p + 1, p + 1 + q[p])).toString('latin1'));
    p += 1 + q[p];
  }
  if (p + 5 > q.length) return null;
  return { name: labels.join('.'), type: (q[p + 1] << 8) | q[p + 2], end: p + 5 };
}

function answer(q: Uint8Array): Uint8Array | null {
  const qq = question(q);
  if (qq === null || qq.name === 'silent.test') return null;
  const id = (q[0] << 8) | q[1];
  const rdFlag = q[2] & 1;
  const rrs = (ZONE[qq.name] ?? []).filter((r) => r.type === qq.type || r.type === 5);
  const edns = q.length > qq.end ? [optRecord(1232)] : [];
  if (!(qq.name in ZONE)) {
    return message({ id, flags: 0x8403 | (rdFlag << 8), questions: [{ name: qq.name, type: qq.type }],
      authority: [{ name: 'test', type: 6, ttl: 900, rdata: rd.soa('ns.test', 'admin.test', [2024060101, 3600, 600, 86400, 300]) }], additional: edns });
  }
  return message({ id, flags: 0x8400 | (rdFlag << 8), questions: [{ name: qq.name, type: qq.type }],
    answers: rrs.map((r) => ({ ...r, name: qq.name })), additional: edns });
}

const addr = process.argv[2] ?? '127.0.0.1';
const udp = createSocket(addr.includes(':') ? 'udp6' : 'udp4');
udp.on('message', (msg, from) => {
  const a = answer(Uint8Array.from(msg));
  if (a !== null) udp.send(a, from.port, from.address);
});
const tcp = createServer((c) => {
  let buf = Buffer.alloc(0);
  c.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      const q = Uint8Array.from(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      buf = buf.subarray(2 + q.length);
      const a = answer(q);
      if (a !== null) { const len = Buffer.alloc(2); len.writeUInt16BE(a.length); c.write(Buffer.concat([len, a])); }
    }
  });
  c.on('error', () => undefined);
});
let up = 0;
const ready = (): void => { if (++up === 2) console.log('ready'); };
udp.bind(53, addr, ready);
tcp.listen(53, addr, ready);
process.on('SIGTERM', () => { udp.close(); tcp.close(); process.exit(0); });
