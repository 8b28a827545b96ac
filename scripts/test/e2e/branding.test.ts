// End to end, branding from the API to the kiosk (cloud + embedded broker + real controllers + simulated bank): a logo
// uploaded and colours set through the API reach the kiosk controller's desired state as a reference (the cloud's
// address, the file's hash), and the controller fetches the file from the cloud exactly once and keeps it verified.
import t from 'tap';
import sinon from 'sinon';
import { readFile } from 'node:fs/promises';
import { pngOf } from '../../../cloud/test/branding/logo-files.ts';
import { api, expectCondition } from './helpers.ts';
import { kioskState, kioskWorld } from './kiosk-world.ts';

t.test('branding set through the API reaches the kiosk, whose controller fetches the logo once', async (t) => {
  const w = await kioskWorld(t);
  const me = (await api(w.cloud, 'GET', '/auth/me', w.token)).json as { enterpriseId?: string; user?: { enterpriseId: string } };
  const enterpriseId = me.user?.enterpriseId ?? me.enterpriseId!;
  const fetches = sinon.spy(globalThis, 'fetch');
  t.teardown(() => fetches.restore());

  const png = pngOf(120, 40);
  const up = await fetch(`${w.cloud.httpUrl}/api/v1/enterprises/${enterpriseId}/branding/logos`, { method: 'POST', headers: { authorization: `Bearer ${w.token}`, 'content-type': 'image/png' }, body: png });
  t.equal(up.status, 201);
  const { logo } = (await up.json()) as { logo: { sha256: string } };
  const colours = { primary: '#1d3557', onPrimary: '#ffffff', background: '#f1faee', text: '#1d3557' };
  const set = await api(w.cloud, 'PUT', `/enterprises/${enterpriseId}/branding`, w.token, { colours, logo: logo.sha256 });
  t.equal(set.status, 200, JSON.stringify(set.json));

  await expectCondition(() => kioskState(w)?.branding?.logo?.sha256 === logo.sha256, 10_000, 'the branding reached the kiosk controller');
  t.same(kioskState(w)?.branding, { colours, logo: { url: `${w.cloud.httpUrl}/branding/${logo.sha256}`, sha256: logo.sha256, type: 'image/png', bytes: png.length } }, 'a reference, never the image');
  const branding = w.bank.kiosk!.column.controller.branding!;
  await expectCondition(() => branding.current()?.logo?.sha256 === logo.sha256, 10_000, 'the kiosk fetched and verified the logo');
  t.ok((await readFile(branding.current()!.logo!.path)).equals(png), 'the file as uploaded');
  t.same(branding.current()?.colours, colours);

  // A later state of the same bank (a locker out of service) names the same logo: nothing fetched again.
  const r = await api(w.cloud, 'PUT', `/banks/${w.bankId}/lockers/1/service`, w.token, { state: 'out-of-service', reason: 'e2e: branding' });
  t.equal(r.status, 200);
  await expectCondition(() => kioskState(w)?.doors.find((d) => d.locker === 1)?.service === 'out-of-service', 10_000, 'the next state reached the kiosk');
  await branding.settled();
  const logoFetches = fetches.getCalls().filter((c) => String(c.args[0]).endsWith(`/branding/${logo.sha256}`));
  t.equal(logoFetches.length, 1, 'the kiosk fetched the logo exactly once');
});
