/* prefault(view, byteOffset, byteLength, mode): mode 0 asks for transparent huge pages under
 * a range of a typed array (MADV_HUGEPAGE); 1 has the kernel back its pages now, in one call
 * (MADV_POPULATE_WRITE, Linux 5.14+); 2 does the same on a thread of the addon's and
 * returns at once, so that the other core backs the next chunk while this one fills the
 * current (a page still missing when it is touched faults in as usual). On this project's
 * machines (a paravirtualised guest) a 4 KiB page touched for the first time costs ~12 us, and even a
 * populated one faults again on first touch (~6 us); huge pages populated in one call cost
 * ~10 ms for 128 MiB against ~550 ms of first touches. Callers advise a whole region once
 * (so that the 2 MiB blocks inside it qualify) and populate only what they are about to
 * fill, so the resident size is what it would have become. Returns whether the kernel did
 * what was asked (false on older kernels: EINVAL; the pages then fault in as before). */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "prefault.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static size_t element_size(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: return 1;
    case napi_int16_array: case napi_uint16_array: return 2;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: return 4;
    default: return 8;
  }
}

/* One thread of the addon's, started on first use, takes populate jobs from a small queue:
 * a thread per job made each pthread_create wait (its stack's mmap takes the address-space
 * lock) for the job before it. A job that finds the queue full is dropped: the pages it
 * names fault in as usual when touched. */
#define POPULATE_QUEUE 64
static struct { void *start; size_t length; } jobs[POPULATE_QUEUE];
static unsigned jobs_head, jobs_tail; /* taken at head, added at tail */
static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jobs_ready = PTHREAD_COND_INITIALIZER;
static bool populate_started;

static void *populate_thread(void *arg) {
  (void)arg;
  for (;;) {
    pthread_mutex_lock(&jobs_lock);
    while (jobs_head == jobs_tail) pthread_cond_wait(&jobs_ready, &jobs_lock);
    void *start = jobs[jobs_head % POPULATE_QUEUE].start;
    size_t length = jobs[jobs_head % POPULATE_QUEUE].length;
    jobs_head++;
    pthread_mutex_unlock(&jobs_lock);
    /* The memory outlives the job (an ArrayBuffer the caller keeps, or the wasm memory,
     * which never shrinks); were it unmapped meanwhile, madvise fails with ENOMEM, no more. */
    (void)madvise(start, length, MADV_POPULATE_WRITE);
  }
  return NULL;
}

static bool populate_soon(void *start, size_t length) {
  bool ok = false;
  pthread_mutex_lock(&jobs_lock);
  if (!populate_started) {
    pthread_attr_t attr;
    pthread_t thread;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    populate_started = pthread_create(&thread, &attr, populate_thread, NULL) == 0;
    pthread_attr_destroy(&attr);
  }
  if (populate_started && jobs_tail - jobs_head < POPULATE_QUEUE) {
    jobs[jobs_tail % POPULATE_QUEUE].start = start;
    jobs[jobs_tail % POPULATE_QUEUE].length = length;
    jobs_tail++;
    pthread_cond_signal(&jobs_ready);
    ok = true;
  }
  pthread_mutex_unlock(&jobs_lock);
  return ok;
}

void pw_page_range(const void *start, size_t length, uintptr_t *lo, uintptr_t *hi) {
  /* Whole pages: the first and the last byte's pages are mapped, as the bytes are. */
  uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  *lo = (uintptr_t)start & ~(page - 1);
  *hi = ((uintptr_t)start + length + page - 1) & ~(page - 1);
}

bool pw_populate(void *start, size_t length) {
  uintptr_t lo, hi;
  pw_page_range(start, length, &lo, &hi);
  return madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE) == 0;
}

napi_value js_prefault(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_value result;
  bool ok = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4) {
    napi_throw_type_error(env, "E_BAD_ARGUMENT", "prefault: expected (view, byteOffset, byteLength, mode)");
    return NULL;
  }
  bool is_ta = false;
  napi_typedarray_type tt;
  size_t length = 0, view_offset = 0;
  void *data = NULL;
  napi_value ab;
  double off = -1, len = -1;
  uint32_t mode = 3;
  if (napi_is_typedarray(env, argv[0], &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, argv[0], &tt, &length, &data, &ab, &view_offset) != napi_ok ||
      napi_get_value_double(env, argv[1], &off) != napi_ok || napi_get_value_double(env, argv[2], &len) != napi_ok ||
      napi_get_value_uint32(env, argv[3], &mode) != napi_ok || mode > 2 ||
      !(off >= 0) || !(len >= 0) || off + len > (double)(length * element_size(tt))) {
    napi_throw_type_error(env, "E_BAD_ARGUMENT", "prefault: the range must lie inside a typed array, mode 0, 1 or 2");
    return NULL;
  }
  if (len > 0 && data != NULL) {
    uintptr_t start, end;
    pw_page_range((uint8_t *)data + (size_t)off, (size_t)len, &start, &end);
    if (mode == 2) ok = populate_soon((void *)start, end - start);
    else ok = madvise((void *)start, end - start, mode == 1 ? MADV_POPULATE_WRITE : MADV_HUGEPAGE) == 0;
  }
  napi_get_boolean(env, ok, &result);
  return result;
}
