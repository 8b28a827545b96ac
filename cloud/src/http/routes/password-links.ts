import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LinkTokenSchema, type PasswordLinks } from '../../auth/password-links.ts';
import { PasswordSchema } from '../../auth/users.ts';
import type { AuthService } from '../../auth/service.ts';
import { entityIdSchema } from '../../domain/model.ts';
import type { Store } from '../../store/store.ts';
import { ApiError } from '../errors.ts';
import { scopeOf } from '../scope.ts';
import { actorOf } from './common.ts';

const ForgotBody = z.strictObject({ email: z.email().max(254) });
const ResetBody = z.strictObject({ token: LinkTokenSchema, password: PasswordSchema });
const MessageReply = z.object({ message: z.string() });
const UserParams = z.strictObject({ userId: entityIdSchema });

function needLinks(links: PasswordLinks | undefined): PasswordLinks {
  if (!links) throw new ApiError('UNAVAILABLE', 'password links are not available on this server');
  return links;
}

/**
 * A forgotten password, a password set with a link's token, and the welcome an administrator resends. Without the
 * links (an API-only server) these routes answer 503.
 */
export const passwordLinkRoutes: FastifyPluginAsyncZod<{ links: PasswordLinks | undefined; auth: AuthService; store: Store }> = async (app, { links, auth, store }) => {
  app.post(
    '/auth/forgot-password',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Ask for a link to reset the password of the account with this e-mail address. The answer is the same whether or not such an account exists; when it does, a link that works for 30 minutes is e-mailed. Limited per e-mail and per client address (429)',
        security: [],
        body: ForgotBody,
        response: { 202: MessageReply },
      },
    },
    async (req, reply) => reply.code(202).send({ message: await needLinks(links).forgot(req.body.email, req.ip) }),
  );

  app.post(
    '/auth/reset-password',
    {
      schema: {
        tags: ['auth'],
        summary:
          "Set a password with the token of a welcome or reset link (single use). The enterprise's password policy applies; every session of the user ends; nobody is signed in",
        security: [],
        body: ResetBody,
        response: { 200: MessageReply },
      },
    },
    async (req) => {
      await needLinks(links).use(req.body.token, req.body.password);
      return { message: 'The password is set: sign in with it.' };
    },
  );

  app.post(
    '/users/:userId/welcome',
    {
      schema: {
        tags: ['users'],
        summary:
          "Send the user a new welcome e-mail with a link to set their password (any older welcome link ends). Refused (409) for a user without e-mail, disabled, or who already has a password. The link works for the enterprise's `welcomeLinkHours`",
        params: UserParams,
        response: { 202: z.object({ expiresAt: z.string() }) },
      },
    },
    async (req, reply) => {
      const scope = scopeOf(req, store);
      const u = await auth.getUser(req.params.userId);
      if (!scope.hasEnterprise(u.enterpriseId) || !scope.holdsLevel(u.accessLevel)) throw new ApiError('NOT_FOUND', `user ${JSON.stringify(u.id)} not found`, 'params.userId');
      const { expiresAt } = await needLinks(links).welcome(u.id, actorOf(req));
      return reply.code(202).send({ expiresAt: new Date(expiresAt).toISOString() });
    },
  );
};
