// OSPFv3 text (host/app/ospf/text-v3.ts) against the installed tcpdump, line for line, at
// -v levels 0-3 on both engines: every packet type; Hellos with DR, BDR, neighbours, an
// instance, LLS and authentication trailers; DD and LS-Ack LSA headers (one of a length
// under 20, which tcpdump prints as a wrapped size_t); LS-Request entries of every scope;
// LS-Updates with router, network, inter-area prefix, AS-external (forwarding address,
// tag, referenced LS id), link, intra-area prefix and unknown LSAs, prefixes of 0-128
// bits and a bogus one; unknown types, version 2 over IPv6, a length past the datagram;
// grace and intra-area TE LSAs (through OSPFv2's TLV printers, test/lib/ospf-tlvs.ts);
// a big LS-Update and a Hello cut at every byte; mutated packets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePcap } from './filter-oracle.js';
import { tcpdumpText } from './text-output-tcpdump.js';
import { sniffPackets } from './lib/sniff-text.js';
import { haveTool, Rng, seed } from './lib/env.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';
import { graceTlvs, teTlvs } from './lib/ospf-tlvs.js';

const S = seed();
console.log(`SEED ${S}`);
type Frame = { data: Uint8Array; wirelen: number };

const u8 = (...v: number[]): number[] => v;
const u16 = (v: number): number[] => [(v >>> 8) & 255, v & 255];
const u32 = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const ip4 = (s: string): number[] => s.split('.').map(Number);
const ip6 = (groups: number[]): number[] => groups.flatMap((g) => u16(g));

/** An OSPFv3 packet: the 16-byte header (its length field covers `body` unless given). */
function ospf(type: number, body: number[], o: { version?: number; area?: string; instance?: number; len?: number; trailer?: number[] } = {}): number[] {
  const len = o.len ?? 16 + body.length;
  return [o.version ?? 3, type, ...u16(len), ...ip4('1.1.1.1'), ...ip4(o.area ?? '0.0.0.0'), 0, 0, o.instance ?? 0, 0, ...body, ...(o.trailer ?? [])];
}

function frame(payload: number[]): Frame {
  const ip = [0x60, 0, 0, 0, ...u16(payload.length), 89, 1, ...ip6([0xfe80, 0, 0, 0, 0, 0, 0, 1]), ...ip6([0xff02, 0, 0, 0, 0, 0, 0, 5])];
  const data = Uint8Array.from([0x33, 0x33, 0, 0, 0, 5, 2, 0, 0, 0, 0, 1, 0x86, 0xdd, ...ip, ...payload]);
  return { data, wirelen: data.length };
}

const lsaHdr = (type: number, len: number, id = '0.0.0.1', router = '2.2.2.2'): number[] => [...u16(33), ...u16(type), ...ip4(id), ...ip4(router), ...u32(0x80000001), 0, 0, ...u16(len)];
const lsa = (type: number, body: number[]): number[] => [...lsaHdr(type, 20 + body.length), ...body];
const prefix = (plen: number, opt = 0, metric = 10): number[] => {
  const words = Math.min(4, (plen + 31) >> 5);
  return [plen, opt, ...u16(metric), ...Array.from({ length: words * 4 }, (_, i) => (i < 2 ? [0x20, 0x01][i] : (i * 37) & 255))];
};

