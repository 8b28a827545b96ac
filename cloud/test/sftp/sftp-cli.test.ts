// `portier sftp` against the whole cloud (startCloud on a data folder) and a real OpenSSH server: set up from secret
// files, run, show, runs, switch to a key, forget the host key; the secrets never printed, never in the data folder
// in clear, and still usable after a restart on the same folder.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { runAdmin } from '../../src/cli/admin.ts';
import { cliIo } from '../http/helpers.ts';
import { startTestCloud } from '../runtime/helpers.ts';
import { sshdMissing, startSshd } from './sshd.ts';

const ADMIN = { user: 'root-admin', password: 'admin-password-1' };

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

async function cli(t: Test, env: Record<string, string>, args: string[], code = 0): Promise<string> {
  const io = cliIo(env);
  t.equal(await runAdmin(args, io), code, `portier ${args.join(' ')}: ${io.stderr}`);
  return io.stdout + io.stderr;
}

t.test('portier sftp against the running cloud and a real OpenSSH server', { skip: sshdMissing }, async (t) => {
  const sshd = await startSshd(t);
  const dir = await mkdtemp(join(tmpdir(), 'portier-sftp-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const passwordFile = join(dir, 'password');
  const keyFile = join(dir, 'key.pem');
  await writeFile(passwordFile, `${sshd.password}\n`, { mode: 0o600 });
  await writeFile(keyFile, sshd.privateKeyPem, { mode: 0o600 });
  const path = await sshd.put('hr.csv', 'PersonnelID;FirstName;LastName\nE-1;Eva;Early\nE-2;Ezra;Evans\n');

  let rt = await startTestCloud(t, { prefix: 'portier-sftp-', admin: ADMIN });
  const env = async (): Promise<Record<string, string>> => ({ PORTIER_URL: rt.httpUrl, PORTIER_TOKEN: (await rt.auth.login(ADMIN.user, ADMIN.password, '127.0.0.1')).token });
  let admin = await env();

  const help = await cli(t, admin, ['sftp', '--help']);
  for (const c of ['show', 'set', 'remove', 'run', 'runs', 'forget-host-key']) t.match(help, new RegExp(`\\n  ${c}\\b`), `--help lists ${c}`);
  t.match(await cli(t, admin, ['sftp', 'set', '--host', sshd.host], 2), /a new import needs --user, --path, --schedule, --password-file or --key-file/, 'a new import names what it lacks');
  t.match(await cli(t, admin, ['sftp', 'set', '--password-file', passwordFile, '--key-file', keyFile], 2), /not both/);

  const set = await cli(t, admin, ['sftp', 'set', '--host', sshd.host, '--port', String(sshd.port), '--user', sshd.user, '--password-file', passwordFile, '--path', path, '--delimiter', 'semicolon', '--schedule', '0 2 * * *']);
  t.match(set, /set up the SFTP import\nserver: +\S+@127\.0\.0\.1:\d+\nsign-in: +password \(set\)\nhost key: +not pinned yet/);
  t.match(await cli(t, admin, ['sftp', 'run']), /: ok; 2 rows, 2 added, 0 changed, 0 removed, 0 unchanged/);
  const shown = JSON.parse(await cli(t, admin, ['--json', 'sftp', 'show'])) as { sftpImport: Record<string, unknown> };
  t.match(shown.sftpImport, { hasPassword: true, hasPrivateKey: false, delimiter: ';', hostKey: { fingerprint: await sshd.fingerprint() } });

  t.match(await cli(t, admin, ['sftp', 'set', '--key-file', keyFile, '--mode', 'replace']), /sign-in: +private key \(set\)\n.*host key: +SHA256:/s, 'switched to the key; the pin is kept');
  await rt.stop();

  // A restart on the same data folder: the sealed key still opens (the secrets key lives beside the folder).
  rt = await startTestCloud(t, { dataDir: rt.dir, admin: ADMIN });
  admin = await env();
  t.match(await cli(t, admin, ['sftp', 'run']), /: ok; 2 rows, 0 added, 0 changed, 0 removed, 2 unchanged/);
  const runs = await cli(t, admin, ['sftp', 'runs']);
  t.equal(runs.trim().split('\n').length, 3, 'a header and the two runs');
  t.match(runs, /manual +ok/);
  t.match(await cli(t, admin, ['sftp', 'forget-host-key']), /forgot the pinned host key/);
  t.notMatch(await cli(t, admin, ['sftp', 'show']), /SHA256:/);

  for (const out of [help, set, JSON.stringify(shown), runs]) t.notOk(out.includes(sshd.password), 'no output shows the password');
  // The cloud's own command key is a PEM file of the folder: look for lines of the SFTP key's body.
  const keyLines = sshd.privateKeyPem.split('\n').slice(1, 6);
  const leaks: string[] = [];
  for (const f of await filesUnder(rt.dir)) {
    const bytes = await readFile(f);
    if (bytes.includes(sshd.password) || keyLines.some((l) => bytes.includes(l))) leaks.push(f);
  }
  t.same(leaks, [], 'no file of the data folder holds the password or the key in clear');
  t.match(await cli(t, admin, ['sftp', 'remove']), /removed the SFTP import/);
  t.match(await cli(t, admin, ['sftp', 'show'], 1), /NOT_FOUND/);
});
