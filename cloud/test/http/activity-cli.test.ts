/** `portier activity` against the API on a real port: rows a person can tell apart. */
import t from 'tap';
import { runAdmin } from '../../src/cli/admin.ts';
import { cliIo, listeningCliApp } from './helpers.ts';

t.test('portier activity: the request and the outcome of one remote open are two rows that say which is which', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  const admin = { role: 'admin' as const, id: 'adm' };
  await ta.service.recordRemoteOpen({ bankId: 'bank', lockerNumber: 1, commandId: 'cmd-1' }, admin);
  await ta.service.recordRemoteOpen({ bankId: 'bank', lockerNumber: 1, commandId: 'cmd-1', outcome: 'opened' }, admin);
  const run = cliIo(env('admin'));
  t.equal(await runAdmin(['activity', '--type', 'remote-open'], run), 0, run.stderr);
  const [head, ...rows] = run.stdout.trimEnd().split('\n');
  t.match(head, /^at\s+type\s+actor\s+bank\s+location\s+locker\s+recipient\s+trackingId\s+status\s+detail$/, 'the table names who acted, where, for whom, and the detail');
  t.equal(rows.length, 2);
  const rest = (row: string): string => row.replace(/^\S+\s+/, ''); // without the time
  t.not(rest(rows[0]!), rest(rows[1]!), 'the two rows differ beyond their time');
  t.ok(rows.some((r) => /adm\s+Lobby\s+HQ\s+1\s+command cmd-1$/.test(r)), `the request: ${run.stdout}`);
  t.ok(rows.some((r) => /adm\s+Lobby\s+HQ\s+1\s+command cmd-1: opened$/.test(r)), 'the outcome');
});

t.test('portier activity: readable columns, filters by types, location, recipient and actor, --json rows as the API answers them', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  const adminId = ta.store.list('users').find((u) => u.username === 'admin')!.id;
  const r = await ta.service.reserve({ bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-rec' }, size: 'S', trackingId: 'TRK-CLI' }, { role: 'admin', id: adminId });
  ta.clock.now += 1000;
  await ta.service.dropOff({ reservationId: r.reservation.id }, { role: 'carrier', id: 'car' });
  ta.clock.now += 1000;
  await ta.service.recordAlert({ bankId: 'bank', kind: 'lock-fault', controllerId: 'ctl-1', detail: 'stuck' }, { role: 'system', id: 'ctl-1' });
  ta.clock.now += 1000;
  await ta.service.setHistoryRetention('ent', { historyRetentionDays: 90 }, { role: 'admin', id: adminId });

  const human = cliIo(env('admin'));
  t.equal(await runAdmin(['activity', '--type', 'reservation,drop-off', '--location', 'loc', '--recipient', 'c-rec'], human), 0, human.stderr);
  const lines = human.stdout.trimEnd().split('\n').slice(1);
  t.equal(lines.length, 2, human.stdout);
  t.match(lines[0], /reservation\s+admin\s+Lobby\s+HQ\s+\d\s+Rita Recipient\s+TRK-CLI\s+occupied/);
  t.match(lines[1], /drop-off\s+Parcel Co\s+Lobby\s+HQ\s+\d\s+Rita Recipient\s+TRK-CLI\s+occupied/);

  const audit = cliIo(env('admin'));
  t.equal(await runAdmin(['activity', '--type', 'admin-change', '--actor', adminId], audit), 0, audit.stderr);
  t.match(audit.stdout, /admin-change\s+admin\s+.*history retention changed: enterprise Acme \(ent\): historyRetentionDays: \(none\) → 90/);

  const json = cliIo(env('admin'));
  t.equal(await runAdmin(['--json', 'activity', '--type', 'alert,drop-off', '--limit', '1'], json), 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { activity: Record<string, unknown>[]; nextCursor?: string };
  t.equal(parsed.activity.length, 1);
  t.match(parsed.activity[0], { type: 'drop-off', actorName: 'Parcel Co', bankName: 'Lobby', locationName: 'HQ', recipientName: 'Rita Recipient', status: 'occupied' });
  t.type(parsed.nextCursor, 'string', 'a next page');
  const next = cliIo(env('admin'));
  t.equal(await runAdmin(['--json', 'activity', '--type', 'alert,drop-off', '--cursor', parsed.nextCursor!], next), 0, next.stderr);
  t.match((JSON.parse(next.stdout) as { activity: unknown[] }).activity, [{ type: 'alert', actorName: 'system', detail: /lock-fault: stuck/ }]);

  const csv = cliIo(env('admin'));
  t.equal(await runAdmin(['activity', '--csv', '--type', 'drop-off'], csv), 0, csv.stderr);
  t.match(csv.stdout, /Rita Recipient,Lobby,HQ,Parcel Co,occupied/);
});
