// The TLS decoder's fields against tshark, run here, on TLS recorded here (test/lib/
// app-traffic.ts: OpenSSL s_server/s_client and curl, TLS 1.2 and 1.3, with and without
// SNI and ALPN, on 443 and on 8443, which only detection by content finds) with lo's MTU at
// 65536 (each flight one segment) and at 1500 without GSO (flights over several segments),
// and on the crafted hellos of lib/tls-seeds.ts (GREASE, odd extensions): per frame, every
// field below, all occurrences in order, as `tshark -T fields -E occurrence=a` prints them
// with TCP reassembly off. Both backends.
//
// One difference is by design and handled in the comparison: a record of type 23 is
// content_type to us (the byte on the wire) and opaque_type to tshark once it knows the
// session is TLS 1.3 (RFC 8446 §5.2), which takes the session's state; the record types are
// compared as one list, content_type and opaque_type together, in order of value.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { readCaptureFile } from '../host/sources/capture-file.js';
import type { DecodedTls } from '../host/app/tls/decode.js';
import { createEngine } from '../host/engine/engine.js';
import { haveTool, needRoot } from './lib/env.js';
import { recordWeb, haveWebTools } from './lib/app-traffic.js';
import { tsharkFields, compareFrame, newTally, hex, put, type Fields, type Tally } from './lib/app-tshark.js';
import { tlsSeedCapture, tlsSeeds, type TlsSeed } from './lib/tls-seeds.js';

export const TLS_FIELDS = [
  'tls.record.content_type', 'tls.record.opaque_type', 'tls.record.version', 'tls.record.length',
  'tls.handshake.type', 'tls.handshake.version', 'tls.handshake.random', 'tls.handshake.session_id_length', 'tls.handshake.session_id',
  'tls.handshake.ciphersuite', 'tls.handshake.comp_method', 'tls.handshake.extension.type',
  'tls.handshake.extensions_server_name', 'tls.handshake.extensions_alpn_str', 'tls.handshake.extensions.supported_version',
  'tls.handshake.extensions_supported_group', 'tls.handshake.extensions_ec_point_format', 'tls.handshake.sig_hash_alg',
  'tls.handshake.ja3_full', 'tls.handshake.ja3', 'tls.handshake.ja3s_full', 'tls.handshake.ja3s',
] as const;

const TYPES = 'tls.record.content_type+opaque_type';

/** Our fields of one frame, formatted as tshark prints them. */
export function tlsFieldsOf(d: DecodedTls | undefined): Fields {
  const f: Fields = new Map();
  if (d === undefined) return f;
  put(f, TYPES, d.record.map((r) => r.content_type).sort((a, b) => a - b));
  put(f, 'tls.record.version', d.record.map((r) => hex(r.version, 4)));
  put(f, 'tls.record.length', d.record.map((r) => r.length));
  const h = d.handshake;
  if (h === undefined) return f;
  put(f, 'tls.handshake.type', h.type);
  if (h.version !== undefined) put(f, 'tls.handshake.version', [hex(h.version, 4)]);
  if (h.random !== undefined) put(f, 'tls.handshake.random', [h.random]);
  if (h.session_id_length !== undefined) put(f, 'tls.handshake.session_id_length', [h.session_id_length]);
  if (h.session_id !== undefined) put(f, 'tls.handshake.session_id', [h.session_id]);
  put(f, 'tls.handshake.ciphersuite', h.ciphersuite?.map((v) => hex(v, 4)));
  put(f, 'tls.handshake.comp_method', h.comp_method);
  put(f, 'tls.handshake.extension.type', h.extension?.type);
  if (h.extensions_server_name !== undefined) put(f, 'tls.handshake.extensions_server_name', [h.extensions_server_name]);
  put(f, 'tls.handshake.extensions_alpn_str', h.extensions_alpn_str);
  put(f, 'tls.handshake.extensions.supported_version', h.extensions?.supported_version.map((v) => hex(v, 4)));
  put(f, 'tls.handshake.extensions_supported_group', h.extensions_supported_group?.map((v) => hex(v, 4)));
  put(f, 'tls.handshake.extensions_ec_point_format', h.extensions_ec_point_format);
  put(f, 'tls.handshake.sig_hash_alg', h.sig_hash_alg?.map((v) => hex(v, 4)));
  for (const k of ['ja3_full', 'ja3', 'ja3s_full', 'ja3s'] as const) if (h[k] !== undefined) put(f, `tls.handshake.${k}`, [h[k] as string]);
  return f;
}

