/**
 * The web console: the pages mailroom staff and administrators work in, served by the cloud itself under `/console`.
 *
 * Who may open a page is the server's access table, checked by the server's own hook like for any API route, with
 * the session cookie of the browser in place of a bearer header. Every read and change a page makes is then a call of
 * the HTTP API with that same session (console-api.ts). A post is taken only with the anti-forgery token of its
 * session (a form field, or the header htmx sends); a failure is a page in the person's language, never JSON.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AuthService, Principal } from '../auth/service.ts';
import { enterpriseSettings } from '../domain/model.ts';
import { mapError } from '../http/errors.ts';
import type { InProcessReplies } from '../http/in-process.ts';
import type { BrowserSession } from '../http/pages/browser-session.ts';
import { consolePath } from '../http/pages/sso-paths.ts';
import { pickLanguage, PAGE_LANGUAGES, type PageLanguage } from '../http/pages/i18n.ts';
import type { Store } from '../store/store.ts';
import { consoleAssets } from './assets/assets.ts';
import { ConsoleApi, ConsoleApiError } from './console-api.ts';
import { html } from './html.ts';
import { CONSOLE_PATHS, menuOf } from './menu.ts';
import { CSRF_FIELD, CSRF_HEADER, consoleHeaders, sendConsolePage, sendFragment, type Viewer } from './shell.ts';
import { SHELL_WORDS } from './shell-words.ts';

export interface ConsoleDeps {
  auth: Pick<AuthService, 'logout'>;
  store: Store;
  session: BrowserSession;
  /** The key of the anti-forgery tokens (the pages' form key); without it the console answers 503. */
  formKey: Buffer | undefined;
  apiPrefix: string;
  /** How the console's API calls get their answers back (http/in-process.ts). */
  replies: InProcessReplies;
  logger: Logger;
}

/** A screen of the console: registers its routes (each with its entry in the access table) on the console's instance. */
export type ConsoleScreen = (app: FastifyInstance, deps: ConsoleDeps) => void | Promise<void>;

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is looking, set on every signed-in console request. */
    consoleViewer: Viewer | undefined;
  }
}

/** Form posts: fields of text, a repeated field keeping every value. */
const FORM_LIMIT_BYTES = 64 * 1024;
const UPLOAD_LIMIT_BYTES = 5 * 1024 * 1024 + 64 * 1024;
const LangQuery = z.looseObject({ lang: z.string().max(10).optional() });

/** An uploaded file of a `multipart/form-data` post (a CSV to import). */
export interface UploadedFile {
  filename: string;
  type: string;
  data: Buffer;
}

/** A `multipart/form-data` post: its text fields, and its files by field name. */
class MultipartBody {
  constructor(
    readonly fields: URLSearchParams,
    readonly files: ReadonlyMap<string, UploadedFile>,
  ) {}
}

/** The fields of a console form post (empty when the body is not one). */
export function formOf(req: FastifyRequest): URLSearchParams {
  if (req.body instanceof URLSearchParams) return req.body;
  if (req.body instanceof MultipartBody) return req.body.fields;
  return new URLSearchParams();
}

/** The file of field `name` of a multipart post (undefined when none was chosen). */
export function fileOf(req: FastifyRequest, name: string): UploadedFile | undefined {
  return req.body instanceof MultipartBody ? req.body.files.get(name) : undefined;
}

/** A multipart body, read by Node's own parser (the one of fetch's FormData): text fields and files. */
async function parseMultipart(body: Buffer, contentType: string): Promise<MultipartBody> {
  const data = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  const fields = new URLSearchParams();
  const files = new Map<string, UploadedFile>();
  for (const [name, value] of data.entries()) {
    if (typeof value === 'string') fields.append(name, value);
    // A file input left empty is sent as a file with no name and no bytes.
    else if (value.name !== '' || value.size > 0) files.set(name, { filename: value.name, type: value.type, data: Buffer.from(await value.arrayBuffer()) });
  }
  return new MultipartBody(fields, files);
}

/** Who is looking at a console page (every console route but the assets has one). */
export function viewerOf(req: FastifyRequest): Viewer {
  const v = req.consoleViewer;
  if (!v) throw new ConsoleApiError(401, 'UNAUTHORIZED', 'not signed in');
  return v;
}

