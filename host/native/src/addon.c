/* N-API surface of the libpcap binding. host/native/pcap-binding.ts is the only caller and
 * documents each function; errors are thrown with a stable `code` (E_PERM, E_NO_IFACE,
 * E_FILTER_SYNTAX, E_IO, E_BAD_ARGUMENT) that the wrapper turns into PktError. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_packet.h>

#include "capture.h"
#include "prefault.h"

#define CHECK(call)                                              \
  do {                                                           \
    if ((call) != napi_ok) {                                     \
      napi_throw_error(env, "E_IO", "N-API call failed: " #call); \
      return NULL;                                               \
    }                                                            \
  } while (0)

static napi_value throw_code(napi_env env, const char *code, const char *msg) {
  napi_throw_error(env, code, msg);
  return NULL;
}

static napi_value make_u32(napi_env env, uint32_t v) {
  napi_value r;
  napi_create_uint32(env, v, &r);
  return r;
}

static napi_value make_f64(napi_env env, double v) {
  napi_value r;
  napi_create_double(env, v, &r);
  return r;
}

static napi_value make_str(napi_env env, const char *s) {
  napi_value r;
  napi_create_string_utf8(env, s ? s : "", NAPI_AUTO_LENGTH, &r);
  return r;
}

static void set_prop(napi_env env, napi_value obj, const char *name, napi_value v) {
  napi_set_named_property(env, obj, name, v);
}

static int get_i32(napi_env env, napi_value v, int32_t *out) {
  return napi_get_value_int32(env, v, out) == napi_ok;
}

/* ---- handle lifetime: freed when both the JS external and the tsfn are gone ---- */

static void capture_unref(pw_capture *c) {
  if (--c->refs > 0) return;
  if (c->p) pcap_close(c->p);
  pthread_mutex_destroy(&c->stats_lock);
  free(c->dump_buf);
  free(c);
}

static void env_cleanup(void *arg) {
  /* The environment is going away (process or worker exit) with the thread still
   * writing into its memory: stop it without draining and wait for it. */
  pw_capture *c = (pw_capture *)arg;
  if (c->running) {
    pw_capture_request_stop(c, 0);
    pw_capture_join(c);
  }
  pw_loop_abort(c);
}

/* Releases what start() took from JS: the callback, the async context, the memory. */
static void release_js(napi_env env, pw_capture *c) {
  if (c->cb_ref) {
    napi_delete_reference(env, c->cb_ref);
    c->cb_ref = NULL;
  }
  if (c->async_ctx) {
    napi_async_destroy(env, c->async_ctx);
    c->async_ctx = NULL;
  }
  if (c->mem_ref) {
    napi_delete_reference(env, c->mem_ref);
    c->mem_ref = NULL;
  }
}

static void external_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  pw_capture *c = (pw_capture *)data;
  if (c->running || c->loop_running) {
    pw_capture_request_stop(c, 0);
    pw_capture_join(c);
    pw_loop_abort(c);
    napi_remove_env_cleanup_hook(env, env_cleanup, c);
  }
  release_js(env, c);
  if (c->poll_inited) {
    pw_loop_close(c, capture_unref);
  }
  if (c->tsfn) {
    napi_release_threadsafe_function(c->tsfn, napi_tsfn_release);
    c->tsfn = NULL;
  }
  capture_unref(c);
}

static pw_capture *get_capture(napi_env env, napi_value v) {
  void *data = NULL;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external || napi_get_value_external(env, v, &data) != napi_ok || !data) {
    napi_throw_error(env, "E_BAD_ARGUMENT", "expected a pcap handle");
    return NULL;
  }
  pw_capture *c = (pw_capture *)data;
  if (!c->p) {
    napi_throw_error(env, "E_BAD_ARGUMENT", "the pcap handle is closed");
    return NULL;
  }
  return c;
}

/* The call's first n arguments (missing ones are undefined). With `name`, fewer than n is
 * an E_BAD_ARGUMENT naming the function; false when it threw. */
