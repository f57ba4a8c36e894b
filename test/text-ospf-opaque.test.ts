// OSPFv2 opaque LSAs (RFC 5250 types 9, 10, 11) in LS-Updates against the installed tcpdump,
// line for line at -v levels 0-3 on both engines: traffic-engineering, graceful-restart and
// router-information TLVs (host/app/ospf/text-te.ts, through text-v2.ts), each malformed
// form in an LSA of its own (tcpdump ends that LSA and goes on with the next), an unknown
// opaque type; one big update cut at every byte; mutated updates.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePcap } from './filter-oracle.js';
import { tcpdumpText } from './text-output-tcpdump.js';
import { sniffPackets } from './lib/sniff-text.js';
import { haveTool, Rng, seed } from './lib/env.js';
import { graceBroken, graceTlvs, riBodies, teBroken, teTlvs } from './lib/ospf-tlvs.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';

const S = seed();
console.log(`SEED ${S}`);
type Frame = { data: Uint8Array; wirelen: number };
const u16 = (v: number): number[] => [(v >>> 8) & 255, v & 255];
const u32 = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];

/** An opaque LSA: header (type 9-11, opaque type and id in the LSA id) and body. */
const opaque = (lsType: number, opaqueType: number, body: number[]): number[] =>
  [...u16(7), 0x42, lsType, opaqueType, 0, 0, 5, 10, 0, 0, 2, ...u32(0x80000002), 0, 0, ...u16(20 + body.length), ...body];

function update(lsas: number[][]): number[] {
  const body = [...u32(lsas.length), ...lsas.flat()];
  return [2, 4, ...u16(24 + body.length), 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...body];
}

function frame(ospf: number[]): Frame {
  const total = 20 + ospf.length;
  const ip = [0x45, 0xc0, ...u16(total), 0, 1, 0, 0, 1, 89, 0, 0, 10, 0, 0, 1, 224, 0, 0, 5];
  const data = Uint8Array.from([1, 0, 0x5e, 0, 0, 5, 2, 0, 0, 0, 0, 1, 8, 0, ...ip, ...ospf]);
  return { data, wirelen: data.length };
}

function updates(): number[][] {
  const out: number[][] = [update([opaque(10, 1, teTlvs()), opaque(9, 3, graceTlvs()), opaque(11, 4, riBodies()[0]), opaque(10, 2, [1, 2, 3, 4, 5, 6])])];
  for (const b of teBroken()) out.push(update([opaque(10, 1, b), opaque(10, 4, riBodies()[0])]));
  for (const b of graceBroken()) out.push(update([opaque(9, 3, b), opaque(11, 1, teTlvs().slice(0, 8))]));
  for (const b of riBodies().slice(1)) out.push(update([opaque(11, 4, b), opaque(9, 3, graceTlvs())]));
  return out;
}

function compare(name: string, frames: Frame[]): void {
  if (!haveTool('tcpdump')) return;
  const dir = mkdtempSync(join(tmpdir(), 'ospf-opaque-'));
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
    assert.equal(problems.slice(0, 6), [], `${problems.length} differences`);
    assert.is(lines, frames.length * 8);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('TE, graceful-restart and router-information TLVs, each malformed form', () => {
  compare('ospf-opaque', updates().map(frame));
});

test('the big update cut at every byte', () => {
  const f = frame(updates()[0]);
  const frames: Frame[] = [];
  for (let cut = 14 + 20; cut < f.data.length; cut++) frames.push({ data: f.data.slice(0, cut), wirelen: f.wirelen });
  compare('ospf-opaque-cuts', frames);
});

test('2,000 mutated updates', () => {
  const rng = new Rng(S ^ 0x0a9e);
  const seeds = updates();
  const frames: Frame[] = [];
  for (let i = 0; i < 2000; i++) {
    const p = [...seeds[rng.int(seeds.length)]];
    for (let k = 1 + rng.int(4); k > 0; k--) {
      const at = 28 + rng.int(p.length - 28);
      p[at] = rng.int(3) === 0 ? [0, 1, 2, 3, 4, 8, 0x7f, 0x80, 0xff][rng.int(9)] : rng.int(256);
    }
    frames.push(frame(p));
  }
  compare('ospf-opaque-mutated', frames);
});

test.run();
