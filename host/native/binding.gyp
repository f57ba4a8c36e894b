# node-gyp build of the libpcap binding (plain C, N-API). host/native/build.mjs runs it
# only when libpcap's headers are present, so `npm install` succeeds without them.
{
  "targets": [
    {
      "target_name": "pktwasm_pcap",
      "sources": ["src/addon.c", "src/capture.c", "src/loop.c", "src/prefault.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O2", "-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-pthread"],
      "libraries": ["-lpcap", "-pthread"]
    }
  ]
}
