/**
 * The users screen's pieces, pure rendering of what the API answered (users-page.ts asks): the list with each
 * account's state in words, the user form, and the small forms of the screen's actions, each behind a disclosure so
 * that nothing is done by a single stray click (without any script).
 */
import { z } from 'zod';
import { predefinedRole, roleRecordSchema, type AccessLevel, type Division, type Location, type PredefinedRoleId } from '../../domain/model.ts';
import type { PageLanguage } from '../../http/pages/i18n.ts';
import type { UserWithStateSchema } from '../../http/routes/users.ts';
import { type ImportRejectedSchema } from '../../http/routes/csv-files.ts';
import { apiText, errorSummary, type FormError } from '../form-errors.ts';
import { checkboxField, inputField, selectField } from '../form-fields.ts';
import { formatDateTime } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField, type Viewer } from '../shell.ts';
import { SHELL_WORDS } from '../shell-words.ts';
import { ROLES_WORDS } from './roles-words.ts';
import { USERS_WORDS } from './users-words.ts';

export const RolesReply = z.object({ roles: z.array(roleRecordSchema) });
export type RoleData = z.infer<typeof roleRecordSchema>;
export type UserData = z.infer<typeof UserWithStateSchema>;
export type ImportProblems = z.infer<typeof ImportRejectedSchema>['problems'];

/** The divisions and locations the viewer may see, by id: the access levels they may hand out. */
export interface Places {
  enterprise: boolean;
  divisions: readonly Division[];
  locations: readonly Location[];
}

export function userPath(id: string): string {
  return `/console/users/${encodeURIComponent(id)}`;
}

/** A role's name in the viewer's language (the predefined ones have words of their own). */
export function roleName(lang: PageLanguage, role: Pick<RoleData, 'id' | 'name' | 'predefined'>): string {
  return role.predefined && predefinedRole(role.id) ? ROLES_WORDS[lang].predefinedNames[role.id as PredefinedRoleId] : role.name;
}

export function levelValue(l: AccessLevel): string {
  return l.kind === 'enterprise' ? 'enterprise' : `${l.kind}:${l.id}`;
}

/** The access level of a form's value (`enterprise`, `division:<id>`, `location:<id>`); undefined when it is none. */
export function parseLevel(value: string): AccessLevel | undefined {
  if (value === 'enterprise') return { kind: 'enterprise' };
  const m = /^(division|location):(.+)$/.exec(value);
  return m ? { kind: m[1] as 'division' | 'location', id: m[2]! } : undefined;
}

function levelName(lang: PageLanguage, l: AccessLevel, places: Places): string {
  const w = USERS_WORDS[lang];
  if (l.kind === 'enterprise') return w.levelEnterprise;
  if (l.kind === 'division') return w.levelDivision(places.divisions.find((d) => d.id === l.id)?.name ?? l.id);
  return w.levelLocation(places.locations.find((p) => p.id === l.id)?.name ?? l.id);
}

export function displayName(u: Pick<UserData, 'firstName' | 'lastName' | 'username'>): string {
  return [u.firstName, u.lastName].filter(Boolean).join(' ') || u.username;
}

/** An account's state in words (never by colour alone): locked, disabled or active, no password yet, its authenticator. */
export function stateTags(lang: PageLanguage, u: UserData): SafeHtml {
  const w = USERS_WORDS[lang];
  const tags: SafeHtml[] = [];
  if (u.lockedUntil !== undefined) tags.push(html`<li class="tag bad">${w.locked(formatDateTime(lang, u.lockedUntil))}</li>`);
  tags.push(u.disabled ? html`<li class="tag bad">${w.disabled}</li>` : html`<li class="tag">${w.active}</li>`);
  if (!u.hasPassword) tags.push(html`<li class="tag">${w.noPassword}</li>`);
  tags.push(html`<li class="tag">${u.mfa.totp ? w.mfaOn : w.mfaOff}</li>`);
  return html`<ul class="tags">${tags}</ul>`;
}

/** The search's results: how many, and the table (the region htmx replaces as the person types). */
export function usersResults(lang: PageLanguage, users: readonly UserData[], roles: readonly RoleData[], places: Places): SafeHtml {
  const w = USERS_WORDS[lang];
  const byId = new Map(roles.map((r) => [r.id, r]));
  const rows = users.map((u) => {
    const role = byId.get(u.role);
    return html`<tr><th scope="row"><a href="${userPath(u.id)}">${displayName(u)}</a></th><td>${u.username}</td><td>${u.email ?? ''}</td><td>${role ? roleName(lang, role) : u.role}</td><td>${levelName(lang, u.accessLevel, places)}</td><td>${stateTags(lang, u)}</td></tr>`;
  });
  return html`<p class="muted">${w.found(users.length)}</p>${
    users.length === 0
      ? ''
      : html`<table class="data"><caption>${w.caption}</caption><thead><tr><th scope="col">${w.name}</th><th scope="col">${w.username}</th><th scope="col">${w.email}</th><th scope="col">${w.role}</th><th scope="col">${w.level}</th><th scope="col">${w.state}</th></tr></thead><tbody>${rows}</tbody></table>`
  }`;
}

