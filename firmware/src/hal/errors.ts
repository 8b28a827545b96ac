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
export class HalError extends Error {
  readonly code: HalErrorCode;
  readonly detail: Record<string, unknown> | undefined;
  constructor(code: HalErrorCode, message: string, detail?: Record<string, unknown>) {
    super(message);
    this.name = 'HalError';
    this.code = code;
    this.detail = detail;
  }
}
