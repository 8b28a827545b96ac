/**
 * The address book's markup: the list of contacts (search results, pager), the contact form with its errors, and the
 * error summary. Pure rendering of what the API answered (contacts-page.ts reads it).
 */
import type { z } from 'zod';
import { contactDisplayName, customValueText, type CustomField } from '../../domain/model.ts';
import type { PageLanguage } from '../../http/pages/i18n.ts';
import type { ContactPage } from '../../http/routes/contacts.ts';
import type { Replies } from '../../http/schemas.ts';
import { errorSummary, type FormError } from '../form-errors.ts';
import { flag, html, type SafeHtml } from '../html.ts';
import { mayCall } from '../menu.ts';
import { csrfField, type Viewer } from '../shell.ts';
import { SHELL_WORDS } from '../shell-words.ts';
import { CONTACTS_WORDS } from './contacts-words.ts';

export type ContactData = z.infer<typeof Replies.contact>['contact'];
export type ContactPageData = z.infer<typeof ContactPage>;

export const CONTACTS_PATH = '/console/contacts';
export const PAGE_SIZE = 25;

export function contactPath(id: string): string {
  return `${CONTACTS_PATH}/${encodeURIComponent(id)}`;
}

/** The list with the search `q` from `offset`. */
export function listPath(q: string, offset = 0): string {
  const p = new URLSearchParams();
  if (q !== '') p.set('q', q);
  if (offset > 0) p.set('offset', String(offset));
  const s = p.toString();
  return s === '' ? CONTACTS_PATH : `${CONTACTS_PATH}?${s}`;
}

/** Names of the departments and locations a list or form shows, by id. */
export interface Places {
  departments: ReadonlyMap<string, string>;
  locations: ReadonlyMap<string, string>;
}


/** The results of a search: the table of contacts and the pager (the part search-as-you-type replaces). */
export function contactResults(v: Viewer, page: ContactPageData, q: string, places: Places): SafeHtml {
  const w = CONTACTS_WORDS[v.lang];
  if (page.contacts.length === 0) return html`<p>${q === '' ? w.found(0) : w.noneFound}</p>`;
  const rows = page.contacts.map((c) => {
    const name = contactDisplayName(c);
    return html`<tr><th scope="row"><a href="${contactPath(c.id)}">${name}</a>${c.private ? html` <span class="contact-tag">${w.privateShort}</span>` : ''}</th>
<td>${c.email ?? ''}</td><td>${c.personnelId ?? ''}</td><td>${c.departmentId ? (places.departments.get(c.departmentId) ?? c.departmentId) : ''}</td>
<td>${c.locationId ? (places.locations.get(c.locationId) ?? c.locationId) : ''}</td><td>${c.needsAccessible ? w.needsAccessibleShort : ''}</td>
<td><a href="${contactPath(c.id)}">${w.edit}<span class="visually-hidden"> ${name}</span></a></td></tr>`;
  });
  const pages = Math.max(1, Math.ceil(page.total / page.limit));
  const current = Math.floor(page.offset / page.limit) + 1;
  const s = SHELL_WORDS[v.lang];
  const pager =
    pages > 1
      ? html`<nav class="pager" aria-label="${w.tableLabel}: ${w.pageOf(current, pages)}">${current > 1 ? html`<a href="${listPath(q, Math.max(0, page.offset - page.limit))}">${s.previous}</a>` : ''}<span>${w.pageOf(current, pages)}</span>${
          current < pages ? html`<a href="${listPath(q, page.offset + page.limit)}">${s.next}</a>` : ''
        }</nav>`
      : '';
  return html`<table class="data"><caption>${w.tableLabel}</caption><thead><tr><th scope="col">${w.name}</th><th scope="col">${w.email}</th><th scope="col">${w.personnelId}</th><th scope="col">${w.department}</th><th scope="col">${w.location}</th><th scope="col">${w.accessibility}</th><th scope="col">${w.actions}</th></tr></thead>
<tbody>${rows}</tbody></table>${pager}`;
}

