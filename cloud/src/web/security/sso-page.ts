/**
 * Single sign-on: `/console/security/sso`, the enterprise's OpenID Connect configuration (GET, PUT and DELETE
 * /enterprises/:id/sso, permission `sso`). The client secret is write only: the API never answers it, the form never
 * holds it (not even after a refusal), and an empty secret field keeps the one saved.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { publicSsoConfigSchema } from '../../sso/model.ts';
import { ConsoleApiError, consoleApiOf } from '../console-api.ts';
import { formOf, seeOther, viewerOf } from '../console.ts';
import { apiFieldError, apiRefusal, errorSummary, type FormError } from '../form-errors.ts';
import { checkboxField, inputField, selectField } from '../form-fields.ts';
import { html, type SafeHtml } from '../html.ts';
import { mayCall } from '../menu.ts';
import { confirmAction, doneOf, notice } from '../page-notices.ts';
import { SETUP_PATHS, SETUP_WORDS } from '../settings/setup-screens.ts';
import { csrfField, sendConsolePage, type Viewer } from '../shell.ts';
import { SHELL_WORDS } from '../shell-words.ts';
import { RolesReply, roleName } from '../users/users-render.ts';
import { SECURITY_WORDS } from './security-words.ts';
import { SSO_WORDS, type SsoDone } from './sso-words.ts';

const SSO_PATH = `${SETUP_PATHS.security}/sso`;
const DONE = ['saved', 'removed'] as const satisfies readonly SsoDone[];
const FIELDS = ['issuer', 'clientId', 'clientSecret', 'emailClaim', 'createUsers', 'defaultRole', 'passwordSignIn', 'enabled'] as const;
const SsoReply = z.object({ sso: publicSsoConfigSchema.extend({ redirectUri: z.string().optional(), signInUrl: z.string().optional() }) });
type Sso = z.infer<typeof SsoReply>['sso'];

/** The enterprise's configuration; undefined when none is set; 'outside' when the person's access level is not the whole enterprise. */
async function ssoOf(req: FastifyRequest): Promise<Sso | undefined | 'outside'> {
  try {
    return (await consoleApiOf(req).get(SsoReply, `/enterprises/${encodeURIComponent(viewerOf(req).principal.enterpriseId)}/sso`)).sso;
  } catch (err) {
    if (!(err instanceof ConsoleApiError) || err.status !== 404) throw err;
    // The API answers 404 both for no configuration and for a person whose access level is not the whole enterprise.
    return viewerOf(req).principal.accessLevel.kind === 'enterprise' ? undefined : 'outside';
  }
}

function valuesOf(s: Sso | undefined): URLSearchParams {
  const v = new URLSearchParams({ issuer: s?.issuer ?? '', clientId: s?.clientId ?? '', emailClaim: s?.emailClaim ?? 'email', defaultRole: s?.defaultRole ?? '' });
  if (s?.createUsers) v.set('createUsers', 'on');
  if (s?.passwordSignIn ?? true) v.set('passwordSignIn', 'on');
  if (s?.enabled ?? true) v.set('enabled', 'on');
  return v;
}

function facts(lang: Viewer['lang'], s: Sso): SafeHtml {
  const w = SSO_WORDS[lang];
  return html`<dl class="facts"><dt>${w.state}</dt><dd>${s.enabled ? w.enabledState : w.disabledState}</dd><dt>${w.secretState}</dt><dd>${s.hasClientSecret ? w.secretSaved : w.secretNone}</dd>${
    s.redirectUri ? html`<dt>${w.redirectUri}</dt><dd><code>${s.redirectUri}</code></dd>` : ''
  }${s.signInUrl ? html`<dt>${w.signInUrl}</dt><dd><code>${s.signInUrl}</code></dd>` : ''}</dl>`;
}

