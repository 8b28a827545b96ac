import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LockerService } from '../../domain/service.ts';
import type { Reservation } from '../../domain/model.ts';
import {
  assignRecipientInput,
  customInputSchema,
  dropOffInput,
  endReservationInput,
  entityIdSchema,
  extendReservationInput,
  listReservationsQuery,
  pickUpInput,
  reservationStatusSchema,
  reserveInput,
} from '../../domain/model.ts';
import { LoginThrottle } from '../../auth/rate-limit.ts';
import type { GuessCountsOf } from '../../auth/guess-counts.ts';
import type { Principal } from '../../auth/service.ts';
import { DomainError } from '../../domain/errors.ts';
import { ApiError } from '../errors.ts';
import { principalOf } from '../principal.ts';
import { scopeOf } from '../scope.ts';
import { PublicReservationSchema, Replies } from '../schemas.ts';
import { actorOf, created, ok, forbidden, publicReservation, queryBool, queryInt, ReservationParams } from './common.ts';
import { showCustomValues } from './custom-fields.ts';
import { recipientName } from './locker-contents.ts';
import { MAIL_KINDS, reservationMail } from '../../mail/model.ts';

const MailStatusSchema = z.object({
  id: z.string(),
  kind: z.enum(MAIL_KINDS),
  status: z.enum(['queued', 'sending', 'sent', 'failed', 'skipped']),
  attempts: z.number().int(),
  createdAt: z.number(),
  sentAt: z.number().optional(),
  endedAt: z.number().optional(),
  nextAttemptAt: z.number().optional(),
  lastError: z.string().optional(),
});

/** A reservation as staff read it: with its recipient's name (whoever manages reservations sees whom each is for). */
export const NamedReservationSchema = PublicReservationSchema.extend({
  recipientName: z.string().optional().describe("the contact's or department's name (to whoever manages reservations)"),
});
export const ReservationsReply = z.object({ reservations: z.array(NamedReservationSchema) });
export const ReservationReply = z.object({
  reservation: NamedReservationSchema,
  messages: z.array(MailStatusSchema).describe('e-mails about it (kind, status, attempts, times; never the content)'),
});

const ListReservationsQs = z.strictObject({
  bankId: entityIdSchema.optional(),
  status: reservationStatusSchema.optional(),
  recipientId: entityIdSchema.optional(),
  locationId: entityIdSchema.optional().describe("only the reservations of this location's banks"),
  unassigned: queryBool.optional().describe('true: only kiosk drop-offs that named no recipient (assign one with POST .../recipient)'),
  q: z.string().max(200).optional().describe("text looked for (case and accents ignored) in the reservations' custom field values and tracking IDs"),
  includeEnded: queryBool.optional(),
  limit: queryInt(1, 10_000).optional(),
});


export { parseInstant } from './activity.ts';

/**
 * Who sees a reservation (its bank in their scope being checked apart): with 'reservations.manage' all; with
 * 'reservations.deliver' those they booked or their carrier is the drop-off or pick-up party of; with
 * 'reservations.own' those addressed to their contact. Nobody else learns who receives what.
 */
export function canSee(p: Principal, r: Reservation): boolean {
  if (p.permissions.has('reservations.manage')) return true;
  if (p.permissions.has('reservations.deliver')) {
    const isParty = (party: Reservation['dropOffParty']) => party?.type === 'carrier' && party.id === p.carrierId;
    if (r.createdBy.id === p.userId || (p.carrierId !== undefined && (isParty(r.dropOffParty) || isParty(r.pickupParty)))) return true;
  }
  return p.permissions.has('reservations.own') && p.contactId !== undefined && r.recipient.type === 'contact' && r.recipient.id === p.contactId;
}

/** Whether a principal sees only the reservations addressed to them (no staff or carrier right). */
export function ownOnly(p: Principal): boolean {
  return !p.permissions.has('reservations.manage') && !p.permissions.has('reservations.deliver');
}

/** A reservation as the API answers it to `p`: never its code; its recipient's name to staff. */
function shown(store: LockerService['store'], p: Principal, r: Reservation): z.infer<typeof NamedReservationSchema> {
  const name = p.permissions.has('reservations.manage') ? recipientName(store, r.recipient) : undefined;
  return { ...publicReservation(r), ...(name !== undefined ? { recipientName: name } : {}) };
}

