// Spanning-tree BPDUs (802.1D, RSTP 802.1w, MSTP 802.1s, SPB 802.1aq) as tcpdump 4.99's
// print-stp.c prints them: one line, and with -v the timers, root and MSTI records on lines
// of their own. The BPDU starts at the descriptor's PAYLOAD_OFF (after LLC or SNAP, L_STP);
// its fields sit at fixed offsets of the BPDU format, the MSTI records at 16-byte steps
// after the 102-byte MSTP part, as many as its version-3 length says.
import type { TextState } from './state.js';
import { writeCharEscaped } from './escape.js';

const PROTOCOLS: Record<number, string> = { 0: '802.1d', 2: '802.1w', 3: '802.1s', 4: '802.1aq' };
const BPDU_TYPES: Record<number, string> = { 0x00: 'Config', 0x02: 'Rapid STP', 0x80: 'Topology Change' };
const FLAGS: Array<[number, string]> = [
  [0x01, 'Topology change'], [0x02, 'Proposal'], [0x10, 'Learn'], [0x20, 'Forward'], [0x40, 'Agreement'], [0x80, 'Topology change ACK'],
];
const PORT_ROLES = ['Unknown', 'Alternate', 'Root', 'Designated'];

const BPDU_LEN = 36; // sizeof(struct stp_bpdu_): through the version-1 length byte
const MSTP_MIN_LEN = 102;
const V3_LEN = 36;
const MSTI_LEN = 16;
const CONFIG_INFO_LEN = 64;
const SPB_MIN_LEN = 87;

/** stp_print(): `p` the BPDU, `length` the bytes the LLC/SNAP header left for it. */
export function writeStp(st: TextState, p: number, length: number): void {
  const out = st.out;
  st.proto = 'stp';
  if (length < 4) { out.str(' (invalid)'); return; }
  if (st.g16(p) !== 0) {
    if (st.dead) return;
    out.str('unknown STP version, length ').dec(length);
    return;
  }
  const version = st.g8(p + 2);
  if (st.dead) return;
  out.str('STP ');
  const name = PROTOCOLS[version];
  if (name !== undefined) out.str(name); else out.str('Unknown STP protocol (0x').hex(version, 2).ch(41);
  if (name === undefined) return;
  const type = st.g8(p + 3);
  if (st.dead) return;
  out.str(', ');
  const tname = BPDU_TYPES[type];
  if (tname !== undefined) out.str(tname); else out.str('Unknown BPDU Type (0x').hex(type, 2).ch(41);
  if (type === 0x00) {
    if (length < BPDU_LEN - 1) { out.str(' (invalid)'); return; }
    writeConfig(st, p, length);
  } else if (type === 0x02) {
    if (version === 2) {
      if (length < BPDU_LEN) { out.str(' (invalid)'); return; }
      writeConfig(st, p, length);
    } else if (version === 3 || version === 4) {
      if (length < MSTP_MIN_LEN) { out.str(' (invalid)'); return; }
      const v1len = st.g8(p + 35);
      if (st.dead) return;
      if (v1len !== 0) { out.str(' (invalid)'); return; }
      const mstpLen = st.g16(p + V3_LEN) + 2;
      if (st.dead) return;
      if (length < BPDU_LEN + mstpLen) { out.str(' (invalid)'); return; }
      writeMstp(st, p, length);
      if (version === 4 && !st.dead) {
        const spbLen = st.g16(p + V3_LEN + mstpLen) + 2;
        if (st.dead) return;
        if (length < BPDU_LEN + mstpLen + spbLen || spbLen < SPB_MIN_LEN) { out.str(' (invalid)'); return; }
        writeSpb(st, p, BPDU_LEN + mstpLen);
      }
    }
  }
}

function writeFlags(st: TextState, flags: number): void {
  let any = false;
  for (const [bit, name] of FLAGS) {
    if ((flags & bit) === 0) continue;
    if (any) st.out.str(', ');
    st.out.str(name);
    any = true;
  }
  if (!any) st.out.str('none');
}

/** "pppp.aa:bb:cc:dd:ee:ff": priority and address of an 8-byte bridge identifier. */
function writeBridgeId(st: TextState, p: number): void {
  if (!st.get(p, 8)) return;
  const m = st.m;
  st.out.hex2(m[p]).hex2(m[p + 1]).ch(46).macAt(m, p + 2);
}

/** printf("%.2f", ticks / 256.0): exact in binary, rounded half to even as glibc does. */
function writeSeconds(st: TextState, ticks: number): void {
  const scaled = ticks * 100;
  let cents = Math.floor(scaled / 256);
  const rem = scaled - cents * 256;
  if (rem > 128 || (rem === 128 && (cents & 1) === 1)) cents++;
  st.out.dec(Math.floor(cents / 100)).ch(46).decPad(cents % 100, 2).ch(115);
}

function writeTimers(st: TextState, p: number): void {
  const age = st.g16(p + 27);
  const max = st.g16(p + 29);
  const hello = st.g16(p + 31);
  const fwd = st.g16(p + 33);
  if (st.dead) return;
  st.out.str('\n\tmessage-age ');
  writeSeconds(st, age);
  st.out.str(', max-age ');
  writeSeconds(st, max);
  st.out.str(', hello-time ');
  writeSeconds(st, hello);
  st.out.str(', forwarding-delay ');
  writeSeconds(st, fwd);
}

