// Oracle: every field that both pktwasm and tshark produce agrees with the corpus's
// tshark reference dissections (TShark 4.0.17), for every frame of every capture, on
// both backends. Intentional differences are narrow and cite their reason below.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { createEngine, type Engine } from '../host/engine.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { ipv6ToString } from '../host/addr.js';
import { corpusCaptures } from './lib/env.js';
import { parseTsharkCsv, type TsharkRow } from './lib/tshark-csv.js';
import {
  L_ETH, L_VLAN, L_IP4, L_IP6, L_TCP, L_UDP, L_ICMP, L_ICMP6, L_ARP, L_FRAG, IPF_MF,
} from '../host/layout.js';

const wasm = createEngine({ backend: 'wasm' });
const twin = createEngine({ backend: 'ts', memory: wasm.memory });

interface Tally { files: number; frames: number; fields: number; skippedRows: number }
const tally: Tally = { files: 0, frames: 0, fields: 0, skippedRows: 0 };

/** Our value of each compared tshark field for one frame, or undefined where we have none. */
function ourFields(engine: Engine, bytes: Uint8Array, linktype: number, wirelen: number): Map<string, string | string[]> {
  const batch = scratch(engine);
  batch.clear();
  batch.push(bytes, linktype, wirelen);
  engine.dissect(batch);
  const v = engine.createView().at(batch, 0);
  const f = new Map<string, string | string[]>();
  const l = v.layers;
  f.set('frame.len', String(v.wireLen));
  f.set('frame.cap_len', String(v.capLen));
  // eth.type is absent in tshark for 802.3 frames (a length, shown as eth.len).
  if (l & L_ETH && v.ethType >= 0x0600) f.set('eth.type', `0x${v.ethType.toString(16).padStart(4, '0')}`);
  if (l & L_VLAN) {
    // tshark files 802.1ad service tags (TPID 0x88a8) under ieee8021ad.id, not vlan.id
    // (IEEE 802.1Q-2018 §9.5 S-TAG vs C-TAG): compare only the tags with TPID 0x8100.
    const ids: string[] = [];
    const tcis = [v.vlanTci0, v.vlanTci1];
    const m = engine.views.u8;
    const first = v.l2Len - 4 * v.vlanCount - 2; // TPID of the outer tag
    for (let k = 0; k < Math.min(2, v.vlanCount); k++) {
      const p = v.frame + first + 4 * k;
      if (((m[p] << 8) | m[p + 1]) === 0x8100) ids.push(String(tcis[k] & 0xFFF));
    }
    if (ids.length) f.set('vlan.id', ids);
  }
  if (l & L_IP4) {
    f.set('ip.src', v.srcString());
    f.set('ip.dst', v.dstString());
    f.set('ip.proto', String(v.ipNxt));
    f.set('ip.len', String(v.ipLen));
    f.set('ip.ttl', String(v.ttl));
    f.set('ip.flags.mf', v.ipFlags & IPF_MF ? '1' : '0');
    f.set('ip.frag_offset', String(v.fragOffset >>> 3)); // tshark 4.0 shows the raw 13-bit field
  }
  if (l & L_IP6) {
    const m = engine.views.u8;
    f.set('ipv6.src', ipv6ToString(m, v.frame + v.l3Off + 8));
    f.set('ipv6.dst', ipv6ToString(m, v.frame + v.l3Off + 24));
    f.set('ipv6.nxt', String(v.ipNxt));
  }
  // tshark reassembles fragmented datagrams and shows the transport fields of the whole
  // datagram on the last fragment; a single fragment carries only part of it (RFC 791
  // §2.3, RFC 8200 §4.5), so transport fields of fragments are not compared.
  const fragment = (l & L_FRAG) !== 0;
  if (l & L_TCP && !fragment) {
    f.set('tcp.srcport', String(v.srcPort));
    f.set('tcp.dstport', String(v.dstPort));
    f.set('tcp.seq_raw', String(v.tcpSeq));
    f.set('tcp.ack_raw', String(v.tcpAck));
    f.set('tcp.flags', `0x${v.tcpFlags.toString(16).padStart(4, '0')}`);
    f.set('tcp.window_size_value', String(v.tcpWindow));
    f.set('tcp.len', String(v.payloadLen));
  }
  if (l & L_UDP && !fragment) {
    f.set('udp.srcport', String(v.srcPort));
    f.set('udp.dstport', String(v.dstPort));
    f.set('udp.length', String(v.udpLength));
  }
  if (l & L_ICMP && !fragment) {
    f.set('icmp.type', String(v.icmpType));
    f.set('icmp.code', String(v.icmpCode));
  }
  if (l & L_ICMP6 && !fragment) f.set('icmpv6.type', String(v.icmpType));
  if (l & L_ARP) f.set('arp.opcode', String(v.arpOpcode));
  return f;
}

