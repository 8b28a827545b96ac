/**
 * Scriptable waits for tests, in the zwave-js style (`expectHostMessage(timeout, predicate)`) and
 * herdsman's Waitress: a wait names what it waited for and where it started, so a timeout points
 * at the test line, not at a timer callback.
 *
 * Time comes from `setTimeout`, so sinon fake timers drive the timeout in unit tests; waits on
 * real I/O use a real bounded timeout.
 */

import type { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { PortierError } from '@portier/protocol';

/** The listener methods of a Node EventEmitter (typed or not). */
export interface Emitterish {
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
  constructor: { name: string };
}

/** First argument type of `event` on a typed `EventEmitter<Map>`. */
type EventArgs<E, K extends string> =
  E extends EventEmitter<infer M> ? (K extends keyof M ? (M[K] extends unknown[] ? M[K] : unknown[]) : unknown[]) : unknown[];

export class ExpectTimeoutError extends PortierError<'EXPECT_TIMEOUT'> {
  override name = 'ExpectTimeoutError';
  constructor(message: string, startedAt: string | undefined) {
    super('EXPECT_TIMEOUT', message);
    // The stack of the caller: where the wait began is what a reader needs.
    if (startedAt) this.stack = `${this.name}: ${message}\n${startedAt}`;
  }
}

/** This module's file as stack frames name it: a path or a URL, `.ts` from the sources or `.js` compiled. */
const OWN_FILES = [import.meta.url, fileURLToPath(import.meta.url)];

/** Captures the caller's stack (without this module's frames). */
function callerStack(): string | undefined {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, callerStack);
  return holder.stack
    ?.split('\n')
    .slice(1)
    .filter((l) => !OWN_FILES.some((f) => l.includes(f)))
    .join('\n');
}

function where(stack: string | undefined): string {
  const first = stack?.split('\n').find((l) => l.trim().startsWith('at '));
  return first ? first.trim().replace(/^at /, '') : 'unknown place';
}

export interface ExpectOptions<A extends unknown[]> {
  /** Only an event whose arguments pass this counts. */
  predicate?: (...args: A) => boolean;
  /** Words for the message, e.g. "door 3 open". Default: the predicate's source. */
  description?: string;
}

/**
 * Resolves with the arguments of the first `event` from `emitter` (that passes `predicate`) within
 * `timeoutMs`; rejects with `ExpectTimeoutError` naming the event, the condition, the time waited
 * and where the wait started.
 */
export function expectEvent<E extends Emitterish, K extends string>(
  emitter: E,
  event: K,
  timeoutMs: number,
  predicate?: ((...args: EventArgs<E, K>) => boolean) | ExpectOptions<EventArgs<E, K>>,
): Promise<EventArgs<E, K>> {
  const opts: ExpectOptions<EventArgs<E, K>> = typeof predicate === 'function' ? { predicate } : (predicate ?? {});
  const started = callerStack();
  const what = opts.description ?? (opts.predicate ? `matching ${opts.predicate.toString().replace(/\s+/g, ' ').slice(0, 120)}` : 'any');
  return new Promise((resolve, reject) => {
    const listener = (...args: EventArgs<E, K>): void => {
      let ok = true;
      try {
        ok = opts.predicate ? opts.predicate(...args) : true;
      } catch {
        ok = false;
      }
      if (!ok) return;
      clearTimeout(timer);
      emitter.off(event, listener as (...a: never[]) => void);
      resolve(args);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener as (...a: never[]) => void);
      reject(
        new ExpectTimeoutError(
          `timed out after ${timeoutMs} ms waiting for "${event}" (${what}) on ${emitter.constructor.name}, wait started at ${where(started)}`,
          started,
        ),
      );
    }, timeoutMs);
    emitter.on(event, listener as (...a: never[]) => void);
  });
}

/**
 * Resolves when `condition()` is true (it may be async: a check in flight is never overlapped by the next), checking
 * every `intervalMs` (default 5) up to `timeoutMs`; rejects with `ExpectTimeoutError` naming `description` and where
 * the wait started, or with the error `condition` threw. The bound is a timer of its own, so a test that fakes only
 * `Date` and jumps it does not cut a wait short.
 */
export function expectCondition(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  description = condition.toString(),
  intervalMs = 5,
): Promise<void> {
  return pollFor(async () => ((await condition()) ? true : undefined), timeoutMs, description, intervalMs, callerStack()).then(() => undefined);
}

/**
 * Resolves with the first value `get()` returns that is not `undefined` (it may be async), checking every
 * `intervalMs` up to `timeoutMs`; rejects like `expectCondition`. For "wait until the store holds X, then check X".
 */
export function expectValue<T>(get: () => T | undefined | Promise<T | undefined>, timeoutMs: number, description = get.toString(), intervalMs = 5): Promise<T> {
  return pollFor(get, timeoutMs, description, intervalMs, callerStack());
}

function pollFor<T>(get: () => T | undefined | Promise<T | undefined>, timeoutMs: number, description: string, intervalMs: number, started: string | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    let done = false;
    let poll: ReturnType<typeof setTimeout> | undefined;
    const finish = (): void => {
      done = true;
      clearTimeout(deadline);
      clearTimeout(poll);
    };
    const deadline = setTimeout(() => {
      finish();
      reject(new ExpectTimeoutError(`timed out after ${timeoutMs} ms waiting for ${description}, wait started at ${where(started)}`, started));
    }, timeoutMs);
    const check = async (): Promise<void> => {
      let value: T | undefined;
      try {
        value = await get();
      } catch (err) {
        if (!done) {
          finish();
          reject(err as Error);
        }
        return;
      }
      if (done) return;
      if (value !== undefined) {
        finish();
        resolve(value);
        return;
      }
      poll = setTimeout(() => void check(), intervalMs);
    };
    void check();
  });
}

/** Rejects if `event` (passing `predicate`) happens within `ms`; resolves otherwise. */
export function expectNoEvent<E extends Emitterish, K extends string>(
  emitter: E,
  event: K,
  ms: number,
  predicate?: (...args: EventArgs<E, K>) => boolean,
): Promise<void> {
  const started = callerStack();
  return new Promise((resolve, reject) => {
    const listener = (...args: EventArgs<E, K>): void => {
      if (predicate && !predicate(...args)) return;
      clearTimeout(timer);
      emitter.off(event, listener as (...a: never[]) => void);
      const err = new Error(`unexpected "${event}" on ${emitter.constructor.name} within ${ms} ms: ${JSON.stringify(args)}, wait started at ${where(started)}`);
      reject(err);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener as (...a: never[]) => void);
      resolve();
    }, ms);
    emitter.on(event, listener as (...a: never[]) => void);
  });
}
