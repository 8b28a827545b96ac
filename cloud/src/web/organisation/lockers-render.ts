/**
 * A bank's lockers as the organisation's pages show them: the table (size, door heights, loading, whether the door
 * lies within the location's reach range as the API judges it, dedication), the names of whom lockers are dedicated
 * to, and the locker form (one locker, or a batch stacked up a column). The dedication is chosen with the
 * reservations' recipient picker (search as you type over the address book).
 */
import type { z } from 'zod';
import type { Bank, Column, RecipientRef } from '../../domain/model.ts';
import type { LockerViewSchema } from '../../http/schemas.ts';
import type { ConsoleApi } from '../console-api.ts';
import { errorSummary, type FieldRefusal } from '../form-errors.ts';
import { inputField, radioField, selectField } from '../form-fields.ts';
import { flag, html, type SafeHtml } from '../html.ts';
import { LOCKERS_WORDS } from '../lockers/lockers-words.ts';
import { mayCall } from '../menu.ts';
import { maySearch, pickerFor } from '../reservations/recipient-search.ts';
import { recipientPicker, recipientValue } from '../reservations/reservations-render.ts';
import { csrfField, type Viewer } from '../shell.ts';
import { SHELL_WORDS } from '../shell-words.ts';
import { BANK_WORDS } from './bank-words.ts';
import { bankPath, defaultSave, lockerPath } from './org-forms.ts';

export type LockerViewData = z.infer<typeof LockerViewSchema>;
export const SIZES = ['XS', 'S', 'M', 'L', 'XL', 'custom'] as const;
const enc = encodeURIComponent;

/** Names of contacts and departments by `type:id`, as far as the viewer may read the address book (else the id shows). */
export async function recipientNames(api: ConsoleApi, v: Viewer, refs: ReadonlyArray<RecipientRef | undefined>): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const wanted = refs.filter((r): r is RecipientRef => r !== undefined);
  if (wanted.some((r) => r.type === 'department') && mayCall(v.principal, 'GET', '/api/v1/departments')) {
    const r = await api.raw('GET', '/departments');
    if (r.status === 200) for (const d of (JSON.parse(r.body) as { departments: Array<{ id: string; name: string }> }).departments) names.set(`department:${d.id}`, d.name);
  }
  if (mayCall(v.principal, 'GET', '/api/v1/contacts/:contactId')) {
    const contacts = [...new Set(wanted.filter((r) => r.type === 'contact').map((r) => r.id))];
    await Promise.all(
      contacts.map(async (id) => {
        const r = await api.raw('GET', `/contacts/${enc(id)}`);
        if (r.status !== 200) return;
        const c = (JSON.parse(r.body) as { contact: { firstName: string; lastName: string } }).contact;
        names.set(`contact:${id}`, `${c.firstName} ${c.lastName}`.trim());
      }),
    );
  }
  return names;
}

function nameOf(names: ReadonlyMap<string, string>, r: RecipientRef): string {
  return names.get(recipientValue(r)) ?? r.id;
}

function sizeText(l: LockerViewData['locker']): string {
  const d = l.dimensions;
  return d ? `${l.size === 'custom' ? '' : `${l.size} `}${d.widthCm} × ${d.heightCm} × ${d.depthCm} cm` : l.size;
}

/** Whether a locker is accessible, in words and a mark (never by colour alone). */
export function accessibleTag(v: Viewer, accessible: boolean): SafeHtml {
  const w = BANK_WORDS[v.lang];
  return accessible ? html`<span class="tag">✓ ${w.accessibleYes}</span>` : html`<span class="tag muted">✗ ${w.accessibleNo}</span>`;
}

