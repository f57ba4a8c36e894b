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

// RR types (IANA, DI_TYPE) whose RDATA the decoder checks, or that it looks for (OPT); the
// TS side names them T_* in host/app/dns/types.ts, beside the types only the printers use.
export const DNS_T_A: u32 = 1;
export const DNS_T_NS: u32 = 2;
export const DNS_T_CNAME: u32 = 5;
export const DNS_T_SOA: u32 = 6;
export const DNS_T_PTR: u32 = 12;
export const DNS_T_MX: u32 = 15;
export const DNS_T_TXT: u32 = 16;
export const DNS_T_AAAA: u32 = 28;
export const DNS_T_SRV: u32 = 33;
export const DNS_T_DNAME: u32 = 39;
export const DNS_T_OPT: u32 = 41;

// ---- TLS (APP_TLS), assembly/app/tls.ts and host/app/tls/ ----
// Found by content on any TCP port (a record header at the start of the segment). Every
// record that starts in the segment is an item; the first ClientHello or ServerHello found
// in its handshake records is decoded into the fields below (offsets into the frame).
// TV_* variant bits (A_VARIANT)
export const TV_CONT: u32 = 1; // the hello goes on past this record or segment: fields after the cut are not here

export const TLS_HS_COUNT: i32 = 16; // u8 complete handshake messages seen (types in TLS_HS_TYPES, the first TLS_HS_MAX)
export const TLS_HELLO: i32 = 17; // u8 the decoded hello's handshake type: 1 ClientHello, 2 ServerHello, 0 none
export const TLS_EXT_COUNT: i32 = 18; // u8 extensions walked (header and data inside the extension block and captured)
export const TLS_SID_LEN: i32 = 19; // u8 session id length
export const TLS_HELLO_OFF: i32 = 20; // u16 frame offset of the hello's body (after its 4-byte handshake header)
export const TLS_HELLO_VERSION: i32 = 22; // u16 legacy_version (what JA3 takes)
export const TLS_HELLO_LEN: i32 = 24; // u32 the hello's length per its handshake header (24 bits)
export const TLS_RANDOM: i32 = 28; // u16 frame offset of the 32-byte random
export const TLS_SID: i32 = 30; // u16 frame offset of the session id
export const TLS_SUITES: i32 = 32; // u16 cipher_suites (ServerHello: the chosen suite)
export const TLS_SUITES_LEN: i32 = 34; // u16 bytes
export const TLS_COMP: i32 = 36; // u16 compression methods (ServerHello: the chosen one)
export const TLS_COMP_LEN: i32 = 38; // u16 bytes
export const TLS_EXTS: i32 = 40; // u16 frame offset of the first extension (0: the hello has no extension block)
export const TLS_EXTS_LEN: i32 = 42; // u16 the extension block's length per the hello
export const TLS_SNI: i32 = 44; // u16 the first host_name of server_name (0: none)
export const TLS_SNI_LEN: i32 = 46; // u16
export const TLS_ALPN: i32 = 48; // u16 the first entry of ALPN's ProtocolNameList (length byte, name, ...)
export const TLS_ALPN_LEN: i32 = 50; // u16 bytes of the list
export const TLS_SV: i32 = 52; // u16 supported_versions: ClientHello the version list, ServerHello the selected version
export const TLS_SV_LEN: i32 = 54; // u16 bytes
export const TLS_GROUPS: i32 = 56; // u16 supported_groups list
export const TLS_GROUPS_LEN: i32 = 58; // u16
export const TLS_ECPF: i32 = 60; // u16 ec_point_formats list
export const TLS_ECPF_LEN: i32 = 62; // u16
export const TLS_SIGALGS: i32 = 64; // u16 signature_algorithms list
export const TLS_SIGALGS_LEN: i32 = 66; // u16
export const TLS_BAD_EXT: i32 = 68; // u16 1 + index of the first extension whose contents do not hold together (0: none)
export const TLS_HS_TYPES: i32 = 72; // u8 x TLS_HS_MAX handshake types, in order
export const TLS_HS_MAX: i32 = 16;
// Items: the records, up to TLS_ITEM_MAX; more set AF_MORE and A_NEXT to the first one not recorded.
export const TLS_ITEMS: i32 = 88;
export const TLS_ITEM_SIZE: i32 = 8;
export const TLS_ITEM_MAX: i32 = 21; // (APP_SIZE - TLS_ITEMS) / TLS_ITEM_SIZE
export const TR_OFF: i32 = 0; // u16 frame offset of the record header
export const TR_LEN: i32 = 2; // u16 the record's length field
export const TR_VERSION: i32 = 4; // u16
export const TR_TYPE: i32 = 6; // u8 content type
export const TR_FLAGS: i32 = 7; // u8 TRF_* bits
export const TRF_PARTIAL: u32 = 1; // the record goes on past this segment

