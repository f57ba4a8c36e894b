// The application layer: one record per frame (APP_SIZE bytes, app-layout.ts) beside the
// descriptors, written by the decoder that claims the frame.
//
// How a decoder plugs in (WASM side; the TS twin in host/app/ mirrors each step):
//  1. Its constants go in app-layout.ts: an APP_* id, and its fields as offsets from
//     A_BODY up to APP_SIZE (offsets into the frame, never copies of strings).
//  2. assembly/app/<proto>.ts exports <proto>_decode(f, pay, payLen, capEnd, variant, a),
//     which opens the record with beginRecord() (record.ts: the common header, its zeroed
//     fields, the bounded capEnd), writes its fields, and closes it with endRecord() (A_NEXT,
//     A_VARIANT, A_FLAGS), reading nothing at or past capEnd and never trapping.
//  3. One line in dispatch() below: by port (both directions) or, for protocols found by
//     content on any port (TLS), by a cheap test of the first payload bytes after the port
//     tests; protocols over IP itself in ipProtocol(). The same line goes in
//     host/app/dispatch.ts (host/app/twin.ts for ipProtocol).
// Dissection reaches it only when the caller asks: dissect_frame/dissect_batch with the
// DF_APP option call app_frame() once per frame after L2-L4 (assembly/dissect.ts), so the
// common path pays one untaken branch. The record of descriptor i of a batch is record i
// of the area given to app_bind(); a descriptor outside the bound batch gets none.
import {
  DESC_SIZE, D_LAYERS, D_CAPLEN, D_PAYLOAD_OFF, D_PAYLOAD_LEN, D_SRC_PORT, D_DST_PORT, D_UDP_LEN, L_TCP, L_UDP,
  L_FRAG, L_REASM, L_IP4, L_IP6, D_L3_OFF, D_L3_HDR_LEN, D_IP_PROTO, D_IP_PAYLOAD_LEN, D_FRAG_OFF,
} from "../layout";
import { APP_SIZE, DV_TCP, DV_MDNS, DV_LLMNR } from "./app-layout";
import { dns_decode } from "./dns";
import { tls_sniff, tls_decode } from "./tls";
import { http_sniff, http_decode } from "./http";
import { dhcp_decode } from "./dhcp";
import { dhcp6_decode } from "./dhcp6";
import { ntp_decode } from "./ntp";
import { quic_decode } from "./quic";
import { ssh_decode } from "./ssh";
import { tftp_decode } from "./tftp";
import { syslog_decode } from "./syslog";
import { igmp_decode } from "./igmp";
import { ospf_decode } from "./ospf";

let gDescBase: usize = 0;
let gAppBase: usize = 0;
let gAppCount: u32 = 0;
let gAppEnd: usize = 0;
// The record after the last one used: a batch asks for descriptor i + 1 right after i, so
// the next record is found without dividing by DESC_SIZE (192: a real division per frame).
let gNextDesc: usize = 0;
let gNextApp: usize = 0;

/** Binds the app area: descriptor `descs + i * DESC_SIZE` gets record `apps + i * APP_SIZE`
 *  for i < count. count 0 unbinds. */
export function app_bind(descs: usize, apps: usize, count: u32): void {
  gDescBase = descs;
  gAppBase = apps;
  gAppCount = count;
  gAppEnd = apps + <usize>count * <usize>APP_SIZE;
  gNextDesc = descs;
  gNextApp = apps;
}

/** Called by the dissector for each frame when DF_APP is set: decodes into the record bound
 *  to descriptor `d`, if there is one. */
export function app_frame(f: usize, d: usize): void {
  let a: usize;
  if (d == gNextDesc) {
    a = gNextApp;
  } else {
    if (d < gDescBase) return;
    let delta = d - gDescBase;
    let i = delta / <usize>DESC_SIZE;
    if (i >= <usize>gAppCount || i * <usize>DESC_SIZE != delta) return;
    a = gAppBase + i * <usize>APP_SIZE;
  }
  if (a >= gAppEnd) return;
  gNextDesc = d + <usize>DESC_SIZE;
  gNextApp = a + <usize>APP_SIZE;
  app_decode(f, d, a);
}

/** Decodes the application layer of the dissected frame at `f` (descriptor `d`) into the
 *  record at `a`, whatever the binding. */
