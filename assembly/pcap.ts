// pcap record walking and writing in WASM, for the file path of the sniffer: a chunk of
// whole pcap records read straight into a ring slot is indexed into a frame table with
// no copy, and output records are assembled into a write buffer without a JS call per
// packet. Timestamps leave as sec/nsec (TIME_SIZE each).
import { FRAME_SIZE, FRAME_PTR, FRAME_CAPLEN, FRAME_WIRELEN, FRAME_LINKTYPE, FRAME_IFACE, TIME_SIZE, TIME_SEC, TIME_NSEC, PCAP_REC_HDR, PCAP_MAX_CAPLEN } from "./layout";

// Scan results, read by the host through pcap_scan_* accessors (per instance: globals).
let scanCount: u32 = 0;
let scanBad: u32 = 0; // 1: a record header is corrupt at scanEnd
let scanBytes: f64 = 0; // sum of the wire lengths of the records scanned

@inline function rd32(p: usize, big: bool): u32 {
  let v = load<u32>(p);
  return big ? bswap<u32>(v) : v;
}

/** Finds the longest prefix of [p, p+len) made of whole records. Returns its length in
 *  bytes; pcap_scan_count() tells how many records, pcap_scan_bad() whether the walk
 *  stopped at a corrupt header (caplen > PCAP_MAX_CAPLEN) rather than at a cut record. */
export function pcap_scan(p: usize, len: u32, big: bool): u32 {
  let off: u32 = 0;
  let n: u32 = 0;
  let bytes: u64 = 0;
  scanBad = 0;
  while (len - off >= <u32>PCAP_REC_HDR) {
    let cap = rd32(p + off + 8, big);
    if (cap > PCAP_MAX_CAPLEN) { scanBad = 1; break; }
    if (len - off - <u32>PCAP_REC_HDR < cap) break;
    bytes += <u64>rd32(p + off + 12, big);
    off += <u32>PCAP_REC_HDR + cap;
    n++;
  }
  scanCount = n;
  scanBytes = <f64>bytes;
  return off;
}

export function pcap_scan_count(): u32 { return scanCount; }
export function pcap_scan_bad(): u32 { return scanBad; }
export function pcap_scan_bytes(): f64 { return scanBytes; }

/** Indexes up to `max` whole records starting at `p` (below `end`) into a frame table and
 *  times, all with `linktype`. Stores the address after the last indexed record at
 *  `nextOut`. Returns the count. */
export function pcap_index(p: usize, end: usize, big: bool, micro: bool, linktype: u32, table: usize, times: usize, max: u32, nextOut: usize): u32 {
  let n: u32 = 0;
  while (n < max && end - p >= <usize>PCAP_REC_HDR) {
    let cap = rd32(p + 8, big);
    if (cap > PCAP_MAX_CAPLEN || end - p - <usize>PCAP_REC_HDR < <usize>cap) break;
    let e = table + <usize>n * FRAME_SIZE;
    let t = times + <usize>n * TIME_SIZE;
    store<u32>(e + FRAME_PTR, <u32>(p + PCAP_REC_HDR));
    store<u32>(e + FRAME_CAPLEN, cap);
    store<u32>(e + FRAME_WIRELEN, rd32(p + 12, big));
    store<u16>(e + FRAME_LINKTYPE, <u16>linktype);
    store<u16>(e + FRAME_IFACE, 0);
    store<u32>(t + TIME_SEC, rd32(p, big));
    let frac = rd32(p + 4, big);
    store<u32>(t + TIME_NSEC, micro ? frac * 1000 : frac);
    p += <usize>PCAP_REC_HDR + cap;
    n++;
  }
  store<u32>(nextOut, <u32>p);
  return n;
}

/** Appends the frames of a table whose `select` byte is non-zero (or all, when select is
 *  0) as little-endian pcap records to [out, out+cap), truncating each to `snaplen`.
 *  Starts at frame `from`; stops before a record that does not fit. Stores the bytes
 *  written at usedOut and returns the index of the first frame not written. */
export function pcap_write(table: usize, times: usize, from: u32, count: u32, select: usize, snaplen: u32, micro: bool, out: usize, cap: u32, usedOut: usize): u32 {
  let used: u32 = load<u32>(usedOut);
  let i = from;
  for (; i < count; i++) {
    if (select != 0 && load<u8>(select + <usize>i) == 0) continue;
    let e = table + <usize>i * FRAME_SIZE;
    let t = times + <usize>i * TIME_SIZE;
    let c = load<u32>(e + FRAME_CAPLEN);
    if (c > snaplen) c = snaplen;
    if (cap - used < <u32>PCAP_REC_HDR + c) break;
    let o = out + <usize>used;
    store<u32>(o, load<u32>(t + TIME_SEC));
    let ns = load<u32>(t + TIME_NSEC);
    store<u32>(o, micro ? ns / 1000 : ns, 4);
    store<u32>(o, c, 8);
    store<u32>(o, load<u32>(e + FRAME_WIRELEN), 12);
    memory.copy(o + PCAP_REC_HDR, <usize>load<u32>(e + FRAME_PTR), c);
    used += <u32>PCAP_REC_HDR + c;
  }
  store<u32>(usedOut, used);
  return i;
}
