// Fixed layouts: the one hand-written source. host/runtime/generate-layout.mjs (npm run
// build:layout, the first step of npm run build) writes host/runtime/layout.ts and the
// addon's host/native/src/layout.h from this file; test/layout.test.ts checks both against
// the globals the WASM module exports under the same names.
// The generator reads only `export const NAME: i32|u32 = <integer expression>;`, comments
// and blank lines, and refuses anything else: keep code out of this file.

// Frame table entry: one per frame handed to a batch export.
export const FRAME_SIZE: i32 = 16;
export const FRAME_PTR: i32 = 0; // u32 address of the first byte
export const FRAME_CAPLEN: i32 = 4; // u32 bytes captured
export const FRAME_WIRELEN: i32 = 8; // u32 bytes on the wire
export const FRAME_LINKTYPE: i32 = 12; // u16 LINKTYPE_* value
export const FRAME_IFACE: i32 = 14; // u16 interface index (pcapng IDB number)
// The same fields as indexes into the memory's u32 / u16 views, for the host's typed-array
// loops: with e = entry address >>> 2, the caplen is u32[e + FRAME_W_CAPLEN] and the link
// type u16[(e << 1) + FRAME_H_LINKTYPE]. FRAME_W_LINK is the u32 word holding the link type
// (low half) and the interface (high half), as one store writes both.
export const FRAME_WORDS: i32 = FRAME_SIZE >> 2; // u32 words per entry
export const FRAME_W_PTR: i32 = FRAME_PTR >> 2;
export const FRAME_W_CAPLEN: i32 = FRAME_CAPLEN >> 2;
export const FRAME_W_WIRELEN: i32 = FRAME_WIRELEN >> 2;
export const FRAME_W_LINK: i32 = FRAME_LINKTYPE >> 2;
export const FRAME_H_LINKTYPE: i32 = FRAME_LINKTYPE >> 1;
export const FRAME_H_IFACE: i32 = FRAME_IFACE >> 1;

