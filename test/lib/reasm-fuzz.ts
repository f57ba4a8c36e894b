// The reassembly fuzz, shared by test/reasm-fuzz.test.ts and bench/reasm.bench.ts: mutated
// fragment trains (overlaps, gaps, duplicates, bad and huge offsets, flipped MF bits,
// foreign identifications, cut frames, corrupt headers, clock jumps past the timeouts)
// through dissection and reassembly on both backends over one memory. It throws when WASM
// and twin differ in any descriptor (the reassembled bytes compared in place of their
// address) or in the datagrams a batch completes; the caller checks the rest.
import { createEngine } from '../../host/engine/engine.js';
import { Reassembler, type ReassemblerStats } from '../../host/reasm/reassembler.js';
import { DESC_SIZE, D_LAYERS, D_REASM_PTR, D_REASM_LEN, L_REASM, LINKTYPE_ETHERNET } from '../../host/runtime/layout.js';
import { rng } from './frag-train.js';

export const FUZZ_BATCH = 64;
export const FUZZ_MAX_DATAGRAMS = 64;
export const FUZZ_MAX_BYTES = 96 * 1024;

export interface FuzzResult {
  trains: number;
  frames: number;
  reassembled: number;
  wasm: ReassemblerStats;
  twin: ReassemblerStats;
  /** Most payload bytes / datagrams held at once (after any batch). */
  maxHeld: number;
  maxLive: number;
  /** Bytes the arena grew by while the trains ran (must be 0). */
  arenaGrowth: number;
  /** Wall time of the whole run, ms. */
  ms: number;
}

