/**
 * The PostgreSQL store's schema, moved forward by node-pg-migrate from the SQL files in `migrations/` (applied in
 * name order, each recorded in `pgmigrations`, all pending ones in one transaction under the tool's advisory lock, so
 * two instances starting at once migrate once). A database migrated by a newer release is refused, never written.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type pg from 'pg';
import type { Logger } from 'pino';
import { StoreError } from '../store.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));
const TABLE = 'pgmigrations';

/** The names of this release's migrations, in order. */
export async function knownMigrations(): Promise<string[]> {
  return (await readdir(MIGRATIONS_DIR))
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => f.slice(0, -'.sql'.length));
}

/** Brings the database's schema to this release's; refuses one a newer release migrated. Returns what it applied. */
export async function migrateSchema(client: pg.ClientBase, logger: Logger): Promise<string[]> {
  const known = new Set(await knownMigrations());
  const table = await client.query<{ exists: boolean }>(`SELECT to_regclass('${TABLE}') IS NOT NULL AS exists`);
  if (table.rows[0]?.exists) {
    const ran = await client.query<{ name: string }>(`SELECT name FROM ${TABLE} ORDER BY run_on, id`);
    const unknown = ran.rows.map((r) => r.name).filter((n) => !known.has(n));
    if (unknown.length > 0)
      throw new StoreError('CORRUPT', `the database was migrated by a newer release of portier-cloud (${unknown.join(', ')}): run that release, or restore a backup of this one`);
  }
  const log = logger.child({ module: 'pg-migrate' });
  const applied = await runner({
    dbClient: client,
    dir: MIGRATIONS_DIR,
    migrationsTable: TABLE,
    direction: 'up',
    checkOrder: true,
    singleTransaction: true,
    advisoryLockMode: 'wait',
    logger: { debug: (m: string) => log.debug(m), info: (m: string) => log.debug(m), warn: (m: string) => log.warn(m), error: (m: string) => log.error(m) },
  });
  for (const m of applied) log.info({ migration: m.name }, 'applied a migration of the store schema');
  return applied.map((m) => m.name);
}