// ---- HTTP/1.x (APP_HTTP), assembly/app/http.ts and host/app/http/ ----
// On tcpdump's HTTP ports (80, 8080) every TCP segment with a payload; elsewhere a segment
// that begins with a request line of a common method or a status line. From the segment
// that carries the start line: the request line (method, URI, version) or status line
// (version, code, reason), then the header lines in that segment, of which Host,
// User-Agent, Content-Type, Content-Length and Server are kept as offsets. No reassembly:
// headers in later segments are not read (HV_CONT says the header block goes on), and a
// segment without a start line (a body, the rest of a header block) has neither.
// HV_* variant bits (A_VARIANT)
export const HV_REQUEST: u32 = 1; // the segment begins with a request line
export const HV_RESPONSE: u32 = 2; // the segment begins with a status line
export const HV_CONT: u32 = 4; // the start line or the header block goes on past this segment
export const HV_BARE_LF: u32 = 8; // a line ends in LF without CR (RFC 9112 §2.2 lets recipients accept it)

export const HTTP_METHOD: i32 = 16; // u16 frame offset of the method
export const HTTP_METHOD_LEN: i32 = 18; // u8
export const HTTP_HEADERS: i32 = 19; // u8 header lines walked (at most 255 counted)
export const HTTP_URI: i32 = 20; // u16 request-target
export const HTTP_URI_LEN: i32 = 22; // u16
export const HTTP_VERSION: i32 = 24; // u16 frame offset of "HTTP/x.y" (8 bytes)
export const HTTP_CODE: i32 = 26; // u16 the status code (responses)
export const HTTP_PHRASE: i32 = 28; // u16 reason phrase
export const HTTP_PHRASE_LEN: i32 = 30; // u16
export const HTTP_HOST: i32 = 32; // u16 the first Host header's value (OWS trimmed)
export const HTTP_HOST_LEN: i32 = 34; // u16
export const HTTP_UA: i32 = 36; // u16 User-Agent
export const HTTP_UA_LEN: i32 = 38; // u16
export const HTTP_CTYPE: i32 = 40; // u16 Content-Type
export const HTTP_CTYPE_LEN: i32 = 42; // u16
export const HTTP_CLEN: i32 = 44; // u16 Content-Length (its text)
export const HTTP_CLEN_LEN: i32 = 46; // u16
export const HTTP_SERVER: i32 = 48; // u16 Server
export const HTTP_SERVER_LEN: i32 = 50; // u16
export const HTTP_BODY: i32 = 52; // u16 frame offset after the blank line that ends the headers (0: not in this segment)
export const HTTP_LINE_END: i32 = 54; // u16 frame offset after the start line's line end (0: none here)

// ---- DHCP/BOOTP (APP_DHCP), assembly/app/dhcp.ts and host/app/dhcp/ ----
// UDP ports 67 and 68 (RFC 2131, RFC 951): the fixed BOOTP header, then, after the magic
// cookie, the options in order (codes as items) with the common ones kept: message type,
// hostname, requested address, server id, lease time, subnet mask, routers, DNS servers,
// domain name, parameter request list, vendor class, client id. Addresses are kept as
// their 32-bit values (network order read into a number); lists as frame offsets.
// DHV_* variant bits (A_VARIANT)
export const DHV_COOKIE: u32 = 1; // the magic cookie 99.130.83.99 follows the fixed header
export const DHV_END: u32 = 2; // the End option was reached
export const DHV_OVERLOAD: u32 = 4; // option 52: more options in sname/file (not walked)

