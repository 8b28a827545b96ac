// `make demo` as a person runs it: in a real terminal (node-pty), on free ports and a fresh state folder. The demo
// prints where to look and a parcel's pickup code; typed on the kiosk screen, the parcel's locker opens (seen in the
// cloud's API); the printed remote-open command path works over HTTP; Ctrl-C stops everything cleanly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pty from 'node-pty';
import t from 'tap';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'scripts', 'demo', 'main.ts');
const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '');

t.test('make demo: the printed pickup code opens its locker at the terminal kiosk; Ctrl-C stops cleanly', { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-demo-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const env = { ...process.env, PORTIER_DEMO_DIR: dir, PORTIER_DEMO_HTTP_PORT: '0', PORTIER_DEMO_MQTT_PORT: '0', TERM: 'xterm-256color' } as Record<string, string>;
  delete env['NODE_OPTIONS'];
  const p = pty.spawn(process.execPath, ['--import', 'tsx', MAIN], { name: 'xterm-256color', cols: 120, rows: 40, cwd: ROOT, env });
  let out = '';
  const waiters = new Set<() => void>();
  p.onData((d) => {
    out += d;
    for (const w of [...waiters]) w();
  });
  let exited: { exitCode: number } | undefined;
  const exit = new Promise<{ exitCode: number }>((resolve) =>
    p.onExit((e) => {
      exited = e;
      for (const w of [...waiters]) w();
      resolve(e);
    }),
  );
  t.teardown(() => {
    if (!exited) p.kill('SIGKILL');
  });
  const expect = (re: RegExp, ms: number, from = 0): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const m = stripAnsi(out.slice(from)).match(re);
        if (m) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(m);
        } else if (exited) {
          waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`demo exited (${exited.exitCode}) before ${re}: ${stripAnsi(out).slice(-1500)}`));
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no ${re} within ${ms} ms; the terminal shows: ${stripAnsi(out).slice(-1500)}`));
      }, ms);
      waiters.add(check);
      check();
    });

  const api = (await expect(/HTTP API\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/v1/, 60_000))[1]!;
  const parcel = await expect(/waits in locker (\d+) for .*; pickup code (\d+)\./, 10_000);
  const locker = Number(parcel[1]);
  const code = parcel[2]!;
  t.match(stripAnsi(out), /operator PIN \d{6}/, 'an operator PIN for the kiosk is printed');
  t.match(stripAnsi(out), /access code \d{8}/, 'and a carrier access code');
  await expect(/Below: the kiosk screen/, 10_000);

  const login = await fetch(`${api}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'portier-demo' }) });
  t.equal(login.status, 200, 'the printed admin login works');
  const { token } = (await login.json()) as { token: string };
  const status = async (): Promise<string> => {
    const r = await fetch(`${api}/api/v1/banks/demo-bank/lockers/${locker}`, { headers: { authorization: `Bearer ${token}` } });
    return ((await r.json()) as { status: string }).status;
  };
  t.equal(await status(), 'occupied', `locker ${locker} holds the parcel`);

  // The person at the kiosk types the code on the keyboard.
  const mark = out.length;
  for (const ch of code) p.write(ch);
  p.write('\r');
  await expect(new RegExp(`[Ll]ocker ${locker}\\b`), 15_000, mark);
  const end = Date.now() + 15_000;
  let s = await status();
  while (s !== 'available' && Date.now() < end) {
    await new Promise<void>((r) => {
      waiters.add(function once() {
        waiters.delete(once);
        r();
      });
      setTimeout(r, 100).unref();
    });
    s = await status();
  }
  t.equal(s, 'available', 'the pickup reached the cloud: the locker is free again');

  p.write('\x03'); // Ctrl-C on the kiosk screen
  const e = await Promise.race([exit, new Promise<{ exitCode: number }>((r) => setTimeout(() => r({ exitCode: -1 }), 20_000).unref())]);
  t.equal(e.exitCode, 0, 'Ctrl-C stops the demo cleanly');
});
