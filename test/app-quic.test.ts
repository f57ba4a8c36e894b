// The QUIC decoder against tshark, run here: per frame, every long-header packet's fields
// (form, type, version, connection ids, token length, Length, packet size) and the TLS
// fields of the ClientHello a client's first Initial carries, decrypted with the Initial
// keys (RFC 9001 §5.2), on the corpus QUIC captures and the crafted datagrams of
// lib/quic-seeds.ts (Initials really encrypted, v1 and v2, coalesced packets, 0-RTT, Retry,
// version negotiation, short header, hostile lengths). The Initial keys are checked against
// the RFCs' test vectors (tshark 4.0 predates QUIC v2's final numbers). tcpdump 4.99.3 has
// no QUIC printer ("UDP, length N"), which the sink keeps. Both backends, and the
// mutated-frame check (WASM = twin, no read past caplen).
//
// Handled in the comparison, by design: a short header's Destination Connection ID has no
// length in the packet (RFC 9000 §17.3), so only a decoder that follows the connection
// (tshark) can show it: quic.dcid is not compared on short headers; a client Initial after
// the first one uses the server's id as DCID while its keys still come from the first
// (RFC 9001 §5.2), so tshark, which follows the connection, shows its TLS fields and we do
// not: TLS fields are compared on the frames we decrypt, and the others must be such
// Initials.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import type { DecodedQuic } from '../host/app/quic/decode.js';
import { clientInitialKeys } from '../host/app/quic/initial.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { corpusCaptures, corpusMoreCaptures, corpusOrSkip, haveTool } from './lib/env.js';
import { tsharkFields, tsharkPacketNumbers, compareFrame, newTally, hex, put, type Fields } from './lib/app-tshark.js';
import { quicSeedCapture, quicSeedFrames, quicSeeds, type QuicSeed } from './lib/quic-seeds.js';
import { tlsFieldsOf } from './app-tls-tshark.test.js';
import { fuzzApp } from './lib/app-fuzz.js';
import { APP_QUIC, A_COUNT, QUIC_ITEMS, QUIC_ITEM_SIZE, QI_OFF, QI_LEN } from '../host/app/app-layout.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';

const QUIC_FIELDS = ['quic.header_form', 'quic.long.packet_type', 'quic.version', 'quic.dcil', 'quic.dcid', 'quic.scil', 'quic.scid',
  'quic.token_length', 'quic.length', 'quic.packet_length', 'quic.fixed_bit'] as const;
const TLS_IN_QUIC = ['tls.handshake.type', 'tls.handshake.version', 'tls.handshake.ciphersuite', 'tls.handshake.extension.type',
  'tls.handshake.extensions_server_name', 'tls.handshake.extensions_alpn_str', 'tls.handshake.extensions.supported_version',
  'tls.handshake.extensions_supported_group', 'tls.handshake.ja3_full', 'tls.handshake.ja3'] as const;

function quicFieldsOf(d: DecodedQuic | undefined): Fields {
  const f: Fields = new Map();
  if (d === undefined) return f;
  const all = (k: string, pick: (p: DecodedQuic['packet'][number]) => string | number | undefined): void => {
    put(f, k, d.packet.map(pick).filter((x): x is string | number => x !== undefined));
  };
  all('quic.header_form', (p) => p.header_form);
  all('quic.long.packet_type', (p) => p.long?.packet_type);
  all('quic.version', (p) => (p.version === undefined ? undefined : hex(p.version, 8)));
  all('quic.dcil', (p) => p.dcil);
  all('quic.dcid', (p) => p.dcid);
  all('quic.scil', (p) => p.scil);
  all('quic.scid', (p) => p.scid);
  all('quic.token_length', (p) => p.token_length);
  all('quic.length', (p) => p.length);
  all('quic.packet_length', (p) => p.packet_length);
  all('quic.fixed_bit', (p) => p.fixed_bit);
  if (d.tls !== undefined) for (const [k, v] of tlsFieldsOf({ record: [], handshake: d.tls.handshake })) if ((TLS_IN_QUIC as readonly string[]).includes(k)) f.set(k, v);
  return f;
}

/** Corpus frames tshark knowingly reads otherwise (label #frame), with the reason. */
const CORPUS_ACCEPTED: ReadonlyMap<string, { fields: string[]; why: string }> = new Map([
  ['quic_32_bit_pointer_overflow.pcap #1', {
    fields: ['quic.header_form', 'quic.version', 'quic.dcil', 'quic.dcid', 'quic.scil', 'quic.packet_length', 'quic.fixed_bit'],
    why: 'a long header of an unknown version (0xb2a10200) still has the invariant fields (RFC 8999 §5.1), which we show, as tcpdump 4.99.4+ does ("quic, initial, vb2a10200, dcid 00000100"); tshark shows no QUIC',
  }],
]);

let dir = '';
const captures: Array<{ path: string; label: string; seeds?: QuicSeed[] }> = [];

test.before(() => {
  if (!haveTool('tshark')) return;
  dir = mkdtempSync(join(tmpdir(), 'app-quic-'));
  const e = createEngine();
  for (const path of [...corpusCaptures(), ...corpusMoreCaptures()]) {
    if (readCaptureFile(path).records.some((r) => e.decode(r.data, r.linktype, r.wirelen).quic !== undefined)) captures.push({ path, label: basename(path) });
  }
  captures.push({ path: quicSeedCapture(dir), label: 'quic-seeds', seeds: quicSeeds() });
});

