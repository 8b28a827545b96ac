// A controller data folder written by the previous release (fixtures/previous-release/controller-data: commands.json
// and commands.log, outbox.json and outbox.log with signed evtacks, desired.json) loads whole with today's stores.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { CommandStore } from '../../src/link/command-store.ts';
import { Outbox } from '../../src/link/outbox.ts';
import { DesiredStore } from '../../src/store/desired-store.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/previous-release/controller-data', import.meta.url));
const T0 = 1_790_000_000_000;

t.test('seen ids, the pending command, the outbox with its evtack proof and the desired state all load, nothing set aside', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-previous-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(FIXTURE, dir, { recursive: true });

  const commands = await CommandStore.open(dir);
  t.equal(commands.reset, undefined, 'commands not set aside');
  for (const id of ['cmd-1', 'cmd-2', 'cmd-3']) t.equal(commands.check(id, T0), 'seen', `${id} is remembered (snapshot and log)`);
  t.equal(commands.check('cmd-4', T0), 'new');
  t.same(commands.pending().map((p) => [p.id, p.door]), [['cmd-2', 2]], 'the command a crash cut short is still pending');
  await commands.close();

  const outbox = await Outbox.open(dir);
  t.equal(outbox.reset, undefined, 'outbox not set aside');
  t.equal(outbox.ackedUpTo, 3);
  t.equal(outbox.nextSeq, 7);
  t.same(outbox.entries().map((e) => e.seq), [4, 5, 6]);
  t.equal(outbox.lastEvtack?.upTo, 3, 'the signed proof of the last evtack');
  await outbox.close();

  const desired = await DesiredStore.open(dir);
  t.equal(desired.reset, undefined, 'desired state not set aside');
  t.equal(desired.version, 7);
  await desired.file.flush();
});
