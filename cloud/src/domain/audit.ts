/**
 * What an administrative change changed, as the activity log keeps it: each field whose value differs, before and
 * after, as short text. Secrets never reach it: callers name the fields to compare, and a field listed in
 * `HIDDEN` is recorded as changed without its values.
 */
import type { AuditChange } from './model.ts';

const MAX = 200;
/** Fields whose values are never written to the log, only the fact that they changed. */
const HIDDEN = new Set(['passwordHash', 'password', 'codeHash', 'hash', 'secret', 'privateKey']);

function text(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > MAX ? `${s.slice(0, MAX - 1)}…` : s;
}

/**
 * The changes between `before` and `after` over `fields` (a created object has no `before`, a deleted one no
 * `after`); equal values are left out.
 */
export function auditChanges<T extends object>(before: T | undefined, after: T | undefined, fields: readonly (keyof T & string)[]): AuditChange[] {
  const out: AuditChange[] = [];
  for (const field of fields) {
    const from = before?.[field];
    const to = after?.[field];
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    if (HIDDEN.has(field)) {
      out.push({ field });
      continue;
    }
    const f = text(from);
    const t = text(to);
    out.push({ field, ...(f !== undefined ? { from: f } : {}), ...(t !== undefined ? { to: t } : {}) });
  }
  return out;
}
