/**
 * The address book: `/console/contacts` (search as you type, paged as the API pages), the form to add or edit a
 * contact (`/new`, `/:contactId`) with the API's errors next to their fields, and delete and erase, each after a page
 * that asks to confirm. Every read and change is the API's (GET /contacts, /departments, /locations, /custom-fields;
 * POST, PATCH, DELETE /contacts; POST /contacts/:id/erase); the CSV files are contacts-files.ts.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { contactDisplayName, customFieldSchema, liveCustomFields, type CustomField } from '../../domain/model.ts';
import { ContactPage } from '../../http/routes/contacts.ts';
import { Replies } from '../../http/schemas.ts';
import { ConsoleApiError, consoleApiOf, type ConsoleApi } from '../console-api.ts';
import { formOf, isFragmentRequest, seeOther, viewerOf, type ConsoleScreen } from '../console.ts';
import { apiFieldError, type FormError } from '../form-errors.ts';
import { html } from '../html.ts';
import { mayCall } from '../menu.ts';
import { notice } from '../page-notices.ts';
import { csrfField, sendConsolePage, sendFragment, type Viewer } from '../shell.ts';
import { SHELL_WORDS } from '../shell-words.ts';
import { contactFilesRoutes } from './contacts-files.ts';
import {
  CONTACTS_PATH,
  PAGE_SIZE,
  contactForm,
  contactPath,
  contactResults,
  createBody,
  dangerLinks,
  emptyForm,
  contactFields,
  formOfContact,
  formOfPost,
  updateBody,
  type ContactData,
  type ContactForm,
  type Places,
} from './contacts-views.ts';
import { CONTACTS_WORDS, type ContactDone } from './contacts-words.ts';

const DONE = ['added', 'saved', 'deleted', 'erased'] as const satisfies readonly ContactDone[];
const ListQuery = z.looseObject({ q: z.string().max(200).optional(), offset: z.coerce.number().int().min(0).max(10_000_000).optional(), done: z.enum(DONE).optional() });
const DoneQuery = z.looseObject({ done: z.enum(DONE).optional() });
const ContactParams = z.object({ contactId: z.string().min(1).max(100) });
const CustomFieldsReply = z.object({ customFields: z.array(customFieldSchema) });

/** What a contact form offers: the departments and locations the viewer may see, the enterprise's fields on contacts. */
interface Choices {
  departments: Array<{ id: string; name: string }>;
  locations: Array<{ id: string; name: string }>;
  customFields: CustomField[];
}

async function choicesOf(api: ConsoleApi): Promise<Choices> {
  const [{ departments }, { locations }, { customFields }] = await Promise.all([
    api.get(Replies.departments, '/departments'),
    api.get(Replies.locations, '/locations'),
    api.get(CustomFieldsReply, '/custom-fields'),
  ]);
  return { departments, locations, customFields: liveCustomFields(customFields, 'contacts') };
}

function placesOf(c: Pick<Choices, 'departments' | 'locations'>): Places {
  return { departments: new Map(c.departments.map((d) => [d.id, d.name])), locations: new Map(c.locations.map((l) => [l.id, l.name])) };
}

/** An API refusal a form shows (bad or conflicting input, a field naming something not found); anything else is thrown. */
function formRefusal(err: unknown, fields: readonly CustomField[]): { status: number; error: FormError } {
  if (!(err instanceof ConsoleApiError) || !(err.status === 400 || err.status === 409 || err.status === 422 || (err.status === 404 && err.field !== undefined))) throw err;
  return { status: err.status, error: apiFieldError(err, contactFields(fields)) };
}

const enc = encodeURIComponent;

