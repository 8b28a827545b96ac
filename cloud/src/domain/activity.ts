import { stringify } from 'csv-stringify/sync';
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

/** RFC 4180 CSV (CRLF line ends, quoted where needed) with a header row; times in ISO 8601 UTC. */
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
  return stringify(rows, { header: true, columns: [...ACTIVITY_CSV_COLUMNS], record_delimiter: 'windows' });
}
