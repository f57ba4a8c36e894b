// Writing a whole byte range to a descriptor, synchronously. Standard output may be a
// non-blocking pipe (Node makes it one): a write there can take part of the range or fail
// with EAGAIN while the reader catches up, so the rest is retried after a sleep that starts
// at 10 us and doubles up to 1 ms while the pipe stays full (no spinning). A flat 1 ms sleep
// left a 64 KiB pipe empty most of the time: 286 MB to `cat` took 0.95 s instead of 0.12 s.
// EPIPE (the reader went away: `sniff -w - | head -c 100`) becomes E_PIPE, which the tools
// turn into their quiet closed-pipe exit.
import { writeSync } from 'node:fs';
import { PktError } from '../runtime/errors.js';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Descriptors this thread shares with other threads (sniff --workers: N consumers print
 *  to one standard output), each with the i32 word of a lock they all hold while writing,
 *  so that one writeAll's bytes (whole lines) never interleave with another thread's, even
 *  when a pipe takes them in parts. Per thread: module state is per worker. */
const sharedFds = new Map<number, { lock: Int32Array; index: number }>();

/** From now on this thread's writes to `fd` hold the lock word `lock[index]` (0 free, 1
 *  held) that the other threads writing to `fd` hold too. */
export function shareDescriptor(fd: number, lock: Int32Array, index: number): void {
  sharedFds.set(fd, { lock, index });
}

export function writeAll(fd: number, bytes: Uint8Array, offset = 0, length = bytes.length - offset): void {
  const shared = sharedFds.get(fd);
  if (shared === undefined) { writeRange(fd, bytes, offset, length); return; }
  const { lock, index } = shared;
  while (Atomics.compareExchange(lock, index, 0, 1) !== 0) Atomics.wait(lock, index, 1, 10);
  try {
    writeRange(fd, bytes, offset, length);
  } finally {
    Atomics.store(lock, index, 0);
    Atomics.notify(lock, index, 1);
  }
}

/** The first and the longest sleep (ms) while a pipe stays full. */
const FIRST_WAIT_MS = 0.01;
const LONGEST_WAIT_MS = 1;

function writeRange(fd: number, bytes: Uint8Array, offset: number, length: number): void {
  let done = 0;
  let wait = FIRST_WAIT_MS;
  while (done < length) {
    try {
      done += writeSync(fd, bytes, offset + done, length - done);
      wait = FIRST_WAIT_MS;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EAGAIN') {
        Atomics.wait(sleeper, 0, 0, wait);
        wait = Math.min(LONGEST_WAIT_MS, wait * 2);
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
