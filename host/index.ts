// pktwasm public entry: the engine, its batches and views, and the structures and tools
// built on it. Every class here works over either backend ('wasm' or the 'ts' twin).
export { createEngine, Engine, type Backend, type EngineOptions } from './engine/engine.js';
export { FrameBatch } from './engine/frame-batch.js';
export { PacketView } from './dissect/packet-view.js';
export type { DecodedPacket } from './dissect/decode.js';
export { Arena } from './runtime/arena.js';
export { createSharedMemory, MemoryViews } from './runtime/memory.js';
export { PktError, type PktErrorCode } from './runtime/errors.js';
export { ipv4ToString, ipv6ToString, macToString, parseIPv4, parseIPv6, parseMac } from './runtime/addr.js';
export { errorNames, layerNames } from './dissect/descriptor-names.js';
export * as layout from './runtime/layout.js';

// Capture: files, live interfaces, raw sockets.
export { capture, captureBatches, type CaptureBatch, type CaptureOptions, type CapturedPacket } from './pipeline/capture.js';
export type { BatchInfo, BatchStage } from './stage/batch-stage.js';
export type { RingShape, Source, SourceStats } from './sources/source.js';
export { CaptureFileReader, readCaptureFile, type CaptureRecord, type CaptureFileInfo } from './sources/capture-file.js';
export { FrameRing } from './ring/frame-ring.js';
export { ValueRing } from './ring/value-ring.js';
export type { SpscRing } from './ring/spsc-ring.js';
export { listInterfaces, defaultInterface } from './sources/interfaces.js';

// Filters, routing, flows, timers.
export { compileFilter, FilterError, type CompiledFilter, type FilterOptions } from './filter/index.js';
export { Lpm4 } from './lpm/lpm4.js';
export { Lpm6 } from './lpm/lpm6.js';
export { RouteTable } from './lpm/route-table.js';
export { PrefixStats } from './lpm/prefix-stats.js';
export { FlowTable, type FlowRecord } from './flows/flow-table.js';
export { Reassembler, type ReassemblerOptions, type ReassemblerStats } from './reasm/reassembler.js';
export { flowJson, flowJsonLine, formatConversationTable, allFlows } from './flows/conversations.js';
export { TimerWheel } from './wheel/timer-wheel.js';

// Building packets and buffers.
export { Pool } from './pool/pool.js';
export { Builder, PacketChain, type PacketSpec } from './builder/index.js';

// Output.
export { PcapWriter } from './sinks/pcap-writer.js';
export { PcapngWriter } from './sinks/pcapng-writer.js';
export { TextSink, JsonSink, PcapSink, PcapngSink, type PacketSink } from './sinks/sink.js';

// The option, record and statistics types of the classes above, importable by name.
export type { DecodedFrame, DecodedEth, DecodedSll, DecodedVlan, DecodedVlanTag, DecodedArp, DecodedIp, DecodedIpv6, DecodedTcp, DecodedTcpOptions, DecodedUdp, DecodedIcmp } from './dissect/decode.js';
export type { FlowTableOptions, FlowTableStats, FlowTimeouts, FlowEndpoint, FlowDirection, TcpStateName, EndReasonName } from './flows/flow-table.js';
export type { TimerWheelOptions, WheelStats } from './wheel/timer-wheel.js';
export type { LpmOptions } from './lpm/lpm-options.js';
export type { RouteTableOptions, IpRouteJson, IpJsonLoadOptions, LoadResult } from './lpm/route-table.js';
export type { PrefixSpec, PrefixRow, PrefixSort } from './lpm/prefix-stats.js';
export type { BuilderOptions, MacLike, EthSpec, VlanSpec, ArpSpec, IpSpec, Ipv6Spec, TcpSpec, UdpSpec, IcmpSpec } from './builder/builder.js';
export type { PoolOptions, PoolStats } from './pool/pool.js';
export type { PcapngWriterOptions } from './sinks/pcapng-writer.js';
