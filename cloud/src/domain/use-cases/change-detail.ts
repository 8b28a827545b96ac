/**
 * The words of an audit entry about an administrative change: what was changed and, field by field, the old and new
 * values. Only fields that hold no secret are ever passed here (names, sizes, heights, ids), so the detail can be read
 * by anyone who may read the activity log.
 */

/** Longest detail an activity entry holds (its schema's limit). */
const DETAIL_MAX = 500;

function shown(v: unknown): string {
  if (v === undefined || v === null) return 'none';
  if (typeof v === 'string') return JSON.stringify(v);
  return JSON.stringify(v);
}

/** `field: old -> new` for every listed field whose value differs (compared as JSON), in the order listed. */
export function fieldChanges<T extends object>(before: T, after: T, fields: readonly (keyof T & string)[]): string[] {
  const out: string[] = [];
  for (const f of fields) {
    const a = shown(before[f]);
    const b = shown(after[f]);
    if (a !== b) out.push(`${f}: ${a} -> ${b}`);
  }
  return out;
}

/** "edited division d-1: name "North" -> "South"", cut to what an activity entry holds. */
export function changeDetail(verb: string, subject: string, changes: readonly string[] = []): string {
  const text = changes.length > 0 ? `${verb} ${subject}: ${changes.join('; ')}` : `${verb} ${subject}`;
  return text.length <= DETAIL_MAX ? text : `${text.slice(0, DETAIL_MAX - 1)}…`;
}