/** Whether htmx made the request (then a fragment is answered), and not as a boosted navigation. */
export function isFragmentRequest(req: FastifyRequest): boolean {
  return req.headers['hx-request'] === 'true' && req.headers['hx-boosted'] !== 'true';
}

/** A redirect after a post (303: the browser gets the page). */
export function seeOther(reply: FastifyReply, to: string): FastifyReply {
  return consoleHeaders(reply).code(303).header('location', to).send();
}

/** The anti-forgery token of a session: bound to its token, never stored, useless once the session ends. */
function csrfToken(key: Buffer, sessionToken: string): string {
  return createHmac('sha256', key).update(`console-csrf\n${createHash('sha256').update(sessionToken).digest('base64url')}`).digest('base64url');
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The path and query of an address (undefined when it is not one). */
function pathOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return undefined;
  }
}

/** Whether a route (its pattern) is one of the console's, which take the session cookie (the assets are public). */
export function isConsoleRoute(url: string): boolean {
  return url === '/console' || url.startsWith('/console/');
}

/** A path inside the console to come back to; anything else (another site, a scheme) is the console's start. */
export function consoleReturn(path: string | null | undefined): string {
  return consolePath(path) ?? CONSOLE_PATHS.lockers;
}

export function consolePlugin(screens: readonly ConsoleScreen[]): FastifyPluginAsync<ConsoleDeps> {
  return async (app, deps) => {
    const { store, session, formKey, logger } = deps;
    const assets = consoleAssets();
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES }, (_req, body, done) => {
      done(null, new URLSearchParams(String(body)));
    });
    // Uploads (a CSV to import): up to the imports' own limit and a little for the form's other fields.
    app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: UPLOAD_LIMIT_BYTES }, (req, body, done) => {
      parseMultipart(body as Buffer, String(req.headers['content-type'])).then(
        (b) => done(null, b),
        () => done(new ConsoleApiError(400, 'BAD_UPLOAD', 'the upload could not be read'), undefined),
      );
    });
    app.decorateRequest('consoleApi', undefined);
    app.decorateRequest('consoleViewer', undefined);

    const languageOf = (req: FastifyRequest, principal?: Principal): PageLanguage => {
      const saved = principal ? store.get('users', principal.userId)?.language : undefined;
      if (saved) return saved;
      const q = LangQuery.safeParse(req.query);
      return pickLanguage(q.success ? q.data.lang : undefined, req.headers['accept-language']);
    };

    // After the server's hook has checked the session and the role: the request's API client and viewer.
    app.addHook('onRequest', async (req) => {
      const principal = req.principal;
      const token = session.token(req);
      if (!principal || token === undefined || !formKey) return;
      const user = store.get('users', principal.userId);
      const name = [user?.firstName, user?.lastName].filter(Boolean).join(' ') || principal.username;
      req.consoleApi = new ConsoleApi(app, deps.replies, deps.apiPrefix, token, req.ip);
      req.consoleViewer = {
        principal,
        lang: languageOf(req, principal),
        csrf: csrfToken(formKey, token),
        displayName: name,
        idleSeconds: enterpriseSettings(store.get('enterprises', principal.enterpriseId)).idleTimeoutMinutes * 60,
        here: req.url,
      };
    });

    // Every change needs its session's anti-forgery token: a form or a script of another site cannot send it.
    app.addHook('preHandler', async (req) => {
      if (req.method === 'GET' || req.method === 'HEAD') return;
      const v = req.consoleViewer;
      const sent = (req.headers[CSRF_HEADER] as string | undefined) ?? formOf(req).get(CSRF_FIELD) ?? '';
      if (!v || !sameToken(sent, v.csrf)) throw new ConsoleApiError(403, 'FORM_EXPIRED', 'the form has no valid anti-forgery token');
    });

    app.setErrorHandler((err, req, reply) => {
      const lang = req.consoleViewer?.lang ?? languageOf(req);
      const w = SHELL_WORDS[lang];
      const status = err instanceof ConsoleApiError ? err.status : mapError(err, logger, req).status;
      if (status === 401) {
        // Back to the page asked for once signed in again: the page itself, or the one an htmx request came from.
        const current = req.headers['hx-current-url'];
        const asked = req.method === 'GET' && req.headers['hx-request'] !== 'true' ? req.url : typeof current === 'string' ? pathOf(current) : undefined;
        const next = consolePath(asked);
        const to = `/account/sign-in?lang=${lang}${next ? `&next=${encodeURIComponent(next)}` : ''}`;
        if (req.headers['hx-request'] === 'true') return consoleHeaders(reply).code(401).header('hx-redirect', to).send();
        return seeOther(reply, to);
      }
      const code = err instanceof ConsoleApiError ? err.code : undefined;
      const message = code === 'FORM_EXPIRED' ? w.formExpired : status === 403 ? w.forbidden : status === 404 ? w.notFound : status >= 500 ? w.failed : err instanceof ConsoleApiError ? err.message : w.failed;
      const body = html`<div class="notice bad" role="alert"><p>${message}</p></div><p><a href="${CONSOLE_PATHS.lockers}">${w.back}</a></p>`;
      if (isFragmentRequest(req)) return sendFragment(reply, status, html`<div class="notice bad" role="alert"><p>${message}</p></div>`);
      const v = req.consoleViewer;
      if (v) return sendConsolePage(reply, status, v, { title: w.errorTitle, body });
      return consoleHeaders(reply).code(status).type('text/html; charset=utf-8').send(
        html`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${w.errorTitle}</title><link rel="stylesheet" href="/console/assets/${assets.css.name}"></head><body><main id="main"><h1>${w.errorTitle}</h1>${body}</main></body></html>`.text,
      );
    });

    app.get('/console/assets/:file', { schema: { hide: true } }, async (req, reply) => {
      const a = assets.byName.get(z.object({ file: z.string().max(100) }).parse(req.params).file);
      if (!a) return reply.code(404).type('text/plain').send('not found');
      const gz = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
      return reply
        .headers({ 'content-type': a.type, 'cache-control': 'public, max-age=31536000, immutable', 'x-content-type-options': 'nosniff', vary: 'Accept-Encoding', ...(gz ? { 'content-encoding': 'gzip' } : {}) })
        .send(gz ? a.gzip : a.body);
    });

    app.get('/', { schema: { hide: true } }, async (_req, reply) => seeOther(reply, '/console'));
    // What a browser asks for on every page that names no icon (the sign-in pages).
    app.get('/favicon.ico', { schema: { hide: true } }, async (_req, reply) =>
      reply.headers({ 'content-type': assets.icon.type, 'cache-control': 'public, max-age=86400', 'x-content-type-options': 'nosniff' }).send(assets.icon.body),
    );

    // The start: the first page the role may open.
    app.get('/console', { schema: { hide: true } }, async (req, reply) => {
      const v = viewerOf(req);
      const first = menuOf(v.principal)[0];
      // A role with none of the console's screens (a recipient) has its account page.
      return seeOther(reply, first ? CONSOLE_PATHS[first] : `/account?lang=${v.lang}`);
    });

    // The idle warning's "stay signed in": any request keeps the session alive, this one does nothing else.
    app.post('/console/keepalive', { schema: { hide: true } }, async (_req, reply) => consoleHeaders(reply).code(204).send());

    app.post('/console/language', { schema: { hide: true } }, async (req, reply) => {
      const f = formOf(req);
      const lang = PAGE_LANGUAGES.find((l) => l === f.get('lang'));
      if (lang) await req.consoleApi!.call(z.unknown(), 'PATCH', '/auth/me', { language: lang });
      return seeOther(reply, consoleReturn(f.get('back')));
    });

    app.post('/console/sign-out', { schema: { hide: true } }, async (req, reply) => {
      const token = session.token(req);
      const lang = viewerOf(req).lang;
      if (token !== undefined) await deps.auth.logout(token);
      session.clear(reply);
      return seeOther(reply, `/account/sign-in?lang=${lang}&signedOut=1`);
    });

    for (const screen of screens) await screen(app, deps);
  };
}
