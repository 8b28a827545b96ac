/**
 * The store a cloud runs on, as its configuration says (`store` section): the file store in `<dataDir>/store` (one
 * cloud process), or PostgreSQL (several instances on one database). Nothing else in the runtime knows which one runs;
 * what differs, the online backup, is decided here.
 */
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { writeBackup } from '../backup/backup.ts';
import { maskDatabaseUrl, type StoreConfig } from '../config/config.ts';
import type { BackupWriter } from '../http/routes/backup.ts';
import { DurableStore } from '../store/durable.ts';
import type { Store } from '../store/store.ts';
import type { TokenRepo } from '../auth/sessions.ts';
import { EventJournal } from '../sync/event-journal.ts';
import type { EventLog } from '../sync/event-log.ts';
import type { DesiredVersions } from '../sync/desired-store.ts';
import { FileTokenRepo } from '../auth/token-file.ts';

/** Where sign-in sessions live, and how the requests' times held in memory are written at a stop. */
export type SessionRepo = TokenRepo & { flush(): Promise<void> };

export interface OpenedStore {
  store: Store;
  /** For logs and messages: `file <folder>` or the database's URL with its password masked. */
  where: string;
  /** `GET /api/v1/backup`: the data folder, with the file store in it, or without a store (it is in the database). */
  backup: BackupWriter;
  /**
   * The sign-in sessions: `tokens.json` in the data folder beside a file store; the `sessions` table beside a
   * PostgreSQL store, shared by every instance so that any of them serves any request.
   */
  sessions(onProblem?: (message: string) => void): Promise<SessionRepo>;
  /**
   * Set when several instances may share the store (PostgreSQL): this instance's id, the holder of its leases; the
   * controller side is then divided between instances (runtime/controller-ownership.ts).
   */
  instanceId?: string;
  /**
   * Where the link keeps controllers' events and the desired versions it signed: the data folder's `sync/` beside a
   * file store (`desired` undefined: the link keeps a file per controller there), the database beside PostgreSQL,
   * so that an instance taking a bank over goes on from what the previous owner stored and signed.
   */
  linkState(): Promise<LinkState>;
}

export interface LinkState {
  journal: EventLog;
  desired?: DesiredVersions;
  /** The journal is in the database: it is read per controller (EventIngest.catchUp), never whole at start. */
  inDatabase: boolean;
}

export interface OpenStoreOptions {
  config: StoreConfig;
  /** The data folder and its `store/` folder (runtimePaths). */
  paths: { root: string; store: string; tokens: string; events: string; desired: string };
  logger: Logger;
  now: () => number;
}

export async function openStore(o: OpenStoreOptions): Promise<OpenedStore> {
  if (o.config.kind === 'file') {
    const store = await DurableStore.open(o.paths.store, { logger: o.logger });
    const write = (out: Writable): Promise<unknown> => writeBackup(out, { dataDir: o.paths.root, storeDir: o.paths.store, store, now: o.now });
    return {
      store,
      where: `file ${o.paths.store}`,
      backup: Object.assign(write, { store: 'file' as const }),
      sessions: (onProblem) => FileTokenRepo.open(o.paths.tokens, o.now(), onProblem),
      linkState: async () => ({ journal: await EventJournal.open(o.paths.events), inDatabase: false }),
    };
  }
  // Loaded only on this path: a file-store cloud does not pay for the driver and the migration tool.
  const { PgStore } = await import('../store/pg/pg-store.ts');
  const url = o.config.url;
  const where = maskDatabaseUrl(url);
  const store = await PgStore.open({
    url: o.config.url,
    poolSize: o.config.poolSize,
    logger: o.logger,
    ...(o.config.instanceId !== undefined ? { instanceId: o.config.instanceId } : {}),
  }).catch((err: unknown) => {
    o.logger.error({ store: where }, 'cannot open the PostgreSQL store');
    throw err;
  });
  // The database is backed up with its own tools (pg_dump); the data folder still holds keys, identities and sync state.
  const write = (out: Writable): Promise<unknown> => writeBackup(out, { dataDir: o.paths.root, storeDir: o.paths.store, now: o.now });
  const { PgTokenRepo } = await import('../auth/token-pg.ts');
  return {
    store,
    where,
    backup: Object.assign(write, { store: 'postgres' as const }),
    sessions: async (onProblem) => new PgTokenRepo(store.db, onProblem),
    instanceId: store.instanceId,
    linkState: async () => {
      // A folder a release before kept beside this database: its events and versions go on in the database.
      const { adoptFolderLink } = await import('../store/pg/adopt-link.ts');
      await adoptFolderLink({ url, events: o.paths.events, desired: o.paths.desired, logger: o.logger });
      const { PgEventJournal } = await import('../sync/pg-event-journal.ts');
      const { PgDesiredStore } = await import('../sync/pg-desired-store.ts');
      return { journal: await PgEventJournal.open(store.db, { logger: o.logger }), desired: await PgDesiredStore.open(store.db), inDatabase: true };
    },
  };
}
