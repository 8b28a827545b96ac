import { csvHeader, csvRows, toCsv } from './csv-export.ts';
import type { ActivityEntry } from './model.ts';
import type { ActivityRow } from './use-cases/activity-rows.ts';

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
  // The names a person reads (activity-rows.ts), after the columns of earlier releases, which keep their places.
  'recipientName',
  'bankName',
  'locationName',
  'actorName',
  'status',
  'trackingIds',
  'object',
  'changes',
] as const;

/** The activity export (csv-export.ts: RFC 4180, no cell a spreadsheet would run); times in ISO 8601 UTC. */
export function activityToCsv(entries: readonly (ActivityEntry | ActivityRow)[]): string {
  return toCsv(ACTIVITY_CSV_COLUMNS, entries.map(activityRow));
}

/** The export's header row, and its rows of `entries`: written apart, an export streams page by page. */
export function activityCsvHeader(): string {
  return csvHeader(ACTIVITY_CSV_COLUMNS);
}
export function activityCsvRows(entries: readonly (ActivityEntry | ActivityRow)[]): string {
  return csvRows(entries.map(activityRow));
}

function activityRow(e: ActivityEntry | ActivityRow): string[] {
  const a: Partial<ActivityRow> & ActivityEntry = e;
  return [
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
    a.recipientName ?? '',
    a.bankName ?? '',
    a.locationName ?? '',
    a.actorName ?? '',
    a.status ?? '',
    a.trackingIds?.join(' ') ?? '',
    a.targetName ?? '',
    a.changesText ?? '',
  ];
}
