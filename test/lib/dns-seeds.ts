// Crafted DNS frames covering every decoded RR type, compression, EDNS, mDNS, LLMNR and TCP,
// plus hostile ones (loops, forward pointers, long labels and names, counts past the end).
// The tests hand them to tcpdump and tshark as oracles and use them as fuzzing seeds.
import { cat, message, name, optRecord, ptr, rd, tcpFrame, udpFrame, type Endpoints, type Message } from './dns-frames.js';

const Q4: Endpoints = { src: '192.0.2.1', dst: '192.0.2.53', sport: 40000, dport: 53 };
const R4: Endpoints = { src: '192.0.2.53', dst: '192.0.2.1', sport: 53, dport: 40000 };
const Q6: Endpoints = { src: '2001:db8::1', dst: '2001:db8::53', sport: 40001, dport: 53 };
const R6: Endpoints = { src: '2001:db8::53', dst: '2001:db8::1', sport: 53, dport: 40001 };
const MDNS: Endpoints = { src: '192.0.2.7', dst: '224.0.0.251', sport: 5353, dport: 5353 };
const LLMNR_Q: Endpoints = { src: '192.0.2.8', dst: '224.0.0.252', sport: 50000, dport: 5355 };
const LLMNR_R: Endpoints = { src: '192.0.2.9', dst: '192.0.2.8', sport: 5355, dport: 50000 };

// Offset 12 is the first question's name in every message below: pointers to it compress.
const AT_Q = ptr(12);

function q(id: number, n: string, type: number, flags = 0x0100, extra: Partial<Message> = {}): Uint8Array {
  return message({ id, flags, questions: [{ name: n, type }], ...extra });
}

export interface Seed { what: string; frame: Uint8Array; /** breaks a rule on purpose */ hostile: boolean }

