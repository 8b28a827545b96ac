/**
 * API keys: `/console/security/api-keys`, the enterprise's keys (GET /api-keys) with their last use, expiry and state,
 * making one (POST /api-keys) and revoking one after a confirmation (POST /api-keys/:id/revoke), permission `users`.
 * A new key is in the answer to the post that made it, and nowhere else: the page is not cached, the key is not put
 * in an address, and no later page can show it (the API keeps only its hash).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { API_KEY_MAX_DAYS, PublicApiKeySchema, type PublicApiKey } from '../../auth/api-keys.ts';
import type { AccessLevel } from '../../domain/model.ts';
import { Replies } from '../../http/schemas.ts';
import { scopeOf } from '../../http/scope.ts';
import { consoleApiOf } from '../console-api.ts';
import type { ConsoleDeps } from '../console.ts';
import { formOf, seeOther, viewerOf } from '../console.ts';
import { apiFieldError, apiRefusal, errorSummary, type FormError } from '../form-errors.ts';
import { inputField, selectField } from '../form-fields.ts';
import { formatDate, formatDateTime } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { confirmAction, doneOf, notice } from '../page-notices.ts';
import { SETUP_PATHS, SETUP_WORDS } from '../settings/setup-screens.ts';
import { csrfField, sendConsolePage, type Viewer } from '../shell.ts';
import { levelValue, parseLevel, RolesReply, roleName, type RoleData } from '../users/users-render.ts';
import { USERS_WORDS } from '../users/users-words.ts';
import { API_KEYS_WORDS, type ApiKeysDone } from './api-keys-words.ts';

const KEYS_PATH = `${SETUP_PATHS.security}/api-keys`;
const DONE = ['revoked'] as const satisfies readonly ApiKeysDone[];
const FIELDS = ['name', 'role', 'accessLevel', 'expiresAt'] as const;
const KeysReply = z.object({ apiKeys: z.array(PublicApiKeySchema) });
const MadeReply = z.object({ key: z.string(), apiKey: PublicApiKeySchema });
const KeyParams = z.object({ apiKeyId: z.string().min(1).max(100) });
const DAY_MS = 86_400_000;

/** The access levels the key may be given, by form value, with their names. */
type Levels = Array<{ value: string; label: string }>;

