/**
 * The one base of the cloud's errors: every failure a caller may handle carries a stable machine-readable `code`
 * (typed per error class) and, when an input is at fault, the `field`. The HTTP layer answers the codes that can reach
 * it through one status map typed by code (http/errors.ts), the CLIs print the message, and `instanceof CloudError`
 * tells an expected failure from a bug.
 */
export class CloudError<C extends string = string> extends Error {
  override name = 'CloudError';
  readonly code: C;
  /** Dotted path of the input field at fault, when one is (`bankId`, `recipient.id`). */
  readonly field: string | undefined;

  constructor(code: C, message: string, options?: { field?: string | undefined; cause?: unknown }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = code;
    this.field = options?.field;
  }
}
