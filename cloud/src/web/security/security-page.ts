/**
 * Security: `/console/security`, the enterprise's sign-in settings (idle sign-out, longest session, lock-out, password
 * policy, welcome links, two-step sign-in) read from GET /enterprises/:id and saved with PATCH /enterprises/:id
 * `settings`. Each number shows its allowed range and default, read from the API's own schema; a refused value is
 * the API's refusal, explained at its field. Links to single sign-on (sso-page.ts) and API keys (api-keys-page.ts)
 * show when the role may call their APIs.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ENTERPRISE_SETTING_DEFAULTS, enterpriseSettings, enterpriseSettingsSchema, type EnterpriseSettings } from '../../domain/model.ts';
import { Replies } from '../../http/schemas.ts';
import { ConsoleApiError, consoleApiOf } from '../console-api.ts';
import { formOf, seeOther, viewerOf, type ConsoleScreen } from '../console.ts';
import { apiFieldError, apiRefusal, errorSummary, type FormError } from '../form-errors.ts';
import { checkboxField, inputField, radioField, wholeNumber } from '../form-fields.ts';
import { html, type SafeHtml } from '../html.ts';
import { mayCall } from '../menu.ts';
import { doneOf, notice } from '../page-notices.ts';
import { SETUP_PATHS, SETUP_WORDS } from '../settings/setup-screens.ts';
import { csrfField, sendConsolePage, type Viewer } from '../shell.ts';
import { SHELL_WORDS } from '../shell-words.ts';
import { apiKeysRoutes } from './api-keys-page.ts';
import { ssoRoutes } from './sso-page.ts';
import { SECURITY_WORDS, type MfaRequirement, type NumberSetting } from './security-words.ts';

export const SECURITY_PATH = SETUP_PATHS.security;
const NUMBERS = ['idleTimeoutMinutes', 'sessionMaxHours', 'lockoutThreshold', 'lockoutMinutes', 'passwordMinLength', 'welcomeLinkHours', 'mfaRememberDays'] as const satisfies readonly NumberSetting[];
const FLAGS = ['passwordCommonCheck', 'mfaEmailCodes'] as const;
const FIELDS: readonly string[] = [...NUMBERS, ...FLAGS, 'mfaRequired'];
const MFA_CHOICES = enterpriseSettingsSchema.shape.mfaRequired.unwrap().options as readonly MfaRequirement[];
const EnterpriseOnly = z.object({ enterprise: z.object({ settings: Replies.enterprise.shape.enterprise.shape.settings }) });

/** The range the API allows a setting: read from its schema, so the page and the API cannot differ. */
export function settingRange(key: NumberSetting): { min: number; max: number } {
  const n = enterpriseSettingsSchema.shape[key].unwrap();
  return { min: n.minValue ?? 0, max: n.maxValue ?? Number.MAX_SAFE_INTEGER };
}

/** The settings form's values: as posted after a refusal, else the enterprise's (each given or its default). */
type Values = URLSearchParams;

function valuesOf(settings: EnterpriseSettings | undefined): Values {
  const s = enterpriseSettings({ settings });
  const v = new URLSearchParams({ mfaRequired: s.mfaRequired });
  for (const k of NUMBERS) v.set(k, String(s[k]));
  for (const k of FLAGS) if (s[k]) v.set(k, 'on');
  return v;
}

function settingsForm(v: Viewer, values: Values, errors: readonly FormError[]): SafeHtml {
  const w = SECURITY_WORDS[v.lang];
  const num = (k: NumberSetting) => {
    const r = settingRange(k);
    return inputField(v.lang, k, w.labels[k], values.get(k) ?? '', errors, { type: 'number', min: r.min, max: r.max, hint: w.range[k](r.min, r.max, ENTERPRISE_SETTING_DEFAULTS[k]), required: true });
  };
  const check = (k: (typeof FLAGS)[number], label: string, hint: string) => checkboxField(v.lang, k, label, values.get(k) === 'on', errors, hint);
  return html`${errorSummary(v.lang, errors)}<form method="post" action="${SECURITY_PATH}" novalidate>${csrfField(v)}
<fieldset><legend>${w.groups.sessions}</legend>${num('idleTimeoutMinutes')}${num('sessionMaxHours')}</fieldset>
<fieldset><legend>${w.groups.lockout}</legend>${num('lockoutThreshold')}${num('lockoutMinutes')}</fieldset>
<fieldset><legend>${w.groups.passwords}</legend>${num('passwordMinLength')}${check('passwordCommonCheck', w.commonCheck, w.commonCheckHint)}${num('welcomeLinkHours')}</fieldset>
<fieldset><legend>${w.groups.mfa}</legend>${radioField(v.lang, 'mfaRequired', w.mfaRequired, MFA_CHOICES.map((c) => ({ value: c, label: w.mfaOptions[c] })), values.get('mfaRequired') ?? '', errors, w.mfaRequiredHint)}
${num('mfaRememberDays')}${check('mfaEmailCodes', w.emailCodes, w.emailCodesHint)}</fieldset>
<div class="actions"><button type="submit">${SHELL_WORDS[v.lang].save}</button></div>
</form>`;
}