// Descriptor: the dissection result of one frame. Bytes 0..127 are the L2-L4 fields below;
// 128..191 the extension (u32 lengths that u16 cannot hold, IP reassembly), 64-byte
// aligned so that a descriptor covers whole cache lines.
export const DESC_SIZE: i32 = 192;
export const D_LAYERS: i32 = 0; // u32 L_* bits
export const D_ERRORS: i32 = 4; // u32 E_* bits
export const D_WIRELEN: i32 = 8; // u32
export const D_CAPLEN: i32 = 12; // u32
export const D_LINKTYPE: i32 = 16; // u16
export const D_L2_LEN: i32 = 18; // u16 link header + tags
export const D_L3_OFF: i32 = 20; // u16
export const D_L3_HDR_LEN: i32 = 22; // u16 IPv4 IHL*4, IPv6 40 + extension headers, ARP 8+addrs
export const D_L4_OFF: i32 = 24; // u16
export const D_L4_HDR_LEN: i32 = 26; // u16
export const D_PAYLOAD_OFF: i32 = 28; // u16
export const D_PAYLOAD_LEN: i32 = 30; // u16 L4 payload length per the headers (tcp.len)
export const D_ETH_TYPE: i32 = 32; // u16 EtherType/length word of the link header (eth.type)
export const D_ETHERTYPE: i32 = 34; // u16 EtherType after all tags (what L3 is)
export const D_VLAN0: i32 = 36; // u16 outer tag TCI
export const D_VLAN1: i32 = 38; // u16 inner tag TCI
export const D_VLAN_COUNT: i32 = 40; // u8 tags seen (may exceed 2; only two are kept)
export const D_IP_VERSION: i32 = 41; // u8 4 or 6
export const D_IP_PROTO: i32 = 42; // u8 upper-layer protocol after IPv6 extension headers
export const D_IP_NXT: i32 = 43; // u8 protocol / next header of the fixed header
export const D_IP_LEN: i32 = 44; // u16 IPv4 total length, IPv6 40 + payload length
export const D_IP_ID: i32 = 46; // u16 (IPv6: low 16 bits of the fragment identification)
export const D_FRAG_OFF: i32 = 48; // u16 fragment offset in bytes
export const D_IP_FLAGS: i32 = 50; // u8 IPF_* bits
export const D_IP_TTL: i32 = 51; // u8 TTL / hop limit
export const D_IP_TOS: i32 = 52; // u8 TOS / traffic class
export const D_IP6_EXT_COUNT: i32 = 53; // u8 extension headers walked
export const D_IP_CKSUM: i32 = 54; // u16 header checksum field
export const D_IP_SRC: i32 = 56; // u32 IPv4 source (numeric); IPv6 addresses are read at L3_OFF+8
export const D_IP_DST: i32 = 60; // u32
export const D_SRC_PORT: i32 = 64; // u16
export const D_DST_PORT: i32 = 66; // u16
export const D_TCP_SEQ: i32 = 68; // u32
export const D_TCP_ACK: i32 = 72; // u32
export const D_TCP_FLAGS: i32 = 76; // u16 12 bits: NS CWR ECE URG ACK PSH RST SYN FIN (+ reserved)
export const D_TCP_WINDOW: i32 = 78; // u16 raw window field
export const D_TCP_MSS: i32 = 80; // u16
export const D_TCP_WSCALE: i32 = 82; // u8
export const D_TCP_OPTS: i32 = 83; // u8 TO_* bits
export const D_TCP_TSVAL: i32 = 84; // u32
export const D_TCP_TSECR: i32 = 88; // u32
export const D_SACK_COUNT: i32 = 92; // u8 SACK blocks
export const D_ICMP_TYPE: i32 = 93; // u8
export const D_ICMP_CODE: i32 = 94; // u8
export const D_ARP_HLEN: i32 = 95; // u8
export const D_L4_CKSUM: i32 = 96; // u16 checksum field of TCP/UDP/ICMP/ICMPv6
export const D_UDP_LEN: i32 = 98; // u16 UDP length field
export const D_ICMP_ID: i32 = 100; // u16 echo identifier
export const D_ICMP_SEQ: i32 = 102; // u16 echo sequence
export const D_ARP_OP: i32 = 104; // u16
export const D_SACK_OFF: i32 = 106; // u16 frame offset of the first SACK block
export const D_IP6_FLOW: i32 = 108; // u32 flow label
export const D_FRAG_ID: i32 = 112; // u32 IPv6 fragment identification / IPv4 id
export const D_L2_PROTO: i32 = 116; // u16 SLL packet type / NULL family, link specific
export const D_TCP_URG: i32 = 118; // u16 urgent pointer
export const D_IP_PAYLOAD_LEN: i32 = 120; // u16 bytes after the IP header(s) per the length fields
export const D_IP6_JUMBO_OFF: i32 = 122; // u16 frame offset of the Jumbo Payload length (RFC 2675 option value), 0 without
// u8[4]: where IPv6 extension headers 2..5 start, from L3_OFF in 4-byte units (header 1
// starts at L3_OFF + 40); 0 = not recorded (a 6th or later header, or beyond 1020 bytes)
export const D_IP6_EXT_OFF: i32 = 124;
// Extension (128..191).
// D_IP_TOTAL: this IP packet's length by its headers, unclamped: the IPv4 total length (0
// on the wire: the rest of the frame, as tcpdump and Wireshark presume for TSO/BIG TCP
// sends), IPv6 40 + payload length, or 40 + the Jumbo Payload length (RFC 2675). D_IP_LEN
// keeps the 16-bit field (0xFFFF for a jumbogram).
export const D_IP_TOTAL: i32 = 128; // u32
// IP reassembly (assembly/reasm.ts). On the fragment that completes a datagram (L_REASM),
// the transport fields and L4 layer bits describe the reassembled datagram, whose bytes
// (its IP header first) start at address D_REASM_PTR in the reassembler's output area:
// D_L4_OFF, D_PAYLOAD_OFF and D_SACK_OFF count from there, not from the frame. The
// address stays valid until the reassembler's next batch. Every other field (L2, the IP
// header, D_IP_LEN, D_IP_TOTAL) is still this fragment's own, as on the wire.
export const D_REASM_PTR: i32 = 132; // u32 address of the reassembled datagram (L_REASM)
export const D_REASM_LEN: i32 = 136; // u32 its length: IP header(s) + reassembled payload (L_REASM)
export const D_REASM_FRAGS: i32 = 140; // u16 fragments it was made of (L_REASM)

