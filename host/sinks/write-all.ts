// Writing a whole byte range to a descriptor, synchronously. Standard output may be a
// non-blocking pipe (Node makes it one): a write there can take part of the range or fail
// with EAGAIN while the reader catches up, so the rest is retried after a 1 ms sleep (no
// spinning). EPIPE (the reader went away: `sniff -w - | head -c 100`) becomes E_PIPE,
// which the tools turn into their quiet closed-pipe exit.
import { writeSync } from 'node:fs';
import { PktError } from '../runtime/errors.js';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function writeAll(fd: number, bytes: Uint8Array, offset = 0, length = bytes.length - offset): void {
  let done = 0;
  while (done < length) {
    try {
      done += writeSync(fd, bytes, offset + done, length - done);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EAGAIN') {
        Atomics.wait(sleeper, 0, 0, 1);
        continue;
      }
      throw new PktError(err.code === 'EPIPE' ? 'E_PIPE' : 'E_IO', `write failed: ${err.message}`);
    }
  }
}

/** The same for text (UTF-8). */
export function writeAllText(fd: number, text: string): void {
  writeAll(fd, Buffer.from(text, 'utf8'));
}
