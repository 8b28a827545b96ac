import { PortierError } from '@portier/protocol';

/** Machine-readable codes of door-controller errors. */
export type DoorErrorCode = 'UNKNOWN_DOOR' | 'NOT_STARTED' | 'STOPPED' | 'BAD_OPTIONS';

/** An error of the door controller with a stable `code` (STYLE.md: errors with codes). */
export class DoorError extends PortierError<DoorErrorCode> {
  override name = 'DoorError';
}
