// --json's line writer for a batch (host/sinks/json-format.ts's writeJsonPacket is its twin
// and oracle: same bytes for every frame it writes). One call writes the lines of a run of
// frames into an output region of the shared memory, straight from the descriptors, the
// app records and the frame bytes; the host then copies them to its output. The TS writer
// ran most of a --json run in V8's interpreter and baseline tiers (a few thousand frames
// before TurboFan), which this module never does.
//
// A frame this writer does not cover is declined: the call stops there, says so, and the
// host writes that frame with the TS writer, then calls again after it (lines keep their
// order). Declined: a dissection error, the link and network layers written from
// decode()'s own objects or rare (SLL, NULL, ARP, PPP, PPPoE, MPLS, tunnels, ICMP and its
// quoted datagrams), application objects other than DNS, HTTP and TLS, and what those three
// send to the general path.
//
// The state region (./json-layout.ts; host/sinks/json/wasm-lines.ts makes it) holds the
// output room, the output's length (a call appends; the host empties it when it writes the
// bytes out) and why the last call stopped, then the output bytes.
import {
  L_ETH, L_SLL, L_SLL2, L_NULL, L_VLAN, L_ARP, L_IP4, L_IP6, L_TCP, L_UDP, L_ICMP, L_ICMP6, L_FRAG,
  L_FRAG_HELD, L_REASM, L_PPP, L_PPPOE, L_MPLS, L_TUNNEL, IPF_MF, IPF_DF, IPF_RF, TO_SACK_PERM, TO_MSS, TO_WSCALE,
  TO_TIMESTAMP, TO_SACK, D_LAYERS, D_ERRORS, D_WIRELEN, D_CAPLEN, D_LINKTYPE, D_ETH_TYPE, D_IP_FLAGS, D_L3_HDR_LEN,
  D_IP_TOS, D_IP_TOTAL, D_IP_ID, D_FRAG_OFF, D_IP_TTL, D_IP_NXT, D_IP_CKSUM, D_IP_SRC, D_IP_DST, D_SRC_PORT,
  D_DST_PORT, D_TCP_SEQ, D_TCP_ACK, D_L4_HDR_LEN, D_TCP_FLAGS, D_TCP_WINDOW, D_L4_CKSUM, D_TCP_URG, D_PAYLOAD_LEN,
  D_UDP_LEN, D_ETHERTYPE, D_VLAN0, D_VLAN1, D_VLAN_COUNT, D_L3_OFF, D_IP6_FLOW, D_IP_LEN, D_IP6_JUMBO_OFF,
  D_IP6_EXT_COUNT, D_IP_PROTO, D_FRAG_ID, D_L2_PROTO, D_TCP_OPTS, D_TCP_MSS, D_TCP_WSCALE, D_TCP_TSVAL,
  D_TCP_TSECR, D_SACK_COUNT, D_SACK_OFF, D_REASM_PTR, DESC_SIZE, FRAME_SIZE, FRAME_PTR, TIME_SIZE, TIME_SEC,
  TIME_NSEC,
} from "../layout";
import {
  A_PROTO, A_VARIANT, A_FLAGS, A_OFF, A_LEN, A_CAP, A_COUNT, AF_MORE, APP_NONE, APP_DNS, APP_HTTP, APP_TLS, APP_SIZE,
  DV_TCP, DV_MDNS, DV_LLMNR, DNS_ITEMS, DNS_ITEM_SIZE, TLS_ITEMS, TLS_ITEM_SIZE, TLS_ITEM_MAX, TR_TYPE,
} from "../app/app-layout";
import { dns_decode_long } from "../app/dns";
import { tls_decode_long } from "../app/tls";
import { put, num, field, snum, nano9, ip4, mac, ip6 } from "./bytes";
import { JL_CAP, JL_LEN, JL_STOP, JL_OUT, JL_TAIL, JL_DONE, JL_FULL, JL_DECLINED } from "./json-layout";
import { dnsJson, setDnsScratch, DNS_ROOM_FIXED, DNS_ROOM_ITEM } from "./dns";
import { httpJson, httpRoom } from "./http";
import { tlsJson, tlsRoom } from "./tls";

// The region's scratch tail (JL_TAIL): 512 bytes, then a DNS record of 255 items or a TLS
// record of 255 records.
// @ts-ignore: static assertion
assert(512 + DNS_ITEMS + 255 * DNS_ITEM_SIZE <= JL_TAIL && 512 + TLS_ITEMS + 255 * TLS_ITEM_SIZE <= JL_TAIL);
/** Room for a line without its application member (the longest is ~900 bytes). */
const FRAME_ROOM: u32 = 2048;

/** Layers this writer never writes (the host's TS writer does). */
const DECLINED_LAYERS: u32 = L_SLL | L_SLL2 | L_NULL | L_ARP | L_ICMP | L_ICMP6 | L_PPP | L_PPPOE | L_MPLS | L_TUNNEL;

