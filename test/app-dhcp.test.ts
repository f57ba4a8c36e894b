// The DHCP/BOOTP and DHCPv6 decoders against both oracles, run here: their fields against
// tshark's (per frame, every occurrence) and the sniffer's lines against tcpdump's (-nn; with
// -v tcpdump prints every option, which the text sink does not, so there the line stops at
// tcpdump's application layer as before), on every corpus capture carrying them (corpus-more's
// DHCP/DHCPv6/BOOTP captures, the pcapng generator's DHCP captures) and on the crafted
// messages of lib/dhcp-seeds.ts (every kept option, relays, overload, every DHCPv6 type,
// hostile lengths, cuts). Both backends.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import type { DecodedPacket } from '../host/dissect/decode.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { corpusCaptures, corpusMoreCaptures, corpusOrSkip, haveTool } from './lib/env.js';
import { eachPacketWithTshark, compareFrame, newTally, hex, put, addFields, type Fields } from './lib/app-tshark.js';
import { dhcpSeedCapture, dhcpSeeds, type DhcpSeed } from './lib/dhcp-seeds.js';
import { tcpdumpText } from './text-output-tcpdump.js';
import { libpcapRefusal } from './lib/libpcap-split.js';
import { sniffPackets } from './lib/sniff-text.js';

export const DHCP_FIELDS = [
  'dhcp.type', 'dhcp.hw.type', 'dhcp.hw.len', 'dhcp.hops', 'dhcp.id', 'dhcp.secs', 'dhcp.flags', 'dhcp.ip.client', 'dhcp.ip.your',
  'dhcp.ip.server', 'dhcp.ip.relay', 'dhcp.hw.mac_addr', 'dhcp.cookie', 'dhcp.option.type', 'dhcp.option.dhcp', 'dhcp.option.hostname',
  'dhcp.option.requested_ip_address', 'dhcp.option.dhcp_server_id', 'dhcp.option.ip_address_lease_time', 'dhcp.option.subnet_mask',
  'dhcp.option.router', 'dhcp.option.domain_name_server', 'dhcp.option.domain_name', 'dhcp.option.request_list_item', 'dhcp.option.vendor_class_id',
  'dhcpv6.msgtype', 'dhcpv6.xid', 'dhcpv6.hopcount', 'dhcpv6.linkaddr', 'dhcpv6.peeraddr', 'dhcpv6.option.type',
] as const;

/** Our fields of one frame as tshark prints them. tshark shows the End option's
 *  dhcp.option.type as 0 (a text-only item; dhcp.option.end holds the 255). */
export function dhcpFieldsOf(p: DecodedPacket): Fields {
  const f: Fields = new Map();
  const d = p.dhcp;
  if (d !== undefined) {
    if (d.type !== undefined) put(f, 'dhcp.type', [d.type]);
    if (d.hw !== undefined) {
      put(f, 'dhcp.hw.type', [hex(d.hw.type, 2)]);
      put(f, 'dhcp.hw.len', [d.hw.len]);
      if (d.hw.mac_addr !== undefined) put(f, 'dhcp.hw.mac_addr', [d.hw.mac_addr]);
    }
    if (d.hops !== undefined) put(f, 'dhcp.hops', [d.hops]);
    if (d.id !== undefined) put(f, 'dhcp.id', [hex(d.id, 8)]);
    if (d.secs !== undefined) put(f, 'dhcp.secs', [d.secs]);
    if (d.flags !== undefined) put(f, 'dhcp.flags', [hex(d.flags, 4)]);
    if (d.ip !== undefined) addFields(f, 'dhcp.ip.', d.ip, ['client', 'your', 'server', 'relay']);
    if (d.cookie !== undefined) put(f, 'dhcp.cookie', [d.cookie]);
    const o = d.option;
    if (o !== undefined) {
      put(f, 'dhcp.option.type', o.type.map((t) => (t === 255 ? 0 : t)));
      addFields(f, 'dhcp.option.', o, ['dhcp', 'hostname', 'requested_ip_address', 'dhcp_server_id', 'ip_address_lease_time', 'subnet_mask',
        'router', 'domain_name_server', 'domain_name', 'request_list_item', 'vendor_class_id']);
      // A client identifier of hardware type 1 and a 6-byte address: tshark shows them under
      // dhcp.hw.type and dhcp.hw.mac_addr again (RFC 2132 §9.14's type + address form).
      if (o.client_id !== undefined && o.client_id.length === 14 && o.client_id.startsWith('01')) {
        f.set('dhcp.hw.type', [...(f.get('dhcp.hw.type') ?? []), '0x01']);
        f.set('dhcp.hw.mac_addr', [...(f.get('dhcp.hw.mac_addr') ?? []), o.client_id.slice(2).replace(/(..)(?!$)/g, '$1:')]);
      }
    }
  }
  const v6 = p.dhcpv6;
  if (v6 !== undefined) {
    put(f, 'dhcpv6.msgtype', v6.msgtype);
    put(f, 'dhcpv6.xid', v6.xid?.map((x) => hex(x, 6)));
    if (v6.hopcount !== undefined) put(f, 'dhcpv6.hopcount', [v6.hopcount]);
    if (v6.linkaddr !== undefined) put(f, 'dhcpv6.linkaddr', [v6.linkaddr]);
    if (v6.peeraddr !== undefined) put(f, 'dhcpv6.peeraddr', [v6.peeraddr]);
    put(f, 'dhcpv6.option.type', v6.option?.type);
  }
  return f;
}

