import { CloudError } from '../errors.ts';

/** A command-line failure the CLIs print as one line: USAGE (a bad argument, exit 2) or FAILED (exit 1). */
export class CliError extends CloudError<'USAGE' | 'FAILED'> {
  override name = 'CliError';

  get exitCode(): 1 | 2 {
    return this.code === 'USAGE' ? 2 : 1;
  }
}
