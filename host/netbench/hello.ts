// The first 32 bytes of every netbench stream: what the client asks of the server.
export const HELLO_LEN = 32;
const MAGIC = 0x4e427631; // 'NBv1'
export const MODE_BULK = 1;
export const MODE_RR = 2;

export interface Hello { mode: number; workers: boolean; verify: boolean; len: number; seed: number; stream: number }

export function encodeHello(h: Hello): Buffer {
  const b = Buffer.alloc(HELLO_LEN);
  b.writeUInt32BE(MAGIC, 0);
  b[4] = h.mode;
  b[5] = h.workers ? 1 : 0;
  b[6] = h.verify ? 1 : 0;
  b.writeUInt32BE(h.len, 8);
  b.writeUInt32BE(h.seed >>> 0, 12);
  b.writeUInt32BE(h.stream, 16);
  return b;
}

export function decodeHello(b: Buffer): Hello | null {
  if (b.length < HELLO_LEN || b.readUInt32BE(0) !== MAGIC) return null;
  const mode = b[4];
  if (mode !== MODE_BULK && mode !== MODE_RR) return null;
  const len = b.readUInt32BE(8);
  if (mode === MODE_RR && (len < 1 || len > 1 << 20)) return null;
  return { mode, workers: b[5] === 1, verify: b[6] === 1, len, seed: b.readUInt32BE(12), stream: b.readUInt32BE(16) };
}
