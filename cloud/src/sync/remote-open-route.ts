/**
 * `POST /banks/:bankId/lockers/:number/open` (register with prefix `/api/v1`): opens a locker remotely and answers
 * with the command id and the outcome (200 for every outcome the door or the controller gave, `timed_out`
 * included: then the command has expired and never runs). Body `{ reason }` (strict).
 *
 * Who may call it is decided by the app (its `ROUTE_ACCESS` table and onRequest hook); a `preHandler` can be passed
 * for apps without one. The audit record goes through RemoteOpen's `audit` callback.
 */
import type { FastifyPluginAsync, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { idSchema, lockerNumberSchema, shortTextSchema, type Actor } from '@portier/protocol';
import { z } from 'zod';
import { RemoteOpenError, type RemoteOpenRequest, type RemoteOpenResult } from './remote-open.ts';

export interface RemoteOpenService {
  open(req: RemoteOpenRequest): Promise<RemoteOpenResult>;
}

export interface RemoteOpenRouteOptions {
  remoteOpen: RemoteOpenService;
  /** Who is calling, for the command's actor and the audit (e.g. from the app's principal). */
  actorOf: (req: FastifyRequest) => Actor;
  /** Auth for apps that do not check roles globally. */
  preHandler?: preHandlerAsyncHookHandler;
  timeoutMs?: number;
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
const ErrorReply = z.object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }) });

// INVALID (a timeout out of range) is this server's configuration, not the caller's fault: it stays a 500.
const STATUS: Partial<Record<RemoteOpenError['code'], 404 | 409>> = {
  LOCKER_NOT_FOUND: 404,
  CONTROLLER_UNAVAILABLE: 409,
};

export const remoteOpenRoute: FastifyPluginAsync<RemoteOpenRouteOptions> = async (app, opts) => {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.withTypeProvider<ZodTypeProvider>().post(
    '/banks/:bankId/lockers/:number/open',
    {
      ...(opts.preHandler ? { preHandler: opts.preHandler } : {}),
      schema: {
        tags: ['lockers'],
        summary: 'Open a locker door remotely',
        description:
          'Operators and admins only. Sends a signed open-door command to the controller of the locker and waits for what the door did. ' +
          '`timed_out` means the command expired undelivered or unanswered and will never run.',
        params: RemoteOpenParams,
        body: RemoteOpenBody,
        // 400 (validation) is answered by the app's error handler in its own shape.
        response: { 200: RemoteOpenReply, 404: ErrorReply, 409: ErrorReply },
      },
    },
    async (req, reply) => {
      try {
        const r = await opts.remoteOpen.open({
          bankId: req.params.bankId,
          lockerNumber: req.params.number,
          reason: req.body.reason.trim(),
          actor: opts.actorOf(req),
          ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
        });
        return reply.code(200).send({
          commandId: r.commandId,
          outcome: r.outcome,
          ...(r.reason ? { reason: r.reason } : {}),
          ...(r.detail ? { detail: r.detail } : {}),
        });
      } catch (err) {
        const status = err instanceof RemoteOpenError ? STATUS[err.code] : undefined;
        if (err instanceof RemoteOpenError && status) {
          return reply.code(status).send({ error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } });
        }
        throw err;
      }
    },
  );
};
