/**
 * A cloud that ran on PostgreSQL under a release that kept the controller sync state in the data folder (`sync/`:
 * the events journal and the desired versions) finds the database's link tables empty at its first start on this
 * release. The folder's state is taken into them then, in one transaction (import-link.ts, as migrate-store does), so
 * controllers' seqs and desired versions go on where they were instead of showing as lost; the folder is renamed
 * `sync.in-database` so it is not taken twice. Instances starting at once take turns on a lock; a database whose link
 * tables hold anything already (another instance's folder taken first, or events stored since) takes nothing, and
 * the folder is left as it was, with a warning naming it.
 */
import { existsSync } from 'node:fs';
import { readdir, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { desiredStateHash } from '@portier/protocol';
import pg from 'pg';
import type { Logger } from 'pino';
import { DesiredStore } from '../../sync/desired-store.ts';
import { JOURNAL_FILE } from '../../sync/event-journal.ts';
import { CLOUD_APPLICATION_NAME } from './change-feed.ts';
import { importLink, linkHeld, type LinkReport } from './import-link.ts';

/** Serialises instances taking a folder's state in (any fixed key apart from the commit lock's). */
const ADOPT_LOCK = 7240425;
export const ADOPTED_SUFFIX = '.in-database';

/** Takes the folder's sync state into an empty database's link tables; answers what moved, or undefined. */
export async function adoptFolderLink(o: { url: string; events: string; desired: string; logger: Logger }): Promise<LinkReport | undefined> {
  const journalFile = join(o.events, JOURNAL_FILE);
  const desiredFiles = existsSync(o.desired) ? (await readdir(o.desired)).filter((n) => n.endsWith('.json') && !n.startsWith('.')) : [];
  if (!existsSync(journalFile) && desiredFiles.length === 0) return undefined;
  const log = o.logger.child({ module: 'adopt-link' });
  const folder = dirname(o.events);
  const client = new pg.Client({ connectionString: o.url, application_name: CLOUD_APPLICATION_NAME });
  client.on('error', (err) => log.warn({ err }, 'the connection taking the sync folder in failed'));
  await client.connect();
  let report: LinkReport | undefined;
  try {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [ADOPT_LOCK]);
      const held = await linkHeld(client);
      if (held.length > 0) {
        await client.query('ROLLBACK');
        log.warn({ folder, database: held }, `${folder} is not used on PostgreSQL and was not taken in: the database holds the controller sync state already; move the folder away`);
        return undefined;
      }
      const desired = desiredFiles.length > 0 ? (await DesiredStore.open(o.desired, (d) => desiredStateHash(d.state))).all() : [];
      report = (await importLink(client, { journalFile, desired }, 2000, log)).report;
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  await rename(folder, folder + ADOPTED_SUFFIX);
  log.info({ ...report, folder: folder + ADOPTED_SUFFIX }, 'the data folder\'s controller sync state was taken into the database');
  return report;
}