static bool get_args(napi_env env, napi_callback_info info, size_t n, napi_value *argv, const char *name) {
  size_t argc = n;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) {
    napi_throw_error(env, "E_IO", "N-API call failed: napi_get_cb_info");
    return false;
  }
  if (name && argc < n) {
    char msg[64];
    snprintf(msg, sizeof msg, "%s: expected %zu arguments", name, n);
    napi_throw_error(env, "E_BAD_ARGUMENT", msg);
    return false;
  }
  return true;
}

/* get_args, then the open capture handle in argv[0]; NULL when it threw. */
static pw_capture *capture_call(napi_env env, napi_callback_info info, size_t n, napi_value *argv, const char *name) {
  return get_args(env, info, n, argv, name) ? get_capture(env, argv[0]) : NULL;
}

/* The handle of a call whose one argument is a handle, open or closed (close and error
 * accept both); NULL when it threw. */
static pw_capture *any_capture_call(napi_env env, napi_callback_info info, const char *name) {
  napi_value argv[1];
  void *data = NULL;
  if (!get_args(env, info, 1, argv, NULL)) return NULL;
  if (napi_get_value_external(env, argv[0], &data) != napi_ok || !data) {
    char msg[64];
    snprintf(msg, sizeof msg, "%s: expected a pcap handle", name);
    napi_throw_error(env, "E_BAD_ARGUMENT", msg);
    return NULL;
  }
  return (pw_capture *)data;
}

/* The bytes of a Uint8Array over a whole shared memory, and its length; NULL when it threw.
 * Only SharedArrayBuffer memory: an ordinary ArrayBuffer can be detached (transferred,
 * structuredClone'd) while the capture thread writes into it, i.e. into freed memory.
 * A typed array's buffer is an ArrayBuffer or a SharedArrayBuffer, and
 * napi_is_arraybuffer is true for the first only. */
static uint8_t *shared_memory(napi_env env, napi_value v, size_t *length, const char *name) {
  const char *bad = NULL;
  bool is_ta = false, plain_ab = true;
  napi_typedarray_type tt;
  size_t offset;
  void *data = NULL;
  napi_value ab;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) bad = "must be a Uint8Array over the shared memory";
  else if (napi_get_typedarray_info(env, v, &tt, length, &data, &ab, &offset) != napi_ok || tt != napi_uint8_array || offset != 0 || data == NULL)
    bad = "must be a Uint8Array over the whole shared memory";
  else if (napi_is_arraybuffer(env, ab, &plain_ab) != napi_ok || plain_ab)
    bad = "must be backed by a SharedArrayBuffer (a shared WebAssembly.Memory), not an ArrayBuffer";
  if (!bad) return (uint8_t *)data;
  char msg[160];
  snprintf(msg, sizeof msg, "%s: memory %s", name, bad);
  napi_throw_error(env, "E_BAD_ARGUMENT", msg);
  return NULL;
}

/* ---- open ---- */

/* Link-layer header values differ between DLT_ (what pcap_datalink returns) and the
 * LINKTYPE_ of capture files for a few types; the slots carry the LINKTYPE_. */
static int dlt_to_linktype(int dlt) {
  switch (dlt) {
    case DLT_RAW: return LINKTYPE_RAW;
#ifdef DLT_LOOP
    case DLT_LOOP: return LINKTYPE_LOOP;
#endif
    default: return dlt;
  }
}

static const char *activate_code(int rc) {
  switch (rc) {
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED: return "E_PERM";
    case PCAP_ERROR_NO_SUCH_DEVICE:
    case PCAP_ERROR_IFACE_NOT_UP: return "E_NO_IFACE";
    default: return "E_IO";
  }
}

static napi_value fail_open(napi_env env, pw_capture *c, const char *code, const char *msg) {
  napi_throw_error(env, code, msg);
  if (c->p) pcap_close(c->p);
  pthread_mutex_destroy(&c->stats_lock);
  free(c);
  return NULL;
}