export function dnsSeeds(): Seed[] {
  const s: Seed[] = [];
  let hostile = false;
  const add = (what: string, frame: Uint8Array): void => { s.push({ what, frame, hostile }); };
  add('A query', udpFrame(Q4, q(0x1234, 'example.com', 1)));
  add('A query with EDNS', udpFrame(Q4, q(0x1235, 'www.example.org', 1, 0x0120, { additional: [optRecord(4096)] })));
  add('A response, compressed', udpFrame(R4, message({ id: 0x1234, flags: 0x8180, questions: [{ name: 'example.com', type: 1 }],
    answers: [{ name: AT_Q, type: 1, ttl: 3600, rdata: rd.a('192.0.2.10') }, { name: AT_Q, type: 1, ttl: 3600, rdata: rd.a('192.0.2.11') }] })));
  add('AAAA over IPv6', udpFrame(R6, message({ id: 7, flags: 0x8580, questions: [{ name: 'v6.example', type: 28 }],
    answers: [{ name: AT_Q, type: 28, ttl: 60, rdata: rd.aaaa('2001:db8::a') }] })));
  add('AAAA query over IPv6', udpFrame(Q6, q(7, 'v6.example', 28)));
  add('CNAME chain', udpFrame(R4, message({ id: 9, flags: 0x8180, questions: [{ name: 'www.example.net', type: 1 }],
    answers: [{ name: AT_Q, type: 5, rdata: cat(Uint8Array.of(4, 0x68, 0x6f, 0x73, 0x74), ptr(16)) }, { name: 'host.example.net', type: 1, rdata: rd.a('198.51.100.1') }] })));
  add('PTR', udpFrame(R4, message({ id: 10, flags: 0x8400, questions: [{ name: '1.2.0.192.in-addr.arpa', type: 12 }],
    answers: [{ name: AT_Q, type: 12, rdata: rd.name('host.example.com') }] })));
  add('MX', udpFrame(R4, message({ id: 11, flags: 0x8180, questions: [{ name: 'example.com', type: 15 }],
    answers: [{ name: AT_Q, type: 15, rdata: rd.mx(10, cat(Uint8Array.of(4, 0x6d, 0x61, 0x69, 0x6c), AT_Q)) }, { name: AT_Q, type: 15, rdata: rd.mx(20, 'mx2.example.com') }] })));
  add('NS in authority, A in additional', udpFrame(R4, message({ id: 12, flags: 0x8100, questions: [{ name: 'example.com', type: 2 }],
    answers: [{ name: AT_Q, type: 2, rdata: rd.name('ns1.example.com') }],
    authority: [{ name: AT_Q, type: 2, rdata: rd.name('ns2.example.com') }],
    additional: [{ name: 'ns1.example.com', type: 1, rdata: rd.a('192.0.2.100') }, { name: 'ns1.example.com', type: 28, rdata: rd.aaaa('2001:db8::100') }] })));
  add('NXDomain with SOA', udpFrame(R4, message({ id: 13, flags: 0x8183, questions: [{ name: 'nope.example.com', type: 1 }],
    authority: [{ name: 'example.com', type: 6, ttl: 900, rdata: rd.soa('ns.example.com', 'hostmaster.example.com', [2024010101, 7200, 3600, 1209600, 300]) }] })));
  add('TXT', udpFrame(R4, message({ id: 14, flags: 0x8180, questions: [{ name: 'example.com', type: 16 }],
    answers: [{ name: AT_Q, type: 16, rdata: rd.txt('v=spf1 -all', 'second "string"') }] })));
  add('SRV', udpFrame(R4, message({ id: 15, flags: 0x8180, questions: [{ name: '_sip._udp.example.com', type: 33 }],
    answers: [{ name: AT_Q, type: 33, rdata: rd.srv(10, 60, 5060, 'sip.example.com') }] })));
  add('OPT with cookie, DO, in a response', udpFrame(R4, message({ id: 16, flags: 0x81a0, questions: [{ name: 'example.com', type: 1 }],
    answers: [{ name: AT_Q, type: 1, rdata: rd.a('192.0.2.1') }],
    additional: [optRecord(1232, rd.opt([10, Uint8Array.from({ length: 16 }, (_, i) => i + 1)]), true)] })));
  add('ServFail, truncated, no RA', udpFrame(R4, message({ id: 17, flags: 0x8302, questions: [{ name: 'example.com', type: 255 }] })));
  add('Refused, CD, AD', udpFrame(R4, message({ id: 18, flags: 0x8035, questions: [{ name: 'example.com', type: 48 }] })));
  add('query with odd bits and counts', udpFrame(Q4, message({ id: 19, flags: 0x0110, questions: [{ name: 'a.example', type: 1 }, { name: 'b.example', type: 28 }],
    answers: [{ name: 'c.example', type: 1, rdata: rd.a('192.0.2.3') }] })));
  add('notify', udpFrame(Q4, message({ id: 20, flags: 0x2400, questions: [{ name: 'example.com', type: 6 }] })));
  add('class CHAOS', udpFrame(Q4, message({ id: 21, flags: 0x0100, questions: [{ name: 'version.bind', type: 16, cls: 3 }] })));
  add('root query', udpFrame(Q4, q(22, '.', 2)));
  add('mDNS query', udpFrame(MDNS, message({ id: 0, flags: 0, questions: [{ name: '_ipp._tcp.local', type: 12, cls: 0x8001 }] })));
  add('mDNS response, cache flush', udpFrame(MDNS, message({ id: 0, flags: 0x8400,
    answers: [{ name: 'printer.local', type: 1, cls: 0x8001, ttl: 120, rdata: rd.a('192.0.2.7') },
      { name: '_ipp._tcp.local', type: 12, ttl: 4500, rdata: rd.name('printer._ipp._tcp.local') }] })));
  add('LLMNR query', udpFrame(LLMNR_Q, q(0x4242, 'desktop', 1, 0)));
  add('LLMNR response', udpFrame(LLMNR_R, message({ id: 0x4242, flags: 0x8000, questions: [{ name: 'desktop', type: 1 }],
    answers: [{ name: AT_Q, type: 1, ttl: 30, rdata: rd.a('192.0.2.9') }] })));
  add('TCP query', tcpFrame({ ...Q4, sport: 40002 }, q(0x7777, 'tcp.example', 1)));
  add('TCP response', tcpFrame({ ...R4, dport: 40002 }, message({ id: 0x7777, flags: 0x8180, questions: [{ name: 'tcp.example', type: 1 }],
    answers: [{ name: AT_Q, type: 1, rdata: rd.a('192.0.2.77') }] })));
  add('many answers (more than a record holds)', udpFrame(R4, message({ id: 23, flags: 0x8180, questions: [{ name: 'many.example', type: 1 }],
    answers: Array.from({ length: 20 }, (_, i) => ({ name: AT_Q, type: 1, rdata: rd.a(`198.51.100.${i + 1}`) })) })));
  // Hostile.
  hostile = true;
  add('pointer loop', udpFrame(R4, cat(message({ id: 30, flags: 0x8180, counts: [1, 1, 0, 0], questions: [{ name: 'loop.example', type: 1 }] }),
    ptr(28), Uint8Array.of(0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 192, 0, 2, 1))));
  add('pointer to itself', udpFrame(Q4, cat(message({ id: 31, flags: 0x0100, counts: [1, 0, 0, 0] }), ptr(12), Uint8Array.of(0, 1, 0, 1))));
  add('forward pointer', udpFrame(Q4, cat(message({ id: 32, flags: 0x0100, counts: [1, 0, 0, 0] }), ptr(18), Uint8Array.of(0, 1, 0, 1), name('x'))));
  add('label type 01', udpFrame(Q4, cat(message({ id: 33, flags: 0x0100, counts: [1, 0, 0, 0] }), Uint8Array.of(0x41, 0x61, 0), Uint8Array.of(0, 1, 0, 1))));
  add('label type 10', udpFrame(Q4, cat(message({ id: 34, flags: 0x0100, counts: [1, 0, 0, 0] }), Uint8Array.of(0x81, 0x61, 0), Uint8Array.of(0, 1, 0, 1))));
  add('name over 255', udpFrame(Q4, q(35, Array.from({ length: 5 }, () => 'x'.repeat(60)).join('.'), 1)));
  add('counts past the end', udpFrame(R4, message({ id: 36, flags: 0x8180, counts: [1, 5, 3, 2], questions: [{ name: 'short.example', type: 1 }],
    answers: [{ name: AT_Q, type: 1, rdata: rd.a('192.0.2.36') }] })));
  add('rdlength past the end', udpFrame(R4, cat(message({ id: 37, flags: 0x8180, counts: [1, 1, 0, 0], questions: [{ name: 'rd.example', type: 1 }] }),
    AT_Q, Uint8Array.of(0, 1, 0, 1, 0, 0, 0, 60, 0, 40, 192, 0, 2, 1))));
  add('short A rdata', udpFrame(R4, message({ id: 38, flags: 0x8180, questions: [{ name: 'a.example', type: 1 }], answers: [{ name: AT_Q, type: 1, rdata: Uint8Array.of(1, 2) }] })));
  add('header only', udpFrame(Q4, message({ id: 39, flags: 0x0100, counts: [0, 0, 0, 0] })));
  add('shorter than a header', udpFrame(Q4, Uint8Array.of(0, 40, 1, 0, 0)));
  add('empty UDP payload', udpFrame(Q4, new Uint8Array(0)));
  add('TCP prefix mismatch', tcpFrame({ ...Q4, sport: 40003 }, cat(Uint8Array.of(0, 99), q(40, 'bad.prefix', 1)), false));
  add('TCP one byte', tcpFrame({ ...Q4, sport: 40004 }, Uint8Array.of(7), false));
  return s;
}
