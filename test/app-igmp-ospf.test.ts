// The IGMP and OSPF decoders (assembly/app/{igmp,ospf}.ts, their twins and readers) against
// tshark, run here: every igmp.* and ospf.* field below, per frame and every occurrence, on
// every corpus and corpus-more capture carrying IP protocol 2 or 89 and on the crafted
// messages of lib/l3-seeds.ts (every IGMP type tcpdump names, v3 queries and reports, mtrace,
// OSPF packets of the five types with and without MD5, OSPFv3 over IPv4, lengths that
// disagree), whole and cut at every length (what tshark shows of a cut message: the fields
// before the cut). Both backends. Then mutated frames: WASM = twin, no read past caplen.
// Not compared: LSA bodies, the LLS block, mtrace response blocks (not decoded).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import type { DecodedPacket } from '../host/dissect/decode.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { corpusCaptures, corpusMoreCaptures, corpusOrSkip, haveTool } from './lib/env.js';
import { eachPacketWithTshark, compareFrame, newTally, hex, addFields, type Fields } from './lib/app-tshark.js';
import { l3SeedFrames } from './lib/l3-seeds.js';
import { writeManyPcap } from './lib/line-seeds.js';
import { fuzzApp } from './lib/app-fuzz.js';
import { APP_IGMP, APP_OSPF, A_COUNT, IGMP_ITEMS, IGMP_ITEM_SIZE, OSPF_ITEMS, OSPF_ITEM_SIZE } from '../host/app/app-layout.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';

const IGMP_FIELDS = [
  'igmp.type', 'igmp.version', 'igmp.max_resp', 'igmp.checksum', 'igmp.maddr', 'igmp.identifier', 'igmp.group_type', 'igmp.reply',
  'igmp.reply.pending', 'igmp.s', 'igmp.qrv', 'igmp.qqic', 'igmp.num_src', 'igmp.saddr', 'igmp.num_grp_recs', 'igmp.record_type',
  'igmp.aux_data_len', 'igmp.mtrace.max_hops', 'igmp.mtrace.saddr', 'igmp.mtrace.raddr', 'igmp.mtrace.rspaddr', 'igmp.mtrace.resp_ttl',
  'igmp.mtrace.q_id',
] as const;

const OSPF_FIELDS = [
  'ospf.version', 'ospf.msg', 'ospf.packet_length', 'ospf.srcrouter', 'ospf.area_id', 'ospf.checksum', 'ospf.auth.type', 'ospf.auth.none',
  'ospf.auth.crypt.key_id', 'ospf.auth.crypt.data_length', 'ospf.auth.crypt.seq_nbr', 'ospf.auth.crypt.data', 'ospf.hello.network_mask',
  'ospf.hello.interface_id', 'ospf.hello.hello_interval', 'ospf.hello.router_priority', 'ospf.hello.router_dead_interval',
  'ospf.hello.designated_router', 'ospf.hello.backup_designated_router', 'ospf.hello.active_neighbor', 'ospf.v2.options',
  'ospf.db.interface_mtu', 'ospf.dbd', 'ospf.db.dd_sequence', 'ospf.ls.number_of_lsas', 'ospf.lsa', 'ospf.lsa.age', 'ospf.lsa.id',
  'ospf.link_state_id', 'ospf.advrouter', 'ospf.lsa.seqnum', 'ospf.lsa.chksum', 'ospf.lsa.length',
] as const;

/** Our igmp.* and ospf.* fields of one packet as tshark prints them, in tshark's order. */
export function l3FieldsOf(p: DecodedPacket): Fields {
  const f: Fields = new Map();
  const add = (k: string, v: string | number | undefined): void => { if (v !== undefined) f.set(k, [...(f.get(k) ?? []), String(v)]); };
  const addHex = (k: string, v: number | undefined, digits: number): void => add(k, v === undefined ? undefined : hex(v, digits));
  const g = p.igmp;
  if (g !== undefined) {
    addHex('igmp.type', g.type, 2);
    addFields(f, 'igmp.', g, ['version', 'max_resp']);
    addHex('igmp.checksum', g.checksum, 4);
    addFields(f, 'igmp.', g, ['maddr', 'identifier', 'group_type', 'reply', ['igmp.reply.pending', 'reply_pending'], 's', 'qrv', 'qqic', 'num_src', 'saddr', 'num_grp_recs']);
    for (const r of g.records ?? []) addFields(f, 'igmp.', r, ['record_type', 'aux_data_len', 'num_src', 'maddr', 'saddr']);
    if (g.mtrace !== undefined) addFields(f, 'igmp.mtrace.', g.mtrace, ['max_hops', 'saddr', 'raddr', 'rspaddr', 'resp_ttl', 'q_id']);
  }
  const o = p.ospf;
  if (o !== undefined) {
    addFields(f, 'ospf.', o, ['version', 'msg', 'packet_length', 'srcrouter', 'area_id']);
    addHex('ospf.checksum', o.checksum, 4);
    add('ospf.auth.type', o.auth?.type);
    add('ospf.auth.none', o.auth?.none);
    if (o.auth?.crypt !== undefined) addFields(f, 'ospf.auth.crypt.', o.auth.crypt, ['key_id', 'data_length', 'seq_nbr', 'data']);
    const h = o.hello;
    if (h !== undefined) {
      addFields(f, 'ospf.hello.', h, ['network_mask', 'interface_id', 'hello_interval']);
      addHex('ospf.v2.options', h.options, 2);
      addFields(f, 'ospf.hello.', h, ['router_priority', 'router_dead_interval', 'designated_router', 'backup_designated_router', 'active_neighbor']);
    }
    const db = o.db;
    if (db !== undefined) {
      add('ospf.db.interface_mtu', db.interface_mtu);
      addHex('ospf.v2.options', db.options, 2);
      addHex('ospf.dbd', db.dbd, 2);
      add('ospf.db.dd_sequence', db.dd_sequence);
    }
    add('ospf.ls.number_of_lsas', o.ls?.number_of_lsas);
    for (const r of o.requests ?? []) addFields(f, 'ospf.', r, [['ospf.lsa', 'type'], 'link_state_id', 'advrouter']);
    for (const l of o.lsa ?? []) {
      add('ospf.lsa.age', l.age);
      addHex('ospf.v2.options', l.options, 2);
      addFields(f, 'ospf.', l, [['ospf.lsa', 'type'], ['ospf.lsa.id', 'id'], 'link_state_id', 'advrouter']);
      addHex('ospf.lsa.seqnum', l.seqnum, 8);
      addHex('ospf.lsa.chksum', l.chksum, 4);
      add('ospf.lsa.length', l.length);
    }
  }
  return f;
}

