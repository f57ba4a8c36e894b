// --json: one JSON object per packet and line, the shape of the engine's decode()
// (host/dissect/decode.ts: Wireshark field names, nested by protocol) plus frame.number and
// frame.time_epoch. The link, network and transport layers and the common DNS, HTTP and TLS
// messages (json/dns.ts, http.ts, tls.ts) are written straight from the descriptor, the app
// record and the frame into the output bytes (json/bytes.ts: pre-encoded keys, digits
// written in place, one room check per frame): no object per packet, no JSON.stringify.
// What is rarer (a tunnel's inner packet, an ICMP error's quoted datagram, the other
// application objects, a message those writers leave to the general path, and the whole of
// a frame with a dissection error) is decode()'s own object, serialised. test/sinks.test.ts
// and test/sinks-json-app.test.ts parse the lines back and require them to deep-equal
// decode()'s objects, so the two cannot drift apart.
//
// frame.time_epoch is a string "seconds.nanoseconds" (9 digits), as tshark's JSON writes
// it: a JSON number (an IEEE double) cannot hold 19 significant digits, and nanosecond
// timestamps would silently round.
import type { PacketView } from '../dissect/packet-view.js';
import type { TextBuffer } from './text/buffer.js';
import { lit, put, num, field, snum, nano9, ip4, mac, ip6 } from './json/bytes.js';
import {
  L_ETH, L_SLL, L_SLL2, L_NULL, L_VLAN, L_ARP, L_IP4, L_IP6, L_TCP, L_UDP, L_ICMP, L_ICMP6, L_FRAG,
  L_FRAG_HELD, L_REASM, L_PPP, L_PPPOE, L_MPLS, L_TUNNEL, IPF_MF, IPF_DF, IPF_RF, TO_SACK_PERM, TO_MSS, TO_WSCALE, TO_TIMESTAMP, TO_SACK,
  D_LAYERS, D_WIRELEN, D_CAPLEN, D_LINKTYPE, D_ETH_TYPE, D_IP_FLAGS, D_L3_HDR_LEN, D_IP_TOS, D_IP_TOTAL, D_IP_ID, D_FRAG_OFF,
  D_IP_TTL, D_IP_NXT, D_IP_CKSUM, D_IP_SRC, D_IP_DST, D_SRC_PORT, D_DST_PORT, D_TCP_SEQ, D_TCP_ACK, D_L4_HDR_LEN, D_TCP_FLAGS,
  D_TCP_WINDOW, D_L4_CKSUM, D_TCP_URG, D_PAYLOAD_LEN, D_UDP_LEN,
} from '../runtime/layout.js';
import { appObject } from '../app/objects.js';
import { quotedOf } from '../app/icmp-quoted.js';
import { A_PROTO, APP_NONE, APP_DNS, APP_HTTP, APP_TLS } from '../app/app-layout.js';
import { writeDnsJson } from './json/dns.js';
import { writeHttpJson } from './json/http.js';
import { writeTlsJson } from './json/tls.js';
import { writeUtf8 } from './json/raw.js';
import { encapsulation } from '../dissect/inner.js';
import { decodeInnerLevel as decodeLevelOf, decodeView } from '../dissect/decode.js';

/** Room for everything but the serialised objects and the error list (which check their own). */
const FRAME_ROOM = 4096;

