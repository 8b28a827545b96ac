/**
 * The README's pictures of the web console, taken from the real pages: a cloud on a fresh folder with the demo's
 * organisation, its bank of controllers on the simulator (so they are online), a few parcels and contacts; Debian's
 * Chromium signs in as the demo administrator and photographs each main screen into docs/screenshots/.
 * `make screenshots` runs it.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { chromium } from 'playwright-core';
import { provision, startCloud } from '@portier/cloud';
import { runSimBank, validateBankConfig } from '@portier/rig';
import { DEMO_ADMIN, seedDemo } from '../demo/seed.ts';

const OUT = resolve(import.meta.dirname, '../../docs/screenshots');
const SCREENS: ReadonlyArray<{ name: string; path: string; lang?: 'fr' }> = [
  { name: 'lockers', path: '/console/lockers' },
  { name: 'locker', path: '/console/lockers/demo-bank/LOCKER' },
  { name: 'reservations', path: '/console/reservations' },
  { name: 'new-reservation', path: '/console/reservations/new' },
  { name: 'activity', path: '/console/activity' },
  { name: 'reports', path: '/console/reports' },
  { name: 'address-book', path: '/console/contacts' },
  { name: 'users', path: '/console/users' },
  { name: 'roles', path: '/console/roles' },
  { name: 'set-up', path: '/console/settings' },
  { name: 'organisation', path: '/console/organisation' },
  { name: 'bank-settings', path: '/console/bank-settings?bank=demo-bank' },
  { name: 'branding', path: '/console/branding' },
  { name: 'security', path: '/console/security' },
  { name: 'lockers-fr', path: '/console/lockers', lang: 'fr' },
];

const root = mkdtempSync(join(tmpdir(), 'portier-screenshots-'));
const logger = pino({ level: 'warn' });
const cloud = await startCloud({
  config: { dataDir: join(root, 'cloud'), http: { host: '127.0.0.1', port: 0 }, admin: DEMO_ADMIN, log: { level: 'warn' } },
  broker: { kind: 'embedded', host: '127.0.0.1', port: 0 },
  logger,
});
let bank: Awaited<ReturnType<typeof runSimBank>> | undefined;
try {
  const seeded = await seedDemo(cloud.service);
  const columns = [];
  for (const col of seeded.columns) {
    const out = join(root, 'controllers', `${col.controllerId}.yaml`);
    await provision({ dataDir: join(root, 'cloud'), bankId: seeded.bankId, controllerId: col.controllerId, column: col.position, brokerUrl: cloud.mqttUrl, out, identities: cloud.identities, credentialKeys: cloud.credentialKeys });
    columns.push({ controllerConfig: out, doors: col.doors, kiosk: col.kind === 'kiosk' });
  }
  bank = await runSimBank({ bank: validateBankConfig({ name: 'Screenshots', bankId: seeded.bankId, cloud: { brokerUrl: cloud.mqttUrl }, transport: 'mock', dataDir: join(root, 'controllers-data'), columns }, { baseDir: root }), logger });
  const parcels = [];
  for (let i = 0; i < 3; i++) parcels.push(await seeded.makeParcel());
  const shown = parcels[0]!.lockerNumber;
  // A parcel on its way (reserved, not yet dropped off) and a door out of service, so the grid shows each state.
  const actor = { role: 'admin' as const, id: 'screenshots' };
  const someone = cloud.service.store.list('contacts')[0];
  if (someone) await cloud.service.reserve({ bankId: seeded.bankId, kind: 'package', size: 'S', recipient: { type: 'contact', id: someone.id }, trackingId: '1Z999AA10123456784' }, actor);
  await cloud.service.setServiceState(seeded.bankId, seeded.lockerCount, { state: 'out-of-service', reason: 'hinge replaced next week' }, actor);

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    mkdirSync(OUT, { recursive: true });
    for (const lang of ['en', 'fr'] as const) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: lang === 'fr' ? 'fr-FR' : 'en-GB' });
      const page = await context.newPage();
      await page.goto(`${cloud.httpUrl}/account/sign-in?lang=${lang}`);
      if (lang === 'en') await page.screenshot({ path: join(OUT, 'sign-in.png') });
      await page.fill('#login', DEMO_ADMIN.user);
      await page.fill('#password', DEMO_ADMIN.password);
      await Promise.all([page.waitForURL(/\/console\//), page.click('button[type=submit]')]);
      for (const s of SCREENS.filter((x) => (x.lang ?? 'en') === lang)) {
        const res = await page.goto(`${cloud.httpUrl}${s.path.replace('LOCKER', String(shown))}`);
        if (res?.status() !== 200) {
          process.stdout.write(`${s.name}: ${s.path} answered ${res?.status()}; no picture\n`);
          continue;
        }
        await page.screenshot({ path: join(OUT, `${s.name}.png`), fullPage: true });
        process.stdout.write(`${s.name}: docs/screenshots/${s.name}.png\n`);
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
} finally {
  await bank?.close();
  await cloud.stop();
  rmSync(root, { recursive: true, force: true });
}
