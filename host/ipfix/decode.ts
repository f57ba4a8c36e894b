// A small IPFIX collector-side parser: message headers, Template Sets (kept per
// observation domain, as RFC 7011 §8 scopes them) and Data Sets decoded by their
// template. Enough to check an exporter's output and to collect over TCP in tests; it
// knows the registry elements in ie.ts by name and reports others by number.
import { ipv4ToString, ipv6ToString } from '../runtime/addr.js';
import { PktError } from '../runtime/errors.js';
import { IE } from './ie.js';
import { HEADER_LENGTH, IPFIX_VERSION } from './message.js';
import { SET_ID_TEMPLATE } from './template.js';

export interface MessageHeader {
  version: number;
  length: number;
  exportTime: number;
  sequence: number;
  domain: number;
}

export type FieldValue = number | string;

export interface DataRecord {
  domain: number;
  templateId: number;
  /** By IE name ("sourceIPv4Address" ...), or "ie<N>" for elements we do not name.
   *  Addresses as text, integers up to 8 octets as numbers. */
  fields: Record<string, FieldValue>;
}

export interface DecodedMessage {
  header: MessageHeader;
  /** Template ids defined in this message. */
  templates: number[];
  records: DataRecord[];
  /** Data sets skipped because their template is unknown (RFC 7011 §8: a collector
   *  cannot decode data before it has the template). */
  unknownSets: number;
}

interface FieldSpec { id: number; length: number; name: string }

const NAMES = new Map<number, string>(Object.values(IE).map((e) => [e.id, e.name]));
const ADDRESS_V4 = new Set([IE.sourceIPv4Address.id, IE.destinationIPv4Address.id]);
const ADDRESS_V6 = new Set([IE.sourceIPv6Address.id, IE.destinationIPv6Address.id]);

export function readHeader(b: Uint8Array, off = 0): MessageHeader {
  if (b.length - off < HEADER_LENGTH) throw new PktError('E_TRUNCATED_CAPTURE', 'ipfix: message shorter than its header');
  const dv = new DataView(b.buffer, b.byteOffset + off);
  return { version: dv.getUint16(0), length: dv.getUint16(2), exportTime: dv.getUint32(4), sequence: dv.getUint32(8), domain: dv.getUint32(12) };
}

export class IpfixDecoder {
  private readonly templates = new Map<string, FieldSpec[]>();

  decode(b: Uint8Array): DecodedMessage {
    const header = readHeader(b);
    if (header.version !== IPFIX_VERSION) throw new PktError('E_BAD_CAPTURE', `ipfix: version ${header.version}, expected 10`);
    if (header.length > b.length || header.length < HEADER_LENGTH) throw new PktError('E_BAD_CAPTURE', `ipfix: bad message length ${header.length}`);
    const dv = new DataView(b.buffer, b.byteOffset, header.length);
    const out: DecodedMessage = { header, templates: [], records: [], unknownSets: 0 };
    let off = HEADER_LENGTH;
    while (off + 4 <= header.length) {
      const setId = dv.getUint16(off);
      const setLen = dv.getUint16(off + 2);
      if (setLen < 4 || off + setLen > header.length) throw new PktError('E_BAD_CAPTURE', `ipfix: bad set length ${setLen} at ${off}`);
      const end = off + setLen;
      if (setId === SET_ID_TEMPLATE) {
        let p = off + 4;
        while (p + 4 <= end) {
          const tid = dv.getUint16(p);
          const count = dv.getUint16(p + 2);
          p += 4;
          const fields: FieldSpec[] = [];
          for (let i = 0; i < count; i++) {
            let id = dv.getUint16(p);
            const length = dv.getUint16(p + 2);
            p += 4;
            if (id & 0x8000) { id &= 0x7FFF; p += 4; } // enterprise number follows
            fields.push({ id, length, name: NAMES.get(id) ?? `ie${id}` });
          }
          this.templates.set(`${header.domain}/${tid}`, fields);
          out.templates.push(tid);
        }
      } else if (setId >= 256) {
        const fields = this.templates.get(`${header.domain}/${setId}`);
        if (fields === undefined) out.unknownSets++;
        else {
          const recLen = fields.reduce((n, f) => n + f.length, 0);
          let p = off + 4;
          while (recLen > 0 && p + recLen <= end) {
            const rec: Record<string, FieldValue> = {};
            for (const f of fields) {
              rec[f.name] = readField(b, dv, p, f);
              p += f.length;
            }
            out.records.push({ domain: header.domain, templateId: setId, fields: rec });
          }
        }
      }
      off = end;
    }
    return out;
  }
}

function readField(b: Uint8Array, dv: DataView, p: number, f: FieldSpec): FieldValue {
  if (ADDRESS_V4.has(f.id) && f.length === 4) return ipv4ToString(dv.getUint32(p));
  if (ADDRESS_V6.has(f.id) && f.length === 16) return ipv6ToString(b, p);
  if (f.length <= 8) {
    let v = 0;
    for (let i = 0; i < f.length; i++) v = v * 256 + dv.getUint8(p + i);
    return v;
  }
  let hex = '';
  for (let i = 0; i < f.length; i++) hex += dv.getUint8(p + i).toString(16).padStart(2, '0');
  return hex;
}

/**
 * Splits a TCP byte stream into messages by their length field; returns the messages
 * and the bytes left over (an incomplete message).
 */
export function splitStream(buf: Uint8Array): { messages: Uint8Array[]; rest: Uint8Array } {
  const messages: Uint8Array[] = [];
  let off = 0;
  while (buf.length - off >= HEADER_LENGTH) {
    const len = (buf[off + 2] << 8) | buf[off + 3];
    if (len < HEADER_LENGTH) throw new PktError('E_BAD_CAPTURE', `ipfix: bad message length ${len} in stream`);
    if (buf.length - off < len) break;
    messages.push(buf.subarray(off, off + len));
    off += len;
  }
  return { messages, rest: buf.subarray(off) };
}
