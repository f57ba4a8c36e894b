// IPFIX Message header (RFC 7011 §3.1), the templates-only message the transports send at
// session start, after a collector comes back, and on refresh, and the template
// withdrawal message that ends a TCP session (RFC 7011 §8.1).
import { TEMPLATES, templateSetLength, writeTemplateSet, writeWithdrawalSet, type Template } from './template.js';

export const IPFIX_VERSION = 10;
export const HEADER_LENGTH = 16;
/** Byte offsets in the message header. */
export const H_VERSION = 0;
export const H_LENGTH = 2;
export const H_EXPORT_TIME = 4;
export const H_SEQUENCE = 8;
export const H_DOMAIN = 12;

export function writeHeader(dv: DataView, off: number, length: number, exportTime: number, sequence: number, domain: number): void {
  dv.setUint16(off + H_VERSION, IPFIX_VERSION);
  dv.setUint16(off + H_LENGTH, length);
  dv.setUint32(off + H_EXPORT_TIME, exportTime >>> 0);
  dv.setUint32(off + H_SEQUENCE, sequence >>> 0);
  dv.setUint32(off + H_DOMAIN, domain >>> 0);
}

/** Seconds since the epoch, as the header's Export Time counts them. */
export function exportTimeNow(): number {
  return Math.floor(Date.now() / 1000) >>> 0;
}

/**
 * A message carrying only the Template Set. Its sequence number is the one the next
 * data record will carry (RFC 7011 §3.1: the counter covers data records only).
 */
export function templateMessage(sequence: number, domain: number, exportTime = exportTimeNow(), templates: readonly Template[] = TEMPLATES): Uint8Array {
  const len = HEADER_LENGTH + templateSetLength(templates);
  const out = new Uint8Array(len);
  const dv = new DataView(out.buffer);
  writeHeader(dv, 0, len, exportTime, sequence, domain);
  writeTemplateSet(dv, HEADER_LENGTH, templates);
  return out;
}

/**
 * Withdraws templates of one observation domain (RFC 7011 §8.1; never over UDP, §8.4):
 * data templates in a Template Set, options templates in an Options Template Set.
 */
export function withdrawalMessage(sequence: number, domain: number, dataIds: readonly number[], optionIds: readonly number[], exportTime = exportTimeNow()): Uint8Array {
  const len = HEADER_LENGTH + (dataIds.length > 0 ? 4 + 4 * dataIds.length : 0) + (optionIds.length > 0 ? 4 + 4 * optionIds.length : 0);
  const out = new Uint8Array(len);
  const dv = new DataView(out.buffer);
  writeHeader(dv, 0, len, exportTime, sequence, domain);
  let off = HEADER_LENGTH;
  if (dataIds.length > 0) off = writeWithdrawalSet(dv, off, dataIds, false);
  if (optionIds.length > 0) writeWithdrawalSet(dv, off, optionIds, true);
  return out;
}
