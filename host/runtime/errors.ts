// Errors with stable codes (DESIGN.md, "Errors and privileges"). CLI tools print
// `message` as one line and exit non-zero; the code lets library users branch.

export type PktErrorCode =
  | 'E_NO_MEMORY'
  | 'E_BAD_ARGUMENT'
  | 'E_BAD_CAPTURE'
  | 'E_TRUNCATED_CAPTURE'
  | 'E_UNKNOWN_LINKTYPE'
  | 'E_FILTER_SYNTAX'
  | 'E_PERM'
  | 'E_NO_IFACE'
  | 'E_CAPACITY'
  | 'E_NOT_FOUND'
  | 'E_IO';

export class PktError extends Error {
  readonly code: PktErrorCode;
  constructor(code: PktErrorCode, message: string) {
    super(message);
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