/** What the contact form holds: as typed, or as the contact is. */
export interface ContactForm {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  personnelId: string;
  departmentId: string;
  locationId: string;
  needsAccessible: boolean;
  notifications: 'email' | 'none';
  language: 'en' | 'fr';
  private: boolean;
  /** Custom values by field id, as text. */
  custom: Record<string, string>;
}

const TEXT_FIELDS = ['firstName', 'lastName', 'email', 'phone', 'personnelId', 'departmentId', 'locationId'] as const;
const FORM_FIELDS: readonly string[] = [...TEXT_FIELDS, 'needsAccessible', 'notifications', 'language', 'private'];

export function emptyForm(): ContactForm {
  return { firstName: '', lastName: '', email: '', phone: '', personnelId: '', departmentId: '', locationId: '', needsAccessible: false, notifications: 'email', language: 'en', private: false, custom: {} };
}

export function formOfContact(c: ContactData): ContactForm {
  const custom: Record<string, string> = {};
  for (const [id, value] of Object.entries(c.customValues ?? {})) custom[id] = customValueText(value);
  return {
    firstName: c.firstName,
    lastName: c.lastName,
    email: c.email ?? '',
    phone: c.phone ?? '',
    personnelId: c.personnelId ?? '',
    departmentId: c.departmentId ?? '',
    locationId: c.locationId ?? '',
    needsAccessible: c.needsAccessible,
    notifications: c.notifications,
    language: c.language,
    private: c.private,
    custom,
  };
}

/** The form as posted: text trimmed, a box checked or not, an unknown choice as the default. */
export function formOfPost(f: URLSearchParams, fields: readonly CustomField[]): ContactForm {
  const text = (k: string) => (f.get(k) ?? '').trim();
  const out = emptyForm();
  for (const k of TEXT_FIELDS) out[k] = text(k);
  out.needsAccessible = f.has('needsAccessible');
  out.private = f.has('private');
  out.notifications = text('notifications') === 'none' ? 'none' : 'email';
  out.language = text('language') === 'fr' ? 'fr' : 'en';
  for (const cf of fields) out.custom[cf.id] = text(`custom-${cf.id}`);
  return out;
}

/** A new contact for POST /contacts: empty fields left out. */
export function createBody(x: ContactForm): Record<string, unknown> {
  const given = (v: string) => (v === '' ? undefined : v);
  const custom = Object.fromEntries(Object.entries(x.custom).filter(([, v]) => v !== ''));
  return {
    firstName: x.firstName,
    lastName: x.lastName,
    email: given(x.email),
    phone: given(x.phone),
    personnelId: given(x.personnelId),
    departmentId: given(x.departmentId),
    locationId: given(x.locationId),
    needsAccessible: x.needsAccessible,
    notifications: x.notifications,
    language: x.language,
    private: x.private,
    ...(Object.keys(custom).length > 0 ? { custom } : {}),
  };
}

/** An edit for PATCH /contacts/:id: an emptied field cleared (null). A contact stored with no first name keeps none. */
export function updateBody(x: ContactForm, before: ContactData): Record<string, unknown> {
  const cleared = (v: string) => (v === '' ? null : v);
  return {
    ...(x.firstName !== '' || before.firstName !== '' ? { firstName: x.firstName } : {}),
    lastName: x.lastName,
    email: cleared(x.email),
    phone: cleared(x.phone),
    personnelId: cleared(x.personnelId),
    departmentId: cleared(x.departmentId),
    locationId: cleared(x.locationId),
    needsAccessible: x.needsAccessible,
    notifications: x.notifications,
    language: x.language,
    private: x.private,
    ...(Object.keys(x.custom).length > 0 ? { custom: x.custom } : {}),
  };
}

/**
 * The form field an API error names (`body.email` is `email`, `body.custom.<label>` the custom field's input), and the
 * message without the field's name in front (it is shown next to the field).
 */
