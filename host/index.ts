// pktwasm public entry: the engine, its batches and views, and the helpers around them.
export { createEngine, Engine, type Backend, type EngineOptions } from './engine.js';
export { FrameBatch } from './batch.js';
export { PacketView } from './packet-view.js';
export type { DecodedPacket } from './decode.js';
export { Arena } from './arena.js';
export { createSharedMemory, MemoryViews } from './memory.js';
export { PktError, type PktErrorCode } from './errors.js';
export { ipv4ToString, ipv6ToString, macToString, parseIPv4, parseIPv6, parseMac } from './addr.js';
export { errorNames, layerNames } from './flags.js';
export * as layout from './layout.js';