export function fuzzReassembly(trains: number, seedValue: number): FuzzResult {
  const t0 = performance.now();
  const wasm = createEngine({ backend: 'wasm' });
  const twin = createEngine({ backend: 'ts', memory: wasm.memory });
  const BATCH = FUZZ_BATCH;
  const MAX_DATAGRAMS = FUZZ_MAX_DATAGRAMS;
  const MAX_BYTES = FUZZ_MAX_BYTES;
  const r = rng(seedValue);
  const ra = new Reassembler(wasm, { maxDatagrams: MAX_DATAGRAMS, maxBytes: MAX_BYTES, outputBytes: 0x10400 });
  const rb = new Reassembler(twin, { maxDatagrams: MAX_DATAGRAMS, maxBytes: MAX_BYTES, outputBytes: 0x10400 });
  const ba = wasm.createBatch(BATCH, BATCH * 1600);
  const bb = twin.createBatch(BATCH, BATCH * 1600);
  const arenaUsed = wasm.arena.used;
  const fail = (why: string): never => { throw new Error(why); };
  const frame = new Uint8Array(1600);
  const dv = new DataView(frame.buffer);
  let sec = 1_700_000_000;
  let nsec = 0;
  let frames = 0;
  let reassembled = 0;
  let maxHeld = 0;
  let maxLive = 0;

  const flush = (): void => {
    if (ba.count === 0) return;
    wasm.dissect(ba);
    twin.dissect(bb);
    const na = ra.process(ba);
    const nb = rb.process(bb);
    if (nb !== na) throw new Error(`batch ending at frame ${frames}: ${na} datagrams completed on WASM, ${nb} on the twin`);
    reassembled += na;
    const v = wasm.views.refresh();
    for (let k = 0; k < ba.count; k++) {
      const da = ba.descAt(k) >>> 2;
      const db = bb.descAt(k) >>> 2;
      for (let w = 0; w < DESC_SIZE >>> 2; w++) {
        if (w === D_REASM_PTR >>> 2) continue;
        if (v.u32[da + w] !== v.u32[db + w]) {
          fail(`frame ${frames - ba.count + k}: descriptor word ${w} differs: wasm ${v.u32[da + w]} twin ${v.u32[db + w]}`);
        }
      }
      if (v.u32[da + (D_LAYERS >>> 2)] & L_REASM) {
        const pa = v.u32[da + (D_REASM_PTR >>> 2)];
        const pb = v.u32[db + (D_REASM_PTR >>> 2)];
        const len = v.u32[da + (D_REASM_LEN >>> 2)];
        if (Buffer.compare(v.u8.subarray(pa, pa + len), v.u8.subarray(pb, pb + len)) !== 0) fail(`frame ${frames - ba.count + k}: reassembled bytes differ`);
      }
    }
    const sa = ra.stats();
    maxHeld = Math.max(maxHeld, sa.bytesHeld);
    maxLive = Math.max(maxLive, sa.inProgress);
    ba.clear();
    bb.clear();
  };

  const push = (len: number, cap: number): void => {
    const bytes = frame.subarray(0, cap);
    ba.push(bytes, LINKTYPE_ETHERNET, len);
    bb.push(bytes, LINKTYPE_ETHERNET, len);
    ba.setTime(ba.count - 1, sec, nsec);
    bb.setTime(bb.count - 1, sec, nsec);
    frames++;
    if (ba.count === BATCH) flush();
  };

  for (let t = 0; t < trains; t++) {
    const v6 = r() < 0.4;
    const proto = [6, 17, 17, 1, 58, 50][Math.floor(r() * 6)];
    const payload = 8 + Math.floor(r() * 4000);
    const size = 8 * (1 + Math.floor(r() * 150));
    const id = Math.floor(r() * 24); // few ids: trains collide and interleave
    const src = Math.floor(r() * 4);
    const n = Math.ceil(payload / size);
    const order: number[] = [];
    for (let i = 0; i < n; i++) order.push(i);
    if (r() < 0.5) for (let i = n - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
    for (const i of order) {
      const copies = r() < 0.08 ? 0 : r() < 0.08 ? 2 : 1;
      for (let c = 0; c < copies; c++) {
        let off = i * size;
        let len = Math.min(size, payload - off);
        let more = off + len < payload;
        const m = r();
        if (m < 0.04) off += 8 * (Math.floor(r() * 9) - 4); // shifted: overlaps and gaps
        else if (m < 0.06) off = 0xFFF8 - 8 * Math.floor(r() * 4); // huge offset
        else if (m < 0.09) more = !more;
        else if (m < 0.11) len = Math.max(0, len - 1 - Math.floor(r() * 12)); // odd length
        off = Math.max(0, off) & 0xFFF8;
        const hl = v6 ? 48 : 20;
        const ipLen = hl + len;
        frame.fill(0, 0, 14 + ipLen);
        dv.setUint16(12, v6 ? 0x86dd : 0x0800);
        const ip = 14;
        if (v6) {
          frame[ip] = 0x60;
          dv.setUint16(ip + 4, 8 + len);
          frame[ip + 6] = 44;
          frame[ip + 7] = 64;
          frame[ip + 23] = src;
          frame[ip + 39] = 9;
          frame[ip + 40] = proto;
          dv.setUint16(ip + 42, off | (more ? 1 : 0));
          dv.setUint32(ip + 44, id);
        } else {
          frame[ip] = 0x45;
          dv.setUint16(ip + 2, ipLen);
          dv.setUint16(ip + 4, id);
          dv.setUint16(ip + 6, (more ? 0x2000 : 0) | (off >>> 3));
          frame[ip + 8] = 64;
          frame[ip + 9] = proto;
          frame[ip + 15] = src;
          frame[ip + 19] = 9;
        }
        // Payload: the transport header of the train at offset 0, bytes of the train elsewhere.
        for (let b = 0; b < len; b++) frame[ip + hl + b] = (off + b + t) & 0xFF;
        if (off === 0 && len >= 8) { dv.setUint16(ip + hl, 1000 + (t & 0xFF)); dv.setUint16(ip + hl + 2, 53); dv.setUint16(ip + hl + 4, payload); }
        const x = r();
        if (x < 0.02) frame[ip + Math.floor(r() * hl)] ^= 1 << Math.floor(r() * 8); // corrupt header bit
        let total = 14 + ipLen;
        let cap = total;
        if (x > 0.98) cap = Math.max(0, total - 1 - Math.floor(r() * 40)); // cut by a snaplen
        else if (x > 0.97) total += Math.floor(r() * 30); // wire length beyond the datagram (trailer)
        push(Math.max(total, cap), cap);
        nsec += 1000 + Math.floor(r() * 2_000_000);
        if (nsec >= 1e9) { sec++; nsec -= 1e9; }
      }
    }
    if (r() < 0.0005) sec += 31 + Math.floor(r() * 60); // past the IPv4 and sometimes the IPv6 timeout
  }
  flush();
  ra.flush();
  rb.flush();
  return {
    trains, frames, reassembled, wasm: ra.stats(), twin: rb.stats(), maxHeld, maxLive,
    arenaGrowth: wasm.arena.used - arenaUsed, ms: performance.now() - t0,
  };
}
