// A small IPFIX collector-side parser: message headers, Template Sets and Options Template
// Sets (kept per observation domain, as RFC 7011 §8 scopes them; a record with field
// count 0 withdraws a template), and Data Sets decoded by their template. Enough to check
// an exporter's output and to collect over TCP in tests; it knows the registry elements
// in ie.ts by name (RFC 5103 reverse elements as "reverseOctetDeltaCount" ...) and
// reports others by number ("ie<N>", "ie<PEN>.<N>").
import { ipv4ToString, ipv6ToString } from '../runtime/addr.js';
import { PktError } from '../runtime/errors.js';
import { IE, REVERSE, REVERSE_PEN, ieKey } from './ie.js';
import { HEADER_LENGTH, IPFIX_VERSION } from './message.js';
import { SET_ID_OPTIONS_TEMPLATE, SET_ID_TEMPLATE } from './template.js';

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
  /** Template ids defined in this message (data and options templates). */
  templates: number[];
  /** Template ids withdrawn by this message (RFC 7011 §8.1); 2 or 3 = all data / all
   *  options templates of the domain. */
  withdrawn: number[];
  /** Records of data templates (flows). */
  records: DataRecord[];
  /** Records of options templates (the exporter's statistics ...). */
  options: DataRecord[];
  /** Data sets skipped because their template is unknown (RFC 7011 §8: a collector
   *  cannot decode data before it has the template). */
  unknownSets: number;
}

interface FieldSpec { id: number; pen: number; length: number; name: string }
interface TemplateSpec { fields: FieldSpec[]; options: boolean }

const NAMES = new Map<number, string>([...Object.values(IE), ...Object.values(REVERSE)].map((e) => [ieKey(e.id, e.pen), e.name]));

function nameOf(id: number, pen: number): string {
  const known = NAMES.get(ieKey(id, pen));
  if (known !== undefined) return known;
  if (pen === REVERSE_PEN) {
    const fwd = NAMES.get(id);
    if (fwd !== undefined) return `reverse${fwd[0].toUpperCase()}${fwd.slice(1)}`;
  }
  return pen === 0 ? `ie${id}` : `ie${pen}.${id}`;
}
const ADDRESS_V4 = new Set([IE.sourceIPv4Address.id, IE.destinationIPv4Address.id]);
const ADDRESS_V6 = new Set([IE.sourceIPv6Address.id, IE.destinationIPv6Address.id]);

export function readHeader(b: Uint8Array, off = 0): MessageHeader {
  if (b.length - off < HEADER_LENGTH) throw new PktError('E_TRUNCATED_CAPTURE', 'ipfix: message shorter than its header');
  const dv = new DataView(b.buffer, b.byteOffset + off);
  return { version: dv.getUint16(0), length: dv.getUint16(2), exportTime: dv.getUint32(4), sequence: dv.getUint32(8), domain: dv.getUint32(12) };
}

export class IpfixDecoder {
  private readonly templates = new Map<string, TemplateSpec>();

  decode(b: Uint8Array): DecodedMessage {
    const header = readHeader(b);
    if (header.version !== IPFIX_VERSION) throw new PktError('E_BAD_CAPTURE', `ipfix: version ${header.version}, expected 10`);
    if (header.length > b.length || header.length < HEADER_LENGTH) throw new PktError('E_BAD_CAPTURE', `ipfix: bad message length ${header.length}`);
    const dv = new DataView(b.buffer, b.byteOffset, header.length);
    const out: DecodedMessage = { header, templates: [], withdrawn: [], records: [], options: [], unknownSets: 0 };
    let off = HEADER_LENGTH;
    while (off + 4 <= header.length) {
      const setId = dv.getUint16(off);
      const setLen = dv.getUint16(off + 2);
      if (setLen < 4 || off + setLen > header.length) throw new PktError('E_BAD_CAPTURE', `ipfix: bad set length ${setLen} at ${off}`);
      const end = off + setLen;
      if (setId === SET_ID_TEMPLATE || setId === SET_ID_OPTIONS_TEMPLATE) {
        this.templateSet(dv, off + 4, end, header.domain, setId === SET_ID_OPTIONS_TEMPLATE, out);
      } else if (setId >= 256) {
        const t = this.templates.get(`${header.domain}/${setId}`);
        if (t === undefined) out.unknownSets++;
        else {
          const recLen = t.fields.reduce((n, f) => n + f.length, 0);
          let p = off + 4;
          while (recLen > 0 && p + recLen <= end) {
            const rec: Record<string, FieldValue> = {};
            for (const f of t.fields) {
              // A repeated element (two observationTimeMilliseconds) keeps every value: name, name#2 ...
              let key = f.name;
              for (let k = 2; key in rec; k++) key = `${f.name}#${k}`;
              rec[key] = readField(b, dv, p, f);
              p += f.length;
            }
            (t.options ? out.options : out.records).push({ domain: header.domain, templateId: setId, fields: rec });
          }
        }
      }
      off = end;
    }
    return out;
  }

  private templateSet(dv: DataView, p: number, end: number, domain: number, options: boolean, out: DecodedMessage): void {
    while (p + 4 <= end) {
      const tid = dv.getUint16(p);
      const count = dv.getUint16(p + 2);
      p += 4;
      if (count === 0) {
        // Withdrawal (RFC 7011 §8.1); the set ids 2 and 3 withdraw every template of their kind.
        if (tid === SET_ID_TEMPLATE || tid === SET_ID_OPTIONS_TEMPLATE) {
          for (const [k, t] of this.templates) if (k.startsWith(`${domain}/`) && t.options === (tid === SET_ID_OPTIONS_TEMPLATE)) this.templates.delete(k);
        } else {
          this.templates.delete(`${domain}/${tid}`);
        }
        out.withdrawn.push(tid);
        continue;
      }
      if (options) {
        if (p + 2 > end) throw new PktError('E_BAD_CAPTURE', `ipfix: options template ${tid} cut short`);
        p += 2; // scope field count: the scope fields are the first ones, decoded alike
      }
      const fields: FieldSpec[] = [];
      for (let i = 0; i < count; i++) {
        if (p + 4 > end) throw new PktError('E_BAD_CAPTURE', `ipfix: template ${tid} cut short`);
        let id = dv.getUint16(p);
        const length = dv.getUint16(p + 2);
        p += 4;
        let pen = 0;
        if (id & 0x8000) {
          if (p + 4 > end) throw new PktError('E_BAD_CAPTURE', `ipfix: template ${tid} cut short`);
          id &= 0x7FFF;
          pen = dv.getUint32(p);
          p += 4;
        }
        fields.push({ id, pen, length, name: nameOf(id, pen) });
      }
      this.templates.set(`${domain}/${tid}`, { fields, options });
      out.templates.push(tid);
    }
  }
}

function readField(b: Uint8Array, dv: DataView, p: number, f: FieldSpec): FieldValue {
  if (f.pen === 0 && ADDRESS_V4.has(f.id) && f.length === 4) return ipv4ToString(dv.getUint32(p));
  if (f.pen === 0 && ADDRESS_V6.has(f.id) && f.length === 16) return ipv6ToString(b, p);
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
