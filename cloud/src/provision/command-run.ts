/**
 * What every command of `portier-cloud provision` and its siblings shares: how a result is printed (one JSON line on
 * stdout) or a refusal (`{ error: { code, message, field } }` on stderr, a non-zero exit), where the data folder is,
 * and the parsing of whole-number flags.
 */
import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';

export interface ProvisionCommandOptions {
  /** Data folder when `--data-dir` is not given (default `./var/cloud`, as the cloud's config). */
  defaultDataDir?: string;
  /** Where results go (tests capture them). */
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
  /** Called with the exit code on failure (default: sets process.exitCode). */
  onFailure?: (code: number) => void;
}

export function intArg(min: number, max: number) {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError('must be a whole number');
    const n = Number(v);
    if (n < min || n > max) throw new InvalidArgumentError(`must be ${min}..${max}`);
    return n;
  };
}

/** The way every command of this module prints its result or its refusal, and finds its data folder. */
export function commandRunner(opts: ProvisionCommandOptions): { run: (fn: () => Promise<unknown>) => Promise<void>; dataDirOf: (o: { dataDir?: string }) => string } {
  const out = opts.stdout ?? ((l: string) => process.stdout.write(`${l}\n`));
  const err = opts.stderr ?? ((l: string) => process.stderr.write(`${l}\n`));
  const fail = opts.onFailure ?? ((code: number) => (process.exitCode = code));
  const dataDirOf = (o: { dataDir?: string }): string => resolve(o.dataDir ?? opts.defaultDataDir ?? './var/cloud');

  const run = async (fn: () => Promise<unknown>): Promise<void> => {
    try {
      out(JSON.stringify(await fn()));
    } catch (e) {
      const x = e as { code?: unknown; message: string; field?: unknown };
      const code = typeof x.code === 'string' ? x.code : 'FAILED';
      err(JSON.stringify({ error: { code, message: x.message, ...(typeof x.field === 'string' ? { field: x.field } : {}) } }));
      fail(1);
    }
  };

  return { run, dataDirOf };
}
