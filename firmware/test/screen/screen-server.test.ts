// The kiosk screen's server over a real kiosk engine (fake doors and desired state, as firmware/test/kiosk does):
// what a page receives (the view first, then every change; branding; notices), what a touch does, and what the server
// refuses (another host or origin, a body that is not the input's shape, a touch made on a page since replaced),
// each refusal leaving the kiosk as it was.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import t, { type Test } from 'tap';
import type { KioskBranding } from '../../src/branding/index.ts';
import { DesiredStateCredentials } from '../../src/kiosk/desired-credentials.ts';
import { KioskEngine } from '../../src/kiosk/engine.ts';
import { startKioskScreen, type KioskScreen, type ScreenViewEvent } from '../../src/screen/index.ts';
import { CODES, CREDENTIAL_KEY, FakeDoors, FakeState, RecordingSink, T0, desiredState } from '../kiosk/helpers.ts';

interface World {
  engine: KioskEngine;
  doors: FakeDoors;
  screen: KioskScreen;
  branding: EventEmitter<{ changed: [KioskBranding] }> & { now: KioskBranding | undefined; current(): KioskBranding | undefined };
}

type T = Test;

async function world(t: T, o: { blankInAudioMode?: boolean } = {}): Promise<World> {
  // The fixture's codes are valid on its morning; only the date is moved there (timers and I/O stay real).
  const clock = sinon.useFakeTimers({ now: T0, toFake: ['Date'], shouldAdvanceTime: true });
  t.teardown(() => clock.restore());
  const doors = new FakeDoors();
  const state = new FakeState(desiredState());
  const engine = new KioskEngine({ doors, state, sink: new RecordingSink(), credentials: new DesiredStateCredentials(state, CREDENTIAL_KEY), clock: { now: () => Date.now() } });
  engine.start();
  const branding = Object.assign(new EventEmitter<{ changed: [KioskBranding] }>(), {
    now: undefined as KioskBranding | undefined,
    current(): KioskBranding | undefined {
      return this.now;
    },
  });
  const screen = await startKioskScreen({ engine, config: { host: '127.0.0.1', port: 0, blankInAudioMode: o.blankInAudioMode ?? false }, branding });
  t.teardown(async () => {
    await screen.close();
    await engine.stop();
  });
  return { engine, doors, screen, branding };
}
/** The page's event stream, read as it comes: `next(name)` resolves with the next event of that name (bounded). */
async function stream(t: T, url: string) {
  const ac = new AbortController();
  const res = await fetch(`${url}events`, { signal: ac.signal });
  t.teardown(() => ac.abort());
  const queue: Array<{ event: string; data: unknown }> = [];
  const waiting: Array<() => void> = [];
  void (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) queue.push({ event, data: JSON.parse(data) as unknown });
          for (const w of waiting.splice(0)) w();
        }
      }
    } catch {
      // aborted at teardown
    }
  })();
  return {
    res,
    async next<T>(name: string, ms = 3000): Promise<T> {
      const deadline = Date.now() + ms;
      for (;;) {
        const i = queue.findIndex((e) => e.event === name);
        if (i >= 0) return queue.splice(i, 1)[0]!.data as T;
        if (Date.now() > deadline) throw new Error(`no ${name} event within ${ms} ms`);
        await new Promise<void>((r) => {
          waiting.push(r);
          setTimeout(r, 50).unref();
        });
      }
    },
    /** Drops what arrived so far. */
    drain(): void {
      queue.length = 0;
    },
  };
}

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> | undefined }> {
  return fetch(`${url}input`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) }).then(async (r) => {
    const text = await r.text();
    return { status: r.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  });
}

/** A raw request with a Host header of our choosing (fetch sets its own). */
function rawGet(url: string, host: string): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: '/', headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('a page gets the view on screen first, then each change; a touched key reaches the engine', async (t) => {
  const w = await world(t);
  const page = await fetch(w.screen.url);
  t.equal(page.status, 200);
  t.match(page.headers.get('content-security-policy'), /default-src 'none'; script-src 'self'; style-src 'self'/, 'a strict policy: no inline script or style');
  const html = await page.text();
  t.match(html, /<html lang="en">/);
  t.notMatch(html, /<script>|style=/, 'no inline script or style in the frame');
  for (const asset of ['screen.js', 'screen.css']) t.equal((await fetch(`${w.screen.url}${asset}`)).status, 200, `${asset} is served`);

  const s = await stream(t, w.screen.url);
  t.match(s.res.headers.get('content-type'), /^text\/event-stream/);
  t.same(await s.next('branding'), {}, 'no branding: the built-in look');
  const first = await s.next<ScreenViewEvent>('view');
  t.equal(first.view.page, 'home');
  t.equal(first.view.title, 'Welcome', 'texts arrive in the session language');
  t.same(first.view.options.map((o) => o.id), ['scan', 'storage', 'staff', 'language'], 'home offers the services by touch');
  t.equal(first.words.enter, 'Enter', "the page's own words too");

  t.equal((await post(w.screen.url, { kind: 'key', key: '4', seq: first.seq })).status, 204);
  const typed = await s.next<ScreenViewEvent>('view');
  t.equal(typed.view.change, 'input');
  t.same(typed.view.input, { kind: 'digits', masked: true, length: 1 }, 'a masked entry: its length, never the digit');
  t.equal(typed.pageSeq, first.pageSeq, 'typing does not replace the page');

  // The pickup code, touched key by key: the door opens.
  for (const d of CODES.pickup.slice(1)) await post(w.screen.url, { kind: 'key', key: d, seq: typed.seq });
  await post(w.screen.url, { kind: 'key', key: 'enter', seq: typed.seq });
  await w.engine.settled();
  t.equal(w.engine.screen.page, 'pickup', 'the whole code, touched on the screen, signs the person in');
  t.ok(w.doors.unlocked.length > 0, 'and a door was unlocked');
});

