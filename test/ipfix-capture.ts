// Independent readers of what an exporter put on the wire: tcpdump captures the export
// traffic on loopback, tshark's IPFIX dissector (cflow) decodes the capture (PDML, so that
// RFC 5103 reverse fields, which tshark shows under the forward field's name, are told
// apart by their "(Reverse Type ...)" label), and nfdump prints nfcapd's files with the
// biflow counters. Processes are started and stopped by pid.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './ipfix-tools.js';

export interface LoopbackCapture {
  /** Stops tcpdump (by its pid) once the file has stopped growing; resolves to the file
   *  and the packets tcpdump says the kernel dropped (then the capture is not complete). */
  stop(): Promise<{ file: string; dropped: number }>;
}

/** tcpdump -i lo --immediate-mode -U -w FILE FILTER (immediate: a packet is written when it
 *  arrives, not when a kernel buffer block fills or times out); resolves once tcpdump
 *  listens. Needs root. */
export async function captureLoopback(file: string, filter: string): Promise<LoopbackCapture> {
  const child = spawn('tcpdump', ['-i', 'lo', '--immediate-mode', '-U', '-w', file, filter], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  for (let i = 0; i < 100 && !err.includes('listening on') && child.exitCode === null; i++) await sleep(50);
  if (!err.includes('listening on')) {
    child.kill('SIGKILL');
    throw new Error(`tcpdump did not start: ${err.trim()}`);
  }
  const size = (): number => { try { return statSync(file).size; } catch { return 0; } };
  return {
    async stop() {
      // A busy machine may leave the last packets in the kernel's ring for a while, and
      // tcpdump stops without reading what is left there: wait until the file has not
      // grown for half a second (at most ten seconds).
      let last = -1;
      for (let stable = 0, k = 0; stable < 5 && k < 100; k++) {
        await sleep(100);
        const now = size();
        stable = now === last ? stable + 1 : 0;
        last = now;
      }
      if (child.exitCode === null) child.kill('SIGINT');
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return { file, dropped: Number(/(\d+) packets? dropped by kernel/.exec(err)?.[1] ?? 0) };
    },
  };
}

export interface TsharkField {
  /** tshark's field name, e.g. "cflow.octets", "cflow.notsent_flows". */
  name: string;
  show: string;
  /** An RFC 5103 reverse element. */
  reverse: boolean;
}

export interface TsharkRecord {
  setId: number;
  fields: TsharkField[];
}

export interface TsharkMessage {
  /** The exporter's transport port (UDP or TCP source port). */
  srcPort: number;
  length: number;
  sequence: number;
  domain: number;
  records: TsharkRecord[];
  /** Template ids defined in this message, with the enterprise numbers of their fields. */
  templates: { id: number; pens: number[] }[];
  /** Template ids withdrawn (a record with field count 0). */
  withdrawn: number[];
  /** Expert messages (sequence warnings, malformed ...). */
  experts: string[];
}

const attr = (line: string, a: string): string | null => {
  const m = new RegExp(`\\b${a}="([^"]*)"`).exec(line);
  return m === null ? null : m[1].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
};

/** Every IPFIX message tshark finds in `pcap` on `proto` port `port`, in capture order. */
export function tsharkIpfix(pcap: string, proto: 'udp' | 'tcp', port: number): TsharkMessage[] {
  const r = spawnSync('tshark', ['-r', pcap, '-d', `${proto}.port==${port},cflow`, '-T', 'pdml', `${proto}.port==${port}`],
    { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`tshark failed on ${pcap}: ${r.stderr}`);
  const out: TsharkMessage[] = [];
  let srcPort = 0;
  let msg: TsharkMessage | null = null;
  let inSets = false;
  let rec: TsharkRecord | null = null;
  let setId = 0;
  let tmpl: { id: number; pens: number[] } | null = null;
  let optionsTemplateId = -1;
  for (const line of r.stdout.split('\n')) {
    const name = attr(line, 'name');
    const show = attr(line, 'show');
    if (name === `${proto}.srcport` && show !== null) srcPort = Number(show);
    // Another layer's proto element (TCP's FIN notes ...) belongs to no IPFIX message.
    if (/<proto name="(geninfo|frame|eth|sll|ip|ipv6|tcp|udp)"/.test(line)) { msg = null; continue; }
    if (/<proto name="cflow"/.test(line)) {
      msg = { srcPort, length: 0, sequence: -1, domain: -1, records: [], templates: [], withdrawn: [], experts: [] };
      out.push(msg);
      inSets = false; rec = null; tmpl = null; optionsTemplateId = -1;
      continue;
    }
    if (msg === null) continue;
    if (name === '_ws.expert.message' && show !== null) { msg.experts.push(show); continue; }
    if (name === '' && show !== null) {
      let m: RegExpExecArray | null;
      if ((m = /^Set \d+ \[id=(\d+)\]/.exec(show)) !== null) { inSets = true; setId = Number(m[1]); rec = null; tmpl = null; continue; }
      if (/^Flow \d+$/.test(show)) { rec = { setId, fields: [] }; msg.records.push(rec); continue; }
      if ((m = /^Template \(Id = (\d+), Count = (\d+)\)/.exec(show)) !== null) {
        if (m[2] === '0') { msg.withdrawn.push(Number(m[1])); tmpl = null; } else { tmpl = { id: Number(m[1]), pens: [] }; msg.templates.push(tmpl); }
        continue;
      }
      if ((m = /^Options Template \(Id = (\d+)\)/.exec(show)) !== null) {
        tmpl = { id: Number(m[1]), pens: [] };
        msg.templates.push(tmpl);
        optionsTemplateId = tmpl.id;
        continue;
      }
      continue;
    }
    if (name === null || !name.startsWith('cflow.') || show === null) continue;
    if (!inSets) {
      if (name === 'cflow.len') msg.length = Number(show);
      else if (name === 'cflow.sequence') msg.sequence = Number(show);
      else if (name === 'cflow.od_id') msg.domain = Number(show);
      continue;
    }
    if (name === 'cflow.template_ipfix_total_field_count' && show === '0' && optionsTemplateId >= 0) {
      // An Options Template record with no fields: a withdrawal.
      msg.templates = msg.templates.filter((t) => t.id !== optionsTemplateId);
      msg.withdrawn.push(optionsTemplateId);
      optionsTemplateId = -1;
      continue;
    }
    if (name === 'cflow.template_ipfix_field_pen' && tmpl !== null) { tmpl.pens.push(Number(show)); continue; }
    if (rec !== null) rec.fields.push({ name, show, reverse: /\(Reverse Type \d+/.test(attr(line, 'showname') ?? '') });
  }
  return out;
}

/** The value of a field of a record: the forward one, or the reverse one. */
export function fieldOf(r: TsharkRecord, name: string, reverse = false): string | undefined {
  return r.fields.find((f) => f.name === name && f.reverse === reverse)?.show;
}

export interface NfBiflow {
  sa: string; da: string; sp: number; dp: number; pr: string; flg: string;
  ipkt: number; ibyt: number; opkt: number; obyt: number; exp: number;
}

/** Every flow nfcapd stored in `dir`, with nfdump's "out" counters (where it puts the
 *  reverse counters of a biflow). */
export function readNfdumpBiflows(dir: string): NfBiflow[] {
  const rows: NfBiflow[] = [];
  for (const f of readdirSync(dir).filter((n) => /^nfcapd\.\d+$/.test(n))) {
    const r = spawnSync('nfdump', ['-r', join(dir, f), '-q', '-N', '-6', '-o', 'fmt:%sa|%da|%sp|%dp|%pr|%flg|%ipkt|%ibyt|%opkt|%obyt|%exp'],
      { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    for (const line of r.stdout.split('\n')) {
      const c = line.split('|').map((x) => x.trim());
      if (c.length < 11) continue;
      rows.push({
        sa: c[0], da: c[1], sp: Number(c[2]), dp: Number(c[3]), pr: c[4], flg: c[5],
        ipkt: Number(c[6]), ibyt: Number(c[7]), opkt: Number(c[8]), obyt: Number(c[9]), exp: Number(c[10]),
      });
    }
  }
  return rows;
}

/** nfdump's protocol names to numbers. */
export function protoNumber(name: string): number {
  const k = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  const known: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58, ipv6icmp: 58, icmp6: 58, gre: 47, esp: 50, sctp: 132, igmp: 2, ospf: 89, pim: 103, ah: 51, rsvp: 46, ipip: 4, ipv6: 41 };
  return known[k] ?? Number(name);
}

/** nfdump's flag string ("...AP.SF") to the tcpControlBits byte. */
export function flagsOf(s: string): number {
  const bits = 'CEUAPRSF';
  let v = 0;
  for (let i = 0; i < 8; i++) if (s[i] !== undefined && s[i] !== '.') v |= 1 << (7 - bits.indexOf(s[i]));
  return v & 0xFF;
}