/* open(iface, snaplen, promisc, bufferSize, timeoutMs, immediate, direction, filter,
 *      nanosecond, injectOnly) -> handle */
static napi_value js_open(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  if (!get_args(env, info, 10, argv, "open")) return NULL;
  char iface[256], filter[8192];
  size_t len;
  if (napi_get_value_string_utf8(env, argv[0], iface, sizeof iface, &len) != napi_ok || len == 0)
    return throw_code(env, "E_BAD_ARGUMENT", "open: interface name must be a non-empty string");
  if (napi_get_value_string_utf8(env, argv[7], filter, sizeof filter, &len) != napi_ok || len >= sizeof filter - 1)
    return throw_code(env, "E_BAD_ARGUMENT", "open: filter must be a string shorter than 8 KiB");
  int32_t snaplen, promisc, bufsize, timeout, immediate, direction, nano, inject_only;
  if (!get_i32(env, argv[1], &snaplen) || !get_i32(env, argv[2], &promisc) || !get_i32(env, argv[3], &bufsize) ||
      !get_i32(env, argv[4], &timeout) || !get_i32(env, argv[5], &immediate) || !get_i32(env, argv[6], &direction) ||
      !get_i32(env, argv[8], &nano) || !get_i32(env, argv[9], &inject_only))
    return throw_code(env, "E_BAD_ARGUMENT", "open: numeric options must be integers");

  pw_capture *c = calloc(1, sizeof *c);
  if (!c) return throw_code(env, "E_IO", "open: out of memory");
  pthread_mutex_init(&c->stats_lock, NULL);
  c->injector = inject_only;
  c->timeout_ms = timeout;
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  char msg[PCAP_ERRBUF_SIZE + 512];
  c->p = pcap_create(iface, errbuf);
  if (!c->p) {
    snprintf(msg, sizeof msg, "cannot open %s: %s", iface, errbuf);
    return fail_open(env, c, "E_IO", msg);
  }
  pcap_set_snaplen(c->p, snaplen);
  pcap_set_promisc(c->p, promisc);
  if (bufsize > 0) pcap_set_buffer_size(c->p, bufsize);
  pcap_set_timeout(c->p, timeout);
  pcap_set_immediate_mode(c->p, immediate);
  /* Nanoseconds where the platform has them; otherwise libpcap keeps microseconds. */
  c->nano = nano && pcap_set_tstamp_precision(c->p, PCAP_TSTAMP_PRECISION_NANO) == 0;

  int rc = pcap_activate(c->p);
  if (rc < 0) {
    const char *code = activate_code(rc);
    const char *why = pcap_geterr(c->p);
    if (strcmp(code, "E_PERM") == 0) {
      snprintf(msg, sizeof msg,
               "no permission to capture on %s (%s): run as root with -Z user (root is dropped once the "
               "capture is open), or give CAP_NET_RAW,CAP_NET_ADMIN to a dedicated node copy executable only "
               "by a pcap group, or to a systemd unit (AmbientCapabilities=); never to the system node "
               "(every local user's scripts would get them; see SECURITY.md)",
               iface, why);
    } else if (rc == PCAP_ERROR_NO_SUCH_DEVICE) {
      snprintf(msg, sizeof msg, "no such interface: %s (%s)", iface, why);
    } else if (rc == PCAP_ERROR_IFACE_NOT_UP) {
      snprintf(msg, sizeof msg, "interface %s is not up (%s)", iface, why);
    } else {
      snprintf(msg, sizeof msg, "cannot activate capture on %s: %s (%s)", iface, pcap_statustostr(rc), why);
    }
    return fail_open(env, c, code, msg);
  }
  if (c->nano) c->nano = pcap_get_tstamp_precision(c->p) == PCAP_TSTAMP_PRECISION_NANO;
  c->linktype = dlt_to_linktype(pcap_datalink(c->p));
  c->snaplen = pcap_snapshot(c->p);

  if (direction != PCAP_D_INOUT && pcap_setdirection(c->p, (pcap_direction_t)direction) != 0) {
    snprintf(msg, sizeof msg, "cannot set capture direction on %s: %s", iface, pcap_geterr(c->p));
    return fail_open(env, c, "E_IO", msg);
  }
  struct bpf_program prog;
  if (inject_only) {
    /* An injector never reads: a reject-all socket filter keeps its receive ring empty. */
    struct bpf_insn reject = BPF_STMT(BPF_RET | BPF_K, 0);
    prog.bf_len = 1;
    prog.bf_insns = &reject;
    if (pcap_setfilter(c->p, &prog) != 0) {
      snprintf(msg, sizeof msg, "cannot set filter on %s: %s", iface, pcap_geterr(c->p));
      return fail_open(env, c, "E_IO", msg);
    }
  } else if (filter[0] != 0) {
    if (pcap_compile(c->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
      snprintf(msg, sizeof msg, "bad filter \"%.200s\": %s", filter, pcap_geterr(c->p));
      return fail_open(env, c, "E_FILTER_SYNTAX", msg);
    }
    int frc = pcap_setfilter(c->p, &prog);
    pcap_freecode(&prog);
    if (frc != 0) {
      snprintf(msg, sizeof msg, "cannot install filter \"%.200s\" on %s: %s", filter, iface, pcap_geterr(c->p));
      return fail_open(env, c, "E_IO", msg);
    }
  }
  c->refs = 1;
  c->env = env;
  napi_value ext;
  if (napi_create_external(env, c, external_finalize, NULL, &ext) != napi_ok) {
    return fail_open(env, c, "E_IO", "open: cannot create the handle");
  }
  return ext;
}

/* info(handle) -> { linktype, dlt, nanosecond, snaplen, warning } */
static napi_value js_info(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  pw_capture *c = capture_call(env, info, 1, argv, NULL);
  if (!c) return NULL;
  napi_value o, b;
  CHECK(napi_create_object(env, &o));
  set_prop(env, o, "linktype", make_u32(env, (uint32_t)c->linktype));
  set_prop(env, o, "dlt", make_u32(env, (uint32_t)pcap_datalink(c->p)));
  napi_get_boolean(env, c->nano != 0, &b);
  set_prop(env, o, "nanosecond", b);
  set_prop(env, o, "snaplen", make_u32(env, (uint32_t)c->snaplen));
  return o;
}

/* ---- start / stop / close ---- */

static void call_js(napi_env env, napi_value js_cb, void *context, void *data) {
  pw_capture *c = (pw_capture *)context;
  int ev = (int)(uintptr_t)data;
  if (ev == EV_BATCH) __atomic_store_n(&c->wake_pending, 0, __ATOMIC_SEQ_CST);
  if (env == NULL || js_cb == NULL) return; /* environment tearing down */
  napi_value undef, arg;
  napi_get_undefined(env, &undef);
  napi_create_int32(env, ev, &arg);
  napi_call_function(env, undef, js_cb, 1, &arg, NULL);
}

static void tsfn_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  capture_unref((pw_capture *)data);
}

