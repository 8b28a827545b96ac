import { DEFAULT_KIOSK_TIMERS, kioskTimerProblems, kioskTimersSchema, type KioskTimers } from '@portier/protocol';
import { KioskError } from './errors.ts';

export { DEFAULT_KIOSK_TIMERS, type KioskTimers };

export interface TimerProblem {
  /** The field at fault, e.g. `returnHomeAfterPickupS`. */
  field: string;
  message: string;
}

export type TimersValidation = { ok: true; timers: KioskTimers } | { ok: false; problems: TimerProblem[] };

/**
 * Validates kiosk timers: the protocol's ranges and its rule (after-pickup not longer than inactivity), plus the
 * kiosk's own combination rules, every problem at once with the field named. Missing fields take the defaults.
 *
 * The combination rules are the protocol's `kioskTimerProblems` (the cloud checks a bank's timers with the same).
 */
export function validateKioskTimers(input: unknown): TimersValidation {
  const merged = input && typeof input === 'object' ? { ...DEFAULT_KIOSK_TIMERS, ...(input as object) } : input;
  const parsed = kioskTimersSchema.safeParse(merged);
  const problems: TimerProblem[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push({ field: issue.path.join('.') || '(root)', message: issue.message });
    return { ok: false, problems };
  }
  const t = parsed.data;
  problems.push(...kioskTimerProblems(t));
  return problems.length ? { ok: false, problems } : { ok: true, timers: t };
}

/** Like `validateKioskTimers` but throws a `KioskError` (code INVALID_TIMERS) naming the first field at fault. */
export function parseKioskTimers(input: unknown): KioskTimers {
  const r = validateKioskTimers(input);
  if (r.ok) return r.timers;
  const first = r.problems[0] as TimerProblem;
  throw new KioskError('INVALID_TIMERS', r.problems.map((p) => `${p.field}: ${p.message}`).join('; '), first.field);
}
