import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/service.ts';
import { ApiError } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every non-public route. */
    principal: Principal | undefined;
  }
}

/** The signed-in principal of a request that passed the auth hook (every non-public route). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new ApiError('UNAUTHORIZED', 'missing or invalid bearer token', 'headers.authorization');
  return req.principal;
}