/* Refuses a start on an inject-only handle and a second start; false when it threw. */
static bool startable(napi_env env, pw_capture *c, const char *name) {
  char msg[96];
  if (c->injector) snprintf(msg, sizeof msg, "%s: this handle was opened for injection only", name);
  else if (c->running || c->tsfn || c->poll_inited) snprintf(msg, sizeof msg, "%s: the capture was already started", name);
  else return true;
  napi_throw_error(env, "E_BAD_ARGUMENT", msg);
  return false;
}

/* The threadsafe function through which the capture thread calls onEvent; it holds a
 * reference to c until tsfn_finalize. False when it threw. */
static bool create_tsfn(napi_env env, napi_value on_event, const char *resource, pw_capture *c) {
  napi_value name;
  if (napi_create_string_utf8(env, resource, NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_threadsafe_function(env, on_event, NULL, name, 0, 1, c, tsfn_finalize, c, call_js, &c->tsfn) != napi_ok) {
    napi_throw_error(env, "E_IO", "N-API call failed: napi_create_threadsafe_function");
    return false;
  }
  c->refs++;
  return true;
}

/* After the capture thread was asked to start (rc: its pthread error): on failure the
 * tsfn goes and `failed: strerror` is thrown; else the environment's teardown will stop
 * the thread. */
static napi_value thread_started(napi_env env, pw_capture *c, int rc, const char *failed) {
  if (rc != 0) {
    napi_release_threadsafe_function(c->tsfn, napi_tsfn_release);
    c->tsfn = NULL;
    char msg[128];
    snprintf(msg, sizeof msg, "%s: %s", failed, strerror(rc));
    return throw_code(env, "E_IO", msg);
  }
  napi_add_env_cleanup_hook(env, env_cleanup, c);
  return NULL;
}

/* start(handle, memoryBytes: Uint8Array over memory.buffer, ring, ifaceIndex, onEvent,
 *       loopDriver) */
static napi_value js_start(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  pw_capture *c = capture_call(env, info, 6, argv, "start");
  if (!c || !startable(env, c, "start")) return NULL;
  int32_t loop_driver = 0;
  get_i32(env, argv[5], &loop_driver);
  size_t length;
  uint8_t *data = shared_memory(env, argv[1], &length, "start");
  if (!data) return NULL;
  uint32_t ring, iface;
  if (napi_get_value_uint32(env, argv[2], &ring) != napi_ok || napi_get_value_uint32(env, argv[3], &iface) != napi_ok || iface > 0xFFFF)
    return throw_code(env, "E_BAD_ARGUMENT", "start: ring address and interface index must be unsigned integers");
  const char *bad = pw_ring_attach(c, data, length, ring, (uint16_t)iface);
  if (bad) return throw_code(env, "E_BAD_ARGUMENT", bad);

  CHECK(napi_create_reference(env, argv[1], 1, &c->mem_ref));
  if (loop_driver) {
    napi_value name;
    CHECK(napi_create_string_utf8(env, "pktwasm.pcap", NAPI_AUTO_LENGTH, &name));
    CHECK(napi_create_reference(env, argv[4], 1, &c->cb_ref));
    CHECK(napi_async_init(env, NULL, name, &c->async_ctx));
    const char *why = pw_loop_start(c, env);
    if (why) {
      release_js(env, c);
      return throw_code(env, "E_IO", why);
    }
    napi_add_env_cleanup_hook(env, env_cleanup, c);
    return NULL;
  }
  if (!create_tsfn(env, argv[4], "pktwasm.pcap", c)) return NULL;
  return thread_started(env, c, pw_capture_start(c), "start: cannot create the capture thread");
}

/* startDump(handle, fd, nanosecondFile, limit, onEvent): direct file mode. The capture
 * thread appends each packet as a pcap record to fd (the caller wrote the file header:
 * little-endian, nanosecond or microsecond as nanosecondFile says) and stops by itself
 * after `limit` records (0: no limit). onEvent gets EV_END only. The fd stays the
 * caller's: close it after EV_END. */
static napi_value js_start_dump(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  pw_capture *c = capture_call(env, info, 5, argv, "startDump");
  if (!c || !startable(env, c, "startDump")) return NULL;
  int32_t fd, nano_file;
  double limit;
  if (!get_i32(env, argv[1], &fd) || fd < 0 || !get_i32(env, argv[2], &nano_file) ||
      napi_get_value_double(env, argv[3], &limit) != napi_ok || !(limit >= 0) || limit > 9007199254740991.0)
    return throw_code(env, "E_BAD_ARGUMENT", "startDump: fd, nanosecondFile and limit must be non-negative integers");
  if (!create_tsfn(env, argv[4], "pktwasm.pcap.dump", c)) return NULL;
  return thread_started(env, c, pw_dump_start(c, fd, nano_file != 0, (uint64_t)limit), "startDump: cannot start the capture thread");
}

/* waitRing(memory: Uint8Array over the shared memory, ring, timeoutMs): the consumer
 * sleeps on the ring's RING_HEAD word in the kernel until a capture thread of this
 * process publishes or closes (see WAIT_FUTEX), or the timeout. Blocks the calling
 * thread: for workers, as Atomics.wait. */
static napi_value js_wait_ring(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!get_args(env, info, 3, argv, "waitRing")) return NULL;
  size_t length;
  uint8_t *data = shared_memory(env, argv[0], &length, "waitRing");
  if (!data) return NULL;
  uint32_t ring;
  int32_t timeout_ms;
  if (napi_get_value_uint32(env, argv[1], &ring) != napi_ok || !get_i32(env, argv[2], &timeout_ms) || timeout_ms < 0)
    return throw_code(env, "E_BAD_ARGUMENT", "waitRing: ring and timeoutMs must be non-negative integers");
  if ((ring & 63u) != 0 || (size_t)ring + RING_HDR_SIZE > length)
    return throw_code(env, "E_BAD_ARGUMENT", "waitRing: ring address is not a 64-byte aligned header inside the memory");
  pw_wait_ring(data + ring, timeout_ms);
  return NULL;
}

