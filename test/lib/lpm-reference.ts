// Naive longest-prefix-match references for the LPM tests: one Map per prefix length,
// probed from the longest length down. Obviously correct, and slow enough that no one
// would mistake it for the thing under test.
import type { Rng } from './env.js';

export const mask4 = (d: number): number => (d === 0 ? 0 : (0xFFFFFFFF << (32 - d)) >>> 0);

export class Ref4 {
  readonly byDepth: Map<number, number>[] = Array.from({ length: 33 }, () => new Map<number, number>());

  add(addr: number, depth: number, nh: number): boolean {
    const m = this.byDepth[depth];
    const k = (addr & mask4(depth)) >>> 0;
    const fresh = !m.has(k);
    m.set(k, nh >>> 0);
    return fresh;
  }

  delete(addr: number, depth: number): boolean {
    return this.byDepth[depth].delete((addr & mask4(depth)) >>> 0);
  }

  has(addr: number, depth: number): boolean {
    return this.byDepth[depth].has((addr & mask4(depth)) >>> 0);
  }

  /** [depth, nexthop] of the longest match, or null. */
  match(addr: number): [number, number] | null {
    for (let d = 32; d >= 0; d--) {
      const v = this.byDepth[d].get((addr & mask4(d)) >>> 0);
      if (v !== undefined) return [d, v];
    }
    return null;
  }

  get size(): number { return this.byDepth.reduce((s, m) => s + m.size, 0); }

  /** Every prefix as [addr, depth]. */
  all(): [number, number][] {
    const out: [number, number][] = [];
    this.byDepth.forEach((m, d) => { for (const k of m.keys()) out.push([k, d]); });
    return out;
  }
}

/** IPv6 prefixes keyed by the hex of the masked address. */
export function mask6(a: Uint8Array, depth: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const bits = depth - i * 8;
    out[i] = bits >= 8 ? a[i] : bits <= 0 ? 0 : a[i] & (0xFF << (8 - bits)) & 0xFF;
  }
  return out;
}

const hex = (a: Uint8Array): string => Buffer.from(a.buffer, a.byteOffset, 16).toString('hex');

export class Ref6 {
  readonly byDepth: Map<string, number>[] = Array.from({ length: 129 }, () => new Map<string, number>());
  readonly keys: Map<string, Uint8Array>[] = Array.from({ length: 129 }, () => new Map<string, Uint8Array>());

  add(addr: Uint8Array, depth: number, nh: number): boolean {
    const k = mask6(addr, depth);
    const h = hex(k);
    const fresh = !this.byDepth[depth].has(h);
    this.byDepth[depth].set(h, nh >>> 0);
    this.keys[depth].set(h, k);
    return fresh;
  }

  has(addr: Uint8Array, depth: number): boolean {
    return this.byDepth[depth].has(hex(mask6(addr, depth)));
  }

  delete(addr: Uint8Array, depth: number): boolean {
    const h = hex(mask6(addr, depth));
    this.keys[depth].delete(h);
    return this.byDepth[depth].delete(h);
  }

  match(addr: Uint8Array): [number, number] | null {
    for (let d = 128; d >= 0; d--) {
      if (this.byDepth[d].size === 0) continue;
      const v = this.byDepth[d].get(hex(mask6(addr, d)));
      if (v !== undefined) return [d, v];
    }
    return null;
  }

  get size(): number { return this.byDepth.reduce((s, m) => s + m.size, 0); }

  all(): [Uint8Array, number][] {
    const out: [Uint8Array, number][] = [];
    this.keys.forEach((m, d) => { for (const k of m.values()) out.push([k, d]); });
    return out;
  }
}

/** A random address inside prefix addr/depth. */
export function inside4(rng: Rng, addr: number, depth: number): number {
  return ((addr & mask4(depth)) | (rng.u32() & ~mask4(depth))) >>> 0;
}

export function inside6(rng: Rng, addr: Uint8Array, depth: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const bits = depth - i * 8;
    const r = rng.u32() & 255;
    out[i] = bits >= 8 ? addr[i] : bits <= 0 ? r : (addr[i] & (0xFF << (8 - bits)) & 0xFF) | (r & (0xFF >> bits));
  }
  return out;
}
