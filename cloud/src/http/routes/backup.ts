/**
 * `GET /backup`: an online backup of the running cloud's data folder, streamed as the backup file itself (JSON lines,
 * backup/archive.ts). `portier-cloud backup --out FILE` calls it with an admin's token. A failure half-way ends the
 * stream before the manifest line, so the file is recognisably incomplete.
 */
import { PassThrough, type Writable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { ERRORS } from '../schemas.ts';

/**
 * Writes the backup. `store`: where the cloud's store is; `postgres`, not in the backup (the database is backed up with
 * pg_dump), which the answer's `x-portier-store` header says, so `portier-cloud backup` can tell the operator.
 */
export type BackupWriter = ((out: Writable) => Promise<unknown>) & { store?: 'file' | 'postgres' };

export const backupRoutes: FastifyPluginAsyncZod<{ backup: BackupWriter | undefined }> = async (app, { backup }) => {
  app.get(
    '/backup',
    {
      schema: {
        tags: ['operations'],
        summary: 'An online backup of the data folder (JSON lines: header, files in base64 chunks with sha256, manifest); restore with `portier-cloud restore`',
        response: {
          200: { description: 'the backup file', content: { 'application/x-ndjson': { schema: z.string() } } },
          ...ERRORS,
        },
      },
    },
    async (req, reply) => {
      // Only a server built without a data folder (an API over a memory store) has nothing to back up.
      if (!backup) throw new ApiError('NOT_FOUND', 'this server keeps no data folder to back up');
      const out = new PassThrough();
      backup(out).then(
        () => out.end(),
        (err: unknown) => {
          req.log.error({ err }, 'backup failed');
          out.destroy(err instanceof Error ? err : new Error(String(err)));
        },
      );
      return reply.header('content-type', 'application/x-ndjson').header('cache-control', 'no-store').header('x-portier-store', backup.store ?? 'file').send(out as never);
    },
  );
};
