// Twin of assembly/lpm-groups.ts: the tbl8 group free list, shared by both twins.
import * as table from './lpm-table.js';

// Header words as module-local consts: V8 reads an imported binding through its module cell
// on every use (single lookups ran ~20% slower that way); a local const is folded.
const { H_GROUPS, H_GROUPS_HW, H_GROUPS_FREE, H_GROUPS_NFREE, H_GROUPS_USED, H_TBL8, H_TBL8D } = table;

/** Groups still available (freed plus never used). */
export function groupsFree(m: Uint32Array, h: number): number {
  return m[h + H_GROUPS_NFREE] + (m[h + H_GROUPS] - m[h + H_GROUPS_HW]);
}

/** Takes a group (caller checked availability) and fills it with one entry and depth. */
export function groupAlloc(m: Uint32Array, b: Uint8Array, h: number, e: number, d: number): number {
  let g: number;
  let nf = m[h + H_GROUPS_NFREE];
  if (nf !== 0) {
    nf--;
    m[h + H_GROUPS_NFREE] = nf;
    g = m[(m[h + H_GROUPS_FREE] >>> 2) + nf];
  } else {
    g = m[h + H_GROUPS_HW];
    m[h + H_GROUPS_HW] = g + 1;
  }
  m[h + H_GROUPS_USED]++;
  const p = (m[h + H_TBL8] >>> 2) + g * 256;
  m.fill(e, p, p + 256);
  const pd = m[h + H_TBL8D] + g * 256;
  b.fill(d, pd, pd + 256);
  return g;
}

export function groupFree(m: Uint32Array, h: number, g: number): void {
  const nf = m[h + H_GROUPS_NFREE];
  m[(m[h + H_GROUPS_FREE] >>> 2) + nf] = g;
  m[h + H_GROUPS_NFREE] = nf + 1;
  m[h + H_GROUPS_USED]--;
}
