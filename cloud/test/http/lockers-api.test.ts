/**
 * Lockers after creation over the API: `PATCH /banks/{bankId}/lockers/{number}` (size, door heights, dedication,
 * front/rear, shelf barcode) without breaking a live reservation, delete, and the rear shelves' generated barcodes,
 * printed as Code 128 and QR in SVG and PNG and read back to the stored value.
 */
import t, { type Test } from 'tap';
import { kioskListingView } from '../../src/bridge/desired-builder.ts';
import { decodePng } from './barcode-decode.ts';
import { auditEntries, auditLines } from './audit-lines.ts';
import { call, seededApp, storeSnapshot, type ErrorReply, type TestApp } from './helpers.ts';

const GENERATED = /^RS-[0-9A-HJKMNP-TV-Z]{10}$/;

/** The model's site, with the test recipient linked to Rita's contact. */
const seeded = (t: Test): Promise<TestApp> => seededApp(t, { recipientContactId: 'c-rec' });

/** A package reservation for Rita (an S parcel): its id and locker. */
async function reserveFor(ta: TestApp, contact = 'c-rec'): Promise<{ rid: string; n: number }> {
  const r = await ta.service.reserve({ bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: contact }, size: 'S', trackingId: 'T1' }, { role: 'operator' });
  return { rid: r.reservation.id, n: r.reservation.lockerNumber };
}

t.test('edit a free locker: size, door heights, dedication; the view and the activity log show it', async (t) => {
  const ta = await seeded(t);
  const r = await call(ta, 'PATCH', '/banks/bank/lockers/2', { size: 'L', bottomCm: 20, topCm: 80, dedicatedTo: { type: 'department', id: 'dep' } });
  t.equal(r.statusCode, 200, r.body);
  t.match(r.json(), { locker: { number: 2, size: 'L', bottomCm: 20, topCm: 80, dedicatedTo: { type: 'department', id: 'dep' } }, accessible: false, status: 'available' });
  const undedicated = await call(ta, 'PATCH', '/banks/bank/lockers/2', { dedicatedTo: null, topCm: 100 });
  t.notOk('dedicatedTo' in undedicated.json().locker, 'null removes the dedication');
  t.equal((await call(ta, 'GET', '/banks/bank/lockers/2')).json().locker.topCm, 100);
  t.same(await auditLines(ta.service, (a) => a.detail === 'locker changed'), [
    'locker:bank/2 locker changed | size: S -> L; bottomCm: 130 -> 20; topCm: 180 -> 80; dedicatedTo: none -> {"type":"department","id":"dep"}',
    'locker:bank/2 locker changed | topCm: 80 -> 100; dedicatedTo: {"type":"department","id":"dep"} -> none',
  ]);
  t.match((await auditEntries(ta.service)).at(-1), { enterpriseId: 'ent', bankId: 'bank', lockerNumber: 2 });
});

t.test('the door-fit rule holds for an edit: a door too short for its size is refused, nothing stored', async (t) => {
  const ta = await seeded(t);
  const before = await storeSnapshot(ta.store);
  const r = await call(ta, 'PATCH', '/banks/bank/lockers/2', { size: 'XL' });
  t.equal(r.statusCode, 422, r.body);
  t.match(r.json<ErrorReply>().error, { code: 'VALIDATION', field: 'topCm', message: /50 cm tall, shorter than a size XL compartment \(64 cm high inside\)/ });
  t.equal(await storeSnapshot(ta.store), before);
});

t.test('a locker held by a live reservation may grow and get a new label, nothing that breaks the reservation', async (t) => {
  const ta = await seeded(t);
  const { rid, n } = await reserveFor(ta);
  const before = await storeSnapshot(ta.store);
  const refusals: Array<[unknown, string, RegExp]> = [
    [{ size: 'XS' }, 'size', /held by reservation .* cannot be made smaller while in use/],
    [{ loading: 'rear', shelfBarcode: 'SHELF-1' }, 'loading', /its loading side cannot change while in use/],
    [{ dedicatedTo: { type: 'contact', id: 'c-ada' } }, 'dedicatedTo', /cannot be dedicated to contact c-ada while in use/],
  ];
  for (const [body, field, message] of refusals) {
    const r = await call(ta, 'PATCH', `/banks/bank/lockers/${n}`, body);
    t.equal(r.statusCode, 409, JSON.stringify(body));
    t.match(r.json<ErrorReply>().error, { code: 'CONFLICT', field, message });
    t.match(r.json<ErrorReply>().error.message, rid, 'names the reservation');
  }
  t.equal(await storeSnapshot(ta.store), before, 'nothing was written');

  const grown = await call(ta, 'PATCH', `/banks/bank/lockers/${n}`, { size: 'M' });
  t.equal(grown.statusCode, 200, grown.body);
  t.match(grown.json(), { locker: { size: 'M' }, status: 'reserved', contents: { reservationId: rid } });
  const dept = await call(ta, 'PATCH', `/banks/bank/lockers/${n}`, { dedicatedTo: { type: 'department', id: 'dep' } });
  t.equal(dept.statusCode, 200, 'dedicated to the department the recipient belongs to');

  const held = await call(ta, 'DELETE', `/banks/bank/lockers/${n}`);
  t.equal(held.statusCode, 409);
  t.match(held.json<ErrorReply>().error, { code: 'CONFLICT', field: 'number', message: new RegExp(`held by reservation ${rid} \\(reserved\\); end it first`) });
});