let dir = '';
const captures: Array<{ path: string; label: string }> = [];

test.before(() => {
  if (!haveTool('tshark')) return;
  dir = mkdtempSync(join(tmpdir(), 'app-igmp-ospf-'));
  const e = createEngine();
  for (const path of [...corpusCaptures(), ...corpusMoreCaptures()]) {
    const has = readCaptureFile(path).records.some((r) => { const p = e.decode(r.data, r.linktype, r.wirelen).ip?.proto; return p === 2 || p === 89; });
    if (has) captures.push({ path, label: basename(path) });
  }
  const seeds = l3SeedFrames();
  const whole = join(dir, 'l3-seeds.pcap');
  writeManyPcap(whole, seeds, seeds.map((s) => s.length));
  captures.push({ path: whole, label: 'l3-seeds' });
  // Every seed cut at every length inside its IP payload.
  const frames: Uint8Array[] = [];
  const caplens: number[] = [];
  for (const s of seeds) {
    const from = 14 + (s[14] & 15) * 4;
    for (let c = from + 1; c < s.length; c++) { frames.push(s); caplens.push(c); }
  }
  const cut = join(dir, 'l3-seeds-cut.pcap');
  writeManyPcap(cut, frames, caplens);
  captures.push({ path: cut, label: 'l3-seeds cut' });
});

test.after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

for (const backend of ['wasm', 'ts'] as const) {
  test(`every IGMP and OSPF field equals tshark's (${backend})`, () => {
    if (captures.length === 0) { assert.ok(!haveTool('tshark')); return; }
    const t = newTally();
    let igmp = 0;
    let ospf = 0;
    eachPacketWithTshark(backend, captures, [...IGMP_FIELDS, ...OSPF_FIELDS], t, (c, { record, pkt, theirs }) => {
      if (pkt.igmp !== undefined) igmp++;
      if (pkt.ospf !== undefined) ospf++;
      compareFrame(c.label, record.number, l3FieldsOf(pkt), theirs, t);
    });
    console.log(`app-igmp-ospf tshark (${backend}): ${t.captures} captures, ${t.frames} frames, ${t.values} field values compared, ${igmp} IGMP and ${ospf} OSPF messages, ${t.diffs.length} differences`);
    if (process.env.DUMP_DIFFS) console.log(t.diffs.join("\n")); assert.equal(t.diffs.slice(0, 20), [], "differences from tshark");
    if (corpusOrSkip('IGMP_V2 and OSPFv2_Capture_FINAL were not compared with tshark (crafted messages only)')) {
      assert.ok(t.captures >= 4 && igmp >= 18 && ospf >= 30, 'the corpus messages were compared');
    }
    assert.ok(igmp >= 20 && ospf >= 10 && t.values >= 3000, 'the crafted messages were compared');
  });
}

test('WASM and twin give identical IGMP and OSPF records on mutated frames, never reading past caplen', () => {
  const frames = Number(process.env.APP_FUZZ_FRAMES ?? 1_000_000);
  const seeds = l3SeedFrames().map((frame) => ({ frame, linktype: LINKTYPE_ETHERNET }));
  const items = (u8: Uint8Array, rec: number, at: number, size: number, cap: number, need: number): string | null => {
    for (let i = 0; i < u8[rec + A_COUNT]; i++) {
      const p = u8[rec + at + i * size] | (u8[rec + at + i * size + 1] << 8);
      if (p + need > cap) return `item ${i} past caplen`;
    }
    return null;
  };
  for (const [proto, name] of [[APP_IGMP, 'IGMP'], [APP_OSPF, 'OSPF']] as const) {
    const mine = seeds.filter((s) => s.frame[23] === (proto === APP_IGMP ? 2 : 89));
    const st = fuzzApp({
      proto, seeds: mine, frames: frames / 2, from: (s) => 14 + (s.frame[14] & 15) * 4,
      special: [0, 1, 2, 3, 4, 5, 9, 0x11, 0x12, 0x16, 0x17, 0x1e, 0x1f, 0x22, 20, 24, 36, 0x80, 0xff],
      check: (u8, rec, cap) => (proto === APP_IGMP ? items(u8, rec, IGMP_ITEMS, IGMP_ITEM_SIZE, cap, 8) : items(u8, rec, OSPF_ITEMS, OSPF_ITEM_SIZE, cap, 4)),
    });
    console.log(`app-igmp-ospf fuzz ${name}: ${st.frames} frames (${mine.length} seeds), ${st.decoded} decoded, ${st.truncated} truncated, ${st.malformed} malformed, ${st.ms} ms`);
    assert.ok(st.decoded > st.frames * 0.5 && st.truncated > st.frames * 0.05 && st.malformed > 0, `the ${name} decoder was exercised`);
  }
});

test.run();
