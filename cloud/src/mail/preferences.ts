/**
 * A contact's notification preferences page, `/preferences/<token>`, linked from every message to them: e-mail
 * notices on or off, and the language of messages. No session: the token is the contact's id sealed under the code
 * vault (unguessable, and nothing to look up); the form carries a second sealed value bound to that contact and
 * recent, so a form posted from elsewhere is refused (CSRF). Plain HTML in English or French, no script, a strict
 * Content-Security-Policy, no referrer (the token is in the address).
 */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { CodeVault } from '../domain/code-vault.ts';
import type { Contact } from '../domain/model.ts';
import type { LockerService } from '../domain/service.ts';
import type { App } from '../http/app.ts';
import type { MailLanguage } from './model.ts';
import { escapeHtml } from './templates.ts';

const TOKEN_PURPOSE = 'mail-preferences';
const FORM_PURPOSE = (contactId: string) => `mail-preferences-form:${contactId}`;
/** How long a form shown stays good to post. */
const FORM_TTL_MS = 2 * 3_600_000;
export const PREFERENCES_PATH = '/preferences';

export function preferencesToken(vault: CodeVault, contactId: string): string {
  return vault.sealSecret(TOKEN_PURPOSE, contactId);
}

export function preferencesContact(vault: CodeVault, token: string): string | undefined {
  return vault.openSecret(TOKEN_PURPOSE, token);
}

const CSP = "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const TEXT = {
  en: {
    title: 'Notification preferences',
    intro: (n: string) => `Preferences of ${n}: how Portier tells you of parcels in the lockers.`,
    email: 'E-mail notices',
    on: 'Send me e-mails (parcel ready, reminders, receipts)',
    off: 'Send me no e-mails',
    language: 'Language of messages',
    save: 'Save',
    saved: 'Your preferences are saved.',
    invalid: 'This link is not valid. Use the link of your latest message.',
    stale: 'This form has expired or did not come from this page. Your preferences were not changed: load the page again.',
  },
  fr: {
    title: 'Préférences de notification',
    intro: (n: string) => `Préférences de ${n} : comment Portier vous informe des colis dans les casiers.`,
    email: 'Notifications par e-mail',
    on: 'M’envoyer des e-mails (colis prêt, rappels, reçus)',
    off: 'Ne pas m’envoyer d’e-mails',
    language: 'Langue des messages',
    save: 'Enregistrer',
    saved: 'Vos préférences sont enregistrées.',
    invalid: 'Ce lien n’est pas valide. Utilisez le lien de votre dernier message.',
    stale: 'Ce formulaire a expiré ou ne vient pas de cette page. Vos préférences n’ont pas été modifiées : rechargez la page.',
  },
} as const;

function page(lang: MailLanguage, body: string[]): string {
  const t = TEXT[lang];
  return [
    '<!DOCTYPE html>',
    `<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(t.title)}</title></head><body><main>`,
    `<h1>${escapeHtml(t.title)}</h1>`,
    ...body,
    '</main></body></html>',
  ].join('\n');
}

function form(c: Contact, csrf: string, note?: string): string {
  const t = TEXT[c.language];
  const checked = (v: boolean) => (v ? ' checked' : '');
  const selected = (v: boolean) => (v ? ' selected' : '');
  const name = [c.firstName, c.lastName].filter((x) => x).join(' ');
  return page(c.language, [
    ...(note ? [`<p role="status">${escapeHtml(note)}</p>`] : []),
    `<p>${escapeHtml(t.intro(name))}</p>`,
    '<form method="post">',
    `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">`,
    `<fieldset><legend>${escapeHtml(t.email)}</legend>`,
    `<p><input type="radio" id="n-email" name="notifications" value="email"${checked(c.notifications === 'email')}> <label for="n-email">${escapeHtml(t.on)}</label></p>`,
    `<p><input type="radio" id="n-none" name="notifications" value="none"${checked(c.notifications === 'none')}> <label for="n-none">${escapeHtml(t.off)}</label></p>`,
    '</fieldset>',
    `<p><label for="language">${escapeHtml(t.language)}</label> <select id="language" name="language">`,
    `<option value="en" lang="en"${selected(c.language === 'en')}>English</option>`,
    `<option value="fr" lang="fr"${selected(c.language === 'fr')}>Français</option>`,
    '</select></p>',
    `<p><button type="submit">${escapeHtml(t.save)}</button></p>`,
    '</form>',
  ]);
}

const FormBody = z.object({
  csrf: z.string().max(200).optional(),
  notifications: z.enum(['email', 'none']),
  language: z.enum(['en', 'fr']),
});

export interface PreferencesRouteOptions {
  service: LockerService;
  /** Without it (a server with no secrets key) every token is refused. */
  vault: CodeVault | undefined;
  now: () => number;
}

/** Registers GET and POST `/preferences/:token` (public in ROUTE_ACCESS: the token is the credential). */
export async function preferencesRoutes(app: App, o: PreferencesRouteOptions): Promise<void> {
  await app.register(async (scope) => {
    // Form posts only here: the API stays JSON-only.
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    const send = (reply: FastifyReply, status: number, html: string) =>
      reply
        .code(status)
        .header('content-type', 'text/html; charset=utf-8')
        .header('content-security-policy', CSP)
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .header('x-frame-options', 'DENY')
        .send(html);
    const vault = o.vault;
    const contactOf = (token: string): Contact | undefined => {
      const id = vault && preferencesContact(vault, token);
      return id !== undefined ? o.service.store.get('contacts', id) : undefined;
    };
    const csrfFor = (c: Contact) => vault!.sealSecret(FORM_PURPOSE(c.id), String(o.now()));
    const csrfOk = (c: Contact, v: string | undefined) => {
      const at = v !== undefined ? Number(vault!.openSecret(FORM_PURPOSE(c.id), v)) : NaN;
      return Number.isFinite(at) && o.now() - at < FORM_TTL_MS && at <= o.now() + 60_000;
    };
    const invalid = (reply: FastifyReply) => send(reply, 404, page('en', [`<p lang="en">${escapeHtml(TEXT.en.invalid)}</p>`, `<p lang="fr">${escapeHtml(TEXT.fr.invalid)}</p>`]));
    const params = { params: z.object({ token: z.string().max(400) }) };

    scope.get(`${PREFERENCES_PATH}/:token`, { schema: { hide: true } }, async (req, reply) => {
      const c = contactOf((req.params as { token: string }).token);
      return c ? send(reply, 200, form(c, csrfFor(c))) : invalid(reply);
    });
    scope.post(`${PREFERENCES_PATH}/:token`, { schema: { hide: true } }, async (req, reply) => {
      const token = params.params.safeParse(req.params);
      const c = token.success ? contactOf(token.data.token) : undefined;
      if (!c) return invalid(reply);
      const body = FormBody.safeParse(req.body);
      if (!body.success || !csrfOk(c, body.data.csrf)) return send(reply, 403, page(c.language, [`<p role="alert">${escapeHtml(TEXT[c.language].stale)}</p>`]));
      const next = await o.service.updateContact(c.id, { notifications: body.data.notifications, language: body.data.language }, { role: 'recipient', id: c.id });
      return send(reply, 200, form(next, csrfFor(next), TEXT[next.language].saved));
    });
  });
}
