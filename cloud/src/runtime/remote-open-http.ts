/**
 * Serves the remote-open route (`POST /api/v1/banks/:bankId/lockers/:number/open`) beside the main API app.
 *
 * `buildServer` (http/server.ts) finishes its app with `ready()`, after which no route can be added. Until it takes
 * extra route plugins (see the runtime's notes for the lead), this small fastify instance owns the listening
 * socket: requests for the open route go to it, every other request goes to the main app's router, unchanged. It
 * checks the bearer token and role against the same `ROUTE_ACCESS` table, and answers errors in the same format.
 */
import http from 'node:http';
import Fastify, { LogController } from 'fastify';
import type { Logger } from 'pino';
import type { AuthService } from '../auth/service.ts';
import { bearerToken } from '../auth/tokens.ts';
import { ROUTE_ACCESS, accessKey } from '../http/access.ts';
import { ApiError, errorHandler } from '../http/errors.ts';
import '../http/principal.ts';
import { actorOf } from '../http/routes/common.ts';
import { API_PREFIX, type App } from '../http/server.ts';
import { remoteOpenRoute, type RemoteOpenService } from '../sync/remote-open-route.ts';

const OPEN_ROUTE = `${API_PREFIX}/banks/:bankId/lockers/:number/open`;
const OPEN_PATH = /^\/api\/v1\/banks\/[^/?#]+\/lockers\/[^/?#]+\/open\/?(?:[?#].*)?$/;

export interface FrontOptions {
  main: App;
  auth: AuthService;
  remoteOpen: RemoteOpenService;
  logger: Logger;
  bodyLimitBytes?: number;
}

export type FrontApp = Awaited<ReturnType<typeof buildFront>>;

/** A fastify app with the remote-open route whose server hands every other request to `main`. */
export async function buildFront(opts: FrontOptions) {
  const log = opts.logger.child({ module: 'http-remote-open' });
  const app = Fastify({
    loggerInstance: log,
    bodyLimit: opts.bodyLimitBytes ?? 256 * 1024,
    trustProxy: false,
    logController: new LogController({ disableRequestLogging: true }),
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    frameworkErrors: (err, _req, reply) => {
      void reply.code(400 as never).send({ error: { code: 'BAD_REQUEST', message: err.message } } as never);
    },
    serverFactory: (handler) =>
      http.createServer((req, res) => {
        if (req.method === 'POST' && OPEN_PATH.test(req.url ?? '')) handler(req, res);
        else opts.main.routing(req, res);
      }),
  });
  app.setErrorHandler(errorHandler(log));
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('principal', undefined);
  const entry = ROUTE_ACCESS[accessKey('POST', OPEN_ROUTE)];
  app.addHook('onRequest', async (req) => {
    if (!entry) throw new ApiError(403, 'FORBIDDEN', 'route has no access rule');
    if (entry.access === 'public') return;
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new ApiError(401, 'UNAUTHORIZED', 'missing or malformed bearer token', 'headers.authorization', { 'www-authenticate': 'Bearer' });
    const principal = await opts.auth.authenticate(token);
    if (!principal) throw new ApiError(401, 'UNAUTHORIZED', 'invalid or expired bearer token', 'headers.authorization', { 'www-authenticate': 'Bearer' });
    if (!entry.access.includes(principal.role)) throw new ApiError(403, 'FORBIDDEN', `role ${principal.role} may not call POST ${OPEN_ROUTE}`);
    req.principal = principal;
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });
  await app.register(remoteOpenRoute, { prefix: API_PREFIX, remoteOpen: opts.remoteOpen, actorOf });
  await app.ready();
  return app;
}
