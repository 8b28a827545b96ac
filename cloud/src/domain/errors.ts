import type { z } from 'zod';
import { describeZodError } from '@portier/protocol';
import { CloudError } from '../errors.ts';

/** Stable machine-readable codes of domain failures; the HTTP layer maps them to statuses. */
export type DomainErrorCode =
  | 'NOT_FOUND'
  | 'NO_LOCKER_AVAILABLE'
  | 'CONFLICT'
  | 'INVALID_STATE'
  | 'VALIDATION'
  | 'INVALID_CODE'
  | 'STORE_FAILED'
  /** The enterprise's last active administrator would be removed, disabled or demoted. */
  | 'LAST_ADMIN';

/** The exact words recipients and operators see when allocation finds nothing (DESIGN.md "Accessibility"). */
export const NO_LOCKER_MESSAGE = 'No lockers are currently available in selected locker bank';

export class DomainError extends CloudError<DomainErrorCode> {
  override name = 'DomainError';
  constructor(code: DomainErrorCode, message: string, field?: string) {
    super(code, message, { field });
  }
}

export function notFound(what: string, id: string | number, field?: string): DomainError {
  return new DomainError('NOT_FOUND', `${what} ${JSON.stringify(id)} not found`, field);
}

/** Parses service input with its schema, turning a zod failure into a VALIDATION DomainError naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const { field, message } = describeZodError(r.error);
  throw new DomainError('VALIDATION', message, field);
}