function packets(): number[][] {
  const hello = (opts: number, neighbours: number, trailer: number[] = []): number[] =>
    ospf(1, [...ip4('0.0.0.5'), 1, ...u16(0), opts & 0xff, ...u16(10), ...u16(40), ...ip4('3.3.3.3'), ...ip4('4.4.4.4'),
      ...Array.from({ length: neighbours }, (_, i) => ip4(`9.9.9.${i + 1}`)).flat()], { trailer, instance: neighbours > 1 ? 7 : 0, area: neighbours > 2 ? '0.0.0.9' : '0.0.0.0' });
  const helloOpts = (opts: number, trailer: number[]): number[] => {
    const p = hello(0x13, 2, trailer);
    p.splice(16 + 4, 4, ...u32(opts));
    p[16 + 4] = 1;
    return p;
  };
  const at = (n: number): number[] => [...u16(1), ...u16(16 + n), 0, 0, ...u16(12), ...u32(0x01020304), ...u32(0x05060708), ...Array.from({ length: n }, (_, i) => i)];
  const lls = [...u16(0xbeef), ...u16(12), ...u32(0x00010004), ...u32(3)];
  const router = lsa(0x2001, [...u32(0x02000033), ...[1, 2, 4].flatMap((k) => [k, 0, ...u16(k * 10), ...ip4(`0.0.0.${k}`), ...ip4(`0.0.1.${k}`), ...ip4(`5.5.5.${k}`)])]);
  const routerOdd = lsa(0x2001, [...u32(0x1f), 9, 0, ...u16(1), ...u32(1), ...u32(2), ...u32(3)]);
  const network = lsa(0x2002, [...u32(0x13), ...ip4('6.6.6.6'), ...ip4('7.7.7.7')]);
  const interAp = lsa(0x2003, [...u32(0xff000064), ...prefix(0), ...prefix(64, 0x09), ...prefix(128, 0x3f, 7)]);
  const external = lsa(0x4005, [...u32(0x83000020), ...prefix(48, 0, 0x0100), ...ip6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]), ...ip4('0.0.0.42'), ...ip4('8.8.8.8')]);
  const externalPlain = lsa(0x4005, [...u32(0x00000005), ...prefix(32)]);
  const link = lsa(0x0008, [1, 0, 0, 0x13, ...ip6([0xfe80, 0, 0, 0, 0, 0, 0, 1]), ...u32(2), ...prefix(64), ...prefix(96, 2)]);
  const intra = lsa(0x2009, [...u16(2), ...u16(0x2001), ...ip4('0.0.0.0'), ...ip4('2.2.2.2'), ...prefix(64), ...prefix(128)]);
  const unknown = lsa(0x2077, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
  const bogus = lsa(0x2003, [...u32(5), ...prefix(129)]);
  const grace = lsa(0x000b, graceTlvs());
  const teLsa = lsa(0x000a, teTlvs());
  const lsu = (...lsas: number[][]): number[] => ospf(4, [...u32(lsas.length), ...lsas.flat()]);
  return [
    hello(0x13, 0), hello(0x13, 1), hello(0x13, 3),
    helloOpts(0x0213, lls), helloOpts(0x0413, at(4)), helloOpts(0x0613, [...lls, ...at(20)]), helloOpts(0x0213, [1, 2]), helloOpts(0x0413, at(0).slice(0, 10)),
    ospf(2, [...u32(0x0213), ...u16(1500), 0, 0x07, ...u32(0x1234), ...lsaHdr(0x2001, 36), ...lsaHdr(0x4005, 20), ...lsaHdr(0xa009, 8)], { trailer: lls }),
    ospf(2, [...u32(0x13), ...u16(9000), 0, 0x10, ...u32(7)]),
    ospf(3, [0, 0, ...u16(0x2001), ...ip4('0.0.0.1'), ...ip4('2.2.2.2'), 0, 0, ...u16(0x0008), ...ip4('0.0.0.2'), ...ip4('2.2.2.3'), 0, 0, ...u16(0xc005), ...ip4('0.0.0.3'), ...ip4('2.2.2.4'), 0, 0, ...u16(0x6066), ...ip4('0.0.0.4'), ...ip4('2.2.2.5')]),
    lsu(router, network, interAp), lsu(external, externalPlain, link), lsu(intra, unknown, routerOdd), lsu(bogus), lsu(router, network).slice(0, 16 + 4 + 30),
    lsu(grace, teLsa), lsu(lsa(0x000b, [0, 1, 0, 4, 0, 0, 0, 9, 0, 2, 0, 2, 1, 0])), lsu(lsa(0x000a, [0, 2, 0, 8, 0, 9, 0, 5, 0, 0, 0, 1])),
    ospf(5, [...lsaHdr(0x2001, 36), ...lsaHdr(0x0008, 44), ...lsaHdr(0x2009, 3)]),
    ospf(9, [1, 2, 3, 4]), ospf(1, [1, 2, 3, 4], { version: 2 }), ospf(1, [1, 2, 3, 4], { len: 400 }), ospf(4, [...u32(2), ...router], { len: 300 }),
  ];
}

function compare(name: string, frames: Frame[]): void {
  if (!haveTool('tcpdump')) return;
  const dir = mkdtempSync(join(tmpdir(), 'ospf6-'));
  try {
    const file = join(dir, `${name}.pcap`);
    writePcap(file, LINKTYPE_ETHERNET, frames);
    const problems: string[] = [];
    let lines = 0;
    for (const level of [[], ['-v'], ['-vv'], ['-vvv']]) {
      const args = ['-nn', '-t', ...level];
      const theirs = tcpdumpText(file, args);
      problems.push(...theirs.problems);
      for (const engine of ['wasm', 'ts'] as const) {
        sniffPackets(file, args, theirs.packets.length, engine).forEach((line, i) => {
          if (line === theirs.packets[i]) lines++;
          else problems.push(`${args.join(' ')} ${engine} #${i + 1}\n     ours: ${JSON.stringify(line)}\n     tcpd: ${JSON.stringify(theirs.packets[i])}`);
        });
      }
    }
    assert.equal(problems.slice(0, 8), [], `${problems.length} differences`);
    assert.is(lines, frames.length * 8);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('every packet type, trailer and LSA kind', () => {
  compare('ospf6-crafted', packets().map(frame));
});

test('a big LS-Update and a Hello with both trailers, cut at every byte', () => {
  const all = packets();
  const frames: Frame[] = [];
  for (const p of [all[11], all[12], all[13], all[5], all[16]]) {
    const f = frame(p);
    for (let cut = 14 + 40; cut < f.data.length; cut++) frames.push({ data: f.data.slice(0, cut), wirelen: f.wirelen });
  }
  compare('ospf6-cuts', frames);
});

test('3,000 mutated packets', () => {
  const rng = new Rng(S ^ 0x0f6);
  const seeds = packets();
  const frames: Frame[] = [];
  while (frames.length < 3000) {
    const p = Uint8Array.from(seeds[rng.int(seeds.length)]);
    for (let k = 1 + rng.int(4); k > 0; k--) {
      const at = rng.int(p.length);
      p[at] = rng.int(3) === 0 ? [0, 1, 2, 3, 4, 5, 0x20, 0xff, 0x80][rng.int(9)] : rng.int(256);
    }
    frames.push(frame([...p]));
  }
  compare('ospf6-mutated', frames);
});

test.run();
