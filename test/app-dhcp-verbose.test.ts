// BOOTP/DHCP with -v, -vv and -vvv (host/app/dhcp/text-v.ts) against the installed tcpdump,
// run here: every line equal in full (not only up to the application layer, as the
// text-output tests allow). corpus-more's two DHCP captures with their TESTLIST option
// (-v) and the other two levels; crafted messages with every option of tcpdump's table at
// lengths 0-9 (formats, trailing data), each special option's valid and broken forms, PAD
// runs and bytes after END (-vvv walks past it), the CMU and unknown vendor areas, sname and
// file with and without their NUL; one rich message cut at every byte; and mutated messages.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CraftedFrame } from './text-output-lib.js';
import { tcpdumpText } from './text-output-tcpdump.js';
import { sniffPackets } from './lib/sniff-text.js';
import { writePcap } from './filter-oracle.js';
import { corpusMoreCaptures, corpusOrSkip, haveTool, Rng, seed } from './lib/env.js';
import { bootp, dhcpSeeds, opt } from './lib/dhcp-seeds.js';
import { cat, udpFrame } from './lib/dns-frames.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';

const S = seed();
console.log(`SEED ${S}`);
const LEVELS = [['-v'], ['-vv'], ['-vvv']];
const hasTcpdump = haveTool('tcpdump');
const u8 = (...v: number[]): Uint8Array => Uint8Array.from(v);
const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
const frameOf = (payload: Uint8Array): Uint8Array => udpFrame({ src: '0.0.0.0', dst: '255.255.255.255', sport: 68, dport: 67 }, payload);
const whole = (data: Uint8Array): CraftedFrame => ({ data, wirelen: data.length });

/** Every line of `file` with -nn -tt and each level equals tcpdump's, on both engines;
 *  returns the problems and the number of lines compared. */
function sameAsTcpdump(file: string, label: string): { problems: string[]; lines: number } {
  const problems: string[] = [];
  let lines = 0;
  for (const level of LEVELS) {
    const args = ['-nn', '-tt', ...level];
    const theirs = tcpdumpText(file, args);
    problems.push(...theirs.problems);
    for (const engine of ['wasm', 'ts'] as const) {
      sniffPackets(file, args, theirs.packets.length, engine).forEach((line, i) => {
        if (line === theirs.packets[i]) lines++;
        else problems.push(`${label} ${level[0]} ${engine} #${i + 1}\n     ours: ${JSON.stringify(line)}\n     tcpd: ${JSON.stringify(theirs.packets[i])}`);
      });
    }
  }
  return { problems, lines };
}