/** A day as a date field holds it (yyyy-mm-dd), in the server's time zone like every date the console shows. */
function dayValue(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** The start of a date field's day (epoch ms); undefined when it is not a date. */
function dayStart(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return d.getMonth() === Number(m[2]) - 1 && d.getDate() === Number(m[3]) ? d.getTime() : undefined;
}

function keysTable(v: Viewer, keys: readonly PublicApiKey[], roles: readonly RoleData[], levels: Levels): SafeHtml {
  const w = API_KEYS_WORDS[v.lang];
  if (keys.length === 0) return html`<p>${w.none}</p>`;
  const roleOf = (id: string) => {
    const r = roles.find((x) => x.id === id);
    return r ? roleName(v.lang, r) : id;
  };
  const levelOf = (l: AccessLevel) => levels.find((x) => x.value === levelValue(l))?.label ?? levelValue(l);
  const rows = keys.map(
    (k) => html`<tr><th scope="row">${k.name}</th><td>${roleOf(k.role)}</td><td>${levelOf(k.accessLevel)}</td><td>${formatDate(v.lang, k.createdAt)}</td><td>${formatDate(v.lang, k.expiresAt)}</td><td>${
      k.lastUsedAt !== undefined ? formatDateTime(v.lang, k.lastUsedAt) : w.never
    }</td><td><span class="tag${k.status === 'active' ? '' : ' bad'}">${w.statuses[k.status]}</span>${k.revokedAt !== undefined ? html` ${formatDate(v.lang, k.revokedAt)}` : ''}</td><td>${
      k.status === 'active' ? confirmAction(v, `revoke-${k.id}`, { summary: w.revokeSummary(k.name), text: w.revokeText, action: `${KEYS_PATH}/${encodeURIComponent(k.id)}/revoke`, submit: w.revokeSubmit, danger: true }) : ''
    }</td></tr>`,
  );
  return html`<table class="data"><caption>${w.caption}</caption><thead><tr><th scope="col">${w.name}</th><th scope="col">${w.role}</th><th scope="col">${w.level}</th><th scope="col">${w.created}</th><th scope="col">${w.expires}</th><th scope="col">${w.lastUsed}</th><th scope="col">${w.status}</th><th scope="col">${w.action}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function newKeyForm(v: Viewer, roles: readonly RoleData[], levels: Levels, values: URLSearchParams, errors: readonly FormError[], today: number): SafeHtml {
  const w = API_KEYS_WORDS[v.lang];
  const val = (k: string) => values.get(k) ?? '';
  return html`${errorSummary(v.lang, errors)}<form method="post" action="${KEYS_PATH}" novalidate>${csrfField(v)}
${inputField(v.lang, 'name', w.name, val('name'), errors, { hint: w.nameHint, maxlength: 100, required: true })}
${selectField(v.lang, 'role', w.role, roles.map((r) => ({ value: r.id, label: roleName(v.lang, r) })), val('role'), errors, { hint: w.roleHint })}
${selectField(v.lang, 'accessLevel', w.level, levels, val('accessLevel'), errors, { hint: w.levelHint })}
${inputField(v.lang, 'expiresAt', w.expiresLabel, val('expiresAt'), errors, { type: 'date', hint: w.expiresHint(API_KEY_MAX_DAYS), min: dayValue(today + DAY_MS), max: dayValue(today + API_KEY_MAX_DAYS * DAY_MS), required: true })}
<div class="actions"><button type="submit">${w.create}</button></div>
</form>`;
}

/** The key just made: shown in the answer to the post that made it, once. */
function madeKey(v: Viewer, made: z.infer<typeof MadeReply>): SafeHtml {
  const w = API_KEYS_WORDS[v.lang];
  return html`<section class="panel made-key" aria-labelledby="made-h"><h2 id="made-h">${w.madeHeading}</h2><div role="status"><p>${w.made(made.apiKey.name)}</p></div>
<div class="notice bad"><p><strong>${w.onceWarning}</strong></p></div>
<div class="field"><label for="new-key">${w.keyLabel}</label><p class="hint" id="new-key-hint">${w.usage}</p><textarea id="new-key" class="key" rows="3" readonly aria-describedby="new-key-hint" autocomplete="off" spellcheck="false">${made.key}</textarea></div></section>`;
}

export function apiKeysRoutes(app: FastifyInstance, deps: Pick<ConsoleDeps, 'store'>): void {
  /** The roles the person may give a key: those whose every right they hold (the API refuses any other). */
  const grantable = (req: FastifyRequest, roles: readonly RoleData[]) => roles.filter((r) => scopeOf(req, deps.store).lacks(r.permissions).length === 0);

  const page = async (req: FastifyRequest, reply: FastifyReply, o: { values?: URLSearchParams; errors?: FormError[]; status?: number; done?: ApiKeysDone; made?: z.infer<typeof MadeReply> } = {}): Promise<FastifyReply> => {
    const v = viewerOf(req);
    const w = API_KEYS_WORDS[v.lang];
    const uw = USERS_WORDS[v.lang];
    const api = consoleApiOf(req);
    const [{ apiKeys }, { roles }, { divisions }, { locations }] = await Promise.all([api.get(KeysReply, '/api-keys'), api.get(RolesReply, '/roles'), api.get(Replies.divisions, '/divisions'), api.get(Replies.locations, '/locations')]);
    const levels: Levels = [
      ...(scopeOf(req, deps.store).holdsLevel({ kind: 'enterprise' }) ? [{ value: 'enterprise', label: uw.levelEnterprise }] : []),
      ...divisions.map((d) => ({ value: `division:${d.id}`, label: uw.levelDivision(d.name) })),
      ...locations.map((l) => ({ value: `location:${l.id}`, label: uw.levelLocation(l.name) })),
    ];
    const today = Date.now();
    const values = o.values ?? new URLSearchParams({ role: 'operator', accessLevel: levels[0]?.value ?? '', expiresAt: dayValue(today + 365 * DAY_MS) });
    const body = html`${notice(o.done ? w.done[o.done] : undefined)}<p><a href="${SETUP_PATHS.security}">${SETUP_WORDS[v.lang].screens.security.name}</a></p>
${o.made ? madeKey(v, o.made) : ''}<p>${w.intro}</p>
${keysTable(v, apiKeys, roles, levels)}
<section class="panel" aria-labelledby="new-key-h"><h2 id="new-key-h">${w.newHeading}</h2>${newKeyForm(v, grantable(req, roles), levels, values, o.errors ?? [], today)}</section>`;
    return sendConsolePage(reply, o.status ?? 200, v, { title: w.title, active: 'settings', body });
  };

  app.get(KEYS_PATH, { schema: { hide: true } }, async (req, reply) => page(req, reply, doneOf(req.query, DONE)));

  app.post(KEYS_PATH, { schema: { hide: true } }, async (req, reply) => {
    const w = API_KEYS_WORDS[viewerOf(req).lang];
    const f = formOf(req);
    const expiresAt = dayStart(f.get('expiresAt') ?? '');
    if (expiresAt === undefined) return page(req, reply, { values: f, errors: [{ field: 'expiresAt', message: w.notDate }], status: 400 });
    const accessLevel = parseLevel((f.get('accessLevel') ?? '').trim());
    const body = { name: (f.get('name') ?? '').trim(), role: (f.get('role') ?? '').trim(), ...(accessLevel ? { accessLevel } : {}), expiresAt };
    try {
      const made = await consoleApiOf(req).call(MadeReply, 'POST', '/api-keys', body);
      return page(req, reply, { made });
    } catch (err) {
      const refused = apiRefusal(err);
      return page(req, reply, { values: f, errors: [apiFieldError(refused, FIELDS)], status: refused.status });
    }
  });

  app.post(`${KEYS_PATH}/:apiKeyId/revoke`, { schema: { hide: true } }, async (req, reply) => {
    const { apiKeyId } = KeyParams.parse(req.params);
    try {
      await consoleApiOf(req).call(z.unknown(), 'POST', `/api-keys/${encodeURIComponent(apiKeyId)}/revoke`);
    } catch (err) {
      return page(req, reply, { errors: [apiFieldError(apiRefusal(err), [])], status: apiRefusal(err).status });
    }
    return seeOther(reply, `${KEYS_PATH}?done=revoked`);
  });
}
