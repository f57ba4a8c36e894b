// Fixed layouts, the host copy of assembly/layout.ts. test/layout.test.ts compares every
// constant here with the exported global of the same name in the WASM module, so the
// two sides cannot drift apart silently.

// Frame table entry: one per frame handed to a batch export.
export const FRAME_SIZE = 16;
export const FRAME_PTR = 0; // u32 address of the first byte
export const FRAME_CAPLEN = 4; // u32 bytes captured
export const FRAME_WIRELEN = 8; // u32 bytes on the wire
export const FRAME_LINKTYPE = 12; // u16 LINKTYPE_* value
export const FRAME_IFACE = 14; // u16 interface index (pcapng IDB number)

// Descriptor: the dissection result of one frame.
export const DESC_SIZE = 128;
export const D_LAYERS = 0; // u32 L_* bits
export const D_ERRORS = 4; // u32 E_* bits
export const D_WIRELEN = 8; // u32
export const D_CAPLEN = 12; // u32
export const D_LINKTYPE = 16; // u16
export const D_L2_LEN = 18; // u16 link header + tags
export const D_L3_OFF = 20; // u16
export const D_L3_HDR_LEN = 22; // u16 IPv4 IHL*4, IPv6 40 + extension headers, ARP 8+addrs
export const D_L4_OFF = 24; // u16
export const D_L4_HDR_LEN = 26; // u16
export const D_PAYLOAD_OFF = 28; // u16
export const D_PAYLOAD_LEN = 30; // u16 L4 payload length per the headers (tcp.len)
export const D_ETH_TYPE = 32; // u16 EtherType/length word of the link header (eth.type)
export const D_ETHERTYPE = 34; // u16 EtherType after all tags (what L3 is)
export const D_VLAN0 = 36; // u16 outer tag TCI
export const D_VLAN1 = 38; // u16 inner tag TCI
export const D_VLAN_COUNT = 40; // u8 tags seen (may exceed 2; only two are kept)
export const D_IP_VERSION = 41; // u8 4 or 6
export const D_IP_PROTO = 42; // u8 upper-layer protocol after IPv6 extension headers
export const D_IP_NXT = 43; // u8 protocol / next header of the fixed header
export const D_IP_LEN = 44; // u16 IPv4 total length, IPv6 40 + payload length
export const D_IP_ID = 46; // u16 (IPv6: low 16 bits of the fragment identification)
export const D_FRAG_OFF = 48; // u16 fragment offset in bytes
export const D_IP_FLAGS = 50; // u8 IPF_* bits
export const D_IP_TTL = 51; // u8 TTL / hop limit
export const D_IP_TOS = 52; // u8 TOS / traffic class
export const D_IP6_EXT_COUNT = 53; // u8 extension headers walked
export const D_IP_CKSUM = 54; // u16 header checksum field
export const D_IP_SRC = 56; // u32 IPv4 source (numeric); IPv6 addresses are read at L3_OFF+8
export const D_IP_DST = 60; // u32
export const D_SRC_PORT = 64; // u16
export const D_DST_PORT = 66; // u16
export const D_TCP_SEQ = 68; // u32
export const D_TCP_ACK = 72; // u32
export const D_TCP_FLAGS = 76; // u16 12 bits: NS CWR ECE URG ACK PSH RST SYN FIN (+ reserved)
export const D_TCP_WINDOW = 78; // u16 raw window field
export const D_TCP_MSS = 80; // u16
export const D_TCP_WSCALE = 82; // u8
export const D_TCP_OPTS = 83; // u8 TO_* bits
export const D_TCP_TSVAL = 84; // u32
export const D_TCP_TSECR = 88; // u32
export const D_SACK_COUNT = 92; // u8 SACK blocks
export const D_ICMP_TYPE = 93; // u8
export const D_ICMP_CODE = 94; // u8
export const D_ARP_HLEN = 95; // u8
export const D_L4_CKSUM = 96; // u16 checksum field of TCP/UDP/ICMP/ICMPv6
export const D_UDP_LEN = 98; // u16 UDP length field
export const D_ICMP_ID = 100; // u16 echo identifier
export const D_ICMP_SEQ = 102; // u16 echo sequence
export const D_ARP_OP = 104; // u16
export const D_SACK_OFF = 106; // u16 frame offset of the first SACK block
export const D_IP6_FLOW = 108; // u32 flow label
export const D_FRAG_ID = 112; // u32 IPv6 fragment identification / IPv4 id
export const D_L2_PROTO = 116; // u16 SLL packet type / NULL family, link specific
export const D_TCP_URG = 118; // u16 urgent pointer
export const D_IP_PAYLOAD_LEN = 120; // u16 bytes after the IP header(s) per the length fields
export const D_IP6_JUMBO_OFF = 122; // u16 frame offset of the Jumbo Payload length (RFC 2675 option value), 0 without
// u8[4]: where IPv6 extension headers 2..5 start, from L3_OFF in 4-byte units (header 1
// starts at L3_OFF + 40); 0 = not recorded (a 6th or later header, or beyond 1020 bytes)
export const D_IP6_EXT_OFF = 124;