function writeConfig(st: TextState, p: number, length: number): void {
  const out = st.out;
  const flags = st.g8(p + 4);
  if (st.dead) return;
  out.str(', Flags [');
  writeFlags(st, flags);
  out.ch(93);
  // tcpdump reads a line's fields before printing any of it: a cut prints none of it.
  const port = st.g16(p + 25);
  if (!st.get(p + 17, 8)) return;
  out.str(', bridge-id ');
  writeBridgeId(st, p + 17);
  out.ch(46).hex(port, 4).str(', length ').dec(length);
  if (!st.vflag) return;
  writeTimers(st, p);
  if (st.dead) return;
  const cost = st.g32(p + 13);
  if (!st.get(p + 5, 8)) return;
  out.str('\n\troot-id ');
  writeBridgeId(st, p + 5);
  out.str(', root-pathcost ').dec(cost);
  if (st.m[p + 2] === 2) out.str(', port-role ').str(PORT_ROLES[(flags & 0x0C) >> 2]);
}

function writeMstp(st: TextState, p: number, length: number): void {
  const out = st.out;
  const flags = st.g8(p + 4);
  if (st.dead) return;
  out.str(', CIST Flags [');
  writeFlags(st, flags);
  out.str('], length ').dec(length);
  if (!st.vflag) return;
  out.str('\n\tport-role ').str(PORT_ROLES[(flags & 0x0C) >> 2]).str(', ');
  const cost = st.g32(p + 13);
  if (!st.get(p + 5, 8)) return;
  out.str('CIST root-id ');
  writeBridgeId(st, p + 5);
  out.str(', CIST ext-pathcost ').dec(cost);
  if (!st.get(p + 17, 8)) return;
  out.str('\n\tCIST regional-root-id ');
  writeBridgeId(st, p + 17);
  out.str(', ');
  const port = st.g16(p + 25);
  if (st.dead) return;
  out.str('CIST port-id ').hex(port, 4).ch(44);
  writeTimers(st, p);
  const v3len = st.g16(p + V3_LEN);
  if (st.dead) return;
  out.str('\n\tv3len ').dec(v3len).str(', MCID Name ');
  if (!writeMcid(st, p + 39, 'rev')) return;
  out.str(', ');
  const intCost = st.g32(p + 89);
  if (st.dead) return;
  out.str('CIST int-root-pathcost ').dec(intCost).ch(44);
  if (!st.get(p + 93, 8)) return;
  out.str('\n\tCIST bridge-id ');
  writeBridgeId(st, p + 93);
  out.str(', ');
  const hops = st.g8(p + 101);
  if (st.dead) return;
  out.str('CIST remaining-hops ').dec(hops);
  if (v3len <= CONFIG_INFO_LEN) return;
  let len = v3len - CONFIG_INFO_LEN;
  for (let off = MSTP_MIN_LEN; len >= MSTI_LEN; off += MSTI_LEN, len -= MSTI_LEN) {
    const r = p + off;
    const msti = st.g16(r + 1) & 0x0FFF;
    const mflags = st.g8(r);
    if (st.dead) return;
    out.str('\n\tMSTI ').dec(msti).str(', Flags [');
    writeFlags(st, mflags);
    out.str('], port-role ').str(PORT_ROLES[(mflags & 0x0C) >> 2]);
    const pathcost = st.g32(r + 9);
    if (!st.get(r + 1, 8)) return;
    out.str('\n\t\tMSTI regional-root-id ');
    writeBridgeId(st, r + 1);
    out.str(', pathcost ').dec(pathcost);
    const bprio = st.g8(r + 13);
    const pprio = st.g8(r + 14);
    const mhops = st.g8(r + 15);
    if (st.dead) return;
    out.str('\n\t\tMSTI bridge-prio ').dec(bprio >> 4).str(', port-prio ').dec(pprio >> 4).str(', hops ').dec(mhops);
  }
}

/** An MST configuration identifier's name (32 bytes, up to a NUL), revision and digest at
 *  p (tcpdump spells the revision "rev" for MSTP, "Rev" for SPB); false when cut. */
function writeMcid(st: TextState, p: number, rev: string): boolean {
  const out = st.out;
  for (let i = 0; i < 32; i++) {
    const c = st.g8(p + i);
    if (st.dead) return false;
    if (c === 0) break;
    writeCharEscaped(out, c);
  }
  const r = st.g16(p + 32);
  const d = [st.g32(p + 34), st.g32(p + 38), st.g32(p + 42), st.g32(p + 46)];
  if (st.dead) return false;
  out.str(', ').str(rev).ch(32).dec(r).str(',\n\t\tdigest ');
  for (const x of d) out.hex(x, 8);
  return true;
}

function writeSpb(st: TextState, p0: number, offset: number): void {
  if (!st.vflag) return;
  const out = st.out;
  const p = p0 + offset;
  const v4len = st.g16(p);
  if (st.dead) return;
  out.str('\n\tv4len ').dec(v4len).str(', AUXMCID Name ');
  if (!writeMcid(st, p + 3, 'Rev')) return;
  const agr = st.g8(p + 53);
  const fmt = st.g8(p + 55);
  const con = st.g8(p + 56);
  const edge = st.g16(p + 57);
  const a = [st.g32(p + 67), st.g32(p + 71), st.g32(p + 75), st.g32(p + 79), st.g32(p + 83)];
  if (st.dead) return;
  out.str('\n\tAgreement num ').dec(agr >> 6).str(', Discarded Agreement num ').dec((agr >> 4) & 3)
    .str(', Agreement valid-flag ').dec((agr >> 3) & 1).str(',\n\tRestricted role-flag: ').dec((agr >> 2) & 1)
    .str(', Format id ').dec(fmt >> 4).str(' cap ').dec(fmt & 0xff).str(', Convention id ').dec(con >> 4)
    .str(' cap ').dec(con & 0xff).str(',\n\tEdge count ').dec(edge).str(', Agreement digest ');
  for (const x of a) out.hex(x, 8);
}
