// Live capture on real interfaces: each test makes its own namespaces and veth pair
// (test/lib/netns.ts, always removed), captures on one end from a child Node process
// started inside that namespace (this same file in child mode), sends known traffic from
// the other end, and checks exactly what arrived in the frame ring: the packet set, the
// slot headers (lengths, timestamps, link type), libpcap's counters, ring drops, and
// the wake-up path. The ring consumer here is a minimal one over host/layout.ts.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSharedMemory, MemoryViews } from '../host/runtime/memory.js';
import { Arena } from '../host/runtime/arena.js';
import {
  RING_FLAGS, RING_HDR_SIZE, RING_HEAD, RING_MASK, RING_SLOT_COUNT, RING_SLOT_SIZE, RING_SLOTS, RING_TAIL,
  RING_WAITING, RF_CLOSED, SLOT_CAPLEN, SLOT_DATA, SLOT_FLAGS, SLOT_IFACE, SLOT_LINKTYPE, SLOT_TS_NSEC,
  SLOT_TS_SEC, SLOT_WIRELEN, LINKTYPE_ETHERNET,
} from '../host/runtime/layout.js';
import { loadPcapAddon, pcapAddonError } from '../host/native/pcap-binding.js';
import { openLiveSource, type LiveSource, type LiveStats, type OpenLiveOptions } from '../host/sources/live-pcap.js';
import { withNetnsPair, type NetnsPair } from './lib/netns.js';
import { tcpdumpFrameHex } from './lib/tcpdump-hex.js';
import { inCI, needRoot } from './lib/env.js';

const SELF = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------- child side

interface Frame {
  caplen: number; wirelen: number; sec: number; nsec: number; linktype: number; iface: number; flags: number;
  hex: string; seenMs: number;
}
interface ChildResult {
  frames: Frame[]; stats: LiveStats; linktype: number; nanosecond: boolean; backend: string;
  ringLeft: number; timedOutWaits: number; closedFlag: boolean;
}
interface CaptureCfg extends OpenLiveOptions {
  iface: string; slots?: number; slotSize?: number; consumer?: Consumer; bindUdp?: number;
}

/** Who reads the ring: this thread on the source's callback ('event'), a worker in
 *  Atomics.wait woken through that callback ('worker'), a worker asleep in the addon's
 *  waitRing() woken by the capture thread itself ('futex-worker'), or nobody. */
type Consumer = 'event' | 'worker' | 'futex-worker' | 'none';

/** A ring header initialised in the arena (what host/ring.ts does for the sniffer). */
function initRing(views: MemoryViews, arena: Arena, count: number, size: number): number {
  const ring = arena.alloc(RING_HDR_SIZE);
  const slots = arena.alloc(count * size);
  const u32 = views.refresh().u32;
  u32[(ring + RING_SLOT_COUNT) >> 2] = count;
  u32[(ring + RING_SLOT_SIZE) >> 2] = size;
  u32[(ring + RING_SLOTS) >> 2] = slots;
  u32[(ring + RING_MASK) >> 2] = count - 1;
  return ring;
}

function readSlot(u8: Uint8Array, u32: Uint32Array, s: number): Frame {
  const caplen = u32[(s + SLOT_CAPLEN) >> 2];
  const data = u8.subarray(s + SLOT_DATA, s + SLOT_DATA + Math.min(caplen, 256));
  return {
    caplen, wirelen: u32[(s + SLOT_WIRELEN) >> 2], sec: u32[(s + SLOT_TS_SEC) >> 2], nsec: u32[(s + SLOT_TS_NSEC) >> 2],
    linktype: u8[s + SLOT_LINKTYPE] | (u8[s + SLOT_LINKTYPE + 1] << 8), iface: u8[s + SLOT_IFACE] | (u8[s + SLOT_IFACE + 1] << 8),
    flags: u32[(s + SLOT_FLAGS) >> 2], hex: Buffer.from(data).toString('hex'), seenMs: Date.now(),
  };
}

/** Consumer in a worker: sleeps in Atomics.wait on RING_HEAD, woken by the source's
 *  callback (Atomics.notify) on the main thread. Reports waits that timed out. */
