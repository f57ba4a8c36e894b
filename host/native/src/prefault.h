#ifndef PKTWASM_PREFAULT_H
#define PKTWASM_PREFAULT_H
#include <node_api.h>

/* prefault(view, byteOffset, byteLength, mode) -> boolean: see prefault.c. */
napi_value js_prefault(napi_env env, napi_callback_info info);

#endif
