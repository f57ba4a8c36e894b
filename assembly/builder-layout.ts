// Build spec layout (assembly/builder.ts): the one hand-written source of the constants the
// host's Builder and twin share with the WASM module. host/runtime/generate-layout.mjs writes
// host/builder/spec-layout.ts from this file; test/layout.test.ts checks it against the
// globals the WASM module exports under the same names. Only `export const NAME: i32|u32 =
// <integer expression>;`, comments and blank lines: the generator refuses anything else.

// Build spec: what build_packet writes, one spec per packet.
export const BUILD_SPEC_SIZE: i32 = 192;
export const B_LAYERS: i32 = 0; // u32 L_* bits of the headers to write
export const B_FLAGS: i32 = 4; // u32 BF_* bits
export const B_ETH_DST: i32 = 8; // 6 bytes
export const B_ETH_SRC: i32 = 14; // 6 bytes
export const B_ETH_TYPE: i32 = 20; // u16 EtherType when no L3 header is built (raw payload)
export const B_VLAN_COUNT: i32 = 22; // u8 0..2 tags
export const B_VLAN0: i32 = 24; // u16 outer tag TCI
export const B_VLAN1: i32 = 26; // u16 inner tag TCI
export const B_VLAN_TPID0: i32 = 28; // u16 outer tag's TPID (0: 0x8100)
export const B_VLAN_TPID1: i32 = 30; // u16 inner tag's TPID (0: 0x8100)
export const B_IP_TOS: i32 = 32; // u8 TOS / traffic class
export const B_IP_TTL: i32 = 33; // u8 TTL / hop limit
export const B_IP_PROTO: i32 = 34; // u8 upper protocol when no L4 header is built
export const B_IP_FLAGS: i32 = 35; // u8 IPF_* bits (IPv4)
export const B_IP_ID: i32 = 36; // u16 IPv4 identification
export const B_FRAG_OFF: i32 = 38; // u16 IPv4 fragment offset in bytes (a multiple of 8)
export const B_IP6_FLOW: i32 = 40; // u32 flow label (20 bits)
export const B_IP_OPTS: i32 = 44; // u32 address of IPv4 option bytes / IPv6 extension headers
export const B_IP_OPTS_LEN: i32 = 48; // u16 their length
export const B_IP6_EXT_COUNT: i32 = 50; // u8 extension headers in the chain (<= 8)
export const B_IP6_EXT_TYPES: i32 = 52; // 8 x u8 their header types, in order
export const B_IP_SRC: i32 = 60; // 16 bytes, network order (IPv4 and ARP: first 4)
export const B_IP_DST: i32 = 76; // 16 bytes
export const B_SRC_PORT: i32 = 92; // u16
export const B_DST_PORT: i32 = 94; // u16
export const B_TCP_SEQ: i32 = 96; // u32
export const B_TCP_ACK: i32 = 100; // u32
export const B_TCP_FLAGS: i32 = 104; // u16 12 bits
export const B_TCP_WINDOW: i32 = 106; // u16
export const B_TCP_URG: i32 = 108; // u16
export const B_TCP_MSS: i32 = 110; // u16
export const B_TCP_OPTS: i32 = 112; // u8 TO_* options to write
export const B_TCP_WSCALE: i32 = 113; // u8
export const B_SACK_COUNT: i32 = 114; // u8 1..4
export const B_ICMP_TYPE: i32 = 115; // u8
export const B_TCP_TSVAL: i32 = 116; // u32
export const B_TCP_TSECR: i32 = 120; // u32
export const B_SACK: i32 = 124; // 4 x (left u32, right u32)
export const B_ICMP_CODE: i32 = 156; // u8
export const B_ARP_OP: i32 = 158; // u16
export const B_ICMP_ID: i32 = 160; // u16 echo identifier (the first half of the rest of header)
export const B_ICMP_SEQ: i32 = 162; // u16 echo sequence (the second half)
export const B_ARP_SHA: i32 = 164; // 6 bytes
export const B_ARP_THA: i32 = 170; // 6 bytes
export const B_OUT_L3_OFF: i32 = 176; // u32 written: offset of the L3 header in the frame
export const B_OUT_L4_OFF: i32 = 180; // u32 written: offset of the L4 header (or the payload)
export const B_OUT_LEN: i32 = 184; // u32 written: frame length

// B_FLAGS bits
export const BF_UDP_NO_CKSUM: u32 = 1; // UDP over IPv4: checksum 0, "none" (RFC 768)

// build_* errors
export const BERR_HEADROOM: i32 = -1; // the buffer lacks headroom for the headers
export const BERR_OPTIONS: i32 = -2; // TCP or IPv4 options longer than the header allows
export const BERR_TOO_BIG: i32 = -3; // a length field cannot hold the packet (or a buffer cannot)
export const BERR_SPEC: i32 = -4; // the layers or the extension chain make no packet
export const BERR_DF: i32 = -5; // fragmentation needed but Don't Fragment is set
export const BERR_MTU: i32 = -6; // the MTU leaves no room for 8 bytes of payload
export const BERR_NO_BUFFER: i32 = -7; // the pool ran out of buffers (nothing is kept)
export const BERR_TOO_MANY: i32 = -8; // more fragments than the output array holds
export const BERR_FRAGMENTED: i32 = -9; // IPv6: already carries a Fragment header, or a jumbogram (RFC 2675)
export const BERR_CHAIN: i32 = -10; // IPv6: the first fragment cannot hold the header chain through the upper-layer header (RFC 7112)