const WORKER_CONSUMER = `
const { workerData, parentPort } = require('node:worker_threads');
const { memory, ring, L } = workerData;
const i32 = new Int32Array(memory.buffer), u32 = new Uint32Array(memory.buffer), u8 = new Uint8Array(memory.buffer);
const count = u32[(ring + L.RING_SLOT_COUNT) >> 2], size = u32[(ring + L.RING_SLOT_SIZE) >> 2], slots = u32[(ring + L.RING_SLOTS) >> 2];
let tail = Atomics.load(u32, (ring + L.RING_TAIL) >> 2), timedOut = 0;
const frames = [];
for (;;) {
  const head = Atomics.load(u32, (ring + L.RING_HEAD) >> 2);
  if (head !== tail) {
    while (tail !== head) {
      const s = slots + (tail & (count - 1)) * size;
      const caplen = u32[(s + L.SLOT_CAPLEN) >> 2];
      frames.push({ caplen, wirelen: u32[(s + L.SLOT_WIRELEN) >> 2], sec: u32[(s + L.SLOT_TS_SEC) >> 2], nsec: u32[(s + L.SLOT_TS_NSEC) >> 2],
        linktype: u8[s + L.SLOT_LINKTYPE] | (u8[s + L.SLOT_LINKTYPE + 1] << 8), iface: u8[s + L.SLOT_IFACE] | (u8[s + L.SLOT_IFACE + 1] << 8),
        flags: u32[(s + L.SLOT_FLAGS) >> 2], hex: Buffer.from(u8.subarray(s + L.SLOT_DATA, s + L.SLOT_DATA + Math.min(caplen, 256))).toString('hex'), seenMs: Date.now() });
      tail = (tail + 1) >>> 0;
    }
    Atomics.store(u32, (ring + L.RING_TAIL) >> 2, tail);
    continue;
  }
  if (Atomics.load(u32, (ring + L.RING_FLAGS) >> 2) & L.RF_CLOSED) {
    if (Atomics.load(u32, (ring + L.RING_HEAD) >> 2) === tail) break;
    continue;
  }
  Atomics.store(i32, (ring + L.RING_WAITING) >> 2, 1);
  if (Atomics.load(u32, (ring + L.RING_HEAD) >> 2) === head) {
    if (Atomics.wait(i32, (ring + L.RING_HEAD) >> 2, head | 0, 3000) === 'timed-out') timedOut++;
  }
  Atomics.store(i32, (ring + L.RING_WAITING) >> 2, 0);
}
parentPort.postMessage({ frames, timedOut });
`;

/** The same consumer asleep in waitRing (FUTEX_WAIT on RING_HEAD, RING_WAITING = 2): only
 *  the capture thread's FUTEX_WAKE (or the timeout) ends the sleep. */
const FUTEX_WORKER_CONSUMER = WORKER_CONSUMER
  .replace("const { memory, ring, L } = workerData;", "const { memory, ring, L, addonPath } = workerData; const addon = require(addonPath);")
  .replace(/Atomics\.store\(i32, \(ring \+ L\.RING_WAITING\) >> 2, 1\);\n  if \(Atomics[^\n]*\n[^\n]*\n  }\n  Atomics\.store\(i32, \(ring \+ L\.RING_WAITING\) >> 2, 0\);/,
    `const t = Date.now(); addon.waitRing(u8, ring, 3000);
  if (Date.now() - t >= 2900 && Atomics.load(u32, (ring + L.RING_HEAD) >> 2) === head) timedOut++;`);

