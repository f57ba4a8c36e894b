// What each BERR_* result of build_packet / build_ipv4_fragment / build_ipv6_fragment means, for error messages.
// The codes themselves are generated (spec-layout.ts, from assembly/builder-layout.ts);
// only their wording lives here.
import {
  BERR_DF, BERR_HEADROOM, BERR_MTU, BERR_NO_BUFFER, BERR_OPTIONS, BERR_SPEC, BERR_TOO_BIG, BERR_TOO_MANY,
  BERR_FRAGMENTED, BERR_CHAIN,
} from './spec-layout.js';

export const BERR_TEXT: Readonly<Record<number, string>> = {
  [BERR_HEADROOM]: 'the buffer has too little headroom for the headers',
  [BERR_OPTIONS]: 'the options are longer than the header allows (40 bytes)',
  [BERR_TOO_BIG]: 'the packet is too big for its length field or for a pool buffer',
  [BERR_SPEC]: 'these layers do not make a packet (or the extension headers\' lengths are inconsistent)',
  [BERR_DF]: 'fragmentation is needed but Don\'t Fragment is set',
  [BERR_MTU]: 'the MTU leaves no room for 8 bytes of payload per fragment',
  [BERR_NO_BUFFER]: 'the pool ran out of buffers',
  [BERR_TOO_MANY]: 'more fragments than the output array holds',
  [BERR_FRAGMENTED]: 'the IPv6 packet already carries a Fragment header or is a jumbogram (RFC 2675): it cannot be fragmented',
  [BERR_CHAIN]: 'the MTU cannot hold the header chain through the upper-layer header in the first fragment (RFC 7112)',
};
