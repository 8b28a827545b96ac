// A real Mosquitto 2 for tests, run with the files portier-cloud generates, on a free loopback port; stopped by its
// PID at teardown. Tests skip by name where the binary is absent (`mosquittoMissing`).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeMosquittoFiles, type IdentitySource, type MosquittoConfOptions, type MosquittoFiles } from '../../../src/mqtt/mosquitto.ts';
import type { Teardownable } from './env.ts';
import { freePort } from '../../../../scripts/test/contracts/free-port.ts';

export { freePort };

export const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'].find(
  (p) => spawnSync(p, ['-h'], { stdio: 'ignore' }).error === undefined,
);

/** The skip reason of a test that needs Mosquitto, or false. */
export const mosquittoMissing: string | false = MOSQUITTO ? false : 'mosquitto not installed';


export interface RunningMosquitto {
  url: string;
  port: number;
  files: MosquittoFiles;
  child: ChildProcess;
  /** Started as root, Mosquitto must not switch to a user who cannot read the files. */
  extra: Pick<MosquittoConfOptions, 'runAs' | 'pidFile'>;
  /** SIGHUP, resolved once Mosquitto logged the reload (bounded). */
  reload(): Promise<void>;
  /** Resolves with the first log text matching `re` from now on, within `ms`. */
  logged(re: RegExp, ms?: number): Promise<string>;
}

export async function startMosquitto(
  t: Teardownable,
  src: IdentitySource,
  dir: string,
  extra: Pick<MosquittoConfOptions, 'pidFile'> = {},
): Promise<RunningMosquitto> {
  const port = await freePort();
  const opts = { ...(process.getuid?.() === 0 ? { runAs: 'root' } : {}), ...extra };
  const files = await writeMosquittoFiles(src, dir, { host: '127.0.0.1', port }, opts);
  const child = spawn(MOSQUITTO!, ['-c', files.conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiters = new Set<{ re: RegExp; from: number; resolve: (s: string) => void }>();
  const onData = (d: Buffer): void => {
    output += d.toString();
    for (const w of waiters) {
      const m = w.re.exec(output.slice(w.from));
      if (m) {
        waiters.delete(w);
        w.resolve(m[0]);
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const logged = (re: RegExp, ms = 10_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const w = { re, from: output.length, resolve: (s: string) => (clearTimeout(timer), resolve(s)) };
      const timer = setTimeout(() => {
        waiters.delete(w);
        reject(new Error(`mosquitto did not log ${re} within ${ms} ms:\n${output}`));
      }, ms);
      waiters.add(w);
    });
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  );
  const running = logged(/running/);
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`mosquitto exited with ${code}:\n${output}`))));
  exited.catch(() => {});
  await Promise.race([running, exited]);
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    files,
    child,
    extra: opts,
    logged,
    async reload() {
      const done = logged(/[Rr]eloading/);
      child.kill('SIGHUP');
      await done;
    },
  };
}
