import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { AuthError, type AuthErrorCode } from '../auth/service.ts';
import { DomainError, type DomainErrorCode } from '../domain/errors.ts';
import { CloudError } from '../errors.ts';
import { StoreError } from '../store/store.ts';
import { RemoteOpenError, type RemoteOpenErrorCode } from '../sync/remote-open.ts';

/** The one error body of the API: `{ error: { code, message, field? } }`. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/** Codes of the errors the HTTP layer raises itself. */
export type ApiErrorCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'LOCKER_NOT_FOUND'
  | 'TOO_MANY_ATTEMPTS'
  | 'INVALID_RANGE'
  | 'INVALID_DATE'
  /** An e-mail template's words name a placeholder its kind has not, or hold a malformed one. */
  | 'INVALID_TEMPLATE'
  | 'UNAVAILABLE'
  | 'SHUTTING_DOWN'
  /** A body of a type the route does not take (an upload's file type named by its content-type). */
  | 'UNSUPPORTED_MEDIA_TYPE';

/** An error the HTTP layer raises itself; its status is its code's (HTTP_STATUS). */
export class ApiError extends CloudError<ApiErrorCode> {
  override name = 'ApiError';
  constructor(
    code: ApiErrorCode,
    message: string,
    field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(code, message, { field });
  }

  get status(): number {
    return HTTP_STATUS[this.code];
  }
}

/** A remote open this server could not make for the caller (INVALID, a timeout out of range, is this server's fault). */
type RemoteOpenRefusal = Exclude<RemoteOpenErrorCode, 'INVALID'>;

/** Every code an error reaching the API can carry. */
export type HttpErrorCode = ApiErrorCode | DomainErrorCode | AuthErrorCode | RemoteOpenRefusal;

/**
 * Error code -> HTTP status, in one place, typed by code: a code added to any of the unions above does not compile
 * until it is given its status here.
 */
export const HTTP_STATUS: Record<HttpErrorCode, number> = {
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  // RFC 4918's Locked: the account, not the request, is what refuses.
  ACCOUNT_LOCKED: 423,
  SSO_REQUIRED: 403,
  MFA_REQUIRED: 409,
  MFA_CHALLENGE_INVALID: 401,
  MFA_CODE_INVALID: 401,
  INVALID_CODE: 403,
  NOT_FOUND: 404,
  LOCKER_NOT_FOUND: 404,
  CONFLICT: 409,
  NO_LOCKER_AVAILABLE: 409,
  INVALID_STATE: 409,
  LAST_ADMIN: 409,
  ENTERPRISE_REQUIRED: 400,
  CONTROLLER_UNAVAILABLE: 409,
  // The HTTP layer already checked the request against the very schemas the service uses, so a VALIDATION the
  // service raises is a rule on values (a duration past the bank's maximum, a range upside down): 422.
  VALIDATION: 422,
  INVALID_RANGE: 422,
  INVALID_DATE: 422,
  // The words sent are the request's own text, refused as it stands: like a body that fails its schema.
  INVALID_TEMPLATE: 400,
  TOO_MANY_ATTEMPTS: 429,
  STORE_FAILED: 503,
  UNAVAILABLE: 503,
  SHUTTING_DOWN: 503,
  UNSUPPORTED_MEDIA_TYPE: 415,
};

interface Mapped {
  status: number;
  body: ErrorBody;
  headers?: Record<string, string>;
}

function body(code: string, message: string, field?: string): ErrorBody {
  return { error: field ? { code, message, field } : { code, message } };
}

/** Zod issue formats that are dates: a malformed date is answered 422 like a bad range (INVALID_DATE). */
const DATE_FORMATS = new Set(['datetime', 'date', 'time', 'duration']);

interface IssueLike {
  instancePath: string;
  keyword: string;
  message?: string | undefined;
  params: Record<string, unknown>;
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  format?: string;
}

/**
 * A body matching no branch of a union (`{ bankId, code }` or `{ reservationId }`) is reported on the branch that
 * came closest (fewest problems), so the answer still names a field instead of just `body`.
 */
function unionBranchIssue(issue: IssueLike): IssueLike {
  const branches = issue.params.errors;
  if (issue.keyword !== 'invalid_union' || !Array.isArray(branches) || branches.length === 0) return issue;
  const best = (branches as ZodIssueLike[][]).filter((b) => b.length > 0).sort((a, b) => a.length - b.length)[0]?.[0];
  if (!best) return issue;
  const base = issue.instancePath.replace(/\/$/, '');
  return {
    instancePath: `${base}/${best.path.map(String).join('/')}`,
    keyword: best.code,
    message: best.message,
    params: { ...(best.keys ? { keys: best.keys } : {}), ...(best.format ? { format: best.format } : {}) },
  };
}

