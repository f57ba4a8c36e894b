// The engine's single WASM module: one export surface over the imported shared memory.
// Each structure or protocol family lives in its own file; exports carry its prefix
// (DPDK style: lpm4_add, ring_enqueue_burst ...). The filter language is not here: each
// expression is compiled at run time into a small module of its own that imports this
// same memory (host/filter/wasm-codegen.ts).
export * from "./layout";
export * from "./checksum";
export * from "./dissect";
export * from "./pcap";
export * from "./ring";
export * from "./lpm4";
export * from "./lpm6";
export * from "./lpm-layout";
export * from "./wheel";
export * from "./wheel-layout";
export * from "./flows";
export * from "./flow-layout";
export * from "./reasm";
export * from "./reasm-layout";
export * from "./pool";
export * from "./builder";
export * from "./builder-layout";
export * from "./app/app-layout";
export * from "./app/app";
export * from "./json/json-layout";
export * from "./json/lines";