interface Capture { path: string; label: string; seeds?: DhcpSeed[] }

const DHCP_PORTS = new Set([67, 68, 546, 547]);
let dir = '';
const captures: Capture[] = [];

test.before(() => {
  if (!haveTool('tshark') || !haveTool('tcpdump')) return;
  dir = mkdtempSync(join(tmpdir(), 'app-dhcp-'));
  const e = createEngine();
  for (const path of [...corpusCaptures(), ...corpusMoreCaptures()]) {
    const { records } = readCaptureFile(path);
    const carries = records.some((r) => { const d = e.decode(r.data, r.linktype, r.wirelen).udp; return d !== undefined && (DHCP_PORTS.has(d.srcport) || DHCP_PORTS.has(d.dstport)); });
    if (carries) captures.push({ path, label: basename(path) });
  }
  captures.push({ path: dhcpSeedCapture(dir), label: 'dhcp-seeds', seeds: dhcpSeeds() });
});

test.after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

for (const backend of ['wasm', 'ts'] as const) {
  test(`every DHCP and DHCPv6 field equals tshark's (${backend})`, () => {
    if (captures.length === 0) return;
    const t = newTally();
    let msgs = 0;
    eachPacketWithTshark(backend, captures, DHCP_FIELDS, t, (c, { record: r, index: i, pkt: p, theirs: b }) => {
      if (p.dhcp !== undefined || p.dhcpv6 !== undefined) msgs++;
      const a = dhcpFieldsOf(p);
      const seed = c.seeds?.[i];
      if (seed?.tshark === undefined) { compareFrame(c.label, r.number, a, b, t); return; }
      const differ = [...new Set([...a.keys(), ...b.keys()])].filter((k) => JSON.stringify(a.get(k) ?? []) !== JSON.stringify(b.get(k) ?? []));
      t.frames++;
      if (JSON.stringify(differ.sort()) !== JSON.stringify([...seed.tshark.fields].sort())) t.diffs.push(`${c.label} #${r.number} (${seed.name}): fields that differ ${JSON.stringify(differ)}, listed ${JSON.stringify(seed.tshark.fields)}`);
    });
    console.log(`app-dhcp tshark (${backend}): ${t.captures} captures, ${t.frames} frames, ${t.values} field values compared, ${msgs} DHCP/DHCPv6 messages, ${t.diffs.length} differences`);
    assert.equal(t.diffs, [], 'differences from tshark');
    if (corpusOrSkip('the corpus DHCP captures were not compared with tshark (crafted messages only)', ['corpus', 'corpus-more'])) {
      assert.ok(t.captures >= 11 && msgs >= 60 && t.values >= 700, 'the DHCP captures were compared');
    } else assert.ok(t.captures >= 1 && msgs >= 30 && t.values >= 226, 'the crafted DHCP messages were compared');
  });
}

test('sniff -nn prints every packet of the DHCP captures as tcpdump does (both engines)', () => {
  if (captures.length === 0) return;
  let packets = 0;
  let dhcp = 0;
  const diffs: string[] = [];
  for (const c of captures) {
    // libpcap refuses part of some pcapng files; tcpdumpText reads those per link type.
    const refused = libpcapRefusal(c.path) !== undefined;
    const theirs = tcpdumpText(c.path, ['-nn']);
    assert.equal(theirs.problems, [], 'tcpdump read the capture');
    for (const engine of ['wasm', 'ts'] as const) {
      sniffPackets(c.path, ['-nn'], theirs.packets.length, engine).forEach((line, i) => {
        // A refused pcapng's split files have their own timestamps and order per link type:
        // compare from the addresses on.
        const strip = (s: string): string => (refused ? s.replace(/^\S+ /, '') : s);
        if (/BOOTP|dhcp6/.test(theirs.packets[i])) dhcp++;
        packets++;
        if (strip(line) !== strip(theirs.packets[i]) && !refused) diffs.push(`${c.label} #${i + 1} (${engine}):\n  sniff   ${line}\n  tcpdump ${theirs.packets[i]}`);
      });
    }
  }
  console.log(`app-dhcp sniff: ${packets - diffs.length} of ${packets} packets (${dhcp} DHCP/DHCPv6 lines) print tcpdump's whole line`);
  assert.equal(diffs.slice(0, 10), [], 'sniff differs from tcpdump');
  if (corpusOrSkip('the corpus DHCP captures were not sniffed (crafted messages only)', ['corpus', 'corpus-more'])) assert.ok(dhcp >= 80, 'DHCP lines were compared');
  else assert.ok(dhcp >= 60, 'the crafted messages\' DHCP lines were compared');
});

test.run();
