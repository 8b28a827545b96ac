/**
 * The cloud's model as zod schemas with their inferred types, one file per part under `model/`.
 *
 * Two kinds of schemas live there:
 * - entity schemas (`lockerSchema`, `reservationSchema`, ...): what the store holds and the service returns;
 * - input schemas (`createLockerInput`, `reserveInput`, ...): strict objects the HTTP layer uses as request
 *   bodies and the service parses again, so every entry point rejects the same bad input with the same field.
 */
export * from './model/common.ts';
export * from './model/organisation.ts';
export * from './model/people.ts';
export * from './model/roles.ts';
export * from './model/credentials.ts';
export * from './model/reservations.ts';
export * from './model/activity.ts';
export * from './model/custom-fields.ts';
