export type KioskErrorCode = 'INVALID_TIMERS' | 'INVALID_RULES' | 'ENGINE_STOPPED';

/** An error of the kiosk with a stable code and, where it applies, the field at fault. */
export class KioskError extends Error {
  readonly code: KioskErrorCode;
  readonly field: string | undefined;
  constructor(code: KioskErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'KioskError';
    this.code = code;
    this.field = field;
  }
}
