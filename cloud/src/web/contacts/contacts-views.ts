/**
 * The address book's markup: the list of contacts (search results, pager), the contact form with its errors, and the
 * error summary. Pure rendering of what the API answered (contacts-page.ts reads it).
 */
import type { z } from 'zod';
import { contactDisplayName, customValueText, type CustomField } from '../../domain/model.ts';
import type { PageLanguage } from '../../http/pages/i18n.ts';
import type { ContactPage } from '../../http/routes/contacts.ts';
import type { Replies } from '../../http/schemas.ts';
import { errorSummary, sameNames, type FormError } from '../form-errors.ts';
import { checkboxField, fieldParts, inputField, selectField } from '../form-fields.ts';
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
 * The form's inputs the API's fields are (`name` is the first name's, `custom.<id or label>` the custom field's input),
 * for apiFieldError.
 */
export function contactFields(fields: readonly CustomField[]): Record<string, string> {
  const custom = fields.flatMap((f) => [f.id, f.label.en, f.label.fr].map((key) => [`custom.${key}`, `custom-${f.id}`] as const));
  return { ...sameNames(...FORM_FIELDS), name: 'firstName', ...Object.fromEntries(custom) };
}

const options = (pairs: ReadonlyArray<readonly [string, string]>) => pairs.map(([value, label]) => ({ value, label }));

function customInput(lang: PageLanguage, f: CustomField, value: string, errors: readonly FormError[]): SafeHtml {
  const w = CONTACTS_WORDS[lang];
  const id = `custom-${f.id}`;
  const label = f.label[lang];
  switch (f.type) {
    case 'choice':
      return selectField(lang, id, label, options([['', w.choose], ...(f.options ?? []).map((x) => [x, x] as const)]), value, errors, { required: f.required });
    case 'date':
      return inputField(lang, id, label, value, errors, { type: 'date', hint: w.dateHint, maxlength: 10, required: f.required, autocomplete: 'off' });
    case 'number': {
      const p = fieldParts(lang, id, undefined, errors);
      return html`<div class="field"><label for="${id}">${label}</label>${p.hint}${p.error}<input type="text" inputmode="decimal" id="${id}" name="${id}" value="${value}" maxlength="40"${flag('required', f.required)}${p.attrs}></div>`;
    }
    case 'text':
      return inputField(lang, id, label, value, errors, { maxlength: 500, required: f.required });
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
${inputField(v.lang, 'firstName', w.firstName, x.firstName, e, { maxlength: 100, required: true })}
${inputField(v.lang, 'lastName', w.lastName, x.lastName, e, { maxlength: 100, required: true })}
${inputField(v.lang, 'email', w.email, x.email, e, { type: 'email', maxlength: 254 })}
${inputField(v.lang, 'phone', w.phone, x.phone, e, { type: 'tel', maxlength: 25, hint: w.phoneHint })}
${inputField(v.lang, 'personnelId', w.personnelId, x.personnelId, e, { maxlength: 64, hint: w.personnelIdHint })}
${selectField(v.lang, 'departmentId', w.department, options([['', w.noDepartment], ...o.departments.map((d) => [d.id, d.name] as const)]), x.departmentId, e)}
${selectField(v.lang, 'locationId', w.location, options([['', w.noLocation], ...o.locations.map((l) => [l.id, l.name] as const)]), x.locationId, e, { hint: w.locationHint })}
${checkboxField(v.lang, 'needsAccessible', w.needsAccessible, x.needsAccessible, e, w.needsAccessibleHint)}
${selectField(v.lang, 'notifications', w.notifications, options([['email', w.notificationChoices.email], ['none', w.notificationChoices.none]]), x.notifications, e)}
${selectField(v.lang, 'language', w.language, options([['en', w.languages.en], ['fr', w.languages.fr]]), x.language, e)}
${checkboxField(v.lang, 'private', w.privateLabel, x.private, e, w.privateHint)}
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
