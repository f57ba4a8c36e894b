// The memory access every app decoder twin shares: big-endian reads of frame bytes and
// little-endian stores into the app record, as the WASM side's load/store do, and the
// record's prologue and epilogue (assembly/app/record.ts). One instance per app twin;
// sync() after anything may have grown the memory.
import { A_PROTO, A_VARIANT, A_FLAGS, A_OFF, A_LEN, A_CAP, A_NEXT, AF_TRUNC, AF_MALFORMED } from './app-layout.js';

/** What TwinMemory reads through: the engine's MemoryViews, or views over a private buffer
 *  (readers that re-walk a copied message). */
export interface ViewSource {
  refresh(): { u8: Uint8Array; u16: Uint16Array; u32: Uint32Array };
}

export class TwinMemory {
  private readonly views: ViewSource;
  m: Uint8Array;
  m16: Uint16Array;
  m32: Uint32Array;

  constructor(views: ViewSource) {
    this.views = views;
    const v = views.refresh();
    this.m = v.u8;
    this.m16 = v.u16;
    this.m32 = v.u32;
  }

  sync(): void {
    const v = this.views.refresh();
    this.m = v.u8;
    this.m16 = v.u16;
    this.m32 = v.u32;
  }

  be16(p: number): number {
    const m = this.m;
    return (m[p] << 8) | m[p + 1];
  }

  be32(p: number): number {
    const m = this.m;
    return ((m[p] << 24) | (m[p + 1] << 16) | (m[p + 2] << 8) | m[p + 3]) >>> 0;
  }

  // Record stores: `p` is a byte address; u16 at even, u32 at 4-aligned addresses (the
  // layout keeps them so, and records start 64-byte aligned).
  put8(p: number, v: number): void { this.m[p] = v; }
  put16(p: number, v: number): void { this.m16[p >>> 1] = v; }
  put32(p: number, v: number): void { this.m32[p >>> 2] = v; }

  /** beginRecord() of assembly/app/record.ts: the common header, the fixed fields from
   *  `zeroFrom` to `zeroTo` zeroed (multiples of 8 apart; records are 64-byte aligned); returns the captured end bounded by the message's end
   *  and by 0xFFFF. */
  beginRecord(a: number, proto: number, pay: number, payLen: number, capEnd: number, zeroFrom: number, zeroTo: number): number {
    const declEnd = pay + payLen;
    if (capEnd > 0xFFFF) capEnd = 0xFFFF;
    if (capEnd > declEnd) capEnd = declEnd;
    // A store loop, not m.fill(): the areas are 16 to 72 bytes, where fill()'s call costs
    // more than the stores (TLS + HTTP twins ~35 ns a decode with fill()).
    const m32 = this.m32;
    for (let o = (a + zeroFrom) >>> 2, end = (a + zeroTo) >>> 2; o < end; o++) m32[o] = 0;
    this.put8(a + A_PROTO, proto);
    this.put16(a + A_OFF, pay);
    this.put16(a + A_LEN, payLen);
    this.put16(a + A_CAP, capEnd > pay ? capEnd - pay : 0);
    return capEnd;
  }

  /** endRecord(): where decoding stopped, the variant and the flags. */
  endRecord(a: number, next: number, variant: number, flags: number): void {
    this.put16(a + A_NEXT, next);
    this.put8(a + A_VARIANT, variant);
    this.put16(a + A_FLAGS, flags);
  }
}

/** cutFlag(): an element needing the message up to `need` is cut by the IP payload or the
 *  message's length (malformed) or by the capture. */
export function cutFlag(need: number, declEnd: number): number {
  return need > declEnd ? AF_MALFORMED : AF_TRUNC;
}

/** What every decoder twin is: decode() over the app twin's TwinMemory, the mirror of an
 *  assembly/app/<proto>.ts <proto>_decode export. */
export abstract class DecoderTwin {
  protected readonly mem: TwinMemory;

  constructor(mem: TwinMemory) {
    this.mem = mem;
  }

  abstract decode(f: number, pay: number, payLen: number, capEnd: number, variant: number, a: number): void;
}

/** A decoder twin whose walk runs through several methods (DNS, QUIC, TFTP, TLS, HTTP): the
 *  walk state record.ts keeps in globals for their WASM side (gFlags, gCapEnd, gDeclEnd),
 *  beginWalk() and short(). */
export abstract class WalkingDecoderTwin extends DecoderTwin {
  /** AF_* bits of the message being decoded, stored once at the end. */
  protected flags = 0;
  /** Where the message's captured bytes end and where the headers say it ends (frame offsets). */
  protected capEnd = 0;
  protected declEnd = 0;

  /** beginRecord() that clears the flags and keeps both ends; returns the bounded captured end. */
  protected beginWalk(a: number, proto: number, pay: number, payLen: number, capEnd: number, zeroFrom: number, zeroTo: number): number {
    this.flags = 0;
    this.declEnd = pay + payLen;
    this.capEnd = this.mem.beginRecord(a, proto, pay, payLen, capEnd, zeroFrom, zeroTo);
    return this.capEnd;
  }

  /** A read needed byte `pos` (frame offset) that is not there: truncation where the message
   *  goes on past it, else malformation. */
  protected short(pos: number): void {
    this.flags |= pos < this.declEnd ? AF_TRUNC : AF_MALFORMED;
  }
}
