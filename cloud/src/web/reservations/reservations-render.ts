/**
 * Pure rendering of the reservations screen: the list's table, the recipient picker (search as you type over the
 * address book, each match saying whether the person needs an accessible locker), a code shown once, the error summary
 * of a form, and a reservation's timeline (what the activity log and the outbox say about it). The data comes from the
 * API (reservations-page.ts, reservation-page.ts).
 */
import { z } from 'zod';
import type { PageLanguage } from '../../http/pages/i18n.ts';
import type { ActivityReply } from '../../http/routes/activity.ts';
import type { NamedReservationSchema, ReservationReply } from '../../http/routes/reservations.ts';
import { isKioskUnassigned } from '../../domain/use-cases/held-parcels.ts';
import { errorSummary, type FormError } from '../form-errors.ts';
import { formatDateTime } from '../format.ts';
import { html, flag, type SafeHtml } from '../html.ts';
import { RESERVATIONS_WORDS } from './reservations-words.ts';

export type ReservationData = z.infer<typeof NamedReservationSchema>;
export type MailData = z.infer<typeof ReservationReply>['messages'][number];
export type ActivityRowData = z.infer<typeof ActivityReply>['activity'][number];

/** What the picker shows of a contact (parsed loosely: the address book's answer carries more). */
export const PickerContacts = z.object({
  contacts: z.array(
    z.looseObject({
      id: z.string(),
      firstName: z.string(),
      lastName: z.string(),
      email: z.string().optional(),
      personnelId: z.string().optional(),
      needsAccessible: z.boolean(),
      private: z.boolean().optional(),
    }),
  ),
});
export const PickerDepartments = z.object({ departments: z.array(z.looseObject({ id: z.string(), name: z.string() })) });
export type PickerContact = z.infer<typeof PickerContacts>['contacts'][number];
export type PickerDepartment = z.infer<typeof PickerDepartments>['departments'][number];

export const RESERVATIONS_PATH = '/console/reservations';
export function reservationPath(id: string): string {
  return `${RESERVATIONS_PATH}/${encodeURIComponent(id)}`;
}

/** A recipient as a form value, `contact:alex`, and back. */
export function recipientValue(r: { type: 'contact' | 'department'; id: string }): string {
  return `${r.type}:${r.id}`;
}
export function parseRecipient(v: string | null | undefined): { type: 'contact' | 'department'; id: string } | undefined {
  const m = /^(contact|department):(.{1,64})$/.exec(v ?? '');
  return m ? { type: m[1] as 'contact' | 'department', id: m[2]! } : undefined;
}

/** Whom a reservation is for, as a person reads it. */
export function recipientText(lang: PageLanguage, r: ReservationData): string {
  if (isKioskUnassigned(r.recipient)) return RESERVATIONS_WORDS[lang].noRecipient;
  return r.recipientName ?? `${r.recipient.type} ${r.recipient.id}`;
}

export function lockerText(lang: PageLanguage, r: ReservationData): string {
  const w = RESERVATIONS_WORDS[lang];
  return r.lockerNumber !== undefined ? `${w.locker} ${r.lockerNumber}` : w.heldAtDesk;
}

function trackingIds(r: ReservationData): string {
  return r.packages.flatMap((p) => (p.trackingId !== undefined ? [p.trackingId] : [])).join(', ');
}

const when = (lang: PageLanguage, ms: number | undefined): SafeHtml | string => (ms === undefined ? '' : html`<time datetime="${new Date(ms).toISOString()}">${formatDateTime(lang, ms)}</time>`);

