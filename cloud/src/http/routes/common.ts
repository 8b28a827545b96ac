import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor, Reservation } from '../../domain/model.ts';
import { actorAs, entityIdSchema, lockerNumberSchema } from '../../domain/model.ts';
import { ApiError } from '../errors.ts';
import { ERRORS } from '../schemas.ts';
import { principalOf } from '../principal.ts';

/** The actor recorded in the activity log for a request: the signed-in user (or key) and their role's word. */
export function actorOf(req: FastifyRequest): Actor {
  const p = principalOf(req);
  return actorAs(p.role, p.userId);
}

export function forbidden(message: string): ApiError {
  return new ApiError('FORBIDDEN', message);
}

/** A locker number in a URL: digits only, then the protocol's rule. */
export const lockerNumberParam = z
  .string()
  .regex(/^\d{1,4}$/, 'locker number must be 1 to 4 digits')
  .transform(Number)
  .pipe(lockerNumberSchema);

export const BankParams = z.strictObject({ bankId: entityIdSchema });
export const LockerParams = z.strictObject({ bankId: entityIdSchema, number: lockerNumberParam });
export const ReservationParams = z.strictObject({ reservationId: entityIdSchema });
export const ContactParams = z.strictObject({ contactId: entityIdSchema });
export const CarrierParams = z.strictObject({ carrierId: entityIdSchema });
export const CarrierCodeParams = z.strictObject({ carrierCodeId: entityIdSchema });

/** Query-string integers arrive as text. */
export const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
export const queryBool = z.enum(['true', 'false']).transform((s) => s === 'true');

/** Codes never leave the service as hashes either: a reservation as the API shows it. */
export function publicReservation(r: Reservation): Omit<Reservation, 'pickupCode'> & { pickupCodeExpiresAt?: number } {
  const { pickupCode, ...rest } = r;
  return pickupCode ? { ...rest, pickupCodeExpiresAt: pickupCode.expiresAt } : rest;
}


/** Response map of a route answering 200 with `schema`, or an error. */
export function ok<S extends z.ZodType>(schema: S): { 200: S } & typeof ERRORS {
  return { 200: schema, ...ERRORS };
}

/** Response map of a route answering 201 with `schema`, or an error. */
export function created<S extends z.ZodType>(schema: S): { 201: S } & typeof ERRORS {
  return { 201: schema, ...ERRORS };
}
