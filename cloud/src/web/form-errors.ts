/**
 * What a form post got wrong, and the one way every console form shows it: the error summary first, each error at its
 * field (form-fields.ts), the API's refusal put at the form's input, and the API's English words marked as such.
 */
import type { PageLanguage } from '../http/pages/i18n.ts';
import { ConsoleApiError } from './console-api.ts';
import { html, type SafeHtml } from './html.ts';
import { SHELL_WORDS } from './shell-words.ts';

/** A problem with what was sent: the form field it belongs to (none: the form as a whole) and its words. */
export interface FormError {
  field?: string | undefined;
  message: string;
  /** The message is the API's (English): marked as such on a French page. */
  api?: boolean | undefined;
}

/** The API's refusal at the form's input, with the status the page answers with. */
export interface FieldRefusal extends FormError {
  status: number;
}

/** The API's own words (English) on a page: marked as English on a French page, so a screen reader says them right. */
export function apiText(lang: PageLanguage, text: string): SafeHtml {
  return lang === 'en' ? html`${text}` : html`<span lang="en">${text}</span>`;
}

/** An error's words: the page's as they are, the API's marked as English on a French page. */
export function errorText(lang: PageLanguage, e: FormError): SafeHtml {
  return e.api ? apiText(lang, e.message) : html`${e.message}`;
}

/** The errors first, each linking to its field: what a screen reader announces and a keyboard reaches first. */
export function errorSummary(lang: PageLanguage, errors: readonly FormError[]): SafeHtml {
  if (errors.length === 0) return html``;
  return html`<div class="errors" role="alert" tabindex="-1" aria-labelledby="errors-h"><h2 id="errors-h">${SHELL_WORDS[lang].errorsHeading}</h2><ul>${errors.map((e) =>
    e.field ? html`<li><a href="#${e.field}">${errorText(lang, e)}</a></li>` : html`<li>${errorText(lang, e)}</li>`,
  )}</ul></div>`;
}

/** The API's refusal of a post (its 4xx), which the page shows; anything else goes on to the console's error page. */
export function apiRefusal(err: unknown): ConsoleApiError {
  if (err instanceof ConsoleApiError && err.status < 500) return err;
  throw err;
}

/** Form fields mapped to themselves: the usual case, where the form's input has the API's name. */
export function sameNames(...names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, n]));
}

/**
 * The API's refusal (apiRefusal's) as an error at the form's input. `fields` maps the API's field
 * path without its `body.` (`reach.minCm`, `settings.lockoutMinutes`, `name`) to the form's input, or lists the inputs
 * named as the API names them; a path not in it falls back to its last part, then its first (`accessLevel.id` is
 * `accessLevel`). The message loses the API's name of the field in front: the form shows the field's label instead.
 */
export function apiFieldError(e: ConsoleApiError, fields: readonly string[] | Readonly<Record<string, string>>): FieldRefusal {
  const inputs: Readonly<Record<string, string>> = Array.isArray(fields) ? sameNames(...(fields as readonly string[])) : (fields as Readonly<Record<string, string>>);
  const path = e.field?.replace(/^(body|params|querystring)\./, '');
  const parts = path?.split('.') ?? [];
  const at = (k: string | undefined) => (k !== undefined && Object.hasOwn(inputs, k) ? inputs[k] : undefined);
  const field = path === undefined ? undefined : (at(path) ?? at(parts.at(-1)) ?? at(parts[0]));
  const named = path === undefined ? undefined : new RegExp(`^(?:(?:body|params|querystring)\\.)?${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:\\.\\d+)?: `).exec(e.message);
  const message = field !== undefined && named ? e.message.slice(named[0].length) : e.message;
  return { field, message, api: true, status: e.status };
}
