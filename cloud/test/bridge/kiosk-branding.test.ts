// Branding in the desired state: the bank's kiosk column carries the colours and the logo's reference (absolute
// address, hash, type, size) and never the image; a plain column carries none; a change of branding republishes the
// kiosks of the banks it reaches, and only those.
import { desiredStateSchema } from '@portier/protocol';
import t from 'tap';
import { buildDesiredState } from '../../src/bridge/desired-builder.ts';
import { DesiredPublisher } from '../../src/bridge/desired-publisher.ts';
import { DomainDoorMap } from '../../src/bridge/door-map.ts';
import { pngOf } from '../branding/logo-files.ts';
import { admin, bankModel, FakeLink, FIXED_FORMS, FORM, roster } from './helpers.ts';

const NOW = Date.UTC(2026, 0, 15, 9);
const BASE = 'https://lockers.example.com';
const COLOURS = { primary: '#004080', onPrimary: '#ffffff', background: '#ffffff', text: '#1a1a1a' };

t.test('the kiosk column carries the reference; a plain column and a bank without branding carry none', async (t) => {
  const s = await bankModel();
  const opts = { bankId: 'b1', now: NOW, form: FORM, assetBase: BASE };
  t.notOk('branding' in buildDesiredState(s.store, { ...opts, column: 1 }).state, 'no branding: nothing added');
  const logo = await s.branding.upload('ent', 'image/png', pngOf(40, 20), admin);
  await s.branding.setEnterprise('ent', { colours: COLOURS, logo: logo.sha256 }, admin);
  const kiosk = buildDesiredState(s.store, { ...opts, column: 1 }).state;
  t.ok(desiredStateSchema.safeParse(kiosk).success, 'valid by the protocol schema');
  t.same(kiosk.branding, { colours: COLOURS, logo: { url: `${BASE}/branding/${logo.sha256}`, sha256: logo.sha256, type: 'image/png', bytes: logo.bytes } });
  t.notOk(JSON.stringify(kiosk).includes(s.branding.asset(logo.sha256)!.data.slice(0, 40)), 'never the file');
  t.notOk('branding' in buildDesiredState(s.store, { ...opts, column: 2 }).state, 'a plain column has no screen');
  const unknownBase = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM }).state;
  t.same(unknownBase.branding, { colours: COLOURS }, 'without the public address yet: the colours, the logo later');

  const dark = { primary: '#ffcc00', onPrimary: '#000000', background: '#101010', text: '#f0f0f0' };
  await s.branding.setBank('b2', { colours: dark }, admin);
  const b2 = buildDesiredState(s.store, { ...opts, bankId: 'b2', column: 1 }).state;
  t.same(b2.branding?.colours, dark, "the bank's override");
  t.equal(b2.branding?.logo?.sha256, logo.sha256, "the enterprise's logo under it");
});

t.test('a change of branding republishes the kiosks it reaches', async (t) => {
  const s = await bankModel();
  const link = new FakeLink();
  const pub = new DesiredPublisher({ src: s.store, events: s, link, doors: new DomainDoorMap(s.store, roster()), forms: FIXED_FORMS, debounceMs: 5, refreshMs: 0, assetBase: () => BASE });
  t.teardown(() => pub.stop());
  await pub.start();
  link.sent.length = 0;
  await s.branding.setBank('b1', { colours: COLOURS }, admin);
  await pub.flush();
  t.same(link.sent.map((m) => m.controllerId), ['ctl-1'], "bank b1's kiosk only (its plain column's state did not change)");
  t.same(link.of('ctl-1').at(-1)?.state.branding, { colours: COLOURS });
  link.sent.length = 0;
  await s.branding.setEnterprise('ent', { colours: COLOURS }, admin);
  await pub.flush();
  t.same(link.sent.map((m) => m.controllerId), ['ctl-x'], 'the enterprise reaches b2; b1 keeps its own override and is not sent again');
  link.sent.length = 0;
  await s.branding.clearBank('b1', admin);
  await pub.flush();
  t.same(link.sent.map((m) => m.controllerId), [], "b1 now shows the enterprise's colours, the same ones: no new version");
});
