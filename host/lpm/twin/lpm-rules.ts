// Twin of assembly/lpm-rules.ts: the (prefix, depth) -> rule id hash table shared by both
// twins. `wide` picks the key as there: false, the u32 prefix itself (lpm4); true, a byte
// pointer to 16 bytes, 4-byte aligned (lpm6: the scratch keys and rule prefixes are).
// depths: the family's word index of its per-depth rule counts.
import * as table from './lpm-table.js';
import { slotAcquire } from './lpm-nexthops.js';

// Header words as module-local consts: V8 reads an imported binding through its module cell
// on every use (single lookups ran ~20% slower that way); a local const is folded.
const {
  H_RULES, H_RULES_HW, H_RULES_FREE, H_RULE_ADDR, H_RULE_DEPTH, H_RULE_NH, H_RULE_SLOT, H_RULE_HASH, H_RULE_HMASK
} = table;

/** The lpm4 key of depth `depth`: the prefix's top bits. */
export const prefixMask = (depth: number): number => (depth === 0 ? 0 : (0xFFFFFFFF << (32 - depth)) >>> 0);

/** The lpm6 key: copies the first `depth` bits of the address at src to dst, zeroing the rest. */
export function maskCopy(b: Uint8Array, dst: number, src: number, depth: number): void {
  for (let i = 0; i < 16; i++) {
    const bits = depth - i * 8;
    let v = b[src + i];
    if (bits <= 0) v = 0;
    else if (bits < 8) v &= (0xFF << (8 - bits)) & 0xFF;
    b[dst + i] = v;
  }
}

function hash4(addr: number, depth: number, mask: number): number {
  const h = Math.imul((addr ^ Math.imul(depth, 0x85EBCA77)) >>> 0, 0x9E3779B1) >>> 0;
  return (h ^ (h >>> 16)) & mask;
}

function hash16(m: Uint32Array, k: number, depth: number, mask: number): number {
  const w = k >>> 2;
  let h = Math.imul((m[w] ^ Math.imul(depth, 0x85EBCA77)) >>> 0, 0x9E3779B1);
  h = Math.imul(h ^ m[w + 1], 0x85EBCA77);
  h = Math.imul(h ^ m[w + 2], 0xC2B2AE3D);
  h = Math.imul(h ^ m[w + 3], 0x9E3779B1) >>> 0;
  return (h ^ (h >>> 16)) & mask;
}

// Word index of rule id's stored prefix (ra: the byte address of RULE_ADDR).
const keyWord = (ra: number, id: number, wide: boolean): number => (ra >>> 2) + (wide ? id * 4 : id);

const keyHash = (m: Uint32Array, key: number, depth: number, mask: number, wide: boolean): number =>
  (wide ? hash16(m, key, depth, mask) : hash4(key, depth, mask));

const storedHash = (m: Uint32Array, ra: number, id: number, depth: number, mask: number, wide: boolean): number =>
  (wide ? hash16(m, ra + id * 16, depth, mask) : hash4(m[keyWord(ra, id, false)], depth, mask));

export function ruleFind(m: Uint32Array, b: Uint8Array, h: number, key: number, depth: number, wide: boolean): number {
  const tab = m[h + H_RULE_HASH] >>> 2, mask = m[h + H_RULE_HMASK];
  const ra = m[h + H_RULE_ADDR], rd = m[h + H_RULE_DEPTH];
  const w = key >>> 2;
  let i = keyHash(m, key, depth, mask, wide);
  let id = m[tab + i];
  while (id !== 0) {
    const r = keyWord(ra, id, wide);
    if (wide
      ? b[rd + id] === depth + 1 && m[r] === m[w] && m[r + 1] === m[w + 1] && m[r + 2] === m[w + 2] && m[r + 3] === m[w + 3]
      : m[r] === key && b[rd + id] === depth + 1) return id;
    i = (i + 1) & mask;
    id = m[tab + i];
  }
  return 0;
}

