import { PortierError } from '@portier/protocol';

/**
 * The base of the cloud's errors, on the platform's one error base (PortierError: a `code` typed per class, the
 * `field` at fault, the `cause`). The HTTP layer answers the codes that can reach it through one status map typed by
 * code (http/errors.ts), the CLIs print the message, and `instanceof CloudError` tells an expected failure of the cloud
 * from a bug.
 */
export class CloudError<C extends string = string> extends PortierError<C> {
  override name = 'CloudError';
}
