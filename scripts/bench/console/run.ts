/**
 * The web console at the size of a large mailroom, on a real cloud (startCloud: durable file store, HTTP, broker):
 * - console_lockers_page_p95_ms: the manage-lockers page of one bank of 1,000 lockers (20 columns of 50; a third of
 *   them holding a parcel, so their summaries are in the page), p95 of 200 requests over HTTP on loopback from the
 *   request to the last byte of the page, with a signed-in session cookie (target under 50 ms). Every request makes
 *   the page's API calls with the person's session, as in use.
 * - console_lockers_page_kb: the size of that page as sent.
 * - console_lockers_page_browser_ms: in Debian's Chromium, from navigation to the page's load event with its style
 *   sheet and scripts (median of 5; target under 1 s). Skipped without /usr/bin/chromium.
 * - console_js_gzip_kb: the JavaScript a console page loads, gzipped (htmx and the console's script; target under 30).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { chromium } from 'playwright-core';
import { consoleJsGzipBytes, startCloud } from '@portier/cloud';
import { bench, percentile } from '../lib/stats.ts';

const COLUMNS = 20;
const PER_COLUMN = 50;
const actor = { role: 'admin' as const, id: 'bench' };

const dir = await mkdtemp(join(tmpdir(), 'portier-bench-console-'));
const rt = await startCloud({
  config: { dataDir: dir, http: { host: '127.0.0.1', port: 0 }, admin: { user: 'admin', password: 'bench password' }, expiry: { intervalSeconds: 0 }, log: { level: 'warn' } },
  logger: pino({ level: 'warn' }),
  broker: { kind: 'embedded', host: '127.0.0.1', port: 0 },
  codeHashN: 1024,
});
try {
  const s = rt.service;
  const enterpriseId = s.store.list('enterprises')[0]!.id;
  await s.createDivision({ id: 'div', enterpriseId, name: 'HQ' }, actor);
  await s.createLocation({ id: 'loc', divisionId: 'div', name: 'Mailroom' }, actor);
  await s.createBank({ id: 'big', locationId: 'loc', name: 'Big bank' }, actor);
  const lockers = [];
  for (let c = 0; c < COLUMNS; c++) {
    await s.createColumn({ id: `col${c + 1}`, bankId: 'big', position: c + 1, kind: c === 0 ? 'kiosk' : 'plain', controllerId: `big-ctl-${c + 1}` }, actor);
    for (let d = 0; d < PER_COLUMN; d++) {
      const slot = d % 6;
      lockers.push({ bankId: 'big', number: c * PER_COLUMN + d + 1, columnId: `col${c + 1}`, door: d + 1, size: 'S' as const, bottomCm: 20 + slot * 30, topCm: 40 + slot * 30, loading: 'front' as const });
    }
  }
  for (let i = 0; i < lockers.length; i += 500) await s.createLockers(lockers.slice(i, i + 500), actor);
  for (let i = 0; i < 340; i++) {
    const contact = await s.createContact({ enterpriseId, firstName: `Person${i}`, lastName: `Family${i % 37}`, email: `p${i}@example.org`, language: 'en', needsAccessible: false }, actor);
    const r = await s.reserve({ bankId: 'big', kind: 'package', size: 'S', recipient: { type: 'contact', id: contact.id }, trackingId: `1Z${String(i).padStart(10, '0')}` }, actor);
    if (i % 2 === 0) await s.dropOff({ reservationId: r.reservation.id }, actor);
  }
  for (let n = 990; n <= 1000; n++) await s.setServiceState('big', n, { state: 'out-of-service', reason: 'bench' }, actor);
  process.stdout.write(`${s.store.count('lockers')} lockers, ${s.store.count('reservations')} reservations\n`);

  const login = await fetch(`${rt.httpUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'bench password' }) });
  const { token } = (await login.json()) as { token: string };
  const cookie = `portier_session=${token}`;
  const url = `${rt.httpUrl}/console/lockers?bank=big`;
  const page = async (): Promise<{ ms: number; bytes: number }> => {
    const t0 = performance.now();
    const res = await fetch(url, { headers: { cookie } });
    const body = await res.text();
    if (res.status !== 200 || !body.includes('Big bank')) throw new Error(`the page answered ${res.status}`);
    return { ms: performance.now() - t0, bytes: Buffer.byteLength(body) };
  };
  for (let i = 0; i < 20; i++) await page();
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 200; i++) {
    const r = await page();
    times.push(r.ms);
    bytes = r.bytes;
  }
  process.stdout.write(`median ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms\n`);
  bench('console_lockers_page_p95_ms', percentile(times, 95), 'ms', 1);
  bench('console_lockers_page_kb', bytes / 1024, 'kB', 0);

  if (existsSync('/usr/bin/chromium')) {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    try {
      const context = await browser.newContext();
      await context.addCookies([{ name: 'portier_session', value: token, url: rt.httpUrl }]);
      const tab = await context.newPage();
      const loads: number[] = [];
      for (let i = 0; i < 6; i++) {
        const t0 = performance.now();
        await tab.goto(url, { waitUntil: 'load' });
        if (i > 0) loads.push(performance.now() - t0);
      }
      bench('console_lockers_page_browser_ms', percentile(loads, 50), 'ms', 0);
    } finally {
      await browser.close();
    }
  } else {
    process.stdout.write('console_lockers_page_browser_ms skipped: no /usr/bin/chromium\n');
  }
  bench('console_js_gzip_kb', consoleJsGzipBytes() / 1024, 'kB', 1);
} finally {
  await rt.stop();
  await rm(dir, { recursive: true, force: true });
}
