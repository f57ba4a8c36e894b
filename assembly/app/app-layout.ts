// Application-layer records (assembly/app/, host/app/): the one hand-written source of the
// constants the WASM decoders, their TS twins and the host's readers share.
// host/runtime/generate-layout.mjs writes host/app/app-layout.ts from this file. Only
// `export const NAME: i32|u32 = <integer expression>;`, comments and blank lines.

// ---- the app record: one per frame, APP_SIZE bytes, beside the descriptors ----
// Record i of a bound area belongs to descriptor i (app_bind). Strings never leave the
// frame: the record holds frame offsets (from the first byte of the frame) and lengths.
export const APP_SIZE: i32 = 256;
export const A_PROTO: i32 = 0; // u8 APP_* (APP_NONE: no decoder took the frame)
export const A_VARIANT: i32 = 1; // u8 protocol-specific variant bits (DNS: DV_*)
export const A_FLAGS: i32 = 2; // u16 AF_* bits
export const A_OFF: i32 = 4; // u16 frame offset of the application message
export const A_LEN: i32 = 6; // u16 message length per the headers (what tcpdump prints in "(N)")
export const A_CAP: i32 = 8; // u16 message bytes captured (<= A_LEN unless the headers lie)
export const A_NEXT: i32 = 10; // u16 frame offset where decoding stopped (resume point when AF_MORE)
export const A_COUNT: i32 = 12; // u8 items recorded in the protocol area
export const A_BODY: i32 = 16; // first byte of the protocol-specific area

// APP_* protocol ids (A_PROTO). One id per decoder; a decoder may own several ports.
export const APP_NONE: i32 = 0;
export const APP_DNS: i32 = 1; // DNS, mDNS, LLMNR (variant says which, and whether over TCP)
export const APP_DHCP: i32 = 2;
export const APP_DHCP6: i32 = 3;
export const APP_NTP: i32 = 4;
export const APP_HTTP: i32 = 5;
export const APP_TLS: i32 = 6;
export const APP_QUIC: i32 = 7;
export const APP_SSH: i32 = 8;
export const APP_TFTP: i32 = 9;
export const APP_SYSLOG: i32 = 10;
export const APP_IGMP: i32 = 11;
export const APP_OSPF: i32 = 12;
export const APP_ICMP_ERR: i32 = 13;

// AF_* bits (A_FLAGS): what went wrong. The record holds what was sound up to there.
export const AF_TRUNC: u32 = 1 << 0; // the capture ends inside the message (snaplen): not malformed
export const AF_MALFORMED: u32 = 1 << 1; // a length, count or value the message cannot hold
export const AF_MORE: u32 = 1 << 2; // more items than the record holds: resume at A_NEXT
export const AF_BAD_PTR: u32 = 1 << 3; // a compression pointer that does not point backwards (or loops)
export const AF_BAD_LABEL: u32 = 1 << 4; // a label type other than a length <= 63 or a pointer
export const AF_LONG_NAME: u32 = 1 << 5; // a name over 255 bytes in wire form
export const AF_COUNTS: u32 = 1 << 6; // the counts announce more than the message carries

// ---- DNS (APP_DNS), assembly/app/dns.ts and host/app/dns/ ----
// DV_* variant bits (A_VARIANT)
export const DV_TCP: u32 = 1; // over TCP: a 2-byte length prefix precedes the message (RFC 1035 §4.2.2)
export const DV_MDNS: u32 = 2; // port 5353 (RFC 6762: class top bit = unicast-response / cache-flush)
export const DV_LLMNR: u32 = 4; // port 5355 (RFC 4795)
export const DV_PREFIX_BAD: u32 = 8; // TCP: the length prefix differs from the segment's payload less 2

// The DNS header (A_OFF points at its first byte: the id)
export const DNS_ID: i32 = 16; // u16
export const DNS_FLAGS: i32 = 18; // u16 QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode
export const DNS_QDCOUNT: i32 = 20; // u16
export const DNS_ANCOUNT: i32 = 22; // u16
export const DNS_NSCOUNT: i32 = 24; // u16
export const DNS_ARCOUNT: i32 = 26; // u16
export const DNS_PREFIX: i32 = 28; // u16 the TCP length prefix (DV_TCP)
export const DNS_OPT: i32 = 30; // u8 1 + index of the first OPT item, 0 without one
export const DNS_EXT_RCODE: i32 = 31; // u8 the OPT record's extended rcode bits (high 8 of 12)

// Items: the questions and resource records in message order, up to DNS_ITEM_MAX; more set
// AF_MORE and A_NEXT to the first one not recorded.
export const DNS_ITEMS: i32 = 32;
export const DNS_ITEM_SIZE: i32 = 16;
export const DNS_ITEM_MAX: i32 = 14; // (APP_SIZE - DNS_ITEMS) / DNS_ITEM_SIZE
export const DI_NAME: i32 = 0; // u16 frame offset of the owner name (may start with a pointer)
export const DI_TYPE: i32 = 2; // u16
export const DI_CLASS: i32 = 4; // u16
export const DI_RDLEN: i32 = 6; // u16 (questions: 0)
export const DI_TTL: i32 = 8; // u32 (questions: 0)
export const DI_RDATA: i32 = 12; // u16 frame offset of the RDATA (questions: 0)
export const DI_SECTION: i32 = 14; // u8 DS_*
export const DI_FLAGS: i32 = 15; // u8 DIF_* bits

// DS_* sections (DI_SECTION)
export const DS_QUESTION: i32 = 0;
export const DS_ANSWER: i32 = 1;
export const DS_AUTHORITY: i32 = 2;
export const DS_ADDITIONAL: i32 = 3;

// DIF_* bits (DI_FLAGS): the RDATA of a type this decoder reads did not hold together
export const DIF_BAD_RDATA: u32 = 1; // wrong length for the type, or a name in it that is bad
export const DIF_RDATA_TRUNC: u32 = 2; // the RDATA runs past the captured bytes
