/**
 * The activity report: `/console/activity` (the log filtered by transaction type, days, bank and recipient, 50 entries
 * a page), `/console/activity/recipients` (the recipient search as you type) and `/console/activity.csv` (the same
 * filters exported whole, as the API writes it). Every entry shown or exported is the API's answer to the person's
 * own session, so its scope decides what appears.
 */
import { sendApiFile } from '../api-file.ts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Replies } from '../../http/schemas.ts';
import { consoleApiOf, type ConsoleApi } from '../console-api.ts';
import { isFragmentRequest, seeOther, viewerOf, type ConsoleScreen } from '../console.ts';
import { html } from '../html.ts';
import { mayCall } from '../menu.ts';
import { sendConsolePage, sendFragment } from '../shell.ts';
import {
  ACTIVITY_CSV_PATH,
  ACTIVITY_PATH,
  ActivityPageReply,
  PAGE_SIZE,
  RECIPIENTS_PATH,
  activityTable,
  apiQueryOf,
  filterErrors,
  filterForm,
  filtersOf,
  linkQuery,
  pager,
  recipientChoices,
  type Choice,
  type Filters,
} from './activity-render.ts';
import { ACTIVITY_WORDS } from './activity-words.ts';

/** Contacts a search offers at most. */
const FOUND_MAX = 10;
/** The API's largest page: an export is every entry of its filters up to this. */
const EXPORT_MAX = 100_000;
const ContactPage = z.object({ contacts: z.array(z.object({ id: z.string(), firstName: z.string(), lastName: z.string(), email: z.string().optional() })) });

function contactName(c: { firstName: string; lastName: string; email?: string | undefined }): string {
  const name = [c.firstName, c.lastName].filter((x) => x !== '').join(' ');
  return c.email ? `${name} (${c.email})` : name;
}

/** The chosen recipient (when the person may still see them) and the contacts the search text finds. */
async function recipientsOf(api: ConsoleApi, f: Filters): Promise<{ chosen: Choice | undefined; found: Choice[] | undefined }> {
  const [chosen, found] = await Promise.all([
    f.recipient !== undefined
      ? api.raw('GET', `/contacts/${encodeURIComponent(f.recipient)}`).then((r) => {
          const c = r.status === 200 ? Replies.contact.safeParse(JSON.parse(r.body)) : undefined;
          return c?.success ? { id: c.data.contact.id, name: contactName(c.data.contact) } : undefined;
        })
      : undefined,
    f.rq !== undefined
      ? api.get(ContactPage, `/contacts?${new URLSearchParams({ q: f.rq, limit: String(FOUND_MAX) })}`).then((p) => p.contacts.map((c) => ({ id: c.id, name: contactName(c) })))
      : undefined,
  ]);
  return { chosen, found };
}

function mayFindRecipients(req: FastifyRequest): boolean {
  return mayCall(viewerOf(req).principal, 'GET', RECIPIENTS_PATH);
}

export const activityScreen: ConsoleScreen = (app) => {
  app.get(ACTIVITY_PATH, { schema: { hide: true } }, async (req, reply) => {
    const v = viewerOf(req);
    const w = ACTIVITY_WORDS[v.lang];
    const api = consoleApiOf(req);
    const f = filtersOf(req.query);
    const { query, errors } = apiQueryOf(v.lang, f);
    const [{ banks }, { locations }, recipients] = await Promise.all([
      api.get(Replies.banks, '/banks'),
      api.get(Replies.locations, '/locations'),
      mayFindRecipients(req) ? recipientsOf(api, f) : undefined,
    ]);
    const placeName = new Map(locations.map((l) => [l.id, l.name]));
    const bankChoices = banks.map((b) => ({ id: b.id, name: `${placeName.get(b.locationId) ?? b.locationId} – ${b.name}` }));
    const form = filterForm(v.lang, f, { banks: bankChoices, ...(recipients ? { recipients } : {}), errors });
    if (errors.length > 0) {
      return sendConsolePage(reply, 400, v, { title: w.title, active: 'activity', body: html`${filterErrors(v.lang, errors)}${form}` });
    }
    query.set('limit', String(PAGE_SIZE));
    const cursor = f.at.at(-1);
    if (cursor !== undefined) query.set('cursor', cursor);
    const page = await api.get(ActivityPageReply, `/activity?${query}`);
    const body = html`${form}
<p class="actions"><a class="button secondary" href="${ACTIVITY_CSV_PATH}${linkQuery(f)}" download hx-boost="false" aria-describedby="export-hint">${w.exportCsv}</a> <span class="hint" id="export-hint">${w.exportHint}</span></p>
${activityTable(v.lang, page.activity, f.at.length + 1)}
${pager(v.lang, f, page.nextCursor)}`;
    return sendConsolePage(reply, 200, v, { title: w.title, active: 'activity', body });
  });

  // The search as you type: the recipient choices for the text typed, the one already chosen kept.
  app.get(RECIPIENTS_PATH, { schema: { hide: true } }, async (req, reply) => {
    const v = viewerOf(req);
    const f = filtersOf(req.query);
    const r = await recipientsOf(consoleApiOf(req), f);
    const choices = recipientChoices(v.lang, r.chosen, r.found);
    if (isFragmentRequest(req)) return sendFragment(reply, 200, choices);
    // Without script the search is the activity page's own form: go back to it with the text.
    const back = new URLSearchParams(linkQuery(f).slice(1));
    if (f.rq !== undefined) back.set('rq', f.rq);
    return seeOther(reply, `${ACTIVITY_PATH}?${back}`);
  });

  app.get(ACTIVITY_CSV_PATH, { schema: { hide: true } }, async (req, reply) => {
    const v = viewerOf(req);
    const f = filtersOf(req.query);
    const { query, errors } = apiQueryOf(v.lang, f);
    if (errors.length > 0) {
      return sendConsolePage(reply, 400, v, { title: ACTIVITY_WORDS[v.lang].title, active: 'activity', body: filterErrors(v.lang, errors) });
    }
    query.set('format', 'csv');
    query.set('limit', String(EXPORT_MAX));
    return sendApiFile(req, reply, `/activity?${query}`);
  });
};
