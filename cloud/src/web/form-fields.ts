/**
 * Form controls the text and select fields of users-render.ts do not cover: a text area, a single checkbox and a group
 * of checkboxes, each with its label, hint and the API's error tied to it the same way (`aria-describedby`,
 * `aria-invalid`). A group's error belongs to its first box, which the error summary links to.
 */
import { flag, html, type SafeHtml } from './html.ts';
import { fieldParts, type FormError } from './users/users-render.ts';

export function textareaField(id: string, label: string, value: string, o: { hint?: string; max: number; rows?: number; error?: FormError | undefined; required?: boolean; mono?: boolean }): SafeHtml {
  const p = fieldParts(id, o.hint, o.error);
  return html`<div class="field"><label for="${id}">${label}</label>${p.hint}${p.error}<textarea id="${id}" name="${id}" rows="${o.rows ?? 5}" maxlength="${o.max}"${o.mono ? html` class="mono"` : ''} autocomplete="off" spellcheck="${o.mono ? 'false' : 'true'}"${flag('required', o.required)}${p.attrs}>${value}</textarea></div>`;
}

/** A checkbox posting `on` when ticked. */
export function checkboxField(id: string, label: string, checked: boolean, o: { hint?: string; error?: FormError | undefined }): SafeHtml {
  const p = fieldParts(id, o.hint, o.error);
  return html`<div class="field">${p.error}<label class="choice" for="${id}"><input type="checkbox" id="${id}" name="${id}" value="on"${flag('checked', checked)}${p.attrs}> ${label}</label>${p.hint}</div>`;
}

/** The id of box `value` of group `name` (the group's error is at its first box). */
export function boxId(name: string, value: string): string {
  return `${name}-${value}`;
}

/** Checkboxes under one legend, each posting `name=value`. */
export function checkboxGroup(name: string, legend: string, choices: ReadonlyArray<{ value: string; label: string }>, checked: ReadonlySet<string>, o: { hint?: string; error?: FormError | undefined }): SafeHtml {
  const first = boxId(name, choices[0]?.value ?? '');
  const p = fieldParts(first, undefined, o.error);
  const hintId = `${name}-hint`;
  return html`<fieldset${o.hint ? html` aria-describedby="${hintId}"` : ''}><legend>${legend}</legend>${o.hint ? html`<p class="hint" id="${hintId}">${o.hint}</p>` : ''}${p.error}${choices.map((c, i) => {
    const id = boxId(name, c.value);
    return html`<label class="choice" for="${id}"><input type="checkbox" id="${id}" name="${name}" value="${c.value}"${flag('checked', checked.has(c.value))}${i === 0 ? p.attrs : ''}> ${c.label}</label>`;
  })}</fieldset>`;
}
