// Manage lockers in the browser, as a mailroom operator does: sign in with a second factor, find a locker by status,
// read its summary on hover and on keyboard focus, open its page, switch to French, and be signed out when idle
// (after the warning a minute before), on the browser's and the cloud's clocks moved on together.
import { generateSync } from 'otplib';
import type { Journey } from './index.ts';

const PASSWORD = 'operator password 1';
const MINUTE = 60_000;

export const lockersJourney: Journey = {
  name: 'lockers',
  title: 'manage lockers: sign in with a second factor, find a locker by status, its summary on hover and focus, French, the idle sign-out; axe in English and French',
  async run(t, w) {
    const admin = await w.adminToken();
    const created = await w.api('POST', '/users', { username: 'olga', firstName: 'Olga', lastName: 'Ops', email: 'olga@example.com', role: 'operator', password: PASSWORD }, admin);
    t.equal(created.status, 201, 'an operator');
    const olga = (await w.api('POST', '/auth/login', { username: 'olga', password: PASSWORD })).json.token as string;
    const enrol = await w.api('POST', '/auth/mfa/totp', {}, olga);
    const secret = enrol.json.secret as string;
    const code = (at: number) => generateSync({ secret, epoch: Math.floor(at / 1000) });
    t.equal((await w.api('POST', '/auth/mfa/totp/confirm', { code: code(w.now()) }, olga)).status, 200, 'her authenticator');
    w.advance(31_000); // a code is good once: the next sign-in takes the next one

    const reserved = await w.api('POST', '/reservations', { bankId: 'lobby', kind: 'package', size: 'M', recipient: { type: 'contact', id: 'bea' }, trackingId: '1Z999AA1' }, admin);
    t.equal(reserved.status, 201, 'a parcel for Bea');
    const locker = reserved.json.reservation.lockerNumber as number;
    t.equal((await w.api('POST', `/reservations/${reserved.json.reservation.id}/drop-off`, {}, admin)).status, 200, 'dropped off');

    const page = await w.page(t);
    await page.goto(`${w.cloud.rt.httpUrl}/console/lockers`);
    t.match(new URL(page.url()).pathname, '/account/sign-in', 'no session: the sign-in page');
    await page.fill('#login', 'olga');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(/\/account\/mfa/), page.click('button[type=submit]')]);
    await page.fill('#code', code(w.now()));
    await Promise.all([page.waitForURL(/\/console\/lockers/), page.click('button[type=submit] >> nth=0')]);
    t.match(await page.textContent('header'), /Signed in as Olga Ops/, 'signed in with the second factor');
    t.same(await w.axe(page), [], 'the lockers page (en)');

    await Promise.all([page.waitForURL(/status=occupied/), page.click('text=Occupied (1)')]);
    const links = await page.$$eval('.bank a', (as) => as.map((a) => a.textContent ?? ''));
    t.equal(links.length, 1, 'the filter leaves one locker to pick');
    t.match(links[0], new RegExp(`^${locker}Occupied`));
    const tip = page.locator(`#tip-${locker}`);
    t.notOk(await tip.isVisible(), 'the summary is hidden until asked for');
    await page.hover(`a[aria-describedby=tip-${locker}]`);
    t.ok(await tip.isVisible(), 'on hover: the summary');
    t.match(await tip.textContent(), /Bea Brown.*1Z999AA1/s, 'recipient and tracking ID');
    await page.keyboard.press('Escape');
    t.notOk(await tip.isVisible(), 'Escape hides it');
    await page.mouse.move(0, 0);
    await page.focus(`a[aria-describedby=tip-${locker}]`);
    t.ok(await tip.isVisible(), 'on keyboard focus: the summary');
    t.same(await w.axe(page), [], 'the filtered grid with a summary shown (en)');
    await Promise.all([page.waitForURL(new RegExp(`/console/lockers/lobby/${locker}$`)), page.keyboard.press('Enter')]);
    t.match(await page.textContent('h1'), new RegExp(`Locker ${locker}, Lobby`));
    t.match(await page.textContent('main'), /Open the door/);
    t.same(await w.axe(page), [], "a locker's page (en)");

    await Promise.all([page.waitForURL(new RegExp(`/console/lockers/lobby/${locker}$`)), page.click('button:text("Français")')]);
    t.match(await page.textContent('h1'), new RegExp(`Casier ${locker}, Lobby`), 'the same page, in French');
    t.equal((await w.api('GET', '/auth/me', undefined, olga)).json.user.language, 'fr', 'her language, saved with her');
    t.same(await w.axe(page), [], "a locker's page (fr)");
    await Promise.all([page.waitForURL(/\/console\/lockers$/), page.click('nav.menu a:text("Casiers")')]);
    await page.waitForSelector('h1:text("Casiers")');
    t.same(await w.axe(page), [], 'the lockers page (fr)');

    // The browser's clock from here on is the test's (a page loaded now sets its idle timers on it).
    await page.clock.install();
    await page.reload();

    const warning = page.locator('#idle-warning');
    await page.clock.fastForward(14 * MINUTE - 1000);
    t.notOk(await warning.isVisible(), 'no warning before the last minute');
    await page.clock.fastForward(2000);
    t.ok(await warning.isVisible(), 'a minute before the idle sign-out: the warning');
    t.match(await warning.textContent(), /déconnecté dans une minute/);
    t.equal(await page.evaluate('document.activeElement?.textContent'), 'Rester connecté', 'focus on "stay signed in"');
    t.same(await w.axe(page), [], 'the idle warning (fr)');
    w.advance(14 * MINUTE);
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/console/keepalive')), page.keyboard.press('Enter')]);
    t.notOk(await warning.isVisible(), 'stayed signed in: the warning is gone');
    await page.clock.fastForward(14 * MINUTE);
    t.ok(await warning.isVisible(), 'the warning again after another idle period');
    w.advance(15 * MINUTE + 1000);
    await Promise.all([page.waitForURL(/\/account\/sign-in/), page.clock.fastForward(61_000)]);
    t.match(await page.textContent('main'), /déconnecté faute d’activité/, 'signed out, and told why');
    await page.goto(`${w.cloud.rt.httpUrl}/console/lockers`);
    t.match(new URL(page.url()).pathname, '/account/sign-in', 'the session is over on the cloud too');
    t.same(w.errors(page), [], 'no script or style refused, no request failed');
  },
};
