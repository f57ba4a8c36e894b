// decode()'s SSH object: the version line (Wireshark: ssh.protocol) of a segment that opens
// with one, as far as the segment goes when its LF is in a later one (ASCII, as Wireshark
// shows it). Allocates.
import { A_PROTO, A_VARIANT, APP_SSH, SSV_BANNER, SSH_BANNER, SSH_BANNER_LEN } from '../app-layout.js';
import { asciiString } from '../ws-strings.js';

export interface DecodedSsh { protocol: string }

export function decodeSsh(u8: Uint8Array, f: number, rec: number): DecodedSsh | undefined {
  if (u8[rec + A_PROTO] !== APP_SSH || (u8[rec + A_VARIANT] & SSV_BANNER) === 0) return undefined;
  const off = u8[rec + SSH_BANNER] | (u8[rec + SSH_BANNER + 1] << 8);
  const len = u8[rec + SSH_BANNER_LEN] | (u8[rec + SSH_BANNER_LEN + 1] << 8);
  return { protocol: asciiString(u8, f + off, f + off + len) };
}
