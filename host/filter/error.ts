// Filter errors: every rejection (syntax, or a construct libpcap refuses for the link
// type) is a PktError with code E_FILTER_SYNTAX whose message names the character
// position, so a CLI can print one line and a caller can point at the spot.
import { PktError } from '../runtime/errors.js';

/** A rejected filter expression: code E_FILTER_SYNTAX and the position of the problem. */
export class FilterError extends PktError {
  /** 0-based character offset in the expression where the problem was found. */
  readonly position: number;
  constructor(position: number, detail: string) {
    super('E_FILTER_SYNTAX', `filter: ${detail} (at character ${position + 1})`);
    this.name = 'FilterError';
    this.position = position;
  }
}

export function filterError(position: number, detail: string): FilterError {
  return new FilterError(position, detail);
}
