// Live capture on a veth pair between two namespaces, in one run: our addon (LivePcap
// into the shared ring, drained by a JS consumer), the `cap` fallback (LiveCap, same
// ring), and whole programs: sniff.js (-w on its single-thread path, -w through ring +
// worker, -nn, --json, --flows, --workers 2, without a filter) beside tcpdump (-w, -nn).
// A bounded sendmmsg UDP generator (C, compiled here into a temp dir) sends N datagrams
// over FLOWS conversations from namespace a; each contender captures on the other end
// with the same kernel filter. Per contender: packets sent, captured, lost (sent - what
// reached the output), kernel and ring drops, and CPU ns per captured packet of the
// capturing process (se.sum_exec_runtime of /proc/<pid>/task/*/sched: every thread, ns
// resolution, from "ready" until the traffic is over: start-up and shutdown are excluded
// alike), with the 1-minute load average (the machine may be shared: compare rows of one
// run only). Contenders alternate, ROUNDS times; the table quotes medians.
// Targets (issue #14): no loss wherever tcpdump loses none; CPU per packet <= 1.2x
// tcpdump's for -w, below tcpdump's for text. Rates: full speed and paced (LIVE_BENCH_RATES).
//
// Run as `node bench/live.bench.js` (needs root, iproute2, gcc, tcpdump). The file is
// also the capture child: `node bench/live.bench.js --capture pcap|cap IFACE FILTER`, and
// the 10-minute soak of sniff.js --flows: `node bench/live.bench.js --soak` (see soak()).
// LIVE_BENCH_GEN picks the generator: udp (default: UDP sockets), raw (AF_PACKET with
// PACKET_QDISC_BYPASS) or span (raw frames to a foreign MAC, as a mirror port delivers
// them: about twice udp's rate here, so the one that finds where tcpdump starts to lose).
// The soak takes it too, and LIVE_BENCH_SNIFF_ARGS='--workers 2' soaks the engine workers.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Arena } from '../host/runtime/arena.js';
import {
  RING_HDR_SIZE, RING_HEAD, RING_MASK, RING_SLOT_COUNT, RING_SLOT_SIZE, RING_SLOTS, RING_TAIL, RING_WAITING, SLOT_CAPLEN,
} from '../host/runtime/layout.js';
import { createSharedMemory, MemoryViews } from '../host/runtime/memory.js';
import { loadPcapAddon, pcapAddonError } from '../host/native/pcap-binding.js';
import { openLiveSource, type LiveStats } from '../host/sources/live-pcap.js';
import { createNetnsPair, destroyNetnsPair, type NetnsPair } from '../test/lib/netns.js';

const SELF = fileURLToPath(import.meta.url);
const PORT = 9;
/** C both generators share: the clock, and one sendmmsg of n messages paced to `rate`
 *  packets/s (ENOBUFS backs off and sends again: the count is never lost). Returns 1 when
 *  the messages went out. */
const PACED_SEND_C = `static long long now_ns(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
static int send_paced(int fd, struct mmsghdr *msgs, int n, long long *sent, long long t0, double rate) {
  int r = sendmmsg(fd, msgs, n, 0);
  if (r < 0) { struct timespec p = {0, 20000}; nanosleep(&p, NULL); return 0; }
  *sent += r;
  if (rate > 0) {
    long long due = t0 + (long long)(*sent * 1e9 / rate);
    struct timespec ts = { due / 1000000000LL, due % 1000000000LL };
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
  }
  return 1;
}`;

const FILTER = `udp dst port ${PORT}`;
const PAYLOAD = 64; // bytes of UDP payload: 106-byte frames
/** Conversations the generator spreads its datagrams over (source ports): --workers
 *  rows need several for the fanout's flow hash to share them out. */
const FLOWS = Number(process.env.LIVE_BENCH_FLOWS ?? 16);

// ------------------------------------------------------------------ capture child

interface ChildReport { backend: string; stats: LiveStats; consumed: number; bytes: number; wakes: number }

