// `portier-cloud` as real processes for the backup tests: a server on free ports, and one-shot commands.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Teardownable } from './helpers.ts';
import { FAST_CLOUD_ENV, PORTIER_CLOUD_BIN as BIN, runPortierCloud, type Ran } from '../fixtures/portier-cloud.ts';

const FAST = { ...FAST_CLOUD_ENV, PORTIER_CLOUD__LOG__LEVEL: 'warn' };

export type { Ran };

/** Runs a one-shot command to its end. */
export function run(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return runPortierCloud(args, { env: { ...FAST, ...env } });
}

export interface Server {
  url: string;
  child: ChildProcess;
  /** SIGTERM and wait for the exit (the store flushed and unlocked). */
  stop(): Promise<number | null>;
}

/** `portier-cloud serve` on `data`, HTTP and embedded broker on free loopback ports; resolves once it listens. */
export async function serve(t: Teardownable, data: string, secretsKey: string): Promise<Server> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--data', data, '--secrets-key', secretsKey, '--http', '127.0.0.1:0', '--mqtt', '127.0.0.1:0'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...FAST } },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit') as Promise<[number | null]>;
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return (await exited)[0];
  };
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no listening line within 30 s; stderr: ${stderr}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)\/api\/v1/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}: ${stderr}`));
    });
  });
  return { url, child, stop };
}
