/**
 * A form's error as a set-up page shows it: the API's own words (English, marked so on a French page) or the page's
 * words (in the page's language). The users screen's field helpers mark a message as English unless its `lang` is
 * 'en', so the page's own words carry 'en' there: nothing to mark.
 */
import type { PageLanguage } from '../http/pages/i18n.ts';
import { errorSummary } from './form-errors.ts';
import { html, type SafeHtml } from './html.ts';
import { formErrorSummary, type FormError } from './users/users-render.ts';

export interface ShownError {
  error: FormError;
  /** Whether the message is the API's (English) rather than the page's. */
  api: boolean;
}

/** The page's own words about field `field`: shown as they are, in any language. */
export function ownError(field: string | undefined, message: string): ShownError {
  return { error: { field, message, lang: 'en' }, api: false };
}

/** The error summary of a form: its one error, linking to its field. */
export function shownSummary(lang: PageLanguage, e: ShownError | undefined): SafeHtml {
  if (!e) return html``;
  return e.api ? formErrorSummary(lang, e.error) : errorSummary(lang, [e.error]);
}