async function captureChild(mode: 'pcap' | 'pcap-loop' | 'cap', iface: string, filter: string): Promise<void> {
  const backend = mode === 'cap' ? 'cap' : 'pcap';
  const SLOTS = Number(process.env.LIVE_BENCH_SLOTS ?? 8192);
  const SLOT_SIZE = 2048;
  const memory = createSharedMemory({ initialPages: 512, maximumPages: 4096 });
  const views = new MemoryViews(memory);
  const arena = new Arena(views);
  const ring = arena.alloc(RING_HDR_SIZE);
  const slots = arena.alloc(SLOTS * SLOT_SIZE);
  const { u32, i32 } = views.refresh();
  u32[(ring + RING_SLOT_COUNT) >> 2] = SLOTS;
  u32[(ring + RING_SLOT_SIZE) >> 2] = SLOT_SIZE;
  u32[(ring + RING_SLOTS) >> 2] = slots;
  u32[(ring + RING_MASK) >> 2] = SLOTS - 1;
  const src = openLiveSource(iface, { backend, filter, driver: mode === 'pcap-loop' ? 'loop' : 'thread' });
  let tail = 0;
  let consumed = 0;
  let bytes = 0;
  let wakes = 0;
  // The consumer a sniffer would run, minus the dissection: touch every slot header.
  const drain = (): void => {
    for (;;) {
      const head = Atomics.load(u32, (ring + RING_HEAD) >> 2);
      while (tail !== head) {
        bytes += u32[(slots + (tail & (SLOTS - 1)) * SLOT_SIZE + SLOT_CAPLEN) >> 2];
        consumed++;
        tail = (tail + 1) >>> 0;
      }
      Atomics.store(u32, (ring + RING_TAIL) >> 2, tail);
      Atomics.store(i32, (ring + RING_WAITING) >> 2, 1);
      if (Atomics.load(u32, (ring + RING_HEAD) >> 2) === tail) return;
      Atomics.store(i32, (ring + RING_WAITING) >> 2, 0);
    }
  };
  Atomics.store(i32, (ring + RING_WAITING) >> 2, 1);
  src.start(memory, ring, () => { wakes++; Atomics.store(i32, (ring + RING_WAITING) >> 2, 0); drain(); });
  process.stdout.write('ready\n');
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) if ((chunk as string).includes('stop')) break;
  const stats = await src.close();
  drain();
  const rep: ChildReport = { backend: mode, stats, consumed, bytes, wakes };
  process.stdout.write(`${JSON.stringify(rep)}\n`);
  process.exit(0);
}

// ------------------------------------------------------------------ generator

const GENERATOR_C = String.raw`
// Bounded UDP generator: sendmmsg in batches of 64, round-robin over FLOWS connected
// sockets (FLOWS source ports: conversations a flow hash can spread), optionally paced to
// RATE packets/s. Prints "sent elapsed_ns".
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#define BATCH 64
#define MAX_FLOWS 256
${PACED_SEND_C}
int main(int argc, char **argv) {
  if (argc < 6) { fprintf(stderr, "usage: gen DST PORT COUNT RATE PAYLOAD [FLOWS]\n"); return 2; }
  long long count = atoll(argv[3]); double rate = atof(argv[4]); int plen = atoi(argv[5]);
  int flows = argc > 6 ? atoi(argv[6]) : 1; if (flows < 1) flows = 1; if (flows > MAX_FLOWS) flows = MAX_FLOWS;
  struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
  inet_pton(AF_INET, argv[1], &dst.sin_addr);
  int fds[MAX_FLOWS];
  for (int f = 0; f < flows; f++) {
    fds[f] = socket(AF_INET, SOCK_DGRAM, 0);
    int sndbuf = 4 << 20; setsockopt(fds[f], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    if (connect(fds[f], (struct sockaddr *)&dst, sizeof dst) != 0) { perror("connect"); return 1; }
  }
  static char bufs[BATCH][2048]; struct iovec iov[BATCH]; struct mmsghdr msgs[BATCH];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < BATCH; i++) { memset(bufs[i], 'p', plen); iov[i].iov_base = bufs[i]; iov[i].iov_len = plen; msgs[i].msg_hdr.msg_iov = &iov[i]; msgs[i].msg_hdr.msg_iovlen = 1; }
  long long sent = 0, t0 = now_ns(); int flow = 0;
  while (sent < count) {
    int n = count - sent < BATCH ? (int)(count - sent) : BATCH;
    for (int i = 0; i < n; i++) { long long seq = sent + i; memcpy(bufs[i], &seq, sizeof seq); }
    if (send_paced(fds[flow], msgs, n, &sent, t0, rate)) flow = (flow + 1) % flows;
  }
  printf("%lld %lld\n", sent, now_ns() - t0);
  return 0;
}
`;

