// Backup and restore through the real CLI against a real serving process: a backup taken while writes stream in
// holds every write acknowledged before it began, and the restored cloud answers the same locker statuses.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { z } from 'zod';
import { BackupError, restoreBackup } from '../../src/backup/restore.ts';
import { CLOUD_VERSION, DATA_FORMAT, DataFolderError } from '../../src/data-folder/data-folder.ts';
import { copyFixture, readExpected, tempDir } from './helpers.ts';
import { run, serve } from './processes.ts';

async function login(url: string, user: string, password: string): Promise<string> {
  const r = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user, password }) });
  return z.object({ token: z.string() }).parse(await r.json()).token;
}

async function get(url: string, token: string, path: string): Promise<unknown> {
  const r = await fetch(`${url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status}`);
  return r.json();
}

const Contacts = z.object({ contacts: z.array(z.object({ id: z.string() })) });

t.test('a backup under a stream of writes, restored into a new folder, holds every write acknowledged before it began', async (t) => {
  const expected = await readExpected();
  const { root, data, secretsKey } = await copyFixture(t);
  const source = await serve(t, data, secretsKey);
  const token = await login(source.url, expected.admin.user, expected.admin.password);

  // One writer, one request at a time: each id is known acknowledged when its 201 arrives.
  const acked: string[] = [];
  let writing = true;
  let n = 0;
  const writer = (async () => {
    while (writing) {
      const id = `stream-${++n}`;
      const r = await fetch(`${source.url}/api/v1/contacts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ id, name: `Streamed ${n}` }),
      });
      if (r.status !== 201) throw new Error(`POST /contacts: ${r.status} ${await r.text()}`);
      acked.push(id);
    }
  })();
  while (acked.length < 20) await new Promise((r) => setImmediate(r));

  const backupFile = join(root, 'backups', 'cloud.backup');
  await mkdir(join(root, 'backups'));
  const ackedBefore = [...acked];
  const b = await run(['backup', '--out', backupFile, '--url', source.url], { PORTIER_TOKEN: token });
  const ackedWhile = acked.length - ackedBefore.length;
  writing = false;
  await writer;
  t.equal(b.code, 0, b.stderr);
  t.match(b.stdout, `backup written: ${backupFile}`);
  t.equal((await stat(backupFile)).mode & 0o777, 0o600, 'the backup file is 0600');
  t.ok(ackedWhile > 0, 'writes went on while the backup ran');

  const lockerPaths = ['/banks/bank-a/lockers', '/banks/bank-b/lockers'];
  const statuses = await Promise.all(lockerPaths.map((p) => get(source.url, token, p)));
  t.equal(await source.stop(), 0);

  const restored = join(root, 'restored');
  const r = await run(['restore', '--from', backupFile, '--data', restored]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, `into ${restored}:`);
  t.match(r.stdout, /the backup holds no secrets key/);

  const again = await run(['restore', '--from', backupFile, '--data', restored]);
  t.equal(again.code, 3, 'a folder that is not empty is refused');
  t.match(again.stderr, `data folder ${restored} is not empty`);

  const target = await serve(t, restored, secretsKey);
  const token2 = await login(target.url, expected.admin.user, expected.admin.password);
  const ids = new Set(Contacts.parse(await get(target.url, token2, '/contacts')).contacts.map((c) => c.id));
  t.same(ackedBefore.filter((id) => !ids.has(id)), [], 'every write acknowledged before the backup began is there');
  t.same(await Promise.all(lockerPaths.map((p) => get(target.url, token2, p))), statuses, 'the same locker statuses');
  t.equal(await target.stop(), 0);
});

t.test('a damaged, cut or newer backup is refused and leaves no folder behind', async (t) => {
  const dir = await tempDir(t, 'portier-restore-');
  const file = join(dir, 'b.backup');
  const data = join(dir, 'data');
  const header = JSON.stringify({ portierBackup: 1, createdAt: new Date(0).toISOString(), dataFormat: 1, writtenBy: '0.1.0' });
  const body = [
    JSON.stringify({ file: 'tokens.json', mode: 0o600 }),
    JSON.stringify({ chunk: Buffer.from('{"format":1,"tokens":[]}').toString('base64') }),
    JSON.stringify({ end: 'tokens.json', bytes: 24, sha256: '0'.repeat(64) }),
  ];
  await writeFile(file, [header, ...body, ''].join('\n'));
  await t.rejects(restoreBackup({ from: file, dataDir: data }), new BackupError('BAD_BACKUP', `${file} line 4: tokens.json: checksum or size does not match (damaged backup)`));
  await t.rejects(stat(data), { code: 'ENOENT' });

  await writeFile(file, [header, JSON.stringify({ file: 'tokens.json', mode: 0o600 }), ''].join('\n'));
  await t.rejects(restoreBackup({ from: file, dataDir: data }), new BackupError('BAD_BACKUP', `${file} ends before its manifest (cut short at line 2)`));
  await t.rejects(stat(data), { code: 'ENOENT' });

  await writeFile(file, [header, JSON.stringify({ file: '../escape', mode: 0o600 }), ''].join('\n'));
  await t.rejects(restoreBackup({ from: file, dataDir: data }), { name: 'BackupError', message: /line 2: not a plain path inside the folder/ });
  await t.rejects(stat(join(dir, 'escape')), { code: 'ENOENT' });

  const newer = JSON.stringify({ portierBackup: 1, createdAt: new Date(0).toISOString(), dataFormat: 99, writtenBy: '9.0.0' });
  await writeFile(file, `${newer}\n`);
  await t.rejects(restoreBackup({ from: file, dataDir: data }), new DataFolderError('TOO_NEW', `backup ${file} is in format 99 (written by portier-cloud 9.0.0); this portier-cloud ${CLOUD_VERSION} reads formats up to ${DATA_FORMAT}: run a release that knows format 99`));
  await t.rejects(stat(data), { code: 'ENOENT' });
});
