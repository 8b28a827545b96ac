/**
 * The address book at scale, on a real cloud (startCloud: durable file store, HTTP API, embedded broker):
 * - contacts_import_50k_s: a generated 50,000-row contacts CSV (about 4 MB) imported through `POST /contacts/import`
 *   as the CLI sends it; from the request to the durable answer (target under 10 s).
 * - contacts_search_p99_ms: with 100,000 contacts (a second 50k import), p99 of 500 searches through
 *   `GET /contacts?q=...&limit=50` over HTTP on loopback, the answer parsed (target under 20 ms). Queries mix name
 *   prefixes, substrings, e-mails, personnel IDs and misses.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { startCloud } from '@portier/cloud';
import { contactsCsv as csv } from '../lib/contacts-csv.ts';
import { bench, percentile } from '../lib/stats.ts';

const dir = await mkdtemp(join(tmpdir(), 'portier-bench-contacts-'));
const rt = await startCloud({
  config: { dataDir: dir, http: { host: '127.0.0.1', port: 0, bodyLimitBytes: 6 * 1024 * 1024 }, admin: { user: 'admin', password: 'bench password' }, expiry: { intervalSeconds: 0 }, log: { level: 'warn' } },
  logger: pino({ level: 'warn' }),
  broker: { kind: 'embedded', host: '127.0.0.1', port: 0 },
  codeHashN: 1024,
});
try {
  const login = await fetch(`${rt.httpUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'bench password' }) });
  const { token } = (await login.json()) as { token: string };
  const auth = { authorization: `Bearer ${token}` };
  const upload = async (body: string): Promise<number> => {
    const t0 = performance.now();
    const res = await fetch(`${rt.httpUrl}/api/v1/contacts/import?mode=merge`, { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`import answered ${res.status}: ${text.slice(0, 300)}`);
    return (performance.now() - t0) / 1000;
  };
  const first = csv(0, 50_000);
  process.stdout.write(`importing 50,000 contacts (${(Buffer.byteLength(first) / 1024 / 1024).toFixed(1)} MB) into a durable store\n`);
  bench('contacts_import_50k_s', await upload(first), 's');
  await upload(csv(50_000, 50_000));
  process.stdout.write(`${rt.service.store.count('contacts')} contacts\n`);

  const queries = ['an', 'mart', 'dubois4', 'léa', 'lea.123', 'p4242', 'P99999', 'b7', '@example', 'zzz', 'omar moreau', 'ichel1', 'thomas', 'e', 'gabriel.6'];
  const search = async (q: string): Promise<number> => {
    const t0 = performance.now();
    const res = await fetch(`${rt.httpUrl}/api/v1/contacts?q=${encodeURIComponent(q)}&limit=50`, { headers: auth });
    const body = (await res.json()) as { contacts: unknown[] };
    if (res.status !== 200 || !Array.isArray(body.contacts)) throw new Error(`search answered ${res.status}`);
    return performance.now() - t0;
  };
  for (let i = 0; i < 30; i++) await search(queries[i % queries.length]!);
  const times: number[] = [];
  for (let i = 0; i < 500; i++) times.push(await search(queries[i % queries.length]!));
  process.stdout.write(`search over HTTP at 100k contacts: p50 ${percentile(times, 50).toFixed(2)} ms\n`);
  bench('contacts_search_p99_ms', percentile(times, 99), 'ms');
} finally {
  await rt.stop();
  await rm(dir, { recursive: true, force: true });
}