t.test('an accessible locker of a recipient who needs one stays in reach', async (t) => {
  const ta = await seeded(t);
  const { n } = await reserveFor(ta, 'c-ada');
  t.equal(n % 2, 1, 'an accessible locker');
  const r = await call(ta, 'PATCH', `/banks/bank/lockers/${n}`, { bottomCm: 130, topCm: 180 });
  t.equal(r.statusCode, 409);
  t.match(r.json<ErrorReply>().error, { field: 'bottomCm', message: /needs an accessible locker/ });
});

t.test('delete a free locker: gone from the bank, in the activity log', async (t) => {
  const ta = await seeded(t);
  const r = await call(ta, 'DELETE', '/banks/bank/lockers/6');
  t.equal(r.statusCode, 200, r.body);
  t.equal(r.json().locker.number, 6);
  t.same((await call(ta, 'GET', '/banks/bank/lockers')).json().lockers.map((v: { locker: { number: number } }) => v.locker.number), [1, 2, 3, 4, 5]);
  t.equal((await call(ta, 'GET', '/banks/bank/lockers/6')).statusCode, 404);
  t.equal((await call(ta, 'DELETE', '/banks/bank/lockers/6')).statusCode, 404);
  t.match((await auditEntries(ta.service)).at(-1), { lockerNumber: 6, target: { kind: 'locker', id: 'bank/6' }, detail: 'locker deleted' });
  // The door is free again for a new locker.
  await ta.service.createLocker({ bankId: 'bank', number: 7, columnId: 'col', door: 6, size: 'M', bottomCm: 40, topCm: 80, loading: 'front' }, { role: 'admin' });
});

t.test('rear shelves: a barcode given, one generated on the way to rear, one call for the bank; unique everywhere', async (t) => {
  const ta = await seeded(t);
  const given = await call(ta, 'PATCH', '/banks/bank/lockers/5', { loading: 'rear', shelfBarcode: 'SHELF-5' });
  t.equal(given.statusCode, 200, given.body);
  t.equal(given.json().locker.shelfBarcode, 'SHELF-5');
  const generated = await call(ta, 'PATCH', '/banks/bank/lockers/6', { loading: 'rear' });
  t.match(generated.json().locker.shelfBarcode, GENERATED, 'rear without a barcode: one is generated');

  const dup = await call(ta, 'PATCH', '/banks/bank/lockers/6', { shelfBarcode: 'SHELF-5' });
  t.equal(dup.statusCode, 409);
  t.match(dup.json<ErrorReply>().error, { code: 'CONFLICT', field: 'shelfBarcode', message: /already on locker 5 of bank bank/ });

  const all = await call(ta, 'POST', '/banks/bank/shelf-barcodes', {});
  t.equal(all.statusCode, 200, all.body);
  const codes = all.json().lockers.map((l: { number: number; shelfBarcode: string }) => [l.number, l.shelfBarcode]);
  t.same(codes.map((c: [number, string]) => c[0]), [5, 6], 'every rear locker, none of the front ones');
  for (const [, code] of codes) t.match(code, GENERATED);
  t.not(codes[0][1], codes[1][1]);
  t.match((await auditLines(ta.service)).at(-1), /^bank:bank shelf barcodes generated \| lockers\.5\.shelfBarcode: SHELF-5 -> RS-[0-9A-Z]{10}; lockers\.6\.shelfBarcode: RS-[0-9A-Z]{10} -> RS-/);

  const one = await call(ta, 'POST', '/banks/bank/shelf-barcodes', { numbers: [6] });
  t.equal(one.json().lockers.length, 1);
  t.not(one.json().lockers[0].shelfBarcode, codes[1][1], 'a new one');
  const front = await call(ta, 'POST', '/banks/bank/shelf-barcodes', { numbers: [1] });
  t.equal(front.statusCode, 422);
  t.match(front.json<ErrorReply>().error, { field: 'numbers.0', message: /front-loading/ });
  t.equal((await call(ta, 'POST', '/banks/bank/shelf-barcodes', { numbers: [99] })).statusCode, 404);

  // The column's next desired state carries the label and the edit (what the kiosk compares a scanned shelf with).
  await call(ta, 'PATCH', '/banks/bank/lockers/5', { size: 'M' });
  const state = kioskListingView(ta.store, { bankId: 'bank', column: 1, now: ta.clock.now });
  const latest = (await call(ta, 'GET', '/banks/bank/lockers/5')).json().locker.shelfBarcode;
  t.match(state.doors.find((d) => d.locker === 5), { size: 'M', rearShelfBarcode: latest });
  t.notOk(state.doors.find((d) => d.locker === 1)?.rearShelfBarcode, 'a front locker carries none');
});

