/**
 * Several cloud instances on one database: a request may name what another instance created a moment before (a
 * client behind a load balancer creates a division through one instance and its location through the next) while
 * that change is still on its way to this instance's memory through the feed. A use case refused NOT_FOUND is run
 * once more after catching up with the database (`Store.sync`), so whatever any instance acknowledged before the
 * request began is found. A refusal NOT_FOUND is made before anything is written, so running the use case again
 * writes nothing twice. A lone instance is not wrapped: its memory is the store.
 */
import type { Store } from '../store/store.ts';
import { DomainError } from './errors.ts';

const isNotFound = (err: unknown): boolean => err instanceof DomainError && err.code === 'NOT_FOUND';

/** `service` whose asynchronous methods run again once after a catch-up when refused NOT_FOUND. */
export function retryAfterCatchUp<T extends object>(service: T, store: Pick<Store, 'sync'>): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(service, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      let w = wrapped.get(prop);
      if (!w) {
        const fn = value as (...args: unknown[]) => unknown;
        w = (...args: unknown[]): unknown => {
          const out = fn.apply(target, args);
          if (!(out instanceof Promise)) return out;
          return out.catch(async (err: unknown) => {
            if (!isNotFound(err)) throw err;
            await store.sync();
            return fn.apply(target, args);
          });
        };
        wrapped.set(prop, w);
      }
      return w;
    },
  });
}
