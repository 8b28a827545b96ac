// Once-only jobs of instances on one PostgreSQL (the expiry sweep, the e-mail sender): one instance holds each, a dead
// holder's jobs are taken by another once its leases expire, a stopped holder's at once; a lone instance holds every
// job without writing a lease.
import t, { type Test } from 'tap';
import { JobLeases, soleJobs } from '../../src/store/job-leases.ts';
import { PgStore } from '../../src/store/pg/pg-store.ts';
import { postgresMissing, startPostgres } from './pg-server.ts';

const JOBS = ['expiry', 'mail-outbox'];

t.test('a lone instance holds every job and writes nothing', async (t) => {
  const jobs = soleJobs();
  await jobs.start();
  t.ok(jobs.job('expiry').holds());
  await jobs.stop();
});

t.test('instances on one PostgreSQL', { skip: postgresMissing }, async (t) => {
  const server = await startPostgres(t);

  async function instance(t: Test, url: string, id: string): Promise<{ store: PgStore; jobs: JobLeases }> {
    const store = await PgStore.open({ url, instanceId: id });
    const jobs = new JobLeases({ store, holder: id, jobs: JOBS, ttlMs: 1200, renewMs: 300 });
    t.teardown(async () => {
      await jobs.stop();
      await store.close().catch(() => undefined);
    });
    return { store, jobs };
  }

  /** Resolves once `job` was gained by `jobs`, within `ms`. */
  const gained = (jobs: JobLeases, job: string, ms = 10_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${job} not gained within ${ms} ms`)), ms);
      jobs.job(job).on('gained', () => {
        clearTimeout(timer);
        resolve();
      });
    });

  t.test('one holder; a dead holder\'s jobs are taken once its leases expire', async (t) => {
    const url = await server.createDatabase();
    const a = await instance(t, url, 'a');
    const b = await instance(t, url, 'b');
    await a.jobs.start();
    await b.jobs.start();
    t.ok(JOBS.every((j) => a.jobs.job(j).holds()), 'the first instance holds every job');
    t.ok(JOBS.every((j) => !b.jobs.job(j).holds()), 'never both');
    await b.jobs.tick();
    t.ok(JOBS.every((j) => !b.jobs.job(j).holds()), 'not while the holder renews');
    const taken = Promise.all(JOBS.map((j) => gained(b.jobs, j)));
    await a.store.close(); // renews nothing any more, as after a SIGKILL
    await taken;
    t.ok(JOBS.every((j) => b.jobs.job(j).holds()), 'taken over');
    t.ok(b.store.list('leases').filter((l) => JOBS.includes(l.name)).every((l) => l.holder === 'b'));
  });

  t.test('a stopped holder releases its jobs: the next round of another takes them', async (t) => {
    const url = await server.createDatabase();
    const a = await instance(t, url, 'a');
    const b = await instance(t, url, 'b');
    await a.jobs.start();
    await b.jobs.start();
    await a.jobs.stop();
    t.notOk(a.jobs.job('expiry').holds());
    await b.jobs.tick();
    t.ok(JOBS.every((j) => b.jobs.job(j).holds()));
  });
});
