/**
 * Retention and erasure: `/console/retention`, how long the enterprise's history is kept (PATCH
 * /enterprises/:id/history-retention, null: for ever; a shorter period, which deletes history at once, asked again
 * first), and erasing one person's personal data: found in the address
 * book (GET /contacts, search as you type at `/people`), a page naming what is erased and that it cannot be undone
 * (`/erase/:contactId`), then POST /contacts/:id/erase, which records the erasure in the activity.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { contactDisplayName, historyRetentionDaysSchema } from '../../domain/model.ts';
import { ContactPage } from '../../http/routes/contacts.ts';
import { Replies } from '../../http/schemas.ts';
import { ConsoleApiError, consoleApiOf } from '../console-api.ts';
import { formOf, isFragmentRequest, seeOther, viewerOf, type ConsoleScreen } from '../console.ts';
import { apiFieldError, apiRefusal, errorSummary, type FormError } from '../form-errors.ts';
import { inputField, radioField, wholeNumber } from '../form-fields.ts';
import { formatDate } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { CONSOLE_PATHS, mayCall } from '../menu.ts';
import { doneOf, notice } from '../page-notices.ts';
import { SETUP_PATHS, SETUP_WORDS } from '../settings/setup-screens.ts';
import { csrfField, sendConsolePage, sendFragment, type Viewer } from '../shell.ts';
import { SHELL_WORDS } from '../shell-words.ts';
import { RETENTION_WORDS, type RetentionDone } from './retention-words.ts';

const RETENTION_PATH = SETUP_PATHS.retention;
const PEOPLE_PATH = `${RETENTION_PATH}/people`;
const ERASE_PATH = `${RETENTION_PATH}/erase`;
const DONE = ['saved', 'erased'] as const satisfies readonly RetentionDone[];
const MATCHES = 20;
const DAYS = { min: historyRetentionDaysSchema.minValue ?? 1, max: historyRetentionDaysSchema.maxValue ?? 36_500 };
const SearchQuery = z.looseObject({ q: z.string().max(200).optional() });
const ContactParams = z.object({ contactId: z.string().min(1).max(100) });
const EnterpriseRetention = z.object({ enterprise: z.object({ historyRetentionDays: z.number().int().optional() }) });
const enc = encodeURIComponent;
const DAY_MS = 86_400_000;

/** Whether the person may find and erase people: the section shows only then. */
function mayErase(v: Viewer): boolean {
  return mayCall(v.principal, 'GET', '/api/v1/contacts') && mayCall(v.principal, 'POST', '/api/v1/contacts/:contactId/erase');
}

function retentionForm(v: Viewer, current: number | undefined, values: URLSearchParams, errors: readonly FormError[]): SafeHtml {
  const w = RETENTION_WORDS[v.lang];
  return html`<p>${current === undefined ? w.keptForEver : w.keptFor(current)}</p>${errorSummary(v.lang, errors)}<form method="post" action="${RETENTION_PATH}" novalidate>${csrfField(v)}
${radioField(v.lang, 'keep', w.keep, [{ value: 'forever', label: w.forEver }, { value: 'days', label: w.forDays }], values.get('keep') ?? '', errors, w.keepHint)}
${inputField(v.lang, 'days', w.days, values.get('days') ?? '', errors, { type: 'number', min: DAYS.min, max: DAYS.max, hint: w.daysHint(DAYS.min, DAYS.max) })}
<div class="actions"><button type="submit">${w.save}</button></div>
</form>`;
}

/**
 * The people matching `q`, each with the way to their erasure, and how many were found (none asked for: a prompt).
 * The count goes to a live region of its own, so a screen reader hears it once per search, not the whole table.
 */
async function peopleFound(req: FastifyRequest, q: string): Promise<{ count: string; table: SafeHtml }> {
  const v = viewerOf(req);
  const w = RETENTION_WORDS[v.lang];
  if (q === '') return { count: w.typeToSearch, table: html`` };
  const page = await consoleApiOf(req).get(ContactPage, `/contacts?${new URLSearchParams({ q, offset: '0', limit: String(MATCHES) })}`);
  const rows = page.contacts.map((c) => {
    const name = contactDisplayName(c);
    return html`<tr><th scope="row">${name}</th><td>${c.personnelId ?? ''}</td><td>${c.email ?? ''}</td><td><a href="${ERASE_PATH}/${enc(c.id)}">${w.eraseLink}<span class="visually-hidden"> – ${name}</span></a></td></tr>`;
  });
  const table =
    rows.length === 0
      ? html``
      : html`<table class="data"><caption>${w.caption}</caption><thead><tr><th scope="col">${w.name}</th><th scope="col">${w.personnelId}</th><th scope="col">${w.email}</th><th scope="col">${w.action}</th></tr></thead><tbody>${rows}</tbody></table>`;
  return { count: w.found(page.contacts.length, page.total), table };
}

