// Twin of assembly/lpm-nexthops.ts: next-hop values interned into reference-counted slots,
// shared by both twins. m is the memory's u32 view, h the table's header word index.
import * as table from './lpm-table.js';

// Header words as module-local consts: V8 reads an imported binding through its module cell
// on every use (single lookups ran ~20% slower that way); a local const is folded.
const { H_NH_VAL, H_NH_REF, H_NH_HASH, H_NH_HMASK, H_NH_HW, H_NH_FREE, H_NH_COUNT } = table;

function nhHash(v: number, mask: number): number {
  const h = Math.imul(v, 0x9E3779B1) >>> 0;
  return (h ^ (h >>> 15)) & mask;
}

export function slotAcquire(m: Uint32Array, h: number, v: number): number {
  const vals = m[h + H_NH_VAL] >>> 2, refs = m[h + H_NH_REF] >>> 2, tab = m[h + H_NH_HASH] >>> 2;
  const mask = m[h + H_NH_HMASK];
  let i = nhHash(v, mask);
  for (;;) {
    const s = m[tab + i];
    if (s === 0) break;
    if (m[vals + s] === v) { m[refs + s]++; return s; }
    i = (i + 1) & mask;
  }
  let s = m[h + H_NH_FREE];
  if (s !== 0) m[h + H_NH_FREE] = m[vals + s];
  else { s = m[h + H_NH_HW]; m[h + H_NH_HW] = s + 1; }
  m[vals + s] = v;
  m[refs + s] = 1;
  m[tab + i] = s;
  m[h + H_NH_COUNT]++;
  return s;
}

export function slotRelease(m: Uint32Array, h: number, s: number): void {
  const vals = m[h + H_NH_VAL] >>> 2, refs = m[h + H_NH_REF] >>> 2, tab = m[h + H_NH_HASH] >>> 2;
  const r = m[refs + s] - 1;
  m[refs + s] = r;
  if (r !== 0) return;
  const mask = m[h + H_NH_HMASK];
  let i = nhHash(m[vals + s], mask);
  while (m[tab + i] !== s) i = (i + 1) & mask;
  let j = i;
  for (;;) {
    j = (j + 1) & mask;
    const o = m[tab + j];
    if (o === 0) break;
    const k = nhHash(m[vals + o], mask);
    if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue;
    m[tab + i] = o;
    i = j;
  }
  m[tab + i] = 0;
  m[vals + s] = m[h + H_NH_FREE];
  m[h + H_NH_FREE] = s;
  m[h + H_NH_COUNT]--;
}
