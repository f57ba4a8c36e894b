/* Event-loop driver: instead of a capture thread, libpcap's selectable fd is watched by
 * the JS thread's libuv loop (uv_poll). When a TPACKET_V3 block is ready the same
 * pcap_dispatch(-1) + ring copy runs on the JS thread, and the JS callback is called
 * directly (no thread-safe function hop). One wake-up per block in all, as tcpdump has,
 * instead of two (capture thread, then JS thread). Suits a JS thread that is otherwise
 * idle, e.g. the sniffer's main thread while workers dissect; a busy JS thread delays
 * reading and the kernel buffer absorbs (or drops) the difference. */
#include <stdio.h>
#include <string.h>

#include "capture.h"

static void loop_notify(pw_capture *c, int ev) {
  napi_env env = c->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, arg, result;
  if (napi_get_reference_value(env, c->cb_ref, &cb) == napi_ok && cb != NULL) {
    napi_get_global(env, &recv); /* make_callback wants an object as `this` */
    napi_create_int32(env, ev, &arg);
    /* make_callback, not call_function: promise jobs the callback queues (the end of a
     * capture resolves one) run when it returns, as for any I/O callback. */
    if (napi_make_callback(env, c->async_ctx, recv, cb, 1, &arg, &result) == napi_pending_exception) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void on_readable(uv_poll_t *h, int status, int events) {
  (void)events;
  pw_capture *c = (pw_capture *)h->data;
  if (!c->loop_running) return;
  if (status < 0) {
    snprintf(c->error, sizeof c->error, "capture stopped: poll failed: %s", uv_strerror(status));
    __atomic_store_n(&c->failed, 1, __ATOMIC_RELEASE);
    pw_loop_stop(c, 0);
    return;
  }
  c->in_dispatch = 1;
  int n = pw_dispatch(c);
  c->in_dispatch = 0;
  /* A stop() from inside the callback (the consumer's JS) was deferred to here. */
  if (n == PCAP_ERROR || c->stop_req) pw_loop_stop(c, n == PCAP_ERROR ? 0 : c->drain_ms);
}

const char *pw_loop_start(pw_capture *c, napi_env env) {
  char errbuf[PCAP_ERRBUF_SIZE];
  if (pcap_setnonblock(c->p, 1, errbuf) != 0) return "cannot make the capture non-blocking";
  int fd = pcap_get_selectable_fd(c->p);
  if (fd < 0) return "this capture has no selectable descriptor: use the thread driver";
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return "no event loop";
  if (uv_poll_init(loop, &c->poll, fd) != 0) return "uv_poll_init failed";
  c->poll.data = c;
  c->poll_inited = 1;
  c->refs++; /* the handle lives until uv_close's callback */
  c->notify = loop_notify;
  c->loop_mode = 1;
  c->stop_req = 0;
  c->failed = 0;
  c->error[0] = 0;
  __atomic_and_fetch((uint32_t *)(void *)(c->ring + RING_FLAGS), ~RF_CLOSED, __ATOMIC_SEQ_CST);
  c->loop_running = 1;
  uv_poll_start(&c->poll, UV_READABLE, on_readable);
  return NULL;
}

void pw_loop_stop(pw_capture *c, int drain_ms) {
  if (!c->loop_running) return;
  c->stop_req = 1;
  c->drain_ms = drain_ms;
  if (c->in_dispatch) {
    pcap_breakloop(c->p); /* on_readable finishes the stop when the dispatch returns */
    return;
  }
  c->loop_running = 0;
  uv_poll_stop(&c->poll);
  if (!c->failed && drain_ms > 0) pw_drain(c, drain_ms);
  pw_finish(c);
}

void pw_loop_abort(pw_capture *c) {
  if (!c->loop_running) return;
  c->loop_running = 0;
  uv_poll_stop(&c->poll);
}

static void on_poll_closed(uv_handle_t *h) {
  pw_capture *c = (pw_capture *)h->data;
  if (c->poll_closed) c->poll_closed(c);
}

void pw_loop_close(pw_capture *c, void (*on_closed)(pw_capture *c)) {
  if (!c->poll_inited) return;
  pw_loop_abort(c);
  c->poll_inited = 0;
  c->poll_closed = on_closed;
  uv_close((uv_handle_t *)&c->poll, on_poll_closed);
}