export const DHCP_OP: i32 = 16; // u8 1 request, 2 reply
export const DHCP_HTYPE: i32 = 17; // u8
export const DHCP_HLEN: i32 = 18; // u8
export const DHCP_HOPS: i32 = 19; // u8
export const DHCP_XID: i32 = 20; // u32
export const DHCP_SECS: i32 = 24; // u16
export const DHCP_FLAGS: i32 = 26; // u16
export const DHCP_CIADDR: i32 = 28; // u32
export const DHCP_YIADDR: i32 = 32; // u32
export const DHCP_SIADDR: i32 = 36; // u32
export const DHCP_GIADDR: i32 = 40; // u32
export const DHCP_CHADDR: i32 = 44; // u16 frame offset of chaddr (16 bytes)
export const DHCP_MSG_TYPE: i32 = 46; // u8 option 53 (0: none)
export const DHCP_OPT_COUNT: i32 = 47; // u8 options walked (codes in DHCP_CODES, the first DHCP_CODE_MAX)
export const DHCP_HAVE: i32 = 48; // u16 DHH_* bits: which of the 32-bit options below are present
export const DHCP_OPTIONS: i32 = 50; // u16 frame offset of the first option (0: no cookie)
export const DHCP_REQ_IP: i32 = 52; // u32 option 50
export const DHCP_SERVER_ID: i32 = 56; // u32 option 54
export const DHCP_LEASE: i32 = 60; // u32 option 51
export const DHCP_SUBNET: i32 = 64; // u32 option 1
export const DHCP_HOSTNAME: i32 = 68; // u16 option 12: frame offset of the data (its length byte before it)
export const DHCP_ROUTER: i32 = 70; // u16 option 3
export const DHCP_DNS: i32 = 72; // u16 option 6
export const DHCP_DOMAIN: i32 = 74; // u16 option 15
export const DHCP_PRL: i32 = 76; // u16 option 55 (parameter request list)
export const DHCP_VENDOR: i32 = 78; // u16 option 60 (vendor class identifier)
export const DHCP_CLIENT_ID: i32 = 80; // u16 option 61
export const DHCP_CODES: i32 = 84; // u8 x DHCP_CODE_MAX option codes in order (pad left out, End included)
export const DHCP_CODE_MAX: i32 = 172; // APP_SIZE - DHCP_CODES
// DHH_* bits (DHCP_HAVE)
export const DHH_REQ_IP: u32 = 1;
export const DHH_SERVER_ID: u32 = 2;
export const DHH_LEASE: u32 = 4;
export const DHH_SUBNET: u32 = 8;

// ---- DHCPv6 (APP_DHCP6), assembly/app/dhcp6.ts and host/app/dhcp6/ ----
// UDP ports 546 and 547 (RFC 8415): the message type and transaction id (or a relay
// message's hop count, link and peer addresses), then the top-level options in order as
// items (code, frame offset of the data; its length is the 2 bytes before it).
export const DHCP6_MSG_TYPE: i32 = 16; // u8
export const DHCP6_HOPS: i32 = 17; // u8 relay messages (12, 13): hop-count
export const DHCP6_XID: i32 = 20; // u32 transaction id (24 bits; 0 for relay messages)
export const DHCP6_LINK: i32 = 24; // u16 relay: frame offset of link-address (16 bytes)
export const DHCP6_PEER: i32 = 26; // u16 relay: frame offset of peer-address (16 bytes)
export const DHCP6_CLIENT_ID: i32 = 28; // u16 option 1's data (0: none)
export const DHCP6_SERVER_ID: i32 = 30; // u16 option 2's data (0: none)
export const DHCP6_ITEMS: i32 = 32;
export const DHCP6_ITEM_SIZE: i32 = 4;
export const DHCP6_ITEM_MAX: i32 = 56; // (APP_SIZE - DHCP6_ITEMS) / DHCP6_ITEM_SIZE
export const D6I_CODE: i32 = 0; // u16 option code
export const D6I_DATA: i32 = 2; // u16 frame offset of the option's data

// ---- NTP (APP_NTP), assembly/app/ntp.ts and host/app/ntp/ ----
// UDP port 123 (RFC 5905): the first byte (leap indicator, version, mode); for the time
// modes (0..5) the 48-byte header's fields and the extension fields after it (RFC 7822) as
// items (type, frame offset of the field); control (6) and private (7) messages keep only
// the first byte.
// NV_* variant bits (A_VARIANT)
export const NV_TIME: u32 = 1; // the 48-byte time header was decoded
export const NV_MAC: u32 = 2; // bytes after the header and extension fields (a MAC, RFC 5905 §7.3)

