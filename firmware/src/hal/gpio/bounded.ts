import { HalError } from '../errors.ts';

/** `p`, or a BUS_TIMEOUT HalError with `message` once `ms` passed first; the timer is cleared either way. */
export function bounded<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new HalError('BUS_TIMEOUT', message)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
