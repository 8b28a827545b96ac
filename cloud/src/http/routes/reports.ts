/**
 * Utilisation reports over HTTP: each bank's occupancy day by day, and the drop-off to pickup time of its parcels,
 * over a period of calendar days in the server's time zone. The caller's scope (scope.ts) decides which banks they
 * cover; a bank outside it answers 404.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { dayStart, daysOf, dwellStats, localDate, occupancyByDay, readBankUse, type BankUse } from '../../domain/reports.ts';
import type { LockerService } from '../../domain/service.ts';
import { entityIdSchema, type Bank } from '../../domain/model.ts';
import { ApiError } from '../errors.ts';
import { scopeOf } from '../scope.ts';
import { ok, queryInt } from './common.ts';

/** The longest period a report covers, in days. */
export const REPORT_MAX_DAYS = 366;
const DEFAULT_DAYS = 7;
const DAY_MS = 86_400_000;

const ReportQs = z.strictObject({
  bankId: entityIdSchema.optional().describe('one bank; without it, every bank you may see'),
  from: z.string().max(10).optional().describe('first day (YYYY-MM-DD, server time zone); default: `days` days up to `to`'),
  to: z.string().max(10).optional().describe('last day, included (YYYY-MM-DD); default: today'),
  days: queryInt(1, REPORT_MAX_DAYS).optional().describe('without `from`: the period is this many days up to `to` (default 7)'),
});

const BankHead = {
  bankId: z.string(),
  bankName: z.string(),
  locationId: z.string(),
  locationName: z.string().optional(),
};

export const UtilisationReply = z.object({
  from: z.string(),
  to: z.string(),
  banks: z.array(
    z.object({
      ...BankHead,
      lockers: z.number().int().describe("the bank's lockers now"),
      peakShare: z.number().describe('the highest share of lockers occupied at one moment of the period, 0 to 1'),
      averageShare: z.number().describe('locker-time occupied over locker-time of the period, 0 to 1'),
      days: z.array(
        z.object({
          date: z.string().describe('YYYY-MM-DD'),
          peak: z.number().int().describe('most lockers occupied at one moment of the day'),
          peakShare: z.number(),
          averageShare: z.number().describe("the day's locker-time occupied (up to now for today), 0 to 1"),
        }),
      ),
    }),
  ),
});
export type UtilisationReply = z.infer<typeof UtilisationReply>;

export const DwellReply = z.object({
  from: z.string(),
  to: z.string(),
  banks: z.array(
    z.object({
      ...BankHead,
      count: z.number().int().describe('parcels picked up in the period'),
      medianMs: z.number().optional(),
      p90Ms: z.number().optional().describe('nearest rank: 90% of the parcels were picked up within this time'),
      averageMs: z.number().optional(),
    }),
  ),
});
export type DwellReply = z.infer<typeof DwellReply>;

/** The period of a query: its days, checked (real dates, `from` not after `to`, at most REPORT_MAX_DAYS). */
function periodOf(q: z.infer<typeof ReportQs>, now: number): { from: string; to: string } {
  const to = q.to ?? localDate(now);
  if (dayStart(to) === undefined) throw new ApiError('INVALID_DATE', 'querystring.to: expected a date YYYY-MM-DD', 'querystring.to');
  const from = q.from ?? localDate(dayStart(to, -((q.days ?? DEFAULT_DAYS) - 1))!);
  if (dayStart(from) === undefined) throw new ApiError('INVALID_DATE', 'querystring.from: expected a date YYYY-MM-DD', 'querystring.from');
  // Rounded: a day of a clock change is 23 or 25 hours long.
  const span = Math.round((dayStart(to)! - dayStart(from)!) / DAY_MS);
  if (span < 0) throw new ApiError('INVALID_RANGE', 'querystring.to: must not be before from', 'querystring.to');
  if (span >= REPORT_MAX_DAYS) throw new ApiError('INVALID_RANGE', `querystring.from: a report covers at most ${REPORT_MAX_DAYS} days`, 'querystring.from');
  return { from, to };
}

export const reportRoutes: FastifyPluginAsyncZod<{ service: LockerService }> = async (app, { service }) => {
  const { store } = service;

  /** The banks a query covers, in the caller's scope, with the period's days and what they were used for. */
  async function gather(req: FastifyRequest, q: z.infer<typeof ReportQs>) {
    const scope = scopeOf(req, store);
    if (q.bankId !== undefined) scope.requireBank(q.bankId, 'querystring.bankId');
    const banks: Bank[] = q.bankId !== undefined ? [store.get('banks', q.bankId)!] : store.list('banks').filter((b) => scope.hasBank(b.id));
    const now = service.now();
    const period = periodOf(q, now);
    const days = daysOf(period.from, period.to);
    // Days not begun are left out, and today counts up to now.
    while (days.dates.length > 0 && days.bounds[days.dates.length - 1]! >= now) {
      days.dates.pop();
      days.bounds.pop();
    }
    const end = Math.min(days.bounds.at(-1)!, now);
    days.bounds[days.bounds.length - 1] = end;
    const use = await readBankUse(store, banks.map((b) => b.id), days.bounds[0]!, end, now);
    const head = (b: Bank) => ({ bankId: b.id, bankName: b.name, locationId: b.locationId, ...optionalName(store.get('locations', b.locationId)?.name) });
    return { banks, period, days, use: (b: Bank): BankUse => use.get(b.id)!, head };
  }

  app.get(
    '/reports/utilisation',
    {
      schema: {
        tags: ['activity'],
        summary:
          "Occupancy of each bank you may see (or `bankId`), day by day over `from`..`to` (calendar days in the server's time zone, both included; at most 366; days not begun are left out): the most lockers occupied at one moment, and the share of locker-time occupied. A locker is occupied from a parcel's drop-off until its reservation ends",
        querystring: ReportQs,
        response: ok(UtilisationReply),
      },
    },
    async (req) => {
      const { banks, period, days, use, head } = await gather(req, req.query);
      const lockers = new Map<string, number>();
      for (const l of store.list('lockers')) lockers.set(l.bankId, (lockers.get(l.bankId) ?? 0) + 1);
      const whole = [days.bounds[0]!, days.bounds.at(-1)!];
      return {
        ...period,
        banks: banks.map((b) => {
          const n = lockers.get(b.id) ?? 0;
          const stays = use(b).stays;
          const overall = whole[1]! > whole[0]! ? occupancyByDay(stays, whole, n)[0] : undefined;
          const perDay = occupancyByDay(stays, days.bounds, n);
          return {
            ...head(b),
            lockers: n,
            peakShare: Math.max(0, ...perDay.map((d) => d.peakShare)),
            averageShare: overall?.averageShare ?? 0,
            days: perDay.map((d, i) => ({ date: days.dates[i]!, ...d })),
          };
        }),
      };
    },
  );

  app.get(
    '/reports/dwell',
    {
      schema: {
        tags: ['activity'],
        summary:
          "Drop-off to pickup time of the parcels picked up from each bank you may see (or `bankId`) over `from`..`to` (calendar days in the server's time zone, both included; at most 366): how many, the median, the 90th percentile and the average, in ms",
        querystring: ReportQs,
        response: ok(DwellReply),
      },
    },
    async (req) => {
      const { banks, period, use, head } = await gather(req, req.query);
      return { ...period, banks: banks.map((b) => ({ ...head(b), ...dwellStats(use(b).dwellMs) })) };
    },
  );
};

function optionalName(name: string | undefined): { locationName?: string } {
  return name !== undefined ? { locationName: name } : {};
}
