/**
 * The browser's sign-in through an enterprise's identity provider and its session on the cloud's pages:
 * `/account/sso/{enterpriseId}` starts it (the sealed state in a 10-minute cookie, then to the provider),
 * `/account/sso/callback` finishes it (the session cookie set, then to `/account`), `/account` shows who is signed
 * in, `/account/sign-out` ends the session (a form guarded against forgery); signing in with a password is sign-in-pages.ts.
 * A refusal is a plain page (English or French) saying what to do, never an error of the server.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AuthService } from '../../auth/service.ts';
import { entityIdSchema } from '../../domain/model.ts';
import type { Store } from '../../store/store.ts';
import { SIGN_IN_TTL_MS, SsoRefused, type SsoSignIn } from '../../sso/sign-in.ts';
import { cookieHeader, type BrowserSession } from './browser-session.ts';
import { CSRF_FIELD, cookieValue, type FormGuard } from './csrf.ts';
import { WORDS, type PageLanguage } from './i18n.ts';
import { formPages } from './form-pages.ts';
import { errorSummary, esc, hidden, paragraph, sendPage } from './layout.ts';
import { SSO_PAGES } from './sso-paths.ts';
import { SSO_WORDS } from './sso-words.ts';

/** The cookie of a sign-in in progress: its sealed state, sent back only to the callback. */
export const FLOW_COOKIE = 'portier_sso';
const FLOW_PATH = '/account/sso';
const StartParams = z.strictObject({ enterpriseId: entityIdSchema });

export interface SsoPagesOptions {
  /** Without it (no public address, an API-only server) single sign-on answers 503. */
  sign: SsoSignIn | undefined;
  session: BrowserSession;
  guard: FormGuard | undefined;
  auth: Pick<AuthService, 'authenticate' | 'getUser' | 'logout'>;
  store: Pick<Store, 'get'>;
  secure: () => boolean;
  logger: Logger;
}

export const ssoPages: FastifyPluginAsync<SsoPagesOptions> = async (app, { sign, session, guard, auth, store, secure, logger }) => {
  const { formOf, language } = formPages(app, logger);

  const flowCookie = (reply: FastifyReply, value: string, maxAgeMs: number) =>
    reply.header('set-cookie', cookieHeader(FLOW_COOKIE, value, { path: FLOW_PATH, maxAge: maxAgeMs / 1000, secure: secure() }));
  const refused = (reply: FastifyReply, lang: PageLanguage, err: SsoRefused, enterpriseId?: string) => {
    const w = SSO_WORDS[lang];
    const again = enterpriseId !== undefined && err.code !== 'not-configured' ? `\n<p><a href="${esc(SSO_PAGES.start(enterpriseId))}?lang=${lang}">${esc(w.startAgain)}</a></p>` : '';
    return sendPage(reply, err.status, { lang, title: w.failedTitle, body: `<div role="alert">${paragraph(w.refusal[err.code], 'notice')}</div>${again}` });
  };
  const unavailable = (reply: FastifyReply, lang: PageLanguage) => sendPage(reply, 503, { lang, title: SSO_WORDS[lang].signInTitle, body: paragraph(WORDS[lang].unavailable, 'notice') });

  app.get(`${FLOW_PATH}/:enterpriseId`, { schema: { hide: true } }, async (req, reply) => {
    const lang = language(req);
    if (!sign) return unavailable(reply, lang);
    const p = StartParams.safeParse(req.params);
    if (!p.success) return refused(reply, lang, new SsoRefused('not-configured', 'not an enterprise id'));
    try {
      const { location, sealed } = await sign.start(p.data.enterpriseId);
      flowCookie(reply, sealed, SIGN_IN_TTL_MS);
      return reply.code(302).header('location', location).header('cache-control', 'no-store').send();
    } catch (err) {
      if (err instanceof SsoRefused) return refused(reply, lang, err, p.data.enterpriseId);
      throw err;
    }
  });

  app.get(SSO_PAGES.callback, { schema: { hide: true } }, async (req, reply) => {
    const lang = language(req);
    if (!sign) return unavailable(reply, lang);
    // One use only: whatever happens, the sign-in's state is gone from the browser.
    flowCookie(reply, '', 0);
    const search = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    try {
      const result = await sign.finish(cookieValue(req, FLOW_COOKIE), search, { ip: req.ip, userAgent: req.headers['user-agent'] });
      session.set(reply, result.token, result.expiresAt);
      return reply.code(303).header('location', SSO_PAGES.home).header('cache-control', 'no-store').send();
    } catch (err) {
      if (err instanceof SsoRefused) return refused(reply, lang, err, err.enterpriseId);
      throw err;
    }
  });

  app.get(SSO_PAGES.account, { schema: { hide: true } }, async (req, reply) => {
    const lang = language(req);
    const token = session.token(req);
    const principal = token !== undefined ? await auth.authenticate(token) : undefined;
    if (!principal || principal.apiKeyId !== undefined) return reply.code(303).header('location', `${SSO_PAGES.signIn}?lang=${lang}`).header('cache-control', 'no-store').send();
    const w = SSO_WORDS[lang];
    const user = await auth.getUser(principal.userId);
    const name = [user.firstName, user.lastName].filter((x) => x !== undefined).join(' ') || user.email || user.username;
    const enterprise = store.get('enterprises', principal.enterpriseId)?.name ?? principal.enterpriseId;
    const body = [
      `<div role="status">${paragraph(w.signedInAs(name))}</div>`,
      paragraph(w.organisation(enterprise)),
      guard ? signOutForm(guard.field(req, reply, SSO_PAGES.signOut), lang, w.signOut) : '',
    ].join('\n');
    return sendPage(reply, 200, { lang, title: w.accountTitle, body });
  });

  app.post(SSO_PAGES.signOut, { schema: { hide: true } }, async (req, reply) => {
    const form = formOf(req);
    const lang = language(req, form);
    const w = SSO_WORDS[lang];
    if (!guard) return unavailable(reply, lang);
    if (!guard.check(req, SSO_PAGES.signOut, form[CSRF_FIELD])) {
      const body = [errorSummary(WORDS[lang], [{ message: WORDS[lang].formExpired }]), signOutForm(guard.field(req, reply, SSO_PAGES.signOut), lang, w.signOut)].join('\n');
      return sendPage(reply, 403, { lang, title: w.accountTitle, body });
    }
    const token = session.token(req);
    if (token !== undefined) await auth.logout(token);
    session.clear(reply);
    return sendPage(reply, 200, { lang, title: w.signedOutTitle, body: `<div role="status">${paragraph(w.signedOut, 'notice')}</div>` });
  });
};

function signOutForm(csrf: string, lang: PageLanguage, label: string): string {
  return [`<form method="post" action="${SSO_PAGES.signOut}">`, hidden(CSRF_FIELD, csrf), hidden('lang', lang), `<button type="submit">${esc(label)}</button>`, '</form>'].join('\n');
}
