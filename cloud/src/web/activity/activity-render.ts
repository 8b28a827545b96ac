/**
 * The activity screen's parts: its filters as a GET form (and as the query of its links), the recipient choices the
 * search as you type fills, the table of a page of entries and the pager. Pure rendering and parsing: the data comes
 * from the API (activity-page.ts).
 */
import { z } from 'zod';
import { ACTIVITY_TYPES, type ActivityType } from '../../domain/model.ts';
import { dayStart } from '../../domain/reports.ts';
import type { PageLanguage } from '../../http/pages/i18n.ts';
import { errorSummary } from '../form-errors.ts';
import { formatDateTime } from '../format.ts';
import { flag, html, type SafeHtml } from '../html.ts';
import { SHELL_WORDS } from '../shell-words.ts';
import { ACTIVITY_WORDS } from './activity-words.ts';

export const ACTIVITY_PATH = '/console/activity';
export const ACTIVITY_CSV_PATH = '/console/activity.csv';
export const RECIPIENTS_PATH = '/console/activity/recipients';
/** Entries on a page. */
export const PAGE_SIZE = 50;
/** Pages one can go back through (each a cursor in the page's address). */
const MAX_DEPTH = 500;
const CURSOR = /^\d{1,16}(\.\d{1,16})?$/;

/** What a row shows of an API activity entry (routes/activity.ts). */
const RowSchema = z.looseObject({
  at: z.number(),
  type: z.enum(ACTIVITY_TYPES),
  lockerNumber: z.number().optional(),
  bankId: z.string().optional(),
  bankName: z.string().optional(),
  recipientId: z.string().optional(),
  recipientName: z.string().optional(),
  actorName: z.string(),
  detail: z.string().optional(),
  trackingId: z.string().optional(),
  trackingIds: z.array(z.string()).optional(),
  targetName: z.string().optional(),
  changesText: z.string().optional(),
});
export const ActivityPageReply = z.object({ activity: z.array(RowSchema), nextCursor: z.string().optional() });
export type ActivityRowData = z.infer<typeof RowSchema>;

const FilterQuery = z.looseObject({
  type: z.string().max(40).optional(),
  from: z.string().max(20).optional(),
  to: z.string().max(20).optional(),
  bank: z.string().max(100).optional(),
  recipient: z.string().max(100).optional(),
  rq: z.string().max(200).optional(),
  at: z.string().max(MAX_DEPTH * 34).optional(),
});

/** The filters of the page, as the person chose them. */
export interface Filters {
  type?: ActivityType;
  from?: string;
  to?: string;
  bank?: string;
  recipient?: string;
  /** The text of the recipient search. */
  rq?: string;
  /** The cursors of the pages before this one, oldest first: the last is where this page starts. */
  at: string[];
}

/** A filter that is wrong, and which field it is. */
export interface FilterError {
  field: 'from' | 'to';
  message: string;
}

const nonEmpty = (s: string | undefined): string | undefined => (s !== undefined && s.trim() !== '' ? s.trim() : undefined);

export function filtersOf(query: unknown): Filters {
  const q = FilterQuery.safeParse(query);
  const d = q.success ? q.data : {};
  const type = ACTIVITY_TYPES.find((t) => t === d.type);
  const at = (d.at ?? '').split(',').filter((c) => CURSOR.test(c)).slice(-MAX_DEPTH);
  const f: Filters = { at };
  if (type) f.type = type;
  for (const k of ['from', 'to', 'bank', 'recipient', 'rq'] as const) {
    const v = nonEmpty(d[k]);
    if (v !== undefined) f[k] = v;
  }
  return f;
}

