/**
 * What the organisation's pages share: their addresses, a form post read with its zod schema, the API's refusal put
 * at the form's field, and the delete behind a disclosure with the API's reason when it refused (a 409 naming what
 * still depends on the record).
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { PageLanguage } from '../../http/pages/i18n.ts';
import { ConsoleApiError } from '../console-api.ts';
import { formOf } from '../console.ts';
import { html, type SafeHtml } from '../html.ts';
import type { Viewer } from '../shell.ts';
import { SHELL_WORDS } from '../shell-words.ts';
import { apiText, confirmAction, notice, type FormError } from '../users/users-render.ts';
import { ORGANISATION_WORDS, type OrgDone, type OrgKind } from './organisation-words.ts';

export const ORG_PATH = '/console/organisation';
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

/**
 * A number typed in a form, as the API takes it: empty is absent, a number is sent as one, and anything else is sent
 * as typed so that the API refuses it at its field in its own words (the page holds no rule of its own).
 */
export function numberOf(typed: string): number | string | undefined {
  const t = typed.trim().replace(',', '.');
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : typed;
}

/** The doneOf of the page (`?done=`). */
export function doneFrom(query: unknown): OrgDone | undefined {
  const d = DoneQuery.safeParse(query);
  return d.success ? d.data.done : undefined;
}

export function doneNotice(lang: PageLanguage, done: OrgDone | undefined): SafeHtml | '' {
  return notice(done ? ORGANISATION_WORDS[lang].done[done] : undefined);
}

/**
 * The API's refusal (a 4xx) on a form: its message at the form's field. `fields` maps the API's field path
 * (`reach.minCm`, `dimensions.widthCm`, `name`) to the form's input; a path not in it falls back to its last part,
 * then its first. Anything else (a 5xx) goes on to the console's error page.
 */
export function refusedAt(err: unknown, lang: PageLanguage, fields: Readonly<Record<string, string>>): FormError & { status: number } {
  if (!(err instanceof ConsoleApiError) || err.status >= 500) throw err;
  const path = err.field?.replace(/^(body|params|querystring)\./, '');
  const parts = path?.split('.') ?? [];
  const field = path === undefined ? undefined : (fields[path] ?? fields[parts.at(-1)!] ?? fields[parts[0]!]);
  // A validation message starts with the API's name of the field, which the form shows by its label instead.
  const message = field && err.field && err.message.startsWith(`${err.field}: `) ? err.message.slice(err.field.length + 2) : err.message;
  return { message, field, lang, status: err.status };
}

/** Form fields mapped to themselves: the usual case, where the form's input has the API's name. */
export function sameNames(...names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, n]));
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
