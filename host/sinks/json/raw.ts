// JSON text the JSON sink did not write byte by byte (JSON.stringify of an object decode()
// builds) copied into the output buffer natively, as UTF-8: one Buffer.write instead of a
// JavaScript loop per character. UTF-8 also keeps what a decoder shows outside ASCII (a DNS
// name's é, Wireshark's U+FFFD for an invalid sequence) as JSON.parse gives it back.
import type { OutputBuffer } from '../output-buffer.js';

let alias: Buffer | null = null;
let aliased: Uint8Array | null = null;

/** A Buffer over `out`'s current bytes (re-made only when the buffer grew). */
function bufferOf(out: OutputBuffer): Buffer {
  if (aliased !== out.buf || alias === null) {
    aliased = out.buf;
    alias = Buffer.from(out.buf.buffer, out.buf.byteOffset, out.buf.byteLength);
  }
  return alias;
}

/** Appends string `s` as UTF-8 (at most 3 bytes per UTF-16 unit). */
export function writeUtf8(out: OutputBuffer, s: string): void {
  out.ensure(s.length * 3);
  const b = bufferOf(out);
  out.pos += b.write(s, out.pos, 'utf8');
}
