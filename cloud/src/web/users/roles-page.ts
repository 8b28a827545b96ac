/**
 * Roles: `/console/roles` (the predefined roles and the enterprise's own, each with its permissions in words),
 * `/console/roles/new` and `/console/roles/:roleId` (a name and a checkbox per permission; a predefined role is shown
 * read-only). Every read and change is the API's, which refuses a role with a right the person lacks and any change
 * to a predefined role; the page shows its reason.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PERMISSIONS, roleRecordSchema, type Permission } from '../../domain/model.ts';
import type { PageLanguage } from '../../http/pages/i18n.ts';
import { type ConsoleApiError, consoleApiOf } from '../console-api.ts';
import { formOf, seeOther, viewerOf, type ConsoleScreen } from '../console.ts';
import { apiFieldError, apiRefusal, apiText, errorSummary, type FormError } from '../form-errors.ts';
import { fieldParts, inputField } from '../form-fields.ts';
import { flag, html, type SafeHtml } from '../html.ts';
import { confirmAction, doneOf, notice } from '../page-notices.ts';
import { csrfField, sendConsolePage, type Viewer } from '../shell.ts';
import { SHELL_WORDS } from '../shell-words.ts';
import { ROLES_WORDS, type RoleDone } from './roles-words.ts';
import { RolesReply, roleName, type RoleData } from './users-render.ts';

const DONE = ['created', 'saved', 'deleted'] as const satisfies readonly RoleDone[];
const RoleParams = z.object({ roleId: z.string().max(100) });
const RoleReply = z.object({ role: roleRecordSchema });

function rolePath(id: string): string {
  return `/console/roles/${encodeURIComponent(id)}`;
}

function permissionList(lang: PageLanguage, permissions: readonly Permission[]): SafeHtml {
  const w = ROLES_WORDS[lang];
  return html`<ul class="perms">${permissions.map((p) => html`<li>${w.permissionTexts[p]} <code>${p}</code></li>`)}</ul>`;
}

function rolesTable(lang: PageLanguage, roles: readonly RoleData[]): SafeHtml {
  const w = ROLES_WORDS[lang];
  const rows = roles.map(
    (r) => html`<tr><th scope="row"><a href="${rolePath(r.id)}">${roleName(lang, r)}</a></th><td>${r.predefined ? w.predefined : w.own}</td><td>${permissionList(lang, r.permissions)}</td></tr>`,
  );
  return html`<table class="data"><caption>${w.caption}</caption><thead><tr><th scope="col">${w.name}</th><th scope="col">${w.kind}</th><th scope="col">${w.permissions}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The role form: its name and a checkbox per permission of the catalogue, in a fieldset with its legend. */
function roleForm(v: Viewer, o: { action: string; name: string; permissions: ReadonlySet<string>; error?: FormError | undefined; submit: string }): SafeHtml {
  const w = ROLES_WORDS[v.lang];
  const p = fieldParts(v.lang, 'permissions', w.permissionsHint, o.error ? [o.error] : []);
  const boxes = PERMISSIONS.map(
    (perm, i) =>
      html`<div class="choice"><input type="checkbox" id="perm-${i}" name="permissions" value="${perm}"${flag('checked', o.permissions.has(perm))}><label for="perm-${i}">${w.permissionTexts[perm]} <code>${perm}</code></label></div>`,
  );
  return html`${errorSummary(v.lang, o.error ? [o.error] : [])}<form method="post" action="${o.action}" novalidate>${csrfField(v)}
${inputField(v.lang, 'name', w.name, o.name, o.error ? [o.error] : [], { required: true, maxlength: 100 })}
<fieldset id="permissions"${p.attrs}><legend>${w.permissionsLegend}</legend>${p.hint}${p.error}${boxes}</fieldset>
<div class="actions"><button type="submit">${o.submit}</button><a href="/console/roles">${SHELL_WORDS[v.lang].cancel}</a></div>
</form>`;
}

const FORM_FIELDS = ['name', 'permissions'];

/** The role's fields as posted: its name and the permissions checked. */
function posted(req: FastifyRequest): { name: string; permissions: string[] } {
  const f = formOf(req);
  return { name: (f.get('name') ?? '').trim(), permissions: f.getAll('permissions') };
}

