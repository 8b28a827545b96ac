import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, RawServerDefault } from 'fastify';
import type { Logger } from 'pino';

/** The HTTP server, typed with pino's Logger so `app.log` keeps its child loggers' types (a module of its own, so route modules outside http/ name it without importing the server). */
export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;
