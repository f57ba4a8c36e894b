// DHCPv6 with -v, -vv and -vvv (host/app/dhcp6/text-v.ts) against the installed tcpdump,
// line for line on both engines: corpus-more's three DHCPv6 captures (their TESTLIST
// option is -v); crafted messages with every option tcpdump 4.99.3 prints (DUIDs of each
// type, IAs with nested addresses, prefixes and status codes, relay messages nesting a
// message, authentication of each protocol, domain lists with compression pointers, NTP
// suboptions, AFTR names, time zones, lease-query options) and their wrong lengths; one rich
// message cut at every byte; 3,000 mutated messages.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePcap } from './filter-oracle.js';
import { tcpdumpText } from './text-output-tcpdump.js';
import { sniffPackets } from './lib/sniff-text.js';
import { corpusMoreCaptures, corpusOrSkip, haveTool, Rng, seed } from './lib/env.js';
import { dhcp6, dhcp6opt, dhcpSeeds } from './lib/dhcp-seeds.js';
import { cat, name, rd, udpFrame } from './lib/dns-frames.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';

const S = seed();
console.log(`SEED ${S}`);
type Frame = { data: Uint8Array; wirelen: number };
const u8 = (...v: number[]): Uint8Array => Uint8Array.from(v);
const u16 = (v: number): Uint8Array => u8(v >> 8, v & 0xff);
const u32 = (v: number): Uint8Array => u8(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
const frameOf = (payload: Uint8Array): Frame => {
  const data = udpFrame({ src: 'fe80::1', dst: 'ff02::1:2', sport: 546, dport: 547 }, payload);
  return { data, wirelen: data.length };
};

function compare(file: string, label: string, count: number): void {
  const problems: string[] = [];
  let lines = 0;
  for (const level of [['-v'], ['-vv'], ['-vvv']]) {
    const args = ['-nn', '-t', ...level];
    const theirs = tcpdumpText(file, args);
    problems.push(...theirs.problems);
    for (const engine of ['wasm', 'ts'] as const) {
      sniffPackets(file, args, theirs.packets.length, engine).forEach((line, i) => {
        if (line === theirs.packets[i]) lines++;
        else problems.push(`${label} ${args.join(' ')} ${engine} #${i + 1}\n     ours: ${JSON.stringify(line)}\n     tcpd: ${JSON.stringify(theirs.packets[i])}`);
      });
    }
  }
  assert.equal(problems.slice(0, 6), [], `${problems.length} differences`);
  if (count >= 0) assert.is(lines, count * 6);
}

function crafted(label: string, frames: Frame[]): void {
  if (!haveTool('tcpdump')) return;
  const dir = mkdtempSync(join(tmpdir(), 'dhcp6-v-'));
  try {
    const file = join(dir, `${label}.pcap`);
    writePcap(file, LINKTYPE_ETHERNET, frames);
    compare(file, label, frames.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const a6 = (s: string): Uint8Array => rd.aaaa(s);
function messages(): Uint8Array[] {
  const duidLlt = dhcp6opt(1, cat(u16(1), u16(1), u32(407259545), u8(0, 0x11, 0x22, 0x33, 0x44, 0x55)));
  const duidEn = dhcp6opt(2, cat(u16(2), u32(9), u8(1, 2, 3, 4, 5, 6)));
  const duidLl = dhcp6opt(1, cat(u16(3), u16(1), u8(0, 1, 2, 3, 4, 5)));
  const iaAddr = dhcp6opt(5, cat(a6('2001:db8::10'), u32(4500), u32(7200), dhcp6opt(13, cat(u16(0), ascii('ok')))));
  const iaNa = dhcp6opt(3, cat(u32(7), u32(3600), u32(5400), iaAddr));
  const iaPd = dhcp6opt(25, cat(u32(8), u32(3600), u32(5400), dhcp6opt(26, cat(u32(4500), u32(7200), u8(56), a6('2a00:1:1:100::'), dhcp6opt(13, u16(6))))));
  const iaTa = dhcp6opt(4, cat(u32(9), iaAddr));
  const domains = dhcp6opt(24, cat(name('example.com'), name('lab.example.org'), u8(3, 0x77, 0x77, 0x77, 0xc0, 0x00)));
  const ntp = dhcp6opt(56, cat(u16(1), u16(16), a6('2001:db8::123'), u16(2), u16(16), a6('ff05::101'), u16(3), u16(13), name('ntp.example'), u16(9), u16(1), u8(0)));
  const authDelayed = dhcp6opt(11, cat(u8(2, 1, 0), u8(0, 0, 0, 0, 0, 0, 0, 1), ascii('realm'), u32(0x1234), u32(1), u32(2), u32(3), u32(4)));
  const authReconf = dhcp6opt(11, cat(u8(3, 1, 0), u8(0, 0, 0, 0, 0, 0, 0, 2), u8(2), u32(5), u32(6), u32(7), u32(8)));
  const authOther = dhcp6opt(11, cat(u8(9, 7, 3), u8(1, 2, 3, 4, 5, 6, 7, 8)));
  return [
    dhcp6(1, 0xe1e093, duidLlt, dhcp6opt(6, cat(u16(23), u16(24), u16(56), u16(64), u16(999))), dhcp6opt(8, u16(0)), iaNa, iaPd, iaTa),
    dhcp6(7, 0x123456, duidEn, duidLl, dhcp6opt(2, cat(u16(4), u8(1, 2))), dhcp6opt(1, u8(0)), dhcp6opt(1, cat(u16(1), u16(1))), dhcp6opt(2, cat(u16(2), u8(1))),
      dhcp6opt(7, u8(255)), dhcp6opt(7, u8(1, 2)), dhcp6opt(8, u8(1)), dhcp6opt(12, a6('2001:db8::1')), dhcp6opt(13, u16(2)), dhcp6opt(13, u16(300)),
      dhcp6opt(13, u16(77)), dhcp6opt(13, u8(1)), dhcp6opt(14, u8()), dhcp6opt(20, u8()), dhcp6opt(19, u8(5)), dhcp6opt(19, u8(11)), dhcp6opt(19, u8(7)), dhcp6opt(19, u8(1, 2))),
    dhcp6(7, 1, dhcp6opt(23, cat(a6('2001:4860:4860::8888'), a6('::1'), a6('::ffff:192.0.2.1'), a6('::192.0.2.2'))), dhcp6opt(23, u8(1, 2, 3)), domains,
      dhcp6opt(21, name('sip.example')), dhcp6opt(22, a6('2001:db8::5060')), dhcp6opt(31, a6('2001:db8::7b')), dhcp6opt(27, a6('2001:db8::1b')),
      dhcp6opt(28, a6('2001:db8::1c')), dhcp6opt(34, a6('2001:db8::22')), dhcp6opt(40, a6('2001:db8::28')), dhcp6opt(32, u32(86400)), dhcp6opt(32, u8(1))),
    dhcp6(11, 2, ntp, dhcp6opt(56, u8(1, 2)), dhcp6opt(64, cat(name('aftr.example.net'))), dhcp6opt(64, u8(3, 0x61, 0x62)), dhcp6opt(64, u8(9, 0x61, 0x62, 0x63)),
      dhcp6opt(41, ascii('EST5EDT,M3.2.0/2,M11.1.0/2')), dhcp6opt(42, ascii('Europe/Zurich')), dhcp6opt(112, ascii('https://mud.example/x')), dhcp6opt(41, ascii('UTC'))),
    dhcp6(14, 3, dhcp6opt(44, cat(u8(1), a6('2001:db8::9'), dhcp6opt(6, u16(23)))), dhcp6opt(44, cat(u8(7), a6('::'))), dhcp6opt(45, cat(duidLlt, iaAddr, dhcp6opt(46, u32(60)))),
      dhcp6opt(47, cat(a6('2001:db8::47'), u8(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12))), dhcp6opt(48, a6('2001:db8::48')), dhcp6opt(46, u8(1)), dhcp6opt(43, cat(u16(23), u16(24)))),
    dhcp6(10, 4, authDelayed, authReconf, authOther, dhcp6opt(11, u8(2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3)), dhcp6opt(11, u8(1, 2)),
      dhcp6opt(18, ascii('eth0.123456789012')), dhcp6opt(38, ascii('sub')), dhcp6opt(37, cat(u32(3561), ascii('remote-id-of-some-length'))), dhcp6opt(37, u8(1)),
      dhcp6opt(15, ascii('user')), dhcp6opt(16, ascii('vendor')), dhcp6opt(17, ascii('vsi')), dhcp6opt(39, ascii('fqdn')), dhcp6opt(36, u8(1)), dhcp6opt(300, u8(1, 2))),
    cat(u8(12, 1), a6('2001:db8::1'), a6('fe80::2'), dhcp6opt(9, dhcp6(1, 0x112233, duidLl, iaNa)), dhcp6opt(18, ascii('eth0'))),
    cat(u8(13, 0), a6('::'), a6('fe80::3'), dhcp6opt(9, cat(u8(12, 2), a6('::1'), a6('::2'), dhcp6opt(9, dhcp6(7, 5, duidEn))))),
    cat(u8(12, 0), a6('2001:db8::1'), a6('fe80::2'), dhcp6opt(9, u8(1, 2))),
    dhcp6(1, 6, dhcp6opt(3, cat(u32(1), u32(2), u32(3), u16(5), u16(40), u8(1)))), dhcp6(1, 7, cat(u16(1), u16(50), u8(1, 2, 3))), dhcp6(3, 8, u8(0, 1)),
  ];
}

test('corpus-more: the DHCPv6 captures with -v, -vv and -vvv equal tcpdump line for line', () => {
  if (!corpusOrSkip('corpus-more\'s DHCPv6 captures were not compared (crafted messages only)', ['corpus-more']) || !haveTool('tcpdump')) return;
  const files = corpusMoreCaptures().filter((f) => /dhcpv6-/.test(f));
  assert.is(files.length, 3, 'corpus-more holds three DHCPv6 captures');
  for (const f of files) compare(f, f, -1);
});

test('every option tcpdump prints, nested and relayed messages, wrong lengths', () => {
  crafted('dhcp6-v', [...messages(), ...dhcpSeeds().filter((s) => s.v6).map((s) => s.payload)].map(frameOf));
});

test('a rich message cut at every byte, and 3,000 mutated messages', () => {
  const rich = frameOf(messages()[0]);
  const cuts: Frame[] = [];
  for (let cut = 62; cut <= rich.data.length; cut++) cuts.push({ data: rich.data.slice(0, cut), wirelen: rich.wirelen });
  crafted('dhcp6-v-cuts', cuts);
  const rng = new Rng(S ^ 0xd6);
  const seeds = [...messages(), ...dhcpSeeds().filter((s) => s.v6).map((s) => s.payload)];
  const mutated: Frame[] = [];
  for (let i = 0; i < 3000; i++) {
    const p = Uint8Array.from(seeds[rng.int(seeds.length)]);
    for (let k = 1 + rng.int(5); k > 0; k--) p[rng.int(p.length)] = rng.int(3) === 0 ? [0, 1, 2, 3, 9, 12, 13, 0xc0, 0xff][rng.int(9)] : rng.int(256);
    mutated.push(frameOf(p));
  }
  crafted('dhcp6-v-mutated', mutated);
});

test.run();
