// Divisions and locations as CSV over HTTP with real files: template, import (add and update), every problem
// reported and nothing written, the byte limit, the export (formula cells escaped, a division without locations as a
// row of its id) re-imported to the same data, permission, access level and another enterprise.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { signedInUser, storeSnapshot, twoSitesApp, type TestApp } from './helpers.ts';

const HEADER = 'DivisionID,LocationID,Name,Company,Phone,AddressLine1,AddressLine2,AddressLine3,CityTownArea,StateProvinceRegion,CountryCode,PostalCode';

interface ImportJson {
  import: { rows: number; added: number; updated: number; unchanged: number; divisions: number };
}
interface RejectedJson {
  error: { code: string; message: string; field: string };
  problems: { line: number; column?: string; problem: string }[];
}

/** Two sites of `ent` (locations `loc` and `loc-2` in division `div`), enterprise `other`, and a file writer. */
async function setup(t: Test): Promise<TestApp & { file: (name: string, content: string | Buffer) => Promise<Buffer> }> {
  const ta = await twoSitesApp(t);
  const dir = await mkdtemp(join(tmpdir(), 'portier-locations-csv-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = async (name: string, content: string | Buffer): Promise<Buffer> => {
    await writeFile(join(dir, name), content);
    return readFile(join(dir, name));
  };
  return Object.assign(ta, { file });
}

function upload(ta: TestApp, body: Buffer, headers: Record<string, string> = ta.headers('admin')) {
  return ta.app.inject({ method: 'POST', url: '/api/v1/locations/import', headers: { ...headers, 'content-type': 'text/csv' }, payload: body });
}

/** Every postal field of a location, so its export is a complete row. */
const POSTAL = { company: 'Acme Ltd', phone: '0211234567', addressLine1: '1 Main St', city: 'Lisbon', stateProvince: 'Lisboa', countryCode: 'PT', postalCode: '1000-001' };

t.test('the template is the header row; a file with a BOM, semicolons and quoted line breaks updates and adds', async (t) => {
  const ta = await setup(t);
  const tpl = await ta.app.inject({ url: '/api/v1/locations/template', headers: ta.headers('admin') });
  t.equal(tpl.statusCode, 200);
  t.match(tpl.headers['content-type'], /^text\/csv/);
  t.match(tpl.headers['content-disposition'], /attachment; filename="locations-template.csv"/);
  t.equal(tpl.body, `${HEADER}\r\n`);

  const activityBefore = (await ta.service.queryActivity({ limit: 100_000 })).length;
  const csv =
    `\uFEFF${HEADER.replaceAll(',', ';')}\r\n` +
    'div;loc;Head Office;Acme Ltd;0211234567;"1 Main St\r\nBuilding B";;;Lisbon;Lisboa;pt;1000-001\r\n' +
    'div;;Warehouse;"Acme; Logistics";0219999999;9 Quay;Dock 2;;Porto;Porto;PT;4000-001\r\n';
  const res = await upload(ta, await ta.file('bom-semicolons.csv', csv));
  t.equal(res.statusCode, 200, res.body);
  t.same(res.json<ImportJson>().import, { ok: true, rows: 2, added: 1, updated: 1, unchanged: 0, divisions: 0 });
  t.match(ta.store.get('locations', 'loc'), { divisionId: 'div', name: 'Head Office', company: 'Acme Ltd', phone: '0211234567', addressLine1: '1 Main St\r\nBuilding B', city: 'Lisbon', countryCode: 'PT' });
  const added = ta.store.list('locations').filter((l) => l.name === 'Warehouse');
  t.equal(added.length, 1);
  t.match(added[0], { divisionId: 'div', company: 'Acme; Logistics', addressLine2: 'Dock 2', postalCode: '4000-001', reach: { preset: 'default' } });
  const activity = await ta.service.queryActivity({ limit: 100_000 });
  t.equal(activity.length, activityBefore + 1, 'one entry for the whole import');
  const adminId = (await ta.auth.findUserByName('admin'))!.id;
  t.match(activity.at(-1), {
    type: 'admin-change',
    actor: { role: 'admin', id: adminId },
    enterpriseId: 'ent',
    target: { kind: 'import', id: 'locations' },
    detail: 'locations imported: 2 rows, 1 added, 1 updated, 0 unchanged, 0 divisions without locations',
  });
});

t.test('the export escapes formula cells, shows a division without locations as its id alone, and re-imports to the same data', async (t) => {
  const ta = await setup(t);
  const actor = { role: 'admin' as const, id: 'seed' };
  await ta.service.orgAdmin.updateLocation('loc', { ...POSTAL, company: '=HYPERLINK("http://x")', addressLine2: '-2nd floor, "east"' }, actor);
  await ta.service.orgAdmin.updateLocation('loc-2', { ...POSTAL, name: '@Annex', phone: '0217654321', addressLine3: 'Gate\n4' }, actor);
  await ta.service.createDivision({ id: 'empty', enterpriseId: 'ent', name: 'Empty' }, actor);
  const exp = await ta.app.inject({ url: '/api/v1/locations/export', headers: ta.headers('admin') });
  t.equal(exp.statusCode, 200);
  t.match(exp.headers['content-disposition'], /attachment; filename="locations.csv"/);
  t.equal(
    exp.body,
    `${HEADER}\r\n` +
      'div,loc-2,"\'@Annex",Acme Ltd,0217654321,1 Main St,,"Gate\n4",Lisbon,Lisboa,PT,1000-001\r\n' +
      'div,loc,HQ,"\'=HYPERLINK(""http://x"")",0211234567,1 Main St,"\'-2nd floor, ""east""",,Lisbon,Lisboa,PT,1000-001\r\n' +
      'empty,,,,,,,,,,,\r\n',
    "by division, then by name; formula cells start with a quote; another enterprise's division is not there",
  );
  const locationsBefore = JSON.stringify(ta.store.list('locations'));
  const divisionsBefore = JSON.stringify(ta.store.list('divisions'));
  const again = await upload(ta, await ta.file('export.csv', exp.body));
  t.equal(again.statusCode, 200, again.body);
  t.same(again.json<ImportJson>().import, { ok: true, rows: 3, added: 0, updated: 0, unchanged: 2, divisions: 1 });
  t.equal(JSON.stringify(ta.store.list('locations')), locationsBefore, 'the same locations');
  t.equal(JSON.stringify(ta.store.list('divisions')), divisionsBefore, 'the same divisions');
});

t.test('a bad row in the middle of 10,000 good ones, bad country codes and phones: every problem by line, nothing imported', async (t) => {
  const ta = await setup(t);
  const lines = [HEADER];
  for (let i = 0; i < 10_000; i++) {
    if (i === 5_000) lines.push(`div,,"Multi\nline",Co,+1 555 0100,Addr,,,City,State,XX,1000`);
    else lines.push(`div,,Site ${i},Co,${String(i).padStart(10, '0')},Addr ${i},,,City,State,PT,1000-${i}`);
  }
  lines.push(
    'div,,Bad UK,Co,0123,Addr,,,City,State,UK,1000',
    `div,,Long postal,Co,${'1'.repeat(26)},Addr,,,City,State,FR,${'9'.repeat(26)}`,
    'div,,No company,,0123,Addr,,,City,State,FR,75001',
    'div,loc,HQ,Co,0123,Addr,,,City,State,FR,75001',
    'div,LOC,HQ,Co,0123,Addr,,,City,State,FR,75001',
  );
  const before = await storeSnapshot(ta.store);
  const res = await upload(ta, await ta.file('bad-middle.csv', lines.join('\n')));
  t.equal(res.statusCode, 422, 'refused whole');
  const body = res.json<RejectedJson>();
  t.same(body.error, { code: 'IMPORT_REJECTED', message: '5 lines have problems; no locations were imported', field: 'body' });
  t.same(
    body.problems,
    [
      { line: 5002, column: 'Phone', problem: 'must be 1 to 25 digits' },
      { line: 5002, column: 'CountryCode', problem: 'not an ISO 3166-1 country code' },
      { line: 10_003, column: 'CountryCode', problem: 'not an ISO 3166-1 country code' },
      { line: 10_004, column: 'Phone', problem: 'must be 1 to 25 digits' },
      { line: 10_004, column: 'PostalCode', problem: 'Too big: expected string to have <=25 characters' },
      { line: 10_005, column: 'Company', problem: 'required' },
      { line: 10_007, column: 'LocationID', problem: 'Duplicate LocationID (also on line 10006)' },
    ],
    'the line the record starts on, counting the quoted line break before',
  );
  t.equal(await storeSnapshot(ta.store), before, 'nothing imported');
});

t.test('a file over 5 MB is refused before it is read; a header without a required column is reported', async (t) => {
  const ta = await setup(t);
  const row = 'div,,Some site,Some company,0123456789,Some street 1,,,Some city,Some state,PT,1000-001\n';
  const big = await ta.file('big.csv', HEADER + '\n' + row.repeat(Math.ceil((5 * 1024 * 1024) / row.length) + 10));
  const before = await storeSnapshot(ta.store);
  const res = await upload(ta, big);
  t.equal(res.statusCode, 413);
  t.same(res.json(), { error: { code: 'PAYLOAD_TOO_LARGE', message: `the locations file is ${big.byteLength} bytes, over the limit of 5242880 bytes (5 MB)`, field: 'body' } });
  const header = await upload(ta, await ta.file('header.csv', 'DivisionID,Name,Floor\ndiv,X,2\n'));
  t.equal(header.statusCode, 422);
  t.match(header.json<RejectedJson>().problems, [{ line: 1, column: 'Floor', problem: /^unknown column/ }, { line: 1, column: 'Company', problem: 'required column missing from the header' }]);
  t.equal(await storeSnapshot(ta.store), before);
});

t.test('without the permission to manage locations: 403, nothing stored', async (t) => {
  const ta = await setup(t);
  const before = await storeSnapshot(ta.store);
  const file = await ta.file('one.csv', `${HEADER}\ndiv,,New,Co,0123,Addr,,,City,State,PT,1000\n`);
  for (const role of ['operator', 'carrier', 'recipient'] as const) {
    t.equal((await ta.app.inject({ url: '/api/v1/locations/template', headers: ta.headers(role) })).statusCode, 403, `${role}: template`);
    t.equal((await ta.app.inject({ url: '/api/v1/locations/export', headers: ta.headers(role) })).statusCode, 403, `${role}: export`);
    const res = await upload(ta, file, ta.headers(role));
    t.equal(res.statusCode, 403, `${role}: import`);
    t.match(res.json(), { error: { code: 'FORBIDDEN' } });
  }
  t.equal(await storeSnapshot(ta.store), before);
});

t.test("outside the access level or in another enterprise: reported as unknown, nothing stored; exports hold only what the caller sees", async (t) => {
  const ta = await setup(t);
  const actor = { role: 'admin' as const, id: 'seed' };
  await ta.service.createDivision({ id: 'div-2', enterpriseId: 'ent', name: 'South' }, actor);
  await ta.service.createLocation({ id: 'loc-3', divisionId: 'div-2', name: 'Harbour', ...POSTAL }, actor);
  await ta.service.orgAdmin.updateLocation('loc-2', POSTAL, actor);
  const north = await signedInUser(ta, 'north-admin', { accessLevel: { kind: 'division', id: 'div' } });
  const annex = await signedInUser(ta, 'annex-admin', { accessLevel: { kind: 'location', id: 'loc-2' } });
  const otherAdmin = await signedInUser(ta, 'other-admin', { enterpriseId: 'other' });

  const row = (division: string, location: string) => `${division},${location},Name,Co,0123,Addr,,,City,State,PT,1000`;
  const before = await storeSnapshot(ta.store);
  const res = await upload(ta, await ta.file('outside.csv', [HEADER, row('div-2', ''), row('div-2', 'loc-3'), row('div-o', ''), row('div', 'loc-o'), row('nowhere', ''), row('div', 'loc-2'), 'div-2'].join('\n')), north);
  t.equal(res.statusCode, 422, res.body);
  t.same(res.json<RejectedJson>().problems, [
    { line: 2, column: 'DivisionID', problem: 'no division "div-2"' },
    { line: 3, column: 'LocationID', problem: 'no location "loc-3"' },
    { line: 4, column: 'DivisionID', problem: 'no division "div-o"' },
    { line: 5, column: 'LocationID', problem: 'no location "loc-o"' },
    { line: 6, column: 'DivisionID', problem: 'no division "nowhere"' },
    { line: 8, column: 'DivisionID', problem: 'no division "div-2"' },
  ], "another division of the enterprise, another enterprise's and an unknown one read alike");
  const moved = await upload(ta, await ta.file('move.csv', [HEADER, row('div-2', 'loc-2')].join('\n')));
  t.same(moved.json<RejectedJson>().problems, [{ line: 2, column: 'DivisionID', problem: 'location loc-2 is in division div: an import does not move a location' }]);
  const annexAdds = await upload(ta, await ta.file('annex-add.csv', [HEADER, row('div', '')].join('\n')), annex);
  t.same(annexAdds.json<RejectedJson>().problems, [{ line: 2, column: 'DivisionID', problem: 'no division "div"' }], 'a location-scoped admin adds no location to the division');
  t.equal(await storeSnapshot(ta.store), before, 'nothing stored');

  const exported = async (headers: Record<string, string>) => (await ta.app.inject({ url: '/api/v1/locations/export', headers })).body.split('\r\n').slice(1, -1).map((l) => l.split(',').slice(0, 2).join(','));
  t.same(await exported(north), ['div,loc-2', 'div,loc'], 'the division admin: their division');
  t.same(await exported(annex), ['div,loc-2'], 'the location admin: their location, no division row');
  t.same(await exported(otherAdmin), ['div-o,loc-o'], 'another enterprise: its own');
  t.same(await exported(ta.headers('admin')), ['div,loc-2', 'div,loc', 'div-2,loc-3']);

  const annexUpdate = await upload(ta, await ta.file('annex.csv', (await ta.app.inject({ url: '/api/v1/locations/export', headers: annex })).body.replace('Annex', 'Annex East')), annex);
  t.equal(annexUpdate.statusCode, 200, annexUpdate.body);
  t.match(annexUpdate.json<ImportJson>().import, { updated: 1 });
  t.equal(ta.store.get('locations', 'loc-2')!.name, 'Annex East', 'the location admin updates their location');
});

t.test('the API holds a location to the same country codes as the import', async (t) => {
  const ta = await setup(t);
  const before = await storeSnapshot(ta.store);
  for (const [method, url, payload] of [
    ['PATCH', '/api/v1/locations/loc', { countryCode: 'XX' }],
    ['POST', '/api/v1/locations', { divisionId: 'div', name: 'New', countryCode: 'UK' }],
  ] as const) {
    const res = await ta.app.inject({ method, url, headers: ta.headers('admin'), payload });
    t.equal(res.statusCode, 400, `${method} ${url}`);
    t.match(res.json(), { error: { code: 'VALIDATION', field: 'body.countryCode', message: /not an ISO 3166-1 country code/ } });
  }
  t.equal(await storeSnapshot(ta.store), before);
  const ok = await ta.app.inject({ method: 'PATCH', url: '/api/v1/locations/loc', headers: ta.headers('admin'), payload: { countryCode: 'GB' } });
  t.equal(ok.statusCode, 200, ok.body);
});