export function formError(apiField: string | undefined, message: string, fields: readonly CustomField[]): FormError {
  if (apiField === undefined) return { message };
  const name = apiField.replace(/^body\./, '');
  const text = [apiField, name].reduce((m, p) => (m.startsWith(`${p}: `) ? m.slice(p.length + 2) : m), message);
  if (name === 'name') return { field: 'firstName', message: text };
  if (name.startsWith('custom.')) {
    const key = name.slice('custom.'.length);
    const cf = fields.find((f) => f.id === key || f.label.en === key || f.label.fr === key);
    return cf ? { field: `custom-${cf.id}`, message: text } : { message };
  }
  return FORM_FIELDS.includes(name) ? { field: name, message: text } : { message };
}

interface FieldOpts {
  id: string;
  label: string;
  hint?: string | undefined;
  errors: readonly FormError[];
}

/** A labelled control with its hint and error tied to it. */
function field(o: FieldOpts, control: (describedBy: string, invalid: SafeHtml) => SafeHtml): SafeHtml {
  const err = o.errors.find((e) => e.field === o.id);
  const ids = [o.hint ? `${o.id}-hint` : '', err ? `${o.id}-error` : ''].filter((x) => x !== '').join(' ');
  return html`<div class="field"><label for="${o.id}">${o.label}</label>${o.hint ? html`<p class="hint" id="${o.id}-hint">${o.hint}</p>` : ''}${
    err ? html`<p class="field-error" id="${o.id}-error">${err.message}</p>` : ''
  }${control(ids, html`${ids !== '' ? html` aria-describedby="${ids}"` : ''}${flag('aria-invalid="true"', err !== undefined)}`)}</div>`;
}

function input(o: FieldOpts & { value: string; type?: string; max?: number; required?: boolean }): SafeHtml {
  return field(o, (_d, attrs) => html`<input type="${o.type ?? 'text'}" id="${o.id}" name="${o.id}" value="${o.value}" maxlength="${o.max ?? 254}"${flag('required', o.required)}${attrs}>`);
}

function select(o: FieldOpts & { value: string; options: ReadonlyArray<readonly [string, string]>; required?: boolean }): SafeHtml {
  return field(o, (_d, attrs) => html`<select id="${o.id}" name="${o.id}"${flag('required', o.required)}${attrs}>${o.options.map(([val, label]) => html`<option value="${val}"${flag('selected', val === o.value)}>${label}</option>`)}</select>`);
}

function checkbox(o: FieldOpts & { checked: boolean }): SafeHtml {
  const err = o.errors.find((e) => e.field === o.id);
  return html`<div class="field">${err ? html`<p class="field-error" id="${o.id}-error">${err.message}</p>` : ''}<label class="choice" for="${o.id}"><input type="checkbox" id="${o.id}" name="${o.id}" value="yes"${flag('checked', o.checked)}${
    o.hint || err ? html` aria-describedby="${[o.hint ? `${o.id}-hint` : '', err ? `${o.id}-error` : ''].filter((x) => x !== '').join(' ')}"` : ''
  }> ${o.label}</label>${o.hint ? html`<p class="hint" id="${o.id}-hint">${o.hint}</p>` : ''}</div>`;
}

function customInput(lang: PageLanguage, f: CustomField, value: string, errors: readonly FormError[]): SafeHtml {
  const w = CONTACTS_WORDS[lang];
  const o = { id: `custom-${f.id}`, label: f.label[lang], errors, value, required: f.required };
  switch (f.type) {
    case 'choice':
      return select({ ...o, options: [['', w.choose], ...(f.options ?? []).map((x) => [x, x] as const)] });
    case 'date':
      return input({ ...o, type: 'date', hint: w.dateHint, max: 10 });
    case 'number':
      return field(o, (_d, attrs) => html`<input type="text" inputmode="decimal" id="${o.id}" name="${o.id}" value="${value}" maxlength="40"${flag('required', f.required)}${attrs}>`);
    case 'text':
      return input({ ...o, max: 500 });
  }
}

