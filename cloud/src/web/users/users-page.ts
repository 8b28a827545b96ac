/**
 * Users: `/console/users` (search as you type, the list with each account's state, CSV import with its report and
 * the export and template downloads), `/console/users/new` and `/console/users/:userId` (the form; the actions on an
 * account: delete, resend the welcome e-mail, unlock, reset the second factor). Every read and change is the API's:
 * the roles and access levels offered are those the person may hand out, and a refusal shows the API's reason.
 */
import { sendApiFile } from '../api-file.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Replies } from '../../http/schemas.ts';
import { ImportRejectedSchema, importReplies } from '../../http/routes/csv-files.ts';
import { UsersReply, UserStateReply } from '../../http/routes/users.ts';
import { scopeOf } from '../../http/scope.ts';
import { apiError, consoleApiOf, type ConsoleApi, type ConsoleApiError } from '../console-api.ts';
import { fileOf, formOf, isFragmentRequest, seeOther, viewerOf, type ConsoleScreen } from '../console.ts';
import { apiFieldError, apiRefusal, apiText } from '../form-errors.ts';
import { formatDateTime } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { confirmAction, doneOf, notice } from '../page-notices.ts';
import { csrfField, sendConsolePage, sendFragment } from '../shell.ts';
import { RolesReply, displayName, importReport, parseLevel, stateTags, userForm, userPath, userValues, usersResults, type Places, type RoleData, type UserData } from './users-render.ts';
import { USERS_WORDS, type UserDone } from './users-words.ts';

const DONE = ['created', 'saved', 'deleted', 'welcomed', 'unlocked', 'not-locked', 'mfa-reset', 'mfa-none'] as const satisfies readonly UserDone[];
const ListQuery = z.looseObject({ q: z.string().max(200).optional() });
const UserParams = z.object({ userId: z.string().max(100) });
const ImportDone = importReplies({})[200];
const FORM_FIELDS = ['firstName', 'lastName', 'username', 'email', 'language', 'role', 'accessLevel', 'disabled'] as const;


