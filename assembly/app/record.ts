// What every application decoder does the same way (host/app/twin-memory.ts holds the TS
// side): big-endian reads of frame bytes, the record's prologue (the common header and a
// zeroed fixed area) and its epilogue (where decoding stopped, variant and flags), and the
// walk state of the decoders that keep it in globals.
import { A_PROTO, A_VARIANT, A_FLAGS, A_OFF, A_LEN, A_CAP, A_NEXT, AF_TRUNC, AF_MALFORMED } from "./app-layout";

@inline export function u8at(p: usize): u32 { return <u32>load<u8>(p); }
@inline export function be16(p: usize): u32 { return <u32>bswap<u16>(load<u16>(p)); }
@inline export function be32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }

/**
 * Opens the record at `a` for protocol `proto`: the message at frame offset `pay`,
 * `payLen` bytes per the headers, captured up to frame offset `capEnd`. Zeroes the fixed
 * fields from `zeroFrom` to `zeroTo` (multiples of 8 apart) and returns the captured end
 * bounded by the message's end and by 0xFFFF (offsets are u16), which every read is
 * checked against.
 */
@inline export function beginRecord(a: usize, proto: u32, pay: u32, payLen: u32, capEnd: u32, zeroFrom: i32, zeroTo: i32): u32 {
  let declEnd = pay + payLen;
  if (capEnd > 0xFFFF) capEnd = 0xFFFF;
  if (capEnd > declEnd) capEnd = declEnd;
  for (let o: usize = <usize>zeroFrom; o < <usize>zeroTo; o += 8) store<u64>(a + o, 0);
  store<u8>(a + A_PROTO, <u8>proto);
  store<u16>(a + A_OFF, <u16>pay);
  store<u16>(a + A_LEN, <u16>payLen);
  store<u16>(a + A_CAP, <u16>(capEnd > pay ? capEnd - pay : 0));
  return capEnd;
}

// The walk state of the decoders whose walk runs through several functions (DNS, QUIC,
// TFTP, TLS, HTTP; one frame is decoded at a time): the AF_* flags gathered so far, stored
// once at the end, and where the message's captured bytes end and where the headers say it
// ends (frame offsets).
export let gFlags: u32 = 0;
export let gCapEnd: u32 = 0;
export let gDeclEnd: u32 = 0;

/** beginRecord() for a decoder that walks through gFlags, gCapEnd and gDeclEnd: clears the
 *  flags and keeps both ends there; returns the bounded captured end. */
@inline export function beginWalk(a: usize, proto: u32, pay: u32, payLen: u32, capEnd: u32, zeroFrom: i32, zeroTo: i32): u32 {
  gFlags = 0;
  gDeclEnd = pay + payLen;
  gCapEnd = beginRecord(a, proto, pay, payLen, capEnd, zeroFrom, zeroTo);
  return gCapEnd;
}

/** A read needed byte `pos` (frame offset) that is not there: truncation where the message
 *  goes on past it, else malformation. */
@inline export function short(pos: u32): void {
  gFlags |= pos < gDeclEnd ? AF_TRUNC : AF_MALFORMED;
}

/** Closes the record: where decoding stopped, the variant and the flags. */
@inline export function endRecord(a: usize, next: u32, variant: u32, flags: u32): void {
  store<u16>(a + A_NEXT, <u16>next);
  store<u8>(a + A_VARIANT, <u8>variant);
  store<u16>(a + A_FLAGS, <u16>flags);
}

/** The flag for an element that needs the message up to `need` and is not all there: past
 *  the message's declared end it is malformed, else the capture cut it. */
@inline export function cutFlag(need: u32, declEnd: u32): u32 {
  return need > declEnd ? AF_MALFORMED : AF_TRUNC;
}