const K_FRAME = lit('{"frame":{"len":');
const K_CAP_LEN = lit(',"cap_len":');
const K_LINKTYPE = lit(',"linktype":');
const K_NUMBER = lit(',"number":');
const K_TIME = lit(',"time_epoch":"');
const K_FRAME_END = lit('"}');
const K_ETH = lit(',"eth":{"dst":"');
const K_SRC_Q = lit('","src":"');
const K_ETH_TYPE = lit('","type":');
const K_ETH_LEN = lit('","len":');
const K_SLL = lit(',"sll":{"pkttype":');
const K_ETYPE = lit(',"etype":');
const K_NULL = lit(',"null":{"family":');
const K_VLAN = lit(',"vlan":{"id":');
const K_PRIORITY = lit(',"priority":');
const K_DEI = lit(',"dei":');
const K_COUNT = lit(',"count":');
const K_VLAN_INNER = lit(',"inner":{"id":');
const K_ARP = lit(',"arp":{"opcode":');
const K_HW_SIZE = lit(',"hw_size":');
const K_ARP_SRC_HW = lit(',"src_hw_mac":"');
const K_ARP_SRC_IP = lit('","src_proto_ipv4":"');
const K_ARP_DST_HW = lit('","dst_hw_mac":"');
const K_ARP_DST_IP = lit('","dst_proto_ipv4":"');
const K_IP = lit(',"ip":{"version":4,"hdr_len":');
const K_DSFIELD = lit(',"dsfield":');
const K_LEN = lit(',"len":');
const K_ID = lit(',"id":');
/** ip.flags (by rb, df and mf as bits 2, 1, 0) and the frag_offset key: one copy. */
const K_IP_FLAGS = Array.from({ length: 8 }, (_, x) => lit(`,"flags":{"rb":${x >> 2},"df":${(x >> 1) & 1},"mf":${x & 1}},"frag_offset":`));
const K_TTL = lit(',"ttl":');
const K_PROTO = lit(',"proto":');
const K_CHECKSUM = lit(',"checksum":');
const K_SRC_FIRST = lit(',"src":"');
const K_DST_Q = lit('","dst":"');
const K_Q_END = lit('"}');
const K_IPV6 = lit(',"ipv6":{"version":6,"tclass":');
const K_FLOW = lit(',"flow":');
const K_PLEN = lit(',"plen":');
const K_NXT = lit(',"nxt":');
const K_HLIM = lit(',"hlim":');
const K_EXT_COUNT = lit('","ext_count":');
const K_UPPER = lit(',"upper":');
const K_FRAG6 = lit(',"frag":{"offset":');
const K_MORE = lit(',"more":');
const K_TCP = lit(',"tcp":{"srcport":');
const K_DSTPORT = lit(',"dstport":');
const K_SEQ = lit(',"seq_raw":');
const K_ACK = lit(',"ack_raw":');
const K_HDR_LEN = lit(',"hdr_len":');
const K_TCP_FLAGS = lit(',"flags":');
const K_WINDOW = lit(',"window_size_value":');
const K_URGENT = lit(',"urgent_pointer":');
const K_OPTIONS = lit(',"options":{');
const K_MSS = lit('"mss_val":');
const K_WSCALE = lit('"wscale_shift":');
const K_SACK_PERM = lit('"sack_perm":true');
const K_TSVAL = lit('"tsval":');
const K_TSECR = lit(',"tsecr":');
const K_SACK = lit('"sack":[');
const K_UDP = lit(',"udp":{"srcport":');
const K_LENGTH = lit(',"length":');
const K_ICMP = lit(',"icmp":{"type":');
const K_ICMP6 = lit(',"icmpv6":{"type":');
const K_CODE = lit(',"code":');
const K_IDENT = lit(',"ident":');
const K_SEQ_ICMP = lit(',"seq":');
const K_QUOTED = lit(',"quoted":');

function tag(b: Uint8Array, p: number, tci: number): number {
  let q = num(b, p, tci & 0x0FFF);
  q = field(b, q, K_PRIORITY, tci >>> 13);
  return field(b, q, K_DEI, (tci >>> 12) & 1);
}

/** 16- and 32-bit views of the memory `m` the line writer was last given. */
let wordsOf: Uint8Array | null = null;
let U16: Uint16Array = new Uint16Array(0);
let U32: Uint32Array = new Uint32Array(0);

function setWords(m: Uint8Array): void {
  wordsOf = m;
  U16 = new Uint16Array(m.buffer, m.byteOffset, m.byteLength >>> 1);
  U32 = new Uint32Array(m.buffer, m.byteOffset, m.byteLength >>> 2);
}

/** `,"time_epoch":"` and the digits of the last frame's seconds. */
let lastSec = -1;
let lastSecBytes = new Uint8Array(0);