export const NTP_FLAGS: i32 = 16; // u8 LI (2 bits), VN (3), mode (3)
export const NTP_STRATUM: i32 = 17; // u8
export const NTP_POLL: i32 = 18; // u8 (log2 seconds, signed)
export const NTP_PRECISION: i32 = 19; // u8 (log2 seconds, signed)
export const NTP_ROOT_DELAY: i32 = 20; // u32 NTP short format (16.16)
export const NTP_ROOT_DISP: i32 = 24; // u32
export const NTP_REFID: i32 = 28; // u32
export const NTP_REF_SEC: i32 = 32; // u32 reference timestamp, seconds (NTP era)
export const NTP_REF_FRAC: i32 = 36; // u32 fraction
export const NTP_ORG_SEC: i32 = 40; // u32 origin timestamp
export const NTP_ORG_FRAC: i32 = 44; // u32
export const NTP_REC_SEC: i32 = 48; // u32 receive timestamp
export const NTP_REC_FRAC: i32 = 52; // u32
export const NTP_XMT_SEC: i32 = 56; // u32 transmit timestamp
export const NTP_XMT_FRAC: i32 = 60; // u32
export const NTP_ITEMS: i32 = 64; // extension fields
export const NTP_ITEM_SIZE: i32 = 4;
export const NTP_ITEM_MAX: i32 = 48; // (APP_SIZE - NTP_ITEMS) / NTP_ITEM_SIZE
export const NI_TYPE: i32 = 0; // u16 field type
export const NI_OFF: i32 = 2; // u16 frame offset of the field (its length the 2 bytes after the type)

// ---- QUIC (APP_QUIC), assembly/app/quic.ts and host/app/quic/ ----
// UDP port 443 (RFC 9000 §17, invariants RFC 8999): the long-header packets coalesced in
// the datagram as items (type, version, connection ids, token, Length, packet number
// offset), a short-header packet (its DCID length is connection state: not read) or a
// version negotiation as the last item. The first packet's fields are kept too.
// QV_* variant bits (A_VARIANT)
export const QV_SHORT: u32 = 1; // the datagram starts with a short-header packet
export const QV_VN: u32 = 2; // a version negotiation packet (version 0)

export const QUIC_FIRST: i32 = 16; // u8 the first packet's first byte
export const QUIC_DCIL: i32 = 17; // u8
export const QUIC_SCIL: i32 = 18; // u8
export const QUIC_TYPE: i32 = 19; // u8 QT_* of the first packet
export const QUIC_VERSION: i32 = 20; // u32
export const QUIC_DCID: i32 = 24; // u16 frame offset of the destination connection id
export const QUIC_SCID: i32 = 26; // u16 frame offset of the source connection id
export const QUIC_TOKEN: i32 = 28; // u16 Initial: frame offset of the token
export const QUIC_TOKEN_LEN: i32 = 30; // u16 Initial: token length
export const QUIC_LENGTH: i32 = 32; // u32 the Length field (packet number and payload)
export const QUIC_PN: i32 = 36; // u16 frame offset of the (protected) packet number
export const QUIC_ITEMS: i32 = 40;
export const QUIC_ITEM_SIZE: i32 = 8;
export const QUIC_ITEM_MAX: i32 = 27; // (APP_SIZE - QUIC_ITEMS) / QUIC_ITEM_SIZE
export const QI_OFF: i32 = 0; // u16 frame offset of the packet
export const QI_LEN: i32 = 2; // u16 its length (header included)
export const QI_TYPE: i32 = 4; // u8 QT_*
export const QI_PN: i32 = 6; // u16 frame offset of its packet number (0: none)
// QT_* packet types (QUIC_TYPE, QI_TYPE): the long types as QUIC v1 numbers them (v2's are
// mapped, RFC 9369 §3.2), then the forms without one.
export const QT_INITIAL: i32 = 0;
export const QT_0RTT: i32 = 1;
export const QT_HANDSHAKE: i32 = 2;
export const QT_RETRY: i32 = 3;
export const QT_SHORT: i32 = 4;
export const QT_VN: i32 = 5;
export const QT_UNKNOWN: i32 = 6; // a long header of a version this decoder does not know

// ---- SSH (APP_SSH), TFTP (APP_TFTP), syslog (APP_SYSLOG): assembly/app/{ssh,tftp,syslog}.ts ----
// TCP port 22: the protocol version exchange line (RFC 4253 §4.2) that opens a segment.
export const SSV_BANNER: u32 = 1; // "SSH-" opens the segment: SSH_BANNER holds its line
export const SSV_CONT: u32 = 2; // no LF in the segment: the line goes on past it (what is here is kept)
export const SSH_BANNER: i32 = 16; // u16 frame offset of "SSH-"
export const SSH_BANNER_LEN: i32 = 18; // u16 the line without its end
// UDP port 69 (RFC 1350, options RFC 2347): opcode, block or error code, file name (or
// error message) and mode as frame offsets of NUL-terminated strings.
export const TFV_NAME: u32 = 1; // the file name (or error message) ends with its NUL in the message
export const TFV_MODE: u32 = 2; // the mode ends with its NUL in the message
export const TFTP_OPCODE: i32 = 16; // u16
export const TFTP_BLOCK: i32 = 18; // u16 DATA/ACK block, ERROR code
export const TFTP_NAME: i32 = 20; // u16 RRQ/WRQ file name, ERROR message (0: none)
export const TFTP_NAME_LEN: i32 = 22; // u16 without its NUL
export const TFTP_MODE: i32 = 24; // u16 RRQ/WRQ mode (0: none)
export const TFTP_MODE_LEN: i32 = 26; // u16
export const TFTP_OPTS: i32 = 28; // u16 frame offset of the first option after the mode (RRQ/WRQ) or of OACK's options
// UDP port 514 (RFC 5424 / RFC 3164): the <PRI> that opens the message.
export const SYV_PRI: u32 = 1; // "<", up to 3 digits and a byte after them were read: SYSLOG_PRI holds the priority (AF_MALFORMED: that byte is no ">")
export const SYSLOG_PRI: i32 = 16; // u16 facility * 8 + severity
export const SYSLOG_MSG: i32 = 18; // u16 frame offset of the message: after the PRI, the payload without one, 0 when it ended inside the PRI

