// Twin of assembly/lpm-rewrite.ts: rewriting the entries a rule change decides, shared by
// both twins (`deep`: lpm6's groups may name deeper groups). m and b are the memory's u32
// and u8 views, h the table's header word index.
import * as table from './lpm-table.js';

// Header words as module-local consts: V8 reads an imported binding through its module cell
// on every use (single lookups ran ~20% slower that way); a local const is folded.
const { H_TBL24, H_TBL24D, H_TBL8, H_TBL8D, EXT, GROUP_MASK } = table;

// On add (exact false) the entries whose depth byte is <= dd, on delete those == dd.
const decides = (ed: number, dd: number, exact: boolean): boolean => (exact ? ed === dd : ed <= dd);

/** Gives (slot, nd) to the entries of group g from..from+count-1 that the change decides. */
export function groupRewrite(m: Uint32Array, b: Uint8Array, h: number, g: number, from: number, count: number,
  dd: number, exact: boolean, slot: number, nd: number, deep: boolean): void {
  const e = (m[h + H_TBL8] >>> 2) + g * 256, d = m[h + H_TBL8D] + g * 256;
  for (let j = from; j < from + count; j++) {
    if (deep && m[e + j] >= EXT) groupRewrite(m, b, h, m[e + j] & GROUP_MASK, 0, 256, dd, exact, slot, nd, true);
    else if (decides(b[d + j], dd, exact)) { m[e + j] = slot; b[d + j] = nd; }
  }
}

/** The same over the tbl24 entries from `start` that a rule of depth <= 24 covers, and the groups under them. */
export function tbl24Rewrite(m: Uint32Array, b: Uint8Array, h: number, start: number, depth: number,
  dd: number, exact: boolean, slot: number, nd: number, deep: boolean): void {
  const t24 = m[h + H_TBL24] >>> 2, t24d = m[h + H_TBL24D];
  const end = start + (1 << (24 - depth));
  for (let i = start; i < end; i++) {
    const e = m[t24 + i];
    if (e >= EXT) groupRewrite(m, b, h, e & GROUP_MASK, 0, 256, dd, exact, slot, nd, deep);
    else if (decides(b[t24d + i], dd, exact)) { m[t24 + i] = slot; b[t24d + i] = nd; }
  }
}
