// The cluster demo's PostgreSQL, started as the tests and the benches start theirs (initdb in a temporary folder, a
// free loopback port; removed at stop), with the database the cloud instances use as a deployment has it: its own
// owner with a password, checked (SCRAM) on TCP; the superuser keeps trust for the demo's own set-up.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PG_BIN, startPostgres } from '../../test/e2e/postgres.ts';
import type { Teardowns } from './teardowns.ts';

export interface DemoPostgres {
  /** The cloud instances' connection URL, password included: given to them in their environment, never printed. */
  url: string;
  port: number;
  /** The server's process id (its postmaster). */
  pid: number;
}

/** Runs `sql` through psql as the superuser, on stdin (a password in it never shows in the process list). */
function psql(url: string, sql: string): string {
  return execFileSync(join(PG_BIN!, 'psql'), ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-d', url], { input: sql, stdio: ['pipe', 'pipe', 'pipe'] })
    .toString()
    .trim();
}

export async function startDemoPostgres(t: Teardowns): Promise<DemoPostgres> {
  const server = await startPostgres(t);
  const password = randomBytes(18).toString('base64url');
  psql(server.url(), `CREATE ROLE portier LOGIN PASSWORD '${password}';\nCREATE DATABASE portier OWNER portier;`);
  const hbaFile = psql(server.url(), 'SHOW hba_file');
  await writeFile(hbaFile, ['local all all trust', 'host all postgres 127.0.0.1/32 trust', 'host all all 127.0.0.1/32 scram-sha-256', ''].join('\n'));
  psql(server.url(), 'SELECT pg_reload_conf()');
  const dataDir = psql(server.url(), 'SHOW data_directory');
  const pid = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  return { url: `postgres://portier:${password}@127.0.0.1:${server.port}/portier`, port: server.port, pid };
}
