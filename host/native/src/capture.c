/* The capture thread: pcap_dispatch(-1) drains every block libpcap has ready, the callback
 * copies each packet straight into the next free ring slot, and the new head is published
 * with one release store per batch. JS is called (through the thread-safe function) only
 * when the consumer said it is waiting, and at most once per batch. */
#include "capture.h"
#include "prefault.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* How long a full ring may hold up the event-loop driver per dispatch (see make_room). */
#define FULL_GRACE_US 2000
/* How often the capture thread looks for room in a full ring (see make_room). */
#define FULL_POLL_US 100
/* Slots written ahead of time by prefetch (see on_packet). */
#define PREFETCH_AHEAD 4
/* Direct file mode's buffer: one write() per this many bytes of records. Small enough to
 * stay in the L2 cache between fills, large enough that the syscall is noise (~2,000
 * records of 106 bytes per write). */
#define DUMP_BUF_BYTES (256u << 10)
#define PCAP_RECORD_HDR 16

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define LOAD_ACQ(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE_REL(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

static inline uint32_t *ring_u32(const pw_capture *c, uint32_t off) {
  return (uint32_t *)(void *)(c->ring + off);
}

/* The slots of a large ring span thousands of 4 KiB pages, walked in order by two
 * threads: TLB misses on both sides. Ask for transparent huge pages on the 2 MiB-aligned
 * part of the slot area (a hint: ignored where THP is off), and collapse the pages the
 * arena already touched now rather than whenever khugepaged gets to them. */
static void hint_huge_pages(uint8_t *start, size_t len) {
  const uintptr_t huge = 2u << 20;
  uintptr_t lo = ((uintptr_t)start + huge - 1) & ~(huge - 1);
  uintptr_t hi = ((uintptr_t)start + len) & ~(huge - 1);
  if (hi <= lo) return;
  if (madvise((void *)lo, hi - lo, MADV_HUGEPAGE) == 0) madvise((void *)lo, hi - lo, MADV_COLLAPSE);
}

/* The slot area's pages are made present before the capture is announced (pw_populate;
 * elsewhere they fault in on first use, as before). Untouched WASM memory is mapped
 * lazily: the first pass of the capture thread round the ring took a page fault and a
 * page (or huge page) zeroing per slot, inside the capture, at the moment a burst starts:
 * at 30 kpps with --flows, clear_page was a quarter of the process's samples (perf). */

const char *pw_ring_attach(pw_capture *c, uint8_t *mem, size_t mem_len, uint32_t ring, uint16_t iface) {
  if ((ring & 63u) != 0 || (size_t)ring + RING_HDR_SIZE > mem_len) return "ring address is not a 64-byte aligned header inside the memory";
  uint8_t *r = mem + ring;
  uint32_t count = *(uint32_t *)(void *)(r + RING_SLOT_COUNT);
  uint32_t size = *(uint32_t *)(void *)(r + RING_SLOT_SIZE);
  uint32_t slots = *(uint32_t *)(void *)(r + RING_SLOTS);
  uint32_t mask = *(uint32_t *)(void *)(r + RING_MASK);
  if (count == 0 || (count & (count - 1)) != 0 || mask != count - 1) return "ring slot count is not a power of two (is the ring initialised?)";
  if (size < 64 || (size & 63u) != 0) return "ring slot size is not a multiple of 64";
  if ((slots & 63u) != 0 || (uint64_t)slots + (uint64_t)count * size > mem_len) return "ring slots lie outside the memory";
  c->mem = mem;
  c->ring = r;
  c->slots = mem + slots;
  c->slot_count = count;
  c->slot_size = size;
  c->mask = mask;
  c->iface = iface;
  hint_huge_pages(c->slots, (size_t)count * size);
  (void)pw_populate(c->slots, (size_t)count * size);
  /* Resume from wherever the ring is: a ring may be handed from one source to the next. */
  c->local_head = LOAD_ACQ(ring_u32(c, RING_HEAD));
  c->published = c->local_head;
  c->woken = c->local_head;
  c->cached_tail = LOAD_ACQ(ring_u32(c, RING_TAIL));
  c->ring_drops = (uint64_t)*ring_u32(c, RING_DROPS) | ((uint64_t)*ring_u32(c, RING_DROPS_HI) << 32);
  return NULL;
}

/* Stores the new head and, when `wake` is set and the consumer sleeps, queues one
 * wake-up. Interim publishes inside a long dispatch do not wake: a polling consumer (or
 * one that is already awake) sees them at once, a sleeping one is woken when the dispatch
 * ends, a block later at most. That keeps wake-ups, and the context switches they cost,
 * near one per TPACKET_V3 block instead of one per BATCH_MAX packets. */
static void futex_wake_head(pw_capture *c) {
  syscall(SYS_futex, ring_u32(c, RING_HEAD), FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static void publish(pw_capture *c, int wake) {
  if (c->ring == NULL) return; /* direct file mode: no ring */
  if (c->local_head != c->published) {
    STORE_REL(ring_u32(c, RING_HEAD), c->local_head);
    c->published = c->local_head;
  }
  if (!wake || c->woken == c->published) return;
  /* Dekker pairing with the consumer (store WAITING=1, then load head): both sides use
   * sequentially consistent order, so either it sees our head or we see its flag. */
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  int32_t waiting = __atomic_load_n((int32_t *)(void *)(c->ring + RING_WAITING), __ATOMIC_SEQ_CST);
  if (waiting == 0) return;
  c->woken = c->published;
  __atomic_add_fetch(&c->batches, 1, __ATOMIC_RELAXED);
  /* A consumer asleep on the head word in the kernel: wake it from here, no JS hop. */
  if (waiting == WAIT_FUTEX) futex_wake_head(c);
  else c->notify(c, EV_BATCH);
}

/* Thread driver: queue one call of the JS callback, unless one is queued already. */
static void tsfn_notify(pw_capture *c, int ev) {
  if (ev == EV_BATCH && __atomic_exchange_n(&c->wake_pending, 1, __ATOMIC_SEQ_CST) != 0) return;
  napi_status st = napi_call_threadsafe_function(c->tsfn, (void *)(uintptr_t)ev, ev == EV_END ? napi_tsfn_blocking : napi_tsfn_nonblocking);
  if (st != napi_ok && ev == EV_BATCH) __atomic_store_n(&c->wake_pending, 0, __ATOMIC_SEQ_CST); /* closing: nobody to wake */
}

static void count_drop(pw_capture *c) {
  c->ring_drops++;
  __atomic_store_n(ring_u32(c, RING_DROPS_HI), (uint32_t)(c->ring_drops >> 32), __ATOMIC_RELAXED);
  __atomic_store_n(ring_u32(c, RING_DROPS), (uint32_t)c->ring_drops, __ATOMIC_RELAXED);
}

static uint64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int ring_full(pw_capture *c) {
  c->cached_tail = LOAD_ACQ(ring_u32(c, RING_TAIL));
  return c->local_head - c->cached_tail >= c->slot_count;
}

/* The ring is full. Publish and wake the consumer, then:
 * - thread driver: wait for room (backpressure), polling every FULL_POLL_US. Packets meanwhile
 *   stay in libpcap's kernel buffer, so the ring and the kernel buffer (-B) add up: a
 *   consumer that falls behind for a while loses nothing until both are full, and what is
 *   lost then is counted by the kernel (ps_drop). Dropping here instead would empty the
 *   kernel buffer into ring drops and leave its capacity unused (bench/live, issue #14).
 *   After a stop request (close, a consumer that stopped reading) it gives the consumer the
 *   same bounded grace as the event-loop driver, then drops: it never hangs.
 * - event-loop driver: the JS thread must not stall, so a short bounded grace (the consumer
 *   may share the CPU), then drop, and keep dropping without waiting until the next dispatch. */
static int make_room(pw_capture *c) {
  publish(c, 1);
  if (!ring_full(c)) return 1;
  if (!c->loop_mode) {
    /* After a stop request, the bounded grace below (a consumer may still be reading). */
    while (!__atomic_load_n(&c->stop_req, __ATOMIC_ACQUIRE)) {
      struct timespec pause = {0, FULL_POLL_US * 1000};
      nanosleep(&pause, NULL);
      if (!ring_full(c)) return 1;
    }
  }
  if (c->overrun) return 0;
  uint64_t deadline = now_us() + FULL_GRACE_US;
  do {
    struct timespec pause = {0, 20 * 1000};
    nanosleep(&pause, NULL);
    if (!ring_full(c)) return 1;
  } while (now_us() < deadline);
  c->overrun = 1;
  return 0;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes) {
  pw_capture *c = (pw_capture *)(void *)user;
  __atomic_store_n(&c->captured, c->captured + 1, __ATOMIC_RELAXED); /* single writer */
  if (c->local_head - c->cached_tail >= c->slot_count && ring_full(c) && !make_room(c)) {
    count_drop(c);
    return;
  }
  uint8_t *s = c->slots + (size_t)(c->local_head & c->mask) * c->slot_size;
  uint32_t room = c->slot_size - SLOT_HDR_SIZE;
  uint32_t caplen = h->caplen < room ? h->caplen : room; /* keep the real wirelen */
  *(uint32_t *)(void *)(s + SLOT_CAPLEN) = caplen;
  *(uint32_t *)(void *)(s + SLOT_WIRELEN) = h->len;
  *(uint32_t *)(void *)(s + SLOT_TS_SEC) = (uint32_t)h->ts.tv_sec;
  *(uint32_t *)(void *)(s + SLOT_TS_NSEC) = c->nano ? (uint32_t)h->ts.tv_usec : (uint32_t)h->ts.tv_usec * 1000u;
  *(uint16_t *)(void *)(s + SLOT_LINKTYPE) = (uint16_t)c->linktype;
  *(uint16_t *)(void *)(s + SLOT_IFACE) = c->iface;
  *(uint32_t *)(void *)(s + SLOT_FLAGS) = 0;
  memcpy(s + SLOT_DATA, bytes, caplen);
  c->local_head++;
  /* The ring is larger than the caches: ask for a slot a few ahead now, so its lines are
   * owned by the time we write them (a sequential store stream the prefetcher may miss). */
  uint8_t *ahead = c->slots + (size_t)((c->local_head + PREFETCH_AHEAD) & c->mask) * c->slot_size;
  __builtin_prefetch(ahead, 1, 3);
  __builtin_prefetch(ahead + 64, 1, 3);
  __builtin_prefetch(ahead + 128, 1, 3);
  if (c->local_head - c->published >= BATCH_MAX) publish(c, 0);
}

static void put_le32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

/* Stops the capture thread after an error of its own (message in c->error). */
static void fail_stop(pw_capture *c) {
  __atomic_store_n(&c->failed, 1, __ATOMIC_RELEASE);
  __atomic_store_n(&c->drain_ms, 0, __ATOMIC_RELEASE);
  __atomic_store_n(&c->stop_req, 1, __ATOMIC_RELEASE);
  pcap_breakloop(c->p);
}

/* Writes the buffered records; whole records only ever reach the file, so it stays valid
 * wherever the capture stops. */
static void dump_flush(pw_capture *c) {
  size_t off = 0;
  while (off < c->dump_used) {
    ssize_t n = write(c->dump_fd, c->dump_buf + off, c->dump_used - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (!__atomic_load_n(&c->failed, __ATOMIC_ACQUIRE)) {
        snprintf(c->error, sizeof c->error, "cannot write the capture file: %s", n < 0 ? strerror(errno) : "no progress");
        fail_stop(c);
      }
      break;
    }
    off += (size_t)n;
  }
  c->dump_used = 0;
}

/* Direct file mode: the packet becomes a pcap record (libpcap already cut it to the
 * snapshot length) in the buffer; the file's header says the same byte order (little
 * endian) and timestamp precision. */
static void on_dump(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes) {
  pw_capture *c = (pw_capture *)(void *)user;
  __atomic_store_n(&c->captured, c->captured + 1, __ATOMIC_RELAXED); /* single writer */
  if (__atomic_load_n(&c->failed, __ATOMIC_RELAXED)) return;
  if (c->dump_limit != 0 && c->written >= c->dump_limit) return;
  uint32_t caplen = h->caplen;
  if (c->dump_used + PCAP_RECORD_HDR + caplen > DUMP_BUF_BYTES) dump_flush(c);
  uint8_t *r = c->dump_buf + c->dump_used;
  uint32_t frac = (uint32_t)h->ts.tv_usec; /* libpcap's unit: ns when c->nano, else us */
  if (c->nano && !c->dump_nano) frac /= 1000u;
  else if (!c->nano && c->dump_nano) frac *= 1000u;
  put_le32(r, (uint32_t)h->ts.tv_sec);
  put_le32(r + 4, frac);
  put_le32(r + 8, caplen);
  put_le32(r + 12, h->len);
  if (PCAP_RECORD_HDR + caplen <= DUMP_BUF_BYTES) {
    memcpy(r + PCAP_RECORD_HDR, bytes, caplen);
    c->dump_used += PCAP_RECORD_HDR + caplen;
  } else {
    /* Larger than the whole buffer (a snapshot length past 256 KiB): header, then bytes. */
    c->dump_used += PCAP_RECORD_HDR;
    dump_flush(c);
    size_t off = 0;
    while (off < caplen && !__atomic_load_n(&c->failed, __ATOMIC_RELAXED)) {
      ssize_t n = write(c->dump_fd, bytes + off, caplen - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        snprintf(c->error, sizeof c->error, "cannot write the capture file: %s", n < 0 ? strerror(errno) : "no progress");
        fail_stop(c);
        return;
      }
      off += (size_t)n;
    }
  }
  __atomic_store_n(&c->written, c->written + 1, __ATOMIC_RELAXED);
  __atomic_store_n(&c->wire_bytes, c->wire_bytes + h->len, __ATOMIC_RELAXED);
  if (c->dump_limit != 0 && c->written >= c->dump_limit) {
    /* -c reached: stop without draining (what follows would not be written anyway). */
    __atomic_store_n(&c->drain_ms, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&c->stop_req, 1, __ATOMIC_RELEASE);
    pcap_breakloop(c->p);
  }
}

static pcap_handler handler_of(const pw_capture *c) {
  return c->dump_buf != NULL ? on_dump : on_packet;
}

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* After stop: keep reading until every packet the kernel accepted (ps_recv) was either
 * handed to us or counted as a kernel drop, or the deadline passes. A TPACKET_V3 block is
 * only readable once the kernel retires it (at the buffer timeout), hence the wait. */
void pw_drain(pw_capture *c, int drain_ms) {
  char errbuf[PCAP_ERRBUF_SIZE];
  if (pcap_setnonblock(c->p, 1, errbuf) != 0) return;
  uint64_t deadline = now_ms() + (uint64_t)drain_ms;
  for (;;) {
    c->overrun = 0;
    int n = pcap_dispatch(c->p, -1, handler_of(c), (u_char *)c);
    publish(c, 1);
    if (n == PCAP_ERROR || __atomic_load_n(&c->failed, __ATOMIC_ACQUIRE)) return;
    if (c->dump_limit != 0 && c->written >= c->dump_limit) return;
    if (n > 0) continue;
    struct pcap_stat st;
    if (pw_capture_stats(c, &st) != 0) return;
    if (__atomic_load_n(&c->captured, __ATOMIC_RELAXED) + st.ps_drop >= st.ps_recv) return;
    if (now_ms() >= deadline) return;
    struct timespec pause = {0, 2 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
}

int pw_dispatch(pw_capture *c) {
  c->overrun = 0;
  int n = pcap_dispatch(c->p, -1, handler_of(c), (u_char *)c);
  publish(c, 1);
  if (n == PCAP_ERROR) {
    snprintf(c->error, sizeof c->error, "capture stopped: %s", pcap_geterr(c->p));
    __atomic_store_n(&c->failed, 1, __ATOMIC_RELEASE);
  }
  return n;
}

void pw_finish(pw_capture *c) {
  if (c->dump_buf != NULL) {
    dump_flush(c);
    c->notify(c, EV_END);
    return;
  }
  publish(c, 1);
  __atomic_or_fetch(ring_u32(c, RING_FLAGS), RF_CLOSED, __ATOMIC_SEQ_CST);
  /* A consumer asleep on the head word sees RF_CLOSED now, not at its timeout. */
  futex_wake_head(c);
  /* Always tell JS the producer ended: the consumer drains and stops, close() can join. */
  c->notify(c, EV_END);
}

static void *capture_main(void *arg) {
  pw_capture *c = (pw_capture *)arg;
  while (!__atomic_load_n(&c->stop_req, __ATOMIC_ACQUIRE)) {
    if (pw_dispatch(c) == PCAP_ERROR) break;
    /* PCAP_ERROR_BREAK: pcap_breakloop from stop(); the loop condition sees stop_req. */
  }
  int drain_ms = __atomic_load_n(&c->drain_ms, __ATOMIC_ACQUIRE);
  /* failed: a libpcap error, or a write error in direct file mode (fail_stop). */
  if (!__atomic_load_n(&c->failed, __ATOMIC_ACQUIRE) && drain_ms > 0) pw_drain(c, drain_ms);
  pw_finish(c);
  return NULL;
}

int pw_capture_start(pw_capture *c) {
  c->stop_req = 0;
  c->failed = 0;
  c->wake_pending = 0;
  c->error[0] = 0;
  c->notify = tsfn_notify;
  if (c->ring != NULL) __atomic_and_fetch(ring_u32(c, RING_FLAGS), ~RF_CLOSED, __ATOMIC_SEQ_CST);
  int rc = pthread_create(&c->thread, NULL, capture_main, c);
  if (rc == 0) c->running = 1;
  return rc;
}

void pw_capture_request_stop(pw_capture *c, int drain_ms) {
  __atomic_store_n(&c->drain_ms, drain_ms, __ATOMIC_RELEASE);
  __atomic_store_n(&c->stop_req, 1, __ATOMIC_RELEASE);
  pcap_breakloop(c->p); /* libpcap >= 1.10 also wakes its poll() through an eventfd */
}

void pw_capture_join(pw_capture *c) {
  if (!c->running) return;
  pthread_join(c->thread, NULL);
  c->running = 0;
}

int pw_capture_stats(pw_capture *c, struct pcap_stat *st) {
  pthread_mutex_lock(&c->stats_lock);
  int rc = pcap_stats(c->p, st);
  pthread_mutex_unlock(&c->stats_lock);
  return rc;
}

int pw_dump_start(pw_capture *c, int fd, int nano_file, uint64_t limit) {
  c->dump_buf = malloc(DUMP_BUF_BYTES);
  if (c->dump_buf == NULL) return ENOMEM;
  c->dump_fd = fd;
  c->dump_nano = nano_file;
  c->dump_used = 0;
  c->dump_limit = limit;
  c->ring = NULL;
  return pw_capture_start(c);
}

void pw_wait_ring(uint8_t *r, int timeout_ms) {
  uint32_t *head = (uint32_t *)(void *)(r + RING_HEAD);
  uint32_t *tail = (uint32_t *)(void *)(r + RING_TAIL);
  uint32_t *flags = (uint32_t *)(void *)(r + RING_FLAGS);
  int32_t *waiting = (int32_t *)(void *)(r + RING_WAITING);
  uint32_t seen = LOAD_ACQ(head);
  if (seen != LOAD_ACQ(tail) || (LOAD_ACQ(flags) & RF_CLOSED) != 0) return;
  /* Dekker pairing with publish(): announce, then look at the head again. */
  __atomic_store_n(waiting, WAIT_FUTEX, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(head, __ATOMIC_SEQ_CST) == seen && (__atomic_load_n(flags, __ATOMIC_SEQ_CST) & RF_CLOSED) == 0) {
    struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
    /* Returns at once if the head moved since `seen` (EAGAIN): no lost wake-up. */
    syscall(SYS_futex, head, FUTEX_WAIT_PRIVATE, seen, &ts, NULL, 0);
  }
  __atomic_store_n(waiting, 0, __ATOMIC_SEQ_CST);
}
