// `make demo` as a person runs it: in a real terminal (node-pty), on free ports and a fresh state folder. The demo
// prints where to look and a parcel's pickup code; touched on the printed kiosk screen's keypad in a browser (or typed
// on the terminal kiosk where there is no Chromium), the parcel's locker opens (seen in the cloud's API, and on the
// terminal kiosk, which shows the same session); Ctrl-C stops everything cleanly.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pty from 'node-pty';
import t from 'tap';
import { probeSpeaker } from '../demo/speaker.ts';
import { launchChromium, skipWithoutChromium } from './contracts/browser.ts';
import { entryArgs, expectCondition, expectValue } from '@portier/sim';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// `make demo` runs in the repository itself, also when this file runs from the compiled mirror (scripts/build-tests.mjs).
const REPO = process.env['PORTIER_SOURCE_ROOT'] ?? ROOT;
const MAIN = join(ROOT, 'scripts', 'demo', 'main.ts');
const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '');

t.test('make demo: the printed pickup code, touched on the printed kiosk screen, opens its locker; Ctrl-C stops cleanly', { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-demo-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const env = { ...process.env, PORTIER_DEMO_DIR: dir, PORTIER_DEMO_HTTP_PORT: '0', PORTIER_DEMO_MQTT_PORT: '0', PORTIER_DEMO_SCREEN_PORT: '0', TERM: 'xterm-256color' } as Record<string, string>;
  delete env['NODE_OPTIONS'];
  const p = pty.spawn(process.execPath, entryArgs(MAIN), { name: 'xterm-256color', cols: 120, rows: 40, cwd: ROOT, env });
  let out = '';
  p.onData((d) => {
    out += d;
  });
  let exited: { exitCode: number } | undefined;
  const exit = new Promise<{ exitCode: number }>((resolve) =>
    p.onExit((e) => {
      exited = e;
      resolve(e);
    }),
  );
  t.teardown(() => {
    if (!exited) p.kill('SIGKILL');
  });
  /** The first match of `re` on the terminal (from `from`), within `ms`; fails at once if the demo exited first. */
  const expect = (re: RegExp, ms: number, from = 0): Promise<RegExpMatchArray> =>
    expectValue(
      () => {
        const m = stripAnsi(out.slice(from)).match(re);
        if (m) return m;
        if (exited) throw new Error(`demo exited (${exited.exitCode}) before ${re}: ${stripAnsi(out).slice(-1500)}`);
        return undefined;
      },
      ms,
      `${re} on the terminal`,
    ).catch((err: unknown) => {
      t.comment(`the terminal shows: ${stripAnsi(out).slice(-1500)}`);
      throw err;
    });

  const api = (await expect(/HTTP API\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/v1/, 60_000))[1]!;
  const parcel = await expect(/waits in locker (\d+) for .*; pickup code (\d+)\./, 10_000);
  const locker = Number(parcel[1]);
  const code = parcel[2]!;
  t.match(stripAnsi(out), /operator PIN \d{6}/, 'an operator PIN for the kiosk is printed');
  t.match(stripAnsi(out), /access code \d{8}/, 'and a carrier access code');
  const consoleUrl = (await expect(/Web console\s+(http:\/\/127\.0\.0\.1:\d+\/console)\s+\(sign in as admin \/ \S+\)/, 10_000))[1]!;
  const start = await fetch(consoleUrl, { redirect: 'manual', headers: { 'accept-language': 'en' } });
  t.match(start.headers.get('location'), /^\/account\/sign-in\?lang=en\b/, 'the printed console address leads to its sign-in');
  const screenUrl = (await expect(/Kiosk screen\s+(http:\/\/127\.0\.0\.1:\d+\/)\s/, 10_000))[1]!;
  const page = await fetch(screenUrl);
  t.equal(page.status, 200, 'the printed kiosk screen address answers');
  t.match(await page.text(), /<script type="module" src="\/screen\.js"><\/script>/, 'with the touch screen page');
  await expect(/Below: the kiosk screen/, 10_000);

  const login = await fetch(`${api}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'portier-demo' }) });
  t.equal(login.status, 200, 'the printed admin login works');
  const { token } = (await login.json()) as { token: string };
  const status = async (): Promise<string> => {
    const r = await fetch(`${api}/api/v1/banks/demo-bank/lockers/${locker}`, { headers: { authorization: `Bearer ${token}` } });
    return ((await r.json()) as { status: string }).status;
  };
  t.equal(await status(), 'occupied', `locker ${locker} holds the parcel`);

  // The kiosk screen took the terminal over: what the demo printed is still on top of it.
  const lastScreen = (): string => stripAnsi(out.slice(out.lastIndexOf('\x1b[2J')));
  t.match(lastScreen(), new RegExp(`pickup code ${code}[\\s\\S]*== Welcome ==`), 'the pickup code stays visible above the kiosk screen');
  t.match(lastScreen(), /API http:\/\/127\.0\.0\.1:\d+\/api\/v1/, 'and the API address');
  t.match(lastScreen(), /operator PIN \d{6}/, 'and the operator PIN');
  // Headphones in: what the audio interface says is shown as a transcript (and played where there is a speaker).
  let mark = out.length;
  p.write('H');
  await expect(/audio: .*Welcome/, 15_000, mark);
  t.match(lastScreen(), new RegExp(`pickup code ${code}[\\s\\S]*audio: `), 'transcript under the screen, header kept');
  p.write('H');
  await expect(/== Welcome == {3}\[EN\]/, 10_000, mark);

  mark = out.length;
  if (!skipWithoutChromium) {
    // The person opens the printed kiosk screen in a browser and touches the code on its keypad.
    const browser = await launchChromium();
    t.teardown(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
    await page.goto(screenUrl);
    await page.waitForSelector('body[data-page="home"]');
    for (const d of code) await page.click(`.keypad [data-key="${d}"]`);
    await page.click('.keypad [data-key="enter"]');
    await page.waitForSelector(`body[data-page="pickup"] .lockers li[data-locker="${locker}"]`, { timeout: 15_000 });
    t.pass(`the kiosk screen shows locker ${locker} open for the pickup`);
  } else {
    // Without a browser the person types the code on the terminal kiosk.
    for (const ch of code) p.write(ch);
    p.write('\r');
  }
  // Either way the terminal kiosk shows the session: the locker that opened.
  await expect(new RegExp(`[Ll]ocker ${locker}\\b`), 15_000, mark);
  await expectCondition(async () => (await status()) === 'available', 15_000, 'the locker available in the API').catch(() => undefined);
  const s = await status();
  t.equal(s, 'available', 'the pickup reached the cloud: the locker is free again');

  p.write('\x03'); // Ctrl-C on the kiosk screen
  const e = await Promise.race([exit, new Promise<{ exitCode: number }>((r) => setTimeout(() => r({ exitCode: -1 }), 20_000).unref())]);
  t.equal(e.exitCode, 0, 'Ctrl-C stops the demo cleanly');
});

t.test('make demo with its HTTP port taken: the terminal says which port, and how to choose another', { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-demo-busy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => busy.close(() => r())));
  const port = (busy.address() as AddressInfo).port;
  const env = { ...process.env, PORTIER_DEMO_DIR: dir, PORTIER_DEMO_HTTP_PORT: String(port), PORTIER_DEMO_MQTT_PORT: '0', PORTIER_DEMO_SCREEN_PORT: '0', TERM: 'xterm-256color' } as Record<string, string>;
  delete env['NODE_OPTIONS'];
  delete env['MAKEFLAGS'];
  const p = pty.spawn('make', ['demo'], { name: 'xterm-256color', cols: 160, rows: 40, cwd: REPO, env });
  let out = '';
  p.onData((d) => (out += d));
  const e = await new Promise<{ exitCode: number }>((resolve) => p.onExit(resolve));
  const screen = stripAnsi(out);
  t.not(e.exitCode, 0, 'make demo fails');
  t.match(screen, new RegExp(`port ${port} \\(the HTTP API\\) is already in use`), 'the cause, on the terminal');
  t.match(screen, new RegExp(`PORTIER_DEMO_HTTP_PORT=${port + 1} make demo`), 'and the fix');
  t.match(screen, /PORTIER_DEMO_MQTT_PORT \(default 1883\)/, 'the other port and its variable are named');
});

t.test('the demo plays the kiosk audio only where there is a sound card and espeak-ng', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-speaker-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'espeak-ng'), '#!/bin/sh\n', { mode: 0o755 });
  const cards = join(dir, 'cards');
  writeFileSync(cards, '--- no soundcards ---\n');
  t.same(probeSpeaker({ cardsFile: cards, path: bin }), { play: false, why: 'this machine has no sound card' });
  writeFileSync(cards, ' 0 [PCH            ]: HDA-Intel - HDA Intel PCH\n                      HDA Intel PCH at 0xf7f10000 irq 32\n');
  t.same(probeSpeaker({ cardsFile: cards, path: bin }), { play: true });
  t.same(probeSpeaker({ cardsFile: cards, path: join(dir, 'nowhere') }), { play: false, why: 'espeak-ng is not installed' });
  t.same(probeSpeaker({ cardsFile: cards, path: bin, setting: '0' }), { play: false, why: 'PORTIER_DEMO_SPEAKER=0' });
  t.same(probeSpeaker({ cardsFile: join(dir, 'absent'), path: bin }), { play: false, why: 'this machine has no sound card' });
});