/** Appends one JSON line for the frame the view points at (`m`: the memory holding it). */
export function writeJsonPacket(out: TextBuffer, v: PacketView, m: Uint8Array, tsSec: number, tsNsec: number, number: number): void {
  if (v.errors !== 0) { writeDecoded(out, v, m, tsSec, tsNsec, number); return; }
  // The common layers read the descriptor's words directly (the view's getters are calls
  // in a function this large); the rarer ones through the view.
  if (m !== wordsOf) setWords(m);
  const d = v.desc;
  const l = U32[(d + D_LAYERS) >>> 2];
  const f = v.frame;
  out.ensure(FRAME_ROOM);
  const b = out.buf;
  let p = out.pos;
  p = field(b, p, K_FRAME, U32[(d + D_WIRELEN) >>> 2]);
  p = field(b, p, K_CAP_LEN, U32[(d + D_CAPLEN) >>> 2]);
  p = field(b, p, K_LINKTYPE, U16[(d + D_LINKTYPE) >>> 1]);
  p = field(b, p, K_NUMBER, number);
  // The seconds change far less often than the frames: their key and digits are kept.
  if (tsSec !== lastSec) { lastSec = tsSec; lastSecBytes = b.slice(p, field(b, p, K_TIME, tsSec)); }
  p = put(b, p, lastSecBytes);
  b[p++] = 46;
  p = put(b, nano9(b, p, tsNsec), K_FRAME_END);
  if (l & L_ETH) {
    p = mac(b, put(b, p, K_ETH), m, f);
    p = mac(b, put(b, p, K_SRC_Q), m, f + 6);
    const et = U16[(d + D_ETH_TYPE) >>> 1];
    p = field(b, p, et > 1500 ? K_ETH_TYPE : K_ETH_LEN, et);
    b[p++] = 125;
  }
  if (l & (L_SLL | L_SLL2)) {
    p = field(b, p, K_SLL, v.l2Proto);
    p = field(b, p, K_ETYPE, v.etherType);
    b[p++] = 125;
  }
  if (l & L_NULL) {
    p = field(b, p, K_NULL, v.l2Proto);
    b[p++] = 125;
  }
  if (l & L_VLAN) {
    p = tag(b, put(b, p, K_VLAN), v.vlanTci0);
    p = field(b, p, K_ETYPE, v.etherType);
    const count = v.vlanCount;
    p = field(b, p, K_COUNT, count);
    if (count > 1) { p = tag(b, put(b, p, K_VLAN_INNER), v.vlanTci1); b[p++] = 125; }
    b[p++] = 125;
  }
  if (l & L_ARP) {
    p = field(b, p, K_ARP, v.arpOpcode);
    p = field(b, p, K_HW_SIZE, v.arpHwLen);
    const base = f + v.l3Off;
    if (v.arpHwLen === 6 && v.l3HdrLen === 28 && v.capLen >= v.l3Off + 28) {
      p = mac(b, put(b, p, K_ARP_SRC_HW), m, base + 8);
      p = ip4(b, put(b, p, K_ARP_SRC_IP), v.ipSrc);
      p = mac(b, put(b, p, K_ARP_DST_HW), m, base + 18);
      p = ip4(b, put(b, p, K_ARP_DST_IP), v.ipDst);
      b[p++] = 34;
    }
    b[p++] = 125;
  }
  if (l & L_IP4) {
    const fl = m[d + D_IP_FLAGS];
    p = field(b, p, K_IP, U16[(d + D_L3_HDR_LEN) >>> 1]);
    p = field(b, p, K_DSFIELD, m[d + D_IP_TOS]);
    p = field(b, p, K_LEN, U32[(d + D_IP_TOTAL) >>> 2]);
    p = field(b, p, K_ID, U16[(d + D_IP_ID) >>> 1]);
    p = field(b, p, K_IP_FLAGS[(fl & IPF_RF ? 4 : 0) | (fl & IPF_DF ? 2 : 0) | (fl & IPF_MF ? 1 : 0)], U16[(d + D_FRAG_OFF) >>> 1] >>> 3);
    p = field(b, p, K_TTL, m[d + D_IP_TTL]);
    p = field(b, p, K_PROTO, m[d + D_IP_NXT]);
    p = field(b, p, K_CHECKSUM, U16[(d + D_IP_CKSUM) >>> 1]);
    p = ip4(b, put(b, p, K_SRC_FIRST), U32[(d + D_IP_SRC) >>> 2]);
    p = ip4(b, put(b, p, K_DST_Q), U32[(d + D_IP_DST) >>> 2]);
    p = put(b, p, K_Q_END);
  }
  if (l & L_IP6) {
    const a = f + v.l3Off;
    p = field(b, p, K_IPV6, v.tos);
    p = field(b, p, K_FLOW, v.flowLabel);
    p = snum(b, put(b, p, K_PLEN), v.ip6JumboOff !== 0 ? 0 : v.ipLen - 40);
    p = field(b, p, K_NXT, v.ipNxt);
    p = field(b, p, K_HLIM, v.ttl);
    p = ip6(b, put(b, p, K_SRC_FIRST), m, a + 8);
    p = ip6(b, put(b, p, K_DST_Q), m, a + 24);
    p = field(b, p, K_EXT_COUNT, v.ip6ExtCount);
    p = field(b, p, K_UPPER, v.ipProto);
    if (l & L_FRAG) {
      p = field(b, p, K_FRAG6, v.fragOffset);
      p = field(b, p, K_MORE, v.ipFlags & IPF_MF ? 1 : 0);
      p = field(b, p, K_ID, v.fragId);
      b[p++] = 125;
    }
    b[p++] = 125;
  }
  // A fragment taken by reassembly shows no transport (decode() does the same).
  const transport = (l & L_FRAG_HELD) === 0;
  if (transport && (l & L_TCP)) {
    p = field(b, p, K_TCP, U16[(d + D_SRC_PORT) >>> 1]);
    p = field(b, p, K_DSTPORT, U16[(d + D_DST_PORT) >>> 1]);
    p = field(b, p, K_SEQ, U32[(d + D_TCP_SEQ) >>> 2]);
    p = field(b, p, K_ACK, U32[(d + D_TCP_ACK) >>> 2]);
    p = field(b, p, K_HDR_LEN, U16[(d + D_L4_HDR_LEN) >>> 1]);
    p = field(b, p, K_TCP_FLAGS, U16[(d + D_TCP_FLAGS) >>> 1]);
    p = field(b, p, K_WINDOW, U16[(d + D_TCP_WINDOW) >>> 1]);
    p = field(b, p, K_CHECKSUM, U16[(d + D_L4_CKSUM) >>> 1]);
    p = field(b, p, K_URGENT, U16[(d + D_TCP_URG) >>> 1]);
    p = field(b, p, K_LEN, U16[(d + D_PAYLOAD_LEN) >>> 1]);
    p = put(b, p, K_OPTIONS);
    const o = v.tcpOptions;
    let sep = false;
    if (o & TO_MSS) { p = field(b, p, K_MSS, v.tcpMss); sep = true; }
    if (o & TO_WSCALE) { if (sep) b[p++] = 44; p = field(b, p, K_WSCALE, v.tcpWscale); sep = true; }
    if (o & TO_SACK_PERM) { if (sep) b[p++] = 44; p = put(b, p, K_SACK_PERM); sep = true; }
    if (o & TO_TIMESTAMP) {
      if (sep) b[p++] = 44;
      p = field(b, p, K_TSVAL, v.tcpTsval);
      p = field(b, p, K_TSECR, v.tcpTsecr);
      sep = true;
    }
    if (o & TO_SACK) {
      if (sep) b[p++] = 44;
      p = put(b, p, K_SACK);
      for (let i = 0; i < v.sackCount; i++) {
        if (i) b[p++] = 44;
        b[p++] = 91;
        p = num(b, p, v.sackEdge(i, false));
        b[p++] = 44;
        p = num(b, p, v.sackEdge(i, true));
        b[p++] = 93;
      }
      b[p++] = 93;
    }
    b[p++] = 125;
    b[p++] = 125;
  }
  if (transport && (l & L_UDP)) {
    p = field(b, p, K_UDP, U16[(d + D_SRC_PORT) >>> 1]);
    p = field(b, p, K_DSTPORT, U16[(d + D_DST_PORT) >>> 1]);
    p = field(b, p, K_LENGTH, U16[(d + D_UDP_LEN) >>> 1]);
    p = field(b, p, K_CHECKSUM, U16[(d + D_L4_CKSUM) >>> 1]);
    b[p++] = 125;
  }
  out.pos = p;
  if (transport && (l & (L_ICMP | L_ICMP6))) writeIcmp(out, v, m, l);
  if (l & (L_PPP | L_PPPOE | L_MPLS | L_TUNNEL)) {
    // Encapsulations and a tunnel's inner packet (host/dissect/inner.ts): decode()'s own
    // objects, so the two cannot differ; only frames that have them pay for it.
    const e = encapsulation(v, m, f, 0, (iv, ib, d) => decodeLevelOf(iv, ib, d));
    for (const [k, val] of Object.entries(e)) { out.str(`,"${k}":`); writeUtf8(out, JSON.stringify(val)); }
  }
  if (transport && v.app !== 0 && m[v.app + A_PROTO] !== APP_NONE) writeApp(out, v, m, (l & L_REASM) !== 0 ? v.reasmPtr : f);
  out.str('}\n');
}