t.test('printing a shelf barcode: Code 128 and QR, SVG and PNG; the PNG reads back to the stored value', async (t) => {
  const ta = await seeded(t);
  const code = (await call(ta, 'PATCH', '/banks/bank/lockers/5', { loading: 'rear' })).json().locker.shelfBarcode as string;

  const png = await call(ta, 'GET', '/banks/bank/lockers/5/barcode.png');
  t.equal(png.statusCode, 200);
  t.equal(png.headers['content-type'], 'image/png');
  t.same(decodePng(png.rawPayload), { text: code, format: 'code128' }, 'Code 128 by default, decoded to the stored barcode');

  const qr = await call(ta, 'GET', '/banks/bank/lockers/5/barcode.png?symbology=qrcode');
  t.same(decodePng(qr.rawPayload), { text: code, format: 'qrcode' });

  const svg = await call(ta, 'GET', '/banks/bank/lockers/5/barcode.svg');
  t.equal(svg.statusCode, 200);
  t.equal(svg.headers['content-type'], 'image/svg+xml');
  t.match(svg.body, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const qrSvg = await call(ta, 'GET', '/banks/bank/lockers/5/barcode.svg?symbology=qrcode');
  t.not(qrSvg.body, svg.body, 'another symbol');

  const front = await call(ta, 'GET', '/banks/bank/lockers/1/barcode.png');
  t.equal(front.statusCode, 409);
  t.match(front.json<ErrorReply>().error, { code: 'INVALID_STATE', message: /front-loading: it has no shelf barcode/ });
  const bad = await call(ta, 'GET', '/banks/bank/lockers/5/barcode.png?symbology=ean13');
  t.equal(bad.statusCode, 400);
  t.equal(bad.json<ErrorReply>().error.field, 'querystring.symbology');
  t.equal((await call(ta, 'GET', '/banks/bank/lockers/9/barcode.svg')).statusCode, 404);
  t.equal((await call(ta, 'GET', '/banks/bank/lockers/5/barcode.png', undefined, 'operator')).statusCode, 403);
});

t.test('bad input and refused callers change nothing', async (t) => {
  const ta = await seeded(t);
  const before = await storeSnapshot(ta.store);
  for (const [body, field] of [
    [{}, 'body'],
    [{ size: 'XXL' }, 'body.size'],
    [{ bottomCm: '10' }, 'body.bottomCm'],
    [{ shelfBarcode: 'has space' }, 'body.shelfBarcode'],
    [{ shelfBarcode: 'x'.repeat(65) }, 'body.shelfBarcode'],
    [{ colour: 'red' }, 'body.colour'],
    [{ dedicatedTo: { type: 'carrier', id: 'car' } }, 'body.dedicatedTo.type'],
  ] as Array<[unknown, string]>) {
    const r = await call(ta, 'PATCH', '/banks/bank/lockers/2', body);
    t.equal(r.statusCode, 400, `${JSON.stringify(body)}: ${r.body}`);
    t.match(r.json<ErrorReply>().error, { code: 'VALIDATION', field });
  }
  const unknownContact = await call(ta, 'PATCH', '/banks/bank/lockers/2', { dedicatedTo: { type: 'contact', id: 'nobody' } });
  t.equal(unknownContact.statusCode, 404);
  t.equal(unknownContact.json<ErrorReply>().error.field, 'body.dedicatedTo.id');
  t.equal((await call(ta, 'PATCH', '/banks/nope/lockers/2', { size: 'M' })).statusCode, 404);
  t.equal((await call(ta, 'PATCH', '/banks/bank/lockers/42', { size: 'M' })).statusCode, 404);
  for (const role of ['operator', 'carrier', 'recipient'] as const) {
    t.equal((await call(ta, 'PATCH', '/banks/bank/lockers/2', { size: 'M' }, role)).statusCode, 403, role);
    t.equal((await call(ta, 'POST', '/banks/bank/shelf-barcodes', {}, role)).statusCode, 403, role);
  }
  t.equal(await storeSnapshot(ta.store), before, 'nothing was written');
});
