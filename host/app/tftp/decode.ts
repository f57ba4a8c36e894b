// decode()'s TFTP object: Wireshark's field names (tftp.opcode, tftp.source_file for a read
// request, tftp.destination_file for a write request, tftp.type, tftp.block) and the
// error code and message. Allocates.
import {
  A_PROTO, A_NEXT, A_OFF, A_FLAGS, APP_TFTP, AF_TRUNC, AF_MALFORMED,
  TFTP_OPCODE, TFTP_BLOCK, TFTP_NAME, TFTP_NAME_LEN, TFTP_MODE, TFTP_MODE_LEN,
} from '../app-layout.js';
import { le16 } from '../record-reader.js';
import { asciiString } from '../ws-strings.js';

export interface DecodedTftp {
  opcode?: number;
  source_file?: string;
  destination_file?: string;
  type?: string;
  block?: number;
  error_code?: number;
  error_message?: string;
  errors?: string[];
}


export function decodeTftp(u8: Uint8Array, f: number, rec: number): DecodedTftp | undefined {
  if (u8[rec + A_PROTO] !== APP_TFTP) return undefined;
  const d: DecodedTftp = {};
  const str = (o: number, l: number): string | undefined => { const p = le16(u8, rec + o); return p === 0 ? undefined : asciiString(u8, f + p, f + p + le16(u8, rec + l)); };
  if (le16(u8, rec + A_NEXT) - le16(u8, rec + A_OFF) >= 2 || le16(u8, rec + TFTP_OPCODE) !== 0) {
    const op = le16(u8, rec + TFTP_OPCODE);
    d.opcode = op;
    const name = str(TFTP_NAME, TFTP_NAME_LEN);
    if (op === 1 && name !== undefined) d.source_file = name;
    if (op === 2 && name !== undefined) d.destination_file = name;
    const mode = str(TFTP_MODE, TFTP_MODE_LEN);
    if (mode !== undefined) d.type = mode;
    if ((op === 3 || op === 4) && le16(u8, rec + A_NEXT) - le16(u8, rec + A_OFF) >= 4) d.block = le16(u8, rec + TFTP_BLOCK);
    if (op === 5 && le16(u8, rec + A_NEXT) - le16(u8, rec + A_OFF) >= 4) {
      d.error_code = le16(u8, rec + TFTP_BLOCK);
      if (name !== undefined) d.error_message = name;
    }
  }
  const flags = le16(u8, rec + A_FLAGS);
  const errors = [...(flags & AF_TRUNC ? ['truncated'] : []), ...(flags & AF_MALFORMED ? ['malformed'] : [])];
  if (errors.length > 0) d.errors = errors;
  return d;
}