test.after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

test('Initial keys equal the test vectors of RFC 9001 A.1 (v1) and RFC 9369 A.1 (v2)', () => {
  const dcid = Buffer.from('8394c8f03e515708', 'hex');
  const show = (v: number): string[] => { const k = clientInitialKeys(v, dcid)!; return [k.key, k.iv, k.hp].map((b) => b.toString('hex')); };
  assert.equal(show(1), ['1f369613dd76d5467730efcbe3b1a22d', 'fa044b2f42a3fd3b46fb255c', '9f50449e04a0e810283a1e9933adedd2']);
  assert.equal(show(0x6b3343cf), ['8b1a0bc121284290a29e0971b5cd045d', '91f73e2351d8fa91660e909f', '45b95e15235d6f45a6b19cbcb0294ba9']);
  assert.is(clientInitialKeys(0xff00001d, dcid), null, 'no salt for a draft version');
});

for (const backend of ['wasm', 'ts'] as const) {
  test(`every QUIC field, and the decrypted ClientHello's, equals tshark's (${backend})`, () => {
    if (captures.length === 0) return;
    const t = newTally();
    let packets = 0;
    let decrypted = 0;
    for (const c of captures) {
      const e = createEngine({ backend });
      const { records } = readCaptureFile(c.path);
      const theirs = tsharkFields(c.path, [...QUIC_FIELDS, ...TLS_IN_QUIC]);
      const numbers = tsharkPacketNumbers(c.path);
      t.captures++;
      records.forEach((r, i) => {
        const d = e.decode(r.data, r.linktype, r.wirelen).quic;
        packets += d?.packet.length ?? 0;
        if (d?.tls !== undefined) decrypted++;
        const a = quicFieldsOf(d);
        const b = new Map(theirs.get(numbers[i]) ?? new Map<string, string[]>());
        if (d !== undefined && d.packet.length > 0 && d.packet.every((p) => p.header_form === 0)) b.delete('quic.dcid');
        if (d?.tls === undefined && b.has('tls.handshake.type')) {
          // A client Initial we cannot open alone: its DCID is not the connection's first.
          assert.ok(d?.packet[0]?.long?.packet_type === 0, `${c.label} #${r.number}: tshark decrypted a packet that is no Initial`);
          for (const k of TLS_IN_QUIC) b.delete(k);
        }
        const seed = c.seeds?.[i]?.tshark ?? CORPUS_ACCEPTED.get(`${c.label} #${r.number}`);
        if (seed === undefined) { compareFrame(c.label, r.number, a, b, t); return; }
        const differ = [...new Set([...a.keys(), ...b.keys()])].filter((k) => JSON.stringify(a.get(k) ?? []) !== JSON.stringify(b.get(k) ?? []));
        t.frames++;
        if (JSON.stringify(differ.sort()) !== JSON.stringify([...seed.fields].sort())) t.diffs.push(`${c.label} #${r.number}: fields that differ ${JSON.stringify(differ)}, listed ${JSON.stringify(seed.fields)}`);
      });
    }
    console.log(`app-quic tshark (${backend}): ${t.captures} captures, ${t.frames} frames, ${t.values} field values compared, ${packets} QUIC packets, ${decrypted} Initials decrypted, ${t.diffs.length} differences`);
    assert.equal(t.diffs, [], 'differences from tshark');
    if (corpusOrSkip('the corpus QUIC captures were not compared with tshark (crafted datagrams only)', ['corpus', 'corpus-more'])) {
      assert.ok(packets >= 25 && decrypted >= 2 && t.values >= 150, 'the QUIC packets were compared');
    } else assert.ok(packets >= 10 && decrypted >= 2 && t.values >= 72, 'the crafted QUIC packets were compared');
  });
}

test('WASM and twin give identical QUIC records on mutated frames, never reading past caplen', () => {
  const frames = Number(process.env.APP_FUZZ_FRAMES ?? 1_000_000);
  const seeds = quicSeedFrames().map((s) => ({ frame: s.frame.subarray(0, Math.min(s.frame.length, 2048)), linktype: LINKTYPE_ETHERNET }));
  const st = fuzzApp({
    proto: APP_QUIC, seeds, frames, from: () => 42, special: [0x00, 0x40, 0x80, 0xC0, 0xFF, 0x14, 0x15, 0x01, 0x6b],
    check: (u8, rec, cap) => {
      for (let i = 0; i < u8[rec + A_COUNT]; i++) {
        const it = rec + QUIC_ITEMS + i * QUIC_ITEM_SIZE;
        const off = u8[it + QI_OFF] | (u8[it + QI_OFF + 1] << 8);
        if (off >= cap) return `packet ${i} starts past caplen`;
        void QI_LEN;
      }
      return null;
    },
  });
  console.log(`app-quic fuzz: ${st.frames} frames (${seeds.length} seeds), ${st.decoded} decoded as QUIC, ${st.truncated} truncated, ${st.malformed} malformed, ${st.ms} ms`);
  assert.ok(st.decoded > st.frames * 0.5 && st.truncated > st.frames * 0.05 && st.malformed > st.frames * 0.01, 'the QUIC decoder was exercised');
});

test.run();