export const rolesScreen: ConsoleScreen = (app) => {
  app.get('/console/roles', { schema: { hide: true } }, async (req, reply) => {
    const v = viewerOf(req);
    const w = ROLES_WORDS[v.lang];
    const { done } = doneOf(req.query, DONE);
    const { roles } = await consoleApiOf(req).get(RolesReply, '/roles');
    const body = html`${notice(done && w.done[done])}<p><a class="button" href="/console/roles/new">${w.add}</a></p>${rolesTable(v.lang, roles)}`;
    return sendConsolePage(reply, 200, v, { title: w.title, active: 'roles', body });
  });

  const newPage = (req: FastifyRequest, reply: FastifyReply, o: { name: string; permissions: readonly string[]; error?: ConsoleApiError }): FastifyReply => {
    const v = viewerOf(req);
    const w = ROLES_WORDS[v.lang];
    const body = roleForm(v, { action: '/console/roles/new', name: o.name, permissions: new Set(o.permissions), error: o.error && apiFieldError(o.error, FORM_FIELDS), submit: w.create });
    return sendConsolePage(reply, o.error?.status ?? 200, v, { title: w.newTitle, active: 'roles', body });
  };

  app.get('/console/roles/new', { schema: { hide: true } }, async (req, reply) => newPage(req, reply, { name: '', permissions: [] }));

  app.post('/console/roles/new', { schema: { hide: true } }, async (req, reply) => {
    const role = posted(req);
    try {
      const r = await consoleApiOf(req).call(RoleReply, 'POST', '/roles', role);
      return seeOther(reply, `${rolePath(r.role.id)}?done=created`);
    } catch (err) {
      return newPage(req, reply, { ...role, error: apiRefusal(err) });
    }
  });

  /** A role's page: read-only when predefined, else its form and its deletion. */
  const rolePage = async (req: FastifyRequest, reply: FastifyReply, id: string, o: { done?: RoleDone; values?: { name: string; permissions: readonly string[] }; error?: ConsoleApiError; formFailed?: boolean }): Promise<FastifyReply> => {
    const v = viewerOf(req);
    const w = ROLES_WORDS[v.lang];
    const { role } = await consoleApiOf(req).get(RoleReply, `/roles/${encodeURIComponent(id)}`);
    const path = rolePath(role.id);
    const shown = o.values ?? role;
    // A predefined role has no form: a change refused is shown as a notice.
    const inForm = o.formFailed === true && !role.predefined;
    const main = role.predefined
      ? html`<p class="notice">${w.readOnly}</p><h2>${w.permissions}</h2>${permissionList(v.lang, role.permissions)}`
      : html`${roleForm(v, { action: path, name: shown.name, permissions: new Set(shown.permissions), error: inForm && o.error ? apiFieldError(o.error, FORM_FIELDS) : undefined, submit: SHELL_WORDS[v.lang].save })}
${confirmAction(v, 'delete', { summary: w.deleteSummary, text: w.deleteText, action: `${path}/delete`, submit: w.deleteSubmit, danger: true })}`;
    const body = html`${notice(o.done ? w.done[o.done] : undefined)}${inForm || !o.error ? '' : notice(apiText(v.lang, o.error.message), true)}<p><a href="/console/roles">${w.title}</a></p>${main}`;
    return sendConsolePage(reply, o.error?.status ?? 200, v, { title: w.roleTitle(roleName(v.lang, role)), active: 'roles', body });
  };

  app.get('/console/roles/:roleId', { schema: { hide: true } }, async (req, reply) => {
    const { roleId } = RoleParams.parse(req.params);
    return rolePage(req, reply, roleId, doneOf(req.query, DONE));
  });

  app.post('/console/roles/:roleId', { schema: { hide: true } }, async (req, reply) => {
    const { roleId } = RoleParams.parse(req.params);
    const role = posted(req);
    try {
      await consoleApiOf(req).call(RoleReply, 'PATCH', `/roles/${encodeURIComponent(roleId)}`, role);
      return seeOther(reply, `${rolePath(roleId)}?done=saved`);
    } catch (err) {
      return rolePage(req, reply, roleId, { values: role, error: apiRefusal(err), formFailed: true });
    }
  });

  app.post('/console/roles/:roleId/delete', { schema: { hide: true } }, async (req, reply) => {
    const { roleId } = RoleParams.parse(req.params);
    try {
      await consoleApiOf(req).call(z.unknown(), 'DELETE', `/roles/${encodeURIComponent(roleId)}`);
      return seeOther(reply, '/console/roles?done=deleted');
    } catch (err) {
      return rolePage(req, reply, roleId, { error: apiRefusal(err) });
    }
  });
};
