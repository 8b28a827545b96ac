/**
 * Signing in on the cloud's pages: `/account/sign-in` (e-mail address or user name, and password; the buttons of the
 * enterprises that sign their people in through an identity provider), `/account/mfa` (the second step: a code of the
 * authenticator app, a recovery code, or a code sent by e-mail; "do not challenge me on this device again") and
 * `/account/mfa/enrol` (adding an authenticator where the enterprise requires one: its QR code, its key, a first
 * code, then the recovery codes). Plain HTML forms, no script, English and French, each post guarded against forgery.
 *
 * The challenge between the two steps lives in an HttpOnly cookie limited to `/account/mfa`, never in an address; a
 * remembered device is a cookie `portier_device_<id>` holding its signed token, sent with the password form only.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { MfaMethod } from '../../auth/mfa.ts';
import type { AuthService } from '../../auth/service.ts';
import { CloudError } from '../../errors.ts';
import type { Store } from '../../store/store.ts';
import { renderBarcode } from '../barcode.ts';
import { mapError } from '../errors.ts';
import { cookieHeader, type BrowserSession } from './browser-session.ts';
import { CSRF_FIELD, cookieEntries, cookieValue, type FormGuard } from './csrf.ts';
import { WORDS, type PageLanguage } from './i18n.ts';
import { formPages } from './form-pages.ts';
import { errorSummary, esc, hidden, inputField, paragraph, sendPage, type FormError } from './layout.ts';
import { SIGN_IN_WORDS, type SignInWords } from './sign-in-words.ts';
import { SSO_PAGES, consolePath } from './sso-paths.ts';

export const SIGN_IN_PAGES = { signIn: '/account/sign-in', mfa: '/account/mfa', email: '/account/mfa/email', enrol: '/account/mfa/enrol' } as const;
const CHALLENGE_COOKIE = 'portier_mfa';
/** Why the person is back at sign-in: the console's idle sign-out, or their own. */
const SignedOutQuery = z.looseObject({ signedOut: z.enum(['idle', '1']).optional(), next: z.string().max(500).optional() });
/** The console page to come back to once signed in, kept through the second step (a console path only). */
const NEXT_COOKIE = 'portier_next';
const NEXT_TTL_MS = 10 * 60_000;
const DEVICE_COOKIE = /^portier_device_([A-Za-z0-9_-]{16})$/;

export interface SignInPagesOptions {
  auth: Pick<AuthService, 'signIn' | 'mfa'>;
  session: BrowserSession;
  guard: FormGuard | undefined;
  store: Pick<Store, 'list'>;
  secure: () => boolean;
  now: () => number;
  logger: Logger;
}

/** The remembered-device tokens a browser sent. */
function deviceTokens(req: FastifyRequest): string[] {
  return cookieEntries(req)
    .filter(([name]) => DEVICE_COOKIE.test(name))
    .map(([, value]) => value);
}

function form(w: { action: string; csrf: string; lang: PageLanguage; submit: string }, fields: string[]): string {
  return [`<form method="post" action="${w.action}" novalidate>`, hidden(CSRF_FIELD, w.csrf), hidden('lang', w.lang), ...fields, `<button type="submit">${esc(w.submit)}</button>`, '</form>'].join('\n');
}

function checkbox(id: string, label: string): string {
  return `<label class="choice" for="${id}"><input type="checkbox" id="${id}" name="${id}" value="yes"> ${esc(label)}</label>`;
}

function methodChoice(w: SignInWords, methods: MfaMethod[], chosen: MfaMethod): string {
  if (methods.length < 2) return hidden('method', methods[0] ?? 'totp');
  const options = methods.map((m) => `<label class="choice" for="method-${m}"><input type="radio" id="method-${m}" name="method" value="${m}"${m === chosen ? ' checked' : ''}> ${esc(w.methods[m])}</label>`);
  return `<fieldset><legend>${esc(w.method)}</legend>${options.join('\n')}</fieldset>`;
}

