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
  t.match(head, /^at\s+type\s+actor\s+bankId\s+lockerNumber\s+recipientId\s+trackingId\s+detail$/, 'the table names who acted and the detail');
  t.equal(rows.length, 2);
  const rest = (row: string): string => row.replace(/^\S+\s+/, ''); // without the time
  t.not(rest(rows[0]!), rest(rows[1]!), 'the two rows differ beyond their time');
  t.ok(rows.some((r) => /admin:adm\s+bank\s+1\s+command cmd-1$/.test(r)), `the request: ${run.stdout}`);
  t.ok(rows.some((r) => /admin:adm\s+bank\s+1\s+command cmd-1: opened$/.test(r)), 'the outcome');
});