/** A frame with a dissection error (a cut or malformed header: rare in real traffic, and
 *  where decode() has the most rules: pkt.cut, the error names) is decode()'s own object,
 *  serialised, with frame.number and frame.time_epoch. */
function writeDecoded(out: TextBuffer, v: PacketView, m: Uint8Array, tsSec: number, tsNsec: number, number: number): void {
  const d = decodeView(v, m, v.frame, v.app !== 0 && m[v.app + A_PROTO] !== APP_NONE ? v.app : undefined);
  Object.assign(d.frame, { number, time_epoch: `${tsSec}.${String(tsNsec).padStart(9, '0')}` });
  writeUtf8(out, JSON.stringify(d));
  out.ch(10);
}

/** The application layer: the common DNS, HTTP and TLS messages written directly
 *  (json/dns.ts, http.ts, tls.ts), the rest as decode()'s own object (host/app/objects.ts); only frames a
 *  decoder claimed pay for it. `at`: the frame (or reassembled datagram) the record counts
 *  from. */
function writeApp(out: TextBuffer, v: PacketView, m: Uint8Array, at: number): void {
  const proto = m[v.app + A_PROTO];
  const direct = proto === APP_DNS ? writeDnsJson(out, m, at, v.app)
    : proto === APP_HTTP ? writeHttpJson(out, m, at, v.app)
      : proto === APP_TLS ? writeTlsJson(out, m, at, v.app) : false;
  if (direct) return;
  const o = appObject(m, at, v.app);
  if (o !== undefined) { out.bytes(appKey(o.key)); writeUtf8(out, JSON.stringify(o.value)); }
}

