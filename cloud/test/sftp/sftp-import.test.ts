// The scheduled SFTP import end to end against a real OpenSSH server (one per file, started by the test on a loopback
// port): a password and a PEM key, merge and replace, a bad row leaving the address book unchanged with the run's
// report and an alert, a changed host key refused until forgotten, a run overlapping the previous one skipped, the
// run lease keeping a second instance out, and the schedule driven by fake time with one runner across two instances.
import { once } from 'node:events';
import { pino, type Logger } from 'pino';
import sinon from 'sinon';
import t, { type Test } from 'tap';
import { fetchFile, type FetchRequest, type Fetched } from '../../src/sftp/fetch.ts';
import type { PublicSftpImport, SftpImportRun } from '../../src/sftp/model.ts';
import { SftpRunner, type SftpRunFailed, type Timers } from '../../src/sftp/runner.ts';
import { SftpScheduler } from '../../src/sftp/scheduler.ts';
import { makeTestApp, seedModel, signedInUser, silent, storeSnapshot, type TestApp } from '../http/helpers.ts';
import { sshdMissing, startSshd, type TestSshd } from './sshd.ts';

const HEADER = 'PersonnelID,FirstName,LastName,Email';
const URL_ = '/api/v1/sftp-import';

interface Setup extends TestApp {
  runner: SftpRunner;
  /** PUT the configuration as the operator; answers the reply's body. */
  configure(body: Record<string, unknown>): Promise<PublicSftpImport>;
  /** POST run as the operator; answers the run. */
  runNow(): Promise<SftpImportRun>;
  contacts(): string[];
}