// Encapsulations between the link header and L3 (issue #15): PPP (LINKTYPE_PPP, PPP_HDLC,
// PPPoE sessions), PPPoE and MPLS label stacks. D_L2_LEN stays the link header and its
// tags and D_ETHERTYPE the EtherType they announce (0x8864, 0x8847; for the PPP link
// types the EtherType of the PPP protocol: 0x0800, 0x86dd, 0x8847); the IP header that
// follows them is at D_L3_OFF as always, and the L_* bits say which of these were crossed.
export const D_PPP_PROTO: i32 = 144; // u16 PPP protocol field (L_PPP)
export const D_PPPOE_OFF: i32 = 146; // u16 frame offset of the PPPoE header (L_PPPOE)
export const D_PPPOE_SESSION: i32 = 148; // u16 session id (L_PPPOE)
export const D_PPPOE_CODE: i32 = 150; // u8 code: 0 session data, 0x09 PADI, 0x07 PADO, ... (L_PPPOE)
export const D_MPLS_COUNT: i32 = 151; // u8 label stack entries walked, to the bottom of stack (L_MPLS; 255 = more)
export const D_MPLS_OFF: i32 = 152; // u16 frame offset of the first label stack entry (L_MPLS)
export const D_PPPOE_LEN: i32 = 154; // u16 PPPoE length field (L_PPPOE)
export const D_MPLS_TOP: i32 = 156; // u32 the outermost label stack entry (label << 12 | tc << 9 | S << 8 | ttl)
// Tunnels (issue #15): one inner level per descriptor. The descriptor describes the OUTER
// packet (its L2, IP header and transport: the UDP datagram of VXLAN, the GRE packet's IP
// header); a tunnel header the dissector read whole sets L_TUNNEL and these fields. The inner
// packet is a frame of its own, of link type D_INNER_LINKTYPE (LINKTYPE_ETHERNET for VXLAN,
// Geneve's and GRE's Transparent Ethernet Bridging and ERSPAN; LINKTYPE_RAW for IP-in-IP,
// 6in4, 4in6, GRE and Geneve carrying IP, GTP-U; LINKTYPE_PPP for PPTP's GRE; LINKTYPE_MPLS for
// MPLS over UDP; 0 when the tunnel
// carries something the dissector does not follow), starting at frame offset D_INNER_OFF,
// D_INNER_LEN bytes long on the wire. Readers that want the inner layers dissect
// (frame + D_INNER_OFF, min(caplen - D_INNER_OFF, D_INNER_LEN), D_INNER_LEN, D_INNER_LINKTYPE)
// into a descriptor of their own: one descriptor per encapsulation level, the next level
// found the same way in the inner descriptor (host/dissect/inner.ts, with a depth limit).
// Fragments are not followed into (their inner packet is incomplete), nor are reassembled
// datagrams. For T_ERSPAN, D_TUNNEL_OFF is the ERSPAN header (type I has none: the inner
// frame's start) and the GRE header is at D_L3_OFF + D_L3_HDR_LEN, as for T_GRE.
export const D_TUNNEL: i32 = 160; // u8 T_* kind (L_TUNNEL)
export const D_TUNNEL_FLAGS: i32 = 161; // u8 kind-specific: GRE flags byte (C R K S s Recur), VXLAN flags, Geneve option length (4-byte words)
export const D_INNER_LINKTYPE: i32 = 162; // u16 LINKTYPE_* of the inner packet
export const D_TUNNEL_OFF: i32 = 164; // u16 frame offset of the tunnel header (GRE, VXLAN, Geneve, GTP-U; the inner IP header for IP-in-IP)
export const D_INNER_OFF: i32 = 166; // u16 frame offset of the inner packet
export const D_TUNNEL_ID: i32 = 168; // u32 VXLAN/Geneve VNI, GRE key, ERSPAN session id, GTP-U TEID
export const D_TUNNEL_PROTO: i32 = 172; // u16 GRE/Geneve protocol type (an EtherType), IP protocol for IP-in-IP
export const D_TUNNEL_VER: i32 = 174; // u8 GRE version, ERSPAN version (0 = type I, 1 = type II, 2 = type III), Geneve version
export const D_INNER_LEN: i32 = 176; // u32 the inner packet's length by the outer headers (UDP length or IP payload, less the tunnel headers), 0 when no inner packet

