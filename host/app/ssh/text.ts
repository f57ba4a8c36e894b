// The SSH part of tcpdump's line (tcpdump 4.99 print-ssh.c): on TCP port 22, a segment
// that opens with "SSH-" and whose first line ends in this segment (LF or CR LF) with only
// printable ASCII before it prints ": SSH: <line>"; anything else prints nothing, and a
// byte past the capture (or the IP packet) ends the line with " [|ssh]".
import { A_PROTO, APP_SSH } from '../app-layout.js';
import type { AppText } from '../app-text.js';
import { E_TRUNC_L4 } from '../../runtime/layout.js';
import type { HttpFrameView } from '../http/text.js';
import { snapendOf } from '../frame-view.js';
import { reader, Snapend } from '../text-chars.js';

export function sshText(u8: Uint8Array, p: number, len: number, snapend: number): AppText | null {
  const get = reader(u8, snapend);
  try {
    for (let i = 0; i < 4; i++) if (get(p + i) !== 'SSH-'.charCodeAt(i)) return null;
    for (let i = 4; i < len; i++) {
      const c = get(p + i);
      if (c === 0x0A || (c === 0x0D && i + 1 < len && get(p + i + 1) === 0x0A)) {
        return { text: `: SSH: ${Buffer.from(u8.subarray(p, p + i)).toString('latin1')}`, trunc: 'none' };
      }
      if (c === 0x0D || c < 0x20 || c > 0x7E) return null;
    }
    return null;
  } catch (e) {
    if (!(e instanceof Snapend)) throw e;
    return { text: ' [|ssh]', trunc: 'jump' };
  }
}

export function sshTextForFrame(v: HttpFrameView, u8: Uint8Array, f: number, rec: number, o: { vflag: number; qflag?: boolean }): AppText | null {
  if (u8[rec + A_PROTO] !== APP_SSH || o.qflag === true) return null;
  if (v.srcPort !== 22 && v.dstPort !== 22) return null;
  if ((v.errors & E_TRUNC_L4) !== 0 || (v.tcpFlags & 0x04) !== 0 || v.payloadLen === 0) return null;
  return sshText(u8, f + v.payloadOff, v.payloadLen, snapendOf(v, f));
}