/* joinFanout(handle, group): puts the handle's packet socket into PACKET_FANOUT group
 * `group` (0..65535, one per process), hashed by flow: the kernel's symmetric flow hash
 * sends both directions of a TCP/UDP conversation to the same member, so each member
 * sees whole flows. libpcap has no fanout API; its socket is bound after activation, and
 * the TPACKET_V3 ring works unchanged inside a group. */
static napi_value js_join_fanout(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  pw_capture *c = capture_call(env, info, 2, argv, "joinFanout");
  if (!c) return NULL;
  uint32_t group;
  if (napi_get_value_uint32(env, argv[1], &group) != napi_ok || group > 0xFFFF)
    return throw_code(env, "E_BAD_ARGUMENT", "joinFanout: group must be an integer in [0, 65535]");
  int fd = pcap_fileno(c->p);
  uint32_t arg = group | ((uint32_t)PACKET_FANOUT_HASH << 16);
  if (fd < 0 || setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) != 0) {
    char msg[160];
    snprintf(msg, sizeof msg, "cannot join packet fanout group %u: %s", group, fd < 0 ? "no socket" : strerror(errno));
    return throw_code(env, "E_IO", msg);
  }
  return NULL;
}

/* stop(handle, drainMs): asks the thread to finish; EV_END follows. */
static napi_value js_stop(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  pw_capture *c = capture_call(env, info, 2, argv, NULL);
  if (!c) return NULL;
  int32_t drain_ms = 0;
  get_i32(env, argv[1], &drain_ms); /* absent (undefined): no draining */
  if (drain_ms < 0) drain_ms = 0;
  if (c->running) pw_capture_request_stop(c, drain_ms);
  else if (c->loop_running) pw_loop_stop(c, drain_ms); /* drains here, or after the current dispatch */
  return NULL;
}

