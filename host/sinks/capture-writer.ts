// What the pcap and pcapng writers share: the output buffer in front of the file (whole
// records only reach the descriptor, so the file is a valid capture after every flush),
// the record count, and the byte count, flush and close every sink calls on them.
import { OutputBuffer, DEFAULT_BUFFER_BYTES } from './output-buffer.js';

export abstract class CaptureWriter {
  /** Records written (buffered or not). */
  packets = 0;
  protected readonly out: OutputBuffer;

  /** `fd` an open descriptor (stdout: fd 1); `ownsFd` closes it on close(). */
  protected constructor(fd: number, bufferBytes: number | undefined, ownsFd: boolean) {
    this.out = new OutputBuffer(fd, bufferBytes ?? DEFAULT_BUFFER_BYTES, ownsFd);
  }

  /** Bytes in the file so far (headers included) plus those still buffered. */
  get bytes(): number {
    return this.out.written + this.out.pos;
  }

  /** Writes every buffered record; the file is a valid capture when this returns. */
  flush(): void {
    this.out.flush();
  }

  /** Flushes and closes (closing the descriptor only if the writer opened it). */
  close(): void {
    this.out.close();
  }
}
