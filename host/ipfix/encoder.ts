// Packs data records into IPFIX messages no larger than `maxMessage` octets (the path MTU
// minus IP/UDP headers: RFC 7011 §10.3.3 says a message must fit one datagram, and we
// never want IP fragmentation). Records of one IP version go in one Data Set; a version
// switch opens a new set. A finished message goes to `emit` with its record count;
// the buffer is reused (emit must copy).
import type { FlowRecord } from '../flows/flow-table.js';
import { PktError } from '../runtime/errors.js';
import { HEADER_LENGTH, exportTimeNow, writeHeader } from './message.js';
import { TEMPLATE_IPV4, TEMPLATE_IPV6 } from './template.js';
import { recordLength, writeDataRecord, type RecordContext } from './data-record.js';

export type MessageSink = (message: Uint8Array, records: number, firstSequence: number) => void;

export class MessageEncoder {
  readonly domain: number;
  readonly maxMessage: number;
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
  private firstSeq = 0;

  constructor(domain: number, maxMessage: number, emit: MessageSink, ctx: RecordContext = { iface: 0 }) {
    const min = HEADER_LENGTH + 4 + TEMPLATE_IPV6.recordLength;
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

  /** Adds the records of one flow (one per direction that carried packets). */
  add(rec: FlowRecord): void {
    if (rec.aToB.frames > 0) this.addOne(rec, false);
    if (rec.bToA.frames > 0) this.addOne(rec, true);
  }

  private addOne(rec: FlowRecord, reverse: boolean): void {
    const tid = rec.ipVersion === 6 ? TEMPLATE_IPV6.id : TEMPLATE_IPV4.id;
    const len = recordLength(rec);
    const newSet = tid !== this.setTemplate;
    if (this.pos + len + (newSet ? 4 : 0) > this.maxMessage) {
      this.flush();
      return this.addOne(rec, reverse);
    }
    if (newSet) {
      this.closeSet();
      this.setStart = this.pos;
      this.setTemplate = tid;
      this.dv.setUint16(this.pos, tid);
      this.pos += 4;
    }
    if (this.records === 0) this.firstSeq = this.sequence;
    this.pos = writeDataRecord(this.dv, this.pos, rec, reverse, this.ctx);
    this.records++;
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
    const msg = this.buf.subarray(0, this.pos);
    this.pos = HEADER_LENGTH;
    this.records = 0;
    this.emit(msg, n, this.firstSeq);
  }
}