export const usersScreen: ConsoleScreen = (app, deps) => {
  /** The access levels the viewer may hand out: the enterprise if theirs, and the divisions and locations they see. */
  const placesOf = async (req: FastifyRequest, api: ConsoleApi): Promise<Places> => {
    const [{ divisions }, { locations }] = await Promise.all([api.get(Replies.divisions, '/divisions'), api.get(Replies.locations, '/locations')]);
    return { enterprise: scopeOf(req, deps.store).holdsLevel({ kind: 'enterprise' }), divisions, locations };
  };
  /** The roles the viewer may hand out (every right of theirs), and `current` (a user's role) in any case. */
  const grantable = (req: FastifyRequest, roles: readonly RoleData[], current?: string): RoleData[] =>
    roles.filter((r) => r.id === current || scopeOf(req, deps.store).lacks(r.permissions).length === 0);

  const listPage = async (req: FastifyRequest, reply: FastifyReply, o: { q?: string; done?: UserDone; report?: SafeHtml | ''; status?: number } = {}): Promise<FastifyReply> => {
    const v = viewerOf(req);
    const w = USERS_WORDS[v.lang];
    const api = consoleApiOf(req);
    const q = o.q ?? '';
    const [{ users }, { roles }, places] = await Promise.all([api.get(UsersReply, q ? `/users?q=${encodeURIComponent(q)}` : '/users'), api.get(RolesReply, '/roles'), placesOf(req, api)]);
    const results = usersResults(v.lang, users, roles, places);
    if (isFragmentRequest(req)) return sendFragment(reply, 200, results);
    const body = html`${notice(o.done ? w.done[o.done] : undefined)}
<p><a class="button" href="/console/users/new">${w.add}</a></p>
<form class="toolbar" method="get" action="/console/users" role="search">
<div class="field"><label for="q">${w.search}</label><p class="hint" id="q-hint">${w.searchHint}</p><input type="search" id="q" name="q" value="${q}" maxlength="200" autocomplete="off" aria-describedby="q-hint" aria-controls="user-results" hx-get="/console/users" hx-trigger="input changed delay:300ms, search" hx-target="#user-results"></div>
<button type="submit" class="secondary">${w.searchSubmit}</button>
</form>
<div id="user-results" aria-live="polite">${results}</div>
<section class="panel" aria-labelledby="files-h"><h2 id="files-h">${w.files}</h2>
<p class="actions"><a class="button secondary" href="/console/users/export" hx-boost="false" download>${w.exportLink}</a> <a class="button secondary" href="/console/users/template" hx-boost="false" download>${w.templateLink}</a></p>
<h3>${w.importHeading}</h3>
<form method="post" action="/console/users/import" enctype="multipart/form-data" hx-boost="false">${csrfField(v)}
<div class="field"><label for="file">${w.importFile}</label><p class="hint" id="file-hint">${w.importHint}</p><input type="file" id="file" name="file" accept=".csv,text/csv" required aria-describedby="file-hint"></div>
<button type="submit">${w.importSubmit}</button>
</form>
<div id="import-report">${o.report ?? ''}</div>
</section>`;
    return sendConsolePage(reply, o.status ?? 200, v, { title: w.title, active: 'users', body });
  };

  const newPage = async (req: FastifyRequest, reply: FastifyReply, values: URLSearchParams, error?: ConsoleApiError): Promise<FastifyReply> => {
    const v = viewerOf(req);
    const api = consoleApiOf(req);
    const [{ roles }, places] = await Promise.all([api.get(RolesReply, '/roles'), placesOf(req, api)]);
    const body = userForm(v, { action: '/console/users/new', values, roles: grantable(req, roles), places, error: error && apiFieldError(error, FORM_FIELDS) });
    return sendConsolePage(reply, error?.status ?? 200, v, { title: USERS_WORDS[v.lang].newTitle, active: 'users', body });
  };

  /** A user's page: the form, and the actions that apply to the account as it is. */
  const userPage = async (req: FastifyRequest, reply: FastifyReply, id: string, o: { done?: UserDone; values?: URLSearchParams; error?: ConsoleApiError; formFailed?: boolean } = {}): Promise<FastifyReply> => {
    const v = viewerOf(req);
    const w = USERS_WORDS[v.lang];
    const api = consoleApiOf(req);
    const [{ user }, { roles }, places] = await Promise.all([api.get(UserStateReply, `/users/${encodeURIComponent(id)}`), api.get(RolesReply, '/roles'), placesOf(req, api)]);
    const path = userPath(user.id);
    const name = displayName(user);
    const form = userForm(v, { action: path, user, values: o.values ?? userValues(user), roles: grantable(req, roles, user.role), places, error: o.formFailed && o.error ? apiFieldError(o.error, FORM_FIELDS) : undefined });
    const body = html`${notice(o.done ? w.done[o.done] : undefined)}${o.formFailed || !o.error ? '' : notice(apiText(v.lang, o.error.message), true)}
<p><a href="/console/users">${w.title}</a></p>
<div class="layout"><section class="panel" aria-labelledby="details-h"><h2 id="details-h">${w.details}</h2>${stateTags(v.lang, user)}${form}</section>
<section class="panel" aria-labelledby="actions-h"><h2 id="actions-h">${w.actions}</h2>${actions(user)}</section></div>`;
    return sendConsolePage(reply, o.error?.status ?? 200, v, { title: w.editTitle(name), active: 'users', body });

    function actions(u: UserData): SafeHtml[] {
      const list: SafeHtml[] = [];
      if (u.email !== undefined && !u.hasPassword && !u.disabled) list.push(confirmAction(v, 'welcome', { summary: w.welcomeSummary, text: w.welcomeText, action: `${path}/welcome`, submit: w.welcomeSubmit }));
      if (u.lockedUntil !== undefined) list.push(confirmAction(v, 'unlock', { summary: w.unlockSummary, text: w.unlockText(formatDateTime(v.lang, u.lockedUntil)), action: `${path}/unlock`, submit: w.unlockSubmit }));
      if (u.mfa.totp) list.push(confirmAction(v, 'mfa', { summary: w.mfaSummary, text: w.mfaText, action: `${path}/mfa-reset`, submit: w.mfaSubmit }));
      list.push(confirmAction(v, 'delete', { summary: w.deleteSummary, text: w.deleteText(name), action: `${path}/delete`, submit: w.deleteSubmit, danger: true }));
      return list;
    }
  };

  app.get('/console/users', { schema: { hide: true } }, async (req, reply) => {
    const q = ListQuery.safeParse(req.query);
    return listPage(req, reply, { q: q.success ? (q.data.q ?? '').trim() : '', ...doneOf(req.query, DONE) });
  });

  app.get('/console/users/export', { schema: { hide: true } }, async (req, reply) => sendApiFile(req, reply, '/users/export'));
  app.get('/console/users/template', { schema: { hide: true } }, async (req, reply) => sendApiFile(req, reply, '/users/template'));

  app.post('/console/users/import', { schema: { hide: true } }, async (req, reply) => {
    const w = USERS_WORDS[viewerOf(req).lang];
    const file = fileOf(req, 'file');
    if (!file || file.data.length === 0) return listPage(req, reply, { report: notice(w.noFile, true), status: 400 });
    const r = await consoleApiOf(req).raw('POST', '/users/import', file.data, 'text/csv');
    const lang = viewerOf(req).lang;
    if (r.status === 200) return listPage(req, reply, { report: importReport(lang, { done: ImportDone.parse(JSON.parse(r.body)).import }) });
    const rejected = r.status === 422 ? ImportRejectedSchema.safeParse(JSON.parse(r.body)) : undefined;
    if (rejected?.success) return listPage(req, reply, { report: importReport(lang, { message: rejected.data.error.message, problems: rejected.data.problems }), status: 422 });
    const err = apiRefusal(apiError(r));
    return listPage(req, reply, { report: importReport(lang, { message: err.message }), status: err.status });
  });

  app.get('/console/users/new', { schema: { hide: true } }, async (req, reply) => newPage(req, reply, new URLSearchParams({ role: 'operator', accessLevel: 'enterprise' })));

  app.post('/console/users/new', { schema: { hide: true } }, async (req, reply) => {
    const f = formOf(req);
    const text = (k: string) => (f.get(k) ?? '').trim();
    const optional = (k: string) => (text(k) ? { [k]: text(k) } : {});
    const accessLevel = parseLevel(text('accessLevel'));
    const body = { username: text('username'), role: text('role'), ...(accessLevel ? { accessLevel } : {}), ...optional('firstName'), ...optional('lastName'), ...optional('email'), ...optional('language') };
    try {
      const { user } = await consoleApiOf(req).call(z.object({ user: z.object({ id: z.string() }) }), 'POST', '/users', body);
      return seeOther(reply, `${userPath(user.id)}?done=created`);
    } catch (err) {
      return newPage(req, reply, f, apiRefusal(err));
    }
  });

  app.get('/console/users/:userId', { schema: { hide: true } }, async (req, reply) => {
    const { userId } = UserParams.parse(req.params);
    return userPage(req, reply, userId, doneOf(req.query, DONE));
  });

  app.post('/console/users/:userId', { schema: { hide: true } }, async (req, reply) => {
    const { userId } = UserParams.parse(req.params);
    const f = formOf(req);
    const text = (k: string) => (f.get(k) ?? '').trim();
    const orNull = (k: string) => text(k) || null;
    const accessLevel = parseLevel(text('accessLevel'));
    const body = {
      firstName: orNull('firstName'),
      lastName: orNull('lastName'),
      email: orNull('email'),
      language: orNull('language'),
      role: text('role'),
      ...(accessLevel ? { accessLevel } : {}),
      disabled: f.get('disabled') === 'on',
    };
    try {
      await consoleApiOf(req).call(z.unknown(), 'PATCH', `/users/${encodeURIComponent(userId)}`, body);
      return seeOther(reply, `${userPath(userId)}?done=saved`);
    } catch (err) {
      return userPage(req, reply, userId, { values: f, error: apiRefusal(err), formFailed: true });
    }
  });

  // The actions on an account: each the API's own route; what it answered decides the notice.
  const action = (suffix: string, run: (api: ConsoleApi, id: string) => Promise<UserDone>, after: (id: string, done: UserDone) => string = (id, done) => `${userPath(id)}?done=${done}`) => {
    app.post(`/console/users/:userId/${suffix}`, { schema: { hide: true } }, async (req, reply) => {
      const { userId } = UserParams.parse(req.params);
      try {
        return seeOther(reply, after(userId, await run(consoleApiOf(req), encodeURIComponent(userId))));
      } catch (err) {
        return userPage(req, reply, userId, { error: apiRefusal(err) });
      }
    });
  };
  action('welcome', async (api, id) => (await api.call(z.unknown(), 'POST', `/users/${id}/welcome`), 'welcomed'));
  action('unlock', async (api, id) => ((await api.call(z.object({ unlocked: z.boolean() }), 'POST', `/users/${id}/unlock`)).unlocked ? 'unlocked' : 'not-locked'));
  action('mfa-reset', async (api, id) => ((await api.call(z.object({ reset: z.boolean() }), 'POST', `/users/${id}/mfa/reset`)).reset ? 'mfa-reset' : 'mfa-none'));
  action('delete', async (api, id) => (await api.call(z.unknown(), 'DELETE', `/users/${id}`), 'deleted'), (_id, done) => `/console/users?done=${done}`);
};