/** The sub-pages the role may open: single sign-on and API keys, each shown only when the role may call its API. */
function moreLinks(v: Viewer): SafeHtml | '' {
  const w = SECURITY_WORDS[v.lang];
  const links = [
    mayCall(v.principal, 'GET', '/api/v1/enterprises/:enterpriseId/sso') ? html`<li><a href="${SECURITY_PATH}/sso">${w.ssoLink}</a><p>${w.ssoAbout}</p></li>` : '',
    mayCall(v.principal, 'GET', '/api/v1/api-keys') ? html`<li><a href="${SECURITY_PATH}/api-keys">${w.keysLink}</a><p>${w.keysAbout}</p></li>` : '',
  ].filter((x) => x !== '');
  return links.length === 0 ? '' : html`<section aria-labelledby="more-h"><h2 id="more-h">${w.more}</h2><ul class="setup-list">${links}</ul></section>`;
}

export const securityScreen: ConsoleScreen = (app, deps) => {
  const page = async (req: FastifyRequest, reply: FastifyReply, o: { values?: Values; errors?: FormError[]; status?: number; done?: 'saved' } = {}): Promise<FastifyReply> => {
    const v = viewerOf(req);
    const w = SECURITY_WORDS[v.lang];
    const title = SETUP_WORDS[v.lang].screens.security.name;
    let form: SafeHtml;
    try {
      const { enterprise } = await consoleApiOf(req).get(EnterpriseOnly, `/enterprises/${encodeURIComponent(v.principal.enterpriseId)}`);
      form = settingsForm(v, o.values ?? valuesOf(enterprise.settings), o.errors ?? []);
    } catch (err) {
      // The enterprise is read and changed only by those whose access level is all of it: the others are told so.
      if (!(err instanceof ConsoleApiError) || err.status !== 404) throw err;
      form = html`<div class="notice" role="status"><p>${w.notWhole}</p></div>`;
    }
    const body = html`${notice(o.done ? w.done[o.done] : undefined)}<p>${w.intro}</p>${form}${moreLinks(v)}`;
    return sendConsolePage(reply, o.status ?? 200, v, { title, active: 'settings', body });
  };

  app.get(SECURITY_PATH, { schema: { hide: true } }, async (req, reply) => page(req, reply, doneOf(req.query, ['saved'] as const)));

  app.post(SECURITY_PATH, { schema: { hide: true } }, async (req, reply) => {
    const v = viewerOf(req);
    const w = SECURITY_WORDS[v.lang];
    const f = formOf(req);
    const numbers: Partial<Record<NumberSetting, number>> = {};
    const errors: FormError[] = [];
    for (const k of NUMBERS) {
      const n = wholeNumber(f.get(k));
      if (n === undefined) errors.push({ field: k, message: w.notNumber });
      else numbers[k] = n;
    }
    if (errors.length > 0) return page(req, reply, { values: f, errors, status: 400 });
    const settings = { ...numbers, passwordCommonCheck: f.get('passwordCommonCheck') === 'on', mfaEmailCodes: f.get('mfaEmailCodes') === 'on', mfaRequired: f.get('mfaRequired') ?? '' };
    try {
      await consoleApiOf(req).call(z.unknown(), 'PATCH', `/enterprises/${encodeURIComponent(v.principal.enterpriseId)}`, { settings });
    } catch (err) {
      const e = apiFieldError(apiRefusal(err), FIELDS);
      // A number out of its range: said with the range, in the page's language (the API decided, the page explains).
      const key = NUMBERS.find((k) => k === e.field);
      const explained = key ? { field: key, message: w.outOfRange(settingRange(key).min, settingRange(key).max) } : e;
      return page(req, reply, { values: f, errors: [explained], status: apiRefusal(err).status });
    }
    return seeOther(reply, `${SECURITY_PATH}?done=saved`);
  });

  ssoRoutes(app);
  apiKeysRoutes(app, deps);
};
