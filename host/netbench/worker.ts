// A server worker thread: the per-connection work (hashing a bulk stream, producing an
// rr reply) done off the event loop, for the event-loop vs worker-threads comparison.
// Node cannot hand a socket to a worker_thread, so the main loop does the I/O and the
// worker owns each connection's processing.
import { createHash, type Hash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

interface Msg { id: number; kind: 'data' | 'end' | 'rr'; buf?: Uint8Array; verify?: boolean; n?: number }

const hashes = new Map<number, { h: Hash | null; bytes: number }>();
parentPort!.on('message', (m: Msg) => {
  let st = hashes.get(m.id);
  if (st === undefined) { st = { h: m.verify ? createHash('sha256') : null, bytes: 0 }; hashes.set(m.id, st); }
  if (m.kind === 'data') {
    st.bytes += m.buf!.length;
    st.h?.update(m.buf!);
  } else if (m.kind === 'rr') {
    parentPort!.postMessage({ id: m.id, kind: 'rr', n: m.n });
  } else {
    hashes.delete(m.id);
    parentPort!.postMessage({ id: m.id, kind: 'end', bytes: st.bytes, sha256: st.h ? st.h.digest('hex') : null });
  }
});