// Layer bits (D_LAYERS)
export const L_ETH = 1 << 0;
export const L_SLL = 1 << 1;
export const L_SLL2 = 1 << 2;
export const L_NULL = 1 << 3;
export const L_VLAN = 1 << 4;
export const L_LLC = 1 << 5; // 802.3 length, not EtherType; an 802.2 header at L3_OFF when L3_HDR_LEN != 0
export const L_ARP = 1 << 6;
export const L_IP4 = 1 << 7;
export const L_IP6 = 1 << 8;
export const L_TCP = 1 << 9;
export const L_UDP = 1 << 10;
export const L_ICMP = 1 << 11;
export const L_ICMP6 = 1 << 12;
export const L_FRAG = 1 << 13; // this IP packet is a fragment (MF or offset > 0)
export const L_RAW = 1 << 14; // link layer is raw IP
export const L_CKSUM_CHECKED = 1 << 15; // checksums were verified on request
export const L_SNAP = 1 << 16; // the 802.2 header announces SNAP (L3_HDR_LEN counts its 5 bytes)
export const L_STP = 1 << 17; // a spanning-tree BPDU follows the LLC/SNAP header (at PAYLOAD_OFF)

// Error bits (D_ERRORS)
export const E_TRUNC_L2 = 1 << 0; // link header or tag cut off by caplen
export const E_TRUNC_L3 = 1 << 1; // network header cut off by caplen
export const E_TRUNC_L4 = 1 << 2; // transport header cut off by caplen
export const E_BAD_IP_VERSION = 1 << 3;
export const E_BAD_IP_HDR_LEN = 1 << 4; // IHL < 5 or beyond total length
export const E_BAD_IP_LEN = 1 << 5; // total/payload length inconsistent with the frame
export const E_BAD_TCP_OFF = 1 << 6; // data offset < 5 or beyond the segment
export const E_BAD_UDP_LEN = 1 << 7; // UDP length < 8 or beyond the datagram
export const E_BAD_IP_CKSUM = 1 << 8;
export const E_BAD_L4_CKSUM = 1 << 9;
export const E_UNKNOWN_LINK = 1 << 10;
export const E_BAD_EXT_HDR = 1 << 11; // IPv6 extension header chain runs off the end
export const E_BAD_OPTION = 1 << 12; // IPv4 or TCP option with an impossible length
export const E_SNAPLEN = 1 << 13; // caplen < wire length (not malformed: snaplen)
export const E_BAD_ARP = 1 << 14;
export const E_CAPLEN_OVER_WIRE = 1 << 15; // caplen > wire length: corrupt record

// D_IP_FLAGS bits
export const IPF_MF = 1;
export const IPF_DF = 2;
export const IPF_RF = 4;

// D_TCP_OPTS bits
export const TO_MSS = 1;
export const TO_WSCALE = 2;
export const TO_SACK_PERM = 4;
export const TO_TIMESTAMP = 8;
export const TO_SACK = 16;
export const TO_MD5 = 32;
export const TO_OTHER = 64; // an option this dissector does not decode (TFO, MPTCP, ...)

// dissect_batch() option bits
export const DF_VERIFY_CKSUM = 1;

// Link types (tcpdump.org/linktypes.html)
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

// Frame ring (assembly/ring.ts, host/ring.ts, host/native/): a single-producer
// single-consumer ring of fixed-size slots in the shared memory. Header fields each sit
// on their own 64-byte line where two threads touch them.
export const RING_HDR_SIZE = 256;
export const RING_HEAD = 0; // u32 producer count (free-running, mod 2^32); producer's line
export const RING_TAIL = 64; // u32 consumer count (free-running); consumer's line
export const RING_SLOT_COUNT = 128; // u32 power of two
export const RING_SLOT_SIZE = 132; // u32 bytes per slot, header included, multiple of 64
export const RING_SLOTS = 136; // u32 address of slot 0 (64-byte aligned)
export const RING_MASK = 140; // u32 slot count - 1
export const RING_DROPS = 144; // u32 frames the producer dropped because the ring was full
export const RING_FLAGS = 148; // u32 RF_* bits
export const RING_WAITING = 152; // i32 1 while the consumer sleeps in Atomics.wait on RING_HEAD
export const RING_DROPS_HI = 156; // u32 high word of the drop count
export const RF_CLOSED = 1; // producer finished: consumer drains and stops

// Slot header, at the start of each slot; frame bytes follow at SLOT_DATA.
export const SLOT_HDR_SIZE = 32;
export const SLOT_CAPLEN = 0; // u32
export const SLOT_WIRELEN = 4; // u32
export const SLOT_TS_SEC = 8; // u32 seconds since the epoch
export const SLOT_TS_NSEC = 12; // u32 nanoseconds
export const SLOT_LINKTYPE = 16; // u16
export const SLOT_IFACE = 18; // u16
export const SLOT_FLAGS = 20; // u32 source-specific (direction ...)
export const SLOT_DATA = 32;
// SLOT_FLAGS bits: a slot holds one frame, or (file sources) a chunk of whole pcap records.
export const SF_PCAP_CHUNK = 1 << 8; // SLOT_DATA holds SLOT_CAPLEN bytes of pcap records;
// in such a slot SLOT_WIRELEN is the record count and the 8 bytes at SLOT_TS_SEC hold
// the f64 sum of the records' wire lengths (the chunk has no timestamp of its own)
export const SF_BIG_ENDIAN = 1 << 9; // chunk records are big-endian
export const SF_MICRO = 1 << 10; // chunk timestamps are microseconds (else nanoseconds)
export const SF_DIR_IN = 1; // live capture: received
export const SF_DIR_OUT = 2; // live capture: sent
// pcap record header (16 bytes) and the largest record accepted in a chunk.
export const PCAP_REC_HDR = 16;
export const PCAP_MAX_CAPLEN = 1 << 20;

// Per-frame timestamps next to a frame table (FrameBatch.times): sec u32, nsec u32.
export const TIME_SIZE = 8;