function crafted(name: string, frames: CraftedFrame[]): void {
  const dir = mkdtempSync(join(tmpdir(), 'dhcp-v-'));
  try {
    const file = join(dir, `${name}.pcap`);
    writePcap(file, LINKTYPE_ETHERNET, frames);
    const r = sameAsTcpdump(file, name);
    assert.equal(r.problems.slice(0, 10), [], `${r.problems.length} differences from tcpdump`);
    assert.is(r.lines, frames.length * LEVELS.length * 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('corpus-more: the DHCP captures with -v, -vv and -vvv equal tcpdump line for line', () => {
  if (!corpusOrSkip('corpus-more\'s DHCP captures were not compared (crafted messages only)', ['corpus-more']) || !hasTcpdump) return;
  const files = corpusMoreCaptures().filter((f) => /dhcp-rfc5859|bootp_asan-2/.test(f));
  assert.is(files.length, 2, 'corpus-more holds dhcp-rfc5859.pcap and bootp_asan-2.pcap');
  let lines = 0;
  for (const f of files) {
    const r = sameAsTcpdump(f, f);
    assert.equal(r.problems, []);
    lines += r.lines;
  }
  assert.ok(lines >= 15, `${lines} packets compared`);
});

test('every option of tcpdump\'s table at lengths 0-9, and unknown ones', () => {
  if (!hasTcpdump) return;
  const rng = new Rng(S);
  const frames: CraftedFrame[] = [];
  for (let len = 0; len <= 9; len++) {
    // Two messages per length: the options 1-127 and 128-254 (one message would outgrow a
    // byte-counted option walk's interest, not tcpdump's), data of printable and other bytes.
    for (const [from, to] of [[1, 127], [128, 254]]) {
      const options: Uint8Array[] = [];
      for (let tag = from; tag <= to; tag++) {
        if (tag === 55) continue; // the request list has its own test below
        const data = new Uint8Array(len);
        for (let i = 0; i < len; i++) data[i] = rng.int(4) === 0 ? rng.int(256) : 0x41 + rng.int(26);
        options.push(opt(tag, data));
      }
      frames.push(whole(frameOf(bootp({ op: 2, options }))));
    }
  }
  crafted('dhcp-v-table', frames);
});

test('the special options: valid and broken forms, DHCP-Message values, the request list', () => {
  if (!hasTcpdump) return;
  const msgs: Uint8Array[][] = [
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0, 255].map((t) => opt(53, u8(t))),
    [opt(53, u8(1, 2)), opt(53, u8()), opt(55, Uint8Array.from({ length: 255 }, (_, i) => i))],
    [opt(46, u8(1)), opt(46, u8(2)), opt(46, u8(4)), opt(46, u8(8)), opt(46, u8(3)), opt(46, u8()), opt(46, u8(8, 9))],
    [opt(52, u8(1)), opt(52, u8(2)), opt(52, u8(3)), opt(52, u8(0)), opt(52, u8(7)), opt(52, u8()), opt(52, u8(1, 1, 1))],
    [opt(81, u8(0, 0, 0)), opt(81, cat(u8(0x05, 0, 0), ascii('host.example'))), opt(81, cat(u8(0xff, 1, 2), ascii('x'))), opt(81, u8(1, 2)), opt(81, cat(u8(0x0a, 0, 255), u8(0x80, 0x1f)))],
    [opt(61, cat(u8(0), ascii('client-text'))), opt(61, u8(1, 0, 0x0c, 0x29, 1, 2, 3)), opt(61, u8(6, 1, 2)), opt(61, u8(99, 0xab)), opt(61, u8(24)), opt(61, u8())],
    [opt(82, cat(u8(1, 4), ascii('eth0'), u8(2, 3), ascii('rid'), u8(6, 2), ascii('s1'), u8(9, 20), Uint8Array.from({ length: 20 }, (_, i) => i * 13))),
      opt(82, cat(u8(1, 9), ascii('abc'))), opt(82, cat(u8(2, 1), ascii('z'), u8(7))), opt(82, u8())],
    [opt(121, u8(0, 192, 0, 2, 1, 8, 10, 192, 0, 2, 2, 24, 198, 51, 100, 192, 0, 2, 3, 32, 203, 0, 113, 7, 192, 0, 2, 4)),
      opt(249, u8(16, 172, 16, 10, 0, 0, 1)), opt(121, u8(33, 1, 2, 3, 4)), opt(121, u8(24, 1, 2, 3, 4)), opt(121, u8(8, 10, 1))],
    [opt(77, cat(u8(3), ascii('abc'), u8(2), ascii('de'))), opt(77, u8(0, 1)), opt(77, cat(u8(5), ascii('ab'))), opt(77, u8(1))],
    [opt(200, u8(1)), opt(200, u8(1, 2)), opt(201, u8(1, 2, 3)), opt(202, u8(1, 2, 3, 4)), opt(203, u8(1, 2, 3, 4, 5, 6)), opt(223, u8(1, 2, 3, 4, 5, 6, 7, 8))],
  ];
  const frames = msgs.map((options) => whole(frameOf(bootp({ options }))));
  // PAD runs and END: -vvv prints both and goes on past END.
  frames.push(whole(frameOf(cat(bootp({ options: [u8(0, 0, 0), opt(53, u8(3)), u8(0)] }), u8(0, 0, 12, 2, 0x41, 0x42, 0, 255, 0, 0)))));
  // Vendor areas: CMU (with and without its mask flag), an unknown cookie, a zero one.
  const header = bootp({ options: null }).subarray(0, 236);
  const cmu = (flags: number): Uint8Array => cat(ascii('CMU\0'), u8(flags, 0, 0, 0), u8(255, 255, 255, 0), u8(10, 0, 0, 1), u8(10, 0, 0, 53), new Uint8Array(4), u8(10, 0, 0, 9), new Uint8Array(4), u8(10, 0, 0, 7), new Uint8Array(28));
  frames.push(whole(frameOf(cat(header, cmu(1)))), whole(frameOf(cat(header, cmu(0x82)))), whole(frameOf(cat(header, u8(1, 2, 3, 4), new Uint8Array(60)))), whole(frameOf(cat(header, new Uint8Array(64)))));
  // sname and file: text (with non-printable bytes) ended by a NUL, and filling the field.
  for (const fill of [false, true]) {
    const b = bootp({ op: 2, ciaddr: '192.0.2.9', yiaddr: '192.0.2.10', siaddr: '192.0.2.11', giaddr: '192.0.2.12', hops: 3, secs: 77, flags: 0x8001, htype: 6, hlen: 8, options: [opt(53, u8(5))] });
    b.set(fill ? new Uint8Array(64).fill(0x73) : ascii('boot\x01server\xe9\0'), 44);
    b.set(fill ? new Uint8Array(128).fill(0x66) : ascii('pxelinux.0\0'), 108);
    frames.push(whole(frameOf(b)));
  }
  crafted('dhcp-v-special', frames);
});

test('a rich message cut at every byte, and 3,000 mutated messages', () => {
  if (!hasTcpdump) return;
  const rich = frameOf(bootp({ options: [opt(53, u8(1)), opt(61, u8(1, 0, 0x0c, 0x29, 1, 2, 3)), opt(12, ascii('laptop')), opt(55, u8(1, 3, 6, 15, 121)),
    opt(82, cat(u8(1, 4), ascii('eth0'), u8(9, 3), u8(1, 2, 3))), opt(121, u8(24, 10, 1, 2, 192, 0, 2, 1)), opt(77, cat(u8(2), ascii('ab')))] }));
  const cuts: CraftedFrame[] = [];
  for (let cut = 42; cut <= rich.length; cut++) cuts.push({ data: rich.slice(0, cut), wirelen: rich.length });
  crafted('dhcp-v-cuts', cuts);

  const rng = new Rng(S ^ 0xd4c9);
  const seeds = dhcpSeeds().filter((s) => !s.v6).map((s) => s.payload);
  seeds.push(rich.subarray(42));
  const mutated: CraftedFrame[] = [];
  for (let i = 0; i < 3000; i++) {
    const p = Uint8Array.from(seeds[rng.int(seeds.length)]);
    const flips = 1 + rng.int(6);
    // Mostly in the options (from the cookie on), some in the fixed header.
    for (let k = 0; k < flips; k++) {
      const at = rng.int(4) === 0 ? rng.int(Math.min(p.length, 236)) : Math.min(p.length - 1, 236 + rng.int(Math.max(1, p.length - 236)));
      p[at] = rng.int(3) === 0 ? [0, 1, 255, 0x35, 0x52, 0x79][rng.int(6)] : rng.int(256);
    }
    mutated.push(whole(frameOf(p)));
  }
  crafted('dhcp-v-mutated', mutated);
});

test.run();
