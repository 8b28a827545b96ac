/**
 * Carriers after creation over the API: read, rename, delete (refused while a live reservation names the carrier;
 * its codes and kiosk badges revoked with it), and a live access code printed as a QR code that reads back to
 * exactly the code the kiosk accepts.
 */
import t from 'tap';
import { decodePng } from './barcode-decode.ts';
import { auditEntries, auditLines } from './audit-lines.ts';
import { call, seededApp as seeded, storeSnapshot, type ErrorReply, type TestApp } from './helpers.ts';

async function issue(ta: TestApp): Promise<{ id: string; code: string }> {
  const r = await call(ta, 'POST', '/carriers/car/codes', { digits: 8 });
  t.equal(r.statusCode, 201, r.body);
  return { id: r.json().carrierCode.id, code: r.json().code };
}

t.test('read and rename a carrier; the activity log has the change', async (t) => {
  const ta = await seeded(t);
  t.match((await call(ta, 'GET', '/carriers/car', undefined, 'operator')).json(), { carrier: { id: 'car', name: 'Parcel Co' } });
  const r = await call(ta, 'PATCH', '/carriers/car', { name: 'Parcel Company' });
  t.equal(r.statusCode, 200, r.body);
  t.equal(r.json().carrier.name, 'Parcel Company');
  const adminId = (await ta.auth.findUserByName('admin'))!.id;
  t.same(await auditLines(ta.service, (a) => a.target?.kind === 'carrier'), ['carrier:car carrier created | name: none -> Parcel Co', 'carrier:car carrier renamed | name: Parcel Co -> Parcel Company']);
  t.match((await auditEntries(ta.service)).at(-1), { actor: { id: adminId }, enterpriseId: 'ent' });
});

t.test('a carrier code as a QR code: the PNG reads back to the code issued; SVG too; never cached; each print audited without the code', async (t) => {
  const ta = await seeded(t);
  const { id, code } = await issue(ta);
  const png = await call(ta, 'GET', `/carrier-codes/${id}/qr.png`, undefined, 'operator');
  t.equal(png.statusCode, 200, png.body);
  t.equal(png.headers['content-type'], 'image/png');
  t.equal(png.headers['cache-control'], 'no-store');
  t.same(decodePng(png.rawPayload), { text: code, format: 'qrcode' }, 'the digits the keypad and the scanner take');
  const bar = await call(ta, 'GET', `/carrier-codes/${id}/qr.png?symbology=code128`);
  t.same(decodePng(bar.rawPayload), { text: code, format: 'code128' });
  const svg = await call(ta, 'GET', `/carrier-codes/${id}/qr.svg`);
  t.equal(svg.headers['content-type'], 'image/svg+xml');
  t.match(svg.body, /^<svg /);
  // Its issue is audited too; the prints are what is looked at here.
  const prints = await auditLines(ta.service, (a) => a.target?.kind === 'carrier-code' && a.detail?.includes('printed') === true);
  t.same(prints, Array(3).fill(`carrier-code:${id} QR code of carrier code ${id} of carrier car printed`));
  t.notOk(JSON.stringify(await auditEntries(ta.service)).includes(code), 'the code is in no activity entry');
});

t.test('no QR code of a revoked, expired, unknown or older-release code', async (t) => {
  const ta = await seeded(t);
  const { id } = await issue(ta);
  await call(ta, 'POST', `/carrier-codes/${id}/revoke`);
  const revoked = await call(ta, 'GET', `/carrier-codes/${id}/qr.png`);
  t.equal(revoked.statusCode, 409);
  t.match(revoked.json<ErrorReply>().error, { code: 'INVALID_STATE', message: /revoked/ });

  const expiring = await call(ta, 'POST', '/carriers/car/codes', { digits: 8, expiresAt: ta.clock.now + 60_000 });
  ta.clock.now += 120_000;
  const expired = await call(ta, 'GET', `/carrier-codes/${expiring.json().carrierCode.id}/qr.svg`);
  t.equal(expired.statusCode, 409);
  t.match(expired.json<ErrorReply>().error.message, /expired/);

  // A code of an older release: only its scrypt hash is kept.
  const { id: legacyId } = await issue(ta);
  const cc = ta.store.get('carrierCodes', legacyId)!;
  await ta.store.commit({ put: [{ c: 'carrierCodes', key: legacyId, value: { ...cc, code: { hash: 'x'.repeat(43), params: ta.store.get('banks', 'bank')!.credentialHash } } }] });
  const legacy = await call(ta, 'GET', `/carrier-codes/${legacyId}/qr.png`);
  t.equal(legacy.statusCode, 409);
  t.match(legacy.json<ErrorReply>().error.message, /older release .* issue a new code/);

  t.equal((await call(ta, 'GET', '/carrier-codes/nope/qr.png')).statusCode, 404);
  t.equal((await call(ta, 'GET', `/carrier-codes/${legacyId}/qr.png?symbology=pdf417`)).statusCode, 400);
  for (const role of ['carrier', 'recipient'] as const) t.equal((await call(ta, 'GET', `/carrier-codes/${legacyId}/qr.png`, undefined, role)).statusCode, 403, role);
});

