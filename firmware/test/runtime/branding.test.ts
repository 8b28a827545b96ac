// A kiosk controller (the whole runtime, a real broker) given a desired state with branding: it fetches the logo its
// reference names from a real loopback HTTP server exactly once, verifies it and offers it to the kiosk screen with
// the colours; a later state with the same reference fetches nothing; a plain state without branding drops it.
import t from 'tap';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { KioskBranding } from '../../src/branding/index.ts';
import { startLogoServer } from '../branding/logo-server.ts';
import { waitForEvent } from '../link/helpers/cloud.ts';
import { bankState, rig } from './harness.ts';

const COLOURS = { primary: '#004080', onPrimary: '#ffffff', background: '#ffffff', text: '#1a1a1a' };
const LOGO = Buffer.from('\x89PNG a logo for the kiosk screen'.repeat(50), 'latin1');

t.test('the kiosk fetches the referenced logo once, keeps it, and drops it when no longer referenced', async (t) => {
  const server = await startLogoServer();
  t.teardown(() => server.close());
  const r = await rig(t, { kiosk: true });
  const branding = r.rt.branding!;
  t.ok(branding, 'the kiosk column keeps a branding');
  t.equal(branding.current(), undefined, 'the built-in look before any branding');
  const ref = server.serve(LOGO);
  const shown = waitForEvent<[KioskBranding]>(branding, 'changed', (b) => b.logo !== undefined);
  await r.sendDesired(1, bankState({ branding: { colours: COLOURS, logo: ref } }));
  const [b] = await shown;
  t.same(b.colours, COLOURS);
  t.match(b.logo, { sha256: ref.sha256, bytes: LOGO.length, type: 'image/png' });
  t.ok((await readFile(b.logo!.path)).equals(LOGO), 'the verified file, in the data folder');

  await r.sendDesired(2, bankState({ branding: { colours: COLOURS, logo: ref }, reservations: [] }));
  await branding.settled();
  t.equal(server.hits.get(`/branding/${ref.sha256}`), 1, 'fetched exactly once');

  await r.sendDesired(3, bankState());
  await branding.settled();
  t.equal(branding.current(), undefined, 'no branding any more');
  t.notOk(existsSync(b.logo!.path), 'its file deleted');
});
