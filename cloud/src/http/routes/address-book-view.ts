/**
 * What of the address book a request may see and change (its enterprise and access level), for the contact,
 * department and CSV routes, and the CSV upload every import route shares: a `text/csv` body (what curl's
 * `--data-binary @file -H 'content-type: text/csv'` and the CLI send), read as bytes up to the import's limit.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RowProblem } from '../../csv/read-table.ts';
import { TableTooLarge } from '../../csv/read-table.ts';
import type { AddressBookView } from '../../domain/use-cases/contacts-csv.ts';
import type { Store } from '../../store/store.ts';
import { scopeOf } from '../scope.ts';
import { ErrorSchema } from '../schemas.ts';

/**
 * The caller's view of the address book (scope.ts): their enterprise's contacts and departments, a contact tied to a
 * location only when their access level holds it, and the locations their access level holds. Whether a contact is
 * seen depends on its enterprise and location alone: a search asks once per enterprise and location (ContactSearch).
 */
export function addressBookView(req: FastifyRequest, store: Store): AddressBookView {
  const scope = scopeOf(req, store);
  return {
    enterpriseId: scope.enterpriseId,
    contact: (c) => scope.hasContact(c),
    department: (d) => d.enterpriseId === scope.enterpriseId,
    location: (id) => scope.hasLocation(id),
  };
}

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

export { TableTooLarge };
