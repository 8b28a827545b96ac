/** How a move of a data folder into PostgreSQL (import.ts, import-link.ts) is refused or found wrong. */
import { CloudError } from '../../errors.ts';

/**
 * NOT_EMPTY: the database holds data already. IN_USE: a cloud instance is connected to it. CORRUPT: the data folder
 * holds a damaged file (nothing is moved). MISMATCH: the check after the move found a difference.
 */
export class ImportError extends CloudError<'NOT_EMPTY' | 'IN_USE' | 'CORRUPT' | 'MISMATCH'> {
  override name = 'ImportError';
}

export function mismatch(what: string): ImportError {
  return new ImportError('MISMATCH', `the moved store does not match the file store: ${what}; the database holds what was moved: empty it (drop and create the database) before trying again`);
}

/** JSON's view of a value (jsonb keeps no key order and no undefined fields). */
export const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown;
