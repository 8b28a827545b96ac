/**
 * API keys of the caller's enterprise (auth/api-keys.ts), for those who manage users. A key is made with a role the
 * maker could give a user (no right they lack, 403) at an access level inside theirs, and is shown once. A key may
 * list and revoke keys but not make one: a key that could mint longer-lived keys would outlive its own revocation.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CreateApiKeyBodySchema, PublicApiKeySchema, type PublicApiKey } from '../../auth/api-keys.ts';
import type { AuthService } from '../../auth/service.ts';
import { ENTERPRISE_LEVEL, entityIdSchema } from '../../domain/model.ts';
import type { LockerService } from '../../domain/service.ts';
import { ApiError } from '../errors.ts';
import { principalOf } from '../principal.ts';
import { scopeOf } from '../scope.ts';
import { actorOf, created, ok } from './common.ts';

const ApiKeyParams = z.strictObject({ apiKeyId: entityIdSchema });
const ApiKeyReply = z.object({ apiKey: PublicApiKeySchema });

export const apiKeyRoutes: FastifyPluginAsyncZod<{ auth: AuthService; service: LockerService }> = async (app, { auth, service }) => {
  const scope = (req: FastifyRequest) => scopeOf(req, service.store);
  const visible = (req: FastifyRequest, k: PublicApiKey) => scope(req).holdsLevel(k.accessLevel);
  const mustSee = (req: FastifyRequest, id: string): PublicApiKey => {
    const k = auth.apiKeys.get(scope(req).enterpriseId, id);
    if (!visible(req, k)) throw new ApiError('NOT_FOUND', `API key ${JSON.stringify(id)} not found`, 'params.apiKeyId');
    return k;
  };

  app.get(
    '/api-keys',
    { schema: { tags: ['api-keys'], summary: "Your enterprise's API keys at access levels inside yours, revoked and expired ones included (never a key or its hash)", response: ok(z.object({ apiKeys: z.array(PublicApiKeySchema) })) } },
    async (req) => ({ apiKeys: auth.apiKeys.list(scope(req).enterpriseId).filter((k) => visible(req, k)) }),
  );

  app.post(
    '/api-keys',
    {
      schema: {
        tags: ['api-keys'],
        summary:
          'Make an API key for a script or an integration: a name, a role (one with a right you lack is refused, 403), an access level (default the enterprise) and an expiry (epoch ms, at most 730 days ahead). The answer holds the key, shown this once: send it as `Authorization: Bearer <key>`. A key never does more than you may do, and stops working if you are removed or disabled',
        body: CreateApiKeyBodySchema,
        response: created(ApiKeyReply.extend({ key: z.string().describe('the key itself, shown this once') })),
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      if (p.apiKeyId !== undefined) throw new ApiError('FORBIDDEN', 'an API key cannot make API keys: a signed-in user makes them');
      const level = req.body.accessLevel ?? ENTERPRISE_LEVEL;
      if (!scope(req).holdsLevel(level)) {
        throw new ApiError('NOT_FOUND', `${level.kind} ${level.kind === 'enterprise' ? p.enterpriseId : JSON.stringify(level.id)} not found`, 'body.accessLevel');
      }
      scope(req).requireGrantable(req.body.role, 'body.role');
      const made = await auth.apiKeys.create({ ...req.body, enterpriseId: p.enterpriseId }, { ...actorOf(req), id: p.userId });
      return reply.code(201).send(made);
    },
  );

  app.get(
    '/api-keys/:apiKeyId',
    { schema: { tags: ['api-keys'], summary: 'One API key (never the key or its hash)', params: ApiKeyParams, response: ok(ApiKeyReply) } },
    async (req) => ({ apiKey: mustSee(req, req.params.apiKeyId) }),
  );

  app.post(
    '/api-keys/:apiKeyId/revoke',
    { schema: { tags: ['api-keys'], summary: 'Revoke an API key: refused from its next request on', params: ApiKeyParams, response: ok(ApiKeyReply) } },
    async (req) => {
      const k = mustSee(req, req.params.apiKeyId);
      return { apiKey: await auth.apiKeys.revoke(k.enterpriseId, k.id, { ...actorOf(req), id: principalOf(req).userId }) };
    },
  );
};
