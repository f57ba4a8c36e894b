// decode() and the error flags on hand-assembled frames whose every field is known, on
// both backends: the Wireshark-shaped object, and malformed variants that must be
// flagged (never thrown) with dissection stopping at the last sound layer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRequire } from 'node:module';
import { createEngine } from '../host/engine/engine.js';
import { buildSampleFrames } from './lib/sample-frames.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';

const wasm = createEngine({ backend: 'wasm' });
const twin = createEngine({ backend: 'ts', memory: wasm.memory });
const frames = new Map(buildSampleFrames().map((f) => [f.name, f]));
const get = (n: string) => frames.get(n)!;
const rawSocket = createRequire(import.meta.url)('raw-socket') as { createChecksum: (...bufs: Buffer[]) => number };

/**
 * The ICMP checksum an Ethernet/IPv4 frame must carry, computed apart from pktwasm: the
 * message is found from the raw IHL and total length, its checksum field zeroed, and
 * raw-socket's createChecksum (RFC 1071, its own C code) sums it.
 */
function icmpChecksumOracle(frame: Uint8Array): number {
  const ip = 14;
  const ihl = (frame[ip] & 0x0f) * 4;
  const total = (frame[ip + 2] << 8) | frame[ip + 3];
  const msg = Buffer.from(frame.subarray(ip + ihl, ip + total));
  msg[2] = 0;
  msg[3] = 0;
  return rawSocket.createChecksum(msg);
}

