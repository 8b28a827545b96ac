import fastifySwagger from '@fastify/swagger';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import Fastify, { LogController } from 'fastify';
import {
  jsonSchemaTransform,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { AuthService } from '../auth/service.ts';
import { bearerToken } from '../auth/tokens.ts';
import { ROUTE_ACCESS, accessKey } from './access.ts';
import { InProcessReplies } from './in-process.ts';
import { withAccess } from './openapi-access.ts';
import { allows } from '../auth/roles.ts';
import { roleRoutes } from './routes/roles.ts';
import { ApiError, errorHandler } from './errors.ts';
import './principal.ts';
import type { App } from './app.ts';
import { authRoutes } from './routes/auth.ts';
import { userRoutes } from './routes/users.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { retryNotFoundAfterCatchUp } from './not-found-retry.ts';
import { mfaRoutes } from './routes/mfa.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import type { LockerService } from '../domain/service.ts';
import { modelRoutes } from './routes/model.ts';
import { organisationRoutes } from './routes/organisation.ts';
import { lockerRoutes } from './routes/lockers.ts';
import { carrierRoutes } from './routes/carriers.ts';
import { customFieldRoutes } from './routes/custom-fields.ts';
import { contactRoutes } from './routes/contacts.ts';
import { departmentRoutes } from './routes/departments.ts';
import { reservationRoutes } from './routes/reservations.ts';
import { activityRoutes } from './routes/activity.ts';
import { reportRoutes } from './routes/reports.ts';
import { staffRoutes } from './routes/staff.ts';
import { controllerRoutes, type ControllerStates } from './routes/controllers.ts';
import { remoteOpenRoutes, type RemoteOpenService } from './routes/remote-open.ts';
import { backupRoutes, type BackupWriter } from './routes/backup.ts';
import { sftpImportRoutes } from './routes/sftp-import.ts';
import { notificationRoutes } from './routes/notifications.ts';
import type { SftpRunner } from '../sftp/runner.ts';
import type { PasswordLinks } from '../auth/password-links.ts';
import { passwordLinkRoutes } from './routes/password-links.ts';
import { accountPages } from './pages/account-pages.ts';
import { FormGuard } from './pages/csrf.ts';
import type { CodeVault } from '../domain/code-vault.ts';
import type { GuessCountsOf } from '../auth/guess-counts.ts';
import { preferencesRoutes } from '../mail/preferences.ts';
import { AccountLog } from '../auth/account-log.ts';
import { OidcClients } from '../sso/oidc.ts';
import { SsoSignIn } from '../sso/sign-in.ts';
import { ssoRoutes } from './routes/sso.ts';
import { brandingAssetRoute, brandingRoutes } from './routes/branding.ts';
import { BrowserSession } from './pages/browser-session.ts';
import { ssoPages } from './pages/sso-pages.ts';
import { signInPages } from './pages/sign-in-pages.ts';
import { SSO_PAGES } from './pages/sso-paths.ts';
import { consolePlugin, isConsoleRoute } from '../web/console.ts';
import { CONSOLE_SCREENS } from '../web/screens.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route of the API (under its prefix), as `{ method, url }`: what the role-table test walks. */
    apiRoutes: readonly { method: string; url: string }[];
    /** Every page route outside the API (the account pages, a contact's notification preferences), as `{ method, url }`: in the access table too. */
    pageRoutes: readonly { method: string; url: string }[];
  }
}

export const API_PREFIX = '/api/v1';
export const API_VERSION = '0.1.0';

