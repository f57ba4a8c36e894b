// How many tunnel levels inside the outer packet are followed (issue #15: "at least one
// level; more configurable"): one setting for decode() and --json, the text sink and the
// flow stages (--flows, --prefixes, --ipfix), so every output sees the same inner packets.
// Process-wide, as the inner dissectors' scratch memories are; a worker sets it from the
// options it is given.

/** The default: four inner levels (a VXLAN in GRE in IP-in-IP in IPv6 is still followed
 *  to its innermost packet; tcpdump and tshark have no limit but their stack's). */
export const DEFAULT_TUNNEL_DEPTH = 4;
/** The most a user may ask for: each level costs a scratch region of 256 KiB. */
export const MAX_TUNNEL_DEPTH = 8;

let depth = DEFAULT_TUNNEL_DEPTH;

/** Inner levels followed now (0: the outer packet only). */
export function tunnelDepth(): number {
  return depth;
}

/** Sets the inner levels followed; false (and no change) outside 0..MAX_TUNNEL_DEPTH. */
export function setTunnelDepth(levels: number): boolean {
  if (!Number.isInteger(levels) || levels < 0 || levels > MAX_TUNNEL_DEPTH) return false;
  depth = levels;
  return true;
}
