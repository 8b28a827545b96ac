// Contacts CSV over HTTP with real files: template, import (merge and replace), every problem reported and nothing
// written, the byte limit, the export (formula cells escaped) re-imported to the same data.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { makeTestApp, seedModel, storeSnapshot, type TestApp } from './helpers.ts';

const HEADER = 'PersonnelID,FirstName,LastName,Email,Phone,Department,Location,NeedsAccessibility,Notifications,Language,Private,BadgeID';

interface ImportJson {
  import: { rows: number; added: number; updated: number; unchanged: number; removed: number; kept: { id: string; reason: string }[] };
}
interface RejectedJson {
  error: { code: string; message: string; field: string };
  problems: { line: number; column?: string; problem: string }[];
}

async function setup(t: Test): Promise<TestApp & { file: (name: string, content: string | Buffer) => Promise<Buffer> }> {
  const ta = await makeTestApp({ recipientContactId: 'c-rec', bodyLimitBytes: 256 * 1024 });
  t.teardown(() => ta.app.close());
  await seedModel(ta.service);
  const dir = await mkdtemp(join(tmpdir(), 'portier-contacts-csv-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = async (name: string, content: string | Buffer): Promise<Buffer> => {
    await writeFile(join(dir, name), content);
    return readFile(join(dir, name));
  };
  return Object.assign(ta, { file });
}

function upload(ta: TestApp, body: Buffer, mode = 'merge') {
  return ta.app.inject({ method: 'POST', url: `/api/v1/contacts/import?mode=${mode}`, headers: { ...ta.headers('operator'), 'content-type': 'text/csv' }, payload: body });
}

t.test('the template is the header row; a file with a BOM, semicolons and quoted line breaks imports', async (t) => {
  const ta = await setup(t);
  const tpl = await ta.app.inject({ url: '/api/v1/contacts/template', headers: ta.headers('operator') });
  t.equal(tpl.statusCode, 200);
  t.match(tpl.headers['content-type'], /^text\/csv/);
  t.equal(tpl.body, `${HEADER}\r\n`);
  const csv = `\uFEFF${HEADER.replaceAll(',', ';')}\r\nE-1;Ana;"Silva\r\nCosta";ana@example.org;+351 21 000;Finance;loc;yes;none;FR;no;B-1\r\nP-1;Rita;Recipient;rita@example.com;;;;;;;;\r\n`;
  const res = await upload(ta, await ta.file('bom-semicolons.csv', csv));
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json<ImportJson>().import, { rows: 2, added: 1, updated: 1, unchanged: 0, removed: 0 });
  const ana = (await ta.service.addressBook.contacts.search({ q: 'E-1', offset: 0, limit: 5 })).contacts[0]!;
  t.match(ana, { firstName: 'Ana', lastName: 'Silva\r\nCosta', phone: '+351 21 000', departmentId: 'dep', locationId: 'loc', needsAccessible: true, notifications: 'none', language: 'fr', private: false, badgeId: 'B-1' });
  t.match((await ta.service.getContact('c-rec')).firstName, 'Rita', 'matched by personnel ID, case ignored (P-1 is p-1)');
  const imports = (await ta.service.queryActivity({ type: 'admin-change' })).filter((a) => a.target?.kind === 'import');
  t.match(imports, [{ detail: 'contacts imported (merge): 2 rows, 1 added, 1 updated, 0 unchanged, 0 removed, 0 kept' }], 'the import is one entry of the activity');
});

t.test('a bad row in the middle of 10,000 good ones and a duplicate personnel ID: every problem by line, nothing imported', async (t) => {
  const ta = await setup(t);
  const lines = [HEADER];
  for (let i = 0; i < 10_000; i++) {
    if (i === 5_000) lines.push(`X-${i},"Multi\nline",Bad,not-an-email,,,,,,,,`);
    else lines.push(`X-${i},First${i},Last${i},x${i}@example.org,,,,no,email,en,no,`);
  }
  lines.push('X-42,Again,Twice,,,,,,,,,', 'Y-1,Ghost,Dept,,,Nowhere,,,,,,');
  const before = await storeSnapshot(ta.store);
  const res = await upload(ta, await ta.file('bad-middle.csv', lines.join('\n')));
  t.equal(res.statusCode, 422, 'refused whole');
  const body = res.json<RejectedJson>();
  t.same(body.error, { code: 'IMPORT_REJECTED', message: '3 lines have problems; no contacts were imported', field: 'body' });
  t.same(body.problems, [
    { line: 5002, column: 'Email', problem: 'Invalid email address' },
    { line: 10_003, column: 'PersonnelID', problem: 'Duplicate Personnel ID (also on line 44)' },
    { line: 10_004, column: 'Department', problem: 'no department "Nowhere"' },
  ], 'the line the record starts on, counting the quoted line break before');
  t.equal(await storeSnapshot(ta.store), before, 'nothing imported');
});

