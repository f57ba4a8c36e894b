// The library's way to read packets: `for await (const pkt of capture({ file | iface | raw,
// filter }))`. Each packet is dissected by the engine and filtered (by the engine for files
// and raw sockets, by libpcap in the kernel for live capture). Packets are plain objects
// with their own copy of the bytes, safe to keep; for zero-allocation processing use
// `captureBatches()`, which yields the engine's FrameBatch itself (valid until the next step).
import { createEngine, type Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import type { DecodedPacket } from '../dissect/decode.js';
import { CaptureFileReader } from '../sources/capture-file.js';
import { FrameRing } from '../ring/frame-ring.js';
import { RawSource, type RawProto } from '../sources/raw-source.js';
import { PktError } from '../runtime/errors.js';

export interface CaptureOptions {
  /** A pcap or pcapng file. */
  file?: string;
  /** A live interface (libpcap addon, cap fallback). */
  iface?: string;
  /** An IP-level raw socket. */
  raw?: RawProto;
  /** tcpdump filter expression. */
  filter?: string;
  /** Live: snapshot length (default 262144). */
  snaplen?: number;
  /** Stop after this many matching packets. */
  count?: number;
  /** Engine to use (default: a new WASM engine). */
  engine?: Engine;
  /** Frames per batch (default 256). */
  batchSize?: number;
  /** Ends a live or raw capture. */
  signal?: AbortSignal;
}

export interface CapturedPacket {
  /** Position among the packets this capture yielded, from 1. */
  number: number;
  tsSec: number;
  tsNsec: number;
  caplen: number;
  wirelen: number;
  linktype: number;
  data: Uint8Array;
  /** The Wireshark-shaped dissection (pkt.ip.src, pkt.tcp.srcport ...). */
  decoded: DecodedPacket;
}

interface BatchFilter { matchBatch(table: number, count: number, out: number): number }

async function filterFor(engine: Engine, expr: string | undefined, linktype: number, cache: Map<number, BatchFilter>): Promise<BatchFilter | null> {
  if (!expr) return null;
  let f = cache.get(linktype);
  if (f === undefined) {
    const { compileFilter } = await import('../filter/index.js');
    f = compileFilter(expr, { linktype, memory: engine.memory, backend: engine.backend });
    cache.set(linktype, f);
  }
  return f;
}

/** Yields dissected batches; `select` is the address of one keep-byte per frame, or 0
 *  when every frame matched. The batch is reused: finish with it before the next step. */
export async function* captureBatches(opts: CaptureOptions): AsyncGenerator<{ batch: FrameBatch; select: number; engine: Engine }> {
  const sources = [opts.file, opts.iface, opts.raw].filter((x) => x !== undefined).length;
  if (sources !== 1) throw new PktError('E_BAD_ARGUMENT', 'capture: give exactly one of file, iface or raw');
  const engine = opts.engine ?? createEngine();
  const size = opts.batchSize ?? 256;
  const select = engine.arena.alloc(size);
  const filters = new Map<number, BatchFilter>();
  const finish = async (batch: FrameBatch): Promise<number> => {
    engine.dissect(batch);
    if (batch.count === 0) return 0;
    const f = await filterFor(engine, opts.filter, batch.linktype(0), filters);
    return f === null ? -1 : f.matchBatch(batch.table, batch.count, select);
  };

  if (opts.file !== undefined) {
    const rd = new CaptureFileReader(opts.file);
    let batch = engine.createBatch(size, size * 2048);
    // A record that did not fit the batch (full, or another link type) starts the next one.
    let yieldPending: { linktype: number; wirelen: number; iface: number; tsSec: number; tsNsec: number; data: Uint8Array } | null = null;
    try {
      for (;;) {
        batch.clear();
        let lt = -1;
        if (yieldPending !== null) {
          const p = yieldPending;
          yieldPending = null;
          // A record larger than the whole data area gets a batch of its own size.
          if (p.data.length > batch.dataBytes) batch = engine.createBatch(size, size * 2048 + p.data.length);
          batch.push(p.data, p.linktype, p.wirelen, p.iface);
          batch.setTime(0, p.tsSec, p.tsNsec);
          lt = p.linktype;
        }
        for (let r = batch.count < size ? rd.next() : null; r !== null; r = batch.count < size ? rd.next() : null) {
          // One link type per batch, so one compiled filter applies to all of it.
          if (lt >= 0 && r.linktype !== lt) { yieldPending = { ...r, data: r.data.slice() }; break; }
          if (!batch.push(r.data, r.linktype, r.wirelen, r.iface)) { yieldPending = { ...r, data: r.data.slice() }; break; }
          batch.setTime(batch.count - 1, r.tsSec, r.tsNsec);
          lt = r.linktype;
        }
        if (batch.count === 0) return;
        const m = await finish(batch);
        yield { batch, select: m < 0 ? 0 : select, engine };
      }
    } finally {
      rd.close();
    }
  }

  // Live and raw: a frame ring in the engine's memory, filled by the source, read here.
  let ring: FrameRing;
  let close: () => Promise<unknown>;
  let ended: Promise<void>;
  let wake: (() => void) | null = null;
  const onWake = (): void => { const w = wake; wake = null; w?.(); };
  if (opts.iface !== undefined) {
    const { openLiveSource } = await import('../sources/live-pcap.js');
    const src = openLiveSource(opts.iface, { snaplen: opts.snaplen, filter: opts.filter ?? '', timeoutMs: 100 });
    ring = FrameRing.create(engine, 1024, Math.min(src.snaplen, 65535));
    src.start(engine.memory, ring.address, onWake);
    close = () => src.close();
    ended = src.ended;
    opts.filter = undefined; // the kernel filtered already
  } else {
    ring = FrameRing.create(engine, 1024, 65535);
    const src = new RawSource(engine, ring, opts.raw!);
    const enqueue = ring.enqueue.bind(ring);
    ring.enqueue = (b: FrameBatch): number => { const n = enqueue(b); onWake(); return n; };
    close = async () => src.close();
    ended = src.ended;
  }
  const stop = (): void => { void close(); };
  opts.signal?.addEventListener('abort', stop, { once: true });
  void ended.then(onWake);
  const batch = engine.createBatch(size, 64);
  try {
    for (;;) {
      const n = ring.peek(batch, size);
      if (n === 0) {
        if (ring.closed || opts.signal?.aborted) return;
        await new Promise<void>((r) => { wake = r; setTimeout(r, 100); });
        continue;
      }
      const m = await finish(batch);
      yield { batch, select: m < 0 ? 0 : select, engine };
      ring.release(n);
    }
  } finally {
    opts.signal?.removeEventListener('abort', stop);
    await close();
  }
}

/** Yields one plain object per matching packet (with its own copy of the bytes). */
export async function* capture(opts: CaptureOptions): AsyncGenerator<CapturedPacket> {
  let number = 0;
  for await (const { batch, select, engine } of captureBatches(opts)) {
    const u8 = engine.views.refresh().u8;
    for (let i = 0; i < batch.count; i++) {
      if (select !== 0 && u8[select + i] === 0) continue;
      const pkt: CapturedPacket = {
        number: ++number, tsSec: batch.timeSec(i), tsNsec: batch.timeNsec(i), caplen: batch.caplen(i), wirelen: batch.wirelen(i),
        linktype: batch.linktype(i), data: batch.frameBytes(i).slice(), decoded: engine.decodeAt(batch, i),
      };
      yield pkt;
      if (opts.count !== undefined && number >= opts.count) return;
    }
  }
}
