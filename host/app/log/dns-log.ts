// --log dns: one JSON line per DNS transaction, in the field names of Zeek's dns.log
// (ts, id.orig_h, id.orig_p, id.resp_h, id.resp_p, proto, trans_id, rtt, query, qclass,
// qtype, rcode and their _name, AA, TC, RD, RA, Z, answers, TTLs), plus `service` (dns,
// mdns, llmnr) and `status`: "answered" (a query and the response with the same id in the
// same conversation, i.e. the 5-tuple in either direction, as tshark pairs them, with rtt =
// response time - query time), "unanswered" (no
// response within DNS_TIMEOUT_S of packet time, or at the end of input), "unsolicited" (a
// response whose query was not seen). A query repeated while its first copy waits is the
// same transaction. Pending queries wait in a PendingTable (a timer wheel, O(1) per query);
// at most DNS_PENDING_MAX of them (the constructor's `capacity`), the oldest written out
// unanswered to make room. The exit summary counts each way a query ended.
import type { Engine } from '../../engine/engine.js';
import { PendingLog, PendingTable, pendingSummary } from './pending.js';
import { readDns, type DnsMessage } from '../dns/message.js';
import { readName } from '../dns/names.js';
import { TYPE_NAMES, T_A, T_AAAA, T_CNAME, T_NS, T_PTR, T_DNAME, T_MX, T_SRV, T_TXT } from '../dns/types.js';
import { APP_DNS, DV_TCP, DV_MDNS, DV_LLMNR, DS_QUESTION, DS_ANSWER, DIF_BAD_RDATA, DIF_RDATA_TRUNC } from '../app-layout.js';
import { ipv4ToString, ipv6ToString } from '../../runtime/addr.js';
import type { LogFrame, TransactionLog } from './transaction-log.js';

export const DNS_TIMEOUT_S = 10;
export const DNS_PENDING_MAX = 65536;

const CLASS_NAMES: ReadonlyMap<number, string> = new Map([[1, 'C_INTERNET'], [3, 'C_CHAOS'], [4, 'C_HESIOD'], [254, 'C_NONE'], [255, 'C_ANY']]);
const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];
const EXT_RCODE_NAMES: ReadonlyMap<number, string> = new Map([[16, 'BADVERS'], [17, 'BADKEY'], [18, 'BADTIME'], [19, 'BADMODE'], [20, 'BADNAME'], [21, 'BADALG'], [22, 'BADTRUNC'], [23, 'BADCOOKIE']]);

/** What a query leaves waiting for its response. */
interface Pending {
  ts: number;
  origH: string; origP: number; respH: string; respP: number;
  proto: 'udp' | 'tcp';
  service: 'dns' | 'mdns' | 'llmnr';
  id: number;
  query: Question | null;
  flags: number;
}

interface Question { name: string; type: number; cls: number }

export interface DnsLogRecord {
  ts: number;
  'id.orig_h': string; 'id.orig_p': number; 'id.resp_h': string; 'id.resp_p': number;
  proto: 'udp' | 'tcp';
  service: 'dns' | 'mdns' | 'llmnr';
  trans_id: number;
  status: 'answered' | 'unanswered' | 'unsolicited';
  rtt?: number;
  query?: string; qclass?: number; qclass_name?: string; qtype?: number; qtype_name?: string;
  rcode?: number; rcode_name?: string;
  AA: boolean; TC: boolean; RD: boolean; RA: boolean; Z: number;
  answers?: string[]; TTLs?: number[];
}

const seconds = (sec: number, nsec: number): number => sec + nsec / 1e9;
/** A JSON string: names and TXT may hold quotes, backslashes and control characters. */
const SAFE = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;
const str = (s: string): string => (SAFE.test(s) ? `"${s}"` : JSON.stringify(s));
const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

export class DnsLog extends PendingLog<Pending> implements TransactionLog {
  readonly protos = [APP_DNS];
  private readonly emit: (line: string) => void;
  /** Lines written, by status. */
  private answered = 0;
  private unanswered = 0;
  private unsolicited = 0;

  constructor(engine: Engine, emit: (line: string) => void, capacity = DNS_PENDING_MAX) {
    super();
    this.emit = emit;
    this.pending = new PendingTable<Pending>(engine, capacity, DNS_TIMEOUT_S, (p) => this.write(p, 'unanswered', null, null, 0, 0));
  }

  frame(fr: LogFrame): void {
    const v = fr.view;
    const m = readDns(fr.u8, v.frame, v.app);
    if (m === null || !m.hasHeader) return;
    this.advance(fr.sec, fr.nsec);
    const proto = (m.variant & DV_TCP) !== 0 ? 'tcp' : 'udp';
    const src = v.srcString();
    const dst = v.dstString();
    const ts = seconds(fr.sec, fr.nsec);
    if ((m.hdrFlags & 0x8000) === 0) {
      const key = transactionKey(proto, src, v.srcPort, dst, v.dstPort, m.id);
      // A retransmission (same id, same 5-tuple, still waiting): the transaction is the first
      // query's, as tshark pairs them (its response time counts from the first).
      if (this.pending.has(key)) return;
      this.pending.add(key, {
        ts, origH: src, origP: v.srcPort, respH: dst, respP: v.dstPort, proto,
        service: service(m), id: m.id, query: question(fr.u8, v.frame, m), flags: m.hdrFlags,
      });
      return;
    }
    const key = transactionKey(proto, src, v.srcPort, dst, v.dstPort, m.id);
    const p = this.pending.take(key);
    if (p !== undefined) {
      this.write(p, 'answered', m, fr.u8, v.frame, ts);
      return;
    }
    const q = question(fr.u8, v.frame, m);
    this.write({
      ts, origH: dst, origP: v.dstPort, respH: src, respP: v.srcPort, proto, service: service(m),
      id: m.id, query: q, flags: m.hdrFlags,
    }, 'unsolicited', m, fr.u8, v.frame, ts);
  }