export interface HttpDeps {
  auth: AuthService;
  service: LockerService;
  logger: Logger;
  bodyLimitBytes?: number;
  /**
   * The reverse proxies in front of the server (addresses or CIDR blocks): a request from one of them has its client
   * address (`req.ip`, what the sign-in throttle counts by) read from `X-Forwarded-For`; from anywhere else, or with
   * none given, that header is ignored.
   */
  trustedProxies?: readonly string[];
  /** Serve over TLS with this key and certificate (PEM); every answer then carries Strict-Transport-Security. */
  tls?: { key: Buffer; cert: Buffer };
  /** Override the OpenAPI servers list (the real address once listening). */
  publicUrl?: string;
  /**
   * What opens a door remotely (`POST /banks/:bankId/lockers/:number/open`): the MQTT link's RemoteOpen. The route is
   * always served and documented; without a link (an API-only server) it answers 503.
   */
  remoteOpen?: RemoteOpenService;
  /** The controllers' link state (`GET /banks/:bankId/controllers`); without it every controller reads as offline. */
  controllers?: ControllerStates;
  /** Writes an online backup of the data folder (`GET /backup`); without it the route answers 404. */
  backup?: BackupWriter;
  /** Runs SFTP imports (`POST /sftp-import/run`); without it that route answers 503, the configuration routes work. */
  sftp?: Pick<SftpRunner, 'run'>;
  /** Opens the tokens of the contacts' preferences page (`/preferences/:token`); without it every token is refused. */
  vault?: CodeVault;
  /** Where wrong pickup codes are counted (limit `pickup-code`; default: this process's memory). */
  guesses?: GuessCountsOf;
  /**
   * Welcome and reset links (their API routes and pages), the key of the pages' anti-forgery fields, and whether
   * people reach the pages over https; without them those routes answer 503.
   */
  accounts?: {
    links: PasswordLinks;
    formKey: Buffer;
    secureCookies: () => boolean;
    /** The address people reach the pages at: single sign-on's redirect URI is built on it (without it, SSO answers 503). */
    baseUrl?: () => string;
  };
  /**
   * Several instances on one database: catches this instance's memory up with what the others committed. An API
   * request refused NOT_FOUND runs once more after it (not-found-retry.ts). A lone instance gives none.
   */
  catchUp?: () => Promise<void>;
  /**
   * Hooks or routes added after the API's own and before the server is ready (tests). A route goes through the same
   * auth hook: it needs its ROUTE_ACCESS entry, or the server does not start.
   */
  extend?: (app: App) => Promise<void> | void;
}

export type { App } from './app.ts';

