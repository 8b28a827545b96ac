import { toCsv } from './csv-export.ts';
import type { ActivityEntry } from './model.ts';

export const ACTIVITY_CSV_COLUMNS = [
  'time',
  'type',
  'actorRole',
  'actorId',
  'bankId',
  'lockerNumber',
  'recipientId',
  'trackingId',
  'reservationId',
  'detail',
] as const;

/** The activity export (csv-export.ts: RFC 4180, no cell a spreadsheet would run); times in ISO 8601 UTC. */
export function activityToCsv(entries: readonly ActivityEntry[]): string {
  const rows = entries.map((a) => [
    new Date(a.at).toISOString(),
    a.type,
    a.actor.role,
    a.actor.id ?? '',
    a.bankId ?? '',
    a.lockerNumber === undefined ? '' : String(a.lockerNumber),
    a.recipientId ?? '',
    a.trackingId ?? '',
    a.reservationId ?? '',
    a.detail ?? '',
  ]);
  return toCsv(ACTIVITY_CSV_COLUMNS, rows);
}