async function ssoForm(req: FastifyRequest, v: Viewer, sso: Sso | undefined, values: URLSearchParams, errors: readonly FormError[]): Promise<SafeHtml> {
  const w = SSO_WORDS[v.lang];
  const val = (k: string) => values.get(k) ?? '';
  // The roles are read where the person may read them; otherwise the role is typed by its id.
  const roles = mayCall(v.principal, 'GET', '/api/v1/roles') ? (await consoleApiOf(req).get(RolesReply, '/roles')).roles : undefined;
  const role = roles
    ? selectField(v.lang, 'defaultRole', w.defaultRole, [{ value: '', label: w.noRole }, ...roles.map((r) => ({ value: r.id, label: roleName(v.lang, r) }))], val('defaultRole'), errors, { hint: w.defaultRoleHint })
    : inputField(v.lang, 'defaultRole', w.defaultRole, val('defaultRole'), errors, { hint: w.defaultRoleHint, maxlength: 64 });
  return html`${errorSummary(v.lang, errors)}<form method="post" action="${SSO_PATH}" novalidate>${csrfField(v)}
${inputField(v.lang, 'issuer', w.issuer, val('issuer'), errors, { type: 'url', hint: w.issuerHint, maxlength: 500, required: true })}
${inputField(v.lang, 'clientId', w.clientId, val('clientId'), errors, { maxlength: 255, required: true })}
${inputField(v.lang, 'clientSecret', w.clientSecret, '', errors, { type: 'password', hint: sso?.hasClientSecret ? w.secretHintKept : w.secretHintNew, maxlength: 1000, autocomplete: 'new-password', required: !sso?.hasClientSecret })}
${inputField(v.lang, 'emailClaim', w.emailClaim, val('emailClaim'), errors, { hint: w.emailClaimHint, maxlength: 100 })}
${checkboxField(v.lang, 'createUsers', w.createUsers, val('createUsers') === 'on', errors, w.createUsersHint)}
${role}
${checkboxField(v.lang, 'passwordSignIn', w.passwordSignIn, val('passwordSignIn') === 'on', errors, w.passwordSignInHint)}
${checkboxField(v.lang, 'enabled', w.enabled, val('enabled') === 'on', errors, w.enabledHint)}
<div class="actions"><button type="submit">${SHELL_WORDS[v.lang].save}</button></div>
</form>`;
}

async function ssoPage(req: FastifyRequest, reply: FastifyReply, o: { values?: URLSearchParams; errors?: FormError[]; status?: number; done?: SsoDone } = {}): Promise<FastifyReply> {
  const v = viewerOf(req);
  const w = SSO_WORDS[v.lang];
  const sso = await ssoOf(req);
  const back = html`<p><a href="${SETUP_PATHS.security}">${SETUP_WORDS[v.lang].screens.security.name}</a></p>`;
  let body: SafeHtml;
  if (sso === 'outside') {
    body = html`${back}<div class="notice" role="status"><p>${SECURITY_WORDS[v.lang].notWhole}</p></div>`;
  } else {
    const values = o.values ?? valuesOf(sso);
    // The secret is never sent back into the page, not even as it was typed into a refused form.
    values.delete('clientSecret');
    body = html`${notice(o.done ? w.done[o.done] : undefined)}${back}<p>${w.intro}</p>
${sso ? facts(v.lang, sso) : html`<p>${w.notSet}</p>`}
<section class="panel" aria-labelledby="sso-form-h"><h2 id="sso-form-h">${w.formHeading}</h2>${await ssoForm(req, v, sso, values, o.errors ?? [])}</section>
${sso ? confirmAction(v, 'sso-remove', { summary: w.removeSummary, text: w.removeText, action: `${SSO_PATH}/remove`, submit: w.removeSubmit, danger: true }) : ''}`;
  }
  return sendConsolePage(reply, o.status ?? 200, v, { title: w.title, active: 'settings', body });
}

export function ssoRoutes(app: FastifyInstance): void {
  app.get(SSO_PATH, { schema: { hide: true } }, async (req, reply) => ssoPage(req, reply, doneOf(req.query, DONE)));

  app.post(SSO_PATH, { schema: { hide: true } }, async (req, reply) => {
    const v = viewerOf(req);
    const f = formOf(req);
    const text = (k: string) => (f.get(k) ?? '').trim();
    const secret = f.get('clientSecret') ?? '';
    const body = {
      issuer: text('issuer'),
      clientId: text('clientId'),
      ...(secret !== '' ? { clientSecret: secret } : {}),
      emailClaim: text('emailClaim') || 'email',
      ...(text('defaultRole') !== '' ? { defaultRole: text('defaultRole') } : {}),
      createUsers: f.get('createUsers') === 'on',
      passwordSignIn: f.get('passwordSignIn') === 'on',
      enabled: f.get('enabled') === 'on',
    };
    try {
      await consoleApiOf(req).call(z.unknown(), 'PUT', `/enterprises/${encodeURIComponent(v.principal.enterpriseId)}/sso`, body);
    } catch (err) {
      const refused = apiRefusal(err);
      return ssoPage(req, reply, { values: f, errors: [apiFieldError(refused, FIELDS)], status: refused.status });
    }
    return seeOther(reply, `${SSO_PATH}?done=saved`);
  });

  app.post(`${SSO_PATH}/remove`, { schema: { hide: true } }, async (req, reply) => {
    const v = viewerOf(req);
    try {
      await consoleApiOf(req).call(z.unknown(), 'DELETE', `/enterprises/${encodeURIComponent(v.principal.enterpriseId)}/sso`);
    } catch (err) {
      // Removed already (another tab, another administrator): what the person wanted is so.
      if (!(err instanceof ConsoleApiError) || err.status !== 404 || v.principal.accessLevel.kind !== 'enterprise') throw err;
    }
    return seeOther(reply, `${SSO_PATH}?done=removed`);
  });
}