t.test('touches of every kind; a touch made on a page since replaced is refused and changes nothing', async (t) => {
  const w = await world(t);
  const s = await stream(t, w.screen.url);
  const home = await s.next<ScreenViewEvent>('view');
  t.equal((await post(w.screen.url, { kind: 'option', id: 'staff', seq: home.seq })).status, 204);
  const staff = await s.next<ScreenViewEvent>('view');
  t.equal(staff.view.page, 'staff-signin', 'an option touched on home');
  t.ok(staff.pageSeq > home.pageSeq);
  const stale = await post(w.screen.url, { kind: 'option', id: 'language', seq: home.seq });
  t.equal(stale.status, 409, 'a touch on home arriving after home was left');
  t.match(stale.json?.error, /^seq: /);
  await w.engine.settled();
  t.equal(w.engine.screen.page, 'staff-signin', 'and nothing happened');
  t.equal((await post(w.screen.url, { kind: 'back', seq: staff.seq })).status, 204);
  await w.engine.settled();
  t.equal(w.engine.screen.page, 'menu', 'back');
  const menu = await s.next<ScreenViewEvent>('view');
  await post(w.screen.url, { kind: 'sign-out', seq: menu.seq });
  const notice = await s.next<{ text: string; lang: string }>('notice');
  t.same(notice, { text: 'Thank you. Goodbye.', lang: 'en' }, 'sign-out: the goodbye reaches the page');
  t.equal((await s.next<ScreenViewEvent>('view')).view.page, 'home');
});

t.test('bad input is refused with the field named; the kiosk stays as it was', async (t) => {
  const w = await world(t);
  const s = await stream(t, w.screen.url);
  const home = await s.next<ScreenViewEvent>('view');
  const cases: Array<[string, unknown, Record<string, string>, number, RegExp]> = [
    ['not JSON', '{"kind": "key"', {}, 400, /^body: not valid JSON/],
    ['an unknown kind', { kind: 'door', door: 1, seq: home.seq }, {}, 400, /^kind: /],
    ['a key the keypad has not', { kind: 'key', key: 'open', seq: home.seq }, {}, 400, /^key: /],
    ['no seq', { kind: 'key', key: '1' }, {}, 400, /^seq: /],
    ['an extra field', { kind: 'back', seq: home.seq, door: 3 }, {}, 400, /door/],
    ['a text too long', { kind: 'text', text: 'x'.repeat(201), seq: home.seq }, {}, 400, /^text: /],
    ['a form post', 'kind=key&key=1', { 'content-type': 'application/x-www-form-urlencoded' }, 415, /^content-type: /],
    ['another origin', { kind: 'key', key: '1', seq: home.seq }, { origin: 'http://evil.example' }, 403, /^origin: /],
    ['a body over 2 kB', { kind: 'text', text: 'x'.repeat(3000), seq: home.seq }, {}, 413, /^body: /],
  ];
  for (const [what, body, headers, status, error] of cases) {
    const r = await post(w.screen.url, body, headers);
    t.equal(r.status, status, what);
    t.match(r.json?.error, error, `${what}: the field is named`);
  }
  await w.engine.settled();
  t.equal(w.engine.screen.page, 'home');
  t.equal(w.engine.screen.input?.length, 0, 'nothing was typed');
  t.equal(await rawGet(w.screen.url, 'portier.example:80'), 421, 'a request for another host name (DNS rebinding) is refused');
  t.equal(await rawGet(w.screen.url, `localhost:${new URL(w.screen.url).port}`), 200, 'localhost is this screen');
  t.equal((await fetch(`${w.screen.url}input`)).status, 405, 'input only by POST');
  t.equal((await fetch(`${w.screen.url}../etc/passwd`)).status, 404);
});

