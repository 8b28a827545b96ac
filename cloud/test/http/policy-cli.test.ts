/** `portier policy show|set` against the API on a real port, human and `--json` output. */
import t from 'tap';
import { DEFAULT_KIOSK_TIMERS } from '@portier/protocol';
import { runAdmin } from '../../src/cli/admin.ts';
import { cliIo as io, listeningCliApp } from './helpers.ts';

t.test('portier policy show and set', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  const admin = env('admin');

  const show = io(admin);
  t.equal(await runAdmin(['policy', 'show', 'bank'], show), 0, show.stderr);
  t.match(show.stdout, /^bank bank\nstorage modes: fixed, flexible, no-end\nfixed storage: until the end of the storage day\n/);
  t.match(show.stdout, /timer dropOffReopenGraceS: 0 s/);

  const set = io(admin);
  const args = ['policy', 'set', 'bank', '--timer', 'doorLeftOpenS=90', 'returnHomeOnInactivityS=120', '--reopen-grace', '30'];
  args.push('--storage-modes', 'fixed,no-end', '--fixed-hours', '2,4', '--quota', 'S=1', '--json');
  t.equal(await runAdmin(args, set), 0, set.stderr);
  const out = JSON.parse(set.stdout) as {
    bankId: string;
    timers: Record<string, number>;
    storage: { modes: string[]; fixedHours: number[]; flexibleMaxH: number };
    deliveryQuota: Record<string, number>;
  };
  t.equal(out.bankId, 'bank');
  t.same(out.timers, { ...DEFAULT_KIOSK_TIMERS, doorLeftOpenS: 90, returnHomeOnInactivityS: 120, dropOffReopenGraceS: 30 });
  t.same(out.storage, { modes: ['fixed', 'no-end'], fixedHours: [2, 4], flexibleMaxH: 12 });
  t.same(out.deliveryQuota, { S: 1 });
  t.same((await ta.service.getBank('bank')).timers?.doorLeftOpenS, 90, 'stored');

  const more = io(admin);
  t.equal(await runAdmin(['--json', 'policy', 'set', 'bank', '--quota', 'M=2'], more), 0, more.stderr);
  t.same(JSON.parse(more.stdout).deliveryQuota, { S: 1, M: 2 }, 'a size not named keeps its quota');

  const bad = io(admin);
  t.equal(await runAdmin(['policy', 'set', 'bank', '--timer', 'doorLeftOpenS=5'], bad), 1, 'refused');
  t.match(bad.stderr, /VALIDATION: .*\(body\.timers\.doorLeftOpenS\)/, 'naming the field');
  const badRule = io(admin);
  t.equal(await runAdmin(['policy', 'set', 'bank', '--fixed-hours', '24'], badRule), 1);
  t.match(badRule.stderr, /rules\.fixedStorageHours/);
  const usage = io(admin);
  t.equal(await runAdmin(['policy', 'set', 'bank', '--timer', 'oops'], usage), 2);
  t.match(usage.stderr, /--timer: expected name=value/);
  const nothing = io(admin);
  t.equal(await runAdmin(['policy', 'set', 'bank'], nothing), 2);
  t.match(nothing.stderr, /nothing to change/);

  const human = io(admin);
  t.equal(await runAdmin(['policy', 'show', 'bank'], human), 0);
  t.match(human.stdout, /storage modes: fixed, no-end\nfixed storage: 2, 4 h\n/);
  t.match(human.stdout, /delivery quota: S=1, M=2/);
  t.match(human.stdout, /timer doorLeftOpenS: 90 s/);

  const operator = io(env('operator'));
  t.equal(await runAdmin(['policy', 'set', 'bank', '--reopen-grace', '10'], operator), 1, 'an operator may not change it');
  t.match(operator.stderr, /FORBIDDEN|403/);

  for (const cmd of [['policy'], ['policy', 'show'], ['policy', 'set']]) {
    const help = io(admin);
    t.equal(await runAdmin([...cmd, '--help'], help), 0, `${cmd.join(' ')} --help`);
    t.match(help.stdout, /Usage: portier policy/);
  }
});