// @ts-ignore: decorator
@inline function u16At(a: usize): u32 { return <u32>load<u16>(a); }
// @ts-ignore: decorator
@inline function u8At(a: usize): u32 { return <u32>load<u8>(a); }

/** The application record the line shows (0: none), or 1 when it is one this writer
 *  declines. */
function appOf(d: usize, rec: usize): usize {
  if (rec == 0 || (load<u32>(d + D_LAYERS) & L_FRAG_HELD) != 0) return 0;
  const proto = <i32>load<u8>(rec + A_PROTO);
  if (proto == APP_NONE) return 0;
  return proto == APP_DNS || proto == APP_HTTP || proto == APP_TLS ? rec : 1;
}

/**
 * Writes the lines of frames `from` .. `count - 1` of a batch (descriptors at `descs`, the
 * frame table at `table`, the times at `times`, app records at `apps` or 0, `keep` a byte
 * per frame (0: skip it) or 0 for all), frame i numbered `firstNumber + i`, into the state
 * region `st`, after the JL_LEN bytes already there. Returns the index it stopped at
 * (`count` when done); JL_STOP says why.
 */
export function json_lines(st: usize, descs: usize, table: usize, times: usize, apps: usize, keep: usize, from: i32, count: i32, firstNumber: u32): i32 {
  const base = st + JL_OUT;
  // The region's last JL_TAIL bytes are scratch: 512 for the DNS writer (an SRV owner name
  // to split), then a long DNS record (longDns()).
  const end = base + load<u32>(st + JL_CAP) - JL_TAIL;
  setDnsScratch(end);
  let p = base + load<u32>(st + JL_LEN);
  let i = from;
  let stop = JL_DONE;
  for (; i < count; i++) {
    if (keep != 0 && load<u8>(keep + i) == 0) continue;
    const d = descs + <usize>i * DESC_SIZE;
    const l = load<u32>(d + D_LAYERS);
    let rec: usize = apps == 0 ? <usize>0 : appOf(d, apps + <usize>i * APP_SIZE);
    if (load<u32>(d + D_ERRORS) != 0 || (l & DECLINED_LAYERS) != 0 || rec == 1) { stop = JL_DECLINED; break; }
    const f = <usize>load<u32>(table + <usize>i * FRAME_SIZE + FRAME_PTR);
    if (rec != 0 && (u16At(rec + A_FLAGS) & AF_MORE) != 0) {
      rec = <i32>load<u8>(rec + A_PROTO) == APP_DNS ? longDns(d, rec, f, end + 512) : longTls(d, rec, f, end + 512);
      if (rec == 1) { stop = JL_DECLINED; break; }
    }
    let room = FRAME_ROOM;
    if (rec != 0) {
      const proto = <i32>load<u8>(rec + A_PROTO);
      room += proto == APP_DNS ? DNS_ROOM_FIXED + u8At(rec + A_COUNT) * DNS_ROOM_ITEM : proto == APP_HTTP ? httpRoom(rec) : tlsRoom(rec);
    }
    if (p + <usize>room > end) { stop = p == base ? JL_DECLINED : JL_FULL; break; }
    const t = times + <usize>i * TIME_SIZE;
    const q = line(p, d, f, rec, load<u32>(t + TIME_SEC), load<u32>(t + TIME_NSEC), firstNumber + <u32>i);
    if (q == 0) { stop = JL_DECLINED; break; }
    p = q;
  }
  store<u32>(st + JL_LEN, <u32>(p - base));
  store<i32>(st + JL_STOP, stop);
  return i;
}

/** A DNS message with more items than its app record holds (AF_MORE), decoded again into
 *  the long record at `long` (room for 255 items), as the TS writer's readDns() walks the
 *  rest; a message of more items stays AF_MORE there, and the DNS writer declines it. */
function longDns(d: usize, rec: usize, f: usize, long: usize): usize {
  const at = (load<u32>(d + D_LAYERS) & L_REASM) != 0 ? <usize>load<u32>(d + D_REASM_PTR) : f;
  const variant = <u32>load<u8>(rec + A_VARIANT) & (DV_TCP | DV_MDNS | DV_LLMNR);
  const msg = u16At(rec + A_OFF);
  const len = u16At(rec + A_LEN);
  const capEnd = msg + u16At(rec + A_CAP);
  if ((variant & DV_TCP) != 0) dns_decode_long(at, msg - 2, len + 2, capEnd, variant, long);
  else dns_decode_long(at, msg, len, capEnd, variant, long);
  return long;
}