export function app_decode(f: usize, d: usize, a: usize): void {
  // The common header: a frame no decoder claims has A_PROTO = APP_NONE and nothing else.
  store<u64>(a, 0);
  store<u64>(a, 0, 8);
  let layers = load<u32>(d + D_LAYERS);
  if ((layers & (L_TCP | L_UDP)) == 0) { ipProtocol(f, d, a, layers); return; }
  let payLen = <u32>load<u16>(d + D_PAYLOAD_LEN);
  if (payLen == 0) return;
  let pay = <u32>load<u16>(d + D_PAYLOAD_OFF);
  let cap = load<u32>(d + D_CAPLEN);
  let capEnd = pay + payLen;
  if (cap < capEnd) capEnd = cap;
  if (capEnd < pay) capEnd = pay;
  // A first fragment carries the start of a datagram whose length the UDP header gives:
  // the message goes on past this frame (what is here ends at capEnd), so a decoder that
  // runs out of bytes flags truncation, not a malformed message. (tcpdump's text, which
  // host/app/dns/text.ts prints, takes the fragment's own length instead.)
  if ((layers & (L_UDP | L_FRAG)) == (L_UDP | L_FRAG)) {
    let ulen = <u32>load<u16>(d + D_UDP_LEN);
    if (ulen >= 8 && ulen - 8 > payLen) payLen = ulen - 8;
  }
  dispatch(f, pay, payLen, capEnd, (layers & L_TCP) != 0,
    <u32>load<u16>(d + D_SRC_PORT), <u32>load<u16>(d + D_DST_PORT), a);
}

/** The decoders reached by the IP protocol: IGMP (2, IPv4) and OSPF (89). Their message is
 *  the IP payload of a datagram that is no later fragment (a first fragment's part is
 *  decoded as far as it goes); a reassembled datagram's is not decoded (its descriptor's
 *  L3 offsets are the fragment's). */
function ipProtocol(f: usize, d: usize, a: usize, layers: u32): void {
  if ((layers & (L_IP4 | L_IP6)) == 0 || (layers & L_REASM) != 0) return;
  if ((layers & L_FRAG) != 0 && load<u16>(d + D_FRAG_OFF) != 0) return;
  let proto = <u32>load<u8>(d + D_IP_PROTO);
  if (proto != 89 && (proto != 2 || (layers & L_IP4) == 0)) return;
  let payLen = <u32>load<u16>(d + D_IP_PAYLOAD_LEN);
  if (payLen == 0) return;
  let pay = <u32>load<u16>(d + D_L3_OFF) + <u32>load<u16>(d + D_L3_HDR_LEN);
  let capEnd = pay + payLen;
  let cap = load<u32>(d + D_CAPLEN);
  if (cap < capEnd) capEnd = cap;
  if (capEnd < pay) capEnd = pay;
  if (proto == 2) igmp_decode(f, pay, payLen, capEnd, 0, a);
  else ospf_decode(f, pay, payLen, capEnd, 0, a);
}

@inline function port(sp: u32, dp: u32, p: u32): bool { return sp == p || dp == p; }

// The decoders, by port first, then by content. Mirrored in host/app/dispatch.ts.
function dispatch(f: usize, pay: u32, payLen: u32, capEnd: u32, tcp: bool, sp: u32, dp: u32, a: usize): void {
  let t: u32 = tcp ? DV_TCP : 0;
  if (port(sp, dp, 53)) { dns_decode(f, pay, payLen, capEnd, t, a); return; }
  if (!tcp && port(sp, dp, 5353)) { dns_decode(f, pay, payLen, capEnd, DV_MDNS, a); return; }
  if (port(sp, dp, 5355)) { dns_decode(f, pay, payLen, capEnd, t | DV_LLMNR, a); return; }
  if (!tcp && (port(sp, dp, 67) || port(sp, dp, 68))) { dhcp_decode(f, pay, payLen, capEnd, 0, a); return; }
  if (!tcp && (port(sp, dp, 546) || port(sp, dp, 547))) { dhcp6_decode(f, pay, payLen, capEnd, 0, a); return; }
  if (!tcp && port(sp, dp, 123)) { ntp_decode(f, pay, payLen, capEnd, 0, a); return; }
  if (!tcp && port(sp, dp, 443)) { quic_decode(f, pay, payLen, capEnd, 0, a); return; }
  if (!tcp && port(sp, dp, 69)) { tftp_decode(f, pay, payLen, capEnd, 0, a); return; }
  if (!tcp && port(sp, dp, 514)) { syslog_decode(f, pay, payLen, capEnd, 0, a); return; }
  if (tcp && port(sp, dp, 22)) { ssh_decode(f, pay, payLen, capEnd, 0, a); return; }
  if (tcp && tls_sniff(f, pay, capEnd)) { tls_decode(f, pay, payLen, capEnd, 0, a); return; }
  if (tcp && (port(sp, dp, 80) || port(sp, dp, 8080) || http_sniff(f, pay, capEnd))) { http_decode(f, pay, payLen, capEnd, 0, a); return; }
}
