// PrefixRows (the --prefixes file parser for full-size tables) against the reference
// parsers it stands in for: prefixLines + parsePrefix4/parsePrefix6 (host/lpm/prefix.ts).
// On random files of tricky lines (leading zeros, missing or extra octets, lengths past
// 32, IPv6 forms, comments, CR line ends, tabs, labels with spaces, Unicode separators)
// the rows (masked address, length, label) and the errors must be the reference's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PrefixRows } from '../host/lpm/prefix-rows.js';
import { parsePrefix4, parsePrefix6, prefixLines } from '../host/lpm/prefix.js';
import { ipv4ToString, ipv6ToString } from '../host/runtime/addr.js';
import { Rng, seed } from './lib/env.js';

const VALID = ['10.0.0.0/8', '10.1.2.3', '010.001.002.003/24', '1.2.3.4/033', '0.0.0.0/0', '2001:db8::/32', '::ffff:1.2.3.4/120', '192.168.7.9/21'];
const TOKENS = [
  '10.0.0.0/8', '10.1.2.3', '010.001.002.003/24', '1.2.3.4/033', '1.2.3.4/0', '0.0.0.0/0', '255.255.255.255/32',
  '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.4/', '1.2.3.4/33', '1.2.3.4/1234', '1..2.3', '1.2.3.4x', '+1.2.3.4',
  '1.2.3.4 /8', '2001:db8::/32', '::/0', '::ffff:1.2.3.4/120', '2001:db8::1', 'fe80::/10', '2001:db8::/129', 'x', '',
  '1111.2.3.4', '1.2.3.4/8/8', '١.2.3.4', '1.2.3.4/٨',
];
const SEPS = [' ', '\t', '  ', '\u00a0', '\u2003'];
const TAILS = ['', ' label', '\tAS64500 some name', ' # comment', '#c', ' lab # c', '\r', ' x\r', ' a\u2028b', ' #c\rX'];

function reference(text: string): { rows: string[] } | { error: string } {
  const rows: string[] = [];
  for (const { prefix, rest, line } of prefixLines(text)) {
    const a4 = parsePrefix4(prefix);
    if (a4 !== null) {
      const m = a4.depth === 0 ? 0 : (0xFFFFFFFF << (32 - a4.depth)) >>> 0;
      rows.push(`${ipv4ToString((a4.addr & m) >>> 0)}/${a4.depth} ${JSON.stringify(rest)}`);
      continue;
    }
    const a6 = parsePrefix6(prefix);
    if (a6 === null) return { error: `prefixes file line ${line}: "${prefix}" is not an IPv4 or IPv6 prefix` };
    for (let i = 0; i < 16; i++) {
      const bits = a6.depth - i * 8;
      a6.addr[i] = bits >= 8 ? a6.addr[i] : bits <= 0 ? 0 : a6.addr[i] & (0xFF << (8 - bits)) & 0xFF;
    }
    rows.push(`${ipv6ToString(a6.addr, 0)}/${a6.depth} ${JSON.stringify(rest)}`);
  }
  return { rows };
}

function ours(text: string): { rows: string[] } | { error: string } {
  let r: PrefixRows;
  try {
    r = PrefixRows.fromText(text);
  } catch (e) {
    return { error: (e as Error).message };
  }
  const v6 = new Map(r.v6.map(([row, a]) => [row, `${ipv6ToString(a.addr, 0)}/${a.depth}`]));
  const rows: string[] = [];
  for (let i = 0; i < r.count; i++) rows.push(`${v6.get(i) ?? `${ipv4ToString(r.addr4[i])}/${r.depth[i]}`} ${JSON.stringify(r.labels[i])}`);
  return { rows };
}

test('PrefixRows.fromText = prefixLines + parsePrefix4/6 on 3,000 random files', () => {
  const rng = new Rng(seed() ^ 0x19);
  let rows = 0, errors = 0;
  for (let f = 0; f < 3000; f++) {
    const lines: string[] = [];
    const n = 1 + rng.int(6);
    for (let i = 0; i < n; i++) {
      const lead = rng.bool(0.2) ? SEPS[rng.int(SEPS.length)] : '';
      const tok = rng.bool(0.85) ? VALID[rng.int(VALID.length)] : TOKENS[rng.int(TOKENS.length)];
      lines.push(`${lead}${tok}${rng.bool(0.5) ? SEPS[rng.int(SEPS.length)] : ''}${TAILS[rng.int(TAILS.length)]}`);
    }
    const text = lines.join(rng.bool(0.2) ? '\r\n' : '\n') + (rng.bool(0.5) ? '\n' : '');
    const want = reference(text);
    assert.equal(ours(text), want, JSON.stringify(text));
    if ('error' in want) errors++; else rows += want.rows.length;
  }
  assert.ok(rows > 3000 && errors > 500, `${rows} rows, ${errors} files refused`);
});

test('duplicates are refused, also when only the masking makes them equal', () => {
  assert.throws(() => PrefixRows.fromText('10.0.0.0/8\n10.1.0.0/8\n').checkDuplicates(() => ''), /10\.0\.0\.0\/8 is listed twice/);
  PrefixRows.fromText('10.0.0.0/8\n10.0.0.0/9\n').checkDuplicates(() => '');
});

test.run();
