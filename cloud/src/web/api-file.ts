/** A file the API answers (a CSV export or template) passed on to the browser to save, under the console's headers. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiError, consoleApiOf } from './console-api.ts';
import { consoleHeaders } from './shell.ts';

/** The API's answer to `GET apiPath` as the console's answer: its type and its file name (or `attachment`). */
export async function sendApiFile(req: FastifyRequest, reply: FastifyReply, apiPath: string): Promise<FastifyReply> {
  const r = await consoleApiOf(req).raw('GET', apiPath);
  if (r.status !== 200) throw apiError(r);
  return consoleHeaders(reply)
    .code(200)
    .type(String(r.headers['content-type'] ?? 'text/csv; charset=utf-8'))
    .header('content-disposition', String(r.headers['content-disposition'] ?? 'attachment'))
    .send(r.body);
}
