/* One libpcap handle and the capture thread that copies its packets into the frame ring
 * of assembly/layout.ts (RING_* / SLOT_*), in the shared WebAssembly memory. */
#ifndef PKTWASM_CAPTURE_H
#define PKTWASM_CAPTURE_H

#include <node_api.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdint.h>
#include <uv.h>

/* Ring header and slot header offsets (RING_*, SLOT_*, SF_*): generated from
 * assembly/layout.ts by npm run build:layout, as the host's copy is. */
#include "layout.h"

/* Events the capture thread sends to JS through the thread-safe function. */
#define EV_BATCH 1 /* new slots were published while the consumer was waiting */
#define EV_END 2   /* the thread has stopped (after stop(), or after an error: see error) */

/* RING_WAITING values: how a sleeping consumer wants to be woken. 1: it sleeps in V8's
 * Atomics.wait (or awaits Atomics.waitAsync), which only Atomics.notify on a JS thread
 * reaches: the capture thread queues EV_BATCH through the thread-safe function. 2: it
 * sleeps in the kernel on the RING_HEAD word itself (pw_wait_ring, FUTEX_WAIT): the
 * capture thread wakes it with FUTEX_WAKE, no JS thread involved. */
#define WAIT_JS 1
#define WAIT_FUTEX 2

/* Publish head at least every BATCH_MAX packets inside one pcap_dispatch, so a long
 * backlog (a full TPACKET_V3 ring holds thousands of frames) does not sit unpublished. */
#define BATCH_MAX 256

typedef struct pw_capture {
  pcap_t *p;
  int linktype; /* LINKTYPE_* of the handle (the pcap file value, not the DLT) */
  int nano;     /* 1 when libpcap delivers nanosecond timestamps */
  int snaplen;
  int timeout_ms;
  int injector; /* opened only to inject: no capture thread */

  /* Ring, resolved once at start. mem is the base of the shared memory (it never moves). */
  uint8_t *mem;
  uint8_t *ring;
  uint8_t *slots;
  uint32_t slot_count, slot_size, mask;
  uint16_t iface;
  uint32_t local_head; /* next slot to fill (producer-private) */
  uint32_t published;  /* last head value stored to RING_HEAD */
  uint32_t woken;      /* head value of the last wake-up queued */
  uint32_t cached_tail;
  uint64_t ring_drops;
  int overrun; /* the ring stayed full past the grace period in this dispatch */

  /* Counters read by the JS thread while the capture thread runs. */
  uint64_t captured; /* packets libpcap handed to us (atomic access) */
  uint64_t batches;  /* EV_BATCH calls made (atomic access) */

  /* Direct file mode (dump_fd >= 0): no ring; each packet becomes a pcap record in
   * dump_buf, written to dump_fd whenever it fills and at the end. */
  int dump_fd;
  int dump_nano;       /* the file's header says nanoseconds */
  uint8_t *dump_buf;
  size_t dump_used;
  uint64_t dump_limit; /* stop after this many records (0: no limit) */
  uint64_t written;    /* records put into the file (atomic access) */
  uint64_t wire_bytes; /* sum of the wire lengths of those records (atomic access) */

  pthread_t thread;
  int running;   /* thread started and not joined (JS thread only) */
  int stop_req;  /* atomic: ask the thread to leave its loop */
  int drain_ms;  /* atomic: how long the thread may keep draining after stop */
  int wake_pending; /* atomic: an EV_BATCH call is queued and not yet delivered */
  int failed;    /* atomic: the thread stopped on a libpcap error */
  char error[PCAP_ERRBUF_SIZE + 64];
  pthread_mutex_t stats_lock; /* pcap_stats accumulates into the handle: one caller at a time */

  /* How the consumer is told about a batch or the end (EV_*): through the thread-safe
   * function (thread driver) or by calling JS directly (event-loop driver). */
  void (*notify)(struct pw_capture *c, int ev);
  int loop_mode;     /* event-loop driver: libpcap is read on the JS thread (loop.c) */
  int loop_running;  /* uv_poll started and not finished (JS thread only) */
  int poll_inited;   /* the uv_poll handle exists and must be uv_close'd */
  int in_dispatch;   /* inside pcap_dispatch on the JS thread: stop() must defer */
  int closing;       /* close() is under way: a close() from the EV_END it causes returns */
  uv_poll_t poll;
  void (*poll_closed)(struct pw_capture *c); /* called once uv_close has finished */
  napi_ref cb_ref;
  napi_async_context async_ctx;

  napi_threadsafe_function tsfn;
  napi_ref mem_ref; /* keeps the memory's buffer alive while the thread writes into it */
  napi_env env;
  int refs; /* owners: the JS external + the tsfn while it exists (JS thread only) */
} pw_capture;

/* Checks the ring header at `ring` (inside [mem, mem+mem_len)) and records its geometry.
 * Returns NULL or a message saying what is wrong. */
const char *pw_ring_attach(pw_capture *c, uint8_t *mem, size_t mem_len, uint32_t ring, uint16_t iface);

/* One pcap_dispatch(-1) into the ring, then publish (and wake). Returns its result. */
int pw_dispatch(pw_capture *c);

/* Reads what the kernel still holds after a stop (see capture.c). */
void pw_drain(pw_capture *c, int drain_ms);

/* Publishes whatever is pending, sets RF_CLOSED, notifies EV_END. */
void pw_finish(pw_capture *c);

/* Starts the capture thread (c->tsfn must already exist). Returns 0 or an errno. */
int pw_capture_start(pw_capture *c);

/* Direct file mode: the capture thread writes pcap records to fd (whose file header the
 * caller wrote) instead of filling a ring. Returns 0, an errno, or ENOMEM. */
int pw_dump_start(pw_capture *c, int fd, int nano_file, uint64_t limit);

/* The consumer's side of WAIT_FUTEX: sleeps on RING_HEAD of the ring at `ring` until the
 * producer publishes or closes, or timeout_ms passes. Returns at once when data is there. */
void pw_wait_ring(uint8_t *ring, int timeout_ms);

/* Asks the thread to stop after draining for at most drain_ms; does not wait. */
void pw_capture_request_stop(pw_capture *c, int drain_ms);

/* Waits for the thread to end (after pw_capture_request_stop). */
void pw_capture_join(pw_capture *c);

/* pcap_stats under the lock. Returns 0 or -1 (message in pcap_geterr). */
int pw_capture_stats(pw_capture *c, struct pcap_stat *st);

/* Event-loop driver (loop.c): libpcap's fd in the JS thread's uv loop. */
const char *pw_loop_start(pw_capture *c, napi_env env);
void pw_loop_stop(pw_capture *c, int drain_ms);
void pw_loop_abort(pw_capture *c); /* stop polling, no drain, no JS call (finalizers) */
void pw_loop_close(pw_capture *c, void (*on_closed)(pw_capture *c));

#endif
