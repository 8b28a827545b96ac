/**
 * Form fields of the security and retention set-up forms: each with its label, hint and, when a value was refused, the
 * reason tied to it (`aria-invalid`, `aria-describedby`) and linked from the form's error summary (form-errors.ts).
 */
import { z } from 'zod';
import type { PageLanguage } from '../http/pages/i18n.ts';
import { ConsoleApiError } from './console-api.ts';
import { errorSummary } from './form-errors.ts';
import { flag, html, type SafeHtml } from './html.ts';

/** A refused value: the field it belongs to (none: the form as a whole), and why, in the page's words or the API's. */
export interface FieldError {
  field: string | undefined;
  message: string;
  /** The message is the API's (English): marked as such on a French page. */
  api?: boolean;
}

/** The error summary of a form: the page's words as they are, the API's marked as English on a French page. */
export function fieldErrorSummary(lang: PageLanguage, errors: readonly FieldError[]): SafeHtml {
  return html`${errorSummary(lang, errors.filter((e) => !e.api))}${errorSummary(lang, errors.filter((e) => e.api), { apiWords: true })}`;
}

function words(lang: PageLanguage, e: FieldError): SafeHtml {
  return e.api && lang !== 'en' ? html`<span lang="en">${e.message}</span>` : html`${e.message}`;
}

/** The hint, the error and the attributes of field `id` tying them to it. */
export function fieldParts(lang: PageLanguage, id: string, hint: string | SafeHtml | undefined, errors: readonly FieldError[]): { attrs: SafeHtml; hint: SafeHtml | ''; error: SafeHtml | '' } {
  const bad = errors.find((e) => e.field === id);
  const described = [hint !== undefined ? `${id}-hint` : '', bad ? `${id}-error` : ''].filter(Boolean).join(' ');
  return {
    attrs: html`${described ? html` aria-describedby="${described}"` : ''}${bad ? html` aria-invalid="true"` : ''}`,
    hint: hint !== undefined ? html`<p class="hint" id="${id}-hint">${hint}</p>` : '',
    error: bad ? html`<p class="field-error" id="${id}-error">${words(lang, bad)}</p>` : '',
  };
}

export interface InputOptions {
  type?: 'text' | 'number' | 'url' | 'password' | 'date';
  hint?: string | SafeHtml;
  min?: number | string;
  max?: number | string;
  maxlength?: number;
  required?: boolean;
  autocomplete?: string;
}

export function inputField(lang: PageLanguage, id: string, label: string, value: string, errors: readonly FieldError[], o: InputOptions = {}): SafeHtml {
  const p = fieldParts(lang, id, o.hint, errors);
  const type = o.type ?? 'text';
  return html`<div class="field"><label for="${id}">${label}</label>${p.hint}${p.error}<input type="${type}" id="${id}" name="${id}" value="${value}"${
    type === 'number' ? html` inputmode="numeric" step="1"` : ''
  }${o.min !== undefined ? html` min="${o.min}"` : ''}${o.max !== undefined ? html` max="${o.max}"` : ''}${o.maxlength !== undefined ? html` maxlength="${o.maxlength}"` : ''} autocomplete="${o.autocomplete ?? 'off'}"${flag('required', o.required)}${p.attrs}></div>`;
}

export function checkboxField(lang: PageLanguage, id: string, label: string, checked: boolean, errors: readonly FieldError[], hint?: string): SafeHtml {
  const p = fieldParts(lang, id, hint, errors);
  return html`<div class="field"><label class="choice" for="${id}"><input type="checkbox" id="${id}" name="${id}" value="on"${flag('checked', checked)}${p.attrs}> ${label}</label>${p.hint}${p.error}</div>`;
}

/** Radio buttons in a fieldset; the first one carries the id the error summary links to. */
export function radioField(lang: PageLanguage, id: string, legend: string, options: ReadonlyArray<{ value: string; label: string }>, value: string, errors: readonly FieldError[], hint?: string): SafeHtml {
  const p = fieldParts(lang, id, hint, errors);
  // A group takes no aria-invalid: the error is its description, and the error summary links to its first choice.
  const described = [hint !== undefined ? `${id}-hint` : '', p.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<fieldset class="field"${described ? html` aria-describedby="${described}"` : ''}><legend>${legend}</legend>${p.hint}${p.error}${options.map(
    (o, i) => html`<label class="choice" for="${i === 0 ? id : `${id}-${o.value}`}"><input type="radio" id="${i === 0 ? id : `${id}-${o.value}`}" name="${id}" value="${o.value}"${flag('checked', o.value === value)}> ${o.label}</label>`,
  )}</fieldset>`;
}

/** A form's whole number as typed; undefined when it is not one (the form says so at the field). */
const WholeNumber = z
  .string()
  .trim()
  .regex(/^-?\d{1,9}$/)
  .transform(Number);

export function wholeNumber(value: string | null): number | undefined {
  const r = WholeNumber.safeParse(value ?? '');
  return r.success ? r.data : undefined;
}

/** The API's refusal of a form's post (its 4xx); anything else goes on to the console's error page. */
export function apiRefusal(err: unknown): ConsoleApiError {
  if (err instanceof ConsoleApiError && err.status < 500) return err;
  throw err;
}

/** The form's field the API named (`body.settings.lockoutMinutes` is `lockoutMinutes`), when the form has it. */
export function formFieldOf(err: ConsoleApiError, fields: readonly string[]): string | undefined {
  const name = err.field?.replace(/^body\.(settings\.)?/, '').split('.')[0];
  return name !== undefined && fields.includes(name) ? name : undefined;
}

/** The API's words for a field, without the API's name of the field in front (the form shows its label). */
export function apiFieldError(err: ConsoleApiError, fields: readonly string[]): FieldError {
  const field = formFieldOf(err, fields);
  return { field, message: field && err.field ? err.message.replace(`${err.field}: `, '') : err.message, api: true };
}

export function selectField(lang: PageLanguage, id: string, label: string, options: ReadonlyArray<{ value: string; label: string }>, value: string, errors: readonly FieldError[], hint?: string): SafeHtml {
  const p = fieldParts(lang, id, hint, errors);
  return html`<div class="field"><label for="${id}">${label}</label>${p.hint}${p.error}<select id="${id}" name="${id}"${p.attrs}>${options.map(
    (o) => html`<option value="${o.value}"${flag('selected', o.value === value)}>${o.label}</option>`,
  )}</select></div>`;
}
