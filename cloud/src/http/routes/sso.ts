/**
 * An enterprise's single sign-on with OpenID Connect (tag `sso`): its configuration read (never the client secret:
 * `hasClientSecret`), set or replaced, removed. Whoever sets it decides who signs in as any user of the enterprise, so
 * these routes ask for the `sso` permission and an enterprise-wide access level; another enterprise answers 404.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { entityIdSchema } from '../../domain/model.ts';
import type { LockerService } from '../../domain/service.ts';
import { publicSsoConfigSchema, ssoConfigInput, type PublicSsoConfig } from '../../sso/model.ts';
import { ApiError } from '../errors.ts';
import { SSO_PAGES } from '../pages/sso-paths.ts';
import { scopeOf } from '../scope.ts';
import { actorOf, ok } from './common.ts';

const Params = z.strictObject({ enterpriseId: entityIdSchema });
const SsoReply = z.object({
  sso: publicSsoConfigSchema.extend({
    redirectUri: z.string().optional().describe('the address to register with the identity provider as the redirect URI'),
    signInUrl: z.string().optional().describe("the address that starts the enterprise's sign-in (a link for its people)"),
  }),
});
const tags = ['sso'];

export const ssoRoutes: FastifyPluginAsyncZod<{ service: LockerService; baseUrl: (() => string) | undefined }> = async (app, { service, baseUrl }) => {
  const enterpriseIn = (req: FastifyRequest, id: string): string => {
    const s = scopeOf(req, service.store);
    s.requireEnterprise(id, 'params.enterpriseId');
    if (s.principal.accessLevel.kind !== 'enterprise') throw new ApiError('NOT_FOUND', `enterprise ${JSON.stringify(id)} not found`, 'params.enterpriseId');
    return id;
  };
  const answer = (c: PublicSsoConfig) => {
    const base = baseUrl?.();
    return { sso: { ...c, ...(base ? { redirectUri: `${base}${SSO_PAGES.callback}`, signInUrl: `${base}${SSO_PAGES.start(c.enterpriseId)}` } : {}) } };
  };

  app.get('/enterprises/:enterpriseId/sso', { schema: { tags, summary: "The enterprise's single sign-on (never its client secret)", params: Params, response: ok(SsoReply) } }, async (req) =>
    answer(service.sso.get(enterpriseIn(req, req.params.enterpriseId))),
  );
  app.put(
    '/enterprises/:enterpriseId/sso',
    {
      schema: {
        tags,
        summary:
          "Set up or replace the enterprise's single sign-on with OpenID Connect: issuer, client id and secret (write only; left out, the stored one is kept), the claim with the e-mail address, whether unknown addresses become users (with defaultRole), whether password sign-in stays allowed",
        params: Params,
        body: ssoConfigInput,
        response: ok(SsoReply),
      },
    },
    async (req) => answer(await service.sso.set(enterpriseIn(req, req.params.enterpriseId), req.body, actorOf(req))),
  );
  app.delete('/enterprises/:enterpriseId/sso', { schema: { tags, summary: 'Remove the single sign-on and its secret: password sign-in works again', params: Params, response: ok(SsoReply) } }, async (req) =>
    answer(await service.sso.clear(enterpriseIn(req, req.params.enterpriseId), actorOf(req))),
  );
};