async function childCapture(cfg: CaptureCfg): Promise<void> {
  const memory = createSharedMemory({ initialPages: 64, maximumPages: 4096 });
  const views = new MemoryViews(memory);
  const arena = new Arena(views);
  const ring = initRing(views, arena, cfg.slots ?? 1024, cfg.slotSize ?? 2048);
  let sink: import('node:dgram').Socket | null = null;
  if (cfg.bindUdp) {
    // Absorb the test datagrams so the kernel sends no ICMP port unreachable back.
    const dgram = await import('node:dgram');
    sink = dgram.createSocket('udp4');
    sink.on('message', () => {});
    sink.bind(cfg.bindUdp);
    await once(sink, 'listening');
  }
  const src: LiveSource = openLiveSource(cfg.iface, { ...cfg, warn: (l) => process.stderr.write(`${l}\n`) });
  const frames: Frame[] = [];
  const u8 = views.u8;
  const u32 = views.u32;
  const i32 = views.i32;
  const count = cfg.slots ?? 1024;
  const size = cfg.slotSize ?? 2048;
  const slots = u32[(ring + RING_SLOTS) >> 2];
  let tail = 0;
  // Event-driven consumer on this thread: drain, then say "waiting" and re-check head.
  const drain = (): void => {
    for (;;) {
      const head = Atomics.load(u32, (ring + RING_HEAD) >> 2);
      while (tail !== head) {
        frames.push(readSlot(u8, u32, slots + (tail & (count - 1)) * size));
        tail = (tail + 1) >>> 0;
      }
      Atomics.store(u32, (ring + RING_TAIL) >> 2, tail);
      Atomics.store(i32, (ring + RING_WAITING) >> 2, 1);
      if (Atomics.load(u32, (ring + RING_HEAD) >> 2) === tail) return;
      Atomics.store(i32, (ring + RING_WAITING) >> 2, 0);
    }
  };
  let worker: Worker | null = null;
  let workerDone: Promise<{ frames: Frame[]; timedOut: number }> | null = null;
  const consumer = cfg.consumer ?? 'event';
  if (consumer === 'worker') {
    const L = { RING_SLOT_COUNT, RING_SLOT_SIZE, RING_SLOTS, RING_HEAD, RING_TAIL, RING_FLAGS, RING_WAITING, RF_CLOSED, SLOT_CAPLEN, SLOT_WIRELEN, SLOT_TS_SEC, SLOT_TS_NSEC, SLOT_LINKTYPE, SLOT_IFACE, SLOT_FLAGS, SLOT_DATA };
    worker = new Worker(WORKER_CONSUMER, { eval: true, workerData: { memory, ring, L } });
    workerDone = once(worker, 'message').then(([m]) => m as { frames: Frame[]; timedOut: number });
    src.start(memory, ring);
  } else if (consumer === 'futex-worker') {
    const L = { RING_SLOT_COUNT, RING_SLOT_SIZE, RING_SLOTS, RING_HEAD, RING_TAIL, RING_FLAGS, RING_WAITING, RF_CLOSED, SLOT_CAPLEN, SLOT_WIRELEN, SLOT_TS_SEC, SLOT_TS_NSEC, SLOT_LINKTYPE, SLOT_IFACE, SLOT_FLAGS, SLOT_DATA };
    if (FUTEX_WORKER_CONSUMER.includes('Atomics.wait') || !FUTEX_WORKER_CONSUMER.includes('waitRing')) throw new Error('the futex consumer still sleeps in Atomics.wait');
    const addonPath = fileURLToPath(new URL('../host/native/build/Release/pktwasm_pcap.node', import.meta.url));
    worker = new Worker(FUTEX_WORKER_CONSUMER, { eval: true, workerData: { memory, ring, L, addonPath } });
    workerDone = once(worker, 'message').then(([m]) => m as { frames: Frame[]; timedOut: number });
    src.start(memory, ring);
  } else {
    if (consumer === 'event') Atomics.store(i32, (ring + RING_WAITING) >> 2, 1);
    src.start(memory, ring, consumer === 'event' ? () => { Atomics.store(i32, (ring + RING_WAITING) >> 2, 0); drain(); } : undefined);
  }
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  // The parent writes "stop" when its traffic is done.
  const stdin = process.stdin;
  stdin.setEncoding('utf8');
  let buf = '';
  for await (const chunk of stdin) {
    buf += chunk as string;
    if (buf.includes('stop')) break;
  }
  const stats = await src.close();
  let timedOutWaits = 0;
  let out = frames;
  if (workerDone) {
    const r = await workerDone;
    out = r.frames;
    timedOutWaits = r.timedOut;
    await worker!.terminate();
  } else if (consumer === 'event') {
    drain();
  }
  const res: ChildResult = {
    frames: out, stats, linktype: src.linktype, nanosecond: src.nanosecond, backend: src.backend,
    ringLeft: (Atomics.load(u32, (ring + RING_HEAD) >> 2) - Atomics.load(u32, (ring + RING_TAIL) >> 2)) >>> 0,
    timedOutWaits, closedFlag: (Atomics.load(u32, (ring + RING_FLAGS) >> 2) & RF_CLOSED) !== 0,
  };
  sink?.close();
  process.stdout.write(`${JSON.stringify(res)}\n`);
}

async function childMain(mode: string, cfg: Record<string, unknown>): Promise<void> {
  if (mode === 'capture') return childCapture(cfg as unknown as CaptureCfg);
  if (mode === 'open') {
    // Just open (for error cases): report the code and message.
    try {
      const warnings: string[] = [];
      const src = openLiveSource(String(cfg.iface), { ...(cfg as OpenLiveOptions), warn: (l) => warnings.push(l) });
      const backend = src.backend;
      await src.close();
      process.stdout.write(`${JSON.stringify({ ok: true, backend, warnings })}\n`);
    } catch (err) {
      const e = err as { code?: string; message: string };
      process.stdout.write(`${JSON.stringify({ ok: false, code: e.code, message: e.message })}\n`);
    }
    return;
  }
  if (mode === 'inject') {
    const { openInjector } = await import('../host/sinks/inject.js');
    const inj = openInjector(String(cfg.iface), { backend: cfg.backend as 'pcap' | 'cap' });
    const frames = (cfg.frames as string[]).map((h) => Buffer.from(h, 'hex'));
    const sent = inj.sendBatch(frames);
    inj.close();
    process.stdout.write(`${JSON.stringify({ sent, backend: inj.backend })}\n`);
    return;
  }
  if (mode === 'ping') return childPing(String(cfg.dst), Number(cfg.count));
  if (mode === 'fanout') return childFanout(String(cfg.iface), String(cfg.filter), cfg.files as string[]);
  if (mode === 'list') {
    const { listInterfaces, defaultInterface, formatInterfaceList } = await import('../host/sources/interfaces.js');
    process.stdout.write(`${JSON.stringify({ names: listInterfaces().map((d) => d.name), dflt: defaultInterface(), text: formatInterfaceList() })}\n`);
    return;
  }
  throw new Error(`unknown child mode ${mode}`);
}

/** Two sources on one interface in one PACKET_FANOUT group, each writing its share to a
 *  pcap file of its own (direct file mode), until the parent says stop. */
