#!/usr/bin/env node
// `pktwasm <tool> [options]`: the package's one command on the PATH (npm's bin entry, or
// `npx pktwasm sniff -r file.pcap`). It runs the tool's own entry point with the rest of
// the command line, in this process: the tools stay runnable as `node host/<tool>.js`.
import { fileURLToPath } from 'node:url';
import { EXIT_USAGE, packageVersion } from './run-tool.js';

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

async function main(): Promise<void> {
  const [tool, ...rest] = process.argv.slice(2);
  if (tool === undefined || tool === '--help' || tool === '-h' || tool === 'help') {
    process.stdout.write(`${usage()}\n`);
    if (tool === undefined) process.exitCode = EXIT_USAGE;
    return;
  }
  if (tool === '--version' || tool === '-V') {
    process.stdout.write(`pktwasm ${packageVersion()}\n`);
    return;
  }
  if (!Object.hasOwn(TOOLS, tool)) {
    process.stderr.write(`pktwasm: unknown tool '${tool}' (one of: ${Object.keys(TOOLS).join(', ')})\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  const entry = new URL(`../${tool}.js`, import.meta.url);
  // The tool reads its options from process.argv as when started on its own.
  process.argv = [process.argv[0], fileURLToPath(entry), ...rest];
  process.env.PKTWASM_INVOKED_AS = `pktwasm ${tool}`;
  await import(entry.href);
}

await main();