/* close(handle): stops without draining if still running, joins, closes libpcap. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  pw_capture *c = any_capture_call(env, info, "close");
  if (!c) return NULL;
  if (!c->p || c->closing) return NULL; /* already closed, or closing: the END callback of our own stop below */
  if (c->in_dispatch) return throw_code(env, "E_BAD_ARGUMENT", "close: not from inside a capture callback (stop() there, close() once it has ended)");
  c->closing = 1;
  int had_hook = c->running || c->loop_running;
  if (c->running) {
    if (!__atomic_load_n(&c->stop_req, __ATOMIC_ACQUIRE)) pw_capture_request_stop(c, 0);
    pw_capture_join(c);
  }
  if (c->loop_running) pw_loop_stop(c, 0);
  if (had_hook) napi_remove_env_cleanup_hook(env, env_cleanup, c);
  if (c->tsfn) {
    napi_release_threadsafe_function(c->tsfn, napi_tsfn_release);
    c->tsfn = NULL;
  }
  release_js(env, c);
  pw_loop_close(c, capture_unref); /* stops watching the fd now; frees the handle later */
  pcap_t *p = c->p;
  c->p = NULL;
  if (p) pcap_close(p);
  c->closing = 0;
  return NULL;
}

/* stats(handle) -> { recv, drop, ifdrop, captured, ringDrops, batches, ok, error } */
static napi_value js_stats(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  pw_capture *c = capture_call(env, info, 1, argv, NULL);
  if (!c) return NULL;
  struct pcap_stat st;
  memset(&st, 0, sizeof st);
  int ok = pw_capture_stats(c, &st) == 0;
  napi_value o, b;
  CHECK(napi_create_object(env, &o));
  set_prop(env, o, "recv", make_f64(env, st.ps_recv));
  set_prop(env, o, "drop", make_f64(env, st.ps_drop));
  set_prop(env, o, "ifdrop", make_f64(env, st.ps_ifdrop));
  set_prop(env, o, "captured", make_f64(env, (double)__atomic_load_n(&c->captured, __ATOMIC_RELAXED)));
  set_prop(env, o, "batches", make_f64(env, (double)__atomic_load_n(&c->batches, __ATOMIC_RELAXED)));
  set_prop(env, o, "written", make_f64(env, (double)__atomic_load_n(&c->written, __ATOMIC_RELAXED)));
  set_prop(env, o, "wireBytes", make_f64(env, (double)__atomic_load_n(&c->wire_bytes, __ATOMIC_RELAXED)));
  napi_get_boolean(env, ok, &b);
  set_prop(env, o, "ok", b);
  set_prop(env, o, "error", make_str(env, ok ? "" : pcap_geterr(c->p)));
  return o;
}

