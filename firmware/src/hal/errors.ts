import { PortierError } from '@portier/protocol';

/** Machine-readable codes of hardware-layer errors. */
export type HalErrorCode =
  | 'BUS_TIMEOUT'
  | 'BUS_CLOSED'
  | 'BAD_CHECKSUM'
  | 'BAD_FRAME'
  | 'GARBAGE'
  | 'UNKNOWN_DOOR'
  | 'PULSE_TOO_LONG'
  | 'BOARD_SILENT'
  | 'TRANSPORT_ERROR'
  | 'DEVICE_ERROR';

/** An error of the hardware layer with a stable `code` (STYLE.md: errors with codes). */
export class HalError extends PortierError<HalErrorCode> {
  override name = 'HalError';
  readonly detail: Record<string, unknown> | undefined;
  constructor(code: HalErrorCode, message: string, detail?: Record<string, unknown>) {
    super(code, message);
    this.detail = detail;
  }
}

/**
 * Whether a failed unlock certainly sent nothing to the hardware: refused before the bus (unknown door, pulse too
 * long), the bus or its port closed; `detail.sent` (a boolean), when an adapter sets it, says it either way.
 * A timeout is not such a case: the command went out and the board may have pulsed.
 */
export function pulseNotSent(err: unknown): boolean {
  if (!(err instanceof HalError)) return false;
  if (typeof err.detail?.sent === 'boolean') return !err.detail.sent;
  return err.code === 'UNKNOWN_DOOR' || err.code === 'PULSE_TOO_LONG' || err.code === 'BUS_CLOSED';
}