  summary(): string {
    return `log dns: ${this.answered + this.unanswered + this.unsolicited} transactions: ${this.answered} answered, ${this.unanswered} unanswered (${pendingSummary(this.pending, 'queries')}), ${this.unsolicited} unsolicited`;
  }

  private write(p: Pending, status: DnsLogRecord['status'], resp: DnsMessage | null, u8: Uint8Array | null, f: number, respTs: number): void {
    if (status === 'answered') this.answered++;
    else if (status === 'unanswered') this.unanswered++;
    else this.unsolicited++;
    const flags = resp?.hdrFlags ?? p.flags;
    // One DnsLogRecord as JSON, written out directly (an object and JSON.stringify per line
    // cost several times more), keys in dns.log's order: connection, trans_id, rtt, query,
    // rcode, flags, answers, then status.
    let j = `{"ts":${round6(p.ts)},"id.orig_h":"${p.origH}","id.orig_p":${p.origP},"id.resp_h":"${p.respH}","id.resp_p":${p.respP},"proto":"${p.proto}","service":"${p.service}","trans_id":${p.id}`;
    if (status === 'answered') j += `,"rtt":${round6(respTs - p.ts)}`;
    const q = p.query;
    if (q !== null) {
      j += `,"query":${str(q.name)},"qclass":${q.cls},"qclass_name":"${CLASS_NAMES.get(q.cls) ?? `C_${q.cls}`}","qtype":${q.type},"qtype_name":"${TYPE_NAMES.get(q.type) ?? `TYPE${q.type}`}"`;
    }
    if (resp !== null) {
      const rcode = (resp.extRcode << 4) | (resp.hdrFlags & 15);
      j += `,"rcode":${rcode},"rcode_name":"${RCODE_NAMES[rcode] ?? EXT_RCODE_NAMES.get(rcode) ?? `RCODE${rcode}`}"`;
    }
    j += `,"AA":${resp !== null && (flags & 0x400) !== 0},"TC":${(flags & 0x200) !== 0},"RD":${(p.flags & 0x100) !== 0},"RA":${resp !== null && (flags & 0x80) !== 0},"Z":${(flags >>> 4) & 7}`;
    if (resp !== null && u8 !== null) {
      let answers = '';
      let ttls = '';
      const capEnd = resp.off + resp.cap;
      for (const it of resp.items) {
        if (it.section !== DS_ANSWER) continue;
        const text = (it.flags & (DIF_BAD_RDATA | DIF_RDATA_TRUNC)) !== 0 ? '<bad rdata>' : answerText(u8, f, resp, it.type, it.rdata, it.rdlen, capEnd);
        answers += answers === '' ? str(text) : `,${str(text)}`;
        ttls += ttls === '' ? `${it.ttl}` : `,${it.ttl}`;
      }
      if (answers !== '') j += `,"answers":[${answers}],"TTLs":[${ttls}]`;
    }
    this.emit(`${j},"status":"${status}"}`);
  }

}

/** The transaction's key: the id and the two endpoints in either order (the conversation,
 *  as tshark pairs them: a response comes back on the query's 5-tuple reversed, and an mDNS
 *  response may go to the same multicast group the query went to). */
function transactionKey(proto: string, a: string, ap: number, b: string, bp: number, id: number): string {
  const x = `${a}|${ap}`;
  const y = `${b}|${bp}`;
  return x < y ? `${proto}|${x}|${y}|${id}` : `${proto}|${y}|${x}|${id}`;
}

function service(m: DnsMessage): 'dns' | 'mdns' | 'llmnr' {
  return (m.variant & DV_MDNS) !== 0 ? 'mdns' : (m.variant & DV_LLMNR) !== 0 ? 'llmnr' : 'dns';
}

/** A name as Zeek logs it: no trailing dot, the root as ".". */
function zname(u8: Uint8Array, f: number, m: DnsMessage, p: number): string {
  const t = readName(u8, f, m.off, p, m.off + m.cap).text;
  return t === '<Root>' ? '.' : t;
}

function question(u8: Uint8Array, f: number, m: DnsMessage): Question | null {
  const q = m.items.find((it) => it.section === DS_QUESTION);
  if (q === undefined) return null;
  const cls = (m.variant & DV_MDNS) !== 0 ? q.cls & 0x7FFF : q.cls;
  return { name: zname(u8, f, m, q.name), type: q.type, cls };
}

/** One answer as Zeek's dns.log lists it: the address or name the record holds. */
function answerText(u8: Uint8Array, f: number, m: DnsMessage, type: number, rd: number, rdlen: number, capEnd: number): string {
  const p = f + rd;
  switch (type) {
    case T_A: return ipv4ToString(((u8[p] << 24) | (u8[p + 1] << 16) | (u8[p + 2] << 8) | u8[p + 3]) >>> 0);
    case T_AAAA: return ipv6ToString(u8, p);
    case T_CNAME: case T_NS: case T_PTR: case T_DNAME: return zname(u8, f, m, rd);
    case T_MX: return zname(u8, f, m, rd + 2);
    case T_SRV: return zname(u8, f, m, rd + 6);
    case T_TXT: {
      const parts: string[] = [];
      for (let q = rd; q < rd + rdlen && q < capEnd; q += 1 + u8[f + q]) parts.push(Buffer.from(u8.subarray(f + q + 1, f + q + 1 + u8[f + q])).toString('latin1'));
      return `TXT ${parts.join(' ')}`;
    }
    default: return `<${TYPE_NAMES.get(type) ?? `TYPE${type}`}>`;
  }
}
