/**
 * The console's way to the cloud: every read and every change a page makes is a request to the HTTP API, made in
 * process (`inject`) with the signed-in person's own session token. The API's access table, scope checks, validation
 * and audit therefore apply to a page exactly as to a script: the console holds no rule of its own about who may see
 * or do what, and cannot be made to do more than the API allows that person.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CloudError } from '../errors.ts';
import { IN_PROCESS_HEADER, type InProcessReplies } from '../http/in-process.ts';

/** What the API answered with an error: its status, stable code, message and the field at fault. */
export class ConsoleApiError extends CloudError<string> {
  override name = 'ConsoleApiError';
  constructor(
    readonly status: number,
    code: string,
    message: string,
    field?: string,
  ) {
    super(code, message, { field });
  }
}

const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }) });

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

export class ConsoleApi {
  constructor(
    private readonly app: Pick<FastifyInstance, 'inject'>,
    private readonly replies: InProcessReplies,
    private readonly prefix: string,
    private readonly token: string,
    /** The browser's address: the API's throttles and logs see the person, not the console. */
    private readonly ip: string,
  ) {}

  /** The API's answer as it is (an export's file, a reply whose error the page shows as it wants). */
  async raw(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, contentType = 'application/json'): Promise<RawReply> {
    const { header, ticket } = this.replies.ticket();
    const r = await this.app.inject({
      method,
      url: `${this.prefix}${path}`,
      headers: { authorization: `Bearer ${this.token}`, [IN_PROCESS_HEADER]: header, ...(body !== undefined ? { 'content-type': contentType } : {}) },
      remoteAddress: this.ip,
      ...(body !== undefined ? { payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) } : {}),
    });
    return { status: r.statusCode, headers: r.headers, body: this.replies.take(ticket) ?? r.body };
  }

  /** A request whose 2xx answer is parsed with `schema`; any other answer throws ConsoleApiError with the API's words. */
  async call<S extends z.ZodType>(schema: S, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<z.infer<S>> {
    const r = await this.raw(method, path, body);
    if (r.status >= 300) throw apiError(r);
    const parsed = schema.safeParse(r.body === '' ? {} : JSON.parse(r.body));
    if (!parsed.success) throw new ConsoleApiError(502, 'BAD_REPLY', `the API's answer to ${method} ${path} has an unexpected shape: ${parsed.error.issues[0]?.message ?? ''}`);
    return parsed.data;
  }

  get<S extends z.ZodType>(schema: S, path: string): Promise<z.infer<S>> {
    return this.call(schema, 'GET', path);
  }
}

/** The error of a non-2xx answer, with the API's code and message when it gave them. */
export function apiError(r: RawReply): ConsoleApiError {
  let json: unknown;
  try {
    json = JSON.parse(r.body);
  } catch {
    json = undefined;
  }
  const e = ErrorBody.safeParse(json);
  if (e.success) return new ConsoleApiError(r.status, e.data.error.code, e.data.error.message, e.data.error.field);
  return new ConsoleApiError(r.status, 'HTTP_' + r.status, `the API answered ${r.status}`);
}

/** The console API of a request, made by the console's hook (console.ts). */
export function consoleApiOf(req: FastifyRequest): ConsoleApi {
  const api = req.consoleApi;
  if (!api) throw new ConsoleApiError(401, 'UNAUTHORIZED', 'not signed in');
  return api;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on every signed-in console request. */
    consoleApi: ConsoleApi | undefined;
  }
}
