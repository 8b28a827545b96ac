/** `portier branding show|set|clear` against the API on a real port: a logo file uploaded and named, colours kept or replaced, a bank's own. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runAdmin } from '../../src/cli/admin.ts';
import { cliIo as io, listeningCliApp } from '../http/helpers.ts';
import { BAD_SVGS, pngOf } from './logo-files.ts';

t.test('portier branding set, show and clear', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  const admin = env('admin');
  const dir = await mkdtemp(join(tmpdir(), 'portier-branding-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const png = join(dir, 'logo.png');
  await writeFile(png, pngOf(80, 40));
  const evil = join(dir, 'evil.svg');
  await writeFile(evil, BAD_SVGS[0]![1]);

  const partial = io(admin);
  t.equal(await runAdmin(['branding', 'set', '--primary', '#004080'], partial), 2, 'a usage error');
  t.match(partial.stderr, /give --primary, --on-primary, --background and --text/);

  const set = io(admin);
  t.equal(await runAdmin(['branding', 'set', '--logo', png, '--primary', '#004080', '--on-primary', '#ffffff', '--background', '#ffffff', '--text', '#1a1a1a'], set), 0, set.stderr);
  t.match(set.stdout, /^saved\ncolours: buttons #004080 with text #ffffff; page #ffffff with text #1a1a1a\nlogo: +image\/png, \d+ bytes, sha256 [0-9a-f]{64}\n +https:\/\/lockers\.example\.com\/branding\//);
  const sha = ta.store.get('brandings', 'ent')?.logo?.sha256;
  t.ok(sha, 'stored');

  const low = io(admin);
  t.equal(await runAdmin(['branding', 'set', '--on-primary', '#7f9fbf'], low), 1);
  t.match(low.stderr, /VALIDATION: onPrimary #7f9fbf on primary #004080 has a contrast of 3\.72:1.*\(body\.colours\.onPrimary\)/);
  const bad = io(admin);
  t.equal(await runAdmin(['branding', 'set', '--logo', evil], bad), 1);
  t.match(bad.stderr, /the element <script> is not allowed/);

  const text = io(admin);
  t.equal(await runAdmin(['branding', 'set', '--text', '#222222'], text), 0, text.stderr);
  t.match(ta.store.get('brandings', 'ent'), { colours: { primary: '#004080', text: '#222222' }, logo: { sha256: sha } }, 'one colour changed, the rest and the logo kept');

  const bank = io(admin);
  t.equal(await runAdmin(['branding', 'set', '--bank', 'bank', '--primary', '#ffcc00', '--on-primary', '#000000', '--background', '#101010', '--text', '#f0f0f0'], bank), 0, bank.stderr);
  const show = io(admin);
  t.equal(await runAdmin(['branding', 'show', '--bank', 'bank'], show), 0);
  t.match(show.stdout, /^its own:\n {2}colours: buttons #ffcc00[^\n]*\n {2}logo: +none\nshown:\n {2}colours: buttons #ffcc00[^\n]*\n {2}logo: +image\/png/);
  const all = io(admin);
  t.equal(await runAdmin(['branding', 'show'], all), 0);
  t.match(all.stdout, /bank bank \(Lobby\): its own/);

  for (const args of [['branding', 'clear', '--bank', 'bank'], ['branding', 'clear']]) {
    const c = io(admin);
    t.equal(await runAdmin(args, c), 0, c.stderr);
  }
  t.equal(ta.store.count('brandings'), 0, 'both removed');
  const op = io(env('operator'));
  t.equal(await runAdmin(['branding', 'show'], op), 1, 'an operator has no settings');
});