/* error(handle) -> message of the libpcap error that stopped the thread, or "" */
static napi_value js_error(napi_env env, napi_callback_info info) {
  pw_capture *c = any_capture_call(env, info, "error");
  if (!c) return NULL;
  return make_str(env, __atomic_load_n(&c->failed, __ATOMIC_ACQUIRE) ? c->error : "");
}

/* ---- inject ---- */

/* inject(handle, bytes: Uint8Array, lengths: Uint32Array, count) -> frames sent.
 * Frames lie back to back in `bytes`. Stops at the first failure and throws E_IO naming
 * the frame; everything before it was sent. */
static napi_value js_inject(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  pw_capture *c = capture_call(env, info, 4, argv, "inject");
  if (!c) return NULL;
  napi_typedarray_type t1, t2;
  size_t n1, n2, o1, o2;
  void *d1, *d2;
  napi_value ab;
  if (napi_get_typedarray_info(env, argv[1], &t1, &n1, &d1, &ab, &o1) != napi_ok || t1 != napi_uint8_array ||
      napi_get_typedarray_info(env, argv[2], &t2, &n2, &d2, &ab, &o2) != napi_ok || t2 != napi_uint32_array)
    return throw_code(env, "E_BAD_ARGUMENT", "inject: expected a Uint8Array of frames and a Uint32Array of lengths");
  uint32_t count;
  if (napi_get_value_uint32(env, argv[3], &count) != napi_ok || count > n2)
    return throw_code(env, "E_BAD_ARGUMENT", "inject: count exceeds the lengths array");
  const uint8_t *bytes = (const uint8_t *)d1;
  const uint32_t *lens = (const uint32_t *)d2;
  size_t off = 0;
  for (uint32_t i = 0; i < count; i++) {
    if (off + lens[i] > n1) return throw_code(env, "E_BAD_ARGUMENT", "inject: lengths run past the end of the bytes");
    if (pcap_inject(c->p, bytes + off, lens[i]) < 0) {
      char msg[PCAP_ERRBUF_SIZE + 96];
      snprintf(msg, sizeof msg, "inject: frame %u of %u (%u bytes) not sent: %s", i, count, lens[i], pcap_geterr(c->p));
      napi_value err, code, text, sent;
      napi_create_string_utf8(env, "E_IO", NAPI_AUTO_LENGTH, &code);
      napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
      napi_create_error(env, code, text, &err);
      napi_create_uint32(env, i, &sent);
      napi_set_named_property(env, err, "sent", sent);
      napi_throw(env, err);
      return NULL;
    }
    off += lens[i];
  }
  return make_u32(env, count);
}

