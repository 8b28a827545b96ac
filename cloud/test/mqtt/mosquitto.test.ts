// The same access contract as the embedded broker, against a real Mosquitto 2 run with the files portier-cloud
// generates. Skipped (by name) where `mosquitto` is not installed; CI installs it.
import { spawn, spawnSync } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { mosquittoAclFile, mosquittoPasswordFile, writeMosquittoFiles } from '../../src/mqtt/mosquitto.ts';
import { aclSuite } from './helpers/acl-suite.ts';
import { refusal, registry, tempDir } from './helpers/env.ts';

const BANK = 'bank-1';
const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'].find(
  (p) => spawnSync(p, ['-h'], { stdio: 'ignore' }).error === undefined,
);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

t.test('generated files', async (t) => {
  const { reg } = await registry(t);
  await reg.createController({ controllerId: 'col-a', bankId: BANK, column: 1 });
  await reg.createController({ controllerId: 'col-gone', bankId: BANK, column: 2 });
  await reg.revoke('col-gone');
  await reg.createServiceAccount({ username: 'cloud' });
  const pw = mosquittoPasswordFile(reg);
  t.match(pw, /^col-a:\$7\$101\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/m, 'controller in the password file');
  t.match(pw, /^cloud:\$7\$/m, 'service account in the password file');
  t.notMatch(pw, /col-gone/, 'revoked identity left out');
  const acl = mosquittoAclFile(reg);
  t.match(acl, /user col-a\ntopic write portier\/v1\/bank-1\/col-a\/ack\ntopic write portier\/v1\/bank-1\/col-a\/evt\n/);
  t.match(acl, /topic read portier\/v1\/bank-1\/col-a\/cmd\n/);
  t.notMatch(acl, /col-gone/);
  t.match(acl, /user cloud\ntopic readwrite portier\/v1\/#/);
  const controllerLines = acl.split('\n').filter((l) => l.startsWith('topic') && !l.endsWith('portier/v1/#'));
  t.ok(controllerLines.length >= 7 && controllerLines.every((l) => !/[+#]/.test(l)), 'no wildcard for any controller');
  const dir = await tempDir(t);
  const files = await writeMosquittoFiles(reg, join(dir, 'mosq'), { host: '127.0.0.1', port: 18830 });
  const conf = await readFile(files.conf, 'utf8');
  t.match(conf, /^listener 18830 127\.0\.0\.1$/m);
  t.match(conf, /^allow_anonymous false$/m);
  t.match(conf, /^password_file .*passwd$/m);
  t.match(conf, /^acl_file .*acl$/m);
  t.match(conf, /^persistence true$/m);
  t.equal((await stat(files.passwordFile)).mode & 0o777, 0o600, 'password file is 0600');
});

t.test('Mosquitto with the generated password and ACL files', { skip: MOSQUITTO ? false : 'mosquitto not installed' }, async (t) => {
  const { dataDir, reg } = await registry(t);
  const a = await reg.createController({ controllerId: 'col-a', bankId: BANK, column: 1 });
  const b = await reg.createController({ controllerId: 'col-b', bankId: BANK, column: 2 });
  const gone = await reg.createController({ controllerId: 'col-gone', bankId: BANK, column: 3 });
  await reg.revoke('col-gone');
  const svc = await reg.createServiceAccount({ username: 'cloud' });
  const port = await freePort();
  const runAs = process.getuid?.() === 0 ? 'root' : undefined;
  const files = await writeMosquittoFiles(reg, join(dataDir, 'mosquitto'), { host: '127.0.0.1', port }, runAs ? { runAs } : {});

  const child = spawn(MOSQUITTO!, ['-c', files.conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mosquitto did not start within 10 s:\n${output}`)), 10_000);
    const onData = (d: Buffer): void => {
      output += d.toString();
      if (/running/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mosquitto exited with ${code}:\n${output}`));
    });
  });
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  );
  await ready;
  const url = `mqtt://127.0.0.1:${port}`;

  aclSuite(t, {
    name: 'mosquitto',
    url,
    bank: BANK,
    a: { username: 'col-a', password: a.secret, controllerId: 'col-a' },
    b: { username: 'col-b', password: b.secret, controllerId: 'col-b' },
    revoked: { username: 'col-gone', password: gone.secret },
    service: { username: 'cloud', password: svc.secret },
    closesOnRefusedPublish: false,
    refusesSubscribe: false,
  });

  t.test('mosquitto: a revocation takes effect after regenerating the files and SIGHUP', async (t) => {
    await reg.revoke('col-b');
    await writeMosquittoFiles(reg, files.dir, { host: '127.0.0.1', port }, runAs ? { runAs } : {});
    const reloaded = new Promise<void>((resolve) => {
      const onData = (d: Buffer): void => {
        if (/[Rr]eloading/.test(d.toString())) {
          child.stderr.off('data', onData);
          resolve();
        }
      };
      child.stderr.on('data', onData);
    });
    child.kill('SIGHUP');
    await reloaded;
    t.ok([4, 5].includes(Number(await refusal(url, { clientId: 'col-b', username: 'col-b', password: b.secret }))), 'revoked B refused');
  });
});
