// Next-hop slots, shared by lpm4.ts and lpm6.ts: next-hop values are interned into slots,
// reference counted by the rules using them, so table entries stay 32 bits wide, any u32
// is a valid next hop, and lookups read one tiny slot -> value array that stays in cache.
// Slot 0 is the table's miss value (tableInit writes it; it is never released).
import { hdr, setHdr, H_NH_VAL, H_NH_REF, H_NH_HASH, H_NH_HMASK, H_NH_HW, H_NH_FREE, H_NH_COUNT } from "./lpm-table";

@inline function nhHash(v: u32, mask: u32): u32 {
  let h = v * 0x9E3779B1;
  return (h ^ (h >>> 15)) & mask;
}

/** The slot holding next hop v, taking a reference; a new slot when v has none yet. */
export function slotAcquire(t: usize, v: u32): u32 {
  let vals = <usize>hdr(t, H_NH_VAL);
  let refs = <usize>hdr(t, H_NH_REF);
  let tab = <usize>hdr(t, H_NH_HASH);
  let mask = hdr(t, H_NH_HMASK);
  let i = nhHash(v, mask);
  for (;;) {
    let s = load<u32>(tab + (<usize>i << 2));
    if (s == 0) break;
    if (load<u32>(vals + (<usize>s << 2)) == v) {
      store<u32>(refs + (<usize>s << 2), load<u32>(refs + (<usize>s << 2)) + 1);
      return s;
    }
    i = (i + 1) & mask;
  }
  let s = hdr(t, H_NH_FREE);
  if (s != 0) setHdr(t, H_NH_FREE, load<u32>(vals + (<usize>s << 2)));
  else { s = hdr(t, H_NH_HW); setHdr(t, H_NH_HW, s + 1); }
  store<u32>(vals + (<usize>s << 2), v);
  store<u32>(refs + (<usize>s << 2), 1);
  store<u32>(tab + (<usize>i << 2), s);
  setHdr(t, H_NH_COUNT, hdr(t, H_NH_COUNT) + 1);
  return s;
}

/** Drops a reference to slot s; the last one frees the slot. */
export function slotRelease(t: usize, s: u32): void {
  let vals = <usize>hdr(t, H_NH_VAL);
  let refs = <usize>hdr(t, H_NH_REF);
  let r = load<u32>(refs + (<usize>s << 2)) - 1;
  store<u32>(refs + (<usize>s << 2), r);
  if (r != 0) return;
  let tab = <usize>hdr(t, H_NH_HASH);
  let mask = hdr(t, H_NH_HMASK);
  let i = nhHash(load<u32>(vals + (<usize>s << 2)), mask);
  while (load<u32>(tab + (<usize>i << 2)) != s) i = (i + 1) & mask;
  // Backward-shift deletion keeps linear probing tombstone-free.
  let j = i;
  for (;;) {
    j = (j + 1) & mask;
    let o = load<u32>(tab + (<usize>j << 2));
    if (o == 0) break;
    let k = nhHash(load<u32>(vals + (<usize>o << 2)), mask);
    if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue;
    store<u32>(tab + (<usize>i << 2), o);
    i = j;
  }
  store<u32>(tab + (<usize>i << 2), 0);
  store<u32>(vals + (<usize>s << 2), hdr(t, H_NH_FREE));
  setHdr(t, H_NH_FREE, s);
  setHdr(t, H_NH_COUNT, hdr(t, H_NH_COUNT) - 1);
}
