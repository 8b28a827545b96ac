/** What a form post got wrong, and the summary every console form shows of it first. */
import type { PageLanguage } from '../http/pages/i18n.ts';
import { html, type SafeHtml } from './html.ts';
import { SHELL_WORDS } from './shell-words.ts';

/** A problem with what was sent: the form field it belongs to (none: the form as a whole) and its words. */
export interface FormError {
  field?: string | undefined;
  message: string;
}

/**
 * The errors first, each linking to its field: what a screen reader announces and a keyboard reaches first.
 * `apiWords`: the messages are the API's, in English, which a French page marks as such.
 */
export function errorSummary(lang: PageLanguage, errors: readonly FormError[], o: { apiWords?: boolean } = {}): SafeHtml {
  if (errors.length === 0) return html``;
  const words = (m: string) => (o.apiWords && lang !== 'en' ? html`<span lang="en">${m}</span>` : m);
  return html`<div class="errors" role="alert" tabindex="-1" aria-labelledby="errors-h"><h2 id="errors-h">${SHELL_WORDS[lang].errorsHeading}</h2><ul>${errors.map((e) =>
    e.field ? html`<li><a href="#${e.field}">${words(e.message)}</a></li>` : html`<li>${words(e.message)}</li>`,
  )}</ul></div>`;
}