/** `,"dns":` ... by application key, encoded on first use. */
const appKeys = new Map<string, Uint8Array>();

function appKey(k: string): Uint8Array {
  let e = appKeys.get(k);
  if (e === undefined) appKeys.set(k, e = lit(`,"${k}":`));
  return e;
}

function writeIcmp(out: TextBuffer, v: PacketView, m: Uint8Array, l: number): void {
  const b = out.buf;
  let p = field(b, out.pos, l & L_ICMP ? K_ICMP : K_ICMP6, v.icmpType);
  p = field(b, p, K_CODE, v.icmpCode);
  p = field(b, p, K_CHECKSUM, v.l4Checksum);
  const t = v.icmpType;
  const echo = l & L_ICMP6 ? t === 128 || t === 129 : t === 0 || t === 8 || (t >= 13 && t <= 18);
  if (echo && v.l4CapEnd >= v.l4Off + 8) {
    p = field(b, p, K_IDENT, v.icmpId);
    p = field(b, p, K_SEQ_ICMP, v.icmpSeq);
  }
  out.pos = p;
  const quoted = quotedOf(v, m); // an error's quoted datagram, decode()'s own object
  if (quoted !== undefined) { out.bytes(K_QUOTED); writeUtf8(out, JSON.stringify(quoted)); }
  out.ch(125);
}
