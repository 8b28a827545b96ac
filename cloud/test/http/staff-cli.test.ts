/** `portier staff add|list|revoke` against the API on a real port. */
import t from 'tap';
import { runAdmin } from '../../src/cli/admin.ts';
import { cliIo, listeningCliApp } from './helpers.ts';

const io = cliIo;

t.test('portier staff add, list, revoke', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  const admin = env('admin');
  const opId = (await ta.auth.findUserByName('operator'))!.id;

  const add = io(admin);
  t.equal(await runAdmin(['staff', 'add', '--role', 'operator', '--subject', opId, '--bank', 'bank', '--label', 'Olga'], add), 0, add.stderr);
  const m = /^operator PIN (\d{6}) \(shown this once\) for \S+: credential (\S+)\n$/.exec(add.stdout);
  t.ok(m, `prints the PIN once: ${add.stdout}`);
  const [, pin, id] = m ?? [];

  const badge = io(admin);
  t.equal(await runAdmin(['staff', 'add', '--role', 'carrier', '--subject', 'car', '--kind', 'badge', '--code', '04:A2:9F'], badge), 0, badge.stderr);
  t.match(badge.stdout, /^carrier badge 04:A2:9F for car: credential \S+/);

  const dup = io(admin);
  t.equal(await runAdmin(['staff', 'add', '--role', 'operator', '--subject', opId, '--code', pin!], dup), 1, 'a PIN in use is refused');
  t.match(dup.stderr, /CONFLICT: .*already in use.*\(body\.code\)/);

  const list = io(admin);
  t.equal(await runAdmin(['staff', 'list'], list), 0, list.stderr);
  const rows = list.stdout.trim().split('\n');
  t.match(rows[0], /^id\s+role\s+kind\s+subjectId\s+banks\s+expires\s+state\s+not checkable at\s+label$/);
  t.equal(rows.length, 3);
  t.match(list.stdout, new RegExp(`${id}\\s+operator\\s+staff-pin\\s+${opId}\\s+bank\\s+live\\s+Olga`));
  t.notOk(list.stdout.includes(pin!), 'the list never shows the PIN');
  t.notMatch(list.stdout, /issue a new one/, 'no gap, no note');

  // A bank opened after the badge (valid at every bank) was issued: the badge is kept sealed, so that bank's kiosk
  // gets its form too. Only a credential of an older release (legacy hashes) can have such a gap.
  await ta.service.createBank({ id: 'wing', locationId: 'loc', name: 'New wing' }, { role: 'admin', id: 'a' });
  const gaps = io(admin);
  t.equal(await runAdmin(['staff', 'list'], gaps), 0, gaps.stderr);
  t.match(gaps.stdout, /carrier\s+badge\s+car\s+all\s+live\s*\n/, 'the badge: checkable at every bank, wing included');
  t.notMatch(gaps.stdout, /issue a new one/, 'no gap, no note');
  const gapsJson = io(admin);
  t.equal(await runAdmin(['--json', 'staff', 'list'], gapsJson), 0);
  t.same(
    (JSON.parse(gapsJson.stdout) as { staffCredentials: Array<{ kind: string; notCheckableAt: string[] }> }).staffCredentials.map((c) => [c.kind, c.notCheckableAt]),
    [['staff-pin', []], ['badge', []]],
  );

  const revoke = io(admin);
  t.equal(await runAdmin(['staff', 'revoke', id!], revoke), 0, revoke.stderr);
  t.equal(revoke.stdout, `revoked ${id}\n`);
  const after = io(admin);
  t.equal(await runAdmin(['staff', 'list'], after), 0);
  t.match(after.stdout, new RegExp(`${id}.*revoked`));

  const json = io(admin);
  t.equal(await runAdmin(['--json', 'staff', 'list'], json), 0);
  t.equal(JSON.parse(json.stdout).staffCredentials.length, 2);

  const op = io(env('operator'));
  t.equal(await runAdmin(['staff', 'list'], op), 1, 'an operator may not');
  t.match(op.stderr, /FORBIDDEN/);
  const bad = io(admin);
  t.equal(await runAdmin(['staff', 'add', '--role', 'operator', '--subject', opId, '--expires', 'soon'], bad), 2);
  t.match(bad.stderr, /--expires: not a date/);
});
