// The build spec layout, the host copy of assembly/build.ts's constants (test/build.test.ts
// compares every one with the WASM module's exported global of the same name).
export const BUILD_SPEC_SIZE = 192;
export const B_LAYERS = 0;
export const B_FLAGS = 4;
export const B_ETH_DST = 8;
export const B_ETH_SRC = 14;
export const B_ETH_TYPE = 20;
export const B_VLAN_COUNT = 22;
export const B_VLAN0 = 24;
export const B_VLAN1 = 26;
export const B_VLAN_TPID0 = 28;
export const B_VLAN_TPID1 = 30;
export const B_IP_TOS = 32;
export const B_IP_TTL = 33;
export const B_IP_PROTO = 34;
export const B_IP_FLAGS = 35;
export const B_IP_ID = 36;
export const B_FRAG_OFF = 38;
export const B_IP6_FLOW = 40;
export const B_IP_OPTS = 44;
export const B_IP_OPTS_LEN = 48;
export const B_IP6_EXT_COUNT = 50;
export const B_IP6_EXT_TYPES = 52;
export const B_IP_SRC = 60;
export const B_IP_DST = 76;
export const B_SRC_PORT = 92;
export const B_DST_PORT = 94;
export const B_TCP_SEQ = 96;
export const B_TCP_ACK = 100;
export const B_TCP_FLAGS = 104;
export const B_TCP_WINDOW = 106;
export const B_TCP_URG = 108;
export const B_TCP_MSS = 110;
export const B_TCP_OPTS = 112;
export const B_TCP_WSCALE = 113;
export const B_SACK_COUNT = 114;
export const B_ICMP_TYPE = 115;
export const B_TCP_TSVAL = 116;
export const B_TCP_TSECR = 120;
export const B_SACK = 124;
export const B_ICMP_CODE = 156;
export const B_ARP_OP = 158;
export const B_ICMP_ID = 160;
export const B_ICMP_SEQ = 162;
export const B_ARP_SHA = 164;
export const B_ARP_THA = 170;
export const B_OUT_L3_OFF = 176;
export const B_OUT_L4_OFF = 180;
export const B_OUT_LEN = 184;

export const BF_UDP_NO_CKSUM = 1;

export const BERR_HEADROOM = -1;
export const BERR_OPTIONS = -2;
export const BERR_TOO_BIG = -3;
export const BERR_SPEC = -4;
export const BERR_DF = -5;
export const BERR_MTU = -6;
export const BERR_NO_BUFFER = -7;
export const BERR_TOO_MANY = -8;

/** What each BERR_* means, for error messages. */
export const BERR_TEXT: Record<number, string> = {
  [BERR_HEADROOM]: 'the buffer has too little headroom for the headers',
  [BERR_OPTIONS]: 'the options are longer than the header allows (40 bytes)',
  [BERR_TOO_BIG]: 'the packet is too big for its length field or for a pool buffer',
  [BERR_SPEC]: 'these layers do not make a packet (or the extension headers\' lengths are inconsistent)',
  [BERR_DF]: 'fragmentation is needed but Don\'t Fragment is set',
  [BERR_MTU]: 'the MTU leaves no room for 8 bytes of payload per fragment',
  [BERR_NO_BUFFER]: 'the pool ran out of buffers',
  [BERR_TOO_MANY]: 'more fragments than the output array holds',
};
