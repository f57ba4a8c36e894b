// --json line writer's state region (assembly/json/lines.ts): the one hand-written source
// of the constants host/sinks/json/wasm-lines.ts shares with the WASM module.
// host/runtime/generate-layout.mjs writes host/sinks/json/json-layout.ts from this file.
// Only `export const NAME: i32|u32 = <integer expression>;`, comments and blank lines.

export const JL_CAP: i32 = 0; // u32 output room from JL_OUT (set by the host)
export const JL_LEN: i32 = 4; // u32 output bytes from JL_OUT (json_lines() appends; the host empties it)
export const JL_STOP: i32 = 8; // i32 why it stopped: JL_DONE, JL_FULL or JL_DECLINED
export const JL_OUT: i32 = 64; // the output bytes
export const JL_STATE_SIZE: i32 = 64;
// The output region's last JL_TAIL bytes are the writer's scratch (an SRV owner name, a
// long DNS record): neither the module's lines nor the host's go there.
export const JL_TAIL: i32 = 8192;

// JL_STOP values
export const JL_DONE: i32 = 0; // every frame asked for was written (or skipped by keep)
export const JL_FULL: i32 = 1; // the next frame needs more room than is left: copy out, call again
export const JL_DECLINED: i32 = 2; // the next frame is the host's (its TS writer), then call again after it
