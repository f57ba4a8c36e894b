// tbl8 groups, shared by lpm4.ts and lpm6.ts: 256 u32 entries plus 256 depth bytes each.
// Never-used groups are handed out from a high-water mark; freed ones go on a u32 stack
// and are reused first, so a table that stops growing stops touching new memory.
import { hdr, setHdr, H_GROUPS, H_GROUPS_HW, H_GROUPS_FREE, H_GROUPS_NFREE, H_GROUPS_USED, H_TBL8, H_TBL8D } from "./lpm-table";

/** Groups still available (freed plus never used). */
@inline export function groupsFree(t: usize): u32 {
  return hdr(t, H_GROUPS_NFREE) + (hdr(t, H_GROUPS) - hdr(t, H_GROUPS_HW));
}

/** Takes a group (caller checked availability) and fills it with one entry and depth. */
export function groupAlloc(t: usize, e: u32, d: u32): u32 {
  let g: u32;
  let nf = hdr(t, H_GROUPS_NFREE);
  if (nf != 0) {
    nf--;
    setHdr(t, H_GROUPS_NFREE, nf);
    g = load<u32>(<usize>hdr(t, H_GROUPS_FREE) + (<usize>nf << 2));
  } else {
    g = hdr(t, H_GROUPS_HW);
    setHdr(t, H_GROUPS_HW, g + 1);
  }
  setHdr(t, H_GROUPS_USED, hdr(t, H_GROUPS_USED) + 1);
  let p = <usize>hdr(t, H_TBL8) + (<usize>g << 10);
  let v = i32x4.splat(<i32>e);
  for (let k: usize = 0; k < 1024; k += 16) v128.store(p + k, v);
  memory.fill(<usize>hdr(t, H_TBL8D) + (<usize>g << 8), <u8>d, 256);
  return g;
}

export function groupFree(t: usize, g: u32): void {
  let nf = hdr(t, H_GROUPS_NFREE);
  store<u32>(<usize>hdr(t, H_GROUPS_FREE) + (<usize>nf << 2), g);
  setHdr(t, H_GROUPS_NFREE, nf + 1);
  setHdr(t, H_GROUPS_USED, hdr(t, H_GROUPS_USED) - 1);
}
