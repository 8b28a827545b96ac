/**
 * A bank's policy (its rules, kiosk timers and delivery quota) after a change: merged over what it holds, checked with
 * the protocol's ranges and combination rules (the kiosk applies the same), and the list of what changed for the
 * activity log. Pure.
 */
import {
  bankRuleProblems,
  bankRulesSchema,
  DEFAULT_KIOSK_TIMERS,
  kioskTimerProblems,
  kioskTimersSchema,
  storageOffer,
  type BankRules,
  type KioskTimers,
} from '@portier/protocol';
import type { z } from 'zod';
import { DomainError } from './errors.ts';
import type { AuditChange, Bank, updateBankInput } from './model.ts';

type UpdateBankRequest = z.infer<typeof updateBankInput>;

/** The kiosk timers a bank's controllers run on: its own, or the protocol defaults. */
export function bankTimers(bank: Bank): KioskTimers {
  return bank.timers ?? DEFAULT_KIOSK_TIMERS;
}

/** Merges a checked `updateBankInput` into the bank: the new bank and the dotted names of the fields that changed. */
export function mergeBankUpdate(b: Bank, req: UpdateBankRequest): { next: Bank; changed: string[] } {
  const rules = checkedRules({ ...b.rules, ...req.rules });
  const timers = req.timers !== undefined ? checkedTimers({ ...bankTimers(b), ...req.timers }) : b.timers;
  const next: Bank = {
    ...b,
    ...(req.name !== undefined ? { name: req.name } : {}),
    rules,
    deliveryQuota: req.deliveryQuota ?? b.deliveryQuota,
    ...(timers !== undefined ? { timers } : {}),
  };
  const changed: string[] = [];
  if (next.name !== b.name) changed.push('name');
  changed.push(...diff('rules', b.rules, next.rules));
  changed.push(...diff('timers', bankTimers(b), bankTimers(next)));
  changed.push(...diff('deliveryQuota', b.deliveryQuota, next.deliveryQuota));
  return { next, changed };
}

/** "rules.maxStorageH 12 -> 8; timers.doorLeftOpenS 120 -> 60": what a person reads in the activity log. */
export function describeBankChange(before: Bank, after: Bank, changed: string[]): string {
  return `bank ${after.id} policy: ${changed.map((p) => `${p} ${policyValue(before, p)} -> ${policyValue(after, p)}`).join('; ')}`.slice(0, 500);
}

/** Each changed field of a bank's policy with its value before and after, as the activity's `changes` hold them. */
export function bankChanges(before: Bank, after: Bank, changed: string[]): AuditChange[] {
  return changed.map((field) => ({ field, from: policyValue(before, field).slice(0, 200), to: policyValue(after, field).slice(0, 200) }));
}

function policyValue(b: Bank, path: string): string {
  const [group, key] = path.split('.') as [string, string | undefined];
  const source: Record<string, unknown> =
    group === 'rules' ? b.rules : group === 'timers' ? bankTimers(b) : group === 'deliveryQuota' ? b.deliveryQuota : { name: b.name };
  const v = source[key ?? group];
  return v === undefined ? '(default)' : JSON.stringify(v);
}

function checkedRules(merged: BankRules): BankRules {
  return checked('rules', bankRulesSchema.safeParse(merged), bankRuleProblems);
}

function checkedTimers(merged: KioskTimers): KioskTimers {
  return checked('timers', kioskTimersSchema.safeParse(merged), kioskTimerProblems);
}

/** The merged group, or a VALIDATION error naming its first field at fault (`timers.doorLeftOpenS`). */
function checked<T>(group: string, r: z.ZodSafeParseResult<T>, problems: (v: T) => Array<{ field: string; message: string }>): T {
  const first = r.success ? problems(r.data)[0] : { field: r.error.issues[0]?.path.join('.') ?? '', message: r.error.issues[0]?.message ?? 'invalid' };
  if (!first) return (r as { data: T }).data;
  const field = `${group}.${first.field}`;
  throw new DomainError('VALIDATION', `${field}: ${first.message}`, field);
}

function diff(group: string, a: object, b: object): string[] {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort();
  return keys.filter((k) => JSON.stringify(ra[k]) !== JSON.stringify(rb[k])).map((k) => `${group}.${k}`);
}

/** Day-use storage asked for through the API, in the cloud's words (`open` is the protocol's `no-end`). */
export interface StorageRequest {
  mode: 'fixed' | 'flexible' | 'open';
  minutes?: number | undefined;
  maxMinutes?: number | undefined;
}

/**
 * Holds storage asked for through the API to the bank's offer, as the kiosk holds storage started there: the mode
 * must be offered, a fixed duration one of the bank's `fixedStorageHours` when it lists some, a flexible one within
 * `flexibleStorageMaxH`. Answers the longest flexible stay (minutes), its default maximum.
 */
export function checkStorageRequest(rules: BankRules, s: StorageRequest): { flexibleMaxMinutes: number } {
  const offer = storageOffer(rules);
  const mode = s.mode === 'open' ? 'no-end' : s.mode;
  if (!offer.modes.includes(mode)) throw new DomainError('VALIDATION', `storage.mode: the bank does not offer ${s.mode} storage`, 'storage.mode');
  if (mode === 'fixed' && offer.fixedHours.length > 0 && s.minutes !== undefined && !offer.fixedHours.some((h) => h * 60 === s.minutes)) {
    throw new DomainError('VALIDATION', `storage.minutes: fixed storage lasts one of ${offer.fixedHours.join(', ')} h at this bank`, 'storage.minutes');
  }
  const flexibleMaxMinutes = offer.flexibleMaxH * 60;
  if (mode === 'flexible') {
    if (s.minutes !== undefined && s.minutes > flexibleMaxMinutes)
      throw new DomainError('VALIDATION', `storage.minutes: longer than the bank's flexible maximum of ${offer.flexibleMaxH} h`, 'storage.minutes');
    if (s.maxMinutes !== undefined && s.maxMinutes > flexibleMaxMinutes)
      throw new DomainError('VALIDATION', `storage.maxMinutes: longer than the bank's flexible maximum of ${offer.flexibleMaxH} h`, 'storage.maxMinutes');
  }
  return { flexibleMaxMinutes };
}
