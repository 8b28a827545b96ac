/**
 * The bank settings form: every setting of `PATCH /banks/:bankId` (name, rules, kiosk timers, delivery quota) as a
 * field, each with its allowed range read from the very zod schemas the API checks with (the protocol's), the form's
 * values as they were typed, the body of the change (only what differs from the bank), and the API's field at fault
 * (`body.timers.doorLeftOpenS`) as the form's input (`timers-doorLeftOpenS`). No rule is checked here: what is typed
 * goes to the API as it is (a number when it reads as one), and the API's refusal is shown at the field.
 */
import { bankRulesSchema, deliveryQuotaSchema, kioskTimerFieldsSchema, LOCKER_SIZES, STORAGE_MODES, type BankRules } from '@portier/protocol';
import { z } from 'zod';
import { bankTimers } from '../../domain/bank-policy.ts';
import { updateBankInput } from '../../domain/model.ts';
import type { BankData } from '../bank-choice.ts';
import { errorSummary, type FormError } from '../form-errors.ts';
import { fieldParts, typedNumber } from '../form-fields.ts';
import { flag, html, type SafeHtml } from '../html.ts';
import { csrfField, type Viewer } from '../shell.ts';
import type { PageLanguage } from '../../http/pages/i18n.ts';
import type { ConsoleApiError } from '../console-api.ts';
import { BANK_SETTINGS_WORDS, type RuleKey, type SettingsGroup, type TimerKey } from './bank-settings-words.ts';

interface Bounds {
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  items?: Bounds;
  type?: string;
}

/** The bounds of a schema as its JSON Schema states them (optional wrappers give their inner schema's). */
function bounds(schema: z.ZodType): Bounds {
  return z.toJSONSchema(schema) as Bounds;
}

const TIMER_KEYS = Object.keys(kioskTimerFieldsSchema.shape) as TimerKey[];
const TIMER_BOUNDS = Object.fromEntries(TIMER_KEYS.map((k) => [k, bounds(kioskTimerFieldsSchema.shape[k])])) as Record<TimerKey, Bounds>;
const RULE_BOUNDS = Object.fromEntries(Object.entries(bankRulesSchema.shape).map(([k, s]) => [k, bounds(s)])) as Record<RuleKey, Bounds>;
const QUOTA_BOUNDS = (bounds(deliveryQuotaSchema) as { additionalProperties?: Bounds }).additionalProperties ?? {};
const NAME_BOUNDS = bounds(updateBankInput.shape.name);
/** Timers that may be left out (absent means 0: no reopen offer). */
const OPTIONAL_TIMERS = new Set(TIMER_KEYS.filter((k) => kioskTimerFieldsSchema.shape[k].safeParse(undefined).success));

/** Where each rule of the protocol shows: typed as a Record, so a rule added there does not compile until placed. */
const RULE_GROUP: Record<RuleKey, Extract<SettingsGroup, 'storage' | 'kiosk'>> = {
  contactless: 'kiosk',
  batchDropOff: 'kiosk',
  noBarcodePackages: 'kiosk',
  multiplePackagesPerCode: 'kiosk',
  departmentPickup: 'kiosk',
  pickupPinExpiryH: 'kiosk',
  addToExistingLocker: 'kiosk',
  openAllAtOnce: 'kiosk',
  maxStorageH: 'storage',
  storageModes: 'storage',
  fixedStorageHours: 'storage',
  flexibleStorageMaxH: 'storage',
};
const RULE_KEYS = Object.keys(RULE_GROUP) as RuleKey[];
const BOOLEAN_RULES = RULE_KEYS.filter((k) => RULE_BOUNDS[k].type === 'boolean');
/** Number rules that may be left empty (absent has a meaning of its own). */
const OPTIONAL_RULES = new Set(RULE_KEYS.filter((k) => bankRulesSchema.shape[k].safeParse(undefined).success));

const timerId = (k: TimerKey) => `timers-${k}`;
const ruleId = (k: RuleKey) => `rules-${k}`;
const quotaId = (s: string) => `quota-${s}`;

/** The form's values of a bank as it is. */
export function bankValues(bank: BankData): URLSearchParams {
  const f = new URLSearchParams({ name: bank.name });
  const timers = bankTimers(bank);
  for (const k of TIMER_KEYS) f.set(timerId(k), String(timers[k] ?? 0));
  const rules = bank.rules as BankRules;
  for (const k of BOOLEAN_RULES) if (rules[k] === true) f.set(ruleId(k), 'on');
  for (const k of ['pickupPinExpiryH', 'maxStorageH', 'flexibleStorageMaxH'] as const) f.set(ruleId(k), rules[k] === undefined ? '' : String(rules[k]));
  for (const m of rules.storageModes ?? STORAGE_MODES) f.append(ruleId('storageModes'), m);
  f.set(ruleId('fixedStorageHours'), (rules.fixedStorageHours ?? []).join(', '));
  for (const s of LOCKER_SIZES) f.set(quotaId(s), String(bank.deliveryQuota[s] ?? 0));
  return f;
}

