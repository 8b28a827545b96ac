// End to end in a real Chromium: an operator opens a locker from the console's page on a bank of real controllers on
// the simulator, and reads what the door did as the answer arrives: opened, jammed. The console shows each column's
// controller online, and its doors' states.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import t from 'tap';
import { DEMO_ADMIN, seedAndProvision, startBank, startE2eCloud, tempDir } from './helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;

t.test('remote open from the console: the outcome shown live, the simulated door opened or jammed', { skip }, async (t) => {
  const dir = tempDir(t, 'portier-e2e-console-');
  const cloud = await startE2eCloud(t, { dataDir: join(dir, 'cloud') });
  const p = await seedAndProvision(cloud, dir);
  const bank = await startBank(t, cloud, p, { dataDir: join(dir, 'controllers') });
  const bankId = p.seeded.bankId;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  t.teardown(() => browser.close());
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${cloud.httpUrl}/account/sign-in`);
  await page.fill('#login', DEMO_ADMIN.user);
  await page.fill('#password', DEMO_ADMIN.password);
  await Promise.all([page.waitForURL(/\/console\/lockers/), page.click('button[type=submit]')]);
  await page.goto(`${cloud.httpUrl}/console/lockers?bank=${bankId}`);
  t.equal(await page.locator('.column .online').count(), 2, 'both columns’ controllers online');

  // Column 2 holds lockers 6..12 on its doors 1..7.
  await Promise.all([page.waitForURL(new RegExp(`/lockers/${bankId}/7$`)), page.click(`a[href="/console/lockers/${bankId}/7"]`)]);
  await page.fill('#reason', 'parcel stuck behind the door');
  await page.click('button:text("Open the door")');
  const outcome = page.locator('#open-outcome [data-outcome]');
  await outcome.waitFor({ timeout: 10_000 });
  t.equal(await outcome.getAttribute('data-outcome'), 'opened');
  t.match(await outcome.textContent(), /The door opened\./, 'the person reads what the door did');
  t.ok(bank.column(2).door(2).open, 'the simulated door 2 of column 2 (locker 7) is open');
  t.notOk(bank.column(1).door(2).open, 'the same door number of the other column stays shut');
  bank.column(2).door(2).close();

  bank.column(2).door(4).setBehaviour({ jammed: true });
  await page.goto(`${cloud.httpUrl}/console/lockers/${bankId}/9`);
  await page.fill('#reason', 'jam check');
  await page.click('button:text("Open the door")');
  await page.locator('#open-outcome [data-outcome]').waitFor({ timeout: 10_000 });
  t.equal(await page.locator('#open-outcome [data-outcome]').getAttribute('data-outcome'), 'jammed');
  t.match(await page.textContent('#open-outcome'), /jammed/);
  t.equal(await page.getAttribute('#open-outcome [data-outcome]', 'role'), 'alert', 'a failure is announced at once');
  t.notOk(bank.column(2).door(4).open, 'the jammed door stayed shut');
});
