// decode()'s DNS fields in tshark's vocabulary, and tshark's own, for the tests that
// compare the two (app-dns-tshark, app-dns-live).
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import type { DecodedPacket } from '../../host/dissect/decode.js';

export const DNS_FIELDS = [
  'dns.id', 'dns.flags.response', 'dns.flags.opcode', 'dns.flags.rcode', 'dns.flags.authoritative', 'dns.flags.truncated',
  'dns.flags.recdesired', 'dns.flags.recavail', 'dns.flags.z', 'dns.flags.authenticated', 'dns.flags.checkdisable',
  'dns.flags.conflict', 'dns.flags.tentative',
  'dns.count.queries', 'dns.count.answers', 'dns.count.auth_rr', 'dns.count.add_rr',
  'dns.qry.name', 'dns.qry.type', 'dns.qry.class',
  'dns.resp.name', 'dns.resp.type', 'dns.resp.class', 'dns.resp.ttl', 'dns.resp.len',
  'dns.a', 'dns.aaaa', 'dns.cname', 'dns.ptr.domain_name', 'dns.mx.preference', 'dns.mx.mail_exchange', 'dns.ns', 'dns.txt',
  'dns.soa.mname', 'dns.soa.rname', 'dns.soa.serial_number', 'dns.soa.refresh_interval', 'dns.soa.retry_interval',
  'dns.soa.expire_limit', 'dns.soa.minimum_ttl', 'dns.srv.service', 'dns.srv.proto', 'dns.srv.name',
  'dns.srv.priority', 'dns.srv.weight', 'dns.srv.port', 'dns.srv.target',
  'dns.rr.udp_payload_size', 'dns.resp.ext_rcode', 'dns.resp.edns0_version', 'dns.resp.z.do', 'dns.length',
] as const;

const SEP = '\u0001'; // between occurrences: TXT strings hold commas and semicolons

const hex = (n: number, w: number): string => `0x${n.toString(16).padStart(w, '0')}`;

/** Our fields of one frame, formatted as tshark -T fields prints them. */
export function dnsFieldsOf(p: DecodedPacket): Map<string, string[]> {
  const f = new Map<string, string[]>();
  const d = p.dns;
  if (d === undefined) return f;
  const put = (k: string, vs: Array<string | number>): void => { if (vs.length > 0) f.set(k, vs.map(String)); };
  if (d.id !== undefined) put('dns.id', [hex(d.id, 4)]);
  if (d.flags !== undefined) {
    for (const [k, v] of Object.entries(d.flags)) put(`dns.flags.${k}`, [v]);
  }
  if (d.count !== undefined) for (const [k, v] of Object.entries(d.count)) put(`dns.count.${k}`, [v]);
  put('dns.qry.name', d.qry.map((q) => q.name));
  put('dns.qry.type', d.qry.map((q) => q.type));
  put('dns.qry.class', d.qry.map((q) => hex(q.class, 4)));
  put('dns.resp.name', d.resp.flatMap((r) => (r.name === undefined ? [] : [r.name])));
  put('dns.resp.type', d.resp.flatMap((r) => [r.type, ...(r.bitmap_types ?? [])]));
  put('dns.resp.class', d.resp.flatMap((r) => (r.class === undefined ? [] : [hex(r.class, 4)])));
  put('dns.resp.ttl', d.resp.flatMap((r) => (r.ttl === undefined ? [] : [r.ttl])));
  put('dns.resp.len', d.resp.map((r) => r.len));
  put('dns.rr.udp_payload_size', d.resp.flatMap((r) => (r.udp_payload_size === undefined ? [] : [r.udp_payload_size])));
  put('dns.resp.ext_rcode', d.resp.flatMap((r) => (r.ext_rcode === undefined ? [] : [hex(r.ext_rcode, 2)])));
  put('dns.resp.edns0_version', d.resp.flatMap((r) => (r.edns0_version === undefined ? [] : [r.edns0_version])));
  put('dns.resp.z.do', d.resp.flatMap((r) => (r.z === undefined ? [] : [r.z.do])));
  put('dns.a', d.a ?? []);
  put('dns.aaaa', d.aaaa ?? []);
  put('dns.cname', d.cname ?? []);
  put('dns.ptr.domain_name', d.ptr?.domain_name ?? []);
  put('dns.mx.preference', d.mx?.preference ?? []);
  put('dns.mx.mail_exchange', d.mx?.mail_exchange ?? []);
  put('dns.ns', d.ns ?? []);
  put('dns.txt', d.txt ?? []);
  if (d.soa !== undefined) for (const [k, v] of Object.entries(d.soa)) put(`dns.soa.${k}`, v);
  if (d.srv !== undefined) for (const [k, v] of Object.entries(d.srv)) put(`dns.srv.${k}`, v);
  if (d.length !== undefined) put('dns.length', [d.length]);
  return f;
}

/** tshark's fields per frame number. */
export async function tsharkDnsFields(path: string): Promise<Map<number, Map<string, string[]>>> {
  const args = ['-r', path, '-o', 'ip.defragment:FALSE', '-o', 'tcp.desegment_tcp_streams:FALSE',
    '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', `aggregator=${SEP}`,
    '-e', 'frame.number', ...DNS_FIELDS.flatMap((x) => ['-e', x])];
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const c = spawn('tshark', args);
    let so = '';
    let se = '';
    c.stdout.setEncoding('utf8').on('data', (x: string) => { so += x; });
    c.stderr.setEncoding('utf8').on('data', (x: string) => { se += x; });
    c.on('error', reject);
    c.on('close', (n) => resolve({ code: n, stdout: so, stderr: se }));
  });
  assert.is(code, 0, `tshark on ${path}: ${stderr}`);
  const out = new Map<number, Map<string, string[]>>();
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const cols = line.split('\t');
    const m = new Map<string, string[]>();
    DNS_FIELDS.forEach((name, i) => { const v = cols[i + 1] ?? ''; if (v !== '') m.set(name, v.split(SEP)); });
    out.set(Number(cols[0]), m);
  }
  return out;
}