const batches = new Map<Engine, ReturnType<Engine['createBatch']>>();
function scratch(engine: Engine): ReturnType<Engine['createBatch']> {
  let b = batches.get(engine);
  if (!b) { b = engine.createBatch(1, 1 << 20); batches.set(engine, b); }
  return b;
}

function hasProtocolFields(row: TsharkRow): boolean {
  for (const k of row.keys()) if (!k.startsWith('frame.')) return true;
  return false;
}

function compareFile(path: string, engine: Engine): string[] {
  const csvPath = `${path}.tshark.csv`;
  if (!existsSync(csvPath)) return [];
  const rows = parseTsharkCsv(readFileSync(csvPath, 'utf8'));
  const { records } = readCaptureFile(path);
  const problems: string[] = [];
  let r = 0;
  for (const row of rows) {
    const rec = records[r];
    const len = row.get('frame.len')?.[0];
    const cap = row.get('frame.cap_len')?.[0];
    // tshark 4.0 lists pcapng custom blocks as frames (corpus README): such rows match
    // no record of ours and carry no protocol field.
    if (rec === undefined || String(rec.wirelen) !== len || String(rec.caplen) !== cap) {
      if (!hasProtocolFields(row) && path.endsWith('.pcapng')) { tally.skippedRows++; continue; }
      problems.push(`${path} row ${row.get('frame.number')}: no matching record (ours #${r + 1})`);
      break;
    }
    r++;
    tally.frames++;
    const ours = ourFields(engine, rec.data, rec.linktype, rec.wirelen);
    for (const [field, value] of ours) {
      const theirs = row.get(field);
      if (theirs === undefined) continue; // tshark does not produce it: nothing to compare
      tally.fields++;
      // Repeated fields (tunnels, ICMP-quoted headers) list the outermost first, which
      // is the header we dissect.
      const want = Array.isArray(value) ? theirs.slice(0, value.length) : theirs[0];
      if (JSON.stringify(want) !== JSON.stringify(value)) {
        problems.push(`${path.split('/corpus/')[1]} frame ${rec.number} ${field}: ours ${JSON.stringify(value)} tshark ${JSON.stringify(theirs)}`);
      }
    }
  }
  if (r !== records.length && problems.length === 0) problems.push(`${path}: ${records.length - r} records without a tshark row`);
  return problems;
}

const files = corpusCaptures();

for (const [name, engine] of [['wasm', wasm], ['ts twin', twin]] as const) {
  test(`${name}: every field agrees with tshark on every corpus frame`, () => {
    const problems: string[] = [];
    for (const f of files) {
      if (engine === wasm) tally.files++;
      problems.push(...compareFile(f, engine));
    }
    if (problems.length) console.log(problems.slice(0, 60).join('\n'));
    assert.is(problems.length, 0, `${problems.length} disagreements with tshark`);
  });
}

test('corpus coverage', () => {
  console.log(`NOTE dissect-tshark: ${tally.files} captures, ${tally.frames} frame comparisons, ${tally.fields} field comparisons, ${tally.skippedRows} tshark custom-block rows skipped`);
  if (files.length > 0) assert.ok(tally.fields > 5000, 'the oracle compared too few fields to mean anything');
});

test.run();
