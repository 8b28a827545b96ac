// Controller features and the desired state: a field added after the first release (branding) reaches only a
// controller that announced its feature. One that never did (the previous firmware) gets a state its own strict
// schema accepts, so its codes and reservations still reach it; one that comes back announcing the feature gets it;
// coming back with the same features publishes no new version.
import { CONTROLLER_FEATURES, desiredStateHash, desiredStateSchema, FEATURE_FIELDS, type ControllerFeature, type DesiredState } from '@portier/protocol';
import t from 'tap';
import { z } from 'zod';
import { buildDesiredState } from '../../src/bridge/desired-builder.ts';
import { DesiredPublisher } from '../../src/bridge/desired-publisher.ts';
import { DomainDoorMap } from '../../src/bridge/door-map.ts';
import { pngOf } from '../branding/logo-files.ts';
import { desiredStateSchema as previousReleaseSchema } from '../fixtures/previous-release/desired-state-schema.ts';
import { admin, bankModel, FakeLink, FIXED_FORMS, FORM, roster, type Teardownable } from './helpers.ts';

const NOW = Date.UTC(2026, 0, 15, 9);
const BASE = 'https://lockers.example.com';
const COLOURS = { primary: '#004080', onPrimary: '#ffffff', background: '#ffffff', text: '#1a1a1a' };

/** FakeLink that keeps a controller's version when the state is unchanged, as CloudLink does (link.test.ts). */
class HashKeepingLink extends FakeLink {
  private readonly held = new Map<string, { hash: string; version: number }>();
  override async publishDesired(bankId: string, controllerId: string, state: DesiredState): Promise<{ version: number }> {
    const hash = desiredStateHash(state);
    const last = this.held.get(controllerId);
    if (last?.hash === hash) return { version: last.version };
    const sent = await super.publishDesired(bankId, controllerId, state);
    this.held.set(controllerId, { hash, version: sent.version });
    return sent;
  }
}

async function setup(t: Teardownable) {
  const s = await bankModel();
  const logo = await s.branding.upload('ent', 'image/png', pngOf(40, 20), admin);
  // The enterprise's branding reaches both banks' kiosks: ctl-1 (bank b1) and ctl-x (bank b2).
  await s.branding.setEnterprise('ent', { colours: COLOURS, logo: logo.sha256 }, admin);
  const link = new HashKeepingLink();
  link.features.delete('ctl-1'); // b1's kiosk runs the previous firmware: its birth named no features
  const pub = new DesiredPublisher({ src: s.store, events: s, link, doors: new DomainDoorMap(s.store, roster()), forms: FIXED_FORMS, debounceMs: 5, refreshMs: 0, assetBase: () => BASE });
  t.teardown(() => pub.stop());
  await pub.start();
  return { s, link, pub };
}

t.test("the previous release's schema is the current one without the fields of features (fixture check)", async (t) => {
  const featureFields = Object.fromEntries(CONTROLLER_FEATURES.map((f) => [FEATURE_FIELDS[f], true])) as { [F in ControllerFeature as (typeof FEATURE_FIELDS)[F]]: true };
  t.same(
    z.toJSONSchema(previousReleaseSchema, { io: 'input' }),
    z.toJSONSchema(desiredStateSchema.omit(featureFields), { io: 'input' }),
    'a field added to the desired state must be named by a feature (protocol features.ts), or a controller not yet upgraded refuses its whole state',
  );
});

t.test('a controller that never announced features gets no branding and a state its strict schema accepts; a kiosk that did gets it', async (t) => {
  const { s, link } = await setup(t);
  const built = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM, assetBase: BASE }).state;
  t.ok(built.branding, 'the bank has a branding for its kiosk');
  t.notOk(previousReleaseSchema.safeParse(built).success, 'sent as built, the previous firmware would refuse the whole state');

  const old = link.of('ctl-1').at(-1)?.state;
  t.ok(old, 'the old kiosk got a state');
  t.notOk(old && 'branding' in old, 'without branding');
  const parsed = previousReleaseSchema.safeParse(old);
  t.ok(parsed.success, `the previous release's strict schema accepts it${parsed.success ? '' : `: ${parsed.error.message}`}`);
  const { branding: _, ...rest } = built;
  t.same(old, rest, 'every other field as built');

  const upgraded = link.of('ctl-x').at(-1)?.state;
  t.same(upgraded?.branding?.colours, COLOURS, 'the kiosk that announced branding gets the colours');
  t.equal(upgraded?.branding?.logo?.url.startsWith(`${BASE}/branding/`), true, 'and the logo reference');
  t.ok(desiredStateSchema.safeParse(upgraded).success, 'valid by the current schema');
  t.notOk('branding' in (link.of('ctl-2').at(-1)?.state ?? {}), 'a plain column has none either way');
});

t.test('a controller that comes back announcing the feature gets it; the same features again: no new version', async (t) => {
  const { link, pub } = await setup(t);
  const before = link.of('ctl-1').at(-1);
  t.notOk(before && 'branding' in before.state);

  link.features.set('ctl-1', ['branding']); // upgraded: its birth now names the feature
  link.emit('controller-online', { bankId: 'b1', controllerId: 'ctl-1' });
  await pub.flush();
  const after = link.of('ctl-1').at(-1);
  t.equal(after?.version, (before?.version ?? 0) + 1, 'a new version');
  t.same(after?.state.branding?.colours, COLOURS, 'with the branding');

  const count = link.sent.length;
  link.emit('controller-online', { bankId: 'b1', controllerId: 'ctl-1' });
  await pub.flush();
  t.equal(link.sent.length, count, 'reconnecting with the same features: nothing new sent');

  link.features.set('ctl-1', []); // rolled back to the previous firmware
  link.emit('controller-online', { bankId: 'b1', controllerId: 'ctl-1' });
  await pub.flush();
  const back = link.of('ctl-1').at(-1);
  t.equal(back?.version, (after?.version ?? 0) + 1, 'a new version');
  t.notOk(back && 'branding' in back.state, 'without the branding again');
  t.ok(previousReleaseSchema.safeParse(back?.state).success, "the previous release's schema accepts it");
});
