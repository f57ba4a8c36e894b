// pktwasm public entry: the engine, its batches and views, and the structures and tools
// built on it. Every class here works over either backend ('wasm' or the 'ts' twin).
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

// Capture: files, live interfaces, raw sockets.
export { capture, captureBatches, type CaptureOptions, type CapturedPacket } from './capture.js';
export { CaptureFileReader, readCaptureFile, type CaptureRecord, type CaptureFileInfo } from './sources/capture-file.js';
export { FrameRing } from './ring.js';
export { listInterfaces, defaultInterface } from './interfaces.js';

// Filters, routing, flows, timers.
export { compileFilter, FilterError, type CompiledFilter, type FilterOptions } from './filter/index.js';
export { Lpm4, Lpm6, RouteTable } from './route-table.js';
export { PrefixStats } from './prefix-stats.js';
export { FlowTable, type FlowRecord } from './flow-table.js';
export { flowJson, flowJsonLine, formatConversationTable, allFlows } from './conversations.js';
export { TimerWheel } from './timer-wheel.js';

// Building packets and buffers.
export { Pool } from './pool.js';
export { Builder, PacketChain, type PacketSpec } from './build/index.js';

// Output.
export { PcapWriter } from './sinks/pcap-writer.js';
export { PcapngWriter } from './sinks/pcapng-writer.js';
export { TextSink, JsonSink, PcapSink, PcapngSink, type PacketSink } from './sinks/sink.js';