t.test('delete: refused while a live reservation names the carrier; then its codes and badges are revoked with it', async (t) => {
  const ta = await seeded(t);
  const { id: codeId } = await issue(ta);
  await ta.service.issueStaffCredential({ role: 'carrier', subjectId: 'car', kind: 'badge', code: 'BADGE-1' }, { role: 'admin' });
  const ret = await ta.service.reserve(
    { bankId: 'bank', kind: 'return', recipient: { type: 'contact', id: 'c-rec' }, size: 'S', dropOffParty: { type: 'contact', id: 'c-rec' }, pickupParty: { type: 'carrier', id: 'car' } },
    { role: 'operator' },
  );
  const before = await storeSnapshot(ta.store);
  const refused = await call(ta, 'DELETE', '/carriers/car');
  t.equal(refused.statusCode, 409);
  t.match(refused.json<ErrorReply>().error, {
    code: 'CONFLICT',
    field: 'params.carrierId',
    message: new RegExp(`carrier car cannot be deleted: it still has 1 live reservation \\(${ret.reservation.id}\\)`),
  });
  t.equal(await storeSnapshot(ta.store), before, 'nothing changed');

  await ta.service.endReservation(ret.reservation.id, { reason: 'cancelled' }, { role: 'operator' });
  const deleted = await call(ta, 'DELETE', '/carriers/car');
  t.equal(deleted.statusCode, 200, deleted.body);
  t.equal(deleted.json().carrier.id, 'car');
  t.equal((await call(ta, 'GET', '/carriers/car')).statusCode, 404);
  t.equal(ta.store.get('carrierCodes', codeId)!.revoked, true, 'its code is revoked');
  t.ok(ta.store.list('staffCredentials').every((sc) => sc.revokedAt !== undefined), 'its badge is revoked');
  t.equal((await call(ta, 'GET', `/carrier-codes/${codeId}/qr.png`)).statusCode, 404, 'no QR code of it any more: its carrier is gone');
  t.match((await auditLines(ta.service)).at(-1), new RegExp(`^carrier:car carrier deleted; revoked ${codeId}, sc-\\S+ \\| name: Parcel Co -> none$`));
});

t.test('a carrier a login belongs to is not deleted', async (t) => {
  const ta = await seeded(t);
  await ta.service.createUser({ enterpriseId: 'ent', username: 'driver', role: 'carrier', passwordHash: 'x', carrierId: 'car' });
  const r = await call(ta, 'DELETE', '/carriers/car');
  t.equal(r.statusCode, 409);
  t.match(r.json<ErrorReply>().error.message, /1 login \(/);
});

t.test('not found, bad input and refused callers change nothing', async (t) => {
  const ta = await seeded(t);
  const before = await storeSnapshot(ta.store);
  t.equal((await call(ta, 'GET', '/carriers/nope')).statusCode, 404);
  t.equal((await call(ta, 'PATCH', '/carriers/nope', { name: 'X' })).statusCode, 404);
  t.equal((await call(ta, 'DELETE', '/carriers/nope')).statusCode, 404);
  for (const [body, field] of [
    [{}, 'body.name'],
    [{ name: '' }, 'body.name'],
    [{ name: 'x'.repeat(201) }, 'body.name'],
    [{ name: 'X', id: 'other' }, 'body.id'],
  ] as Array<[unknown, string]>) {
    const r = await call(ta, 'PATCH', '/carriers/car', body);
    t.equal(r.statusCode, 400, JSON.stringify(body));
    t.match(r.json<ErrorReply>().error, { code: 'VALIDATION', field });
  }
  t.equal((await call(ta, 'PATCH', '/carriers/car', { name: 'X' }, 'operator')).statusCode, 403);
  t.equal((await call(ta, 'DELETE', '/carriers/car', undefined, 'operator')).statusCode, 403);
  t.equal((await call(ta, 'GET', '/carriers/car', undefined, 'recipient')).statusCode, 403);
  t.equal(await storeSnapshot(ta.store), before, 'nothing was written');
});
