// A real PostgreSQL for tests: Debian's server binaries, a cluster made with initdb in a temporary folder (as the
// `postgres` user when the test runs as root: the server refuses to run as root), started with pg_ctl on a free
// loopback port, its socket in that folder; stopped by `pg_ctl stop -m immediate` and removed at teardown. Tests skip
// by name where the package is absent (`postgresMissing`).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../mqtt/helpers/mosquitto.ts';
import type { Teardownable } from '../mqtt/helpers/env.ts';

/** The folder of Debian's PostgreSQL server binaries (the newest version installed), if any. */
function findBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

export const PG_BIN = findBinDir();

function userId(name: string): { uid: number; gid: number } | undefined {
  const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  return r.status === 0 && g.status === 0 ? { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) } : undefined;
}

const asRoot = process.getuid?.() === 0;
/** Who runs the server: the `postgres` user when the test runs as root. */
const RUN_AS = asRoot ? userId('postgres') : undefined;

/** The skip reason of a test that needs PostgreSQL, or false. */
export const postgresMissing: string | false =
  PG_BIN === undefined ? 'postgresql not installed (/usr/lib/postgresql/*/bin)' : asRoot && !RUN_AS ? 'no postgres user to run the server as' : false;

export interface TestPostgres {
  port: number;
  /** A connection URL to database `db` (default `postgres`) as the superuser. */
  url(db?: string): string;
  /** A new empty database (or a copy of database `template`, which nobody may be connected to); its URL. */
  createDatabase(name?: string, template?: string): Promise<string>;
  /** Stops the server now (what a crash of the database looks like to its clients); `start` brings it back. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

function runPg(bin: string, args: string[]): string {
  const cmd = join(PG_BIN!, bin);
  const argv = RUN_AS ? ['-u', 'postgres', '--', cmd, ...args] : args;
  return execFileSync(RUN_AS ? 'runuser' : cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

let dbCount = 0;

/** Starts a cluster for the test; it is stopped and removed at teardown. */
export async function startPostgres(t: Teardownable): Promise<TestPostgres> {
  if (postgresMissing) throw new Error(postgresMissing);
  const dir = await mkdtemp(join(tmpdir(), 'portier-pg-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const data = join(dir, 'data');
  if (RUN_AS) {
    await chown(dir, RUN_AS.uid, RUN_AS.gid);
    await chmod(dir, 0o700);
  }
  runPg('initdb', ['-D', data, '--auth=trust', '--no-locale', '--encoding=UTF8', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  // Durable as in production (fsync on); only the cluster's own start-up tuning is small.
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=64MB`;
  const start = async (): Promise<void> => {
    runPg('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  };
  const stop = async (): Promise<void> => {
    if (existsSync(join(data, 'postmaster.pid'))) runPg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
  };
  await start();
  t.teardown(() => stop().catch(() => undefined));
  const url = (db = 'postgres'): string => `postgres://postgres@127.0.0.1:${port}/${db}`;
  return {
    port,
    url,
    async createDatabase(name = `t${process.pid}_${++dbCount}`, template?: string) {
      const c = new pg.Client({ connectionString: url() });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE "${name}"${template === undefined ? '' : ` TEMPLATE "${template}"`}`);
      } finally {
        await c.end();
      }
      return url(name);
    },
    stop,
    start,
  };
}