/** Reservations and packages: reserve, drop off, pick up, extend, end, expire (the activity log: activity.ts). */
export const reservationRoutes: FastifyPluginAsyncZod<{ service: LockerService; guesses?: GuessCountsOf | undefined }> = async (app, { service, guesses }) => {
  const scope = (req: FastifyRequest) => scopeOf(req, service.store);
  // Pickup codes are short (6 digits): wrong guesses are throttled per user and per address like logins are.
  const codeThrottle = new LoginThrottle({
    freeAttempts: 5,
    baseLockMs: 2000,
    maxLockMs: 15 * 60_000,
    windowMs: 15 * 60_000,
    now: () => service.now(),
    ...(guesses ? { counts: guesses('pickup-code') } : {}),
  });

  /** A recipient sees only their own reservations; others get a 404 as if it did not exist. */
  async function visibleReservation(req: Parameters<typeof principalOf>[0], id: string): Promise<Reservation> {
    const r = await service.getReservation(id);
    if (!canSee(principalOf(req), r) || !scope(req).hasBank(r.bankId)) {
      throw new ApiError('NOT_FOUND', `reservation ${JSON.stringify(id)} not found`, 'params.reservationId');
    }
    return r;
  }

  showCustomValues(app, service, 'reservations', ['reservation', 'reservations', 'expired', 'released']);
  app.patch(
    '/reservations/:reservationId',
    {
      schema: {
        tags: ['reservations'],
        summary: "Set a live reservation's custom field values (by field id or label; null or \"\" clears one, a required one cannot be cleared)",
        params: ReservationParams,
        body: z.strictObject({ custom: customInputSchema.nullable() }),
        response: ok(Replies.reservation),
      },
    },
    async (req) => {
      await visibleReservation(req, req.params.reservationId);
      return { reservation: publicReservation(await service.customFields.setReservationValues(req.params.reservationId, req.body.custom, actorOf(req))) };
    },
  );

  app.get(
    '/reservations',
    { schema: { tags: ['reservations'], summary: 'List reservations (recipients: their own)', querystring: ListReservationsQs, response: ok(ReservationsReply) } },
    async (req) => {
      const p = principalOf(req);
      const q = { ...req.query };
      if (ownOnly(p)) {
        if (!p.contactId) throw forbidden('this recipient login is not linked to a contact');
        if (q.recipientId !== undefined && q.recipientId !== p.contactId) throw forbidden('recipients may only list their own reservations');
        q.recipientId = p.contactId;
      }
      const list = await service.listReservations(listReservationsQuery.parse(q));
      return { reservations: list.filter((r) => canSee(p, r) && scope(req).hasBank(r.bankId)).map((r) => shown(service.store, p, r)) };
    },
  );

  app.post(
    '/reservations',
    {
      schema: {
        tags: ['reservations'],
        summary: 'Reserve a locker: package (ahead of delivery), return, exchange, or day-use storage',
        body: reserveInput,
        response: created(Replies.reserved),
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      if (ownOnly(p)) {
        // A recipient may only book day-use storage for themselves.
        if (req.body.kind !== 'storage') throw forbidden('recipients may only reserve day-use storage');
        if (!p.contactId || req.body.recipient.type !== 'contact' || req.body.recipient.id !== p.contactId) {
          throw forbidden('recipients may only reserve for themselves');
        }
      } else if (!p.permissions.has('reservations.manage') && req.body.kind === 'storage') {
        throw forbidden('carriers may not reserve day-use storage');
      }
      scope(req).requireBank(req.body.bankId, 'body.bankId');
      const r = await service.reserve(req.body, actorOf(req));
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({
          reservation: publicReservation(r.reservation),
          addedToExisting: r.addedToExisting,
          ...(r.dropOffCode !== undefined ? { dropOffCode: r.dropOffCode, dropOffCodeExpiresAt: r.dropOffCodeExpiresAt } : {}),
        });
    },
  );

  app.get(
    '/reservations/:reservationId',
    {
      schema: {
        tags: ['reservations'],
        summary: 'One reservation, with the e-mails about it and their status',
        params: ReservationParams,
        response: ok(ReservationReply),
      },
    },
    async (req) => {
      const r = await visibleReservation(req, req.params.reservationId);
      return { reservation: shown(service.store, principalOf(req), r), messages: reservationMail(service.store.list('mailOutbox'), r.id) };
    },
  );

  app.post(
    '/reservations/:reservationId/drop-off',
    {
      schema: {
        tags: ['reservations'],
        summary: 'Record a drop-off into the reserved locker; answers the pickup code once',
        params: ReservationParams,
        body: dropOffInput.omit({ reservationId: true }),
        response: ok(Replies.droppedOff),
      },
    },
    async (req, reply) => {
      await visibleReservation(req, req.params.reservationId);
      const r = await service.dropOff({ ...req.body, reservationId: req.params.reservationId }, actorOf(req));
      return reply.header('cache-control', 'no-store').send({
        reservation: publicReservation(r.reservation),
        ...(r.pickupCode !== undefined ? { pickupCode: r.pickupCode, pickupCodeExpiresAt: r.pickupCodeExpiresAt } : {}),
      });
    },
  );

  app.post(
    '/pickups',
    {
      schema: {
        tags: ['reservations'],
        summary: 'Pick up with a code at a bank, or (staff) on behalf of a recipient by reservation id',
        body: pickUpInput,
        response: ok(Replies.pickedUp),
      },
    },
    async (req) => {
      const p = principalOf(req);
      if ('reservationId' in req.body) {
        if (!p.permissions.has('reservations.manage')) throw forbidden('only staff may pick up without a code');
        await visibleReservation(req, req.body.reservationId);
      } else {
        scope(req).requireBank(req.body.bankId, 'body.bankId');
      }
      const keys = 'code' in req.body ? [`user:${p.userId}`, `ip:${req.ip}`] : [];
      const wait = await codeThrottle.retryAfterMs(keys);
      if (wait > 0) {
        throw new ApiError('TOO_MANY_ATTEMPTS', 'too many wrong codes, try again later', 'body.code', {
          'retry-after': String(Math.ceil(wait / 1000)),
        });
      }
      let r: Awaited<ReturnType<LockerService['pickUp']>>;
      try {
        r = await service.pickUp(req.body, actorOf(req));
      } catch (err) {
        if (err instanceof DomainError && err.code === 'INVALID_CODE') await codeThrottle.fail(keys);
        throw err;
      }
      await codeThrottle.succeed(keys);
      return { reservations: r.reservations.map(publicReservation), lockerNumbers: r.lockerNumbers };
    },
  );

  app.post(
    '/reservations/:reservationId/extend',
    { schema: { tags: ['reservations'], summary: 'Extend day-use storage', params: ReservationParams, body: extendReservationInput, response: ok(Replies.reservation) } },
    async (req) => {
      await visibleReservation(req, req.params.reservationId);
      return { reservation: publicReservation(await service.extendReservation(req.params.reservationId, req.body, actorOf(req))) };
    },
  );

  app.post(
    '/reservations/:reservationId/pickup-code',
    {
      schema: {
        tags: ['reservations'],
        summary: 'Issue a new pickup code (lost, or its notice never arrived); answers it once, the old one stops working',
        params: ReservationParams,
        response: ok(Replies.codeReissued),
      },
    },
    async (req, reply) => {
      await visibleReservation(req, req.params.reservationId);
      const r = await service.reissuePickupCode(req.params.reservationId, actorOf(req));
      return reply.header('cache-control', 'no-store').send({ reservation: publicReservation(r.reservation), code: r.code, expiresAt: r.expiresAt });
    },
  );

  app.post(
    '/reservations/:reservationId/recipient',
    {
      schema: {
        tags: ['reservations'],
        summary:
          'Name the recipient of a package in its locker (a kiosk drop-off that named nobody, or the wrong person): a new pickup code goes to the notification hook for them and is answered once; the old one stops working',
        params: ReservationParams,
        body: assignRecipientInput,
        response: ok(Replies.codeReissued),
      },
    },
    async (req, reply) => {
      await visibleReservation(req, req.params.reservationId);
      const r = await service.heldParcels.assignRecipient(req.params.reservationId, req.body, actorOf(req));
      return reply.header('cache-control', 'no-store').send({ reservation: publicReservation(r.reservation), code: r.code, expiresAt: r.expiresAt });
    },
  );

  app.post(
    '/reservations/:reservationId/end',
    { schema: { tags: ['reservations'], summary: 'End a reservation and free its locker', params: ReservationParams, body: endReservationInput, response: ok(Replies.reservation) } },
    async (req) => {
      await visibleReservation(req, req.params.reservationId);
      return { reservation: publicReservation(await service.endReservation(req.params.reservationId, req.body, actorOf(req))) };
    },
  );

  app.post(
    '/expiry/run',
    { schema: { tags: ['reservations'], summary: 'Expire uncollected packages and release stale holds now', response: ok(Replies.expiry) } },
    async () => {
      const r = await service.expireDue();
      return { expired: r.expired.map(publicReservation), released: r.released.map(publicReservation) };
    },
  );

};
