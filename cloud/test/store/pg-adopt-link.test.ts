// A cloud that ran on PostgreSQL under the previous release kept controllers' events and desired versions in its data
// folder (the fixture written by that release, cloud/test/fixtures/data-2026-12, has them): at its first start on this
// release they are taken into the database's empty link tables, once, and the folder is set aside; a database that
// holds link state already takes nothing and leaves the folder.
import { cp, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import t from 'tap';
import { ADOPTED_SUFFIX, adoptFolderLink } from '../../src/store/pg/adopt-link.ts';
import { PgStore } from '../../src/store/pg/pg-store.ts';
import { EventJournal } from '../../src/sync/event-journal.ts';
import { PgDesiredStore } from '../../src/sync/pg-desired-store.ts';
import { PgEventJournal } from '../../src/sync/pg-event-journal.ts';
import { FIXTURE, tempDir } from '../data-folder/helpers.ts';
import { postgresMissing, startPostgres } from './pg-server.ts';

const logger = pino({ level: 'silent' });

t.test('the previous release\'s sync folder beside PostgreSQL', { skip: postgresMissing }, async (t) => {
  const server = await startPostgres(t);

  async function folderWithEvents(): Promise<{ events: string; desired: string; root: string }> {
    const root = await tempDir(t, 'portier-adopt-');
    await cp(join(FIXTURE, 'data', 'sync'), join(root, 'sync'), { recursive: true });
    const events = join(root, 'sync', 'events');
    // Appended by the file journal, whose format the previous release wrote.
    const j = await EventJournal.open(events);
    const ev = (seq: number) => ({ bankId: 'bank-a', controllerId: 'bank-a-ctl-1', seq, at: 1000 + seq, storedAt: 2000 + seq, event: { type: 'door-closed' as const, door: 1, openForMs: 1500 } });
    await j.append([ev(1), ev(2), ev(3)]);
    await j.close();
    return { events, desired: join(root, 'sync', 'desired'), root };
  }

  t.test('taken into an empty database once; the folder set aside', async (t) => {
    const url = await server.createDatabase();
    await (await PgStore.open({ url })).close(); // the schema, as the store's open brings it forward
    const f = await folderWithEvents();
    const fixtureDesired = (await readdir(f.desired)).length;
    const report = await adoptFolderLink({ url, events: f.events, desired: f.desired, logger });
    t.match(report, { events: 3, controllers: 1, desired: fixtureDesired });
    t.notOk(existsSync(join(f.root, 'sync')), 'the folder is not read again');
    t.ok(existsSync(join(f.root, `sync${ADOPTED_SUFFIX}`, 'events', 'events.jsonl')), 'kept under its new name');

    const pool = new pg.Pool({ connectionString: url });
    t.teardown(() => pool.end());
    const journal = await PgEventJournal.open(pool);
    await journal.refresh(['bank-a-ctl-1']);
    t.equal(journal.storedUpTo('bank-a-ctl-1'), 3, "the controller's seqs go on after 3");
    t.same((await journal.read('bank-a-ctl-1')).map((e) => e.seq), [1, 2, 3]);
    const desired = await PgDesiredStore.open(pool);
    t.equal(desired.all().length, fixtureDesired, 'every desired version');
    t.ok(desired.get('bank-a-ctl-1')!.message.version >= 1);
    t.equal(await adoptFolderLink({ url, events: f.events, desired: f.desired, logger }), undefined, 'nothing left to take');
  });

  t.test('a database holding link state already takes nothing; the folder stays', async (t) => {
    const url = await server.createDatabase();
    await (await PgStore.open({ url })).close();
    await adoptFolderLink({ url, ...(await folderWithEvents()), logger });
    const second = await folderWithEvents();
    t.equal(await adoptFolderLink({ url, events: second.events, desired: second.desired, logger }), undefined);
    t.ok(existsSync(join(second.root, 'sync', 'events', 'events.jsonl')), 'left as it was');
    const pool = new pg.Pool({ connectionString: url });
    t.teardown(() => pool.end());
    t.equal(Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM link_events')).rows[0]!.n), 3, 'no event twice');
  });

  t.test('a folder without sync state: nothing to do', async (t) => {
    const url = await server.createDatabase();
    const root = await tempDir(t, 'portier-adopt-');
    t.equal(await adoptFolderLink({ url, events: join(root, 'sync', 'events'), desired: join(root, 'sync', 'desired'), logger }), undefined);
  });
});