const GENERATOR_RAW_C = String.raw`
// The faster generator (LIVE_BENCH_GEN=raw): whole Ethernet/IPv4/UDP frames built once
// per conversation (source ports 40000 + f, IPv4 header checksum computed, UDP checksum
// 0) and handed to the device by an AF_PACKET socket with PACKET_QDISC_BYPASS, sendmmsg in
// batches of 64: no UDP socket, routing, neighbour lookup or qdisc per datagram, so the
// sending CPU does little more than the veth transmit and the receive side (where the
// capturers' packet sockets are fed). Prints "sent elapsed_ns".
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#define BATCH 64
#define MAX_FLOWS 256
${PACED_SEND_C}
static int mac(const char *s, uint8_t *m) { return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", m, m + 1, m + 2, m + 3, m + 4, m + 5) == 6 ? 0 : -1; }
int main(int argc, char **argv) {
  if (argc < 11) { fprintf(stderr, "usage: gen-raw IFACE SRCMAC DSTMAC SRCIP DSTIP PORT COUNT RATE PAYLOAD FLOWS\n"); return 2; }
  uint8_t smac[6], dmac[6]; struct in_addr sip, dip;
  if (mac(argv[2], smac) || mac(argv[3], dmac) || !inet_pton(AF_INET, argv[4], &sip) || !inet_pton(AF_INET, argv[5], &dip)) { fprintf(stderr, "bad address\n"); return 2; }
  int port = atoi(argv[6]); long long count = atoll(argv[7]); double rate = atof(argv[8]); int plen = atoi(argv[9]);
  int flows = atoi(argv[10]); if (flows < 1) flows = 1; if (flows > MAX_FLOWS) flows = MAX_FLOWS;
  int fd = socket(AF_PACKET, SOCK_RAW, 0);
  if (fd < 0) { perror("socket"); return 1; }
  int one = 1; setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
  int sndbuf = 4 << 20; setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = (int)if_nametoindex(argv[1]), .sll_halen = 6 };
  memcpy(to.sll_addr, dmac, 6);
  if (to.sll_ifindex == 0) { perror("if_nametoindex"); return 1; }
  int flen = 14 + 20 + 8 + plen;
  static uint8_t frames[MAX_FLOWS][2048];
  for (int f = 0; f < flows; f++) {
    uint8_t *b = frames[f]; memset(b, 'p', flen);
    memcpy(b, dmac, 6); memcpy(b + 6, smac, 6); b[12] = 0x08; b[13] = 0x00;
    uint8_t *ip = b + 14; ip[0] = 0x45; ip[1] = 0; uint16_t tot = htons(20 + 8 + plen); memcpy(ip + 2, &tot, 2);
    ip[4] = 0; ip[5] = 0; ip[6] = 0x40; ip[7] = 0; ip[8] = 64; ip[9] = 17; ip[10] = ip[11] = 0;
    memcpy(ip + 12, &sip, 4); memcpy(ip + 16, &dip, 4);
    uint32_t sum = 0; for (int i = 0; i < 20; i += 2) sum += (ip[i] << 8) | ip[i + 1];
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    ip[10] = (uint8_t)(~sum >> 8); ip[11] = (uint8_t)~sum;
    uint8_t *u = ip + 20; uint16_t sp = htons(40000 + f), dp = htons(port), ul = htons(8 + plen);
    memcpy(u, &sp, 2); memcpy(u + 2, &dp, 2); memcpy(u + 4, &ul, 2); u[6] = u[7] = 0;
  }
  static uint8_t bufs[BATCH][2048]; struct iovec iov[BATCH]; struct mmsghdr msgs[BATCH];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < BATCH; i++) {
    iov[i].iov_base = bufs[i]; iov[i].iov_len = flen;
    msgs[i].msg_hdr.msg_iov = &iov[i]; msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &to; msgs[i].msg_hdr.msg_namelen = sizeof to;
  }
  long long sent = 0, t0 = now_ns();
  while (sent < count) {
    int n = count - sent < BATCH ? (int)(count - sent) : BATCH;
    for (int i = 0; i < n; i++) {
      long long seq = sent + i;
      memcpy(bufs[i], frames[seq % flows], flen);
      memcpy(bufs[i] + 42, &seq, plen < 8 ? plen : 8);
    }
    send_paced(fd, msgs, n, &sent, t0, rate);
  }
  printf("%lld %lld\n", sent, now_ns() - t0);
  return 0;
}
`;

/** How the bench sends: 'udp' (UDP sockets, sendmmsg), 'raw' (AF_PACKET frames with
 *  PACKET_QDISC_BYPASS: GENERATOR_RAW_C) or 'span' (the same frames to a MAC address that
 *  is not the receiver's: what a mirror port delivers, dropped by the receiving stack at
 *  layer 2, so the receiving side costs the capturers' packet sockets and little else). */
const GEN_KIND: 'udp' | 'raw' | 'span' = process.env.LIVE_BENCH_GEN === 'raw' ? 'raw' : process.env.LIVE_BENCH_GEN === 'span' ? 'span' : 'udp';
/** The destination of 'span' frames: locally administered, nobody's. */
const SPAN_MAC = '02:00:5e:00:53:01';

/** The generator's command line for `count` datagrams at `rate` (0: as fast as it can). */
interface Generator { argv(pair: NetnsPair, count: number, rate: number): string[] }

