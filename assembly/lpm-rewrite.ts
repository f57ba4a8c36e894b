// Rewriting the entries a rule change decides, shared by lpm4.ts and lpm6.ts: over the
// tbl24 entries a rule of depth <= 24 covers, and over the part of a tbl8 group a longer
// one covers. lpm6's groups may name deeper groups (`deep`), rewritten whole; lpm4's hold
// only slots, so it skips that test.
import { hdr, H_TBL24, H_TBL24D, H_TBL8, H_TBL8D, EXT, GROUP_MASK } from "./lpm-table";

// A rule change rewrites the entries it decides. Adding a rule of depth byte dd takes the
// entries whose depth byte is <= dd (a less specific route or none: the new prefix is now
// their longest match); deleting one gives back the entries it owns (depth byte == dd) to
// the longest remaining covering rule (slot, its depth byte nd).
@inline function decides(ed: u32, dd: u32, exact: bool): bool {
  return exact ? ed == dd : ed <= dd;
}

/** Gives (slot, nd) to the entries of group g from..from+count-1 that the change decides. */
export function groupRewrite(t: usize, g: u32, from: u32, count: u32, dd: u32, exact: bool, slot: u32, nd: u32, deep: bool): void {
  let e = <usize>hdr(t, H_TBL8) + (<usize>g << 10);
  let d = <usize>hdr(t, H_TBL8D) + (<usize>g << 8);
  for (let j = from; j < from + count; j++) {
    if (deep) {
      let x = load<u32>(e + (<usize>j << 2));
      if ((x & EXT) != 0) {
        groupRewrite(t, x & GROUP_MASK, 0, 256, dd, exact, slot, nd, true);
        continue;
      }
    }
    if (decides(<u32>load<u8>(d + <usize>j), dd, exact)) {
      store<u32>(e + (<usize>j << 2), slot);
      store<u8>(d + <usize>j, <u8>nd);
    }
  }
}

/** The same over the tbl24 entries from `start` that a rule of depth <= 24 covers, and the groups under them. */
export function tbl24Rewrite(t: usize, start: u32, depth: u32, dd: u32, exact: bool, slot: u32, nd: u32, deep: bool): void {
  let t24 = <usize>hdr(t, H_TBL24);
  let t24d = <usize>hdr(t, H_TBL24D);
  let end = start + (<u32>1 << (24 - depth));
  for (let i = start; i < end; i++) {
    let e = load<u32>(t24 + (<usize>i << 2));
    if ((e & EXT) != 0) groupRewrite(t, e & GROUP_MASK, 0, 256, dd, exact, slot, nd, deep);
    else if (decides(<u32>load<u8>(t24d + <usize>i), dd, exact)) {
      store<u32>(t24 + (<usize>i << 2), slot);
      store<u8>(t24d + <usize>i, <u8>nd);
    }
  }
}
