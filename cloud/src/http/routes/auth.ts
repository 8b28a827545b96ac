import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuthService } from '../../auth/service.ts';
import { bearerToken } from '../../auth/tokens.ts';
import { principalOf } from '../principal.ts';
import { userLanguageSchema } from '../../domain/model.ts';
import { actorOf } from './common.ts';
import { sessionUser } from './sessions.ts';
import { MfaDueSchema, SessionReplySchema, sessionReply } from './mfa.ts';

const password = z.string().min(1).max(256);
export const MyPreferencesSchema = z.strictObject({ language: userLanguageSchema });
const deviceToken = z.string().max(200).optional().describe('the token a sign-in with a second factor gave to remember this device');
/** Sign-in by user name (the CLI, scripts) or by e-mail address. */
export const LoginBodySchema = z.union([
  z.strictObject({ username: z.string().min(1).max(64), password, deviceToken }),
  z.strictObject({ email: z.string().min(1).max(254), password, deviceToken }),
]);

export const authRoutes: FastifyPluginAsyncZod<{ auth: AuthService }> = async (app, { auth }) => {
  app.post(
    '/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Exchange a user name (or an e-mail address) and password for a bearer token, or, when a second factor is due (`mfaRequired`), for a challenge to answer at /auth/mfa/verify. After the enterprise\'s number of wrong passwords or codes in a row the account is locked for its lock-out period (423 ACCOUNT_LOCKED, right password or not) until then, an administrator\'s unlock, or a new password; failures from one client address are also throttled (429)',
        security: [],
        body: LoginBodySchema,
        response: { 200: z.union([SessionReplySchema, MfaDueSchema]) },
      },
    },
    async (req) => {
      const { password: given, deviceToken: device, ...name } = req.body;
      const r = await auth.signIn(name, given, { ip: req.ip, userAgent: req.headers['user-agent'], deviceTokens: device !== undefined ? [device] : [] });
      if (r.kind === 'mfa') return { mfaRequired: true as const, challenge: r.challenge, expiresAt: new Date(r.expiresAt).toISOString(), methods: r.methods, enrol: r.enrol };
      return sessionReply(r);
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

  app.patch(
    '/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: "The signed-in user's own preferences: the language of their screens and messages (an API key has none)",
        body: MyPreferencesSchema,
      },
    },
    async (req) => {
      const p = sessionUser(req);
      return { user: await auth.updateUser(p.userId, { language: req.body.language }, actorOf(req)) };
    },
  );
};