for (const [label, e] of [['wasm', wasm], ['twin', twin]] as const) {
  test(`${label}: Ethernet/IPv4/TCP with every option`, () => {
    const f = get('eth-ipv4-tcp-options');
    const p = e.decode(f.data, f.linktype);
    assert.is(p.eth?.src, '02:00:00:00:00:01');
    assert.is(p.eth?.type, 0x0800);
    assert.equal(p.ip?.flags, { rb: 0, df: 1, mf: 0 });
    assert.is(p.ip?.src, '192.0.2.1');
    assert.is(p.ip?.dst, '198.51.100.7');
    assert.is(p.ip?.ttl, 64);
    assert.is(p.ip?.id, 0x1234);
    assert.is(p.tcp?.srcport, 43210);
    assert.is(p.tcp?.dstport, 80);
    assert.is(p.tcp?.seq_raw, 0x01020304);
    assert.is(p.tcp?.ack_raw, 0x0a0b0c0d);
    assert.is(p.tcp?.flags, 0x012);
    assert.is(p.tcp?.hdr_len, 52);
    assert.is(p.tcp?.len, 100);
    assert.equal(p.tcp?.options, { mss_val: 1460, wscale_shift: 7, sack_perm: true, tsval: 1000, tsecr: 2000, sack: [[100, 200]] });
    assert.is(p.errors, undefined);
  });

  test(`${label}: QinQ tags, IPv6 extension chain, ICMP echo, ARP, SLL2, NULL`, () => {
    const q = e.decode(get('eth-qinq-ipv4-udp').data);
    assert.is(q.vlan?.id, 10);
    assert.is(q.vlan?.inner?.id, 20);
    assert.is(q.vlan?.count, 2);
    assert.is(q.udp?.length, 20);

    const x = e.decode(get('eth-ipv6-ext-udp').data);
    assert.is(x.ipv6?.nxt, 0);
    assert.is(x.ipv6?.ext_count, 3);
    assert.is(x.ipv6?.upper, 17);
    assert.equal(x.ipv6?.frag, { offset: 0, more: 1, id: 0xdeadbeef });
    assert.is(x.ipv6?.src, '2001:db8::1');
    assert.is(x.udp?.srcport, 5353);

    const icmpFrame = get('eth-ipv4-icmp-echo').data;
    const i = e.decode(icmpFrame);
    assert.equal(i.icmp, { type: 8, code: 0, checksum: icmpChecksumOracle(icmpFrame), ident: 0x4242, seq: 7 });
    const i6 = e.decode(get('eth-ipv6-icmpv6-echo').data);
    assert.is(i6.icmpv6?.type, 128);
    assert.is(i6.icmpv6?.seq, 2);

    const a = e.decode(get('eth-arp').data);
    assert.is(a.arp?.opcode, 1);
    assert.is(a.arp?.src_proto_ipv4, '192.0.2.1');
    assert.is(a.arp?.dst_proto_ipv4, '198.51.100.7');
    assert.is(a.ip, undefined);

    const s2 = get('sll2-ipv6-udp');
    const s = e.decode(s2.data, s2.linktype);
    assert.is(s.sll?.etype, 0x86dd);
    assert.is(s.udp?.dstport, 53);
    const n = get('null-ipv4-udp');
    assert.is(e.decode(n.data, n.linktype).null?.family, 2);

    const fr = e.decode(get('eth-ipv4-fragment').data);
    assert.is(fr.ip?.frag_offset, 185);
    assert.is(fr.ip?.flags.mf, 1);
    assert.is(fr.udp, undefined, 'a non-first fragment carries no transport header');
  });

  test(`${label}: truncation at every length flags the right layer and never throws`, () => {
    const f = get('eth-ipv4-tcp-options');
    for (let cut = 0; cut <= f.data.length; cut++) {
      const p = e.decode(f.data.subarray(0, cut), LINKTYPE_ETHERNET, f.data.length);
      const errs = p.errors ?? [];
      if (cut < f.data.length) assert.ok(errs.includes('snaplen'), `cut ${cut}: snaplen flag`);
      if (cut < 14) assert.ok(errs.includes('truncated_l2') && !p.eth, `cut ${cut}`);
      else if (cut < 34) assert.ok(errs.includes('truncated_l3') && !p.ip, `cut ${cut}`);
      else if (cut < 54) assert.ok(errs.includes('truncated_l4') && !p.tcp, `cut ${cut}`);
      else if (cut < 86) assert.ok(errs.includes('truncated_l4') && p.tcp && p.tcp.options.mss_val === undefined, `cut ${cut}: options cut off`);
      else assert.ok(p.tcp?.options.mss_val === 1460, `cut ${cut}`);
    }
  });

  test(`${label}: malformed headers are flagged and dissection stops`, () => {
    const base = get('eth-ipv4-tcp-options').data;
    const mut = (fn: (b: Uint8Array) => void): Uint8Array => { const b = Uint8Array.from(base); fn(b); return b; };
    let p = e.decode(mut((b) => { b[14] = 0x44; }));
    assert.ok(p.errors?.includes('bad_ip_hdr_len') && !p.tcp, 'IHL 4');
    p = e.decode(mut((b) => { b[14] = 0x55; }));
    assert.ok(p.errors?.includes('bad_ip_version') && !p.ip, 'version 5');
    p = e.decode(mut((b) => { b[16] = 0; b[17] = 10; }));
    assert.ok(p.errors?.includes('bad_ip_len') && !p.tcp, 'total length 10');
    p = e.decode(mut((b) => { b[16] = 0x10; b[17] = 0; }));
    assert.ok(p.errors?.includes('bad_ip_len'), 'total length past the frame');
    p = e.decode(mut((b) => { b[46] = 0x40 | (b[46] & 15); }));
    assert.ok(p.errors?.includes('bad_tcp_offset') && p.tcp && p.tcp.len === 0, 'data offset 4');
    p = e.decode(mut((b) => { b[55] = 40; }));
    assert.ok(p.errors?.includes('bad_option'), 'MSS option with length 40');
    p = e.decode(base, 147);
    assert.equal(p.errors, ['unknown_linktype']);
    p = e.decode(base, LINKTYPE_ETHERNET, 20);
    assert.ok(p.errors?.includes('caplen_over_wire'));

    const u = get('eth-vlan-ipv4-udp').data;
    const ub = Uint8Array.from(u);
    ub[18 + 20 + 4] = 0; ub[18 + 20 + 5] = 4;
    p = e.decode(ub);
    assert.ok(p.errors?.includes('bad_udp_len') && p.udp?.length === 4);
  });
}

test.run();
