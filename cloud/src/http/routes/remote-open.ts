/**
 * `POST /banks/:bankId/lockers/:number/open`: opens a locker remotely and answers with the command id and the outcome
 * (200 for every outcome the door or the controller gave, `timed_out` included: then the command has expired and
 * does not run from then on; a controller cut off from the broker may have run it before, its answer lost). Body `{ reason }` (strict). Who may call it is the access table's (access.ts); a refusal is answered
 * by the app's error handler like every other (RemoteOpenError codes in errors.ts). The audit record goes through
 * RemoteOpen's `audit` callback.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { idSchema, lockerNumberSchema, shortTextSchema } from '@portier/protocol';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.ts';
import type { LockerService } from '../../domain/service.ts';
import { scopeOf } from '../scope.ts';
import type { RemoteOpenRequest, RemoteOpenResult } from '../../sync/remote-open.ts';
import { ApiError } from '../errors.ts';
import { ERRORS } from '../schemas.ts';
import { actorOf } from './common.ts';

export interface RemoteOpenService {
  open(req: RemoteOpenRequest): Promise<RemoteOpenResult>;
}

export const RemoteOpenParams = z.strictObject({
  bankId: idSchema,
  number: z.string().regex(/^\d{1,4}$/, 'locker number must be 1 to 4 digits').transform(Number).pipe(lockerNumberSchema),
});
export const RemoteOpenBody = z.strictObject({
  reason: shortTextSchema.refine((s) => s.trim().length > 0, 'a reason is required'),
});
export const RemoteOpenReply = z.object({
  commandId: z.string(),
  outcome: z.enum(['opened', 'already_open', 'jammed', 'unknown', 'rejected', 'timed_out']),
  reason: z.string().optional(),
  detail: z.string().optional(),
});

/** Without an MQTT link (an API-only server) the route is still served and documented: it answers 503. */
const noRemoteOpen: RemoteOpenService = {
  open: () => Promise.reject(new ApiError('UNAVAILABLE', 'this server has no MQTT link to the controllers')),
};

export const remoteOpenRoutes: FastifyPluginAsync<{ service: LockerService; remoteOpen: RemoteOpenService | undefined }> = async (app, opts) => {
  const opener = opts.remoteOpen ?? noRemoteOpen;
  app.withTypeProvider<ZodTypeProvider>().post(
    '/banks/:bankId/lockers/:number/open',
    {
      schema: {
        tags: ['lockers'],
        summary: 'Open a locker door remotely',
        description:
          'Operators and admins only. Sends a signed open-door command to the controller of the locker and waits for what the door did. ' +
          '`timed_out` means no answer came before the command expired: it does not run after that, but a controller cut off from the broker may have run it before its answer was lost (the door\'s state and the activity log tell).',
        params: RemoteOpenParams,
        body: RemoteOpenBody,
        response: { 200: RemoteOpenReply, ...ERRORS },
      },
    },
    async (req, reply) => {
      const { bankId, number } = req.params;
      // Another enterprise's bank, or one outside the caller's access level, answers as an unknown one.
      if (opts.service.store.get('banks', bankId) && !scopeOf(req, opts.service.store).hasBank(bankId)) throw new ApiError('LOCKER_NOT_FOUND', `bank ${bankId} not found`, 'params.bankId');
      // An unknown bank or locker: LOCKER_NOT_FOUND naming the URL parameter, before anything is asked of the controllers.
      try {
        await opts.service.getLocker(bankId, number);
      } catch (err) {
        if (!(err instanceof DomainError) || err.code !== 'NOT_FOUND') throw err;
        throw new ApiError('LOCKER_NOT_FOUND', err.message, err.field === 'bankId' ? 'params.bankId' : 'params.number');
      }
      const r = await opener.open({ bankId, lockerNumber: number, reason: req.body.reason.trim(), actor: actorOf(req) });
      return reply.code(200).send({
        commandId: r.commandId,
        outcome: r.outcome,
        ...(r.reason ? { reason: r.reason } : {}),
        ...(r.detail ? { detail: r.detail } : {}),
      });
    },
  );
};
