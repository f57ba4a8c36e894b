// Timestamp columns (-t, default, -tt, -ttt, -tttt, -ttttt, with and without --nano) and
// frame numbers (-#) against the installed tcpdump, on every packet of a nanosecond pcap,
// a pcapng with nanosecond if_tsresol, a 2038 timestamp and a long microsecond capture.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { corpusDir, haveTool } from './lib/env.js';
import { formatCapture, optionsFromArgs } from './text-output-lib.js';
import { tcpdumpText } from './text-output-tcpdump.js';

const dir = corpusDir();
const hasTcpdump = haveTool('tcpdump');
const FILES = ['tcp-handshake-nano.pcap', 'vsock-1.pcapng', 'time_2038.pcap', 'ssh.pcap', 'icmpv6.pcap', 'extra/dnscap/frags.pcap'];

/** The timestamp column: everything up to the first protocol word. */
function column(text: string, args: string[]): string {
  if (args.includes('-t')) return '';
  const m = /^[\d:.\- ]*?\d\s/.exec(text);
  return m ? m[0] : text.slice(0, 30);
}

for (const t of ['-t', '', '-tt', '-ttt', '-tttt', '-ttttt']) {
  for (const nano of [false, true]) {
    const args = ['-nn', ...(t ? [t] : []), ...(nano ? ['--nano'] : [])];
    test(`timestamps ${args.join(' ')} equal tcpdump's (TZ=UTC)`, () => {
      if (dir === null || !hasTcpdump) return;
      process.env.TZ = 'UTC';
      for (const name of FILES) {
        const file = join(dir, name);
        const ours = formatCapture(file, optionsFromArgs(args));
        const theirs = tcpdumpText(file, args).packets;
        assert.ok(theirs.length > 0);
        for (let i = 0; i < theirs.length; i++) {
          assert.is(column(ours.texts[i], args), column(theirs[i], args), `${name} #${i + 1} ${args.join(' ')}`);
        }
      }
    });
  }
}

test.run();