async function childFanout(iface: string, filter: string, files: string[]): Promise<void> {
  const { LivePcap } = await import('../host/sources/live-pcap.js');
  const { openSync, closeSync, writeSync } = await import('node:fs');
  const { writePcapHeader, PCAP_HEADER_BYTES } = await import('../host/sinks/pcap-writer.js');
  const srcs = files.map(() => LivePcap.open(iface, { filter, timeoutMs: 50 }));
  for (const s of srcs) s.joinFanout(process.pid & 0xFFFF);
  const fds = files.map((f, k) => {
    const fd = openSync(f, 'w');
    const hdr = new Uint8Array(PCAP_HEADER_BYTES);
    writePcapHeader(new DataView(hdr.buffer), 0, srcs[k].linktype, srcs[k].snaplen, true);
    writeSync(fd, hdr);
    srcs[k].startDump(fd, true, 0);
    return fd;
  });
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) if ((chunk as string).includes('stop')) break;
  const stats = await Promise.all(srcs.map((s) => s.close()));
  for (const fd of fds) closeSync(fd);
  process.stdout.write(`${JSON.stringify({ stats })}\n`);
}

// ---------------------------------------------------------------- parent side

function lastJson<T>(text: string): T {
  const lines = text.trim().split('\n').filter((l) => l.startsWith('{'));
  if (lines.length === 0) throw new Error(`child printed no result:\n${text}`);
  return JSON.parse(lines[lines.length - 1]) as T;
}

interface ReadyChild { child: ChildProcessWithoutNullStreams; exited: Promise<unknown[]>; out(): string; err(): string }

/** Spawns this file as the child `mode` in namespace `ns` and waits (15 s at most) for its
 *  "ready" line; a child that exits or never says so is killed and reported. */
