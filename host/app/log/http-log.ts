// --log http: one JSON line per HTTP/1.x request with its response, in the field names of
// Zeek's http.log (ts, id.orig_h, id.orig_p, id.resp_h, id.resp_p, trans_depth, method,
// host, uri, version, user_agent, status_code, status_msg) plus rtt (response time - request
// time), server, resp_content_type and `status`: "answered", "unanswered" (no response in
// HTTP_TIMEOUT_S of packet time, or at the end of input), "unsolicited" (a response on a
// connection with no request waiting). Responses answer a connection's requests in order
// (RFC 9112 §9.3.2, pipelining), so each connection keeps a queue; a 1xx interim response
// answers nothing. Fields come from the segment that carries the start line (host/app/http:
// no reassembly), so a header in a later segment is not in the log.
import type { Engine } from '../../engine/engine.js';
import { decodeHttp, type DecodedHttp } from '../http/decode.js';
import { APP_HTTP } from '../app-layout.js';
import { PendingLog, PendingTable, pendingSummary } from './pending.js';
import type { LogFrame, TransactionLog } from './transaction-log.js';

export const HTTP_TIMEOUT_S = 30;
export const HTTP_PENDING_MAX = 65536;

export interface HttpLogRecord {
  ts: number;
  'id.orig_h': string; 'id.orig_p': number; 'id.resp_h': string; 'id.resp_p': number;
  trans_depth?: number;
  method?: string; host?: string; uri?: string; version?: string; user_agent?: string;
  status_code?: number; status_msg?: string; server?: string; resp_content_type?: string;
  rtt?: number;
  status: 'answered' | 'unanswered' | 'unsolicited';
}

interface Request {
  ts: number;
  origH: string; origP: number; respH: string; respP: number;
  depth: number;
  http: DecodedHttp;
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
const conn = (ch: string, cp: number, sh: string, sp: number): string => `${ch}|${cp}|${sh}|${sp}`;

export class HttpLog extends PendingLog<Request> implements TransactionLog {
  readonly protos = [APP_HTTP];
  private readonly emit: (line: string) => void;
  /** Requests seen per connection (trans_depth) and the stamp of its latest request; the
   *  connections least recently seen are forgotten beyond `capacity` (a forgotten
   *  connection counts from 1 again). */
  private readonly depth = new Map<string, { n: number; seq: number }>();
  /** [connection, stamp] per request, oldest first: the least recently seen connection is
   *  the first pair whose stamp is still its connection's (the others are stale). Taking
   *  the Map's first key instead walked past every hole its deletions left (issue #19). */
  private order: Array<[string, number]> = [];
  private orderHead = 0;
  private seq = 0;
  private readonly capacity: number;
  /** Lines written, by status. */
  private readonly counts = { answered: 0, unanswered: 0, unsolicited: 0 };

  constructor(engine: Engine, emit: (line: string) => void, capacity = HTTP_PENDING_MAX) {
    super();
    this.emit = emit;
    this.capacity = capacity;
    this.pending = new PendingTable<Request>(engine, capacity, HTTP_TIMEOUT_S, (r) => this.write(r, null, 0, 'unanswered'));
  }

  frame(fr: LogFrame): void {
    const v = fr.view;
    const d = decodeHttp(fr.u8, v.frame, v.app);
    if (d === undefined) return;
    this.advance(fr.sec, fr.nsec);
    const ts = fr.sec + fr.nsec / 1e9;
    const src = v.srcString();
    const dst = v.dstString();
    if (d.request !== undefined) {
      const key = conn(src, v.srcPort, dst, v.dstPort);
      const depth = this.seen(key);
      this.pending.add(key, { ts, origH: src, origP: v.srcPort, respH: dst, respP: v.dstPort, depth, http: d });
      return;
    }
    const r = d.response!;
    if (r.code >= 100 && r.code < 200 && r.code !== 101) return; // interim: the final response follows
    const key = conn(dst, v.dstPort, src, v.srcPort);
    const req = this.pending.take(key);
    if (req !== undefined) { this.write(req, d, ts, 'answered'); return; }
    this.write({ ts, origH: dst, origP: v.dstPort, respH: src, respP: v.srcPort, depth: 0, http: { header_lines: 0, headers_complete: false } }, d, ts, 'unsolicited');
  }

  /** Counts a request on connection `key`: its trans_depth. O(1) amortized. */
  private seen(key: string): number {
    const seq = ++this.seq;
    let e = this.depth.get(key);
    if (e === undefined) {
      e = { n: 0, seq };
      this.depth.set(key, e);
    }
    e.n++;
    e.seq = seq;
    this.order.push([key, seq]);
    while (this.depth.size > this.capacity) {
      const [k, s] = this.order[this.orderHead++];
      if (this.depth.get(k)?.seq === s) this.depth.delete(k);
    }
    // Stale pairs go once they outnumber the live ones (each pair is dropped once).
    if (this.order.length - this.orderHead > 2 * this.capacity + 1024) {
      this.order = this.order.slice(this.orderHead).filter(([k, s]) => this.depth.get(k)?.seq === s);
      this.orderHead = 0;
    }
    return e.n;
  }

  summary(): string {
    const c = this.counts;
    return `log http: ${c.answered + c.unanswered + c.unsolicited} transactions: ${c.answered} answered, ${c.unanswered} unanswered (${pendingSummary(this.pending, 'requests')}), ${c.unsolicited} unsolicited`;
  }

  private write(req: Request, resp: DecodedHttp | null, respTs: number, status: HttpLogRecord['status']): void {
    const q = req.http;
    const rec: HttpLogRecord = { ts: round6(status === 'unsolicited' ? respTs : req.ts), 'id.orig_h': req.origH, 'id.orig_p': req.origP, 'id.resp_h': req.respH, 'id.resp_p': req.respP } as HttpLogRecord;
    if (req.depth > 0) rec.trans_depth = req.depth;
    if (q.request !== undefined) {
      rec.method = q.request.method;
      if (q.host !== undefined) rec.host = q.host;
      if (q.request.uri !== undefined) rec.uri = q.request.uri;
      if (q.request.version !== undefined) rec.version = q.request.version.slice(5);
      if (q.user_agent !== undefined) rec.user_agent = q.user_agent;
    }
    if (resp?.response !== undefined) {
      if (rec.version === undefined) rec.version = resp.response.version.slice(5);
      rec.status_code = resp.response.code;
      if (resp.response.phrase !== undefined) rec.status_msg = resp.response.phrase;
      if (resp.server !== undefined) rec.server = resp.server;
      if (resp.content_type !== undefined) rec.resp_content_type = resp.content_type;
    }
    if (status === 'answered') rec.rtt = round6(respTs - req.ts);
    rec.status = status;
    this.counts[status]++;
    this.emit(JSON.stringify(rec));
  }
}