function macOf(ns: string, dev: string): string {
  const r = spawnSync('ip', ['-n', ns, '-j', 'link', 'show', 'dev', dev], { encoding: 'utf8' });
  return (JSON.parse(r.stdout) as Array<{ address: string }>)[0].address;
}

function makeGenerator(dir: string): Generator {
  if (GEN_KIND === 'udp') {
    const bin = compileGenerator(dir);
    return { argv: (p, count, rate) => [bin, p.ipB, String(PORT), String(count), String(rate), String(PAYLOAD), String(FLOWS)] };
  }
  const src = join(dir, 'gen-raw.c');
  const bin = join(dir, 'gen-raw');
  writeFileSync(src, GENERATOR_RAW_C);
  const r = spawnSync('gcc', ['-O2', '-o', bin, src], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot compile the raw generator: ${r.stderr}`);
  const macs = new Map<string, [string, string]>();
  return {
    argv: (p, count, rate) => {
      if (!macs.has(p.a)) macs.set(p.a, [macOf(p.a, p.ifA), macOf(p.b, p.ifB)]);
      const [src, peer] = macs.get(p.a)!;
      const dst = GEN_KIND === 'span' ? SPAN_MAC : peer;
      return [bin, p.ifA, src, dst, p.ipA, p.ipB, String(PORT), String(count), String(rate), String(PAYLOAD), String(FLOWS)];
    },
  };
}

function compileGenerator(dir: string): string {
  const src = join(dir, 'gen.c');
  const bin = join(dir, 'gen');
  writeFileSync(src, GENERATOR_C);
  const r = spawnSync('gcc', ['-O2', '-o', bin, src], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot compile the generator: ${r.stderr}`);
  return bin;
}

// ------------------------------------------------------------------ parent

interface Row {
  rate: string; contender: string; sent: number; captured: number; received: number | null;
  droppedKernel: number | null; droppedRing: number; cpuNs: number; nsPerPkt: number; genPps: number;
  /** 1-minute load average when the traffic started. */
  load: number;
}

/** CPU time of each thread of `pid` in ns (the scheduler's own account, not ticks). */
function cpuNsOf(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const m = /se\.sum_exec_runtime\s*:\s*([\d.]+)/.exec(readFileSync(`/proc/${pid}/task/${tid}/sched`, 'utf8'));
      if (m) out.set(tid, Number(m[1]) * 1e6);
    } catch { /* thread ended meanwhile */ }
  }
  return out;
}

/** CPU spent between two samples by every thread in either (a thread that ended in
 *  between counts up to the first sample only: sniff.js -w lets its idle worker go). */