// Tunnel kinds (D_TUNNEL)
export const T_GRE: u32 = 1; // RFC 2784/2890 (PPTP's enhanced GRE, version 1, too)
export const T_ERSPAN: u32 = 2; // GRE protocol 0x88be (type I/II) or 0x22eb (type III)
export const T_VXLAN: u32 = 3; // RFC 7348, UDP 4789 and Linux's 8472
export const T_GENEVE: u32 = 4; // RFC 8926, UDP 6081
export const T_IPIP: u32 = 5; // IP protocol 4 (IPv4 inside) or 41 (IPv6 inside), under IPv4 or IPv6
export const T_MPLS_UDP: u32 = 6; // RFC 7510, UDP 6635: the inner packet is a label stack (LINKTYPE_MPLS)
export const T_GTPU: u32 = 7; // 3GPP TS 29.281, UDP 2152: a G-PDU's user packet (raw IP); D_TUNNEL_FLAGS the flags byte, D_TUNNEL_PROTO the message type

// Layer bits (D_LAYERS)
export const L_ETH: u32 = 1 << 0;
export const L_SLL: u32 = 1 << 1;
export const L_SLL2: u32 = 1 << 2;
export const L_NULL: u32 = 1 << 3;
export const L_VLAN: u32 = 1 << 4;
export const L_LLC: u32 = 1 << 5; // 802.3 length, not EtherType; an 802.2 header at L3_OFF when L3_HDR_LEN != 0
export const L_ARP: u32 = 1 << 6;
export const L_IP4: u32 = 1 << 7;
export const L_IP6: u32 = 1 << 8;
export const L_TCP: u32 = 1 << 9;
export const L_UDP: u32 = 1 << 10;
export const L_ICMP: u32 = 1 << 11;
export const L_ICMP6: u32 = 1 << 12;
export const L_FRAG: u32 = 1 << 13; // this IP packet is a fragment (MF or offset > 0)
export const L_RAW: u32 = 1 << 14; // link layer is raw IP
export const L_CKSUM_CHECKED: u32 = 1 << 15; // checksums were verified on request
export const L_SNAP: u32 = 1 << 16; // the 802.2 header announces SNAP (L3_HDR_LEN counts its 5 bytes)
export const L_STP: u32 = 1 << 17; // a spanning-tree BPDU follows the LLC/SNAP header (at PAYLOAD_OFF)
// Set by IP reassembly (assembly/reasm.ts), never by dissection:
export const L_REASM: u32 = 1 << 18; // this fragment completed a datagram: L4 bits and fields are the reassembled datagram's (D_REASM_PTR)
export const L_FRAG_HELD: u32 = 1 << 19; // this fragment went to reassembly and does not complete a datagram: its transport is reported on the one that does (as tshark shows), flows skip it
// Encapsulations and tunnels (issue #15):
export const L_PPP: u32 = 1 << 20; // a PPP header (D_PPP_PROTO): LINKTYPE_PPP, PPP_HDLC or a PPPoE session
export const L_PPPOE: u32 = 1 << 21; // a PPPoE header (D_PPPOE_*)
export const L_MPLS: u32 = 1 << 22; // an MPLS label stack (D_MPLS_*)
export const L_IPOIB: u32 = 1 << 23; // LINKTYPE_IPOIB: 44-byte header, EtherType at 40
export const L_TUNNEL: u32 = 1 << 24; // a tunnel header read whole (D_TUNNEL ... D_INNER_LEN)