t.test('branding: colours and the logo from the controller cache, and each change pushed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'portier-screen-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
  const sha256 = createHash('sha256').update(svg).digest('hex');
  await writeFile(join(dir, `${sha256}.svg`), svg);
  const w = await world(t);
  const colours = { primary: '#003366', onPrimary: '#ffffff', background: '#fafafa', text: '#111111' };
  w.branding.now = { colours, logo: { path: join(dir, `${sha256}.svg`), sha256, type: 'image/svg+xml', bytes: svg.length } };
  const s = await stream(t, w.screen.url);
  t.same(await s.next('branding'), { colours, logo: { url: `/logo/${sha256}`, type: 'image/svg+xml' } });
  const logo = await fetch(`${w.screen.url}logo/${sha256}`);
  t.equal(logo.status, 200);
  t.equal(logo.headers.get('content-type'), 'image/svg+xml');
  t.match(logo.headers.get('content-security-policy'), /sandbox/, 'an SVG opened on its own runs nothing');
  t.same(Buffer.from(await logo.arrayBuffer()), svg, 'the cached file, as verified');
  t.equal((await fetch(`${w.screen.url}logo/${'0'.repeat(64)}`)).status, 404, 'no other file is served');
  w.branding.now = { colours: { ...colours, primary: '#224466' } };
  w.branding.emit('changed', w.branding.now);
  t.same(await s.next('branding'), { colours: { ...colours, primary: '#224466' } }, 'a change reaches the page at once; the logo dropped');
  t.equal((await fetch(`${w.screen.url}logo/${sha256}`)).status, 404, 'a logo no longer in use is not served');
});

t.test('audio mode with blankInAudioMode: the page is given nothing of the session', async (t) => {
  const w = await world(t, { blankInAudioMode: true });
  const s = await stream(t, w.screen.url);
  await s.next<ScreenViewEvent>('view');
  await w.engine.headphones(true);
  const blank = await s.next<ScreenViewEvent>('view');
  t.equal(blank.blank, true);
  t.same([blank.view.title, blank.view.lines, blank.view.options], ['', [], []], 'no title, line or option is sent');
  t.match(blank.words.blank, /screen is off/);
  await w.engine.headphones(false);
  const back = await s.next<ScreenViewEvent>('view');
  t.equal(back.blank, false);
  t.equal(back.view.title, 'Welcome', 'headphones out: the screen shows the page again');
});

t.test('a page that reconnects draws the session where it stands; close() ends the connections and frees the port', async (t) => {
  const w = await world(t);
  await w.engine.keypad('1');
  await w.engine.keypad('2');
  const s = await stream(t, w.screen.url);
  const v = await s.next<ScreenViewEvent>('view');
  t.equal(v.view.input?.length, 2, 'what was typed before the page connected is shown');
  t.equal(w.screen.connections, 1);
  const port = new URL(w.screen.url).port;
  await w.screen.close();
  await t.rejects(fetch(`http://127.0.0.1:${port}/healthz`), 'nothing listens any more');
});

t.test('a port already taken: the start fails with the error and leaves nothing attached', async (t) => {
  const w = await world(t);
  const port = Number(new URL(w.screen.url).port);
  await t.rejects(startKioskScreen({ engine: w.engine, config: { host: '127.0.0.1', port, blankInAudioMode: false } }), { code: 'EADDRINUSE' });
  t.equal(w.engine.listenerCount('screen'), 1, 'only the running screen listens to the engine');
});

t.test('kiosk.screen in the controller file: loopback only, with defaults; a file without it has no screen', async (t) => {
  const { generateKeyPairSync } = await import('node:crypto');
  const { validateRuntimeConfig, loadRuntimeConfig } = await import('../../src/runtime/config.ts');
  const pem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const base = {
    hardware: { bus: { kind: 'kerong-cu16', path: '/dev/ttyUSB0', doorCount: 16 } },
    link: { brokerUrl: 'mqtt://h:1', bankId: 'b', controllerId: 'c', secret: 'z'.repeat(10), cloudPublicKey: pem },
  };
  const ok = await validateRuntimeConfig({ ...base, kiosk: { screen: {} } });
  t.same(ok.ok && ok.config.kiosk?.screen, { host: '127.0.0.1', port: 8765, blankInAudioMode: false }, 'defaults');
  const problems = async (screen: unknown) => {
    const r = await validateRuntimeConfig({ ...base, kiosk: { screen } });
    return r.ok ? [] : r.problems;
  };
  t.match(await problems({ host: '0.0.0.0' }), [{ path: 'kiosk.screen.host', message: /127\.0\.0\.1/ }], 'a screen reachable from the network is refused');
  t.match(await problems({ port: 70000 }), [{ path: 'kiosk.screen.port', message: /70000 is too big/ }]);
  t.match(await problems({ blank: true }), [{ path: 'kiosk.screen.blank', message: /not a known setting/ }]);
  const dir = await mkdtemp(join(tmpdir(), 'portier-screen-cfg-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'controller.yaml'), await readFile(new URL('../kiosk/fixtures/controller-kiosk-previous-release.yaml', import.meta.url)));
  await writeFile(join(dir, 'cloud.pem'), pem);
  const previous = await loadRuntimeConfig(join(dir, 'controller.yaml'));
  t.ok(previous.ok, "the previous release's kiosk file still loads");
  t.equal(previous.ok ? previous.config.kiosk?.screen : 'refused', undefined, 'and serves no screen');
});
