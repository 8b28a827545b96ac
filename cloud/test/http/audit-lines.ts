/** The administrative changes of the activity log as one line each: what the audit tests compare. */
import type { ActivityEntry } from '../../src/domain/model.ts';
import type { LockerService } from '../../src/domain/service.ts';

/** `kind:id detail | field: from -> to; ...` (`none` for a value absent before or after). */
export function auditLine(a: ActivityEntry): string {
  const changes = (a.changes ?? []).map((c) => `${c.field}: ${c.from ?? 'none'} -> ${c.to ?? 'none'}`).join('; ');
  return `${a.target?.kind ?? ''}:${a.target?.id ?? ''} ${a.detail ?? ''}${changes ? ` | ${changes}` : ''}`;
}

/** Every administrative change recorded, oldest first, with the entries themselves. */
export async function auditEntries(service: LockerService): Promise<ActivityEntry[]> {
  return service.queryActivity({ type: 'admin-change' });
}

export async function auditLines(service: LockerService, pred: (a: ActivityEntry) => boolean = () => true): Promise<string[]> {
  return (await auditEntries(service)).filter(pred).map(auditLine);
}
