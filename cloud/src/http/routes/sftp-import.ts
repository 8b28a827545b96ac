/**
 * The caller's enterprise's scheduled SFTP import of its address book (tag `addressBook`): its configuration (secrets
 * are write-only: the answer says `hasPassword` / `hasPrivateKey`), its runs, a run now, and forgetting the pinned
 * host key. The import reaches the whole enterprise's address book, so these routes ask for an enterprise-wide
 * access level as well as the address-book permission.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LockerService } from '../../domain/service.ts';
import { publicSftpImportSchema, sftpImportInput, sftpImportRunSchema } from '../../sftp/model.ts';
import type { SftpRunner } from '../../sftp/runner.ts';
import { ApiError } from '../errors.ts';
import { scopeOf } from '../scope.ts';
import { actorOf, ok } from './common.ts';

export const ImportReply = z.object({ sftpImport: publicSftpImportSchema });
export const RunReply = z.object({ run: sftpImportRunSchema });
export const RunsReply = z.object({ runs: z.array(sftpImportRunSchema).describe('newest first') });
const TAGS = ['addressBook'];

export const sftpImportRoutes: FastifyPluginAsyncZod<{ service: LockerService; runner: Pick<SftpRunner, 'run'> | undefined }> = async (app, { service, runner }) => {
  const imports = service.sftpImports;
  /** The caller's enterprise, when their access level is all of it. */
  const enterpriseOf = (req: FastifyRequest): string => {
    const scope = scopeOf(req, service.store);
    if (scope.principal.accessLevel.kind !== 'enterprise') throw new ApiError('FORBIDDEN', "the SFTP import covers the whole enterprise's address book: it needs an enterprise-wide access level");
    return scope.enterpriseId;
  };

  app.get('/sftp-import', { schema: { tags: TAGS, summary: "Your enterprise's SFTP import: server, file, schedule, pinned host key, next run (never its secrets)", response: ok(ImportReply) } }, async (req) => ({
    sftpImport: imports.get(enterpriseOf(req)),
  }));
  app.put(
    '/sftp-import',
    {
      schema: {
        tags: TAGS,
        summary:
          'Set up or replace the SFTP import: host, port, user, a password or a PEM private key (with its passphrase), remote path, delimiter, merge or replace, cron schedule. A secret left out keeps the stored one; another host or port forgets the pinned host key',
        body: sftpImportInput,
        response: ok(ImportReply),
      },
    },
    async (req) => ({ sftpImport: await imports.set(enterpriseOf(req), req.body, actorOf(req)) }),
  );
  app.delete('/sftp-import', { schema: { tags: TAGS, summary: 'Remove the SFTP import, its secrets and its runs', response: ok(ImportReply) } }, async (req) => ({
    sftpImport: await imports.remove(enterpriseOf(req), actorOf(req)),
  }));
  app.delete(
    '/sftp-import/host-key',
    { schema: { tags: TAGS, summary: "Forget the server's pinned host key: the next run pins the key the server shows then", response: ok(ImportReply) } },
    async (req) => ({ sftpImport: await imports.forgetHostKey(enterpriseOf(req), actorOf(req)) }),
  );
  app.post(
    '/sftp-import/run',
    {
      schema: {
        tags: TAGS,
        summary: 'Run the import now and answer the run: ok, failed (with every bad row; nothing imported) or skipped (the previous run still going)',
        response: ok(RunReply),
      },
    },
    async (req) => {
      const enterpriseId = enterpriseOf(req);
      imports.get(enterpriseId);
      if (!runner) throw new ApiError('UNAVAILABLE', 'this server runs no SFTP imports');
      return { run: await runner.run(enterpriseId, 'manual', actorOf(req)) };
    },
  );
  app.get('/sftp-import/runs', { schema: { tags: TAGS, summary: 'The latest runs of the import, newest first', response: ok(RunsReply) } }, async (req) => ({
    runs: imports.runs(enterpriseOf(req)),
  }));
};
