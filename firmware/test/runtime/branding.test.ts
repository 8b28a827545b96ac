// A kiosk controller (the whole runtime, a real broker) given a desired state with branding: it fetches the logo its
// reference names from a real loopback HTTP server exactly once, verifies it and offers it to the kiosk screen with
// the colours; a later state with the same reference fetches nothing; a plain state without branding drops it. Its
// birth names the `branding` feature, without which the cloud sends no branding.
import t from 'tap';
import { existsSync } from 'node:fs';
import { parsePayload } from '@portier/protocol';
import { FIRMWARE_FEATURES } from '../../src/runtime/controller-runtime.ts';
import { readFile } from 'node:fs/promises';
import type { KioskBranding } from '../../src/branding/index.ts';
import { startLogoServer } from '../branding/logo-server.ts';
import { waitForEvent } from '../link/helpers/cloud.ts';
import { bankState, CTRL, rig } from './harness.ts';

const COLOURS = { primary: '#004080', onPrimary: '#ffffff', background: '#ffffff', text: '#1a1a1a' };
const LOGO = Buffer.from('\x89PNG a logo for the kiosk screen'.repeat(50), 'latin1');

t.test('the kiosk fetches the referenced logo once, keeps it, and drops it when no longer referenced', async (t) => {
  const server = await startLogoServer();
  t.teardown(() => server.close());
  const r = await rig(t, { kiosk: true });
  // The cloud sends branding only to a controller whose birth names the feature.
  const birth = await r.cloud.waitFor((m) => m.channel === 'status' && m.controllerId === CTRL && (m.json as { state: string }).state === 'online');
  t.same(FIRMWARE_FEATURES, ['branding'], 'this firmware understands branding');
  const parsed = parsePayload('status', JSON.stringify(birth.json));
  t.ok(parsed.ok && parsed.value.state === 'online' && parsed.value.features?.includes('branding'), 'its birth names it');
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