/** A seeded test app with an SFTP runner (fetching over SSH unless `fetch` is given) behind its API. */
async function setup(t: Test, sshd: TestSshd, opts: { fetch?: (req: FetchRequest) => Promise<Fetched>; instanceId?: string; timers?: Timers; logger?: Logger } = {}): Promise<Setup> {
  let runner: SftpRunner | undefined;
  const ta = await makeTestApp({ sftp: { run: (e, trigger, by) => runner!.run(e, trigger, by) } });
  t.teardown(() => ta.app.close());
  await seedModel(ta.service);
  runner = new SftpRunner({
    imports: ta.service.sftpImports,
    store: ta.store,
    instanceId: opts.instanceId ?? 'instance-1',
    random: ta.service.random,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...(opts.timers ? { timers: opts.timers } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  const configure = async (body: Record<string, unknown>): Promise<PublicSftpImport> => {
    const res = await ta.app.inject({ method: 'PUT', url: URL_, headers: ta.headers('operator'), payload: { host: sshd.host, port: sshd.port, username: sshd.user, schedule: '0 2 * * *', ...body } });
    t.equal(res.statusCode, 200, res.body);
    return res.json<{ sftpImport: PublicSftpImport }>().sftpImport;
  };
  const runNow = async (): Promise<SftpImportRun> => {
    const res = await ta.app.inject({ method: 'POST', url: `${URL_}/run`, headers: ta.headers('operator') });
    t.equal(res.statusCode, 200, res.body);
    return res.json<{ run: SftpImportRun }>().run;
  };
  const contacts = (): string[] => ta.store.list('contacts').map((c) => `${c.personnelId ?? c.id}:${c.firstName} ${c.lastName}`).sort();
  return Object.assign(ta, { runner, configure, runNow, contacts });
}

/** The real fetch, held at its start until `release()`: a run that is still going. `inFetch` resolves once one is held. */
function gatedFetch(): { fetch: (req: FetchRequest) => Promise<Fetched>; inFetch: Promise<void>; release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const inFetch = new Promise<void>((r) => (entered = r));
  const fetch = async (req: FetchRequest): Promise<Fetched> => {
    entered();
    await gate;
    return fetchFile(req, silent);
  };
  return { fetch, inFetch, release };
}

/** `p`, or a failure once `ms` of real time passed. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

t.test('SFTP import against a real OpenSSH server', { skip: sshdMissing }, async (t) => {
  const sshd = await startSshd(t);

  t.test('password: the first run pins the host key and adds the contacts; the password is never answered nor stored in clear', async (t) => {
    let logged = '';
    const logger = pino({ level: 'trace' }, { write: (line: string) => void (logged += line) });
    const s = await setup(t, sshd, { logger });
    const path = await sshd.put('people.csv', `${HEADER}\nN-1,Nina,North,nina@example.org\nN-2,Noel,Nash,\nP-1,Rita,Renamed,rita@example.com\n`);
    const cfg = await s.configure({ password: sshd.password, remotePath: path });
    t.match(cfg, { hasPassword: true, hasPrivateKey: false, enabled: true, mode: 'merge', delimiter: ',', remotePath: path });
    t.notOk(cfg.hostKey, 'nothing pinned before the first connection');
    const run = await s.runNow();
    t.match(run, { outcome: 'ok', trigger: 'manual', rows: 3, added: 2, changed: 1, removed: 0, errors: [] });
    t.ok(s.contacts().includes('N-1:Nina North') && s.contacts().includes('P-1:Rita Renamed'), 'added and changed');
    const got = await s.app.inject({ url: URL_, headers: s.headers('operator') });
    t.equal(got.json<{ sftpImport: PublicSftpImport }>().sftpImport.hostKey?.fingerprint, await sshd.fingerprint(), 'the host key pinned is the server\'s (as ssh-keygen -l shows it)');
    t.notOk(got.body.includes(sshd.password), 'the API never answers the password');
    t.notOk(JSON.stringify(s.store.list('sftpImports')).includes(sshd.password), 'the store holds it sealed');
    t.match(logged, /SFTP import ok/, 'the run is logged');
    t.notOk(logged.includes(sshd.password), 'without the password');
    const activity = JSON.stringify(await s.service.queryActivity({}));
    t.notOk(activity.includes(sshd.password), 'nor does the activity log');
    const audit = (await s.service.queryActivity({ type: 'admin-change' })).filter((a) => a.target?.kind === 'import');
    t.match(audit, [{ detail: 'SFTP import set up', changes: [{ field: 'host' }] }, { detail: 'SFTP host key pinned on first use' }, { detail: /^contacts imported \(merge\)/ }], 'the set-up, the pin and the import are audited');
    const runs = await s.app.inject({ url: `${URL_}/runs`, headers: s.headers('operator') });
    t.same(runs.json<{ runs: SftpImportRun[] }>().runs.map((r) => r.id), [run.id], 'the run is recorded');
  });

  t.test('a PEM private key, a semicolon file, merge: one contact changed, the others kept', async (t) => {
    const s = await setup(t, sshd);
    const path = await sshd.put('semi.csv', `PersonnelID;FirstName;LastName\nP-1;Rita;Keyed\n`);
    const cfg = await s.configure({ privateKey: sshd.privateKeyPem, remotePath: path, delimiter: ';' });
    t.match(cfg, { hasPassword: false, hasPrivateKey: true, hasPassphrase: false, delimiter: ';' });
    t.notOk(JSON.stringify(cfg).includes('PRIVATE KEY'), 'the key is never answered');
    t.notOk(JSON.stringify(s.store.list('sftpImports')).includes('PRIVATE KEY'), 'and stored sealed');
    const before = s.contacts().length;
    const run = await s.runNow();
    t.match(run, { outcome: 'ok', rows: 1, added: 0, changed: 1, removed: 0 });
    t.equal(s.contacts().length, before, 'merge removes nobody');
    t.ok(s.contacts().includes('P-1:Rita Keyed'));
  });

  t.test('replace: contacts not in the file are removed, one a live reservation names is kept and reported', async (t) => {
    const s = await setup(t, sshd);
    const admin = { role: 'admin' as const, id: 'seed' };
    await s.service.createContact({ id: 'c-gone', enterpriseId: 'ent', name: 'Gary Gone', personnelId: 'G-1' }, admin);
    await s.service.reserve({ bankId: 'bank', kind: 'package', size: 'S', recipient: { type: 'contact', id: 'c-ada' } }, admin);
    const path = await sshd.put('replace.csv', `${HEADER}\nP-1,Rita,Recipient,rita@example.com\nR-9,Rhea,New,\n`);
    await s.configure({ password: sshd.password, remotePath: path, mode: 'replace' });
    const run = await s.runNow();
    t.match(run, { outcome: 'ok', mode: 'replace', added: 1, removed: 1, kept: [{ id: 'c-ada', reason: /reservation/ }] });
    t.same(s.contacts(), ['P-1:Rita Recipient', 'R-9:Rhea New', 'c-ada:Adam Access'], 'the one not named is gone, the busy one kept');
  });

  t.test('a bad row: the run fails with every problem, the address book is unchanged, an alert is recorded and announced', async (t) => {
    const s = await setup(t, sshd);
    const path = await sshd.put('bad.csv', `${HEADER}\nN-1,Nina,North,nina@example.org\nN-2,Noel,Nash,not-an-email\nN-3,,Nobody,\n`);
    await s.configure({ password: sshd.password, remotePath: path });
    const failed = once(s.runner, 'run-failed') as Promise<[SftpRunFailed]>;
    const before = await storeSnapshot(s.store);
    const contactsBefore = JSON.stringify(s.store.list('contacts'));
    const run = await s.runNow();
    t.match(run, { outcome: 'failed', added: 0, changed: 0, removed: 0, errors: [{ line: 3, column: 'Email' }, { line: 4, column: 'FirstName' }] });
    t.equal(JSON.stringify(s.store.list('contacts')), contactsBefore, 'not one contact changed');
    t.not(await storeSnapshot(s.store), before, 'the run and its alert are recorded');
    const [event] = await within(failed, 5000, 'run-failed');
    t.equal(event.run.id, run.id, 'notifications hear of the failed run');
    const alerts = await s.service.queryActivity({ type: 'alert' });
    t.match(alerts, [{ id: event.alert.id, enterpriseId: 'ent', actor: { role: 'system', id: 'sftp-import' }, detail: /^sftp-import-failed: .*line 3 Email/ }], 'an alert in the activity log');
    const runs = await s.app.inject({ url: `${URL_}/runs`, headers: s.headers('operator') });
    t.match(runs.json<{ runs: SftpImportRun[] }>().runs, [{ id: run.id, outcome: 'failed', errors: [{ line: 3 }, { line: 4 }] }], "the run's report lists the errors");
  });

  t.test('a changed host key is refused (nothing imported) until an administrator forgets the pin', async (t) => {
    const s = await setup(t, sshd);
    const path = await sshd.put('hostkey.csv', `${HEADER}\nH-1,Hana,Host,\n`);
    await s.configure({ password: sshd.password, remotePath: path });
    t.match(await s.runNow(), { outcome: 'ok', added: 1 });
    const first = await sshd.fingerprint();
    await sshd.newHostKeys();
    await sshd.put('hostkey.csv', `${HEADER}\nH-1,Hana,Host,\nH-2,Hugo,Host,\n`);
    const refused = await s.runNow();
    t.match(refused, { outcome: 'failed', added: 0, errors: [{ problem: /host key changed \(pinned SHA256:.*, presented SHA256:.*\): nothing was imported/ }] });
    t.notOk(s.contacts().includes('H-2:Hugo Host'), 'nothing imported');
    t.equal(s.service.sftpImports.get('ent').hostKey?.fingerprint, first, 'the pin is kept');
    const forgot = await s.app.inject({ method: 'DELETE', url: `${URL_}/host-key`, headers: s.headers('operator') });
    t.equal(forgot.statusCode, 200, forgot.body);
    t.notOk(forgot.json<{ sftpImport: PublicSftpImport }>().sftpImport.hostKey, 'forgotten');
    t.match(await s.runNow(), { outcome: 'ok', added: 1 });
    t.equal(s.service.sftpImports.get('ent').hostKey?.fingerprint, await sshd.fingerprint(), 'the new key pinned');
  });

  t.test('a fetch that outlasts its deadline gives nothing', async (t) => {
    const path = await sshd.put('slow.csv', `${HEADER}\nZ-1,Zoe,Slow,\n`);
    const req = { host: sshd.host, port: sshd.port, username: sshd.user, auth: { password: sshd.password }, remotePath: path, pinned: undefined, maxBytes: 1000, connectTimeoutMs: 10_000 };
    t.match(await fetchFile({ ...req, deadlineMs: 60_000 }, silent), { bytes: Buffer.from(`${HEADER}\nZ-1,Zoe,Slow,\n`) }, 'in time: the file');
    await t.rejects(fetchFile({ ...req, deadlineMs: 1 }, silent), /took longer than 0 s: nothing was imported/);
    await t.rejects(fetchFile({ ...req, deadlineMs: 60_000, maxBytes: 10 }, silent), /larger than the limit of 10 bytes/, 'a file over the limit is refused');
  });

  t.test('a run while the previous one is still going is skipped and recorded as skipped', async (t) => {
    const { fetch, inFetch, release } = gatedFetch();
    const s = await setup(t, sshd, { fetch });
    const path = await sshd.put('overlap.csv', `${HEADER}\nO-1,Olga,Overlap,\n`);
    await s.configure({ password: sshd.password, remotePath: path });
    const first = s.runNow();
    await within(inFetch, 5000, 'first run fetching');
    const second = await s.runNow();
    t.match(second, { outcome: 'skipped', trigger: 'manual', added: 0, errors: [{ problem: /previous run .* still going/ }] });
    release();
    t.match(await first, { outcome: 'ok', added: 1 });
    const runs = s.service.sftpImports.runs('ent');
    t.same(runs.map((r) => r.outcome), ['skipped', 'ok'], 'both recorded, the latest started first');
  });

  t.test('the run lease keeps a second instance on the same store from running the import at the same time', async (t) => {
    const { fetch, inFetch, release } = gatedFetch();
    const s = await setup(t, sshd, { instanceId: 'instance-1', fetch });
    const other = new SftpRunner({ imports: s.service.sftpImports, store: s.store, instanceId: 'instance-2', random: s.service.random });
    const path = await sshd.put('lease.csv', `${HEADER}\nL-1,Lea,Lease,\n`);
    await s.configure({ password: sshd.password, remotePath: path });
    const first = s.runner.run('ent', 'schedule');
    await within(inFetch, 5000, 'first run fetching');
    t.same(s.store.get('leases', 'sftp-run:ent')?.holder, 'instance-1', 'the running instance holds the lease');
    t.match(await other.run('ent', 'schedule'), { outcome: 'skipped' }, 'the other instance does not run it');
    release();
    t.match(await first, { outcome: 'ok', added: 1 });
    t.equal(s.store.get('leases', 'sftp-run:ent'), undefined, 'released at the end');
    t.match(await other.run('ent', 'manual'), { outcome: 'ok', added: 0, unchanged: 1 }, 'then the other may run it');
  });

  t.test('the schedule, on fake time: runs at the cron time and not before, by one of two instances on the same store', async (t) => {
    const T0 = Date.UTC(2026, 0, 15, 3, 0, 0);
    const clock = sinon.useFakeTimers({ now: T0, toFake: ['Date'] });
    t.teardown(() => clock.restore());
    const timers: Timers = { now: () => clock.now, setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h as number) };
    const s = await setup(t, sshd, { timers, instanceId: 'instance-1' });
    const other = new SftpRunner({ imports: s.service.sftpImports, store: s.store, instanceId: 'instance-2', random: s.service.random, timers });
    const path = await sshd.put('scheduled.csv', `${HEADER}\nS-1,Sam,Scheduled,\n`);
    await s.configure({ password: sshd.password, remotePath: path, schedule: '30 3 * * *' });
    const scheds = [
      new SftpScheduler({ imports: s.service.sftpImports, runner: s.runner, store: s.store, instanceId: 'instance-1', timers, checkMs: 60_000 }),
      new SftpScheduler({ imports: s.service.sftpImports, runner: other, store: s.store, instanceId: 'instance-2', timers, checkMs: 60_000 }),
    ];
    t.teardown(() => Promise.all(scheds.map((x) => x.stop())));
    for (const x of scheds) x.start();
    await clock.tickAsync(0);
    t.equal(s.store.get('leases', 'sftp-schedule:ent')?.holder, 'instance-1', 'the first instance holds the schedule');
    t.equal(scheds[0]!.nextRun('ent'), Date.UTC(2026, 0, 15, 3, 30), 'planned at the cron time');
    const otherRan = sinon.spy();
    other.on('run-finished', otherRan);
    await clock.tickAsync(30 * 60_000 - 1);
    t.equal(s.store.count('sftpRuns'), 0, 'nothing ran before the cron time');
    const finished = once(s.runner, 'run-finished') as Promise<[SftpImportRun]>;
    await clock.tickAsync(1);
    const [run] = await within(finished, 10_000, 'the scheduled run');
    t.match(run, { trigger: 'schedule', outcome: 'ok', added: 1, startedAt: Date.UTC(2026, 0, 15, 3, 30) });
    t.equal(s.store.count('sftpRuns'), 1, 'one run at that time');
    t.equal(otherRan.callCount, 0, 'the second instance did not run it');
    t.equal(scheds[0]!.nextRun('ent'), Date.UTC(2026, 0, 16, 3, 30), 'the next one is tomorrow');
    const got = await s.app.inject({ url: URL_, headers: s.headers('operator') });
    t.equal(got.json<{ sftpImport: PublicSftpImport }>().sftpImport.nextRunAt, Date.UTC(2026, 0, 16, 3, 30), 'the API says when it runs next');

    // The first instance stops: the second takes the schedule over at its next check and runs it the next day.
    await scheds[0]!.stop();
    await clock.tickAsync(60_000);
    t.equal(s.store.get('leases', 'sftp-schedule:ent')?.holder, 'instance-2', 'taken over');
    const next = once(other, 'run-finished') as Promise<[SftpImportRun]>;
    await clock.tickAsync(Date.UTC(2026, 0, 16, 3, 30) - clock.now);
    t.match((await within(next, 10_000, 'the run of the second instance'))[0], { trigger: 'schedule', outcome: 'ok', startedAt: Date.UTC(2026, 0, 16, 3, 30) });
  });
});

t.test('the API: checks every field, enterprise-wide administrators of the address book only, per enterprise', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  await seedModel(ta.service);
  const put = (body: Record<string, unknown>, headers = ta.headers('operator')) =>
    ta.app.inject({ method: 'PUT', url: URL_, headers, payload: { host: 'sftp.example.org', username: 'hr', remotePath: '/out/people.csv', schedule: '0 2 * * *', ...body } });
  const field = (res: { json<T>(): T }) => res.json<{ error: { field?: string; message: string } }>().error;
  t.equal((await ta.app.inject({ url: URL_, headers: ta.headers('operator') })).statusCode, 404, 'none set up yet');
  let res = await put({ password: 'pw', schedule: '61 * * * *' });
  t.equal(res.statusCode, 400);
  t.match(field(res), { field: 'body.schedule', message: /minute/ });
  res = await put({ password: 'pw', schedule: '* * *' });
  t.match(field(res), { field: 'body.schedule', message: /5 fields/ });
  res = await put({});
  t.match([res.statusCode, field(res)], [422, { field: 'body.password', message: /a password or a private key/ }], 'a secret is needed the first time');
  res = await put({ password: 'pw', privateKey: 'x' });
  t.match([res.statusCode, field(res)], [400, { field: 'body.privateKey' }]);
  res = await put({ privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n' });
  t.match([res.statusCode, field(res)], [422, { field: 'body.privateKey', message: /PEM/ }], 'a key in OpenSSH format is refused with how to convert it');
  res = await put({ password: 'pw', timezone: 'Mars/Olympus' });
  t.match([res.statusCode, field(res)], [400, { field: 'body.timezone', message: /time zone/ }]);
  res = await put({ password: 'pw', delimiter: '|' });
  t.match([res.statusCode, field(res)], [400, { field: 'body.delimiter' }]);
  res = await put({ password: 'secret-pw', port: 2222, delimiter: '\t', mode: 'replace', enabled: false });
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json<{ sftpImport: PublicSftpImport }>().sftpImport, { port: 2222, delimiter: '\t', mode: 'replace', enabled: false, hasPassword: true });
  t.notOk(res.json<{ sftpImport: PublicSftpImport }>().sftpImport.nextRunAt, 'a disabled import has no next run');
  res = await put({ port: 2222, enabled: true, schedule: '15 1 * * 1' });
  t.match([res.statusCode, res.json<{ sftpImport: PublicSftpImport }>().sftpImport], [200, { hasPassword: true, schedule: '15 1 * * 1' }], 'the password is kept when left out');
  t.equal((await ta.app.inject({ url: URL_, headers: ta.headers('recipient') })).statusCode, 404, 'hidden from those without the address book');
  const divisional = await signedInUser(ta, 'div-admin', { accessLevel: { kind: 'division', id: 'div' } });
  t.equal((await ta.app.inject({ url: URL_, headers: divisional })).statusCode, 403, 'an access level narrower than the enterprise may not');
  const other = await signedInUser(ta, 'other-admin', { enterpriseId: 'other' });
  t.equal((await ta.app.inject({ url: URL_, headers: other })).statusCode, 404, "another enterprise's import does not exist for them");
  t.equal((await ta.app.inject({ method: 'POST', url: `${URL_}/run`, headers: ta.headers('operator') })).statusCode, 503, 'a server without a runner says so');
  const del = await ta.app.inject({ method: 'DELETE', url: URL_, headers: ta.headers('operator') });
  t.equal(del.statusCode, 200);
  t.equal((await ta.app.inject({ url: URL_, headers: ta.headers('operator') })).statusCode, 404, 'removed');
  t.equal(ta.store.count('sftpImports'), 0);
  const audit = (await ta.service.queryActivity({ type: 'admin-change' })).filter((a) => a.target?.kind === 'import');
  t.match(audit.map((a) => a.detail), ['SFTP import set up', 'SFTP import changed', 'SFTP import removed']);
  t.notOk(JSON.stringify(audit).includes('secret-pw'), 'no secret in the audit');
});