/** tshark's fields with the record types merged as described at the top. */
function theirFields(m: Fields): Fields {
  const out = new Map(m);
  const types = [...(m.get('tls.record.content_type') ?? []), ...(m.get('tls.record.opaque_type') ?? [])].map(Number).sort((a, b) => a - b);
  out.delete('tls.record.content_type');
  out.delete('tls.record.opaque_type');
  put(out, TYPES, types);
  return out;
}

interface Capture { path: string; label: string; theirs: Map<number, Fields>; seeds?: TlsSeed[] }

/** Fields of a frame as compared: tls.handshake.sig_hash_alg only where the hellos are the
 *  only handshake messages (tshark adds the signature algorithm of a ServerKeyExchange or
 *  CertificateVerify to the same field; ours is the hello's signature_algorithms). */
function comparable(f: Fields, types: string[] | undefined): Fields {
  if (types !== undefined && types.some((x) => x !== '1' && x !== '2')) f.delete('tls.handshake.sig_hash_alg');
  return f;
}

function compareCapture(c: Capture, backend: 'wasm' | 'ts', t: Tally): Array<DecodedTls | undefined> {
  const { records } = readCaptureFile(c.path);
  const e = createEngine({ backend });
  const ours = records.map((r) => e.decode(r.data, r.linktype, r.wirelen).tls);
  t.captures++;
  records.forEach((r, i) => {
    const theirs = theirFields(c.theirs.get(r.number) ?? new Map());
    const types = theirs.get('tls.handshake.type');
    const a = comparable(tlsFieldsOf(ours[i]), types);
    const b = comparable(theirs, types);
    const seed = c.seeds?.[i];
    if (seed?.tshark === undefined) { compareFrame(c.label, r.number, a, b, t); return; }
    // A crafted hello tshark knowingly reads otherwise: exactly the listed fields differ.
    const differ = [...new Set([...a.keys(), ...b.keys()])].filter((k) => JSON.stringify(a.get(k) ?? []) !== JSON.stringify(b.get(k) ?? []));
    t.frames++;
    if (JSON.stringify(differ.sort()) !== JSON.stringify([...seed.tshark.fields].sort())) {
      t.diffs.push(`${c.label} #${r.number} (${seed.name}): fields that differ ${JSON.stringify(differ)}, listed ${JSON.stringify(seed.tshark.fields)}`);
    }
  });
  return ours;
}

let dir = '';
const captures: Capture[] = [];

test.before(async () => {
  if (!needRoot('recording TLS in a network namespace') || !haveTool('tshark')) return;
  if (!haveWebTools('app-tls-tshark')) return;
  dir = mkdtempSync(join(tmpdir(), 'app-tls-'));
  const webs = await Promise.all([recordWeb(dir, 65536), recordWeb(dir, 1500)]);
  for (const w of webs) {
    captures.push({ path: w.path, label: basename(w.path, '.pcap'), theirs: tsharkFields(w.path, TLS_FIELDS, ['-d', `tcp.port==${w.tlsAltPort},tls`]) });
  }
  const seeds = tlsSeedCapture(dir);
  captures.push({ path: seeds, label: 'tls-seeds', theirs: tsharkFields(seeds, TLS_FIELDS, ['-d', 'tcp.port==4433,tls']), seeds: tlsSeeds() });
});

test.after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

for (const backend of ['wasm', 'ts'] as const) {
  test(`every TLS field of recorded and crafted TLS equals tshark's (${backend})`, () => {
    if (captures.length === 0) return;
    const t = newTally();
    let hellos = 0;
    let sni = 0;
    let alpn = 0;
    let ja3 = 0;
    let spanning = 0;
    for (const c of captures) {
      for (const d of compareCapture(c, backend, t)) {
        if (d?.handshake?.version !== undefined) hellos++;
        if (d?.handshake?.extensions_server_name !== undefined) sni++;
        if (d?.handshake?.extensions_alpn_str !== undefined) alpn++;
        if (d?.handshake?.ja3 !== undefined || d?.handshake?.ja3s !== undefined) ja3++;
        if (d?.continues !== undefined) spanning++;
      }
    }
    console.log(`app-tls-tshark (${backend}): ${t.captures} captures, ${t.frames} frames, ${t.values} field values compared, ${hellos} hellos (${sni} SNI, ${alpn} ALPN, ${ja3} JA3/JA3S), ${spanning} records going on in a later segment, ${t.diffs.length} differences`);
    assert.equal(t.diffs, [], 'differences from tshark');
    assert.ok(hellos >= 30 && sni >= 14 && alpn >= 10 && ja3 >= 30 && spanning >= 4, 'the recorded handshakes were all compared');
  });
}

test.run();
