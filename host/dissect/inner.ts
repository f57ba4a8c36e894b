// decode()'s encapsulation layers (issue #15), in Wireshark's field names: what lies
// between the link header and L3 (ppp, pppoe, mpls) and a tunnel's header (gre, erspan,
// vxlan, geneve, gtp; MPLS over UDP's label stack is the inner packet's mpls) with its inner
// packet.
//
// Shape: the outer packet's layers stay where decode() always puts them (pkt.eth, pkt.ip,
// pkt.udp ...); the tunnel header is pkt.gre / pkt.erspan / pkt.vxlan / pkt.geneve (IP-in-IP
// has no header of its own), and the inner packet is pkt.inner, a decoded packet of the same
// shape (its frame: the inner link type and lengths), whose own tunnel is pkt.inner.inner,
// to tunnelDepth() levels (host/dissect/tunnel-depth.ts). Read outer -> inner, the levels give each Wireshark field's
// occurrences in tshark's order: test/lib/tshark-fields.ts flattens them into the arrays
// tshark -T fields prints (ip.src "outer,inner"). MPLS label stack entries are an array,
// outermost first.
//
// The descriptor covers one level (assembly/layout.ts, D_TUNNEL ...): the inner bytes are
// dissected here by the TypeScript twin on a small private memory, one region per level.
import type { PacketView } from './packet-view.js';
import { PacketView as View } from './packet-view.js';
import { DissectTwin } from './twin.js';
import { MAX_TUNNEL_DEPTH, tunnelDepth } from './tunnel-depth.js';
import { ChecksumTwin } from '../checksum/twin.js';
import { createSharedMemory, MemoryViews } from '../runtime/memory.js';
import {
  L_PPP, L_PPPOE, L_MPLS, L_TUNNEL, L_REASM, T_GRE, T_ERSPAN, T_VXLAN, T_GENEVE, T_GTPU, DESC_SIZE,
} from '../runtime/layout.js';

export interface DecodedPpp { protocol: number }
export interface DecodedPppoe { version: number; type: number; code: number; session_id: number; payload_length: number }
export interface DecodedMplsEntry { label: number; exp: number; bottom: number; ttl: number }
export interface DecodedGre { flags_and_version: number; proto: number; key?: number; sequence_number?: number }
export interface DecodedErspan { version: number; spanid: number }
export interface DecodedVxlan { flags: number; vni: number }
export interface DecodedGeneve { version: number; options_length: number; proto_type: number; vni: number }
export interface DecodedGtp { flags: number; message: number; teid: number }

/** The encapsulation members of a decoded packet (see the shape above). */
export interface DecodedEncap<P> {
  ppp?: DecodedPpp;
  pppoe?: DecodedPppoe;
  mpls?: DecodedMplsEntry[];
  gre?: DecodedGre;
  erspan?: DecodedErspan;
  vxlan?: DecodedVxlan;
  geneve?: DecodedGeneve;
  gtp?: DecodedGtp;
  inner?: P;
}

const REGION = 1 << 18; // bytes of inner frame kept per level (larger frames are cut, as by a snaplen)
const FRAMES = 1 << 16;

let scratch: { views: MemoryViews; twin: DissectTwin; view: View[] } | null = null;

function scratchOf(): { views: MemoryViews; twin: DissectTwin; view: View[] } {
  if (scratch === null) {
    const memory = createSharedMemory({ initialPages: (FRAMES + MAX_TUNNEL_DEPTH * REGION) >>> 16, maximumPages: (FRAMES + MAX_TUNNEL_DEPTH * REGION) >>> 16 });
    const views = new MemoryViews(memory);
    scratch = { views, twin: new DissectTwin(views, new ChecksumTwin(views)), view: [] };
  }
  return scratch;
}

const be16 = (m: Uint8Array, p: number): number => (m[p] << 8) | m[p + 1];
const be32 = (m: Uint8Array, p: number): number => ((m[p] << 24) | (m[p + 1] << 16) | (m[p + 2] << 8) | m[p + 3]) >>> 0;

/** The encapsulation members of the packet `v` describes (frame at `f` in `bytes`), its
 *  inner packet decoded by `decodeInner` at nesting `depth + 1`. */