/** A typed number as a number; anything else (empty too) as typed, for the API to refuse at its field. */
const typed = (text: string): number | string => typedNumber(text) ?? text;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The body of `PATCH /banks/:bankId`: each group with the settings that differ from the bank's (empty: nothing changed). */
export function changesOf(bank: BankData, f: URLSearchParams): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const name = (f.get('name') ?? '').trim();
  if (name !== bank.name) body['name'] = name;

  const timers = bankTimers(bank);
  const t: Record<string, unknown> = {};
  for (const k of TIMER_KEYS) {
    const text = (f.get(timerId(k)) ?? '').trim();
    if (text === '' && OPTIONAL_TIMERS.has(k)) continue;
    const value = typed(text);
    if (!same(value, timers[k] ?? (OPTIONAL_TIMERS.has(k) ? 0 : undefined))) t[k] = value;
  }
  if (Object.keys(t).length > 0) body['timers'] = t;

  const rules = bank.rules as BankRules;
  const r: Record<string, unknown> = {};
  for (const k of BOOLEAN_RULES) if ((f.get(ruleId(k)) === 'on') !== rules[k]) r[k] = f.get(ruleId(k)) === 'on';
  for (const k of ['pickupPinExpiryH', 'maxStorageH', 'flexibleStorageMaxH'] as const) {
    const text = (f.get(ruleId(k)) ?? '').trim();
    // An optional limit left empty keeps what the bank holds: the API has no way to remove one once set.
    if (text === '' && OPTIONAL_RULES.has(k)) continue;
    const value = typed(text);
    if (!same(value, rules[k])) r[k] = value;
  }
  const modes = STORAGE_MODES.filter((m) => f.getAll(ruleId('storageModes')).includes(m));
  if (!same(modes, [...(rules.storageModes ?? STORAGE_MODES)].sort((a, b) => STORAGE_MODES.indexOf(a) - STORAGE_MODES.indexOf(b)))) r['storageModes'] = modes;
  const hours = (f.get(ruleId('fixedStorageHours')) ?? '')
    .split(/[,;\s]+/)
    .filter((x) => x !== '')
    .map(typed);
  if (!same(hours, rules.fixedStorageHours ?? [])) r['fixedStorageHours'] = hours;
  if (Object.keys(r).length > 0) body['rules'] = r;

  const quota: Record<string, unknown> = {};
  for (const s of LOCKER_SIZES) {
    const text = (f.get(quotaId(s)) ?? '').trim();
    // No quota and a quota of 0 mean the same: the bank keeps only the sizes that have one.
    if (text !== '' && typed(text) !== 0) quota[s] = typed(text);
  }
  const meaning = (q: Record<string, unknown>) => Object.fromEntries(LOCKER_SIZES.filter((s) => q[s] !== undefined && q[s] !== 0).map((s) => [s, q[s]]));
  if (!same(meaning(quota), meaning(bank.deliveryQuota))) body['deliveryQuota'] = quota;
  return body;
}

/** Each field's label and what it allows, in the page's language. */
function fieldInfo(lang: PageLanguage): Map<string, { label: string; allowed?: string }> {
  const w = BANK_SETTINGS_WORDS[lang];
  const range = (b: Bounds, unit: 'seconds' | 'hours' | 'lockers') => w.range[unit](b.minimum ?? 0, b.maximum ?? 0);
  const fixed = RULE_BOUNDS.fixedStorageHours;
  const info = new Map<string, { label: string; allowed?: string }>([['name', { label: w.name.label, allowed: w.range.length(NAME_BOUNDS.minLength ?? 1, NAME_BOUNDS.maxLength ?? 0) }]]);
  for (const k of TIMER_KEYS) info.set(timerId(k), { label: w.timers[k].label, allowed: range(TIMER_BOUNDS[k], 'seconds') });
  for (const k of RULE_KEYS) info.set(ruleId(k), { label: w.rules[k].label, ...(RULE_BOUNDS[k].type === 'integer' ? { allowed: range(RULE_BOUNDS[k], 'hours') } : {}) });
  info.set(ruleId('fixedStorageHours'), { label: w.rules.fixedStorageHours.label, allowed: w.range.list(fixed.maxItems ?? 0, fixed.items?.minimum ?? 0, fixed.items?.maximum ?? 0) });
  for (const s of LOCKER_SIZES) info.set(quotaId(s), { label: w.quota(s), allowed: range(QUOTA_BOUNDS, 'lockers') });
  return info;
}

/**
 * The API's refusal on the form: its field (`body.rules.fixedStorageHours.1`) as the form's input. A value out of its
 * range or not a number (the schema's refusal, 400) is explained in the page's words with what the field allows; a
 * rule between settings (422) in the API's words, without its name of the field.
 */
export function refusalAt(err: ConsoleApiError, lang: PageLanguage): FormError {
  const [group, key] = (err.field ?? '').replace(/^body\./, '').split('.');
  const id = group === 'name' ? 'name' : group === 'deliveryQuota' ? quotaId(key ?? '') : `${group}-${key}`;
  const info = fieldInfo(lang).get(id);
  if (!info) return { field: undefined, message: err.message, api: true };
  if (err.status === 400 && info.allowed) return { field: id, message: BANK_SETTINGS_WORDS[lang].refused(info.label, info.allowed) };
  return { field: id, message: err.message.replace(/^[\w.]+: /, ''), api: true };
}