/** A TLS segment with more records than its app record holds (AF_MORE), decoded again into
 *  the long record at `long` (room for 255 records); 1 (declined) when the records past
 *  the app record's hold a handshake: the TS reader walks them in passes of TLS_ITEM_MAX
 *  records, and a pass reads a hello and counts handshakes as a segment of its own would
 *  (a hello cut at a pass's first record, TLS_HS_MAX per pass), which one walk does not. */
function longTls(d: usize, rec: usize, f: usize, long: usize): usize {
  const at = (load<u32>(d + D_LAYERS) & L_REASM) != 0 ? <usize>load<u32>(d + D_REASM_PTR) : f;
  const msg = u16At(rec + A_OFF);
  tls_decode_long(at, msg, u16At(rec + A_LEN), msg + u16At(rec + A_CAP), 0, long);
  const n = <i32>load<u8>(long + A_COUNT);
  for (let i = TLS_ITEM_MAX; i < n; i++) {
    if (load<u8>(long + TLS_ITEMS + i * TLS_ITEM_SIZE + TR_TYPE) == 22) return 1;
  }
  return long;
}

/** The VLAN tag's id, priority and dei. */
function tag(p: usize, tci: u32): usize {
  let q = num(p, tci & 0x0FFF);
  q = field(q, ",\"priority\":", tci >>> 13);
  return field(q, ",\"dei\":", (tci >>> 12) & 1);
}

