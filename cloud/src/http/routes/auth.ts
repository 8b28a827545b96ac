import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PublicUserSchema } from '../../auth/users.ts';
import type { AuthService } from '../../auth/service.ts';
import { bearerToken } from '../../auth/tokens.ts';
import { principalOf } from '../principal.ts';
import { sessionUser } from './sessions.ts';

export const LoginBodySchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});

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
        summary: 'Exchange a user name and password for a bearer token',
        security: [],
        body: LoginBodySchema,
        response: { 200: LoginReplySchema },
      },
    },
    async (req) => {
      const r = await auth.login(req.body.username, req.body.password, req.ip, req.headers['user-agent']);
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
