/** `portier new-code --reservation R` against the API on a real port: a lost pickup code replaced. */
import t from 'tap';
import { runAdmin } from '../../src/cli/admin.ts';
import { cliIo, listeningCliApp } from './helpers.ts';

const io = cliIo;

t.test('portier new-code prints a new pickup code once; the old one no longer works', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  const operator = env('operator');
  const { reservation } = await ta.service.reserve({ bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-rec' }, size: 'M' }, { role: 'operator', id: 'op' });
  const { pickupCode: old } = await ta.service.dropOff({ reservationId: reservation.id }, { role: 'operator', id: 'op' });

  const run = io(operator);
  t.equal(await runAdmin(['new-code', '--reservation', reservation.id], run), 0, run.stderr);
  const m = new RegExp(`^locker ${reservation.lockerNumber}: new pickup code (\\d{6}) \\(valid until \\S+\\)\\n$`).exec(run.stdout);
  t.ok(m, `prints the code: ${run.stdout}`);
  t.not(m?.[1], old);
  await t.rejects(ta.service.pickUp({ bankId: 'bank', code: old! }, { role: 'recipient', id: 'c-rec' }), 'the old code opens nothing');
  const picked = await ta.service.pickUp({ bankId: 'bank', code: m![1]! }, { role: 'recipient', id: 'c-rec' });
  t.same(picked.lockerNumbers, [reservation.lockerNumber], 'the new one does');

  const unknown = io(operator);
  t.equal(await runAdmin(['new-code', '--reservation', 'no-such'], unknown), 1);
  t.match(unknown.stderr, /NOT_FOUND/);
});
