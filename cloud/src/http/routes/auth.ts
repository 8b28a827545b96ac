import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PublicUserSchema } from '../../auth/users.ts';
import type { AuthService } from '../../auth/service.ts';
import { bearerToken } from '../../auth/tokens.ts';
import { principalOf } from '../principal.ts';
import { sessionUser } from './sessions.ts';

const password = z.string().min(1).max(256);
/** Sign-in by user name (the CLI, scripts) or by e-mail address. */
export const LoginBodySchema = z.union([
  z.strictObject({ username: z.string().min(1).max(64), password }),
  z.strictObject({ email: z.string().min(1).max(254), password }),
]);

const LoginReplySchema = z.object({
  token: z.string(),
  tokenType: z.literal('Bearer'),
  expiresAt: z.string(),
  user: PublicUserSchema,
});

export const authRoutes: FastifyPluginAsyncZod<{ auth: AuthService }> = async (app, { auth }) => {
  app.post(
    '/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Exchange a user name (or an e-mail address) and password for a bearer token. After the enterprise\'s number of wrong passwords in a row the account is locked for its lock-out period (423 ACCOUNT_LOCKED, right password or not) until then, an administrator\'s unlock, or a new password; failures from one client address are also throttled (429)',
        security: [],
        body: LoginBodySchema,
        response: { 200: LoginReplySchema },
      },
    },
    async (req) => {
      const { password: given, ...name } = req.body;
      const r = await auth.login(name, given, req.ip, req.headers['user-agent']);
      return { token: r.token, tokenType: 'Bearer' as const, expiresAt: new Date(r.expiresAt).toISOString(), user: r.user };
    },
  );

  app.post(
    '/auth/logout',
    { schema: { tags: ['auth'], summary: 'Sign out: end the session of this request (an API key is revoked instead)' } },
    async (req, reply) => {
      sessionUser(req);
      const token = bearerToken(req.headers.authorization);
      if (token) await auth.logout(token);
      return reply.code(204).send();
    },
  );

  app.get('/auth/me', { schema: { tags: ['auth'], summary: 'The signed-in user' } }, async (req) => {
    const p = principalOf(req);
    return { user: await auth.getUser(p.userId) };
  });
};