export const contactsScreen: ConsoleScreen = (app) => {
  app.get(CONTACTS_PATH, { schema: { hide: true } }, async (req, reply) => {
    const v = viewerOf(req);
    const w = CONTACTS_WORDS[v.lang];
    const api = consoleApiOf(req);
    const parsed = ListQuery.safeParse(req.query);
    const query = parsed.success ? parsed.data : {};
    const q = (query.q ?? '').trim();
    const search = new URLSearchParams({ offset: String(query.offset ?? 0), limit: String(PAGE_SIZE), ...(q !== '' ? { q } : {}) });
    const [page, { departments }, { locations }] = await Promise.all([
      api.get(ContactPage, `/contacts?${search}`),
      api.get(Replies.departments, '/departments'),
      api.get(Replies.locations, '/locations'),
    ]);
    const results = contactResults(v, page, q, placesOf({ departments, locations }));
    // Search as you type: the results, and the count in the live region (announced once per search).
    if (isFragmentRequest(req)) return sendFragment(reply, 200, html`${results}<p id="contact-count" hx-swap-oob="innerHTML">${w.found(page.total)}</p>`);
    const p = v.principal;
    const links = [
      mayCall(p, 'GET', `${CONTACTS_PATH}/new`) ? html`<a class="button" href="${CONTACTS_PATH}/new">${w.add}</a>` : '',
      mayCall(p, 'GET', `${CONTACTS_PATH}/import`) ? html`<a class="button secondary" href="${CONTACTS_PATH}/import">${w.importCsv}</a>` : '',
      mayCall(p, 'GET', `${CONTACTS_PATH}/export`) ? html`<a class="button secondary" href="${CONTACTS_PATH}/export" hx-boost="false" download>${w.exportCsv}</a>` : '',
    ];
    const body = html`${notice(query.done ? w.done[query.done] : undefined)}
<div class="actions contact-links">${links}</div>
<form class="toolbar" role="search" method="get" action="${CONTACTS_PATH}">
<div class="field"><label for="q">${w.searchLabel}</label><p class="hint" id="q-hint">${w.searchHint}</p>
<input type="search" id="q" name="q" value="${q}" maxlength="200" aria-describedby="q-hint" aria-controls="contact-results"
 hx-get="${CONTACTS_PATH}" hx-trigger="input changed delay:300ms, search" hx-target="#contact-results" hx-swap="innerHTML" hx-replace-url="true" hx-sync="this:replace"></div>
<button type="submit" class="secondary">${SHELL_WORDS[v.lang].search}</button>
</form>
<p id="contact-count" role="status">${w.found(page.total)}</p>
<div id="contact-results">${results}</div>`;
    return sendConsolePage(reply, 200, v, { title: w.title, active: 'contacts', body });
  });

  app.get(`${CONTACTS_PATH}/new`, { schema: { hide: true } }, async (req, reply) => {
    const choices = await choicesOf(consoleApiOf(req));
    return newPage(req, reply, 200, emptyForm(), [], choices);
  });

  app.post(`${CONTACTS_PATH}/new`, { schema: { hide: true } }, async (req, reply) => {
    const api = consoleApiOf(req);
    const choices = await choicesOf(api);
    const values = formOfPost(formOf(req), choices.customFields);
    try {
      await api.call(Replies.contact, 'POST', '/contacts', createBody(values));
    } catch (err) {
      const r = formRefusal(err, choices.customFields);
      return newPage(req, reply, r.status, values, [r.error], choices);
    }
    return seeOther(reply, `${CONTACTS_PATH}?done=added`);
  });

  app.get(`${CONTACTS_PATH}/:contactId`, { schema: { hide: true } }, async (req, reply) => {
    const { contactId } = ContactParams.parse(req.params);
    const api = consoleApiOf(req);
    const [{ contact }, choices] = await Promise.all([api.get(Replies.contact, `/contacts/${enc(contactId)}`), choicesOf(api)]);
    const done = DoneQuery.safeParse(req.query);
    return editPage(req, reply, 200, contact, formOfContact(contact), [], choices, done.success ? done.data.done : undefined);
  });

  app.post(`${CONTACTS_PATH}/:contactId`, { schema: { hide: true } }, async (req, reply) => {
    const { contactId } = ContactParams.parse(req.params);
    const api = consoleApiOf(req);
    const [{ contact }, choices] = await Promise.all([api.get(Replies.contact, `/contacts/${enc(contactId)}`), choicesOf(api)]);
    const values = formOfPost(formOf(req), choices.customFields);
    try {
      await api.call(Replies.contact, 'PATCH', `/contacts/${enc(contactId)}`, updateBody(values, contact));
    } catch (err) {
      const r = formRefusal(err, choices.customFields);
      return editPage(req, reply, r.status, contact, values, [r.error], choices, undefined);
    }
    return seeOther(reply, `${CONTACTS_PATH}?done=saved`);
  });

  app.get(`${CONTACTS_PATH}/:contactId/delete`, { schema: { hide: true } }, async (req, reply) => confirmPage(req, reply, 'delete', 200, undefined));

  app.post(`${CONTACTS_PATH}/:contactId/delete`, { schema: { hide: true } }, async (req, reply) => {
    const { contactId } = ContactParams.parse(req.params);
    try {
      await consoleApiOf(req).call(Replies.contact, 'DELETE', `/contacts/${enc(contactId)}`);
    } catch (err) {
      // Still named by a live parcel, a dedicated locker or a login: the API's reason, on the same page.
      if (!(err instanceof ConsoleApiError) || err.status !== 409) throw err;
      return confirmPage(req, reply, 'delete', 409, err.message);
    }
    return seeOther(reply, `${CONTACTS_PATH}?done=deleted`);
  });

  app.get(`${CONTACTS_PATH}/:contactId/erase`, { schema: { hide: true } }, async (req, reply) => confirmPage(req, reply, 'erase', 200, undefined));

  app.post(`${CONTACTS_PATH}/:contactId/erase`, { schema: { hide: true } }, async (req, reply) => {
    const { contactId } = ContactParams.parse(req.params);
    try {
      await consoleApiOf(req).call(Replies.erasure, 'POST', `/contacts/${enc(contactId)}/erase`);
    } catch (err) {
      if (!(err instanceof ConsoleApiError) || err.status !== 409) throw err;
      return confirmPage(req, reply, 'erase', 409, err.message);
    }
    return seeOther(reply, `${contactPath(contactId)}?done=erased`);
  });

  contactFilesRoutes(app);
};

