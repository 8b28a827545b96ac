// The kiosk's branding on the controller, against a real loopback HTTP server: a logo fetched once and verified, the
// previous one kept until the new one is, unused files dropped, kept across a restart with the server down, and a
// file that is not the one referenced (hash, size, status) refused and retried with backoff (fake timers).
import t, { type Test } from 'tap';
import sinon from 'sinon';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrandingCache } from '../../src/branding/index.ts';
import { startLogoServer, type LogoServer } from './logo-server.ts';

const COLOURS = { primary: '#004080', onPrimary: '#ffffff', background: '#ffffff', text: '#1a1a1a' };
const FILE_A = Buffer.from('\x89PNG first logo file, a stand-in for the bytes'.repeat(20), 'latin1');
const FILE_B = Buffer.from('\x89PNG second logo file, other bytes'.repeat(30), 'latin1');

async function setup(t: Test): Promise<{ dir: string; server: LogoServer }> {
  const dir = await mkdtemp(join(tmpdir(), 'portier-branding-'));
  const server = await startLogoServer();
  t.teardown(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { dir, server };
}

async function open(t: Test, dir: string, extra: Partial<Parameters<typeof BrandingCache.open>[0]> = {}): Promise<BrandingCache> {
  const cache = await BrandingCache.open({ dir, timeoutMs: 2000, ...extra });
  t.teardown(() => cache.stop());
  return cache;
}

t.test('fetched once and verified; the previous logo kept until the next is; unused files dropped', async (t) => {
  const { dir, server } = await setup(t);
  const cache = await open(t, dir);
  t.equal(cache.current(), undefined, 'the built-in look at first');
  const a = server.serve(FILE_A);
  cache.apply({ colours: COLOURS, logo: a });
  t.same(cache.current(), { colours: COLOURS }, 'the colours at once, the logo once verified');
  await cache.settled();
  const shown = cache.current()!;
  t.match(shown.logo, { sha256: a.sha256, type: 'image/png', bytes: FILE_A.length });
  t.ok((await readFile(shown.logo!.path)).equals(FILE_A), 'the file on disk is the one referenced');
  for (let i = 0; i < 3; i++) cache.apply({ colours: COLOURS, logo: a });
  await cache.settled();
  t.equal(server.hits.get(`/branding/${a.sha256}`), 1, 'fetched exactly once');

  const b = server.serve(FILE_B);
  cache.apply({ colours: COLOURS, logo: b });
  t.equal(cache.current()?.logo?.sha256, a.sha256, 'the old logo shown while the new one is fetched');
  await cache.settled();
  t.equal(cache.current()?.logo?.sha256, b.sha256);
  t.notOk(existsSync(shown.logo!.path), 'the file no longer referenced is deleted');

  cache.apply({ colours: COLOURS });
  await cache.settled();
  t.same(cache.current(), { colours: COLOURS }, 'a state without a logo drops it');
  t.same((await readdir(dir)).filter((f) => !f.startsWith('.')), ['branding.json'], 'no logo file left');
  cache.apply(undefined);
  await cache.settled();
  t.equal(cache.current(), undefined, 'no branding: the built-in look');
});

t.test('a restart with the server down keeps the branding; a damaged file is fetched again', async (t) => {
  const { dir, server } = await setup(t);
  const first = await open(t, dir);
  const a = server.serve(FILE_A);
  first.apply({ colours: COLOURS, logo: a });
  await first.settled();
  await first.stop();
  await server.close();

  const second = await open(t, dir);
  const failures: string[] = [];
  second.on('fetch-failed', (f) => failures.push(f.code));
  t.match(second.current(), { colours: COLOURS, logo: { sha256: a.sha256 } }, 'shown from the data folder');
  second.apply({ colours: COLOURS, logo: a });
  await second.settled();
  t.same(failures, [], 'nothing to fetch: the kept file is the one referenced');
  t.ok((await readFile(second.current()!.logo!.path)).equals(FILE_A));
  await second.stop();

  await writeFile(join(dir, `${a.sha256}.png`), 'damaged');
  const third = await open(t, dir);
  t.same(third.current(), { colours: COLOURS }, 'a file that fails its hash is not shown');
});

t.test('a file that is not the one referenced is refused and retried with backoff', async (t) => {
  const { dir, server } = await setup(t);
  const cache = await open(t, dir, { backoff: { minMs: 1000, maxMs: 8000, random: () => 1 } });
  const a = server.serve(FILE_A);
  cache.apply({ logo: a });
  await cache.settled();

  const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  t.teardown(() => clock.restore());
  const failures: { code: string; retryInMs: number }[] = [];
  cache.on('fetch-failed', (f) => failures.push({ code: f.code, retryInMs: f.retryInMs }));
  const b = server.serve(FILE_B, { body: Buffer.from(FILE_B).fill(0x41, 100, 110) });
  cache.apply({ logo: b });
  await cache.settled();
  t.same(failures, [{ code: 'LOGO_HASH', retryInMs: 1000 }], 'refused: not the file its hash names');
  t.equal(cache.current()?.logo?.sha256, a.sha256, 'the previous logo still shown');
  t.ok(cache.retrying, 'a retry is waiting');

  await clock.tickAsync(999);
  t.equal(server.hits.get(`/branding/${b.sha256}`), 1, 'not before the delay');
  await clock.tickAsync(1);
  await cache.settled();
  t.same(failures.map((f) => f.retryInMs), [1000, 2000], 'refused again, the next delay doubled');

  server.serve(FILE_B, { status: 503 });
  await clock.tickAsync(2000);
  await cache.settled();
  t.same(failures.at(-1), { code: 'LOGO_HTTP', retryInMs: 4000 });

  server.serve(FILE_B, { body: Buffer.concat([FILE_B, Buffer.from('more')]) });
  await clock.tickAsync(4000);
  await cache.settled();
  t.same(failures.at(-1), { code: 'LOGO_TOO_LARGE', retryInMs: 8000 }, 'more bytes than the reference: refused');

  server.serve(FILE_B);
  await clock.tickAsync(8000);
  await cache.settled();
  t.equal(cache.current()?.logo?.sha256, b.sha256, 'the good file, once served, is taken');
  t.equal(server.hits.get(`/branding/${b.sha256}`), 5, 'one request per try');
  t.notOk(cache.retrying, 'no more retries');

  // A file that keeps failing, then another named instead: the retries end and the new one is fetched at once.
  const c = server.serve(Buffer.from('third file'), { status: 404 });
  cache.apply({ logo: c });
  await cache.settled();
  t.ok(cache.retrying, 'the failing one waits for its retry');
  cache.apply({ logo: a });
  await cache.settled();
  t.equal(cache.current()?.logo?.sha256, a.sha256, 'the new reference fetched without waiting');
  t.notOk(cache.retrying, 'the old retry cancelled');
});