export interface FormOptions {
  action: string;
  values: ContactForm;
  errors: readonly FormError[];
  departments: ReadonlyArray<{ id: string; name: string }>;
  locations: ReadonlyArray<{ id: string; name: string }>;
  customFields: readonly CustomField[];
}

/**
 * The contact form. A plain post without htmx's boost: an answer with errors is a 400 or a 409, which htmx would not
 * swap in, and the browser shows as it comes. `novalidate`: the API's checks and words apply, in the page's language.
 */
export function contactForm(v: Viewer, o: FormOptions): SafeHtml {
  const w = CONTACTS_WORDS[v.lang];
  const x = o.values;
  const e = o.errors;
  return html`${errorSummary(v.lang, e)}<form class="contact-form" method="post" action="${o.action}" hx-boost="false" novalidate>${csrfField(v)}
<fieldset><legend>${w.details}</legend>
${input({ id: 'firstName', label: w.firstName, value: x.firstName, max: 100, required: true, errors: e })}
${input({ id: 'lastName', label: w.lastName, value: x.lastName, max: 100, required: true, errors: e })}
${input({ id: 'email', label: w.email, value: x.email, type: 'email', errors: e })}
${input({ id: 'phone', label: w.phone, value: x.phone, type: 'tel', max: 25, hint: w.phoneHint, errors: e })}
${input({ id: 'personnelId', label: w.personnelId, value: x.personnelId, max: 64, hint: w.personnelIdHint, errors: e })}
${select({ id: 'departmentId', label: w.department, value: x.departmentId, options: [['', w.noDepartment], ...o.departments.map((d) => [d.id, d.name] as const)], errors: e })}
${select({ id: 'locationId', label: w.location, value: x.locationId, hint: w.locationHint, options: [['', w.noLocation], ...o.locations.map((l) => [l.id, l.name] as const)], errors: e })}
${checkbox({ id: 'needsAccessible', label: w.needsAccessible, hint: w.needsAccessibleHint, checked: x.needsAccessible, errors: e })}
${select({ id: 'notifications', label: w.notifications, value: x.notifications, options: [['email', w.notificationChoices.email], ['none', w.notificationChoices.none]], errors: e })}
${select({ id: 'language', label: w.language, value: x.language, options: [['en', w.languages.en], ['fr', w.languages.fr]], errors: e })}
${checkbox({ id: 'private', label: w.privateLabel, hint: w.privateHint, checked: x.private, errors: e })}
</fieldset>
${o.customFields.length > 0 ? html`<fieldset><legend>${w.customHeading}</legend>${o.customFields.map((f) => customInput(v.lang, f, x.custom[f.id] ?? '', e))}</fieldset>` : ''}
<div class="actions"><button type="submit">${SHELL_WORDS[v.lang].save}</button><a href="${CONTACTS_PATH}">${SHELL_WORDS[v.lang].cancel}</a></div>
</form>`;
}

/** The links to delete (and erase, when the role may) a contact: each leads to a page that asks to confirm. */
export function dangerLinks(v: Viewer, c: ContactData): SafeHtml {
  const w = CONTACTS_WORDS[v.lang];
  const mayErase = mayCall(v.principal, 'POST', `${CONTACTS_PATH}/:contactId/erase`);
  return html`<section class="panel" aria-labelledby="danger-h"><h2 id="danger-h">${w.dangerHeading}</h2><div class="actions">
<a class="button secondary" href="${contactPath(c.id)}/delete">${SHELL_WORDS[v.lang].delete}<span class="visually-hidden"> ${contactDisplayName(c)}</span></a>
${mayErase ? html`<a class="button secondary" href="${contactPath(c.id)}/erase">${w.erase}<span class="visually-hidden"> ${contactDisplayName(c)}</span></a>` : ''}</div></section>`;
}