async function eraseSection(req: FastifyRequest, v: Viewer, q: string): Promise<SafeHtml> {
  const w = RETENTION_WORDS[v.lang];
  const found = await peopleFound(req, q);
  return html`<section aria-labelledby="erase-h"><h2 id="erase-h">${w.eraseHeading}</h2><p>${w.eraseIntro}</p>
<form class="toolbar" method="get" action="${RETENTION_PATH}" role="search">
<div class="field"><label for="q">${w.search}</label><p class="hint" id="q-hint">${w.searchHint}</p><input type="search" id="q" name="q" value="${q}" maxlength="200" autocomplete="off" aria-describedby="q-hint" aria-controls="erase-results" hx-get="${PEOPLE_PATH}" hx-trigger="input changed delay:300ms, search" hx-target="#erase-results" hx-sync="this:replace"></div>
<button type="submit" class="secondary">${w.searchSubmit}</button>
</form>
<p id="erase-count" role="status">${found.count}</p><div id="erase-results" class="erase-results">${found.table}</div>
<p>${w.accounts}${mayCall(v.principal, 'GET', CONSOLE_PATHS.users) ? html` <a href="${CONSOLE_PATHS.users}">${w.usersLink}</a>` : ''}</p></section>`;
}

async function retentionPage(req: FastifyRequest, reply: FastifyReply, o: { values?: URLSearchParams; errors?: FormError[]; status?: number; done?: RetentionDone; q?: string } = {}): Promise<FastifyReply> {
  const v = viewerOf(req);
  const w = RETENTION_WORDS[v.lang];
  let retention: SafeHtml;
  try {
    const { enterprise } = await consoleApiOf(req).get(EnterpriseRetention, `/enterprises/${enc(v.principal.enterpriseId)}`);
    const days = enterprise.historyRetentionDays;
    const values = o.values ?? new URLSearchParams({ keep: days === undefined ? 'forever' : 'days', days: days === undefined ? '' : String(days) });
    retention = retentionForm(v, days, values, o.errors ?? []);
  } catch (err) {
    if (!(err instanceof ConsoleApiError) || err.status !== 404) throw err;
    retention = html`<div class="notice" role="status"><p>${w.notWhole}</p></div>`;
  }
  const activity = o.done === 'erased' && mayCall(v.principal, 'GET', CONSOLE_PATHS.activity) ? html`<p><a href="${CONSOLE_PATHS.activity}?type=erasure">${w.seeActivity}</a></p>` : '';
  const body = html`${notice(o.done ? w.done[o.done] : undefined)}${activity}
<section aria-labelledby="retention-h"><h2 id="retention-h">${w.retentionHeading}</h2>${retention}</section>
${mayErase(v) ? await eraseSection(req, v, o.q ?? '') : ''}`;
  return sendConsolePage(reply, o.status ?? 200, v, { title: SETUP_WORDS[v.lang].screens.retention.name, active: 'settings', body });
}

/** The page that asks to confirm a shorter retention period, saying from when history is deleted. */
function shortenPage(req: FastifyRequest, reply: FastifyReply, days: number): FastifyReply {
  const v = viewerOf(req);
  const w = RETENTION_WORDS[v.lang];
  const before = formatDate(v.lang, Date.now() - days * DAY_MS);
  const body = html`<p id="shorten-text">${w.shortenText(days, before)}</p>
<form method="post" action="${RETENTION_PATH}" class="actions">${csrfField(v)}<input type="hidden" name="keep" value="days"><input type="hidden" name="days" value="${days}"><input type="hidden" name="confirmed" value="yes">
<button type="submit" class="danger" aria-describedby="shorten-text">${w.shortenSubmit(days)}</button><a href="${RETENTION_PATH}">${SHELL_WORDS[v.lang].cancel}</a></form>`;
  return sendConsolePage(reply, 200, v, { title: w.shortenTitle(days), active: 'settings', body });
}