t.test('a file over 5 MB is refused before it is read', async (t) => {
  const ta = await setup(t);
  const row = 'Z-0,Some,Body,some.body@example.org,,,,,,,,\n';
  const big = await ta.file('big.csv', HEADER + '\n' + row.repeat(Math.ceil((5 * 1024 * 1024) / row.length) + 10));
  const before = await storeSnapshot(ta.store);
  const res = await upload(ta, big);
  t.equal(res.statusCode, 413);
  t.same(res.json(), { error: { code: 'PAYLOAD_TOO_LARGE', message: `the contacts file is ${big.byteLength} bytes, over the limit of 5242880 bytes (5 MB)`, field: 'body' } });
  t.equal(await storeSnapshot(ta.store), before);
});

t.test('export escapes formula cells and re-imports to the same data; replace removes the others, keeps the busy ones', async (t) => {
  const ta = await setup(t);
  await ta.service.updateContact('c-ada', { personnelId: 'P-2' }, { role: 'admin' });
  for (const en of ['Desk', 'Floor']) await ta.service.customFields.create('ent', { label: { en, fr: en }, type: 'text', appliesTo: ['contacts'] }, { role: 'admin' });
  await ta.service.createContact({ id: 'c-f', enterpriseId: 'ent', firstName: '=HYPERLINK("http://x")', lastName: '+Plus', personnelId: '@p', phone: '+1 555', custom: { Floor: '-2', Desk: 'A, "left"' } }, { role: 'admin' });
  const exp = await ta.app.inject({ url: '/api/v1/contacts/export', headers: ta.headers('operator') });
  t.equal(exp.statusCode, 200);
  t.match(exp.headers['content-disposition'], /attachment; filename="contacts.csv"/);
  t.match(exp.body, /^PersonnelID,FirstName,LastName,Email,Phone,Department,Location,NeedsAccessibility,Notifications,Language,Private,BadgeID,Desk,Floor\r\n/);
  t.match(exp.body, /\r\n"'@p","'=HYPERLINK\(""http:\/\/x""\)","'\+Plus",,"'\+1 555",,,no,email,en,no,,"A, ""left""","'-2"\r\n/, 'formula cells start with a quote');
  const saved = await ta.file('export.csv', exp.body);
  const contactsBefore = JSON.stringify(ta.store.list('contacts'));
  const again = await upload(ta, saved);
  t.equal(again.statusCode, 200, again.body);
  t.match(again.json<ImportJson>().import, { rows: 3, added: 0, updated: 0, unchanged: 3 });
  t.equal(JSON.stringify(ta.store.list('contacts')), contactsBefore, 'the same data');

  await ta.service.reserve({ bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-ada' }, size: 'S', trackingId: 'T1' }, { role: 'operator' });
  const replace = await upload(ta, await ta.file('one.csv', `${HEADER}\nN-1,New,Person,,,,,,,,,\n`), 'replace');
  t.equal(replace.statusCode, 200, replace.body);
  const r = replace.json<ImportJson>().import;
  t.match(r, { added: 1, removed: 1 });
  t.match(
    r.kept,
    [
      { id: 'c-ada', reason: /^reservation .+ \(locker 1 of bank bank\) is for them$/ },
      { id: 'c-rec', reason: 'user recipient signs in as them' },
    ],
    'contacts something live names stay, reported',
  );
  const added = ta.store.list('contacts').find((c) => c.personnelId === 'N-1')!.id;
  t.same(ta.store.list('contacts').map((c) => c.id).sort(), ['c-ada', 'c-rec', added].sort(), 'the formula contact is gone');
});

t.test('header problems and a non-CSV upload are reported', async (t) => {
  const ta = await setup(t);
  const res = await upload(ta, await ta.file('h.csv', 'FirstName,LastName,Shoe size\nA,B,44\n'));
  t.equal(res.statusCode, 422);
  t.same(res.json<RejectedJson>().problems, [{ line: 1, column: 'PersonnelID', problem: 'required column missing from the header' }], 'an extra column is a custom field');
  const json = await ta.app.inject({ method: 'POST', url: '/api/v1/contacts/import', headers: { ...ta.headers('operator'), 'content-type': 'application/json' }, payload: '{}' });
  t.equal(json.statusCode, 400, 'a JSON body is not a file');
});
