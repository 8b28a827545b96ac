// The data folder's format version: written at init, an older folder migrated forward step by step (and resumed
// after a crash mid-step), a newer one refused by the real CLI with the folder and both versions named.
import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { writeFileDurable } from '../../src/mqtt/fs.ts';
import { CLOUD_VERSION, DATA_FORMAT, DATA_VERSION_FILE, DataFolderError, openDataFolder, readDataVersion, type Migration } from '../../src/data-folder/data-folder.ts';
import { copyFixture, tempDir } from './helpers.ts';
import { runPortierCloud, type Ran } from '../fixtures/portier-cloud.ts';

const run = (args: string[]): Promise<Ran> => runPortierCloud(args);

t.test('a new folder gets the current format and the release that wrote it', async (t) => {
  const dir = join(await tempDir(t, 'portier-df-'), 'data');
  const r = await openDataFolder(dir);
  t.same(r, { from: DATA_FORMAT, format: DATA_FORMAT, applied: [], created: true });
  t.same(await readDataVersion(dir), { format: DATA_FORMAT, writtenBy: CLOUD_VERSION });
});

t.test('a folder newer than the code is refused by `portier-cloud serve`: exit 3, the folder and both versions named, nothing touched', async (t) => {
  const { data, secretsKey } = await copyFixture(t);
  const newer = { format: DATA_FORMAT + 1, writtenBy: '9.9.9' };
  await writeFile(join(data, DATA_VERSION_FILE), JSON.stringify(newer));
  const before = await readdir(join(data, 'store'));
  const r = await run(['serve', '--data', data, '--secrets-key', secretsKey, '--http', '127.0.0.1:0', '--mqtt', '127.0.0.1:0', '--log-level', 'silent']);
  t.equal(r.code, 3);
  t.match(r.stderr, `data folder ${data} is in format ${DATA_FORMAT + 1} (written by portier-cloud 9.9.9)`);
  t.match(r.stderr, `this portier-cloud ${CLOUD_VERSION} reads formats up to ${DATA_FORMAT}`);
  t.notMatch(r.stderr, /at \S+\.ts:\d+/, 'one line, no stack');
  t.same(await readdir(join(data, 'store')), before, 'the store was not opened');
  t.same(JSON.parse(await readFile(join(data, DATA_VERSION_FILE), 'utf8')), newer);
});

/** Steps 1 -> 2 -> 3 over a file `n.txt`; the second one crashes once after writing half its work. */
function steps(calls: string[], crashOnce: { armed: boolean }): Migration[] {
  /** A step that records its run in `calls`, does `work`, then writes its target number into `n.txt`. */
  const step = (from: number, describe: string, work: (dir: string) => Promise<void>): Migration => ({
    from,
    to: from + 1,
    describe,
    run: async (dir) => {
      calls.push(`${from}->${from + 1}`);
      await work(dir);
      await writeFileDurable(join(dir, 'n.txt'), String(from + 1));
    },
  });
  return [
    step(1, 'one to two', async () => undefined),
    step(2, 'two to three', async (dir) => {
      await writeFileDurable(join(dir, 'half.txt'), 'started');
      if (crashOnce.armed) {
        crashOnce.armed = false;
        throw new Error('power cut');
      }
    }),
  ];
}

t.test('a folder without a version file is format 1 and goes through every step in order', async (t) => {
  const dir = await tempDir(t, 'portier-df-');
  await mkdir(join(dir, 'store'));
  await writeFile(join(dir, 'n.txt'), '1');
  const calls: string[] = [];
  const r = await openDataFolder(dir, { migrations: steps(calls, { armed: false }).reverse() });
  t.same(calls, ['1->2', '2->3']);
  t.same(r, { from: 1, format: 3, applied: ['one to two', 'two to three'], created: false });
  t.equal(await readFile(join(dir, 'n.txt'), 'utf8'), '3');
  t.same(await readDataVersion(dir), { format: 3, writtenBy: CLOUD_VERSION });
  t.notOk((await readdir(dir)).includes('LOCK'), 'the folder lock is let go');
});

t.test('a crash in the middle of a step: the format stays, the next start runs that step again and goes on', async (t) => {
  const dir = await tempDir(t, 'portier-df-');
  await writeFile(join(dir, 'n.txt'), '1');
  const calls: string[] = [];
  const crash = { armed: true };
  await t.rejects(openDataFolder(dir, { migrations: steps(calls, crash) }), /power cut/);
  const after = await readDataVersion(dir);
  t.equal(after?.format, 2, 'the first step is recorded as done');
  t.equal(after?.migrating?.to, 3, 'the second is recorded as started');
  t.equal(await readFile(join(dir, 'n.txt'), 'utf8'), '2');

  const r = await openDataFolder(dir, { migrations: steps(calls, crash) });
  t.same(calls, ['1->2', '2->3', '2->3'], 'only the cut step runs again');
  t.same(r.applied, ['two to three']);
  t.same(await readDataVersion(dir), { format: 3, writtenBy: CLOUD_VERSION });
  t.equal(await readFile(join(dir, 'n.txt'), 'utf8'), '3');
});

t.test('a format with no step leading on is refused', async (t) => {
  const dir = await tempDir(t, 'portier-df-');
  await writeFile(join(dir, DATA_VERSION_FILE), JSON.stringify({ format: 2, writtenBy: 'x' }));
  const only: Migration[] = [{ from: 1, to: 2, describe: 'a', run: async () => {} }, { from: 3, to: 4, describe: 'b', run: async () => {} }];
  await t.rejects(openDataFolder(dir, { migrations: only }), new DataFolderError('NO_MIGRATION', `data folder ${dir} is in format 2 and no migration leads on from it to format 4`));
});
