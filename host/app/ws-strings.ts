// Strings as Wireshark shows them in decode()'s objects, so that they equal tshark's fields:
// ENC_ASCII fields (ssh.protocol, tftp file names) show a byte over 0x7F as U+FFFD each,
// ENC_UTF_8 ones (syslog.msg) decode UTF-8 with U+FFFD for what is not.
const utf8 = new TextDecoder('utf-8');

export function asciiString(u8: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let p = from; p < to; p++) s += u8[p] < 0x80 ? String.fromCharCode(u8[p]) : '\uFFFD';
  return s;
}

export function utf8String(u8: Uint8Array, from: number, to: number): string {
  return utf8.decode(u8.subarray(from, to));
}
