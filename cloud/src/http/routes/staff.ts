import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LockerService } from '../../domain/service.ts';
import { entityIdSchema, issueStaffCredentialInput } from '../../domain/model.ts';
import { Replies } from '../schemas.ts';
import { ApiError } from '../errors.ts';
import { scopeOf } from '../scope.ts';
import { actorOf, created, ok } from './common.ts';

const StaffCredentialParams = z.strictObject({ staffCredentialId: entityIdSchema });

/** Kiosk sign-ins of staff (operator / carrier / admin PINs and badges): admins only. */
export const staffRoutes: FastifyPluginAsyncZod<{ service: LockerService }> = async (app, { service }) => {
  /** A staff credential's subject is a user or a carrier of the caller's enterprise. */
  const subjectIn = (req: FastifyRequest, subjectId: string): boolean => {
    const enterpriseId = scopeOf(req, service.store).enterpriseId;
    return (service.store.get('users', subjectId) ?? service.store.get('carriers', subjectId))?.enterpriseId === enterpriseId;
  };
  app.get(
    '/staff-credentials',
    { schema: { tags: ['people'], summary: 'Staff PINs and badges (never the codes, never a hash), revoked ones included', response: ok(Replies.staffCredentials) } },
    async (req) => ({ staffCredentials: (await service.listStaffCredentials()).filter((c) => subjectIn(req, c.subjectId)) }),
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
      if (!subjectIn(req, req.body.subjectId)) throw new ApiError('NOT_FOUND', `user or carrier ${JSON.stringify(req.body.subjectId)} not found`, 'body.subjectId');
      // A PIN is shown to whoever issues it and carries its holder's rights at the kiosk: only for rights the issuer holds.
      const holder = service.store.get('users', req.body.subjectId);
      if (holder) scopeOf(req, service.store).requireGrantable(holder.role, 'body.subjectId');
      req.body.bankIds?.forEach((b, i) => scopeOf(req, service.store).requireBank(b, `body.bankIds.${i}`));
      const r = await service.issueStaffCredential(req.body, actorOf(req));
      return reply.code(201).header('cache-control', 'no-store').send({ staffCredential: r.staffCredential, code: r.code });
    },
  );
  app.delete(
    '/staff-credentials/:staffCredentialId',
    { schema: { tags: ['people'], summary: 'Revoke a staff PIN or badge', params: StaffCredentialParams, response: ok(Replies.revokedStaffCredential) } },
    async (req) => {
      const c = service.store.get('staffCredentials', req.params.staffCredentialId);
      if (c && !subjectIn(req, c.subjectId)) throw new ApiError('NOT_FOUND', `staff credential ${JSON.stringify(req.params.staffCredentialId)} not found`, 'params.staffCredentialId');
      return { staffCredential: await service.revokeStaffCredential(req.params.staffCredentialId, actorOf(req)) };
    },
  );
};
