// Pure-TS twin of assembly/pcap.ts: the same record walking and writing over the same
// memory. Little-endian reads go through aligned Uint32Array where possible, DataView
// otherwise (pcap records are not 4-byte aligned in general: caplen is arbitrary).
import type { MemoryViews } from '../runtime/memory.js';
import type { PcapExports } from './exports.js';
import {
  FRAME_SIZE, FRAME_W_CAPLEN, FRAME_W_LINK, FRAME_W_PTR, FRAME_W_WIRELEN, TIME_SIZE, TIME_W_NSEC, TIME_W_SEC,
  PCAP_REC_HDR, PCAP_MAX_CAPLEN,
} from '../runtime/layout.js';

export class PcapTwin implements PcapExports {
  private readonly views: MemoryViews;
  private count = 0;
  private bad = 0;
  private bytes = 0;

  constructor(views: MemoryViews) {
    this.views = views;
  }

  pcap_scan(p: number, len: number, big: number): number {
    const dv = this.views.refresh().dv;
    const le = big === 0;
    let off = 0;
    let n = 0;
    let bytes = 0;
    this.bad = 0;
    while (len - off >= PCAP_REC_HDR) {
      const cap = dv.getUint32(p + off + 8, le);
      if (cap > PCAP_MAX_CAPLEN) { this.bad = 1; break; }
      if (len - off - PCAP_REC_HDR < cap) break;
      bytes += dv.getUint32(p + off + 12, le);
      off += PCAP_REC_HDR + cap;
      n++;
    }
    this.count = n;
    this.bytes = bytes;
    return off;
  }

  pcap_scan_count(): number { return this.count; }
  pcap_scan_bad(): number { return this.bad; }
  pcap_scan_bytes(): number { return this.bytes; }

  pcap_index(p: number, end: number, big: number, micro: number, linktype: number, table: number, times: number, max: number, nextOut: number): number {
    const v = this.views.refresh();
    const dv = v.dv;
    const u32 = v.u32;
    const le = big === 0;
    let n = 0;
    while (n < max && end - p >= PCAP_REC_HDR) {
      const cap = dv.getUint32(p + 8, le);
      if (cap > PCAP_MAX_CAPLEN || end - p - PCAP_REC_HDR < cap) break;
      const e = (table + n * FRAME_SIZE) >>> 2;
      const t = (times + n * TIME_SIZE) >>> 2;
      u32[e + FRAME_W_PTR] = p + PCAP_REC_HDR;
      u32[e + FRAME_W_CAPLEN] = cap;
      u32[e + FRAME_W_WIRELEN] = dv.getUint32(p + 12, le);
      u32[e + FRAME_W_LINK] = linktype & 0xFFFF; // interface 0
      u32[t + TIME_W_SEC] = dv.getUint32(p, le);
      const frac = dv.getUint32(p + 4, le);
      u32[t + TIME_W_NSEC] = micro !== 0 ? (frac * 1000) >>> 0 : frac;
      p += PCAP_REC_HDR + cap;
      n++;
    }
    u32[nextOut >>> 2] = p;
    return n;
  }

  pcap_write(table: number, times: number, from: number, count: number, select: number, snaplen: number, micro: number, out: number, cap: number, usedOut: number): number {
    const v = this.views.refresh();
    const u32 = v.u32;
    const u8 = v.u8;
    const dv = v.dv;
    let used = u32[usedOut >>> 2];
    let i = from;
    for (; i < count; i++) {
      if (select !== 0 && u8[select + i] === 0) continue;
      const e = (table + i * FRAME_SIZE) >>> 2;
      const t = (times + i * TIME_SIZE) >>> 2;
      let c = u32[e + FRAME_W_CAPLEN];
      if (c > snaplen) c = snaplen;
      if (cap - used < PCAP_REC_HDR + c) break;
      const o = out + used;
      dv.setUint32(o, u32[t + TIME_W_SEC], true);
      const ns = u32[t + TIME_W_NSEC];
      dv.setUint32(o + 4, micro !== 0 ? Math.floor(ns / 1000) : ns, true);
      dv.setUint32(o + 8, c, true);
      dv.setUint32(o + 12, u32[e + FRAME_W_WIRELEN], true);
      const src = u32[e + FRAME_W_PTR];
      u8.copyWithin(o + PCAP_REC_HDR, src, src + c);
      used += PCAP_REC_HDR + c;
    }
    u32[usedOut >>> 2] = used;
    return i;
  }
}