/* ---- interfaces ---- */

static napi_value sockaddr_str(napi_env env, const struct sockaddr *sa) {
  char buf[INET6_ADDRSTRLEN] = "";
  if (!sa) return NULL;
  if (sa->sa_family == AF_INET) inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf, sizeof buf);
  else if (sa->sa_family == AF_INET6) inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf, sizeof buf);
  else return NULL;
  return make_str(env, buf);
}

/* findAllDevs() -> [{ name, description, flags, addresses: [{ family, addr, netmask?, broadaddr? }] }] */
static napi_value js_findalldevs(napi_env env, napi_callback_info info) {
  (void)info;
  pcap_if_t *devs = NULL;
  char errbuf[PCAP_ERRBUF_SIZE];
  if (pcap_findalldevs(&devs, errbuf) != 0) {
    char msg[PCAP_ERRBUF_SIZE + 64];
    snprintf(msg, sizeof msg, "cannot list interfaces: %s", errbuf);
    return throw_code(env, "E_IO", msg);
  }
  napi_value arr;
  CHECK(napi_create_array(env, &arr));
  uint32_t i = 0;
  for (pcap_if_t *d = devs; d; d = d->next) {
    napi_value o, addrs;
    napi_create_object(env, &o);
    set_prop(env, o, "name", make_str(env, d->name));
    set_prop(env, o, "description", make_str(env, d->description));
    set_prop(env, o, "flags", make_u32(env, d->flags));
    napi_create_array(env, &addrs);
    uint32_t j = 0;
    for (pcap_addr_t *a = d->addresses; a; a = a->next) {
      napi_value addr = sockaddr_str(env, a->addr);
      if (!addr) continue;
      napi_value ao;
      napi_create_object(env, &ao);
      set_prop(env, ao, "family", make_str(env, a->addr->sa_family == AF_INET ? "inet" : "inet6"));
      set_prop(env, ao, "addr", addr);
      napi_value mask = sockaddr_str(env, a->netmask), bcast = sockaddr_str(env, a->broadaddr);
      if (mask) set_prop(env, ao, "netmask", mask);
      if (bcast) set_prop(env, ao, "broadaddr", bcast);
      napi_set_element(env, addrs, j++, ao);
    }
    set_prop(env, o, "addresses", addrs);
    napi_set_element(env, arr, i++, o);
  }
  pcap_freealldevs(devs);
  return arr;
}

static napi_value js_version(napi_env env, napi_callback_info info) {
  (void)info;
  return make_str(env, pcap_lib_version());
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"info", NULL, js_info, NULL, NULL, NULL, napi_enumerable, NULL},
      {"start", NULL, js_start, NULL, NULL, NULL, napi_enumerable, NULL},
      {"startDump", NULL, js_start_dump, NULL, NULL, NULL, napi_enumerable, NULL},
      {"waitRing", NULL, js_wait_ring, NULL, NULL, NULL, napi_enumerable, NULL},
      {"joinFanout", NULL, js_join_fanout, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stop", NULL, js_stop, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stats", NULL, js_stats, NULL, NULL, NULL, napi_enumerable, NULL},
      {"error", NULL, js_error, NULL, NULL, NULL, napi_enumerable, NULL},
      {"inject", NULL, js_inject, NULL, NULL, NULL, napi_enumerable, NULL},
      {"findAllDevs", NULL, js_findalldevs, NULL, NULL, NULL, napi_enumerable, NULL},
      {"version", NULL, js_version, NULL, NULL, NULL, napi_enumerable, NULL},
      {"prefault", NULL, js_prefault, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
