// Metadata logs (`sniff --log dns,http,tls`): one JSON line per application transaction,
// the kind of log Zeek writes (dns.log, http.log, ssl.log), built from the app records the
// dissector fills. A log kind plugs in here:
//  1. host/app/log/<kind>-log.ts implements TransactionLog: frame() sees each kept frame
//     whose app record has one of its `protos`, advance() moves its clock (packet time, or
//     the wall clock while live input is quiet) and expires what waited too long, finish()
//     writes what is left, summary() counts them. Pending state must be bounded (a capacity,
//     oldest out first: PendingTable does it in O(1) per transaction).
//  2. Its name and help go in kinds.ts (what --log accepts), its LogKind in LOG_KINDS below.
// host/pipeline/log-stage.ts runs the kinds asked for; lines go out through `emit`.
import type { Engine } from '../../engine/engine.js';
import type { PacketView } from '../../dissect/packet-view.js';
import { DnsLog } from './dns-log.js';
import { HttpLog } from './http-log.js';
import { TlsLog } from './tls-log.js';
import { LOG_KIND_HELP } from './kinds.js';

/** One kept frame with an app record, as a log sees it. */
export interface LogFrame {
  /** The memory: frame, descriptor and record are addresses in it. */
  readonly u8: Uint8Array;
  /** The frame's descriptor, frame and record (view.app). */
  readonly view: PacketView;
  readonly sec: number;
  readonly nsec: number;
}

export interface TransactionLog {
  /** APP_* protocol ids whose frames this log reads. */
  readonly protos: readonly number[];
  frame(f: LogFrame): void;
  advance(sec: number, nsec: number): void;
  finish(): void;
  /** One line for standard error at the end: the lines written by status, and how the
   *  transactions left waiting ended (timed out, pushed out at capacity, left at the end). */
  summary(): string;
}

export interface LogKind {
  readonly name: string;
  readonly help: string;
  create(engine: Engine, emit: (line: string) => void): TransactionLog;
}

export const LOG_KINDS: ReadonlyMap<string, LogKind> = new Map<string, LogKind>([
  ['dns', { name: 'dns', help: LOG_KIND_HELP.get('dns')!, create: (engine, emit) => new DnsLog(engine, emit) }],
  ['http', { name: 'http', help: LOG_KIND_HELP.get('http')!, create: (engine, emit) => new HttpLog(engine, emit) }],
  ['tls', { name: 'tls', help: LOG_KIND_HELP.get('tls')!, create: (engine, emit) => new TlsLog(engine, emit) }],
]);