function newPage(req: FastifyRequest, reply: FastifyReply, status: number, values: ContactForm, errors: FormError[], choices: Choices): FastifyReply {
  const v = viewerOf(req);
  const w = CONTACTS_WORDS[v.lang];
  const body = html`<p><a href="${CONTACTS_PATH}">${w.title}</a></p>${contactForm(v, { action: `${CONTACTS_PATH}/new`, values, errors, ...choices })}`;
  return sendConsolePage(reply, status, v, { title: w.newTitle, active: 'contacts', body });
}

function editPage(req: FastifyRequest, reply: FastifyReply, status: number, contact: ContactData, values: ContactForm, errors: FormError[], choices: Choices, done: ContactDone | undefined): FastifyReply {
  const v = viewerOf(req);
  const w = CONTACTS_WORDS[v.lang];
  const body = html`${notice(done ? w.done[done] : undefined)}<p><a href="${CONTACTS_PATH}">${w.title}</a></p>
${contactForm(v, { action: contactPath(contact.id), values, errors, ...choices })}
${dangerLinks(v, contact)}`;
  return sendConsolePage(reply, status, v, { title: w.editTitle(contactDisplayName(contact)), active: 'contacts', body });
}

/** The page that asks to confirm a deletion or an erasure (with the API's refusal, when it refused). */
async function confirmPage(req: FastifyRequest, reply: FastifyReply, what: 'delete' | 'erase', status: number, refusal: string | undefined): Promise<FastifyReply> {
  const v: Viewer = viewerOf(req);
  const w = CONTACTS_WORDS[v.lang];
  const { contactId } = ContactParams.parse(req.params);
  const { contact } = await consoleApiOf(req).get(Replies.contact, `/contacts/${enc(contactId)}`);
  const name = contactDisplayName(contact);
  const path = contactPath(contact.id);
  const body = html`${notice(refusal, true)}
<p>${what === 'delete' ? w.deleteQuestion(name) : w.eraseQuestion(name)}</p>
${what === 'erase' ? html`<p>${w.eraseExplained}</p>` : ''}
<form method="post" action="${path}/${what}" hx-boost="false" class="actions">${csrfField(v)}
<button type="submit" class="danger">${what === 'delete' ? w.deleteSubmit : w.eraseSubmit}</button><a href="${path}">${SHELL_WORDS[v.lang].cancel}</a></form>`;
  return sendConsolePage(reply, status, v, { title: what === 'delete' ? w.deleteTitle(name) : w.eraseTitle(name), active: 'contacts', body });
}