export async function buildServer(deps: HttpDeps): Promise<App> {
  const log = deps.logger.child({ module: 'http' });
  const tls = deps.tls;
  const app = Fastify({
    loggerInstance: log,
    ...(tls ? { serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) => createHttpsServer({ key: tls.key, cert: tls.cert }, handler) } : {}),
    bodyLimit: deps.bodyLimitBytes ?? 256 * 1024,
    trustProxy: deps.trustedProxies !== undefined && deps.trustedProxies.length > 0 ? [...deps.trustedProxies] : false,
    // Node's default. A stop waits for a connection that turns idle after close() began (a remote open answered
    // while stopping) until this runs out: fastify's 72 s held a stopping cloud for over a minute.
    keepAliveTimeout: 5000,
    // One line per refused or failed request comes from the error handler; no line per request.
    logController: new LogController({ disableRequestLogging: true }),
    // Malformed URLs (bad %-escapes) and the like: same error body as everything else.
    frameworkErrors: (err, _req, reply) => {
      void reply.code(400 as never).send({ error: { code: 'BAD_REQUEST', message: err.message } } as never);
    },
    // Reject `__proto__`/`constructor` keys instead of stripping them silently.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // While closing, requests still arriving on kept-alive connections get a 503 in the API's error format (the hook
    // below), not fastify's own body.
    return503OnClosing: false,
    // zod validates requests. Response schemas document the answers and type-check handlers but are not enforced
    // at run time, so a field the domain adds later cannot turn a good answer into a 500. Giving both compilers
    // here also keeps fastify from loading ajv and fast-json-stringify (a tenth of the start-up time).
    schemaController: {
      compilersFactory: {
        // fastify types these factories for ajv's schemas; ours compile zod schemas.
        buildValidator: (() => validatorCompiler) as never,
        buildSerializer: (() => () => (data: unknown) => JSON.stringify(data)) as never,
      },
    },
  });
  app.setErrorHandler(errorHandler(log));
  const replies = new InProcessReplies();
  replies.install(app);
  // Once a browser has reached the console over https, it never tries plain http for this host again.
  if (tls) app.addHook('onSend', async (_req, reply) => void reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains'));
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });
  // JSON only: anything else (text/plain included) is answered 415 before the handler.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('principal', undefined);

  const secure = deps.accounts?.secureCookies ?? (() => false);
  const session = new BrowserSession(secure, deps.service.now);

  // Every route must be in the access table; a forgotten entry stops the server at start-up, not in production.
  const apiRoutes: { method: string; url: string }[] = [];
  const pageRoutes: { method: string; url: string }[] = [];
  app.decorate('apiRoutes', apiRoutes);
  app.decorate('pageRoutes', pageRoutes);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) {
      if (m === 'HEAD' || m === 'OPTIONS') continue;
      if (!ROUTE_ACCESS[accessKey(m, route.url)]) throw new Error(`route ${m} ${route.url} has no entry in ROUTE_ACCESS`);
      (route.url.startsWith(`${API_PREFIX}/`) ? apiRoutes : pageRoutes).push({ method: m, url: route.url });
    }
    if (deps.catchUp && route.url.startsWith(`${API_PREFIX}/`)) retryNotFoundAfterCatchUp(route, deps.catchUp);
  });

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_req, reply) => {
    if (closing) {
      reply.header('connection', 'close');
      throw new ApiError('SHUTTING_DOWN', 'the service is shutting down, try again shortly', undefined, { 'retry-after': '5' });
    }
  });

  // Authentication and role check before the body is even parsed: an anonymous caller learns nothing about
  // validation rules and cannot make the server buffer a large body.
  app.addHook('onRequest', async (req) => {
    const url = req.routeOptions.url;
    if (!url) return; // unknown route: the not-found handler answers
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const entry = ROUTE_ACCESS[accessKey(method, url)];
    if (!entry) throw new ApiError('FORBIDDEN', 'route has no access rule');
    if (entry.access === 'public') return;
    // The console's pages come with the browser's session cookie (their posts also carry an anti-forgery token,
    // console.ts); the API takes a bearer header only, so no other site's form can call it with ambient credentials.
    if (isConsoleRoute(url)) {
      const cookie = session.token(req);
      const principal = cookie === undefined ? undefined : await deps.auth.authenticate(cookie);
      if (!principal) throw new ApiError('UNAUTHORIZED', 'not signed in, or the session has ended');
      if (!allows(principal, entry.access)) throw new ApiError(entry.hidden && !principal.permissions.has(entry.hidden) ? 'NOT_FOUND' : 'FORBIDDEN', `role ${principal.role} may not open ${method} ${url}`);
      req.principal = principal;
      return;
    }
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new ApiError('UNAUTHORIZED', 'missing or malformed bearer token', 'headers.authorization', { 'www-authenticate': 'Bearer' });
    const principal = await deps.auth.authenticate(token);
    if (!principal) throw new ApiError('UNAUTHORIZED', 'invalid or expired bearer token', 'headers.authorization', { 'www-authenticate': 'Bearer' });
    if (!allows(principal, entry.access)) {
      // A hidden route does not reveal that it exists to whoever may not call it: the not-found handler's answer.
      if (entry.hidden && !principal.permissions.has(entry.hidden)) throw new ApiError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`);
      throw new ApiError('FORBIDDEN', `role ${principal.role} may not call ${method} ${url}`);
    }
    req.principal = principal;
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Portier cloud API', version: API_VERSION, description: 'Allocation service of the Portier parcel-locker platform.' },
      servers: deps.publicUrl ? [{ url: deps.publicUrl }] : [],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    // Each operation also lists the permission(s) its ROUTE_ACCESS entry asks for (openapi-access.ts).
    transform: (arg) => {
      const out = jsonSchemaTransform(arg);
      const method = Array.isArray(arg.route.method) ? String(arg.route.method[0]) : String(arg.route.method);
      return { ...out, schema: withAccess(out.schema as { hide?: boolean; description?: string }, method, arg.url) as typeof out.schema };
    },
  });

  const z = app.withTypeProvider<ZodTypeProvider>();
  // A load balancer or a person asks here what is wrong: a store that cannot write (a full disk) says so, with 503.
  z.get(`${API_PREFIX}/health`, { schema: { hide: true } }, async (_req, reply) => {
    const store = deps.service.store.health();
    if (store.writable) return { status: 'ok' };
    return reply.code(503).send({ status: 'degraded', store });
  });
  z.get(`${API_PREFIX}/openapi.json`, { schema: { hide: true } }, async () => app.swagger());

  await app.register(authRoutes, { prefix: API_PREFIX, auth: deps.auth });
  await app.register(userRoutes, { prefix: API_PREFIX, auth: deps.auth, service: deps.service });
  await app.register(sessionRoutes, { prefix: API_PREFIX, auth: deps.auth, service: deps.service });
  await app.register(mfaRoutes, { prefix: API_PREFIX, auth: deps.auth });
  await app.register(apiKeyRoutes, { prefix: API_PREFIX, auth: deps.auth, service: deps.service });
  await app.register(roleRoutes, { prefix: API_PREFIX, service: deps.service });
  await app.register(modelRoutes, { prefix: API_PREFIX, service: deps.service });
  await app.register(organisationRoutes, { prefix: API_PREFIX, service: deps.service });
  await app.register(lockerRoutes, { prefix: API_PREFIX, service: deps.service });
  await app.register(carrierRoutes, { prefix: API_PREFIX, service: deps.service });
  await app.register(customFieldRoutes, { prefix: API_PREFIX, service: deps.service });
  await app.register(contactRoutes, { prefix: API_PREFIX, service: deps.service });
  await app.register(departmentRoutes, { prefix: API_PREFIX, service: deps.service });
  await app.register(reservationRoutes, { prefix: API_PREFIX, service: deps.service, guesses: deps.guesses });
  await app.register(activityRoutes, { prefix: API_PREFIX, service: deps.service });
  await app.register(reportRoutes, { prefix: API_PREFIX, service: deps.service });
  await app.register(staffRoutes, { prefix: API_PREFIX, service: deps.service });
  await app.register(controllerRoutes, { prefix: API_PREFIX, service: deps.service, states: deps.controllers });
  await app.register(remoteOpenRoutes, { prefix: API_PREFIX, service: deps.service, remoteOpen: deps.remoteOpen });
  await app.register(backupRoutes, { prefix: API_PREFIX, backup: deps.backup });
  await app.register(sftpImportRoutes, { prefix: API_PREFIX, service: deps.service, runner: deps.sftp });
  await app.register(notificationRoutes, { prefix: API_PREFIX, service: deps.service });
  const links = deps.accounts?.links;
  await app.register(passwordLinkRoutes, { prefix: API_PREFIX, links, auth: deps.auth, store: deps.service.store });
  const guard = deps.accounts ? new FormGuard(deps.accounts.formKey, deps.service.now, deps.accounts.secureCookies) : undefined;
  await app.register(accountPages, { links, guard, store: deps.service.store, logger: log });
  const baseUrl = deps.accounts?.baseUrl;
  await app.register(ssoRoutes, { prefix: API_PREFIX, service: deps.service, baseUrl });
  await app.register(brandingRoutes, { prefix: API_PREFIX, service: deps.service, baseUrl });
  await app.register(brandingAssetRoute, { service: deps.service });
  const accountLog = new AccountLog({ store: deps.service.store, now: deps.service.now, random: deps.service.random });
  const sign = baseUrl
    ? new SsoSignIn({ service: deps.service, auth: deps.auth, oidc: new OidcClients({ now: deps.service.now }), accountLog, baseUrl, redirectPath: SSO_PAGES.callback, logger: log })
    : undefined;
  await app.register(ssoPages, { sign, session, guard, auth: deps.auth, store: deps.service.store, secure, logger: log });
  await app.register(signInPages, { auth: deps.auth, session, guard, store: deps.service.store, secure, now: deps.service.now, logger: log });
  await preferencesRoutes(app, { service: deps.service, vault: deps.vault, now: () => deps.service.now() });
  await app.register(consolePlugin(CONSOLE_SCREENS), { auth: deps.auth, store: deps.service.store, session, formKey: deps.accounts?.formKey, apiPrefix: API_PREFIX, replies, logger: log });
  if (deps.extend) await deps.extend(app);
  await app.ready();
  return app;
}