/** The list's table (or the sentence saying nothing matches). */
export function reservationsTable(lang: PageLanguage, caption: string, list: readonly ReservationData[], bankName: (id: string) => string, withAssign: boolean): SafeHtml {
  const w = RESERVATIONS_WORDS[lang];
  if (list.length === 0) return html`<p>${w.noReservations}</p>`;
  const rows = list.map((r) => {
    const unassigned = isKioskUnassigned(r.recipient);
    return html`<tr>
<th scope="row"><a href="${reservationPath(r.id)}">${lockerText(lang, r)}</a></th>
<td>${bankName(r.bankId)}</td>
<td>${unassigned ? html`<em>${w.noRecipient}</em>` : recipientText(lang, r)}${withAssign && unassigned ? html` <a href="${reservationPath(r.id)}#assign-h">${w.assign}</a>` : ''}</td>
<td>${w.kinds[r.kind]}</td>
<td><span class="rs rs-${r.status}">${w.statuses[r.status]}</span></td>
<td>${trackingIds(r)}</td>
<td>${when(lang, r.occupiedAt ?? r.createdAt)}</td>
<td>${when(lang, r.endsAt ?? (r.status === 'reserved' ? r.holdUntil : undefined))}</td>
</tr>`;
  });
  return html`<table class="data"><caption>${caption}</caption>
<thead><tr><th scope="col">${w.locker}</th><th scope="col">${w.bank}</th><th scope="col">${w.recipient}</th><th scope="col">${w.kind}</th><th scope="col">${w.status}</th><th scope="col">${w.trackingIds}</th><th scope="col">${w.since}</th><th scope="col">${w.expires}</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

/** The picker's matches: one radio per contact or department, the chosen one checked. */
export function pickerResults(lang: PageLanguage, contacts: readonly PickerContact[], departments: readonly PickerDepartment[], chosen: string | undefined, searched: boolean): SafeHtml {
  const w = RESERVATIONS_WORDS[lang];
  const n = contacts.length + departments.length;
  if (n === 0) return searched ? html`<p>${w.noMatch}</p>` : html``;
  const radio = (value: string, label: SafeHtml, i: number) =>
    html`<li><label class="choice" for="rcp-${i}"><input type="radio" id="rcp-${i}" name="recipient" value="${value}"${flag('checked', value === chosen)}> ${label}</label></li>`;
  const people = contacts.map((c, i) =>
    radio(
      recipientValue({ type: 'contact', id: c.id }),
      html`<span>${`${c.firstName} ${c.lastName}`.trim()}</span>${c.email ? html` <span class="muted">${c.email}</span>` : ''}${c.personnelId ? html` <span class="muted">${c.personnelId}</span>` : ''}${
        c.needsAccessible ? html` <strong class="tag">${w.needsAccessible}</strong>` : ''
      }`,
      i,
    ),
  );
  const teams = departments.map((d, i) => radio(recipientValue({ type: 'department', id: d.id }), html`<span>${d.name}</span> <span class="muted">${w.department}</span>`, contacts.length + i));
  return html`<fieldset class="matches"><legend>${w.recipient} (${w.matches(n)})</legend><ul class="plain">${people}${teams}</ul></fieldset>`;
}

/**
 * The picker: a search box whose matches come as you type (htmx) or with the Find button (a post of the same form,
 * which then shows the form again with the matches), and the matches as radios in a live region.
 */
export function recipientPicker(lang: PageLanguage, o: { q: string; results: SafeHtml; error?: string | undefined; searchable: boolean; chosen?: string | undefined }): SafeHtml {
  const w = RESERVATIONS_WORDS[lang];
  const err = o.error ? html`<p class="field-error" id="q-error">${o.error}</p>` : '';
  if (!o.searchable) {
    const id = parseRecipient(o.chosen)?.id ?? '';
    return html`<div class="field"><label for="q">${w.recipientId}</label><p class="hint" id="q-hint">${w.recipientIdHint}</p>${err}<input type="text" id="q" name="recipientId" value="${id}" maxlength="64" aria-describedby="q-hint${o.error ? ' q-error' : ''}"${o.error ? html` aria-invalid="true"` : ''}></div>`;
  }
  return html`<div class="field picker"><label for="q">${w.recipientSearch}</label><p class="hint" id="q-hint">${w.recipientSearchHint}</p>${err}
<div class="actions"><input type="search" id="q" name="q" value="${o.q}" maxlength="200" autocomplete="off" aria-describedby="q-hint${o.error ? ' q-error' : ''}" aria-controls="recipient-results"${o.error ? html` aria-invalid="true"` : ''}
 hx-get="${RESERVATIONS_PATH}/recipients" hx-trigger="input changed delay:300ms, search" hx-target="#recipient-results" hx-include="this">
<button type="submit" class="secondary" name="action" value="find">${w.find}</button></div>
<div id="recipient-results" aria-live="polite">${o.results}</div></div>`;
}

/** A code answered once: shown in large digits with what it is for; nothing keeps it after this page. */
export function codeNotice(label: string, code: string, hint: string): SafeHtml {
  return html`<div class="notice ok code-once" role="status"><p>${label}: <strong class="code">${code}</strong></p><p>${hint}</p></div>`;
}

/** The error summary of a form: each message (the API's words) linking to its field. */
export function apiErrorSummary(lang: PageLanguage, errors: readonly FormError[]): SafeHtml {
  return errorSummary(lang, errors.map((e) => ({ ...e, api: true })));
}

interface TimelineItem {
  at: number;
  text: string;
  extra: string[];
  state?: 'ok' | 'bad' | 'wait';
}

function changeOf(lang: PageLanguage, detail: string | undefined): string | undefined {
  const c = RESERVATIONS_WORDS[lang].changes;
  if (detail === 'pickup code reissued') return c.reissued;
  if (detail === 'drop-off code reissued') return c.dropOffReissued;
  if (detail?.startsWith('recipient assigned')) return c.assigned;
  if (detail?.startsWith('placed:')) return c.placed;
  return undefined;
}

/** What the reservation's own record says happened (when the activity log is not the viewer's to read). */
function milestones(lang: PageLanguage, r: ReservationData): TimelineItem[] {
  const w = RESERVATIONS_WORDS[lang];
  const out: TimelineItem[] = [{ at: r.createdAt, text: w.events.reserved, extra: [] }];
  const drops = new Map<number, string[]>();
  for (const p of r.packages) if (p.droppedOffAt !== undefined) drops.set(p.droppedOffAt, [...(drops.get(p.droppedOffAt) ?? []), ...(p.trackingId !== undefined ? [p.trackingId] : [])]);
  for (const [at, ids] of drops) out.push({ at, text: w.events.droppedOff, extra: ids });
  if (drops.size === 0 && r.occupiedAt !== undefined) out.push({ at: r.occupiedAt, text: w.events.droppedOff, extra: [] });
  if (r.expiredAt !== undefined) out.push({ at: r.expiredAt, text: w.events.expired, extra: [] });
  if (r.endedAt !== undefined) {
    out.push({ at: r.endedAt, text: r.endReason === 'picked-up' ? w.events.pickup! : w.events.ended, extra: r.endReason && r.endReason !== 'picked-up' ? [w.endReasons[r.endReason]] : [] });
  }
  return out;
}

function fromActivity(lang: PageLanguage, rows: readonly ActivityRowData[]): TimelineItem[] {
  const w = RESERVATIONS_WORDS[lang];
  // The outbox's own records say where each e-mail stands now; its log lines would repeat them.
  return rows
    .filter((a) => a.type !== 'notification')
    .map((a) => ({
      at: a.at,
      text: (a.type === 'reservation' ? changeOf(lang, a.detail) : undefined) ?? w.events[a.type] ?? a.type,
      extra: [...(a.trackingId !== undefined ? [a.trackingId] : []), w.by(a.actorName)],
    }));
}

function fromMail(lang: PageLanguage, m: MailData): TimelineItem {
  const w = RESERVATIONS_WORDS[lang];
  const state = m.status === 'sent' ? 'ok' : m.status === 'failed' ? 'bad' : m.status === 'skipped' ? undefined : 'wait';
  const extra = [w.mailStatuses[m.status], ...(m.attempts > 1 || m.status === 'failed' ? [w.attempts(m.attempts)] : []), ...(m.lastError ? [m.lastError] : [])];
  return { at: m.sentAt ?? m.endedAt ?? m.createdAt, text: w.mailKinds[m.kind], extra, ...(state ? { state } : {}) };
}

/** The reservation's timeline, oldest first: the activity log's entries (or the record's milestones) and each e-mail. */
export function timeline(lang: PageLanguage, r: ReservationData, activity: readonly ActivityRowData[] | undefined, mail: readonly MailData[]): SafeHtml {
  const w = RESERVATIONS_WORDS[lang];
  const items = [...(activity ? fromActivity(lang, activity) : milestones(lang, r)), ...mail.map((m) => fromMail(lang, m))].sort((a, b) => a.at - b.at);
  if (items.length === 0) return html`<p>${w.noTimeline}</p>`;
  return html`<ol class="timeline">${items.map(
    (i) => html`<li${i.state ? html` class="ev-${i.state}"` : ''}>${when(lang, i.at)} ${i.text}${i.extra.length > 0 ? html` <span class="muted">(${i.extra.join(' · ')})</span>` : ''}</li>`,
  )}</ol>`;
}
