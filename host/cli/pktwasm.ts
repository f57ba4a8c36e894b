#!/usr/bin/env node
// `pktwasm <tool> [options]`: the package's one command on the PATH (npm's bin entry, or
// `npx pktwasm sniff -r file.pcap`). It runs the tool's own entry point with the rest of
// the command line, in this process: the tools stay runnable as `node host/<tool>.js`.
// Its own usage errors follow the tools' contract (run-tool.ts): one line, exit 2.
import { fileURLToPath } from 'node:url';
import { PktError } from '../runtime/errors.js';
import { fail, packageVersion } from './run-tool.js';

const TOOLS: Readonly<Record<string, string>> = {
  sniff: 'capture or read packets, print them as tcpdump does, write pcap/pcapng, flows, IPFIX',
  ping: 'ICMP/ICMPv6 echo through a raw socket, packets built by the engine',
  synprobe: 'TCP SYN probe of ports on hosts you own (open / closed / filtered)',
  replay: 'send a capture file back onto an interface at its recorded or a given rate',
  netbench: 'throughput and latency between two hosts over TCP, UDP or reliable UDP',
};

function usage(): string {
  const lines = ['Usage: pktwasm <tool> [options]    (pktwasm <tool> --help for the tool\'s options)', '', 'Tools:'];
  for (const [name, what] of Object.entries(TOOLS)) lines.push(`  ${name.padEnd(9)} ${what}`);
  lines.push('', '  --version  print the version', '  --help     this text');
  return lines.join('\n');
}

function usageError(message: string): never {
  fail('pktwasm', new PktError('E_USAGE', message), false);
}

async function main(): Promise<void> {
  const [tool, ...rest] = process.argv.slice(2);
  const names = Object.keys(TOOLS).join(', ');
  if (tool === '--help' || tool === '-h' || tool === 'help') {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  if (tool === '--version' || tool === '-V') {
    process.stdout.write(`pktwasm ${packageVersion()}\n`);
    return;
  }
  if (tool === undefined) usageError(`missing TOOL: one of ${names} (pktwasm --help describes them)`);
  if (tool.startsWith('-')) usageError(`unknown option ${tool} (pktwasm --help lists the options)`);
  if (!Object.hasOwn(TOOLS, tool)) usageError(`unknown tool '${tool}' (one of: ${names})`);
  const entry = new URL(`../${tool}.js`, import.meta.url);
  // The tool reads its options from process.argv as when started on its own.
  process.argv = [process.argv[0], fileURLToPath(entry), ...rest];
  process.env.PKTWASM_INVOKED_AS = `pktwasm ${tool}`;
  await import(entry.href);
}

await main();
