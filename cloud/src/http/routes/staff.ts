import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LockerService } from '../../domain/service.ts';
import { entityIdSchema, issueStaffCredentialInput } from '../../domain/model.ts';
import { Replies } from '../schemas.ts';
import { actorOf, created, ok } from './common.ts';

const StaffCredentialParams = z.strictObject({ staffCredentialId: entityIdSchema });

/** Kiosk sign-ins of staff (operator / carrier / admin PINs and badges): admins only. */
export const staffRoutes: FastifyPluginAsyncZod<{ service: LockerService }> = async (app, { service }) => {
  app.get(
    '/staff-credentials',
    { schema: { tags: ['people'], summary: 'Staff PINs and badges (never the codes, never a hash), revoked ones included', response: ok(Replies.staffCredentials) } },
    async () => ({ staffCredentials: await service.listStaffCredentials() }),
  );
  app.post(
    '/staff-credentials',
    {
      schema: {
        tags: ['people'],
        summary: 'Issue a kiosk PIN or badge for an operator, carrier or admin (the PIN is shown once, stored hashed)',
        body: issueStaffCredentialInput,
        response: created(Replies.staffCredential),
      },
    },
    async (req, reply) => {
      const r = await service.issueStaffCredential(req.body, actorOf(req));
      return reply.code(201).header('cache-control', 'no-store').send({ staffCredential: r.staffCredential, code: r.code });
    },
  );
  app.delete(
    '/staff-credentials/:staffCredentialId',
    { schema: { tags: ['people'], summary: 'Revoke a staff PIN or badge', params: StaffCredentialParams, response: ok(Replies.revokedStaffCredential) } },
    async (req) => ({ staffCredential: await service.revokeStaffCredential(req.params.staffCredentialId, actorOf(req)) }),
  );
};