/** What a user form shows: the values (as typed after a refusal, else the user's) and the choices the viewer has. */
export interface UserFormData {
  action: string;
  /** The user edited; absent for a new one. */
  user?: UserData;
  values: URLSearchParams;
  roles: readonly RoleData[];
  places: Places;
  error?: FormError | undefined;
}

/** The form's values of a user (the edit form's start). */
export function userValues(u: UserData): URLSearchParams {
  const v = new URLSearchParams({ firstName: u.firstName ?? '', lastName: u.lastName ?? '', username: u.username, email: u.email ?? '', language: u.language ?? '', role: u.role, accessLevel: levelValue(u.accessLevel) });
  if (u.disabled) v.set('disabled', 'on');
  return v;
}

export function userForm(v: Viewer, d: UserFormData): SafeHtml {
  const w = USERS_WORDS[v.lang];
  const val = (k: string) => d.values.get(k) ?? '';
  const e = d.error;
  const roles = d.roles.map((r) => ({ value: r.id, label: roleName(v.lang, r) }));
  const levels = [
    ...(d.places.enterprise ? [{ value: 'enterprise', label: w.levelEnterprise }] : []),
    ...d.places.divisions.map((x) => ({ value: `division:${x.id}`, label: w.levelDivision(x.name) })),
    ...d.places.locations.map((x) => ({ value: `location:${x.id}`, label: w.levelLocation(x.name) })),
  ];
  const languages = [{ value: '', label: w.languageDefault }, ...(['en', 'fr'] as const).map((l) => ({ value: l, label: w.languages[l] }))];
  const errs = e ? [e] : [];
  return html`${errorSummary(v.lang, errs)}<form method="post" action="${d.action}" novalidate>${csrfField(v)}
${inputField(v.lang, 'firstName', w.firstName, val('firstName'), errs, { maxlength: 100, autocomplete: 'off' })}
${inputField(v.lang, 'lastName', w.lastName, val('lastName'), errs, { maxlength: 100 })}
${d.user ? html`<p class="field"><strong>${w.username}:</strong> ${d.user.username} <span class="muted">(${w.usernameFixed})</span></p>` : inputField(v.lang, 'username', w.username, val('username'), errs, { hint: w.usernameHint, required: true, maxlength: 64 })}
${inputField(v.lang, 'email', w.email, val('email'), errs, { type: 'email', hint: d.user ? undefined : w.emailHint, maxlength: 254 })}
${selectField(v.lang, 'language', w.language, languages, val('language'), errs)}
${selectField(v.lang, 'role', w.role, roles, val('role'), errs, { hint: w.roleHint })}
${selectField(v.lang, 'accessLevel', w.level, levels, val('accessLevel'), errs, { hint: w.levelHint })}
${d.user ? checkboxField(v.lang, 'disabled', w.disabledLabel, val('disabled') === 'on', errs, w.disabledHint) : ''}
<div class="actions"><button type="submit">${d.user ? SHELL_WORDS[v.lang].save : w.create}</button><a href="/console/users">${SHELL_WORDS[v.lang].cancel}</a></div>
</form>`;
}

/** The report of an import: its counts, or the table of every bad row (nothing was imported). */
export function importReport(lang: PageLanguage, r: { done?: { rows: number; added: number; updated: number; unchanged: number }; problems?: ImportProblems; message?: string }): SafeHtml {
  const w = USERS_WORDS[lang];
  if (r.done) return html`<div class="notice ok" role="status"><p>${w.imported(r.done)}</p></div>`;
  const problems = r.problems ?? [];
  return html`<div class="notice bad" role="alert"><p>${r.message ? apiText(lang, r.message) : ''}</p></div>${
    problems.length === 0
      ? ''
      : html`<table class="data"><caption>${w.problemsCaption}</caption><thead><tr><th scope="col">${w.line}</th><th scope="col">${w.column}</th><th scope="col">${w.problem}</th></tr></thead><tbody>${problems.map(
          (p) => html`<tr><td class="num">${p.line}</td><td>${p.column ?? ''}</td><td>${apiText(lang, p.problem)}</td></tr>`,
        )}</tbody></table>`
  }`;
}