// ---- IGMP (APP_IGMP) and OSPF (APP_OSPF): IP protocols 2 and 89, assembly/app/{igmp,ospf}.ts ----
// Reached from the IP header, not a port: the message is the IP payload of a datagram that is
// not a later fragment (nor a reassembled one). A_LEN is the IP payload length.
// IGMP (RFC 988, 1112, 2236, 3376; mtrace): the fixed words as captured, the version as
// Wireshark tells it (query 0x11: v3 when the message has 12 bytes or more, else v2 when the
// max response time is not 0, else v1), and a v3 report's group records as items. A_NEXT ends
// the last whole element walked (a v3 query's sources, a report's records, sources, aux data).
export const IGMP_TYPE: i32 = 16; // u8
export const IGMP_VERSION: i32 = 17; // u8 0..3, IGV_NONE for the types without one (mtrace, unknown)
export const IGMP_CODE: i32 = 18; // u8 byte 1: v0 code, v2 max response time, v3 query max response code, mtrace hops
export const IGMP_CHECKSUM: i32 = 20; // u16
export const IGMP_NUM: i32 = 22; // u16 v3 query: number of sources (bytes 10-11); v3 report: group records (bytes 6-7)
export const IGMP_GROUP: i32 = 24; // u32 bytes 4-7: the group (v0: the identifier)
export const IGMP_WORD8: i32 = 28; // u32 bytes 8-11: v3 query S/QRV, QQIC, sources; v0 group; mtrace source
export const IGMP_ITEMS: i32 = 32; // v3 report: u16 frame offset of each group record walked
export const IGMP_ITEM_SIZE: i32 = 2;
export const IGMP_ITEM_MAX: i32 = 112; // (APP_SIZE - IGMP_ITEMS) / IGMP_ITEM_SIZE
export const IGV_NONE: u32 = 255;
// OSPF (RFC 2328 v2, RFC 5340 v3): the common header's fields as captured, then per packet
// type the elements of its body as items: Hello's neighbors, the LSA headers of a Database
// Description, LS Update or LS Acknowledgment, the entries of an LS Request. The walk stops
// at the first element the capture (AF_TRUNC) or the IP payload (AF_MALFORMED) cuts, and
// at an LSA whose length is below its type's minimum (AF_MALFORMED); A_NEXT ends the last
// whole element.
export const OSPF_VERSION: i32 = 16; // u8
export const OSPF_TYPE: i32 = 17; // u8 packet type (1 Hello .. 5 LS Ack)
export const OSPF_LENGTH: i32 = 18; // u16 the packet length field
export const OSPF_ROUTER: i32 = 20; // u32 router id
export const OSPF_AREA: i32 = 24; // u32 area id
export const OSPF_CHECKSUM: i32 = 28; // u16
export const OSPF_AUTYPE: i32 = 30; // u16 v2 authentication type (v3: instance id << 8 | reserved)
export const OSPF_BODY: i32 = 32; // u16 frame offset of the body (after the 24-byte v2 or 16-byte v3 header; 0: not reached)
export const OSPF_DIGEST: i32 = 34; // u16 v2 cryptographic authentication: frame offset of the digest after the packet (0: not captured)
export const OSPF_LSA_COUNT: i32 = 36; // u32 LS Update: the number of LSAs it announces
export const OSPF_ITEMS: i32 = 40; // u16 frame offset of each body element walked
export const OSPF_ITEM_SIZE: i32 = 2;
export const OSPF_ITEM_MAX: i32 = 108; // (APP_SIZE - OSPF_ITEMS) / OSPF_ITEM_SIZE
