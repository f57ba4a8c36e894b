// What decode()'s readers of app records share: the record's little-endian fields, the
// frame's big-endian ones, and the error names of A_FLAGS.
import { AF_TRUNC, AF_MALFORMED } from './app-layout.js';

export const le16 = (u8: Uint8Array, p: number): number => u8[p] | (u8[p + 1] << 8);
export const le32 = (u8: Uint8Array, p: number): number => (u8[p] | (u8[p + 1] << 8) | (u8[p + 2] << 16) | (u8[p + 3] << 24)) >>> 0;
export const be16 = (u8: Uint8Array, p: number): number => (u8[p] << 8) | u8[p + 1];
export const be32 = (u8: Uint8Array, p: number): number => ((u8[p] << 24) | (u8[p + 1] << 16) | (u8[p + 2] << 8) | u8[p + 3]) >>> 0;

/** 'truncated' (AF_TRUNC), 'malformed' (AF_MALFORMED), then each of `more` that is a
 *  name (a decoder's own conditions), or undefined for none. */
export function recordErrors(flags: number, ...more: Array<string | false>): string[] | undefined {
  const errors: string[] = [];
  if (flags & AF_TRUNC) errors.push('truncated');
  if (flags & AF_MALFORMED) errors.push('malformed');
  for (const m of more) if (m !== false) errors.push(m);
  return errors.length > 0 ? errors : undefined;
}