// Error bits (D_ERRORS)
export const E_TRUNC_L2: u32 = 1 << 0; // link header or tag cut off by caplen
export const E_TRUNC_L3: u32 = 1 << 1; // network header cut off by caplen
export const E_TRUNC_L4: u32 = 1 << 2; // transport header cut off by caplen
export const E_BAD_IP_VERSION: u32 = 1 << 3;
export const E_BAD_IP_HDR_LEN: u32 = 1 << 4; // IHL < 5 or beyond total length
export const E_BAD_IP_LEN: u32 = 1 << 5; // total/payload length inconsistent with the frame
export const E_BAD_TCP_OFF: u32 = 1 << 6; // data offset < 5 or beyond the segment
export const E_BAD_UDP_LEN: u32 = 1 << 7; // UDP length < 8 or beyond the datagram
export const E_BAD_IP_CKSUM: u32 = 1 << 8;
export const E_BAD_L4_CKSUM: u32 = 1 << 9;
export const E_UNKNOWN_LINK: u32 = 1 << 10;
export const E_BAD_EXT_HDR: u32 = 1 << 11; // IPv6 extension header chain runs off the end
export const E_BAD_OPTION: u32 = 1 << 12; // IPv4 or TCP option with an impossible length
export const E_SNAPLEN: u32 = 1 << 13; // caplen < wire length (not malformed: snaplen)
export const E_BAD_ARP: u32 = 1 << 14;
export const E_CAPLEN_OVER_WIRE: u32 = 1 << 15; // caplen > wire length: corrupt record

// D_IP_FLAGS bits
export const IPF_MF: u32 = 1;
export const IPF_DF: u32 = 2;
export const IPF_RF: u32 = 4;

// D_TCP_OPTS bits
export const TO_MSS: u32 = 1;
export const TO_WSCALE: u32 = 2;
export const TO_SACK_PERM: u32 = 4;
export const TO_TIMESTAMP: u32 = 8;
export const TO_SACK: u32 = 16;
export const TO_MD5: u32 = 32;
export const TO_OTHER: u32 = 64; // an option this dissector does not decode (TFO, MPTCP, ...)

// dissect_batch() option bits
export const DF_VERIFY_CKSUM: u32 = 1;
export const DF_APP: u32 = 2; // decode the application layer into the bound app area (assembly/app/app.ts)

// Link types (tcpdump.org/linktypes.html)
export const LINKTYPE_NULL: i32 = 0;
export const LINKTYPE_ETHERNET: i32 = 1;
export const LINKTYPE_PPP: i32 = 9;
export const LINKTYPE_PPP_HDLC: i32 = 50; // PPP in HDLC-like framing (RFC 1662), or Cisco HDLC
export const LINKTYPE_PPP_ETHER: i32 = 51; // PPPoE, no link header
export const LINKTYPE_RAW: i32 = 101;
export const LINKTYPE_C_HDLC: i32 = 104; // Cisco HDLC
export const LINKTYPE_LOOP: i32 = 108;
export const LINKTYPE_LINUX_SLL: i32 = 113;
export const LINKTYPE_IPV4: i32 = 228;
export const LINKTYPE_MPLS: i32 = 219; // an MPLS label stack first (also a tunnel's inner packet: MPLS over UDP)
export const LINKTYPE_IPV6: i32 = 229;
export const LINKTYPE_IPOIB: i32 = 242;
export const LINKTYPE_LINUX_SLL2: i32 = 276;