/** The page that names what an erasure erases and asks to confirm it (with the API's refusal, when it refused). */
async function erasePage(req: FastifyRequest, reply: FastifyReply, status: number, refusal: string | undefined): Promise<FastifyReply> {
  const v = viewerOf(req);
  const w = RETENTION_WORDS[v.lang];
  const { contactId } = ContactParams.parse(req.params);
  const { contact } = await consoleApiOf(req).get(Replies.contact, `/contacts/${enc(contactId)}`);
  const name = contactDisplayName(contact);
  const facts = [
    contact.personnelId !== undefined ? html`<dt>${w.personnelId}</dt><dd>${contact.personnelId}</dd>` : '',
    contact.email !== undefined ? html`<dt>${w.email}</dt><dd>${contact.email}</dd>` : '',
  ];
  const body = html`${refusal ? html`<div class="notice bad" role="alert"><p lang="en">${refusal}</p></div>` : ''}
<p><a href="${RETENTION_PATH}">${SETUP_WORDS[v.lang].screens.retention.name}</a></p>
<dl class="facts"><dt>${w.name}</dt><dd>${name}</dd>${facts}</dl>
<h2>${w.whatHeading}</h2>
<ul>${w.what.map((x) => html`<li>${x}</li>`)}</ul>
<p>${w.kept}</p>
<p id="erase-warning"><strong>${w.cannotUndo}</strong></p>
<form method="post" action="${ERASE_PATH}/${enc(contact.id)}" class="actions">${csrfField(v)}
<button type="submit" class="danger" aria-describedby="erase-warning">${w.eraseSubmit}</button><a href="${RETENTION_PATH}">${SHELL_WORDS[v.lang].cancel}</a></form>`;
  return sendConsolePage(reply, status, v, { title: w.eraseTitle(name), active: 'settings', body });
}

export const retentionScreen: ConsoleScreen = (app) => {
  app.get(RETENTION_PATH, { schema: { hide: true } }, async (req, reply) => {
    const q = SearchQuery.safeParse(req.query);
    return retentionPage(req, reply, { ...doneOf(req.query, DONE), q: q.success ? (q.data.q ?? '').trim() : '' });
  });

  app.post(RETENTION_PATH, { schema: { hide: true } }, async (req, reply) => {
    const v = viewerOf(req);
    const w = RETENTION_WORDS[v.lang];
    const f = formOf(req);
    let days: number | null = null;
    if (f.get('keep') === 'days') {
      const n = wholeNumber(f.get('days'));
      if (n === undefined) return retentionPage(req, reply, { values: f, errors: [{ field: 'days', message: w.notNumber }], status: 400 });
      days = n;
    }
    // A shorter period deletes history at once, for good: asked again first. A period the API refuses is its to say.
    if (days !== null && f.get('confirmed') !== 'yes' && historyRetentionDaysSchema.safeParse(days).success) {
      const { enterprise } = await consoleApiOf(req).get(EnterpriseRetention, `/enterprises/${enc(v.principal.enterpriseId)}`);
      const current = enterprise.historyRetentionDays;
      if (current === undefined || days < current) return shortenPage(req, reply, days);
    }
    try {
      await consoleApiOf(req).call(z.unknown(), 'PATCH', `/enterprises/${enc(v.principal.enterpriseId)}/history-retention`, { historyRetentionDays: days });
    } catch (err) {
      const refused = apiRefusal(err);
      const e = apiFieldError(refused, ['historyRetentionDays']);
      // The API decided; the page says the range in the person's language, at the field they typed it in.
      const explained: FormError = e.field ? { field: 'days', message: w.outOfRange(DAYS.min, DAYS.max) } : e;
      return retentionPage(req, reply, { values: f, errors: [explained], status: refused.status });
    }
    return seeOther(reply, `${RETENTION_PATH}?done=saved`);
  });

  // The search as one types: the matches only. Without a script the search form asks the page itself.
  app.get(PEOPLE_PATH, { schema: { hide: true } }, async (req, reply) => {
    const parsed = SearchQuery.safeParse(req.query);
    const q = parsed.success ? (parsed.data.q ?? '').trim() : '';
    if (!isFragmentRequest(req)) return seeOther(reply, q ? `${RETENTION_PATH}?q=${enc(q)}` : RETENTION_PATH);
    const found = await peopleFound(req, q);
    return sendFragment(reply, 200, html`${found.table}<p id="erase-count" hx-swap-oob="innerHTML">${found.count}</p>`);
  });

  app.get(`${ERASE_PATH}/:contactId`, { schema: { hide: true } }, async (req, reply) => erasePage(req, reply, 200, undefined));

  app.post(`${ERASE_PATH}/:contactId`, { schema: { hide: true } }, async (req, reply) => {
    const { contactId } = ContactParams.parse(req.params);
    try {
      await consoleApiOf(req).call(Replies.erasure, 'POST', `/contacts/${enc(contactId)}/erase`);
    } catch (err) {
      // Erased already: the API's reason, on the same page.
      if (!(err instanceof ConsoleApiError) || err.status !== 409) throw err;
      return erasePage(req, reply, 409, err.message);
    }
    return seeOther(reply, `${RETENTION_PATH}?done=erased`);
  });
};
