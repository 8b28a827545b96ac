/**
 * The one base of every Portier error, on every side (cloud, controller, simulator, rig): a failure a caller may
 * handle carries a stable machine-readable `code`, typed per error class as a closed union so a caller's `switch` and a
 * status map keyed by code are checked by the compiler; when an input is at fault, `field` names it; the underlying
 * failure, if any, is the standard `cause`. `instanceof PortierError` tells an expected failure from a bug.
 */
export class PortierError<C extends string = string> extends Error {
  override name = 'PortierError';
  readonly code: C;
  /** Dotted path of the input field at fault, when one is (`bankId`, `recipient.id`). */
  readonly field: string | undefined;

  constructor(code: C, message: string, options?: { field?: string | undefined; cause?: unknown }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = code;
    this.field = options?.field;
  }
}
