/**
 * The console's form controls, each with its label, hint and, when a value was refused, the reason tied to it
 * (`aria-invalid`, `aria-describedby`) and linked from the form's error summary (form-errors.ts). A group's error is
 * at its first choice, which the summary links to. Also the one reading of a number typed in a form.
 */
import { z } from 'zod';
import { errorText, type FormError } from './form-errors.ts';
import type { PageLanguage } from '../http/pages/i18n.ts';
import { flag, html, type SafeHtml } from './html.ts';

export type Hint = string | SafeHtml | undefined;

/** A choice of a select or a group: what is posted and what is shown. */
export interface Choice {
  value: string;
  label: string;
}

const given = (hint: Hint): hint is string | SafeHtml => hint !== undefined && hint !== '';

/** The hint, the error and the attributes of field `id` tying them to it. */
export function fieldParts(lang: PageLanguage, id: string, hint: Hint, errors: readonly FormError[]): { attrs: SafeHtml; hint: SafeHtml | ''; error: SafeHtml | '' } {
  const bad = errors.find((e) => e.field === id);
  const described = [given(hint) ? `${id}-hint` : '', bad ? `${id}-error` : ''].filter(Boolean).join(' ');
  return {
    attrs: html`${described ? html` aria-describedby="${described}"` : ''}${bad ? html` aria-invalid="true"` : ''}`,
    hint: given(hint) ? html`<p class="hint" id="${id}-hint">${hint}</p>` : '',
    error: bad ? html`<p class="field-error" id="${id}-error">${errorText(lang, bad)}</p>` : '',
  };
}

export interface InputOptions {
  type?: 'text' | 'number' | 'url' | 'password' | 'date' | 'email' | 'tel';
  hint?: Hint;
  min?: number | string;
  max?: number | string;
  maxlength?: number;
  required?: boolean;
  autocomplete?: string;
  /** A number with decimals: the browser's numeric keypad (digits only) is not offered. */
  decimal?: boolean;
}

export function inputField(lang: PageLanguage, id: string, label: string, value: string, errors: readonly FormError[], o: InputOptions = {}): SafeHtml {
  const p = fieldParts(lang, id, o.hint, errors);
  const type = o.type ?? 'text';
  return html`<div class="field"><label for="${id}">${label}</label>${p.hint}${p.error}<input type="${type}" id="${id}" name="${id}" value="${value}"${
    type === 'number' && !o.decimal ? html` inputmode="numeric" step="1"` : ''
  }${o.min !== undefined ? html` min="${o.min}"` : ''}${o.max !== undefined ? html` max="${o.max}"` : ''}${o.maxlength !== undefined ? html` maxlength="${o.maxlength}"` : ''} autocomplete="${o.autocomplete ?? 'off'}"${flag('required', o.required)}${p.attrs}></div>`;
}

export function selectField(lang: PageLanguage, id: string, label: string, options: readonly Choice[], value: string, errors: readonly FormError[], o: { hint?: Hint; required?: boolean } = {}): SafeHtml {
  const p = fieldParts(lang, id, o.hint, errors);
  return html`<div class="field"><label for="${id}">${label}</label>${p.hint}${p.error}<select id="${id}" name="${id}"${flag('required', o.required)}${p.attrs}>${options.map(
    (x) => html`<option value="${x.value}"${flag('selected', x.value === value)}>${x.label}</option>`,
  )}</select></div>`;
}

export function textareaField(lang: PageLanguage, id: string, label: string, value: string, errors: readonly FormError[], o: { hint?: Hint; max: number; rows?: number; required?: boolean; mono?: boolean }): SafeHtml {
  const p = fieldParts(lang, id, o.hint, errors);
  return html`<div class="field"><label for="${id}">${label}</label>${p.hint}${p.error}<textarea id="${id}" name="${id}" rows="${o.rows ?? 5}" maxlength="${o.max}"${o.mono ? html` class="mono"` : ''} autocomplete="off" spellcheck="${o.mono ? 'false' : 'true'}"${flag('required', o.required)}${p.attrs}>${value}</textarea></div>`;
}

/** A checkbox posting `on` when ticked. */
export function checkboxField(lang: PageLanguage, id: string, label: string, checked: boolean, errors: readonly FormError[], hint?: Hint): SafeHtml {
  const p = fieldParts(lang, id, hint, errors);
  return html`<div class="field">${p.error}<label class="choice" for="${id}"><input type="checkbox" id="${id}" name="${id}" value="on"${flag('checked', checked)}${p.attrs}> ${label}</label>${p.hint}</div>`;
}

/** The id of box `value` of group `name` (the group's error is at its first box). */
export function boxId(name: string, value: string): string {
  return `${name}-${value}`;
}

/** Checkboxes under one legend, each posting `name=value`. */
export function checkboxGroup(lang: PageLanguage, name: string, legend: string, choices: readonly Choice[], checked: ReadonlySet<string>, errors: readonly FormError[], hint?: Hint): SafeHtml {
  const first = boxId(name, choices[0]?.value ?? '');
  const p = fieldParts(lang, first, undefined, errors);
  const hintId = `${name}-hint`;
  return html`<fieldset${given(hint) ? html` aria-describedby="${hintId}"` : ''}><legend>${legend}</legend>${given(hint) ? html`<p class="hint" id="${hintId}">${hint}</p>` : ''}${p.error}${choices.map((c, i) => {
    const id = boxId(name, c.value);
    return html`<label class="choice" for="${id}"><input type="checkbox" id="${id}" name="${name}" value="${c.value}"${flag('checked', checked.has(c.value))}${i === 0 ? p.attrs : ''}> ${c.label}</label>`;
  })}</fieldset>`;
}

/** Radio buttons in a fieldset; the first one carries the id the error summary links to. */
export function radioField(lang: PageLanguage, id: string, legend: string, options: readonly Choice[], value: string, errors: readonly FormError[], hint?: Hint): SafeHtml {
  const p = fieldParts(lang, id, hint, errors);
  // A group takes no aria-invalid: the error is its description, and the error summary links to its first choice.
  const described = [given(hint) ? `${id}-hint` : '', p.error ? `${id}-error` : ''].filter(Boolean).join(' ');
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

export function wholeNumber(value: string | null | undefined): number | undefined {
  const r = WholeNumber.safeParse(value ?? '');
  return r.success ? r.data : undefined;
}

/**
 * A number typed in a form, as the API takes it: empty is absent, a number (a comma as the decimal point) is sent as
 * one, and anything else is sent as typed so that the API refuses it at its field in its own words (the page holds no
 * rule of its own).
 */
export function typedNumber(typed: string | null | undefined): number | string | undefined {
  const t = (typed ?? '').trim();
  if (t === '') return undefined;
  const n = t.replace(',', '.');
  return /^-?\d{1,15}(\.\d{1,15})?$/.test(n) ? Number(n) : t;
}