export function encapsulation<P>(v: PacketView, bytes: Uint8Array, f: number, depth: number,
  decodeInner: (iv: PacketView, bytes: Uint8Array, depth: number) => P): DecodedEncap<P> {
  const l = v.layers;
  const e: DecodedEncap<P> = {};
  if (l & L_PPPOE) {
    const p = f + v.pppoeOff;
    e.pppoe = { version: bytes[p] >>> 4, type: bytes[p] & 15, code: v.pppoeCode, session_id: v.pppoeSession, payload_length: v.pppoeLen };
  }
  if (l & L_PPP) e.ppp = { protocol: v.pppProto };
  if (l & L_MPLS) {
    const entries: DecodedMplsEntry[] = [];
    const end = f + v.capLen;
    for (let i = 0, p = f + v.mplsOff; i < v.mplsCount && p + 4 <= end; i++, p += 4) {
      const w = be32(bytes, p);
      entries.push({ label: w >>> 12, exp: (w >>> 9) & 7, bottom: (w >>> 8) & 1, ttl: w & 0xff });
    }
    e.mpls = entries;
  }
  if ((l & L_TUNNEL) === 0) return e;
  const kind = v.tunnel;
  // A reassembled datagram's tunnel (L_REASM) counts from the datagram (assembly/reasm.ts).
  const reasm = (l & L_REASM) !== 0;
  const t = reasm ? v.reasmPtr : f;
  if (kind === T_GRE || kind === T_ERSPAN) {
    const g = reasm ? t + v.l4Off : f + v.l3Off + v.l3HdrLen;
    const fv = be16(bytes, g);
    const gre: DecodedGre = { flags_and_version: fv, proto: be16(bytes, g + 2) };
    // The optional words in order: checksum and offset (version 0), key, sequence number.
    const end = t + v.l4CapEnd;
    let o = g + 4;
    if ((fv & 7) === 0 && (fv & 0xC000) !== 0) o += 4;
    if ((fv & 0x2000) !== 0) { if (o + 4 <= end) gre.key = be32(bytes, o); o += 4; }
    if ((fv & 0x1000) !== 0 && o + 4 <= end) gre.sequence_number = be32(bytes, o);
    e.gre = gre;
    if (kind === T_ERSPAN) e.erspan = { version: v.tunnelVer, spanid: v.tunnelId };
  } else if (kind === T_VXLAN) {
    e.vxlan = { flags: be16(bytes, t + v.tunnelOff), vni: v.tunnelId };
  } else if (kind === T_GENEVE) {
    e.geneve = { version: v.tunnelVer, options_length: v.tunnelFlags * 4, proto_type: v.tunnelProto, vni: v.tunnelId };
  } else if (kind === T_GTPU) {
    e.gtp = { flags: v.tunnelFlags, message: v.tunnelProto, teid: v.tunnelId };
  }
  const iv = innerView(v, bytes, f, depth);
  if (iv !== null) e.inner = decodeInner(iv, scratchOf().views.u8, depth + 1);
  return e;
}

/** The inner packet of the tunnel `v` describes, dissected at level `depth` of the private
 *  memory (valid until the next call at that level), or null: no inner packet the dissector
 *  follows, or the nesting limit. */
export function innerView(v: PacketView, bytes: Uint8Array, f: number, depth: number): PacketView | null {
  if ((v.layers & L_TUNNEL) === 0 || v.innerLinktype === 0 || depth >= tunnelDepth()) return null;
  const off = v.innerOff;
  const wire = v.innerLen;
  // A reassembled tunnel datagram's inner packet is in the datagram (L_REASM).
  const base = (v.layers & L_REASM) !== 0 ? v.reasmPtr : f;
  const have = v.l4CapEnd;
  if (off >= have || wire === 0) return null;
  let cap = Math.min(have - off, wire);
  if (cap > REGION) cap = REGION;
  const s = scratchOf();
  const m = s.views.u8;
  const frame = FRAMES + depth * REGION;
  const desc = 4096 + depth * DESC_SIZE;
  m.set(bytes.subarray(base + off, base + off + cap), frame);
  s.twin.dissect_frame(frame, cap, wire, v.innerLinktype, desc, 0);
  const view = s.view[depth] ??= new View(s.views);
  view.desc = desc;
  view.frame = frame;
  view.app = 0;
  return view;
}
