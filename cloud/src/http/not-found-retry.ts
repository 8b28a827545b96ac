/**
 * Several cloud instances on one database: a request may name what another instance made a moment ago (a client
 * behind a load balancer creates a bank through one instance and its column through the next) while that change is
 * still on its way to this instance's memory. The domain's use cases already run again after a catch-up
 * (domain/catch-up-retry.ts); the API's own checks come before them, though: the access scope answers 404 for a
 * bank, location or division it does not hold (http/scope.ts). A handler refused NOT_FOUND, by either, before it
 * answered is run once more after catching up, so whatever any instance acknowledged before the request began is
 * found. A NOT_FOUND is raised before anything is written, so the second run writes nothing twice.
 */
import { DomainError } from '../domain/errors.ts';
import { ApiError } from './errors.ts';

const isNotFound = (err: unknown): boolean => (err instanceof ApiError || err instanceof DomainError) && err.code === 'NOT_FOUND';

/** A route handler as fastify calls it (`this` the instance, whatever server type it was built on). */
type Handler = (this: unknown, req: unknown, reply: { readonly sent: boolean }) => unknown;

/** Wraps `route`'s handler (in an onRoute hook): refused NOT_FOUND before it answered, it runs once more after `catchUp`. */
export function retryNotFoundAfterCatchUp(route: { handler: unknown }, catchUp: () => Promise<void>): void {
  const handler = route.handler as Handler;
  const wrapped: Handler = async function (this: unknown, req, reply) {
    try {
      return await handler.call(this, req, reply);
    } catch (err) {
      if (!isNotFound(err) || reply.sent) throw err;
      await catchUp();
      return handler.call(this, req, reply);
    }
  };
  route.handler = wrapped;
}
