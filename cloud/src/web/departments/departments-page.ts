/**
 * Departments of the address book: `/console/departments` (the list), `/new` and `/:departmentId` (the form: name,
 * members and key contact chosen from the address book with the reservations' recipient search; delete, with the
 * API's reason when it refuses). Every read and change is the API's (GET, POST, PATCH, DELETE /departments, GET
 * /contacts); without the address book the screen answers 404, like the API.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Replies } from '../../http/schemas.ts';
import { ConsoleApiError, consoleApiOf, type ConsoleApi } from '../console-api.ts';
import { formOf, isFragmentRequest, seeOther, viewerOf, type ConsoleScreen } from '../console.ts';
import { apiFieldError, apiRefusal, apiText, type FieldRefusal } from '../form-errors.ts';
import { html } from '../html.ts';
import { confirmAction, doneOf, notice } from '../page-notices.ts';
import { searchRecipients } from '../reservations/recipient-search.ts';
import { SETUP_WORDS } from '../settings/setup-screens.ts';
import { sendConsolePage, sendFragment } from '../shell.ts';
import { recipientNames } from '../organisation/lockers-render.ts';
import { DEPARTMENTS_PATH, departmentForm, departmentPath, departmentsTable, peopleSection, type DepartmentValues, type Person } from './departments-render.ts';
import { DEPARTMENTS_WORDS, type DepartmentDone } from './departments-words.ts';

const DONE = ['added', 'saved', 'deleted'] as const satisfies readonly DepartmentDone[];
const DepartmentParams = z.object({ departmentId: z.string().min(1).max(100) });
const DepartmentForm = z.object({
  name: z.string().max(400).default(''),
  members: z.array(z.string().min(1).max(100)).max(10_000),
  keyContact: z.string().max(100).default(''),
  q: z.string().max(200).default(''),
  action: z.string().max(20).default(''),
});
/** The API's fields as the form's: the members by the search that adds them, the key contact by its "none" choice. */
const FIELDS = { name: 'name', memberIds: 'q', keyContactId: 'keyContact' };
const enc = encodeURIComponent;
type Refused = FieldRefusal;

function readForm(req: FastifyRequest): DepartmentValues & { action: string } {
  return readValues(formOf(req));
}

/** The form's values (a post's fields, or the live search's query). */
function readValues(f: URLSearchParams): DepartmentValues & { action: string } {
  const r = DepartmentForm.safeParse({ name: f.get('name') ?? '', members: [...new Set(f.getAll('member'))], keyContact: f.get('keyContact') ?? '', q: f.get('q') ?? '', action: f.get('action') ?? '' });
  if (!r.success) throw new ConsoleApiError(400, 'BAD_FORM', `the form could not be read: ${r.error.issues[0]?.message ?? ''}`);
  return r.data;
}

/** The address book's contacts matching `q` (the reservations' search; private contacts are not offered). */
async function matchesOf(api: ConsoleApi, req: FastifyRequest, q: string): Promise<Person[]> {
  const found = await searchRecipients(api, viewerOf(req).principal, q);
  return found.contacts.map((c) => ({ id: c.id, name: `${c.firstName} ${c.lastName}`.trim(), detail: c.email ?? c.personnelId }));
}

/** The people the form lists: the members and key contact chosen, by name (an id the viewer cannot read shows as it is). */
async function peopleOf(api: ConsoleApi, req: FastifyRequest, x: Pick<DepartmentValues, 'members' | 'keyContact'>): Promise<Person[]> {
  const ids = [...new Set([...x.members, ...(x.keyContact ? [x.keyContact] : [])])];
  const names = await recipientNames(api, viewerOf(req), ids.map((id) => ({ type: 'contact' as const, id })));
  return ids.map((id) => ({ id, name: names.get(`contact:${id}`) ?? id }));
}

