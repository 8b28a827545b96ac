/**
 * The activity log over HTTP: a page of rows as a person reads them (activity-rows.ts), filtered by type(s), date
 * range, bank, location, recipient, reservation and actor, or the same rows streamed as CSV. The caller's scope (scope.ts)
 * limits both to what they may see.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LockerService } from '../../domain/service.ts';
import { ACTIVITY_TYPES, activityEntrySchema, activityQuery, entityIdSchema, historyCursorSchema, reservationStatusSchema, type ActivityType } from '../../domain/model.ts';
import { ApiError } from '../errors.ts';
import { scopeOf } from '../scope.ts';
import { ERRORS } from '../schemas.ts';
import { queryInt } from './common.ts';

const TYPES: ReadonlySet<string> = new Set(ACTIVITY_TYPES);

const ActivityQs = z.strictObject({
  type: z
    .string()
    .max(400)
    .refine((v) => v.split(',').every((t) => TYPES.has(t)), { message: `expected one or more of ${ACTIVITY_TYPES.join(', ')}, comma-separated` })
    .optional()
    .describe(`one type, or several comma-separated (any of them): ${ACTIVITY_TYPES.join(', ')}`),
  bankId: entityIdSchema.optional(),
  locationId: entityIdSchema.optional().describe("entries of this location's banks"),
  recipientId: entityIdSchema.optional(),
  reservationId: entityIdSchema.optional().describe('entries about this reservation (with bankId and from, only the segments of that bank and time are read)'),
  actorId: z.string().min(1).max(64).optional().describe('entries made by this user, carrier or controller'),
  /** ISO 8601 date-time or epoch milliseconds. */
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  limit: queryInt(1, 100_000).optional(),
  /** The `nextCursor` of the page before: the next page of the same query. */
  cursor: historyCursorSchema.optional(),
  format: z.enum(['json', 'csv']).default('json'),
});

/** An activity entry with the names a person reads, as the JSON page answers it. */
const ActivityRowSchema = activityEntrySchema.extend({
  recipientName: z.string().optional(),
  bankName: z.string().optional(),
  locationId: z.string().optional(),
  locationName: z.string().optional(),
  actorName: z.string().describe('user name, carrier name, `kiosk` or `system`'),
  status: reservationStatusSchema.or(z.literal('ended')).optional().describe('status of the reservation the entry is about, now'),
  trackingIds: z.array(z.string()).optional().describe("the reservation's tracking IDs, when the entry names none itself"),
  targetName: z.string().optional().describe('an administrative change: the object'),
  changesText: z.string().optional().describe('an administrative change: what changed, one line'),
});
export const ActivityReply = z.object({
  activity: z.array(ActivityRowSchema),
  nextCursor: z.string().optional().describe('present when more entries match: pass it as `cursor` for the next page'),
});

/** An instant in a query string: epoch ms digits or an ISO 8601 date(-time); anything else is a 422 naming the key. */
export function parseInstant(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  let ms: number;
  if (/^\d{1,16}$/.test(value)) ms = Number(value);
  else if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) ms = Date.parse(value);
  else ms = NaN;
  if (!Number.isFinite(ms) || ms < 0 || ms > 8_640_000_000_000_000) {
    throw new ApiError('INVALID_DATE', `${field}: expected an ISO 8601 date-time or epoch milliseconds`, field);
  }
  return ms;
}

export const activityRoutes: FastifyPluginAsyncZod<{ service: LockerService }> = async (app, { service }) => {
  app.get(
    '/activity',
    {
      schema: {
        tags: ['activity'],
        summary:
          'Activity log by type(s), bank, location, recipient, reservation, actor and date range, a page at a time (`limit`, default 10000; pass the answer\'s `nextCursor` as `cursor` for the next page; no `nextCursor` on the last); `?format=csv` streams a CSV export of up to `limit` entries from `cursor` on. Each entry carries the names a person reads: recipient, bank, location, actor, the reservation\'s status, and for an administrative change the object and what changed',
        querystring: ActivityQs,
        response: {
          200: {
            description: 'activity entries, oldest first',
            content: {
              'application/json': { schema: ActivityReply },
              'text/csv': {
                schema: z
                  .string()
                  .describe(
                    'RFC 4180 CSV with a header row (?format=csv): the columns of the stored entry, then the names (recipientName, bankName, locationName, actorName, status, trackingIds, object, changes); a cell starting with =, +, -, @, tab or CR is written with a single quote in front, so a spreadsheet reads it as text',
                  ),
              },
            },
          },
          ...ERRORS,
        },
      },
    },
    async (req, reply) => {
      const from = parseInstant(req.query.from, 'querystring.from');
      const to = parseInstant(req.query.to, 'querystring.to');
      if (from !== undefined && to !== undefined && from >= to) {
        throw new ApiError('INVALID_RANGE', 'querystring.to: must be after from', 'querystring.to');
      }
      const types = req.query.type !== undefined ? [...new Set(req.query.type.split(','))] as ActivityType[] : [];
      const { bankId, locationId, recipientId, reservationId, actorId, limit, cursor } = req.query;
      const query = activityQuery.parse({
        ...(types.length === 1 ? { type: types[0] } : types.length > 1 ? { types } : {}),
        ...(bankId ? { bankId } : {}),
        ...(locationId ? { locationId } : {}),
        ...(recipientId ? { recipientId } : {}),
        ...(reservationId ? { reservationId } : {}),
        ...(actorId ? { actorId } : {}),
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        ...(limit !== undefined ? { limit } : {}),
        ...(cursor !== undefined ? { cursor } : {}),
      });
      const within = scopeOf(req, service.store).activityWithin();
      if (req.query.format === 'csv') {
        // The first page is read before the answer starts, so a bad query is still a 4xx; the rest streams.
        const chunks = service.activityCsvChunks(query, within);
        const first = await chunks.next();
        const second = await chunks.next();
        async function* rest(): AsyncGenerator<string> {
          if (!first.done) yield first.value;
          if (!second.done) yield second.value;
          yield* chunks;
        }
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="activity.csv"')
          .send(Readable.from(rest()) as unknown as string); // a stream: the type provider types only the serialised body
      }
      const page = await service.activityRowsPage(query, within);
      return { activity: page.items, ...(page.nextCursor !== undefined ? { nextCursor: page.nextCursor } : {}) };
    },
  );
};
