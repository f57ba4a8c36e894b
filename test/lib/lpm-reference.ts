// Naive longest-prefix-match references for the LPM tests: one Map per prefix length,
// probed from the longest length down. Obviously correct, and slow enough that no one
// would mistake it for the thing under test.
import type { Rng } from './env.js';

export const mask4 = (d: number): number => (d === 0 ? 0 : (0xFFFFFFFF << (32 - d)) >>> 0);

/** Prefixes of one family: one Map per prefix length, keyed by the masked address (as
 *  `key` spells it), holding that address and the next hop. */
class RefTable<A> {
  private readonly byDepth: Map<string | number, [A, number]>[];

  constructor(private readonly bits: number, private readonly mask: (a: A, depth: number) => A, private readonly key: (a: A) => string | number) {
    this.byDepth = Array.from({ length: bits + 1 }, () => new Map<string | number, [A, number]>());
  }

  /** true when the prefix is new; a known prefix gets the new next hop. */
  add(addr: A, depth: number, nh: number): boolean {
    const k = this.mask(addr, depth);
    const m = this.byDepth[depth];
    const h = this.key(k);
    const fresh = !m.has(h);
    m.set(h, [k, nh >>> 0]);
    return fresh;
  }

  delete(addr: A, depth: number): boolean {
    return this.byDepth[depth].delete(this.key(this.mask(addr, depth)));
  }

  has(addr: A, depth: number): boolean {
    return this.byDepth[depth].has(this.key(this.mask(addr, depth)));
  }

  /** [depth, nexthop] of the longest match, or null. */
  match(addr: A): [number, number] | null {
    for (let d = this.bits; d >= 0; d--) {
      const m = this.byDepth[d];
      if (m.size === 0) continue;
      const v = m.get(this.key(this.mask(addr, d)));
      if (v !== undefined) return [d, v[1]];
    }
    return null;
  }

  get size(): number { return this.byDepth.reduce((s, m) => s + m.size, 0); }

  /** Every prefix as [addr, depth]. */
  all(): [A, number][] {
    const out: [A, number][] = [];
    this.byDepth.forEach((m, d) => { for (const [k] of m.values()) out.push([k, d]); });
    return out;
  }
}

export class Ref4 extends RefTable<number> {
  constructor() { super(32, (a, d) => (a & mask4(d)) >>> 0, (a) => a); }
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

export class Ref6 extends RefTable<Uint8Array> {
  constructor() { super(128, mask6, hex); }
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
