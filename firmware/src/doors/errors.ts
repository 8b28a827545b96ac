/** Machine-readable codes of door-controller errors. */
export type DoorErrorCode = 'UNKNOWN_DOOR' | 'NOT_STARTED' | 'STOPPED' | 'BAD_OPTIONS';

/** An error of the door controller with a stable `code` (STYLE.md: errors with codes). */
export class DoorError extends Error {
  readonly code: DoorErrorCode;
  constructor(code: DoorErrorCode, message: string) {
    super(message);
    this.name = 'DoorError';
    this.code = code;
  }
}