function fieldOf(context: string | undefined, issue: IssueLike): string {
  const parts = issue.instancePath.split('/').filter((p) => p.length > 0);
  const keys = issue.params.keys;
  if (issue.keyword === 'unrecognized_keys' && Array.isArray(keys) && typeof keys[0] === 'string') parts.push(keys[0]);
  return [context ?? 'body', ...parts].join('.');
}

/** The request's own names for a domain field: a URL parameter (`params.bankId`), a query key, else the body. */
function requestField(field: string, req: FastifyRequest | undefined): string {
  // `body` alone: the whole body is at fault (an uploaded file).
  if (field === 'body' || /^(body|params|querystring|headers)\./.test(field)) return field;
  const head = field.split('.')[0] ?? field;
  const has = (o: unknown): boolean => typeof o === 'object' && o !== null && Object.hasOwn(o, head);
  if (req && has(req.params)) return `params.${field}`;
  if (req && has(req.query) && !has(req.body)) return `querystring.${field}`;
  // A rule on a value the caller did not send this time (a GET): the domain's own name for it.
  if (req && (typeof req.body !== 'object' || req.body === null)) return field;
  return `body.${field}`;
}

/** A domain or remote-open failure: its code's status, its field in the request's own names. */
function coded(status: number, err: CloudError, log: Logger, req: FastifyRequest | undefined): Mapped {
  if (status >= 500) log.error({ err }, 'domain failure');
  return { status, body: body(err.code, err.message, err.field ? requestField(err.field, req) : undefined) };
}

export function mapError(err: unknown, log: Logger, req?: FastifyRequest): Mapped {
  if (err instanceof ApiError) return { status: err.status, body: body(err.code, err.message, err.field), headers: err.headers };

  if (hasZodFastifySchemaValidationErrors(err)) {
    const issue = unionBranchIssue(err.validation[0]! as unknown as IssueLike);
    const field = fieldOf(err.validationContext, issue);
    if (issue.keyword === 'unrecognized_keys') {
      return { status: 400, body: body('VALIDATION', `${field}: unknown field`, field) };
    }
    const format = issue.params.format;
    if (issue.keyword === 'invalid_format' && typeof format === 'string' && DATE_FORMATS.has(format)) {
      return { status: 422, body: body('INVALID_DATE', `${field}: ${issue.message ?? 'invalid date'}`, field) };
    }
    return { status: 400, body: body('VALIDATION', `${field}: ${issue.message ?? 'invalid value'}`, field) };
  }

  if (err instanceof AuthError) {
    const status = HTTP_STATUS[err.code];
    const headers: Record<string, string> =
      err.retryAfterMs !== undefined ? { 'retry-after': String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))) } : {};
    return { status, body: body(err.code, err.message, err.field ? requestField(err.field, req) : undefined), headers };
  }

  if (err instanceof DomainError) return coded(HTTP_STATUS[err.code], err, log, req);
  if (err instanceof RemoteOpenError && err.code !== 'INVALID') return coded(HTTP_STATUS[err.code], err, log, req);

  if (err instanceof StoreError && (err.code === 'WRITE_FAILED' || err.code === 'CLOSED')) {
    log.error({ err }, 'store cannot write');
    return { status: 503, body: body('STORE_FAILED', `The change could not be saved: ${err.message}. Try again later.`) };
  }

  const fe = err as Partial<FastifyError>;
  const sc = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (sc >= 400 && sc < 500) {
    switch (fe.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return { status: 413, body: body('PAYLOAD_TOO_LARGE', 'request body is too large', 'body') };
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return { status: 415, body: body('UNSUPPORTED_MEDIA_TYPE', 'request body must be application/json', 'headers.content-type') };
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return { status: 400, body: body('INVALID_JSON', 'request body is not valid JSON', 'body') };
      default:
        return { status: sc, body: body('BAD_REQUEST', fe.message ?? 'bad request') };
    }
  }
  // Never a stack trace to the client: the detail goes to the log only.
  log.error({ err }, 'unhandled error');
  return { status: 500, body: body('INTERNAL', 'internal error') };
}

export function errorHandler(log: Logger) {
  return (err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const m = mapError(err, log, req);
    if (m.status < 500) req.log.debug({ code: m.body.error.code, field: m.body.error.field }, 'request refused');
    if (m.headers) reply.headers(m.headers);
    return reply.code(m.status).type('application/json; charset=utf-8').send(m.body);
  };
}
