/**
 * The pages a welcome or reset e-mail links to, and the "forgot your password" form: `/account/set-password`,
 * `/account/reset-password`, `/account/forgot-password`. GET shows the form, POST handles it. Plain HTML forms
 * (no JavaScript), English and French, every post guarded against forgery (csrf.ts). A link's token arrives in the
 * query string and moves into a hidden field: the form posts to the bare path, so the token is not sent again.
 * Setting a password signs nobody in.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { PasswordSchema } from '../../auth/users.ts';
import type { LiveLink, PasswordLinks } from '../../auth/password-links.ts';
import { enterpriseSettings } from '../../domain/model.ts';
import { CloudError } from '../../errors.ts';
import type { Store } from '../../store/store.ts';
import { CSRF_FIELD, type FormGuard } from './csrf.ts';
import { WORDS, type PageLanguage, type PageWords } from './i18n.ts';
import { formPages } from './form-pages.ts';
import { errorSummary, esc, hidden, inputField, paragraph, sendPage, type FormError } from './layout.ts';

export const ACCOUNT_PAGES = {
  set: '/account/set-password',
  reset: '/account/reset-password',
  forgot: '/account/forgot-password',
} as const;

const PageQuery = z.object({ token: z.string().max(200).optional(), lang: z.string().max(10).optional() });
const EmailSchema = z.email().max(254);

export interface AccountPagesOptions {
  /** Without them (an API-only server) the pages answer 503. */
  links: PasswordLinks | undefined;
  guard: FormGuard | undefined;
  store: Pick<Store, 'get'>;
  logger: Logger;
}

type Kind = 'set' | 'reset';

