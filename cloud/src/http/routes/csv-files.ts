/**
 * The CSV files of the API (contacts, users, locations), one way for every route: the upload every import takes, a
 * `text/csv` body (what curl's `--data-binary @file -H 'content-type: text/csv'` and the CLI send) read as bytes up to
 * the import's limit; the answers of an import (done, 422 with every bad row, 413 over the limit); a CSV download.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RowProblem } from '../../csv/read-table.ts';
import { TableTooLarge } from '../../csv/read-table.ts';
import { ErrorSchema, ERRORS } from '../schemas.ts';

/** Accepts `text/csv` bodies (as bytes) in this plugin's routes; each route sets its own `bodyLimit`. */
export function acceptCsv(app: FastifyInstance): void {
  app.addContentTypeParser('text/csv', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
}

export const csvBody = z.instanceof(Buffer).describe('the CSV file as the request body, `content-type: text/csv` (UTF-8, comma, semicolon or tab)');

export const RowProblemSchema = z.object({
  line: z.number().int().describe("the file's line where the record starts (the header is line 1)"),
  column: z.string().optional(),
  problem: z.string(),
});
export const ImportRejectedSchema = ErrorSchema.extend({ problems: z.array(RowProblemSchema).describe('every bad row; nothing was imported') });

/** The answer to an import with bad rows: 422 with every problem, nothing written. */
export function importRejected(reply: FastifyReply, what: string, problems: RowProblem[]): FastifyReply {
  const rows = new Set(problems.map((p) => p.line)).size;
  return reply.code(422).send({
    error: { code: 'IMPORT_REJECTED', message: `${rows} ${rows === 1 ? 'line has' : 'lines have'} problems; no ${what} were imported`, field: 'body' },
    problems,
  });
}

/** A file over an import's byte limit: 413 saying the limit (fastify refuses it before reading when it says its length). */
export function tooLarge(reply: FastifyReply, err: TableTooLarge): FastifyReply {
  return reply.code(413).send({ error: { code: 'PAYLOAD_TOO_LARGE', message: err.message, field: 'body' } });
}

/**
 * An onRequest hook refusing a CSV upload whose announced length is over the import's limit before its body is read,
 * with the import's own message (a body sent without a length meets the route's `bodyLimit`).
 */
export function refuseLargeCsv(what: string, maxBytes: number) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const length = Number(req.headers['content-length'] ?? 0);
    if (req.method !== 'POST' || !req.routeOptions.url?.endsWith('/import') || !(length > maxBytes)) return undefined;
    return tooLarge(reply, new TableTooLarge(what, length, maxBytes));
  };
}

/** The answers of a CSV download: the file, or an error. */
export const csvReply = { 200: z.string().describe('text/csv'), ...ERRORS };

/** The answers of an import: the counts every import gives plus `extra` (its own), every bad row, or an error. */
export function importReplies<E extends z.ZodRawShape>(extra: E) {
  const counts = { ok: z.literal(true), rows: z.number().int(), added: z.number().int(), updated: z.number().int(), unchanged: z.number().int() };
  return { 200: z.object({ import: z.object({ ...counts, ...extra }) }), 422: ImportRejectedSchema, ...ERRORS };
}

/** A CSV file as the answer, offered for download under `filename`. */
export function sendCsv(reply: FastifyReply, filename: string, text: string): FastifyReply {
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`).send(text);
}

/** The answer to an import run by `run`: `{ import }` when done, 422 with every bad row, 413 over the byte limit. */
export async function answerImport<R extends object>(reply: FastifyReply, what: string, run: () => Promise<({ ok: true } & R) | { ok: false; problems: RowProblem[] }>): Promise<FastifyReply> {
  try {
    const r = await run();
    return r.ok ? reply.send({ import: r }) : importRejected(reply, what, r.problems);
  } catch (err) {
    if (err instanceof TableTooLarge) return tooLarge(reply, err);
    throw err;
  }
}
