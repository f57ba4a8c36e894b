#ifndef PKTWASM_PREFAULT_H
#define PKTWASM_PREFAULT_H
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* [*lo, *hi): the whole pages under [start, start + length). */
void pw_page_range(const void *start, size_t length, uintptr_t *lo, uintptr_t *hi);

/* Makes the pages under [start, start + length) present now, in one call
 * (MADV_POPULATE_WRITE, Linux 5.14+); false where the kernel refuses. */
bool pw_populate(void *start, size_t length);

/* prefault(view, byteOffset, byteLength, mode) -> boolean: see prefault.c. */
napi_value js_prefault(napi_env env, napi_callback_info info);

#endif