// Frame ring (assembly/ring.ts, host/ring/twin.ts, host/native/): a single-producer
// single-consumer ring of fixed-size slots in the shared memory. Header fields each sit
// on their own 64-byte line where two threads touch them.
export const RING_HDR_SIZE: i32 = 256;
export const RING_HEAD: i32 = 0; // u32 producer count (free-running, mod 2^32); producer's line
export const RING_TAIL_SEEN: i32 = 4; // u32 the producer's copy of RING_TAIL, reread only when it says full (WASM/twin producers; the addon keeps its own)
export const RING_TAIL: i32 = 64; // u32 consumer count (free-running); consumer's line
export const RING_HEAD_SEEN: i32 = 68; // u32 the consumer's copy of RING_HEAD, reread only when it says fewer slots than asked for
export const RING_SLOT_COUNT: i32 = 128; // u32 power of two
export const RING_SLOT_SIZE: i32 = 132; // u32 bytes per slot: a frame ring's hold a header and are a multiple of 64; a value ring's are 4 (packed u32 values)
export const RING_SLOTS: i32 = 136; // u32 address of slot 0 (64-byte aligned)
export const RING_MASK: i32 = 140; // u32 slot count - 1
export const RING_DROPS: i32 = 144; // u32 frames the producer dropped because the ring was full
export const RING_FLAGS: i32 = 148; // u32 RF_* bits
export const RING_WAITING: i32 = 152; // i32 1 while the consumer sleeps in Atomics.wait on RING_HEAD
export const RING_DROPS_HI: i32 = 156; // u32 high word of the drop count
export const RING_SPACE_WAITING: i32 = 160; // i32 1 while a producer sleeps on RING_TAIL for a free slot (FrameRing.release notifies only then)
export const RF_CLOSED: u32 = 1; // producer finished: consumer drains and stops

// Slot header, at the start of each slot; frame bytes follow at SLOT_DATA.
export const SLOT_HDR_SIZE: i32 = 32;
export const SLOT_CAPLEN: i32 = 0; // u32
export const SLOT_WIRELEN: i32 = 4; // u32
export const SLOT_TS_SEC: i32 = 8; // u32 seconds since the epoch
export const SLOT_TS_NSEC: i32 = 12; // u32 nanoseconds
export const SLOT_LINKTYPE: i32 = 16; // u16
export const SLOT_IFACE: i32 = 18; // u16
export const SLOT_FLAGS: i32 = 20; // u32 SF_* bits
export const SLOT_DATA: i32 = 32;
// SLOT_FLAGS bits: a slot holds one frame, or (file sources) a chunk of whole pcap records.
// Each bit has one meaning whatever the source: bits 0-7 describe a single frame, bits 8+
// a chunk (test/layout.test.ts checks that no two SF_* share a bit).
export const SF_WIRELEN_UNKNOWN: u32 = 1 << 0; // the frame was cut by the snaplen and its wire length is unknown (cap source)
export const SF_PCAP_CHUNK: u32 = 1 << 8; // SLOT_DATA holds whole pcap records: read the header through CHUNK_*
export const SF_BIG_ENDIAN: u32 = 1 << 9; // chunk records are big-endian
export const SF_MICRO: u32 = 1 << 10; // chunk timestamps are microseconds (else nanoseconds)

// Chunk slot (SF_PCAP_CHUNK): the slot header's frame fields mean other things. The chunk
// has no timestamp or wire length of its own, so their words carry what the consumer counts
// without walking the records. SLOT_FLAGS and SLOT_LINKTYPE keep their meaning.
export const CHUNK_DATA_LEN: i32 = SLOT_CAPLEN; // u32 bytes of records at SLOT_DATA (always whole records)
export const CHUNK_RECORDS: i32 = SLOT_WIRELEN; // u32 records in the chunk
export const CHUNK_WIRE_BYTES: i32 = SLOT_TS_SEC; // f64 (8-byte aligned, over TS_SEC and TS_NSEC) sum of the records' wire lengths
// pcap record header (16 bytes) and the largest record accepted in a chunk.
export const PCAP_REC_HDR: i32 = 16;
export const PCAP_MAX_CAPLEN: u32 = 1 << 20;

// Per-frame timestamps next to a frame table (FrameBatch.times), one entry per frame.
export const TIME_SIZE: i32 = 8;
export const TIME_SEC: i32 = 0; // u32 seconds since the epoch
export const TIME_NSEC: i32 = 4; // u32 nanoseconds
// The same as u32 view indexes from t = entry address >>> 2 (see FRAME_W_*).
export const TIME_WORDS: i32 = TIME_SIZE >> 2;
export const TIME_W_SEC: i32 = TIME_SEC >> 2;
export const TIME_W_NSEC: i32 = TIME_NSEC >> 2;