async function startReadyChild(ns: string, mode: string, cfg: object, env: NodeJS.ProcessEnv = {}): Promise<ReadyChild> {
  const child: ChildProcessWithoutNullStreams = spawn('ip', ['netns', 'exec', ns, process.execPath, SELF], {
    env: { ...process.env, ...env, PKTWASM_LIVE_CHILD: mode, PKTWASM_LIVE_CFG: JSON.stringify(cfg) },
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const exited = once(child, 'exit');
  const deadline = Date.now() + 15_000;
  while (!out.includes('"ready"')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      if (child.exitCode === null) child.kill('SIGKILL');
      throw new Error(`${mode} child did not start:\n${out}\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, exited, out: () => out, err: () => err };
}

/** Starts a capturing child in `ns`, runs `traffic` once it is ready, stops it, returns its result. */
async function capture(ns: string, cfg: CaptureCfg, traffic: () => Promise<void> | void, env: NodeJS.ProcessEnv = {}): Promise<ChildResult & { t0: number; t1: number; stderr: string }> {
  const { child, exited, out, err } = await startReadyChild(ns, 'capture', cfg, env);
  try {
    const t0 = Date.now();
    await traffic();
    // Let the last packets reach the ring before asking the child to stop.
    await new Promise((r) => setTimeout(r, 100));
    child.stdin.write('stop\n');
    const [code] = await Promise.race([exited, new Promise<[number]>((_, rej) => setTimeout(() => rej(new Error(`capture child hung:\n${err()}`)), 15_000))]);
    const t1 = Date.now();
    if (code !== 0) throw new Error(`capture child exited with ${code}:\n${out()}\n${err()}`);
    return { ...lastJson<ChildResult>(out()), t0, t1, stderr: err() };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

function runChild<T>(ns: string | null, mode: string, cfg: Record<string, unknown>, prefix: string[] = [], env: NodeJS.ProcessEnv = {}): T {
  const argv = [...prefix, ...(ns ? ['ip', 'netns', 'exec', ns] : []), process.execPath, SELF];
  const r = spawnSync(argv[0], argv.slice(1), {
    encoding: 'utf8', timeout: 30_000,
    env: { ...process.env, ...env, PKTWASM_LIVE_CHILD: mode, PKTWASM_LIVE_CFG: JSON.stringify(cfg) },
  });
  if (r.status !== 0) throw new Error(`child ${mode} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return lastJson<T>(r.stdout);
}

/** Sends `n` UDP datagrams from namespace `ns` (a child Node process), `gapMs` apart. */
function sendUdp(ns: string, dst: string, port: number, payloads: string[], gapMs = 2): void {
  const script = `const s=require('dgram').createSocket('udp4');const p=${JSON.stringify(payloads)};let i=0;` +
    `const next=()=>{if(i===p.length){s.close();return;}s.send(Buffer.from(p[i++]),${port},'${dst}',()=>setTimeout(next,${gapMs}));};next();`;
  const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`udp sender failed: ${r.stderr}`);
}

/** Kernel ping without iputils: echo requests from a raw ICMP socket (npm raw-socket) in
 *  namespace `ns`, one at a time, each answered by the peer's kernel before the next. */
function ping(ns: string, dst: string, count: number): void {
  const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, SELF], {
    encoding: 'utf8', timeout: 30_000,
    env: { ...process.env, PKTWASM_LIVE_CHILD: 'ping', PKTWASM_LIVE_CFG: JSON.stringify({ dst, count }) },
  });
  if (r.status !== 0) throw new Error(`ping failed: ${r.stdout}${r.stderr}`);
}

async function childPing(dst: string, count: number): Promise<void> {
  const { createRequire } = await import('node:module');
  interface RawSocket {
    send(b: Buffer, off: number, len: number, addr: string, cb: (err: Error | null) => void): void;
    on(ev: 'message', cb: (b: Buffer, src: string) => void): void;
    close(): void;
  }
  const raw = createRequire(import.meta.url)('raw-socket') as {
    createSocket(o: { protocol: number }): RawSocket; Protocol: { ICMP: number };
    createChecksum(b: Buffer): number; writeChecksum(b: Buffer, off: number, sum: number): void;
  };
  const sock = raw.createSocket({ protocol: raw.Protocol.ICMP });
  let replies = 0;
  let waiter: (() => void) | null = null;
  sock.on('message', (b, src) => {
    const ihl = (b[0] & 15) * 4;
    if (src === dst && b[ihl] === 0 && b.readUInt16BE(ihl + 4) === 0x7777) { replies++; waiter?.(); }
  });
  for (let seq = 1; seq <= count; seq++) {
    const pkt = Buffer.alloc(8 + 32, 0x61);
    pkt.writeUInt8(8, 0); pkt.writeUInt8(0, 1); pkt.writeUInt16BE(0, 2);
    pkt.writeUInt16BE(0x7777, 4); pkt.writeUInt16BE(seq, 6);
    raw.writeChecksum(pkt, 2, raw.createChecksum(pkt));
    const got = new Promise<void>((res) => { waiter = res; setTimeout(res, 1000); });
    await new Promise<void>((res, rej) => sock.send(pkt, 0, pkt.length, dst, (e) => (e ? rej(e) : res())));
    await got;
  }
  sock.close();
  if (replies !== count) throw new Error(`ping: ${replies} of ${count} replies`);
}

interface Parsed { etherType: number; proto: number; src: string; dst: string; payload: Buffer; icmpType: number; icmpSeq: number }

/** Just enough Ethernet/IPv4/UDP/ICMP parsing to name what a frame is. */
function parse(hex: string): Parsed {
  const b = Buffer.from(hex, 'hex');
  const etherType = b.readUInt16BE(12);
  const out: Parsed = { etherType, proto: -1, src: '', dst: '', payload: Buffer.alloc(0), icmpType: -1, icmpSeq: -1 };
  if (etherType !== 0x0800) return out;
  const ihl = (b[14] & 15) * 4;
  out.proto = b[23];
  out.src = [...b.subarray(26, 30)].join('.');
  out.dst = [...b.subarray(30, 34)].join('.');
  const l4 = 14 + ihl;
  if (out.proto === 17) out.payload = b.subarray(l4 + 8);
  if (out.proto === 1) { out.icmpType = b[l4]; out.icmpSeq = b.readUInt16BE(l4 + 6); }
  return out;
}

function tsNs(f: Frame): bigint {
  return BigInt(f.sec) * 1_000_000_000n + BigInt(f.nsec);
}

function assertTimestamps(frames: Frame[], t0: number, t1: number, label: string): void {
  // Slack for the clock read of the test itself: the window is [t0, t1] in ms.
  const lo = BigInt(t0 - 50) * 1_000_000n;
  const hi = BigInt(t1 + 50) * 1_000_000n;
  let prev = 0n;
  for (const f of frames) {
    const t = tsNs(f);
    assert.ok(f.nsec < 1_000_000_000, `${label}: nsec field in range`);
    assert.ok(t >= prev, `${label}: timestamps monotonic (${t} after ${prev})`);
    assert.ok(t >= lo && t <= hi, `${label}: timestamp ${t} inside the test window [${lo}, ${hi}]`);
    prev = t;
  }
}

function assertPcapCounters(s: LiveStats, label: string): void {
  assert.is(s.droppedKernel, 0, `${label}: no kernel drops`);
  assert.is(s.droppedRing, 0, `${label}: no ring drops`);
  // Linux: ps_recv counts every packet the filter accepted, drops included.
  assert.is(s.received, s.captured + (s.droppedKernel ?? 0), `${label}: captured + dropped = received by filter`);
}

const addonReady = loadPcapAddon() !== null;
/** Every test here opens packet sockets, most in namespaces it makes: root. */
const needLive = (): boolean => needRoot('namespaces and packet sockets');
function needAddon(): boolean {
  if (!needLive()) return false;
  if (addonReady) return true;
  const msg = `SKIP live-pcap: ${pcapAddonError()}`;
  if (inCI) throw new Error(msg);
  console.log(msg);
  return false;
}

const UDP_PORT = 7777;

async function exactSet(pair: NetnsPair, backend: 'pcap' | 'cap', consumer: Exclude<Consumer, 'none'>, driver: 'thread' | 'loop' = 'thread'): Promise<void> {
  const payloads = Array.from({ length: 60 }, (_, i) => `pktwasm-live-${backend}-${i}-${'x'.repeat(i % 17)}`);
  const r = await capture(pair.b, {
    iface: pair.ifB, backend, consumer, driver, filter: `udp port ${UDP_PORT} or icmp`, timeoutMs: 50, bindUdp: UDP_PORT,
  }, () => {
    sendUdp(pair.a, pair.ipB, UDP_PORT, payloads);
    ping(pair.a, pair.ipB, 3);
  });
  const label = `${backend}/${consumer}${backend === 'pcap' ? `/${driver}` : ''}`;
  assert.is(r.backend, backend);
  assert.is(r.linktype, LINKTYPE_ETHERNET);
  const parsed = r.frames.map((f) => parse(f.hex));
  // Exactly the datagrams sent, in order, each once; nothing outside the filter (no ARP).
  const udp = parsed.filter((p) => p.proto === 17).map((p) => p.payload.toString());
  assert.equal(udp, payloads, `${label}: the UDP datagrams sent, in order`);
  assert.ok(parsed.filter((p) => p.proto === 17).every((p) => p.src === pair.ipA && p.dst === pair.ipB));
  const icmp = parsed.filter((p) => p.proto === 1).map((p) => `${p.icmpType}:${p.icmpSeq}`);
  assert.equal(icmp, ['8:1', '0:1', '8:2', '0:2', '8:3', '0:3'], `${label}: echo requests and replies`);
  assert.is(parsed.length, udp.length + icmp.length, `${label}: only filtered packets (no ARP, no IPv6)`);
  for (const f of r.frames) {
    assert.is(f.caplen, f.wirelen, `${label}: whole frames below the snaplen`);
    assert.is(f.linktype, LINKTYPE_ETHERNET);
  }
  assertTimestamps(r.frames, r.t0, r.t1, label);
  assert.is(r.stats.captured, r.frames.length, `${label}: every captured packet reached the consumer`);
  assert.is(r.ringLeft, 0);
  assert.ok(r.closedFlag, `${label}: RF_CLOSED set at close`);
  if (backend === 'pcap') {
    assertPcapCounters(r.stats, label);
    assert.ok(r.nanosecond, 'veth offers nanosecond timestamps');
    assert.ok(r.frames.some((f) => f.nsec % 1000 !== 0), 'timestamps carry nanoseconds');
  } else {
    assert.is(r.stats.received, null, 'cap: kernel counters unknown');
    assert.is(r.stats.droppedRing, 0);
  }
  if (consumer !== 'event') {
    // The worker slept in Atomics.wait or waitRing (3 s timeout) and must have been woken
    // by the source each time, not by the timeout: each frame seen well within a second.
    assert.is(r.timedOutWaits, 0, `${label}: no Atomics.wait ran into its timeout`);
    for (const f of r.frames) {
      const lagMs = f.seenMs - Number(tsNs(f) / 1_000_000n);
      assert.ok(lagMs < 1000, `${label}: frame seen ${lagMs} ms after its timestamp`);
    }
  }
}

test('pcap: exact UDP and ICMP set, event-driven consumer, counters, nanosecond timestamps', async () => {
  if (!needAddon()) return;
  await withNetnsPair((pair) => exactSet(pair, 'pcap', 'event'), 'lp');
});

test('pcap: a worker sleeping in Atomics.wait is woken once per batch', async () => {
  if (!needAddon()) return;
  await withNetnsPair((pair) => exactSet(pair, 'pcap', 'worker'), 'lw');
});

test('pcap: a worker asleep in waitRing is woken by the capture thread itself (futex)', async () => {
  if (!needAddon()) return;
  await withNetnsPair((pair) => exactSet(pair, 'pcap', 'futex-worker'), 'lf');
});

test('pcap, event-loop driver: the same set with an event-driven consumer', async () => {
  if (!needAddon()) return;
  await withNetnsPair((pair) => exactSet(pair, 'pcap', 'event', 'loop'), 'le');
});

test('pcap, event-loop driver: a worker in Atomics.wait is woken', async () => {
  if (!needAddon()) return;
  await withNetnsPair((pair) => exactSet(pair, 'pcap', 'worker', 'loop'), 'lv');
});

test('cap fallback: the same set through the same ring', async () => {
  if (!needLive()) return;
  await withNetnsPair((pair) => exactSet(pair, 'cap', 'event'), 'lc');
});

test('pcap: snaplen truncates caplen and keeps the wire length', async () => {
  if (!needAddon()) return;
  await withNetnsPair(async (pair) => {
    const payloads = Array.from({ length: 10 }, (_, i) => `${i}`.padEnd(1000, 'y'));
    const r = await capture(pair.b, { iface: pair.ifB, snaplen: 64, filter: `udp port ${UDP_PORT}`, timeoutMs: 50, bindUdp: UDP_PORT }, () => {
      sendUdp(pair.a, pair.ipB, UDP_PORT, payloads);
    });
    assert.is(r.frames.length, 10);
    for (const f of r.frames) {
      assert.is(f.caplen, 64);
      assert.is(f.wirelen, 14 + 20 + 8 + 1000);
    }
    assertPcapCounters(r.stats, 'snaplen');
  }, 'ls');
});

test('pcap: a frame longer than the ring slot is cut to the slot, wire length kept', async () => {
  if (!needAddon()) return;
  await withNetnsPair(async (pair) => {
    const r = await capture(pair.b, { iface: pair.ifB, slotSize: 256, filter: `udp port ${UDP_PORT}`, timeoutMs: 50, bindUdp: UDP_PORT }, () => {
      sendUdp(pair.a, pair.ipB, UDP_PORT, ['z'.repeat(1200)]);
    });
    assert.is(r.frames.length, 1);
    assert.is(r.frames[0].caplen, 256 - 32);
    assert.is(r.frames[0].wirelen, 14 + 20 + 8 + 1200);
  }, 'lz');
});

test('pcap: direction in / out and a filter that excludes everything sent', async () => {
  if (!needAddon()) return;
  await withNetnsPair(async (pair) => {
    const inbound = await capture(pair.b, { iface: pair.ifB, direction: 'in', filter: 'icmp', timeoutMs: 50 }, () => ping(pair.a, pair.ipB, 3));
    assert.equal(inbound.frames.map((f) => parse(f.hex).icmpType), [8, 8, 8], 'only echo requests arrive inbound');
    const outbound = await capture(pair.b, { iface: pair.ifB, direction: 'out', filter: 'icmp', timeoutMs: 50 }, () => ping(pair.a, pair.ipB, 3));
    assert.equal(outbound.frames.map((f) => parse(f.hex).icmpType), [0, 0, 0], 'only echo replies leave');
    const none = await capture(pair.b, { iface: pair.ifB, filter: 'tcp', timeoutMs: 50 }, () => ping(pair.a, pair.ipB, 3));
    assert.is(none.frames.length, 0, 'kernel filter rejects the pings');
    assert.is(none.stats.received, 0, 'and the kernel never counted them');
  }, 'ld');
});

test('pcap: a full ring drops and counts, never blocks (both drivers)', async () => {
  if (!needAddon()) return;
  await withNetnsPair(async (pair) => {
    for (const driver of ['thread', 'loop'] as const) {
      const payloads = Array.from({ length: 40 }, (_, i) => `full-${i}`);
      const r = await capture(pair.b, { iface: pair.ifB, slots: 8, consumer: 'none', driver, filter: `udp port ${UDP_PORT}`, timeoutMs: 50, bindUdp: UDP_PORT }, () => {
        sendUdp(pair.a, pair.ipB, UDP_PORT, payloads, 0);
      });
      assert.is(r.stats.captured, 40, `${driver}: libpcap delivered every packet`);
      assert.is(r.stats.droppedRing, 32, `${driver}: all but the 8 slots dropped`);
      assert.is(r.ringLeft, 8);
      assert.is(r.stats.droppedKernel, 0);
    }
  }, 'lf');
});

test('pcap: batched injection sends exactly the frames given', async () => {
  if (!needAddon()) return;
  await withNetnsPair(async (pair) => {
    // Local experimental EtherType 0x88b5, broadcast destination.
    const frames = Array.from({ length: 20 }, (_, i) => Buffer.concat([
      Buffer.from('ffffffffffff02000000000188b5', 'hex'), Buffer.alloc(46 + i, i),
    ]).toString('hex'));
    for (const backend of ['pcap', 'cap'] as const) {
      let sent: { sent: number; backend: string } | null = null;
      const r = await capture(pair.b, { iface: pair.ifB, filter: 'ether proto 0x88b5', timeoutMs: 50 }, () => {
        sent = runChild(pair.a, 'inject', { iface: pair.ifA, frames, backend });
      });
      assert.equal(sent, { sent: 20, backend });
      assert.equal(r.frames.map((f) => f.hex), frames, `${backend}: injected frames arrive byte for byte`);
    }
  }, 'li');
});

test('errors: unknown interface, bad filter, no permission', async () => {
  if (!needAddon()) return;
  const noIface = runChild<{ ok: boolean; code: string; message: string }>(null, 'open', { iface: 'pktwasm-nope0' });
  assert.equal([noIface.ok, noIface.code], [false, 'E_NO_IFACE']);
  assert.match(noIface.message, 'pktwasm-nope0');
  const badFilter = runChild<{ ok: boolean; code: string; message: string }>(null, 'open', { iface: 'lo', filter: 'udp and and' });
  assert.equal([badFilter.ok, badFilter.code], [false, 'E_FILTER_SYNTAX']);
  assert.match(badFilter.message, 'syntax error');
  const perm = runChild<{ ok: boolean; code: string; message: string }>(null, 'open', { iface: 'lo' },
    ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all']);
  assert.equal([perm.ok, perm.code], [false, 'E_PERM']);
  assert.match(perm.message, 'CAP_NET_RAW');
  const capPerm = runChild<{ ok: boolean; code: string; message: string }>(null, 'open', { iface: 'lo', backend: 'cap' },
    ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all']);
  assert.equal([capPerm.ok, capPerm.code], [false, 'E_PERM']);
});

test('without the addon: cap is used with one warning line; the build explains and succeeds', () => {
  if (!needLive()) return;
  const r = runChild<{ ok: boolean; backend: string; warnings: string[] }>(null, 'open', { iface: 'lo' }, [], { PKTWASM_NO_NATIVE: '1' });
  assert.is(r.ok, true);
  assert.is(r.backend, 'cap');
  assert.is(r.warnings.length, 1);
  assert.match(r.warnings[0], 'timestamps are taken in JavaScript and kernel drops are unknown');
  const b = spawnSync(process.execPath, [fileURLToPath(new URL('../host/native/build.mjs', import.meta.url))], {
    encoding: 'utf8', env: { ...process.env, PKTWASM_SKIP_NATIVE: '1' },
  });
  assert.is(b.status, 0);
  assert.match(b.stdout, 'apt-get install libpcap-dev');
});

/** (source port, sequence number) of each UDP datagram in a pcap file, as tcpdump -xx reads it. */
function tcpdumpFlows(file: string): Array<[number, number]> {
  return tcpdumpFrameHex(file).filter((hex) => hex.length >= 92)
    .map((hex): [number, number] => [parseInt(hex.slice(68, 72), 16), parseInt(hex.slice(84, 92), 16)]);
}

test('pcap fanout: two sockets in one PACKET_FANOUT group split the traffic by flow, each datagram once', async () => {
  if (!needAddon()) return;
  if (spawnSync('tcpdump', ['--version'], { stdio: 'ignore' }).error) {
    const msg = 'SKIP live-pcap fanout: tcpdump (the file reader) is not installed';
    if (inCI) throw new Error(msg);
    console.log(msg);
    return;
  }
  await withNetnsPair(async (pair) => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'pktwasm-fanout-'));
    try {
      const files = [join(dir, 'a.pcap'), join(dir, 'b.pcap')];
      const N = 800;
      const F = 16;
      const { child, exited, out, err } = await startReadyChild(pair.b, 'fanout', { iface: pair.ifB, filter: `udp port ${UDP_PORT}`, files });
      try {
        // F conversations (F source ports, bound in order), N datagrams, sequence first.
        const script = `const d=require('dgram');const s=[];let n=0,b=0;for(let f=0;f<${F};f++){const x=d.createSocket('udp4');s.push(x);x.bind(41000+f,()=>{if(++b===${F})go();});}` +
          `function go(){for(let i=0;i<${N};i++){const p=Buffer.alloc(32,97);p.writeUInt32BE(i,0);s[i%${F}].send(p,${UDP_PORT},'${pair.ipB}',()=>{if(++n===${N})s.forEach(x=>x.close());});}}`;
        const g = spawnSync('ip', ['netns', 'exec', pair.a, process.execPath, '-e', script], { encoding: 'utf8', timeout: 30_000 });
        assert.is(g.status, 0, g.stderr);
        await new Promise((r) => setTimeout(r, 300));
        child.stdin.write('stop\n');
        const [code] = await exited;
        assert.is(code, 0, err());
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      const { stats } = lastJson<{ stats: LiveStats[] }>(out());
      const shares = files.map(tcpdumpFlows);
      const all = shares.flat().map(([, seq]) => seq).sort((a, b) => a - b);
      assert.equal(all, Array.from({ length: N }, (_, i) => i), 'every datagram once across the two sockets');
      assert.ok(shares.every((sh) => sh.length > 0), `both sockets got traffic (${shares.map((sh) => sh.length).join(' + ')})`);
      for (let f = 0; f < F; f++) {
        const port = 41000 + f;
        const holders = shares.filter((sh) => sh.some(([p]) => p === port)).length;
        assert.is(holders, 1, `conversation from port ${port} on exactly one socket`);
      }
      for (const st of stats) assert.is(st.droppedKernel, 0);
      assert.is(stats.reduce((a, st) => a + st.captured, 0), N, 'captured counts add up to what was sent');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 'lk');
});

test('interfaces: the namespace\'s devices, the default like tcpdump, -D like tcpdump -D', async () => {
  if (!needAddon()) return;
  await withNetnsPair(async (pair) => {
    const r = runChild<{ names: string[]; dflt: string; text: string }>(pair.b, 'list', {});
    assert.ok(r.names.includes(pair.ifB) && r.names.includes('lo'));
    assert.is(r.dflt, pair.ifB);
    const td = spawnSync('ip', ['netns', 'exec', pair.b, 'tcpdump', '-D'], { encoding: 'utf8' });
    if (td.status === 0) assert.is(r.text, td.stdout.trimEnd());
    else console.log(`SKIP tcpdump -D oracle: ${td.stderr.trim()}`);
  }, 'ln');
});

const childMode = process.env.PKTWASM_LIVE_CHILD;
if (childMode) {
  await childMain(childMode, JSON.parse(process.env.PKTWASM_LIVE_CFG ?? '{}') as Record<string, unknown>);
} else {
  test.run();
}