function numberField(lang: PageLanguage, id: string, label: string, hint: string, value: string, errors: readonly FormError[]): SafeHtml {
  const p = fieldParts(lang, id, hint, errors);
  return html`<div class="field"><label for="${id}">${label}</label>${p.hint}${p.error}<input type="text" inputmode="numeric" class="short" id="${id}" name="${id}" value="${value}" maxlength="40" autocomplete="off"${p.attrs}></div>`;
}

function checkField(lang: PageLanguage, id: string, label: string, hint: string, on: boolean, errors: readonly FormError[]): SafeHtml {
  const p = fieldParts(lang, id, hint, errors);
  return html`<div class="field"><div class="choice"><input type="checkbox" id="${id}" name="${id}" value="on"${flag('checked', on)}${p.attrs}><label for="${id}">${label}</label></div>${p.hint}${p.error}</div>`;
}

function section(id: SettingsGroup, heading: string, intro: string | undefined, fields: readonly SafeHtml[]): SafeHtml {
  return html`<section class="panel setup-panel" aria-labelledby="group-${id}"><h2 id="group-${id}">${heading}</h2>${intro ? html`<p>${intro}</p>` : ''}${fields}</section>`;
}

/** The whole form of a bank's settings, its groups in order, `values` as typed (or the bank's), each refusal at its field. */
export function settingsForm(v: Viewer, bankId: string, values: URLSearchParams, errors: readonly FormError[]): SafeHtml {
  const w = BANK_SETTINGS_WORDS[v.lang];
  const lang = v.lang;
  const info = fieldInfo(v.lang);
  const val = (id: string) => values.get(id) ?? '';
  const allowed = (id: string) => info.get(id)?.allowed ?? '';
  const timer = (k: TimerKey) => numberField(lang, timerId(k), w.timers[k].label, `${w.timers[k].hint} ${allowed(timerId(k))}`, val(timerId(k)), errors);
  const hoursRule = (k: 'pickupPinExpiryH' | 'maxStorageH' | 'flexibleStorageMaxH') => numberField(lang, ruleId(k), w.rules[k].label, `${w.rules[k].hint} ${allowed(ruleId(k))}`, val(ruleId(k)), errors);
  const modesId = ruleId('storageModes');
  const modes = fieldParts(lang, modesId, w.rules.storageModes.hint, errors);
  const chosen = new Set(values.getAll(modesId));
  const storage = [
    hoursRule('maxStorageH'),
    html`<fieldset><legend>${w.rules.storageModes.label}</legend>${modes.hint}${modes.error}${STORAGE_MODES.map((m, i) => {
      const id = i === 0 ? modesId : `${modesId}-${m}`;
      return html`<div class="choice"><input type="checkbox" id="${id}" name="${modesId}" value="${m}"${flag('checked', chosen.has(m))}${i === 0 ? modes.attrs : ''}><label for="${id}">${w.modes[m]}</label></div>`;
    })}</fieldset>`,
    numberField(lang, ruleId('fixedStorageHours'), w.rules.fixedStorageHours.label, `${w.rules.fixedStorageHours.hint} ${allowed(ruleId('fixedStorageHours'))}`, val(ruleId('fixedStorageHours')), errors),
    hoursRule('flexibleStorageMaxH'),
  ];
  const kiosk = RULE_KEYS.filter((k) => RULE_GROUP[k] === 'kiosk').map((k) =>
    k === 'pickupPinExpiryH' ? hoursRule(k) : checkField(lang, ruleId(k), w.rules[k].label, w.rules[k].hint, val(ruleId(k)) === 'on', errors),
  );
  const quota = LOCKER_SIZES.map((s) => numberField(lang, quotaId(s), w.quota(s), allowed(quotaId(s)), val(quotaId(s)), errors));
  const name = fieldParts(lang, 'name', `${w.name.hint} ${allowed('name')}`, errors);
  return html`${errorSummary(lang, errors)}<form method="post" action="/console/bank-settings/${encodeURIComponent(bankId)}" novalidate>${csrfField(v)}
<p class="muted">${w.defaults}</p>
${section('general', w.groups.general, undefined, [
  html`<div class="field"><label for="name">${w.name.label}</label>${name.hint}${name.error}<input type="text" id="name" name="name" value="${val('name')}" maxlength="${NAME_BOUNDS.maxLength ?? 200}" autocomplete="off"${name.attrs}></div>`,
])}
${section('timers', w.groups.timers, w.groupIntros.timers, TIMER_KEYS.map(timer))}
${section('storage', w.groups.storage, w.groupIntros.storage, storage)}
${section('quota', w.groups.quota, w.groupIntros.quota, quota)}
${section('kiosk', w.groups.kiosk, undefined, kiosk)}
<div class="actions"><button type="submit">${w.submit}</button></div>
</form>`;
}
