import { DEFAULT_KIOSK_TIMERS, kioskTimersSchema, type KioskTimers } from '@portier/protocol';
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
 * Kiosk rules on top of the protocol's:
 * - `adminSessionTimeoutS` >= `returnHomeOnInactivityS`: a staff session that times out before a public one would
 *   sign an operator out in the middle of loading while a passer-by's session lasts longer.
 * - `lockerAccessAfterPickupS` (when not 0) >= `returnHomeAfterPickupS`: the reopen offer must still hold when the
 *   screen that shows the open locker goes back home, otherwise "Reopen my locker" on that screen is a lie.
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
  if (t.adminSessionTimeoutS < t.returnHomeOnInactivityS) {
    problems.push({ field: 'adminSessionTimeoutS', message: 'must not be shorter than returnHomeOnInactivityS' });
  }
  if (t.lockerAccessAfterPickupS !== 0 && t.lockerAccessAfterPickupS < t.returnHomeAfterPickupS) {
    problems.push({ field: 'lockerAccessAfterPickupS', message: 'must be 0 or at least returnHomeAfterPickupS' });
  }
  return problems.length ? { ok: false, problems } : { ok: true, timers: t };
}

/** Like `validateKioskTimers` but throws a `KioskError` (code INVALID_TIMERS) naming the first field at fault. */
export function parseKioskTimers(input: unknown): KioskTimers {
  const r = validateKioskTimers(input);
  if (r.ok) return r.timers;
  const first = r.problems[0] as TimerProblem;
  throw new KioskError('INVALID_TIMERS', r.problems.map((p) => `${p.field}: ${p.message}`).join('; '), first.field);
}