/** The API's query for the filters (without paging), or what is wrong with them. */
export function apiQueryOf(lang: PageLanguage, f: Filters): { query: URLSearchParams; errors: FilterError[] } {
  const w = ACTIVITY_WORDS[lang];
  const query = new URLSearchParams();
  const errors: FilterError[] = [];
  if (f.type) query.set('type', f.type);
  if (f.bank) query.set('bankId', f.bank);
  if (f.recipient) query.set('recipientId', f.recipient);
  const from = f.from !== undefined ? dayStart(f.from) : undefined;
  const to = f.to !== undefined ? dayStart(f.to, 1) : undefined;
  if (f.from !== undefined && from === undefined) errors.push({ field: 'from', message: w.badDate });
  if (f.to !== undefined && to === undefined) errors.push({ field: 'to', message: w.badDate });
  if (from !== undefined && to !== undefined && to <= from) errors.push({ field: 'to', message: w.badRange });
  // Whole days in the server's time zone: from the first day's start to the end of the last.
  if (from !== undefined) query.set('from', String(from));
  if (to !== undefined) query.set('to', String(to));
  return { query, errors };
}

/** The console's query for the filters, and the page start `at` when given. */
export function linkQuery(f: Filters, at: readonly string[] = []): string {
  const q = new URLSearchParams();
  if (f.type) q.set('type', f.type);
  if (f.from) q.set('from', f.from);
  if (f.to) q.set('to', f.to);
  if (f.bank) q.set('bank', f.bank);
  if (f.recipient) q.set('recipient', f.recipient);
  if (at.length > 0) q.set('at', at.join(','));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

export interface Choice {
  id: string;
  name: string;
}

/** The recipient choices: any, the one chosen, and those the search found. */
export function recipientChoices(lang: PageLanguage, chosen: Choice | undefined, found: readonly Choice[] | undefined): SafeHtml {
  const w = ACTIVITY_WORDS[lang];
  const others = (found ?? []).filter((c) => c.id !== chosen?.id);
  const radio = (c: Choice, checked: boolean) =>
    html`<label class="choice"><input type="radio" name="recipient" value="${c.id}"${flag('checked', checked)}> ${c.name}</label>`;
  return html`<fieldset><legend>${w.recipient}</legend>
<label class="choice"><input type="radio" name="recipient" value=""${flag('checked', !chosen)}> ${w.anyRecipient}</label>
${chosen ? radio(chosen, true) : ''}${others.map((c) => radio(c, false))}
${found !== undefined && found.length === 0 ? html`<p class="hint">${w.noMatch}</p>` : ''}
</fieldset>`;
}

export interface FilterFormData {
  banks: readonly Choice[];
  /** The recipient filter: absent for someone without the address book. */
  recipients?: { chosen: Choice | undefined; found: readonly Choice[] | undefined };
  errors: readonly FilterError[];
}

/** The filters as a GET form: changing them starts again at the first page. */
export function filterForm(lang: PageLanguage, f: Filters, d: FilterFormData): SafeHtml {
  const w = ACTIVITY_WORDS[lang];
  const errorOf = (field: FilterError['field']) => d.errors.find((e) => e.field === field);
  const dateField = (field: 'from' | 'to', label: string) => {
    const e = errorOf(field);
    return html`<div class="field"><label for="${field}">${label}</label>${e ? html`<p class="field-error" id="${field}-error">${e.message}</p>` : ''}<input type="date" id="${field}" name="${field}" value="${f[field] ?? ''}" aria-describedby="dates-hint${e ? ` ${field}-error` : ''}"${e ? html` aria-invalid="true"` : ''}></div>`;
  };
  const r = d.recipients;
  return html`<form id="activity-filters" method="get" action="${ACTIVITY_PATH}" aria-labelledby="filters-h">
<h2 id="filters-h">${w.filters}</h2>
<div class="toolbar">
<div class="field"><label for="type">${w.type}</label><select id="type" name="type"><option value="">${w.allTypes}</option>${ACTIVITY_TYPES.map(
    (t) => html`<option value="${t}"${flag('selected', f.type === t)}>${w.types[t]}</option>`,
  )}</select></div>
${dateField('from', w.from)}
${dateField('to', w.to)}
<div class="field"><label for="bank">${w.bank}</label><select id="bank" name="bank"><option value="">${w.allBanks}</option>${d.banks.map(
    (b) => html`<option value="${b.id}"${flag('selected', f.bank === b.id)}>${b.name}</option>`,
  )}</select></div>
</div>
<p class="hint" id="dates-hint">${w.datesHint}</p>
${
  r
    ? html`<div class="field"><label for="rq">${w.recipientSearch}</label><p class="hint" id="rq-hint">${w.recipientHint}</p><input type="search" id="rq" name="rq" value="${f.rq ?? ''}" maxlength="200" autocomplete="off" aria-describedby="rq-hint" aria-controls="recipient-choices" hx-get="${RECIPIENTS_PATH}" hx-trigger="input changed delay:300ms, search" hx-target="#recipient-choices" hx-include="#activity-filters [name=recipient]:checked"></div>
<div id="recipient-choices" aria-live="polite">${recipientChoices(lang, r.chosen, r.found)}</div>`
    : ''
}
<div class="actions"><button type="submit">${w.apply}</button> <a href="${ACTIVITY_PATH}">${w.clear}</a></div>
</form>`;
}

/** The error summary of the filters, each linking to its field. */
export function filterErrors(lang: PageLanguage, errors: readonly FilterError[]): SafeHtml {
  return errorSummary(lang, errors);
}

function detailOf(a: ActivityRowData): string {
  const tracking = a.trackingId ?? (a.trackingIds && a.trackingIds.length > 0 ? a.trackingIds.join(', ') : undefined);
  return [a.detail, tracking, a.targetName, a.changesText].filter((x) => x !== undefined && x !== '').join(' · ');
}

/** A page of entries as a table (time, type, bank and locker, recipient, who, detail). */
export function activityTable(lang: PageLanguage, rows: readonly ActivityRowData[], page: number): SafeHtml {
  const w = ACTIVITY_WORDS[lang];
  if (rows.length === 0) return html`<p role="status">${w.empty}</p>`;
  const c = w.columns;
  return html`<table class="data" id="activity-table"><caption>${w.caption(page)}</caption>
<thead><tr><th scope="col">${c.time}</th><th scope="col">${c.type}</th><th scope="col">${c.where}</th><th scope="col">${c.recipient}</th><th scope="col">${c.actor}</th><th scope="col">${c.detail}</th></tr></thead>
<tbody>${rows.map(
    (a) =>
      html`<tr data-type="${a.type}"><td><time datetime="${new Date(a.at).toISOString()}">${formatDateTime(lang, a.at)}</time></td><td>${w.types[a.type]}</td><td>${
        a.bankId !== undefined ? w.locker(a.bankName ?? a.bankId, a.lockerNumber) : ''
      }</td><td>${a.recipientName ?? a.recipientId ?? ''}</td><td>${a.actorName}</td><td>${detailOf(a)}</td></tr>`,
  )}</tbody></table>`;
}

/** Previous and next page: the cursors so far travel in the address, so going back needs no state on the server. */
export function pager(lang: PageLanguage, f: Filters, nextCursor: string | undefined): SafeHtml {
  const s = SHELL_WORDS[lang];
  const w = ACTIVITY_WORDS[lang];
  if (f.at.length === 0 && nextCursor === undefined) return html``;
  const prev = f.at.length > 0 ? html`<a href="${ACTIVITY_PATH}${linkQuery(f, f.at.slice(0, -1))}" rel="prev">${s.previous}</a>` : '';
  const next = nextCursor !== undefined && f.at.length < MAX_DEPTH ? html`<a href="${ACTIVITY_PATH}${linkQuery(f, [...f.at, nextCursor])}" rel="next">${s.next}</a>` : '';
  return html`<nav class="pager" aria-label="${w.pages}">${prev}${next}</nav>`;
}