export const signInPages: FastifyPluginAsync<SignInPagesOptions> = async (app, { auth, session, guard, store, secure, now, logger }) => {
  const { formOf, language } = formPages(app, logger);
  const redirect = (reply: FastifyReply, to: string) => reply.code(303).header('location', to).header('cache-control', 'no-store').send();
  const challengeCookie = (reply: FastifyReply, value: string, maxAgeMs: number) =>
    reply.header('set-cookie', cookieHeader(CHALLENGE_COOKIE, value, { path: SIGN_IN_PAGES.mfa, maxAge: maxAgeMs / 1000, secure: secure() }));
  const signedIn = (reply: FastifyReply, r: { session: { token: string; expiresAt: number }; device?: { token: string; expiresAt: number } | undefined }) => {
    session.set(reply, r.session.token, r.session.expiresAt);
    challengeCookie(reply, '', 0);
    if (r.device) {
      const id = r.device.token.slice(0, r.device.token.indexOf('.'));
      reply.header('set-cookie', cookieHeader(`portier_device_${id}`, r.device.token, { path: SIGN_IN_PAGES.signIn, maxAge: (r.device.expiresAt - now()) / 1000, secure: secure() }));
    }
  };
  /** Where a browser goes once signed in: the console page it was sent from, else the console's start. */
  const home = (req: FastifyRequest, reply: FastifyReply, lang: PageLanguage): string => {
    const kept = cookieValue(req, NEXT_COOKIE);
    if (kept === undefined) return `${SSO_PAGES.home}?lang=${lang}`;
    reply.header('set-cookie', cookieHeader(NEXT_COOKIE, '', { path: '/account', maxAge: 0, secure: secure() }));
    let decoded: string | undefined;
    try {
      decoded = decodeURIComponent(kept);
    } catch {
      decoded = undefined;
    }
    return consolePath(decoded) ?? `${SSO_PAGES.home}?lang=${lang}`;
  };
  const unavailable = (reply: FastifyReply, lang: PageLanguage) => sendPage(reply, 503, { lang, title: SIGN_IN_WORDS[lang].signInTitle, body: paragraph(WORDS[lang].unavailable, 'notice') });

  /** The sign-in form, with the buttons of the enterprises whose people sign in through their identity provider. */
  const signInForm = (g: FormGuard, req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, errors: FormError[], login = '', status = 200) => {
    const w = SIGN_IN_WORDS[lang];
    const out = SignedOutQuery.safeParse(req.query);
    const signedOut = out.success && errors.length === 0 ? out.data.signedOut : undefined;
    const sso = store.list('ssoConfigs').filter((c) => c.enabled);
    const names = new Map(store.list('enterprises').map((e) => [e.id, e.name]));
    const body = [
      errorSummary(WORDS[lang], errors),
      signedOut ? `<div role="status">${paragraph(signedOut === 'idle' ? w.idleSignedOut : w.signedOut, 'notice')}</div>` : '',
      form({ action: SIGN_IN_PAGES.signIn, csrf: g.field(req, reply, SIGN_IN_PAGES.signIn), lang, submit: w.signIn }, [
        inputField({ id: 'login', type: 'text', label: w.login, autocomplete: 'username', value: login, ...(errors.some((e) => e.field === 'login') ? { error: w.missing } : {}) }),
        inputField({ id: 'password', type: 'password', label: w.password, autocomplete: 'current-password' }),
      ]),
      `<p><a href="/account/forgot-password?lang=${lang}">${esc(w.forgot)}</a></p>`,
      sso.length > 0 ? `<h2>${esc(w.ssoHeading)}</h2>\n<ul>${sso.map((c) => `<li><a href="${esc(SSO_PAGES.start(c.enterpriseId))}?lang=${lang}">${esc(w.sso(names.get(c.enterpriseId) ?? c.enterpriseId))}</a></li>`).join('')}</ul>` : '',
    ].join('\n');
    return sendPage(reply, status, { lang, title: w.signInTitle, body });
  };

  app.get(SIGN_IN_PAGES.signIn, { schema: { hide: true } }, async (req, reply) => {
    const lang = language(req);
    const q = SignedOutQuery.safeParse(req.query);
    const next = consolePath(q.success ? q.data.next : undefined);
    if (next) reply.header('set-cookie', cookieHeader(NEXT_COOKIE, encodeURIComponent(next), { path: '/account', maxAge: NEXT_TTL_MS / 1000, secure: secure() }));
    return guard ? signInForm(guard, req, reply, lang, []) : unavailable(reply, lang);
  });

  app.post(SIGN_IN_PAGES.signIn, { schema: { hide: true } }, async (req, reply) => {
    const f = formOf(req);
    const lang = language(req, f);
    const w = SIGN_IN_WORDS[lang];
    if (!guard) return unavailable(reply, lang);
    const login = (f['login'] ?? '').trim().slice(0, 254);
    if (!guard.check(req, SIGN_IN_PAGES.signIn, f[CSRF_FIELD])) return signInForm(guard, req, reply, lang, [{ message: WORDS[lang].formExpired }], login, 403);
    const password = f['password'] ?? '';
    if (!login || !password) return signInForm(guard, req, reply, lang, [{ field: 'login', message: w.missing }], login, 400);
    try {
      const name = login.includes('@') ? { email: login } : { username: login };
      const r = await auth.signIn(name, password.slice(0, 256), { ip: req.ip, userAgent: req.headers['user-agent'], deviceTokens: deviceTokens(req) });
      if (r.kind === 'mfa') {
        challengeCookie(reply, r.challenge, r.expiresAt - now());
        return redirect(reply, `${r.enrol && !r.methods.includes('totp') ? SIGN_IN_PAGES.enrol : SIGN_IN_PAGES.mfa}?lang=${lang}`);
      }
      session.set(reply, r.token, r.expiresAt);
      return redirect(reply, home(req, reply, lang));
    } catch (err) {
      const code: string = err instanceof CloudError ? String(err.code) : '';
      const refusals: Record<string, string> = { INVALID_CREDENTIALS: w.wrong, ACCOUNT_LOCKED: w.locked, TOO_MANY_ATTEMPTS: w.tooMany, SSO_REQUIRED: w.ssoRequired };
      const message = refusals[code];
      if (message === undefined) throw err;
      return signInForm(guard, req, reply, lang, [{ message }], login, mapError(err, logger, req).status);
    }
  });

  /** The second step's page: the code form, and the e-mail button where e-mail codes are offered. */
  const mfaForm = async (g: FormGuard, req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, token: string, o: { errors?: FormError[]; notice?: string; method?: MfaMethod; status?: number } = {}) => {
    const w = SIGN_IN_WORDS[lang];
    const d = await auth.mfa.describe(token);
    const methods = d.methods;
    const codeError = o.errors?.find((e) => e.field === 'code')?.message;
    const body = [
      errorSummary(WORDS[lang], o.errors ?? []),
      o.notice ? `<div role="status">${paragraph(o.notice, 'notice')}</div>` : '',
      paragraph(w.mfaIntro),
      d.enrol ? `<p><a href="${SIGN_IN_PAGES.enrol}?lang=${lang}">${esc(w.addAuthenticator)}</a></p>` : '',
      methods.length > 0
        ? form({ action: SIGN_IN_PAGES.mfa, csrf: g.field(req, reply, SIGN_IN_PAGES.mfa), lang, submit: w.continue }, [
            methodChoice(w, methods, o.method ?? methods[0]!),
            inputField({ id: 'code', type: 'text', label: w.code, hint: w.codeHint, autocomplete: 'one-time-code', ...(codeError ? { error: codeError } : {}) }),
            d.rememberDays > 0 ? checkbox('remember', w.remember(d.rememberDays)) : '',
          ])
        : '',
      methods.includes('email') ? form({ action: SIGN_IN_PAGES.email, csrf: g.field(req, reply, SIGN_IN_PAGES.email), lang, submit: w.sendEmail }, []) : '',
    ].join('\n');
    return sendPage(reply, o.status ?? 200, { lang, title: w.mfaTitle, body });
  };
  /** A sign-in that is over (expired, used, worn out): the way back to the first step. */
  const expired = (reply: FastifyReply, lang: PageLanguage, status = 401) => {
    challengeCookie(reply, '', 0);
    const w = SIGN_IN_WORDS[lang];
    return sendPage(reply, status, { lang, title: w.mfaTitle, body: `<div role="alert">${paragraph(w.expired, 'notice')}</div>\n<p><a href="${SIGN_IN_PAGES.signIn}?lang=${lang}">${esc(w.startOver)}</a></p>` });
  };
  /** Runs a step of a live challenge; a challenge that is over, or a locked account, ends on its own page. */
  const withChallenge = async (req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, step: (token: string, g: FormGuard) => Promise<FastifyReply>) => {
    const token = cookieValue(req, CHALLENGE_COOKIE);
    if (!guard) return unavailable(reply, lang);
    if (token === undefined) return expired(reply, lang);
    try {
      return await step(token, guard);
    } catch (err) {
      const code = err instanceof CloudError ? err.code : undefined;
      if (code === 'MFA_CHALLENGE_INVALID') return expired(reply, lang);
      if (code === 'ACCOUNT_LOCKED') {
        challengeCookie(reply, '', 0);
        return sendPage(reply, 423, { lang, title: SIGN_IN_WORDS[lang].mfaTitle, body: `<div role="alert">${paragraph(SIGN_IN_WORDS[lang].locked, 'notice')}</div>` });
      }
      throw err;
    }
  };

  app.get(SIGN_IN_PAGES.mfa, { schema: { hide: true } }, async (req, reply) => {
    const lang = language(req);
    return withChallenge(req, reply, lang, (token, g) => mfaForm(g, req, reply, lang, token));
  });

  app.post(SIGN_IN_PAGES.mfa, { schema: { hide: true } }, async (req, reply) => {
    const f = formOf(req);
    const lang = language(req, f);
    return withChallenge(req, reply, lang, async (token, g) => {
      const method = (['totp', 'recovery', 'email'] as const).find((m) => m === f['method']) ?? 'totp';
      if (!g.check(req, SIGN_IN_PAGES.mfa, f[CSRF_FIELD])) return mfaForm(g, req, reply, lang, token, { errors: [{ message: WORDS[lang].formExpired }], method, status: 403 });
      try {
        const r = await auth.mfa.verify(token, method, (f['code'] ?? '').slice(0, 20), { ip: req.ip, userAgent: req.headers['user-agent'], rememberDevice: f['remember'] === 'yes' });
        signedIn(reply, r);
        return redirect(reply, home(req, reply, lang));
      } catch (err) {
        if (!(err instanceof CloudError && err.code === 'MFA_CODE_INVALID')) throw err;
        return mfaForm(g, req, reply, lang, token, { errors: [{ field: 'code', message: SIGN_IN_WORDS[lang].wrongCode }], method, status: 401 });
      }
    });
  });

  app.post(SIGN_IN_PAGES.email, { schema: { hide: true } }, async (req, reply) => {
    const f = formOf(req);
    const lang = language(req, f);
    return withChallenge(req, reply, lang, async (token, g) => {
      if (!g.check(req, SIGN_IN_PAGES.email, f[CSRF_FIELD])) return mfaForm(g, req, reply, lang, token, { errors: [{ message: WORDS[lang].formExpired }], status: 403 });
      try {
        await auth.mfa.sendEmailCode(token);
      } catch (err) {
        if (!(err instanceof CloudError && err.code === 'TOO_MANY_ATTEMPTS')) throw err;
        return mfaForm(g, req, reply, lang, token, { errors: [{ message: SIGN_IN_WORDS[lang].tooMany }], method: 'email', status: 429 });
      }
      return mfaForm(g, req, reply, lang, token, { notice: SIGN_IN_WORDS[lang].emailSent, method: 'email' });
    });
  });

  /** Adding an authenticator: its QR code (inline SVG, named for screen readers), its key, the first code. */
  const enrolForm = async (g: FormGuard, req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, token: string, errors: FormError[] = [], status = 200) => {
    const w = SIGN_IN_WORDS[lang];
    const e = await auth.mfa.beginEnrolment(token);
    const svg = (await renderBarcode('qrcode', 'svg', e.uri)).toString('utf8').replace(/<\?xml[^>]*>\s*/, '');
    const codeError = errors.find((x) => x.field === 'code')?.message;
    const d = await auth.mfa.describe(token);
    const body = [
      errorSummary(WORDS[lang], errors),
      paragraph(w.enrolIntro),
      paragraph(w.scan),
      `<div class="qr" role="img" aria-label="${esc(w.qrLabel)}">${svg}</div>`,
      paragraph(w.typeKey),
      `<p class="key">${esc(e.secret.replace(/(.{4})/g, '$1 ').trim())}</p>`,
      form({ action: SIGN_IN_PAGES.enrol, csrf: g.field(req, reply, SIGN_IN_PAGES.enrol), lang, submit: w.continue }, [
        inputField({ id: 'code', type: 'text', label: w.enrolCode, autocomplete: 'one-time-code', ...(codeError ? { error: codeError } : {}) }),
        d.rememberDays > 0 ? checkbox('remember', w.remember(d.rememberDays)) : '',
      ]),
    ].join('\n');
    return sendPage(reply, status, { lang, title: w.enrolTitle, body });
  };

  app.get(SIGN_IN_PAGES.enrol, { schema: { hide: true } }, async (req, reply) => {
    const lang = language(req);
    return withChallenge(req, reply, lang, (token, g) => enrolForm(g, req, reply, lang, token));
  });

  app.post(SIGN_IN_PAGES.enrol, { schema: { hide: true } }, async (req, reply) => {
    const f = formOf(req);
    const lang = language(req, f);
    const w = SIGN_IN_WORDS[lang];
    return withChallenge(req, reply, lang, async (token, g) => {
      if (!g.check(req, SIGN_IN_PAGES.enrol, f[CSRF_FIELD])) return enrolForm(g, req, reply, lang, token, [{ message: WORDS[lang].formExpired }], 403);
      try {
        const r = await auth.mfa.confirmEnrolment(token, (f['code'] ?? '').slice(0, 20), { ip: req.ip, userAgent: req.headers['user-agent'], rememberDevice: f['remember'] === 'yes' });
        signedIn(reply, r);
        const body = [paragraph(w.recoveryIntro), `<ol class="codes">${r.recoveryCodes.map((c) => `<li>${esc(c)}</li>`).join('')}</ol>`, `<p><a href="${esc(home(req, reply, lang))}">${esc(w.continue)}</a></p>`].join('\n');
        return sendPage(reply, 200, { lang, title: w.recoveryTitle, body });
      } catch (err) {
        if (!(err instanceof CloudError && err.code === 'MFA_CODE_INVALID')) throw err;
        // The same secret is shown again (it is still pending): the person types the next code of what they scanned.
        return enrolForm(g, req, reply, lang, token, [{ field: 'code', message: w.wrongCode }], 401);
      }
    });
  });
};
