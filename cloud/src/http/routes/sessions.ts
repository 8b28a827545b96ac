/**
 * A user's sessions: the list of their own, sign-out everywhere, and an administrator ending another user's sessions
 * (a user of their enterprise inside their access level, holding no right they lack: as for any change of a user).
 * An API key has no sessions: it is revoked instead (routes/api-keys.ts).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuthService, Principal } from '../../auth/service.ts';
import { bearerToken } from '../../auth/tokens.ts';
import { entityIdSchema } from '../../domain/model.ts';
import type { LockerService } from '../../domain/service.ts';
import { ApiError } from '../errors.ts';
import { principalOf } from '../principal.ts';
import { scopeOf } from '../scope.ts';
import { actorOf, ok } from './common.ts';

const SessionSchema = z.object({
  id: z.string(),
  createdAt: z.number(),
  lastSeenAt: z.number(),
  expiresAt: z.number().describe('the latest the session ends, however busy'),
  idleExpiresAt: z.number().describe('when it ends if no request comes before'),
  ip: z.string().optional(),
  userAgent: z.string().optional(),
  current: z.boolean().describe('the session of this request'),
});
const UserParams = z.strictObject({ userId: entityIdSchema });

/** The signed-in user of a request made with a session (an API key is refused: it has none). */
export function sessionUser(req: FastifyRequest): Principal {
  const p = principalOf(req);
  if (p.apiKeyId !== undefined) throw new ApiError('FORBIDDEN', 'an API key has no sessions: revoke the key instead');
  return p;
}

export const sessionRoutes: FastifyPluginAsyncZod<{ auth: AuthService; service: LockerService }> = async (app, { auth, service }) => {
  app.get(
    '/auth/sessions',
    { schema: { tags: ['auth'], summary: 'Your open sessions, newest first (never a token)', response: ok(z.object({ sessions: z.array(SessionSchema) })) } },
    async (req) => ({ sessions: await auth.listSessions(sessionUser(req).userId, bearerToken(req.headers.authorization)) }),
  );

  app.post(
    '/auth/logout-all',
    { schema: { tags: ['auth'], summary: 'Sign out everywhere: end every session of yours, this one included' } },
    async (req, reply) => {
      await auth.endSessions(sessionUser(req).userId);
      return reply.code(204).send();
    },
  );

  app.post(
    '/users/:userId/sessions/end',
    {
      schema: {
        tags: ['users'],
        summary: "End every session of a user of yours (they sign in again); a user holding a right you lack is refused, 403",
        params: UserParams,
        response: ok(z.object({ ended: z.number().int().describe('how many sessions were open') })),
      },
    },
    async (req) => {
      const scope = scopeOf(req, service.store);
      const u = await auth.getUser(req.params.userId).catch(() => undefined);
      if (!u || !scope.hasEnterprise(u.enterpriseId) || !scope.holdsLevel(u.accessLevel)) throw new ApiError('NOT_FOUND', `user ${JSON.stringify(req.params.userId)} not found`, 'params.userId');
      scope.requireGrantable(u.role, 'params.userId');
      return { ended: await auth.endSessions(u.id, actorOf(req)) };
    },
  );
};