export function lockersTable(v: Viewer, bank: Bank, columns: readonly Column[], lockers: readonly LockerViewData[], names: ReadonlyMap<string, string>): SafeHtml {
  const w = BANK_WORDS[v.lang];
  if (lockers.length === 0) return html`<p>${w.noLockers}</p>`;
  const position = new Map(columns.map((c) => [c.id, c.position]));
  const rows = lockers.map(({ locker: l, accessible, status }) => html`<tr>
<th scope="row"><a href="${lockerPath(bank.id, l.number)}">${w.lockerTitle(l.number)}</a></th>
<td class="num">${position.get(l.columnId) ?? l.columnId}</td><td class="num">${l.door}</td><td>${sizeText(l)}</td>
<td>${w.doorRange(l.bottomCm, l.topCm)}</td><td>${w.loadings[l.loading]}${l.shelfBarcode ? html` <span class="muted">${l.shelfBarcode}</span>` : ''}</td>
<td>${accessibleTag(v, accessible)}</td><td>${l.dedicatedTo ? nameOf(names, l.dedicatedTo) : ''}</td><td>${LOCKERS_WORDS[v.lang].statuses[status]}</td></tr>`);
  return html`<table class="data"><caption>${w.lockersCaption}</caption><thead><tr><th scope="col">${w.number}</th><th scope="col">${w.column}</th><th scope="col">${w.door}</th><th scope="col">${w.size}</th><th scope="col">${w.heights}</th><th scope="col">${w.loading}</th><th scope="col">${w.accessible}</th><th scope="col">${w.dedicatedTo}</th><th scope="col">${w.status}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The values of a locker form, as typed. */
export interface LockerValues {
  number: string;
  columnId: string;
  door: string;
  count: string;
  size: string;
  widthCm: string;
  heightCm: string;
  depthCm: string;
  bottomCm: string;
  topCm: string;
  loading: string;
  shelfBarcode: string;
  /** `none`, or a recipient value (`contact:alex`). */
  recipient: string;
  recipientId: string;
  q: string;
}

/** A refusal at a field: the API's (English) words, or the form's own (in the page's language). */
export type Refused = FieldRefusal;

export interface LockerFormData {
  mode: 'new' | 'batch' | 'edit';
  action: string;
  bank: Bank;
  columns: readonly Column[];
  values: LockerValues;
  /** The dedication the locker has now, with its name. */
  current?: { value: string; name: string } | undefined;
  error: Refused | undefined;
}

export async function lockerForm(api: ConsoleApi, v: Viewer, d: LockerFormData): Promise<SafeHtml> {
  const w = BANK_WORDS[v.lang];
  const x = d.values;
  const e = d.error;
  const num = (id: keyof LockerValues, label: string, hint?: string) => inputField(v.lang, id, label, x[id], e ? [e] : [], { type: 'number', decimal: true, maxlength: 10, ...(hint ? { hint } : {}) });
  const columns = [...d.columns].sort((a, b) => a.position - b.position).map((c) => ({ value: c.id, label: w.columnOption(c.position, w.kindsShort[c.kind]) }));
  const chosen = x.recipient === d.current?.value ? undefined : x.recipient;
  const results = d.mode === 'batch' ? html`` : await pickerFor(api, v, x.q, chosen);
  const place =
    d.mode === 'edit'
      ? html`<p class="hint">${w.fixedLocker}</p>`
      : html`${num('number', d.mode === 'batch' ? w.firstNumber : w.number)}${d.mode === 'batch' ? num('count', w.count, w.countHint) : ''}
${selectField(v.lang, 'columnId', w.column, columns, x.columnId, e ? [e] : [])}${num('door', d.mode === 'batch' ? w.firstDoor : w.door, w.doorHint)}`;
  return html`${errorSummary(v.lang, e ? [e] : [])}<form method="post" action="${d.action}" novalidate>${csrfField(v)}${defaultSave(v)}
${d.mode === 'batch' ? html`<p class="hint">${w.batchHint}</p>` : ''}${place}
${selectField(v.lang, 'size', w.size, SIZES.map((s) => ({ value: s, label: w.sizes[s] })), x.size, e ? [e] : [])}
<fieldset><legend>${w.dimensions}</legend><p class="hint">${w.dimensionsHint}</p>${num('widthCm', w.widthCm)}${num('heightCm', w.heightCm)}${num('depthCm', w.depthCm)}</fieldset>
<fieldset><legend>${w.heights}</legend><p class="hint">${w.heightsHint}</p>${num('bottomCm', d.mode === 'batch' ? w.firstBottomCm : w.bottomCm)}${num('topCm', d.mode === 'batch' ? w.firstTopCm : w.topCm)}</fieldset>
${
  d.mode === 'batch'
    ? ''
    : html`${radioField(v.lang, 'loading', w.loading, (['front', 'rear'] as const).map((l) => ({ value: l, label: w.loadings[l] })), x.loading, e ? [e] : [])}
${inputField(v.lang, 'shelfBarcode', w.shelfBarcode, x.shelfBarcode, e ? [e] : [], { hint: d.mode === 'new' ? w.shelfBarcodeNewHint : w.shelfBarcodeHint, maxlength: 64 })}
<fieldset><legend>${w.dedication}</legend><p class="hint">${w.dedicationHint}</p>
<label class="choice" for="recipient-none"><input type="radio" id="recipient-none" name="recipient" value="none"${flag('checked', x.recipient === 'none' || x.recipient === '')}> ${w.notDedicated}</label>
${d.current ? html`<label class="choice" for="recipient-current"><input type="radio" id="recipient-current" name="recipient" value="${d.current.value}"${flag('checked', x.recipient === d.current.value)}> ${w.keepDedication(d.current.name)}</label>` : ''}
${recipientPicker(v.lang, { q: x.q, results, error: e?.field === 'q' ? e.message : undefined, searchable: maySearch(v), chosen })}</fieldset>`
}
<div class="actions"><button type="submit" name="action" value="save">${d.mode === 'edit' ? SHELL_WORDS[v.lang].save : d.mode === 'batch' ? w.addLockers : w.addLocker}</button><a href="${bankPath(d.bank.id)}">${SHELL_WORDS[v.lang].cancel}</a></div>
</form>`;
}
