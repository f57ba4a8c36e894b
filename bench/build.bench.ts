// Build + checksum of a TCP/IPv4 packet (Ethernet, MSS/SACK-perm/TS/WS options) and a
// UDP/IPv6 packet (Ethernet), payloads of 64 and 1000 bytes: WASM vs the TS twin, same
// spec, same buffer, one run. Each call rewinds the buffer to its payload and builds the
// headers in front of it, filling every length and checksum (what a sender does per packet).
import { createEngine, type Engine } from '../host/engine/engine.js';
import { Builder, type PacketSpec } from '../host/builder/builder.js';
import { MB_DATA, MB_LEN } from '../host/pool/twin.js';
import { compare } from './lib/compare.js';

const wasm = createEngine({ backend: 'wasm' });
const twin = createEngine({ backend: 'ts', memory: wasm.memory });
const REPS = 1000;

function setup(engine: Engine, spec: PacketSpec): () => void {
  const b = new Builder(engine, { count: 4, bufSize: 4096, headroom: 256 });
  b.writeSpec(spec);
  const m = b.pool.alloc();
  b.pool.append(m, spec.payload ?? new Uint8Array(0));
  const len = spec.payload?.length ?? 0;
  const u32 = engine.views.refresh().u32;
  const build = b.core.build_packet;
  const s = b.spec;
  const first = build(s, m);
  if (first < 0) throw new Error(`bench spec does not build: ${first}`);
  return () => {
    for (let i = 0; i < REPS; i++) {
      u32[(m + MB_DATA) >>> 2] = 256; // rewind to the payload: the headers are built again
      u32[(m + MB_LEN) >>> 2] = len;
      build(s, m);
    }
  };
}

const eth = { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };
for (const size of [64, 1000]) {
  const payload = new Uint8Array(size).map((_, i) => i * 7);
  const tcp4: PacketSpec = {
    eth, ip: { src: '10.0.0.1', dst: '10.0.0.2', ttl: 64, id: 7, flags: { df: 1 } },
    tcp: { srcport: 40000, dstport: 443, seq_raw: 1, ack_raw: 2, flags: 0x018, options: { tsval: 1, tsecr: 2 } }, payload,
  };
  const syn4: PacketSpec = { ...tcp4, tcp: { ...tcp4.tcp!, flags: 0x002, options: { mss_val: 1460, sack_perm: true, tsval: 1, tsecr: 0, wscale_shift: 7 } } };
  const udp6: PacketSpec = { eth, ipv6: { src: 'fd00::1', dst: 'fd00::2', flow: 5 }, udp: { srcport: 5000, dstport: 53 }, payload };
  for (const [name, spec] of [['TCP/IPv4 (TS option)', tcp4], ['TCP/IPv4 SYN (MSS, SACK-perm, TS, WS)', syn4], ['UDP/IPv6', udp6]] as const) {
    if (name.includes('SYN') && size !== 64) continue;
    await compare({ title: `build + checksum: Ethernet ${name}, ${size} B payload (${REPS} packets per sample)`, unitsPerCall: REPS, throughput: 'Mpps' }, [
      { name: 'wasm', fn: setup(wasm, spec) },
      { name: 'ts twin', fn: setup(twin, spec) },
    ]);
  }
}