/** One line; 0 when the application member needs the general path. */
function line(p0: usize, d: usize, f: usize, rec: usize, sec: u32, nsec: u32, number: u32): usize {
  const l = load<u32>(d + D_LAYERS);
  let p = field(p0, "{\"frame\":{\"len\":", load<u32>(d + D_WIRELEN));
  p = field(p, ",\"cap_len\":", load<u32>(d + D_CAPLEN));
  p = field(p, ",\"linktype\":", u16At(d + D_LINKTYPE));
  p = field(p, ",\"number\":", number);
  p = field(p, ",\"time_epoch\":\"", sec);
  store<u8>(p, 46);
  p = put(nano9(p + 1, nsec), "\"}");
  if (l & L_ETH) {
    p = mac(put(p, ",\"eth\":{\"dst\":\""), f);
    p = mac(put(p, "\",\"src\":\""), f + 6);
    const et = u16At(d + D_ETH_TYPE);
    p = field(p, et > 1500 ? "\",\"type\":" : "\",\"len\":", et);
    store<u8>(p++, 125);
  }
  if (l & L_VLAN) {
    p = tag(put(p, ",\"vlan\":{\"id\":"), u16At(d + D_VLAN0));
    p = field(p, ",\"etype\":", u16At(d + D_ETHERTYPE));
    const count = u8At(d + D_VLAN_COUNT);
    p = field(p, ",\"count\":", count);
    if (count > 1) { p = tag(put(p, ",\"inner\":{\"id\":"), u16At(d + D_VLAN1)); store<u8>(p++, 125); }
    store<u8>(p++, 125);
  }
  if (l & L_IP4) {
    const fl = u8At(d + D_IP_FLAGS);
    p = field(p, ",\"ip\":{\"version\":4,\"hdr_len\":", u16At(d + D_L3_HDR_LEN));
    p = field(p, ",\"dsfield\":", u8At(d + D_IP_TOS));
    p = field(p, ",\"len\":", load<u32>(d + D_IP_TOTAL));
    p = field(p, ",\"id\":", u16At(d + D_IP_ID));
    p = put(p, ",\"flags\":{\"rb\":0,\"df\":0,\"mf\":0},\"frag_offset\":");
    // The three flag digits sit at fixed places in that key.
    store<u8>(p - 31, 48 + ((fl & IPF_RF) != 0 ? 1 : 0));
    store<u8>(p - 24, 48 + ((fl & IPF_DF) != 0 ? 1 : 0));
    store<u8>(p - 17, 48 + ((fl & IPF_MF) != 0 ? 1 : 0));
    p = num(p, u16At(d + D_FRAG_OFF) >>> 3);
    p = field(p, ",\"ttl\":", u8At(d + D_IP_TTL));
    p = field(p, ",\"proto\":", u8At(d + D_IP_NXT));
    p = field(p, ",\"checksum\":", u16At(d + D_IP_CKSUM));
    p = ip4(put(p, ",\"src\":\""), load<u32>(d + D_IP_SRC));
    p = ip4(put(p, "\",\"dst\":\""), load<u32>(d + D_IP_DST));
    p = put(p, "\"}");
  }
  if (l & L_IP6) {
    const a = f + u16At(d + D_L3_OFF);
    p = field(p, ",\"ipv6\":{\"version\":6,\"tclass\":", u8At(d + D_IP_TOS));
    p = field(p, ",\"flow\":", load<u32>(d + D_IP6_FLOW));
    p = snum(put(p, ",\"plen\":"), u16At(d + D_IP6_JUMBO_OFF) != 0 ? 0 : <i32>u16At(d + D_IP_LEN) - 40);
    p = field(p, ",\"nxt\":", u8At(d + D_IP_NXT));
    p = field(p, ",\"hlim\":", u8At(d + D_IP_TTL));
    p = ip6(put(p, ",\"src\":\""), a + 8);
    p = ip6(put(p, "\",\"dst\":\""), a + 24);
    p = field(p, "\",\"ext_count\":", u8At(d + D_IP6_EXT_COUNT));
    p = field(p, ",\"upper\":", u8At(d + D_IP_PROTO));
    if (l & L_FRAG) {
      p = field(p, ",\"frag\":{\"offset\":", u16At(d + D_FRAG_OFF));
      p = field(p, ",\"more\":", (u8At(d + D_IP_FLAGS) & IPF_MF) != 0 ? 1 : 0);
      p = field(p, ",\"id\":", load<u32>(d + D_FRAG_ID));
      store<u8>(p++, 125);
    }
    store<u8>(p++, 125);
  }
  // A fragment taken by reassembly shows no transport (decode() does the same).
  const transport = (l & L_FRAG_HELD) == 0;
  if (transport && (l & L_TCP)) {
    p = field(p, ",\"tcp\":{\"srcport\":", u16At(d + D_SRC_PORT));
    p = field(p, ",\"dstport\":", u16At(d + D_DST_PORT));
    p = field(p, ",\"seq_raw\":", load<u32>(d + D_TCP_SEQ));
    p = field(p, ",\"ack_raw\":", load<u32>(d + D_TCP_ACK));
    p = field(p, ",\"hdr_len\":", u16At(d + D_L4_HDR_LEN));
    p = field(p, ",\"flags\":", u16At(d + D_TCP_FLAGS));
    p = field(p, ",\"window_size_value\":", u16At(d + D_TCP_WINDOW));
    p = field(p, ",\"checksum\":", u16At(d + D_L4_CKSUM));
    p = field(p, ",\"urgent_pointer\":", u16At(d + D_TCP_URG));
    p = field(p, ",\"len\":", u16At(d + D_PAYLOAD_LEN));
    p = put(p, ",\"options\":{");
    const o = u8At(d + D_TCP_OPTS);
    let sep = false;
    if (o & TO_MSS) { p = field(p, "\"mss_val\":", u16At(d + D_TCP_MSS)); sep = true; }
    if (o & TO_WSCALE) { if (sep) store<u8>(p++, 44); p = field(p, "\"wscale_shift\":", u8At(d + D_TCP_WSCALE)); sep = true; }
    if (o & TO_SACK_PERM) { if (sep) store<u8>(p++, 44); p = put(p, "\"sack_perm\":true"); sep = true; }
    if (o & TO_TIMESTAMP) {
      if (sep) store<u8>(p++, 44);
      p = field(p, "\"tsval\":", load<u32>(d + D_TCP_TSVAL));
      p = field(p, ",\"tsecr\":", load<u32>(d + D_TCP_TSECR));
      sep = true;
    }
    if (o & TO_SACK) {
      if (sep) store<u8>(p++, 44);
      p = put(p, "\"sack\":[");
      // The edges are read from the segment (the reassembled datagram's, under L_REASM).
      const s = ((l & L_REASM) != 0 ? <usize>load<u32>(d + D_REASM_PTR) : f) + u16At(d + D_SACK_OFF);
      const n = u8At(d + D_SACK_COUNT);
      for (let k: u32 = 0; k < n; k++) {
        if (k) store<u8>(p++, 44);
        store<u8>(p++, 91);
        p = num(p, bswap<u32>(load<u32>(s + 8 * k)));
        store<u8>(p++, 44);
        p = num(p, bswap<u32>(load<u32>(s + 8 * k + 4)));
        store<u8>(p++, 93);
      }
      store<u8>(p++, 93);
    }
    store<u16>(p, 0x7D7D); // "}}"
    p += 2;
  }
  if (transport && (l & L_UDP)) {
    p = field(p, ",\"udp\":{\"srcport\":", u16At(d + D_SRC_PORT));
    p = field(p, ",\"dstport\":", u16At(d + D_DST_PORT));
    p = field(p, ",\"length\":", u16At(d + D_UDP_LEN));
    p = field(p, ",\"checksum\":", u16At(d + D_L4_CKSUM));
    store<u8>(p++, 125);
  }
  if (rec != 0) {
    const at = (l & L_REASM) != 0 ? <usize>load<u32>(d + D_REASM_PTR) : f;
    const proto = <i32>load<u8>(rec + A_PROTO);
    p = proto == APP_DNS ? dnsJson(p, at, rec) : proto == APP_HTTP ? httpJson(p, at, rec) : tlsJson(p, at, rec);
    if (p == 0) return 0;
  }
  store<u16>(p, 0x0A7D); // "}\n"
  return p + 2;
}