export const departmentsScreen: ConsoleScreen = (app) => {
  const formPage = async (req: FastifyRequest, reply: FastifyReply, o: { id?: string; values?: DepartmentValues; error?: Refused; refused?: ConsoleApiError; done?: DepartmentDone | undefined }): Promise<FastifyReply> => {
    const v = viewerOf(req);
    const w = DEPARTMENTS_WORDS[v.lang];
    const api = consoleApiOf(req);
    const department = o.id ? (await api.get(Replies.department, `/departments/${enc(o.id)}`)).department : undefined;
    const x: DepartmentValues = o.values ?? { name: department?.name ?? '', members: department?.memberIds ?? [], keyContact: department?.keyContactId ?? '', q: '' };
    const [people, matches] = await Promise.all([peopleOf(api, req, x), matchesOf(api, req, x.q)]);
    const listed = new Set(people.map((p) => p.id));
    const action = department ? departmentPath(department.id) : `${DEPARTMENTS_PATH}/new`;
    const form = departmentForm(v, { action, values: x, people, matches: matches.filter((m) => !listed.has(m.id)), error: o.error, isNew: !department });
    const refused = o.refused ? html`<div class="notice bad" role="alert"><p>${w.refused} ${apiText(v.lang, o.refused.message)}</p></div>` : '';
    const body = html`${notice(o.done ? w.done[o.done] : undefined)}${refused}<p><a href="${DEPARTMENTS_PATH}">${SETUP_WORDS[v.lang].screens.departments.name}</a></p>${form}${
      department ? confirmAction(v, 'delete', { summary: w.deleteSummary, text: w.deleteText, action: `${departmentPath(department.id)}/delete`, submit: w.deleteSubmit, danger: true }) : ''
    }`;
    return sendConsolePage(reply, o.refused?.status ?? o.error?.status ?? 200, v, { title: department ? w.editTitle(department.name) : w.newTitle, active: 'settings', body });
  };

  app.get(DEPARTMENTS_PATH, { schema: { hide: true } }, async (req, reply) => {
    const v = viewerOf(req);
    const w = DEPARTMENTS_WORDS[v.lang];
    const api = consoleApiOf(req);
    const { departments } = await api.get(Replies.departments, '/departments');
    const keys = departments.flatMap((d) => (d.keyContactId ? [{ type: 'contact' as const, id: d.keyContactId }] : []));
    const names = await recipientNames(api, v, keys);
    const byId = new Map([...names].map(([k, n]) => [k.replace(/^contact:/, ''), n]));
    const { done } = doneOf(req.query, DONE);
    const body = html`${notice(done ? w.done[done] : undefined)}
<p><a class="button" href="${DEPARTMENTS_PATH}/new">${w.add}</a></p>
${departmentsTable(v.lang, departments, byId)}`;
    return sendConsolePage(reply, 200, v, { title: SETUP_WORDS[v.lang].screens.departments.name, active: 'settings', body });
  });

  // The people and the search's matches, as the person types (the form's Find button does the same without JavaScript).
  app.get(`${DEPARTMENTS_PATH}/contacts`, { schema: { hide: true } }, async (req, reply) => {
    const v = viewerOf(req);
    const x = readValues(new URLSearchParams(req.url.split('?')[1] ?? ''));
    if (!isFragmentRequest(req)) return seeOther(reply, `${DEPARTMENTS_PATH}/new`);
    const api = consoleApiOf(req);
    const [people, matches] = await Promise.all([peopleOf(api, req, x), matchesOf(api, req, x.q)]);
    const listed = new Set(people.map((p) => p.id));
    return sendFragment(reply, 200, peopleSection(v.lang, x, people, matches.filter((m) => !listed.has(m.id)), undefined));
  });

  app.get(`${DEPARTMENTS_PATH}/new`, { schema: { hide: true } }, async (req, reply) => formPage(req, reply, {}));

  app.post(`${DEPARTMENTS_PATH}/new`, { schema: { hide: true } }, async (req, reply) => {
    const x = readForm(req);
    if (x.action === 'find') return formPage(req, reply, { values: x });
    const body = { name: x.name, memberIds: x.members, ...(x.keyContact ? { keyContactId: x.keyContact } : {}) };
    try {
      const { department } = await consoleApiOf(req).call(Replies.department, 'POST', '/departments', body);
      return seeOther(reply, `${departmentPath(department.id)}?done=added`);
    } catch (err) {
      return formPage(req, reply, { values: x, error: apiFieldError(apiRefusal(err), FIELDS) });
    }
  });

  app.get(`${DEPARTMENTS_PATH}/:departmentId`, { schema: { hide: true } }, async (req, reply) =>
    formPage(req, reply, { id: DepartmentParams.parse(req.params).departmentId, ...doneOf(req.query, DONE) }),
  );

  app.post(`${DEPARTMENTS_PATH}/:departmentId`, { schema: { hide: true } }, async (req, reply) => {
    const { departmentId } = DepartmentParams.parse(req.params);
    const x = readForm(req);
    if (x.action === 'find') return formPage(req, reply, { id: departmentId, values: x });
    try {
      await consoleApiOf(req).call(Replies.department, 'PATCH', `/departments/${enc(departmentId)}`, { name: x.name, memberIds: x.members, keyContactId: x.keyContact || null });
      return seeOther(reply, `${departmentPath(departmentId)}?done=saved`);
    } catch (err) {
      return formPage(req, reply, { id: departmentId, values: x, error: apiFieldError(apiRefusal(err), FIELDS) });
    }
  });

  app.post(`${DEPARTMENTS_PATH}/:departmentId/delete`, { schema: { hide: true } }, async (req, reply) => {
    const { departmentId } = DepartmentParams.parse(req.params);
    try {
      await consoleApiOf(req).call(Replies.department, 'DELETE', `/departments/${enc(departmentId)}`);
      return seeOther(reply, `${DEPARTMENTS_PATH}?done=deleted`);
    } catch (err) {
      return formPage(req, reply, { id: departmentId, refused: apiRefusal(err) });
    }
  });
};
