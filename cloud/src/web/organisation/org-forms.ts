/**
 * What the organisation's pages share: their addresses, a form post read with its zod schema, and the delete behind a
 * disclosure with the API's reason when it refused (a 409 naming what still depends on the record).
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { PageLanguage } from '../../http/pages/i18n.ts';
import { ConsoleApiError } from '../console-api.ts';
import { formOf } from '../console.ts';
import { apiText } from '../form-errors.ts';
import { html, type SafeHtml } from '../html.ts';
import { confirmAction, notice } from '../page-notices.ts';
import type { Viewer } from '../shell.ts';
import { SHELL_WORDS } from '../shell-words.ts';
import { ORGANISATION_WORDS, type OrgDone, type OrgKind } from './organisation-words.ts';
import { SETUP_PATHS } from '../settings/setup-screens.ts';

export const ORG_PATH = SETUP_PATHS.organisation;
const enc = encodeURIComponent;
export const divisionPath = (id: string): string => `${ORG_PATH}/divisions/${enc(id)}`;
export const locationPath = (id: string): string => `${ORG_PATH}/locations/${enc(id)}`;
export const bankPath = (id: string): string => `${ORG_PATH}/banks/${enc(id)}`;
export const columnPath = (id: string): string => `${ORG_PATH}/columns/${enc(id)}`;
export const lockerPath = (bankId: string, n: number): string => `${bankPath(bankId)}/lockers/${n}`;

export const DONE = ['renamed', 'added', 'saved', 'deleted'] as const satisfies readonly OrgDone[];
export const IdParam = z.string().min(1).max(100);
export const DoneQuery = z.looseObject({ done: z.enum(DONE).optional() });

/** A text field of a form as typed: every form here is a set of texts, each at most `max` characters. */
export const formText = (max = 500) => z.string().max(max).default('');

/** The fields of a form post as `schema` reads them (unknown fields, the anti-forgery token among them, dropped). */
export function parseForm<S extends z.ZodType>(req: FastifyRequest, schema: S): z.infer<S> {
  const f = formOf(req);
  const flat: Record<string, string> = {};
  for (const k of new Set(f.keys())) flat[k] = f.get(k) ?? '';
  const r = schema.safeParse(flat);
  if (!r.success) throw new ConsoleApiError(400, 'BAD_FORM', `the form could not be read: ${r.error.issues[0]?.message ?? ''}`);
  return r.data;
}

/** The doneOf of the page (`?done=`). */
export function doneFrom(query: unknown): OrgDone | undefined {
  const d = DoneQuery.safeParse(query);
  return d.success ? d.data.done : undefined;
}

export function doneNotice(lang: PageLanguage, done: OrgDone | undefined): SafeHtml | '' {
  return notice(done ? ORGANISATION_WORDS[lang].done[done] : undefined);
}

/** A delete refused by the API (409: what still depends on it), or any other refusal of a change, in its words. */
export function refusalNotice(lang: PageLanguage, err: ConsoleApiError | undefined): SafeHtml | '' {
  if (!err) return '';
  return html`<div class="notice bad" role="alert"><p>${ORGANISATION_WORDS[lang].refused} ${apiText(lang, err.message)}</p></div>`;
}

/** The delete of a record behind its disclosure (nothing is deleted by one stray click). */
export function deleteAction(v: Viewer, kind: OrgKind, action: string): SafeHtml {
  const w = ORGANISATION_WORDS[v.lang];
  return confirmAction(v, `delete-${kind}`, { summary: w.remove[kind].summary, text: w.remove[kind].text, action, submit: w.deleteSubmit, danger: true });
}

/**
 * The form's Save as its default button: pressing Enter in a field submits the first submit button in the form, which
 * would otherwise be a search's Find placed before Save. Hidden from view and from assistive technology, which reach
 * the visible Save.
 */
export function defaultSave(v: Viewer): SafeHtml {
  return html`<button type="submit" name="action" value="save" hidden tabindex="-1">${SHELL_WORDS[v.lang].save}</button>`;
}
