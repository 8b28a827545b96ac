// A real OpenSSH server for the SFTP import's tests: Debian's sshd, run as root from a temporary sshd_config on a free
// loopback port (internal-sftp, no PAM), with host keys made by ssh-keygen, and a test user made with useradd and
// chpasswd (removed with userdel -r at teardown). Stopped by its PID. Tests skip by name where sshd is absent or the
// process is not root (`sshdMissing`).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../mqtt/helpers/mosquitto.ts';
import type { Teardownable } from '../mqtt/helpers/env.ts';

export const SSHD = '/usr/sbin/sshd';

/** The skip reason of a test that needs a real sshd, or false. */
export const sshdMissing: string | false = !existsSync(SSHD) ? 'openssh-server not installed (/usr/sbin/sshd)' : process.getuid?.() !== 0 ? 'sshd tests run as root (useradd, sshd)' : false;

export interface TestSshd {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The user's home: files written here (readable by the user) are what the import fetches. */
  home: string;
  /** A PEM RSA private key (`ssh-keygen -m PEM -t rsa`) the server accepts for the user. */
  privateKeyPem: string;
  /** The SHA-256 fingerprint of the server's current host key, as `ssh-keygen -l` prints it. */
  fingerprint(): Promise<string>;
  /** Writes a file into the user's home, readable by the user. */
  put(name: string, content: string): Promise<string>;
  /** Stops the server and starts it again on the same port with new host keys. */
  newHostKeys(): Promise<void>;
}

function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { input, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] }).toString();
}

export async function startSshd(t: Teardownable): Promise<TestSshd> {
  const dir = await mkdtemp(join(tmpdir(), 'portier-sshd-'));
  // The test user walks through it to their home.
  await chmod(dir, 0o755);
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const user = `ptsftp${randomBytes(4).toString('hex')}`;
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const home = join(dir, 'home');
  run('useradd', ['-m', '-d', home, '-s', '/bin/sh', user]);
  t.teardown(() => void spawnSync('userdel', ['-r', '-f', user], { stdio: 'ignore' }));
  run('chpasswd', [], `${user}:${password}\n`);
  // The key the user signs in with.
  run('ssh-keygen', ['-q', '-m', 'PEM', '-t', 'rsa', '-b', '2048', '-N', '', '-C', 'portier-test', '-f', join(dir, 'client_rsa')]);
  const keys = join(dir, 'authorized_keys');
  await mkdir(keys);
  await writeFile(join(keys, user), await readFile(join(dir, 'client_rsa.pub')));
  // sshd's privilege separation needs this folder.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const port = await freePort();
  const hostKey = join(dir, 'host_ed25519');
  const config = join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'UsePAM no',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      `AuthorizedKeysFile ${keys}/%u`,
      'StrictModes no',
      `AllowUsers ${user}`,
      'Subsystem sftp internal-sftp',
      'LogLevel INFO',
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  const makeHostKey = async (): Promise<void> => {
    await rm(hostKey, { force: true });
    await rm(`${hostKey}.pub`, { force: true });
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  };
  const stop = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      process.kill(c.pid!, 'SIGTERM');
    });
  const start = async (): Promise<void> => {
    const c = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sshd did not start within 10 s:\n${output}`)), 10_000);
      c.stderr!.on('data', (d: Buffer) => {
        output += d.toString();
        if (/Server listening on 127\.0\.0\.1 port/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
      c.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sshd exited with ${code}:\n${output}`));
      });
    });
  };
  t.teardown(stop);
  await makeHostKey();
  await start();
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    home,
    privateKeyPem: await readFile(join(dir, 'client_rsa'), 'utf8'),
    fingerprint: async () => run('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`]).split(/\s+/)[1]!,
    put: async (name, content) => {
      const file = join(home, name);
      await writeFile(file, content);
      await chmod(file, 0o644);
      const uid = Number(run('id', ['-u', user]).trim());
      const gid = Number(run('id', ['-g', user]).trim());
      await chown(file, uid, gid);
      return file;
    },
    newHostKeys: async () => {
      await stop();
      await makeHostKey();
      await start();
    },
  };
}