export function ruleInsert(m: Uint32Array, b: Uint8Array, h: number, key: number, depth: number, nh: number, slot: number, depths: number, wide: boolean): number {
  const ra = m[h + H_RULE_ADDR];
  let id = m[h + H_RULES_FREE];
  if (id !== 0) m[h + H_RULES_FREE] = m[keyWord(ra, id, wide)];
  else { id = m[h + H_RULES_HW] + 1; m[h + H_RULES_HW] = id; }
  if (wide) b.copyWithin(ra + id * 16, key, key + 16);
  else m[keyWord(ra, id, false)] = key;
  b[m[h + H_RULE_DEPTH] + id] = depth + 1;
  m[(m[h + H_RULE_NH] >>> 2) + id] = nh;
  m[(m[h + H_RULE_SLOT] >>> 2) + id] = slot;
  const tab = m[h + H_RULE_HASH] >>> 2, mask = m[h + H_RULE_HMASK];
  let i = keyHash(m, key, depth, mask, wide);
  while (m[tab + i] !== 0) i = (i + 1) & mask;
  m[tab + i] = id;
  m[h + H_RULES]++;
  m[h + depths + depth]++;
  return id;
}

/** The next-hop slot rule id holds. */
export const ruleSlot = (m: Uint32Array, h: number, id: number): number => m[(m[h + H_RULE_SLOT] >>> 2) + id];

/** Rule id's depth byte (depth + 1). */
export const ruleDepthByte = (m: Uint32Array, b: Uint8Array, h: number, id: number): number => b[m[h + H_RULE_DEPTH] + id];

/** Gives rule id next hop nh; returns the slot it held (the caller releases it after rewriting), 0 if nh was its next hop. */
export function ruleRetarget(m: Uint32Array, h: number, id: number, nh: number): number {
  const rn = (m[h + H_RULE_NH] >>> 2) + id;
  if (m[rn] === nh) return 0;
  const rs = (m[h + H_RULE_SLOT] >>> 2) + id;
  const old = m[rs];
  const slot = slotAcquire(m, h, nh);
  m[rn] = nh;
  m[rs] = slot;
  return old;
}

/** Id of the longest rule shorter than depth that covers key, or 0 (lpm6 masks the key into scratch). */
export function ruleCovering(m: Uint32Array, b: Uint8Array, h: number, key: number, depth: number, depths: number, scratch: number, wide: boolean): number {
  for (let d = depth - 1; d >= 0; d--) {
    if (m[h + depths + d] === 0) continue;
    if (wide) maskCopy(b, scratch, key, d);
    const id = wide ? ruleFind(m, b, h, scratch, d, true) : ruleFind(m, b, h, (key & prefixMask(d)) >>> 0, d, false);
    if (id !== 0) return id;
  }
  return 0;
}

export function ruleRemove(m: Uint32Array, b: Uint8Array, h: number, id: number, depths: number, wide: boolean): void {
  const ra = m[h + H_RULE_ADDR], rd = m[h + H_RULE_DEPTH];
  const tab = m[h + H_RULE_HASH] >>> 2, mask = m[h + H_RULE_HMASK];
  const depth = b[rd + id] - 1;
  let i = storedHash(m, ra, id, depth, mask, wide);
  while (m[tab + i] !== id) i = (i + 1) & mask;
  let j = i;
  for (;;) {
    j = (j + 1) & mask;
    const o = m[tab + j];
    if (o === 0) break;
    const k = storedHash(m, ra, o, b[rd + o] - 1, mask, wide);
    if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue;
    m[tab + i] = o;
    i = j;
  }
  m[tab + i] = 0;
  b[rd + id] = 0;
  if (wide) b.fill(0, ra + id * 16, ra + id * 16 + 16);
  m[keyWord(ra, id, wide)] = m[h + H_RULES_FREE];
  m[h + H_RULES_FREE] = id;
  m[h + H_RULES]--;
  m[h + depths + depth]--;
}
