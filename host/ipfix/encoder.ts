// Packs data records into IPFIX messages no larger than `maxMessage` octets (the path MTU
// minus IP/UDP headers: RFC 7011 §10.3.3 says a message must fit one datagram, and we
// never want IP fragmentation). Records of one template go in one Data Set; a template
// switch opens a new set. A finished message goes to `emit` with its record count and
// the packets and octets its records account for (the exporter's statistics report those
// of lost records); the buffer is reused (emit must copy).
import type { FlowRecord } from '../flows/flow-table.js';
import { PktError } from '../runtime/errors.js';
import { HEADER_LENGTH, exportTimeNow, writeHeader } from './message.js';
import { flowTemplates } from './template.js';
import { templateAt, templateFor, writeRecord, writeRecordAt, type RecordContext } from './data-record.js';
import type { MemoryViews } from '../runtime/memory.js';
import * as FL from '../flows/flow-layout.js';

export type MessageSink = (message: Uint8Array, records: number, firstSequence: number, packets: number, octets: number) => void;

export interface EncoderOptions {
  /** One RFC 5103 biflow record per flow instead of a uniflow record per direction. */
  biflow?: boolean;
}

export class MessageEncoder {
  readonly domain: number;
  readonly maxMessage: number;
  readonly biflow: boolean;
  /** Sequence number of the next data record (RFC 7011 §3.1, modulo 2^32). */
  sequence = 0;
  private readonly buf: Uint8Array;
  private readonly dv: DataView;
  private readonly emit: MessageSink;
  private readonly ctx: RecordContext;
  private pos = HEADER_LENGTH;
  private setStart = -1;
  private setTemplate = 0;
  private records = 0;
  private packets = 0;
  private octets = 0;
  private firstSeq = 0;
  /** The memory addAt() reads records from. */
  private views: MemoryViews | null = null;

  constructor(domain: number, maxMessage: number, emit: MessageSink, ctx: RecordContext = { iface: 0 }, opts: EncoderOptions = {}) {
    this.biflow = opts.biflow === true;
    const min = HEADER_LENGTH + 4 + Math.max(...flowTemplates(this.biflow).map((t) => t.recordLength));
    if (!Number.isInteger(maxMessage) || maxMessage < min || maxMessage > 65535) {
      throw new PktError('E_BAD_ARGUMENT', `ipfix: message size must be ${min}..65535 octets, got ${maxMessage}`);
    }
    if (!Number.isInteger(domain) || domain < 0 || domain > 0xFFFFFFFF) {
      throw new PktError('E_BAD_ARGUMENT', `ipfix: observation domain must be 0..4294967295, got ${domain}`);
    }
    this.domain = domain;
    this.maxMessage = maxMessage;
    this.buf = new Uint8Array(maxMessage);
    this.dv = new DataView(this.buf.buffer);
    this.emit = emit;
    this.ctx = ctx;
  }

  /** Adds the records of one flow: a uniflow record per direction that carried packets,
   *  or one biflow record. */
  add(rec: FlowRecord): void {
    if (this.biflow) {
      if (rec.aToB.frames > 0 || rec.bToA.frames > 0) {
        this.addOne(rec, 0, false, rec.aToB.frames + rec.bToA.frames, rec.aToB.ipBytes + rec.bToA.ipBytes);
      }
      return;
    }
    if (rec.aToB.frames > 0) this.addOne(rec, 0, false, rec.aToB.frames, rec.aToB.ipBytes);
    if (rec.bToA.frames > 0) this.addOne(rec, 0, true, rec.bToA.frames, rec.bToA.ipBytes);
  }

  /**
   * add() for a record still in the engine's memory (an exported record or entry at byte
   * address `at`, layout FE_*): the same records, written with writeRecordAt, no FlowRecord.
   */
  addAt(views: MemoryViews, at: number): void {
    const v = views.refresh();
    const w = at >>> 2;
    const d = at >>> 3;
    const fAB = v.u32[w + (FL.FE_FRAMES_AB >>> 2)];
    const fBA = v.u32[w + (FL.FE_FRAMES_BA >>> 2)];
    const oAB = v.f64[d + (FL.FE_IPBYTES_AB >>> 3)];
    const oBA = v.f64[d + (FL.FE_IPBYTES_BA >>> 3)];
    this.views = views;
    if (this.biflow) {
      if (fAB > 0 || fBA > 0) this.addOne(null, at, false, fAB + fBA, oAB + oBA);
      return;
    }
    if (fAB > 0) this.addOne(null, at, false, fAB, oAB);
    if (fBA > 0) this.addOne(null, at, true, fBA, oBA);
  }

  /** One data record, of `rec`, or (rec null) of the record at `at` in this.views. */
  private addOne(rec: FlowRecord | null, at: number, reverse: boolean, packets: number, octets: number): void {
    const views = this.views;
    const t = rec !== null ? templateFor(rec, this.biflow) : templateAt(views!, at, this.biflow);
    const newSet = t.id !== this.setTemplate;
    if (this.pos + t.recordLength + (newSet ? 4 : 0) > this.maxMessage) {
      this.flush();
      return this.addOne(rec, at, reverse, packets, octets);
    }
    if (newSet) {
      this.closeSet();
      this.setStart = this.pos;
      this.setTemplate = t.id;
      this.dv.setUint16(this.pos, t.id);
      this.pos += 4;
    }
    if (this.records === 0) this.firstSeq = this.sequence;
    this.pos = rec !== null
      ? writeRecord(this.dv, this.pos, t, rec, reverse, this.ctx)
      : writeRecordAt(this.dv, this.pos, t, views!, at, reverse, this.ctx);
    this.records++;
    this.packets += packets;
    this.octets += octets;
    this.sequence = (this.sequence + 1) >>> 0;
  }

  private closeSet(): void {
    if (this.setStart >= 0) this.dv.setUint16(this.setStart + 2, this.pos - this.setStart);
    this.setStart = -1;
    this.setTemplate = 0;
  }

  /** Records waiting in the unfinished message. */
  get pending(): number {
    return this.records;
  }

  /** Finishes the current message (if it holds records) and hands it to `emit`. */
  flush(exportTime = exportTimeNow()): void {
    if (this.records === 0) return;
    this.closeSet();
    writeHeader(this.dv, 0, this.pos, exportTime, this.firstSeq, this.domain);
    const n = this.records;
    const { packets, octets } = this;
    const msg = this.buf.subarray(0, this.pos);
    this.pos = HEADER_LENGTH;
    this.records = 0;
    this.packets = 0;
    this.octets = 0;
    this.emit(msg, n, this.firstSeq, packets, octets);
  }
}
