// Opening a capture output file (-w, and the library's pcap/pcapng writers). Captures hold
// other people's traffic and the sniffer often runs as root in shared directories, so:
// O_NOFOLLOW (a symlink planted where the file goes is refused, never written through),
// new files 0600, and an existing regular file truncated and overwritten as tcpdump does
// (O_TRUNC keeps that file's owner and mode).
import { constants, openSync } from 'node:fs';
import { PktError, fileError } from '../runtime/errors.js';

const FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
/** Mode of a newly created capture (before the umask). */
export const CAPTURE_FILE_MODE = 0o600;

/** Opens `path` for writing a capture; a PktError (one line) when it cannot or must not. */
export function openCaptureOutput(path: string): number {
  try {
    return openSync(path, FLAGS, CAPTURE_FILE_MODE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new PktError('E_PERM', `${path}: is a symbolic link; refusing to write a capture through it`);
    }
    throw fileError(e, `${path}: cannot create capture file`);
  }
}
