import { PortierError } from '@portier/protocol';

export type KioskErrorCode = 'INVALID_TIMERS' | 'INVALID_RULES' | 'ENGINE_STOPPED';

/** An error of the kiosk with a stable code and, where it applies, the field at fault. */
export class KioskError extends PortierError<KioskErrorCode> {
  override name = 'KioskError';
  constructor(code: KioskErrorCode, message: string, field?: string) {
    super(code, message, { field });
  }
}
