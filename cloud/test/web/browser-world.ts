// The world of the console's browser tests: one running cloud (its clock can be moved on), one Chromium, an
// organisation with two locations and their banks, a few contacts, and the administrator `admin`. Each screen's
// journey (journeys/*.ts) gets this world and does what a person does in its pages.
import type { Browser, BrowserContext, Cookie, Page } from 'playwright-core';
import type { Test } from 'tap';
import { CapturingMail } from '../pages/helpers.ts';
import { axeViolations, launchChromium, startPagesCloud, type PagesCloud } from '../pages/browser.ts';

export const ADMIN_PASSWORD = 'console admin password 1';
const seed = { role: 'admin' as const, id: 'seed' };

export interface ConsoleWorld {
  cloud: PagesCloud;
  browser: Browser;
  mail: CapturingMail;
  /** The enterprise's id. */
  enterpriseId: string;
  /** Moves the cloud's clock on (sessions, reservations and reports read it). */
  advance(ms: number): void;
  /** The cloud's clock. */
  now(): number;
  /** A new API session of the administrator (a journey may move the clock past an earlier one's idle end). */
  adminToken(): Promise<string>;
  /** A JSON request to the API (its answer parsed). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-side view of JSON replies
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: any }>;
  /** A new browser context and page (`lang`: the browser's language), closed at the end of `t`; the page's policy is enforced. */
  page(t: Test, lang?: 'en' | 'fr'): Promise<Page>;
  /**
   * Signs `page` in with a user name and password (no second factor), landing in the console: through the sign-in form
   * the first time, after that with the session it gave while that session lasts (a sign-in per journey costs a
   * second and is the same steps each time).
   */
  signIn(page: Page, login: string, password: string): Promise<void>;
  /** What axe finds on the page (WCAG 2.x A and AA). */
  axe(page: Page): Promise<string[]>;
  /** What the browser reported as errors on the pages of `page` so far (a refused script or style, a failed request). */
  errors(page: Page): string[];
}

/**
 * Location `main` (bank `lobby`: column 1 a kiosk with lockers 1 to 6, column 2 with 7 to 12; lockers 1 to 3 and 7 to 9
 * within the reach range, hence accessible; sizes S, M, S, M, M, L from locker 1) and location `annex` (bank `annex-bank`, lockers 1 and 2). Contacts: Alex Access (needs
 * accessible lockers), Bea Brown, Cy Chen (of the annex).
 */
export async function consoleWorld(t: Test): Promise<ConsoleWorld> {
  let offset = 0;
  const now = () => Date.now() + offset;
  const mail = new CapturingMail();
  const cloud = await startPagesCloud(t, 'portier-console-', ADMIN_PASSWORD, mail, { now });
  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const s = cloud.rt.service;
  const enterpriseId = s.store.list('enterprises')[0]!.id;
  await s.createDivision({ id: 'div', enterpriseId, name: 'HQ' }, seed);
  await s.createLocation({ id: 'main', divisionId: 'div', name: 'Main building' }, seed);
  await s.createLocation({ id: 'annex', divisionId: 'div', name: 'Annex' }, seed);
  await s.createBank({ id: 'lobby', locationId: 'main', name: 'Lobby' }, seed);
  await s.createBank({ id: 'annex-bank', locationId: 'annex', name: 'Annex entrance' }, seed);
  await s.createColumn({ id: 'c1', bankId: 'lobby', position: 1, kind: 'kiosk', controllerId: 'lobby-ctl-1' }, seed);
  await s.createColumn({ id: 'c2', bankId: 'lobby', position: 2, kind: 'plain', controllerId: 'lobby-ctl-2' }, seed);
  await s.createColumn({ id: 'a1', bankId: 'annex-bank', position: 1, kind: 'plain', controllerId: 'annex-ctl-1' }, seed);
  // Each column from the floor up: a large door below the reach range, three doors within it (accessible), two above.
  const slots = [
    { size: 'S', bottomCm: 36, topCm: 53 },
    { size: 'M', bottomCm: 55, topCm: 88 },
    { size: 'S', bottomCm: 90, topCm: 107 },
    { size: 'M', bottomCm: 125, topCm: 158 },
    { size: 'M', bottomCm: 160, topCm: 193 },
    { size: 'L', bottomCm: 0, topCm: 34 + 15 },
  ] as const;
  const door = (bankId: string, columnId: string, number: number, slot: number) => ({ bankId, number, columnId, door: slot + 1, ...slots[slot]!, loading: 'front' as const });
  await s.createLockers([...Array.from({ length: 6 }, (_, i) => door('lobby', 'c1', i + 1, i)), ...Array.from({ length: 6 }, (_, i) => door('lobby', 'c2', i + 7, i))], seed);
  await s.createLockers([door('annex-bank', 'a1', 1, 1), door('annex-bank', 'a1', 2, 3)], seed);
  await s.createContact({ id: 'alex', enterpriseId, firstName: 'Alex', lastName: 'Access', email: 'alex@example.com', language: 'en', needsAccessible: true }, seed);
  await s.createContact({ id: 'bea', enterpriseId, firstName: 'Bea', lastName: 'Brown', email: 'bea@example.com', language: 'fr', needsAccessible: false, personnelId: 'P-100' }, seed);
  await s.createContact({ id: 'cy', enterpriseId, firstName: 'Cy', lastName: 'Chen', email: 'cy@example.com', language: 'en', needsAccessible: false, locationId: 'annex' }, seed);

  const api: ConsoleWorld['api'] = async (method, path, body, token) => {
    const r = await cloud.api(method, path, body, token);
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : undefined };
  };
  const errors = new WeakMap<Page, string[]>();
  /** Each user's session signed in through the form: its cookies and the console page it landed on. */
  const sessions = new Map<string, { cookies: Cookie[]; landing: string }>();
  const world: ConsoleWorld = {
    cloud,
    browser,
    mail,
    enterpriseId,
    advance: (ms) => void (offset += ms),
    now,
    adminToken: async () => (await api('POST', '/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).json.token as string,
    api,
    page: async (pt, lang = 'en') => {
      const context: BrowserContext = await browser.newContext({ locale: lang === 'fr' ? 'fr-FR' : 'en-GB' });
      pt.teardown(() => context.close());
      const page = await context.newPage();
      const seen: string[] = [];
      errors.set(page, seen);
      page.on('console', (m) => {
        if (m.type() === 'error') seen.push(m.text());
      });
      page.on('pageerror', (e) => seen.push(e.message));
      return page;
    },
    signIn: async (page, login, password) => {
      // A session signed in through the form before is taken up again by its cookies, unless it ended since (the
      // clock moved past its idle end, a journey signed it out): then, and the first time, through the form.
      const saved = sessions.get(login);
      if (saved) {
        await page.context().addCookies(saved.cookies);
        await page.goto(saved.landing);
        if (new URL(page.url()).pathname.startsWith('/console/')) return;
      }
      await page.goto(`${cloud.rt.httpUrl}/account/sign-in`);
      await page.fill('#login', login);
      await page.fill('#password', password);
      await Promise.all([page.waitForURL(/\/console\//), page.click('button[type=submit]')]);
      sessions.set(login, { cookies: (await page.context().storageState()).cookies, landing: page.url() });
    },
    axe: axeViolations,
    errors: (page) => errors.get(page) ?? [],
  };
  return world;
}
