// Errors with stable codes (DESIGN.md, "Errors and privileges"). CLI tools print
// `message` as one line and exit non-zero (host/cli/run-tool.ts: 2 for E_USAGE and
// E_FILTER_SYNTAX, 1 otherwise); the code lets library users branch.

/** Stable error codes: branch on `err.code`, not on the message. */
export type PktErrorCode =
  | 'E_NO_MEMORY'
  /** A library call got a value it cannot use (a bad size, prefix, address ...). */
  | 'E_BAD_ARGUMENT'
  /** A command line a tool cannot act on: unknown option, bad value, missing operand,
   *  a name that does not resolve. The tools exit 2 on it. */
  | 'E_USAGE'
  /** The reader of an output closed it (EPIPE): the tools end quietly, as Unix filters
   *  do on SIGPIPE. */
  | 'E_PIPE'
  | 'E_BAD_CAPTURE'
  | 'E_TRUNCATED_CAPTURE'
  | 'E_UNKNOWN_LINKTYPE'
  | 'E_FILTER_SYNTAX'
  | 'E_PERM'
  | 'E_NO_IFACE'
  | 'E_CAPACITY'
  | 'E_NOT_FOUND'
  | 'E_IO';

/** Every error pktwasm throws on purpose: a one-line message and a stable `code`. */
export class PktError extends Error {
  readonly code: PktErrorCode;
  constructor(code: PktErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PktError';
    this.code = code;
  }
}

/** A failed open/read/create of a file as one clear line: `${what}: Permission denied`
 *  rather than Node's "EACCES: permission denied, open '…'", with the matching code. */
export function fileError(e: unknown, what: string): PktError {
  const err = e as NodeJS.ErrnoException;
  const why = err.code === 'ENOENT' ? 'No such file or directory'
    : err.code === 'EACCES' ? 'Permission denied'
      : err.code === 'EISDIR' ? 'Is a directory'
        : err.message;
  return new PktError(err.code === 'EACCES' ? 'E_PERM' : 'E_IO', `${what}: ${why}`);
}