export const accountPages: FastifyPluginAsync<AccountPagesOptions> = async (app, { links, guard, store, logger }) => {
  const { formOf, language } = formPages(app, logger);

  /** The page of a refused or missing link, with the way to ask for a new one. */
  const invalidLink = (reply: FastifyReply, lang: PageLanguage, title: string, status: number) =>
    sendPage(reply, status, { lang, title, body: `${paragraph(WORDS[lang].linkInvalid, 'notice')}\n<p><a href="${ACCOUNT_PAGES.forgot}?lang=${lang}">${esc(WORDS[lang].askNew)}</a></p>` });

  const passwordForm = (g: FormGuard, req: FastifyRequest, reply: FastifyReply, kind: Kind, lang: PageLanguage, token: string, live: LiveLink, errors: FormError[], status: number) => {
    const w = WORDS[lang];
    const path = ACCOUNT_PAGES[kind];
    const s = enterpriseSettings(store.get('enterprises', live.user.enterpriseId));
    const name = [live.user.firstName, live.user.lastName].filter((x) => x !== undefined).join(' ') || live.user.username;
    const errorOf = (field: string) => errors.find((e) => e.field === field)?.message;
    const body = [
      errorSummary(w, errors),
      paragraph(kind === 'set' ? w.setIntro(name) : w.resetIntro(name)),
      `<form method="post" action="${path}" novalidate>`,
      hidden(CSRF_FIELD, g.field(req, reply, path)),
      hidden('token', token),
      hidden('lang', lang),
      inputField({ id: 'password', type: 'password', label: w.password, hint: w.policy(s.passwordMinLength, s.passwordCommonCheck), autocomplete: 'new-password', ...optional('error', errorOf('password')) }),
      inputField({ id: 'confirm', type: 'password', label: w.confirm, autocomplete: 'new-password', ...optional('error', errorOf('confirm')) }),
      `<button type="submit">${esc(w.setSubmit)}</button>`,
      '</form>',
    ].join('\n');
    return sendPage(reply, status, { lang, title: kind === 'set' ? w.setTitle : w.resetTitle, body });
  };

  const forgotForm = (g: FormGuard, req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, errors: FormError[], status: number, email?: string) => {
    const w = WORDS[lang];
    const other: PageLanguage = lang === 'en' ? 'fr' : 'en';
    const body = [
      errorSummary(w, errors),
      paragraph(w.forgotIntro),
      `<form method="post" action="${ACCOUNT_PAGES.forgot}" novalidate>`,
      hidden(CSRF_FIELD, g.field(req, reply, ACCOUNT_PAGES.forgot)),
      hidden('lang', lang),
      inputField({ id: 'email', type: 'email', label: w.email, hint: w.emailHint, autocomplete: 'email', ...optional('value', email), ...optional('error', errors.find((e) => e.field === 'email')?.message) }),
      `<button type="submit">${esc(w.forgotSubmit)}</button>`,
      '</form>',
      `<nav aria-label="Language"><a href="${ACCOUNT_PAGES.forgot}?lang=${other}" lang="${other}" hreflang="${other}">${esc(WORDS[other].name)}</a></nav>`,
    ].join('\n');
    return sendPage(reply, status, { lang, title: w.forgotTitle, body });
  };

  const unavailable = (reply: FastifyReply, lang: PageLanguage, w: PageWords) => sendPage(reply, 503, { lang, title: w.forgotTitle, body: paragraph(w.unavailable, 'notice') });

  for (const kind of ['set', 'reset'] as const) {
    const path = ACCOUNT_PAGES[kind];
    const titleOf = (w: PageWords) => (kind === 'set' ? w.setTitle : w.resetTitle);
    app.get(path, { schema: { hide: true } }, async (req, reply) => {
      const lang = language(req);
      if (!links || !guard) return unavailable(reply, lang, WORDS[lang]);
      const q = PageQuery.safeParse(req.query);
      const token = q.success ? q.data.token : undefined;
      const live = token !== undefined ? links.peek(token) : undefined;
      if (token === undefined || !live) return invalidLink(reply, lang, titleOf(WORDS[lang]), token === undefined ? 400 : 410);
      return passwordForm(guard, req, reply, kind, lang, token, live, [], 200);
    });
    app.post(path, { schema: { hide: true } }, async (req, reply) => {
      const form = formOf(req);
      const lang = language(req, form);
      const w = WORDS[lang];
      if (!links || !guard) return unavailable(reply, lang, w);
      const token = form['token'] ?? '';
      const live = links.peek(token);
      if (!live) return invalidLink(reply, lang, titleOf(w), 410);
      if (!guard.check(req, path, form[CSRF_FIELD])) return passwordForm(guard, req, reply, kind, lang, token, live, [{ message: w.formExpired }], 403);
      const password = form['password'] ?? '';
      const errors: FormError[] = [];
      const policy = PasswordSchema.safeParse(password);
      if (password === '') errors.push({ field: 'password', message: w.passwordMissing });
      else if (!policy.success) errors.push({ field: 'password', message: w.passwordRefused(policy.error.issues[0]?.message ?? '') });
      else if (form['confirm'] !== password) errors.push({ field: 'confirm', message: w.mismatch });
      if (errors.length > 0) return passwordForm(guard, req, reply, kind, lang, token, live, errors, 400);
      try {
        await links.use(token, password);
      } catch (err) {
        if (err instanceof CloudError && err.field === 'token') return invalidLink(reply, lang, titleOf(w), 410);
        if (err instanceof CloudError && err.field?.endsWith('password')) {
          return passwordForm(guard, req, reply, kind, lang, token, live, [{ field: 'password', message: w.passwordRefused(err.message) }], 400);
        }
        throw err;
      }
      return sendPage(reply, 200, { lang, title: titleOf(w), body: `<div role="status">${paragraph(w.done, 'notice')}</div>` });
    });
  }

  app.get(ACCOUNT_PAGES.forgot, { schema: { hide: true } }, async (req, reply) => {
    const lang = language(req);
    if (!links || !guard) return unavailable(reply, lang, WORDS[lang]);
    return forgotForm(guard, req, reply, lang, [], 200);
  });
  app.post(ACCOUNT_PAGES.forgot, { schema: { hide: true } }, async (req, reply) => {
    const form = formOf(req);
    const lang = language(req, form);
    const w = WORDS[lang];
    if (!links || !guard) return unavailable(reply, lang, w);
    const email = (form['email'] ?? '').trim();
    if (!guard.check(req, ACCOUNT_PAGES.forgot, form[CSRF_FIELD])) return forgotForm(guard, req, reply, lang, [{ message: w.formExpired }], 403, email);
    if (!EmailSchema.safeParse(email).success) return forgotForm(guard, req, reply, lang, [{ field: 'email', message: w.emailInvalid }], 400, email);
    try {
      await links.forgot(email, req.ip);
    } catch (err) {
      if (err instanceof CloudError && err.code === 'TOO_MANY_ATTEMPTS') return forgotForm(guard, req, reply, lang, [{ message: w.tooMany }], 429, email);
      throw err;
    }
    return sendPage(reply, 200, { lang, title: w.forgotTitle, body: `<div role="status">${paragraph(w.sent, 'notice')}</div>` });
  });
};

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
