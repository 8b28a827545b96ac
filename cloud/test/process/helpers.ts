// Shared by the crash tests of this folder (and the e-mail one, test/mail/mail-kill.test.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/portier-cloud.mjs', import.meta.url));

/** Cheap hashing and no expiry sweep, from the environment of a `portier-cloud serve` child; `env` adds or overrides. */
function serveEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORTIER_CLOUD__AUTH__ARGON2__MEMORY_COST: '64',
    PORTIER_CLOUD__AUTH__ARGON2__TIME_COST: '1',
    PORTIER_CLOUD__EXPIRY__INTERVAL_SECONDS: '0',
    ...env,
  };
}

/**
 * `portier-cloud serve` as a child on `dataDir` (HTTP and broker on any free port), with its admin, cheap hashing and
 * no expiry sweep from the environment; `env` adds or overrides variables.
 */
export function spawnServe(dataDir: string, admin: { user: string; password: string }, logLevel: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [BIN, 'serve', '--data', dataDir, '--http', '127.0.0.1:0', '--mqtt', '127.0.0.1:0', '--log-level', logLevel], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: serveEnv({ PORTIER_CLOUD__ADMIN__USER: admin.user, PORTIER_CLOUD__ADMIN__PASSWORD: admin.password, ...env }),
  });
}

/** `portier-cloud serve --config FILE` as a child, everything from that file (and `env`). */
export function spawnServeConfig(configFile: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [BIN, 'serve', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
}

/** Small seeded PRNG (xorshift32) so a failing run can be replayed with its seed. */
export function prng(s: number): () => number {
  let x = s >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}