function cpuNsBetween(a: Map<string, number>, b: Map<string, number>): number {
  let total = 0;
  for (const [tid, ns] of b) total += ns - (a.get(tid) ?? 0);
  return total;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(pred: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Who captures: a child of this file around the bare source ('child'), or a whole
 *  program (sniff.js, tcpdump) that reports through its exit statistics on stderr. */
interface Contender {
  /** Short key for LIVE_BENCH_ONLY. */
  key: string;
  name: string;
  /** The tcpdump row this one is compared with (its key), or null. */
  vs: string | null;
  /** argv, given the capturing interface and the pair (the IPFIX row exports to the peer). */
  cmd(iface: string, pair: NetnsPair): string[];
  whole: boolean;
  tcpdump: boolean;
  /** Extra environment (sniff.js's measurement switches). */
  env?: Record<string, string>;
}

/** sniff.js to run (LIVE_BENCH_SNIFF: another checkout's, for a before/after). */
const SNIFF = process.env.LIVE_BENCH_SNIFF ?? fileURLToPath(new URL('../host/sniff.js', import.meta.url));
/** Extra sniff.js arguments for a probe (e.g. "-B 4096"), split on spaces. */
const SNIFF_EXTRA = (process.env.LIVE_BENCH_SNIFF_ARGS ?? '').split(' ').filter((x) => x !== '');
const child = (key: string, name: string, mode: string): Contender => ({
  key, name, vs: 'td-w', whole: false, tcpdump: false, cmd: (i) => [process.execPath, SELF, '--capture', mode, i, FILTER],
});
const tcpdump = (key: string, name: string, args: string[], filter = true): Contender => ({
  key, name, vs: null, whole: true, tcpdump: true, cmd: (i) => ['tcpdump', '-i', i, ...args, ...(filter ? [FILTER] : [])],
});
const sniff = (key: string, name: string, vs: string, args: string[] | ((pair: NetnsPair) => string[]), filter = true, env?: Record<string, string>): Contender => ({
  key, name, vs, whole: true, tcpdump: false, env,
  cmd: (i, pair) => [process.execPath, SNIFF, '-i', i, ...SNIFF_EXTRA, ...(typeof args === 'function' ? args(pair) : args), ...(filter ? [FILTER] : [])],
});
/** The --prefixes row's table: 4,096 /24s around the bench's addresses plus the /15 that
 *  holds them, so every packet takes a real longest-prefix walk (written by main()). */
const PREFIX_FILE = join(tmpdir(), `pktwasm-live-prefixes-${process.pid}.txt`);
function writePrefixFile(): void {
  const lines = ['198.18.0.0/15 bench'];
  for (let i = 0; i < 4096; i++) lines.push(`${10 + (i >> 8)}.${i & 255}.0.0/24`);
  writeFileSync(PREFIX_FILE, `${lines.join('\n')}\n`);
}
/** Every contender, in the order a round runs them (each sniff.js row beside its tcpdump row). */
const CONTENDERS: Contender[] = [
  child('addon', 'pktwasm addon', 'pcap'),
  child('addon-loop', 'pktwasm addon, loop', 'pcap-loop'),
  child('cap', 'pktwasm cap', 'cap'),
  tcpdump('td-w', 'tcpdump -w /dev/null', ['-n', '-w', '/dev/null']),
  sniff('sn-w', 'sniff.js -w /dev/null', 'td-w', ['-n', '-w', '/dev/null']),
  // The same through the frame ring and the consumer worker (PKTWASM_NO_DIRECT), and that
  // path with the event-loop driver of before (PKTWASM_LIVE_DRIVER=loop).
  sniff('sn-w-ring', 'sniff.js -w /dev/null, ring + worker', 'td-w', ['-n', '-w', '/dev/null'], true, { PKTWASM_NO_DIRECT: '1' }),
  sniff('sn-w-loop', 'sniff.js -w /dev/null, ring + worker, loop driver', 'td-w', ['-n', '-w', '/dev/null'], true, { PKTWASM_NO_DIRECT: '1', PKTWASM_LIVE_DRIVER: 'loop' }),
  tcpdump('td-w-all', 'tcpdump -w /dev/null, no filter', ['-n', '-w', '/dev/null'], false),
  sniff('sn-w-all', 'sniff.js -w /dev/null, no filter', 'td-w-all', ['-n', '-w', '/dev/null'], false),
  tcpdump('td-nn', 'tcpdump -nn > /dev/null', ['-nn']),
  sniff('sn-nn', 'sniff.js -nn > /dev/null', 'td-nn', ['-nn']),
  sniff('sn-nn-loop', 'sniff.js -nn > /dev/null, loop driver', 'td-nn', ['-nn'], true, { PKTWASM_LIVE_DRIVER: 'loop' }),
  sniff('sn-json', 'sniff.js --json > /dev/null', 'td-nn', ['--json']),
  sniff('sn-flows', 'sniff.js --flows', 'td-w', ['--flows']),
  sniff('sn-prefixes', 'sniff.js --prefixes', 'td-w', ['--prefixes', PREFIX_FILE]),
  // Records go to the generator's side, where no collector listens: the kernel's port
  // unreachable answers cost the exporter nothing, and the export work is all done.
  sniff('sn-ipfix', 'sniff.js --ipfix', 'td-w', (pair) => ['--ipfix', `${pair.ipA}:4739`]),
  sniff('sn-w2', 'sniff.js --workers 2 -w /dev/null', 'td-w', ['--workers', '2', '-n', '-w', '/dev/null']),
  // N engine workers (pipeline/engine-workers.ts): N fanout sockets, rings and consumers.
  sniff('sn-nn-w2', 'sniff.js --workers 2 -nn > /dev/null', 'td-nn', ['--workers', '2', '-nn']),
  sniff('sn-json-w2', 'sniff.js --workers 2 --json > /dev/null', 'td-nn', ['--workers', '2', '--json']),
  sniff('sn-flows-w2', 'sniff.js --workers 2 --flows', 'td-w', ['--workers', '2', '--flows']),
];

/** The system's 1-minute load average now (the machine is shared: every figure carries it). */
function loadAvg(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

async function runOne(pair: NetnsPair, gen: Generator, contender: Contender, count: number, rate: number): Promise<Row> {
  const cmd = contender.cmd(pair.ifB, pair);
  // Capturer on CPU 1, generator (and the veth softirq it runs) on CPU 0. A whole
  // program's packet output goes to /dev/null, as a user's redirect would send it.
  const devNull = contender.whole ? openSync('/dev/null', 'w') : null;
  const child: ChildProcess = spawn('taskset', ['-c', '1', 'ip', 'netns', 'exec', pair.b, ...cmd], { stdio: ['pipe', devNull ?? 'pipe', 'pipe'], env: { ...process.env, ...contender.env } });
  if (devNull !== null) closeSync(devNull);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const exited = once(child, 'exit');
  try {
    await waitFor(() => out.includes('ready') || err.includes('listening on') || child.exitCode !== null, `${contender.name} to start`);
    if (child.exitCode !== null) throw new Error(`${contender.name} exited: ${err}`);
    await sleep(200);
    const load = loadAvg();
    const cpu0 = cpuNsOf(child.pid!);
    const g = spawnSync('taskset', ['-c', '0', 'ip', 'netns', 'exec', pair.a, ...gen.argv(pair, count, rate)], { encoding: 'utf8', timeout: 120_000 });
    if (g.status !== 0) throw new Error(`generator failed: ${g.stderr}`);
    const [sent, elapsedNs] = g.stdout.trim().split(' ').map(Number);
    // Longer than the 1 s buffer timeout both libpcap users run with, so every block is
    // handed over before the CPU reading and the stop.
    await sleep(1500);
    const cpuNs = cpuNsBetween(cpu0, cpuNsOf(child.pid!));
    let row: Row;
    if (contender.whole) {
      child.kill('SIGINT');
      await exited;
      const num = (re: RegExp): number => Number(re.exec(err)?.[1] ?? NaN);
      // What reached the output (without a filter the veth adds a few packets of its own).
      const captured = num(/(\d+) packets? captured/);
      row = {
        rate: '', contender: contender.name, sent, captured, received: num(/(\d+) packets? received by filter/),
        droppedKernel: num(/(\d+) packets? dropped by kernel/), droppedRing: contender.tcpdump ? 0 : num(/(\d+) packets dropped by ring/),
        cpuNs, nsPerPkt: cpuNs / captured, genPps: sent / (elapsedNs / 1e9), load,
      };
    } else {
      child.stdin!.write('stop\n');
      await exited;
      const rep = JSON.parse(out.trim().split('\n').pop()!) as ChildReport;
      if (rep.consumed !== rep.stats.captured - rep.stats.droppedRing) throw new Error(`${contender.name}: consumer saw ${rep.consumed} of ${rep.stats.captured - rep.stats.droppedRing}`);
      row = {
        rate: '', contender: contender.name, sent, captured: rep.consumed, received: rep.stats.received, droppedKernel: rep.stats.droppedKernel,
        droppedRing: rep.stats.droppedRing, cpuNs, nsPerPkt: cpuNs / rep.consumed, genPps: sent / (elapsedNs / 1e9), load,
      };
    }
    row.rate = rate > 0 ? `${Math.round(rate / 1000)} kpps` : 'max';
    if (process.env.LIVE_BENCH_VERBOSE) console.log(JSON.stringify(row));
    return row;
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

function fmt(n: number | null, digits = 0): string {
  if (n === null) return 'unknown';
  if (Number.isNaN(n)) return 'n/a';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** One row per (rate, contender): counts summed over the rounds, rates, CPU and load medians. */
function aggregate(runs: Row[]): Row[] {
  const out: Row[] = [];
  for (const r of runs) {
    if (out.some((o) => o.rate === r.rate && o.contender === r.contender)) continue;
    const same = runs.filter((x) => x.rate === r.rate && x.contender === r.contender);
    const sumOrNull = (f: (x: Row) => number | null): number | null => (same.some((x) => f(x) === null) ? null : same.reduce((a, x) => a + (f(x) ?? 0), 0));
    out.push({
      rate: r.rate, contender: r.contender, sent: same.reduce((a, x) => a + x.sent, 0), captured: same.reduce((a, x) => a + x.captured, 0),
      received: sumOrNull((x) => x.received), droppedKernel: sumOrNull((x) => x.droppedKernel), droppedRing: same.reduce((a, x) => a + x.droppedRing, 0),
      cpuNs: median(same.map((x) => x.cpuNs)), nsPerPkt: median(same.map((x) => x.nsPerPkt)), genPps: median(same.map((x) => x.genPps)),
      load: median(same.map((x) => x.load)),
    });
  }
  return out;
}

/** Packets sent that the contender did not deliver to its output (kernel drops, ring
 *  drops, anything else): every datagram of the generator passes the filter, and
 *  `captured` counts what reached the consumer. */
function lost(r: Row): number {
  return Math.max(r.sent - r.captured, 0);
}

function tcpdumpRowFor(rows: Row[], r: Row): Row | undefined {
  const c = CONTENDERS.find((x) => x.name === r.contender);
  const vs = c?.vs === null || c === undefined ? undefined : CONTENDERS.find((x) => x.key === c.vs);
  return vs === undefined ? undefined : rows.find((x) => x.rate === r.rate && x.contender === vs.name);
}

function printTable(rows: Row[]): void {
  const head = ['rate', 'contender', 'gen pps', 'sent', 'captured', 'kernel drops', 'ring drops', 'lost', 'CPU ns/pkt', 'vs tcpdump', 'load'];
  const body = rows.map((r) => {
    const td = tcpdumpRowFor(rows, r);
    return [r.rate, r.contender, fmt(r.genPps), fmt(r.sent), fmt(r.captured), fmt(r.droppedKernel), fmt(r.droppedRing), fmt(lost(r)),
      fmt(r.nsPerPkt, 1), td ? `${fmt(r.nsPerPkt / td.nsPerPkt, 2)}x` : '', fmt(r.load, 2)];
  });
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(w[i])).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`);
  for (const b of body) console.log(line(b));
}

/** Issue #14's targets: no loss where tcpdump loses none; CPU <= 1.2x tcpdump's for -w,
 *  below tcpdump's for text. */
function verdicts(rows: Row[]): void {
  for (const ours of rows) {
    const td = tcpdumpRowFor(rows, ours);
    if (!td) continue;
    const drops = lost(ours);
    const tdDrops = lost(td);
    const dropOk = tdDrops > 0 || drops === 0;
    // Issue #14 sets a CPU target for -w (<= 1.2x tcpdump -w) and for text (below
    // tcpdump -nn); the summaries (--json, --flows, --prefixes, --ipfix) have the
    // no-loss target only, their CPU is quoted against tcpdump -w for scale.
    const limit = ours.contender.includes('-nn') ? 1 : ours.contender.includes('-w /dev/null') ? 1.2 : null;
    const ratio = `${fmt(ours.nsPerPkt, 1)} ns/pkt vs tcpdump ${fmt(td.nsPerPkt, 1)} (${fmt(ours.nsPerPkt / td.nsPerPkt, 2)}x`;
    const cpu = limit === null ? `${ratio}, no CPU target)` : `${ratio}, target <= ${limit}x) -> ${ours.nsPerPkt <= limit * td.nsPerPkt ? 'MET' : 'MISSED'}`;
    console.log(`${ours.rate}, ${ours.contender}: lost ${drops} (tcpdump ${tdDrops}) -> ${dropOk ? 'MET' : 'MISSED'}; CPU ${cpu}`);
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) { console.log('SKIP live bench: needs root (namespaces, packet sockets)'); return; }
  for (const tool of ['gcc', 'tcpdump', 'taskset']) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).error) { console.log(`SKIP live bench: ${tool} not found`); return; }
  }
  const haveAddon = loadPcapAddon() !== null;
  if (!haveAddon) console.log(`NOTE live bench: ${pcapAddonError()}; the addon rows are left out`);
  const count = Number(process.env.LIVE_BENCH_COUNT ?? 1_000_000);
  const rates = (process.env.LIVE_BENCH_RATES ?? `0,${process.env.LIVE_BENCH_RATE ?? 50_000}`).split(',').map(Number);
  const rounds = Number(process.env.LIVE_BENCH_ROUNDS ?? 3);
  // LIVE_BENCH_ONLY=td-w,sn-w: a short probe of a few rows (keys in CONTENDERS).
  const only = process.env.LIVE_BENCH_ONLY?.split(',');
  const contenders = CONTENDERS.filter((c) => (only === undefined ? true : only.includes(c.key)) && (haveAddon || !c.key.startsWith('addon')));
  const dir = mkdtempSync(join(tmpdir(), 'pktwasm-live-'));
  writePrefixFile();
  const pair = createNetnsPair('bl');
  try {
    const gen = makeGenerator(dir);
    // Resolve the peer's MAC once so no ARP round trip lands in the first measurement.
    spawnSync('ip', ['netns', 'exec', pair.a, ...gen.argv(pair, 10, 0)]);
    const runs: Row[] = [];
    console.log(`live capture on a veth pair between namespaces (${pair.ifA} -> ${pair.ifB}), filter "${FILTER}", ${PAYLOAD + 42}-byte frames over ${FLOWS} conversations, ${GEN_KIND === 'udp' ? 'UDP socket' : `AF_PACKET + PACKET_QDISC_BYPASS${GEN_KIND === 'span' ? ' (to a foreign MAC, as a mirror port)' : ''}`} generator;`);
    console.log(`generator pinned to CPU 0, capturer to CPU 1; ${rounds} alternating rounds; CPU = all threads of the capturing process;`);
    console.log(`lost = sent - captured (by the consumer); load = 1-minute load average at the start of the traffic (median)${SNIFF_EXTRA.length ? `; sniff.js extra: ${SNIFF_EXTRA.join(' ')}` : ''}`);
    for (const rate of rates) {
      const n = rate > 0 ? Math.min(count, Math.round(rate * 4)) : count; // paced runs: about 4 s
      for (let round = 0; round < rounds; round++) {
        for (const c of contenders) runs.push(await runOne(pair, gen, c, n, rate));
      }
    }
    const rows = aggregate(runs);
    printTable(rows);
    verdicts(rows);
  } finally {
    destroyNetnsPair(pair);
    rmSync(dir, { recursive: true, force: true });
    rmSync(PREFIX_FILE, { force: true });
  }
}

/** Resident set of `pid` in KiB (VmRSS). */
function rssKiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
}

/**
 * `--soak`: sniff.js --flows on the veth pair for LIVE_BENCH_SOAK_S seconds (default 600)
 * at a steady LIVE_BENCH_SOAK_RATE (default 50,000 packets/s) over LIVE_BENCH_FLOWS
 * conversations. RSS is sampled every LIVE_BENCH_SOAK_EVERY_S seconds (default 60) and must
 * end where it started (within 10% + 8 MiB: the ring and the flow table are fixed-size);
 * at the end the counters must balance: taken from the ring + ring drops + kernel drops =
 * received by the filter.
 */
async function soak(): Promise<void> {
  if (process.getuid?.() !== 0) { console.log('SKIP live soak: needs root'); return; }
  const secs = Number(process.env.LIVE_BENCH_SOAK_S ?? 600);
  const rate = Number(process.env.LIVE_BENCH_SOAK_RATE ?? 50_000);
  const every = Number(process.env.LIVE_BENCH_SOAK_EVERY_S ?? 60);
  const dir = mkdtempSync(join(tmpdir(), 'pktwasm-soak-'));
  const pair = createNetnsPair('bs');
  try {
    const gen = makeGenerator(dir);
    spawnSync('ip', ['netns', 'exec', pair.a, ...gen.argv(pair, 10, 0)]);
    const devNull = openSync('/dev/null', 'w');
    const child = spawn('ip', ['netns', 'exec', pair.b, process.execPath, SNIFF, '-i', pair.ifB, ...SNIFF_EXTRA, '--flows', FILTER], { stdio: ['ignore', devNull, 'pipe'] });
    closeSync(devNull);
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
    const exited = once(child, 'exit');
    await waitFor(() => err.includes('listening on') || child.exitCode !== null, 'sniff.js to start');
    // The node process is the child of `ip netns exec` (which execs: same pid).
    const pid = child.pid!;
    const g = spawn('ip', ['netns', 'exec', pair.a, ...gen.argv(pair, Math.round(rate * secs), rate)], { stdio: 'ignore' });
    const genDone = once(g, 'exit');
    await sleep(5000);
    const samples: Array<[number, number]> = [[5, rssKiB(pid)]];
    console.log(`soak: sniff.js${SNIFF_EXTRA.length ? ` ${SNIFF_EXTRA.join(' ')}` : ''} --flows, ${rate} packets/s over ${FLOWS} conversations (${GEN_KIND} generator) for ${secs} s; load ${loadAvg()}`);
    console.log(`  t=5 s RSS ${samples[0][1]} KiB`);
    for (let t = every; t < secs; t += every) {
      await Promise.race([sleep(every * 1000), genDone]);
      if (g.exitCode !== null) break;
      samples.push([t, rssKiB(pid)]);
      console.log(`  t=${t} s RSS ${samples[samples.length - 1][1]} KiB, load ${loadAvg()}`);
    }
    await genDone;
    await sleep(1500);
    samples.push([secs, rssKiB(pid)]);
    child.kill('SIGINT');
    await exited;
    const num = (re: RegExp): number => Number(re.exec(err)?.[1] ?? NaN);
    const received = num(/(\d+) packets? received by filter/);
    const kernel = num(/(\d+) packets? dropped by kernel/);
    const taken = num(/(\d+) packets? taken from the ring/);
    const ring = num(/(\d+) packets dropped by ring/);
    const [start, end] = [samples[0][1], samples[samples.length - 1][1]];
    const flat = end <= start * 1.1 + 8192;
    const balanced = taken + ring + kernel === received;
    console.log(`  end RSS ${end} KiB (start ${start}): ${flat ? 'flat' : 'GREW'}`);
    console.log(`  received ${received} = taken ${taken} + ring drops ${ring} + kernel drops ${kernel}: ${balanced ? 'balanced' : 'UNBALANCED'}`);
    console.log(`soak ${flat && balanced ? 'MET' : 'MISSED'}`);
  } finally {
    destroyNetnsPair(pair);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--capture') {
  await captureChild(process.argv[3] as 'pcap' | 'pcap-loop' | 'cap', process.argv[4], process.argv.slice(5).join(' '));
} else if (process.argv[2] === '--soak') {
  await soak();
} else {
  await main();
}
