/** `portier org locations import|export|template` against the API on a real port, `--json` parsed. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runAdmin } from '../../src/cli/admin.ts';
import { cliIo, listeningCliApp } from './helpers.ts';

const HEADER = 'DivisionID,LocationID,Name,Company,Phone,AddressLine1,AddressLine2,AddressLine3,CityTownArea,StateProvinceRegion,CountryCode,PostalCode';

t.test('portier org locations template, import (its report when refused), export', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  const dir = await mkdtemp(join(tmpdir(), 'portier-locations-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const run = async (args: string[], code = 0, role: 'admin' | 'operator' = 'admin') => {
    const io = cliIo(env(role));
    t.equal(await runAdmin(args, io), code, `portier ${args.join(' ')}: ${io.stderr}`);
    return io;
  };
  const json = async <T>(args: string[], code = 0): Promise<T> => JSON.parse((await run(['--json', ...args], code)).stdout) as T;

  t.match((await run(['org', 'locations', '--help'])).stdout, /import <file>[\s\S]*export \[options\][\s\S]*template \[options\]/);
  t.equal((await run(['org', 'locations', 'template'])).stdout, `${HEADER}\r\n`, 'to stdout');
  const tpl = join(dir, 'template.csv');
  t.same(await json(['org', 'locations', 'template', '--out', tpl]), { file: tpl, bytes: HEADER.length + 2 });
  t.equal(await readFile(tpl, 'utf8'), `${HEADER}\r\n`);

  const bad = join(dir, 'bad.csv');
  await writeFile(bad, `${HEADER}\ndiv,,Depot,Co,12 34,Addr,,,City,State,PT,1000\ndiv,nowhere,X,Co,1234,Addr,,,City,State,PT,1000\n`);
  const refused = await json<{ error: { code: string }; problems: unknown[] }>(['org', 'locations', 'import', bad], 1);
  t.match(refused, { error: { code: 'IMPORT_REJECTED' }, problems: [{ line: 2, column: 'Phone', problem: 'must be 1 to 25 digits' }, { line: 3, column: 'LocationID', problem: 'no location "nowhere"' }] });
  t.match((await run(['org', 'locations', 'import', bad], 1)).stdout, /line 2, Phone: must be 1 to 25 digits\nline 3, LocationID: no location "nowhere"\n/, 'the per-row report');
  t.equal(ta.store.list('locations').length, 1, 'nothing imported');

  const good = join(dir, 'good.csv');
  await writeFile(good, `${HEADER}\ndiv,,Depot,Co,1234,2 Dock Rd,,,Porto,Porto,PT,4000-001\n`);
  t.same(await json(['org', 'locations', 'import', good]), { import: { ok: true, rows: 1, added: 1, updated: 0, unchanged: 0, divisions: 0 } });
  t.match((await run(['org', 'locations', 'import', good])).stdout, /^1 rows: 1 added, 0 updated, 0 unchanged, 0 divisions without locations\n$/, 'a second import of the same file adds again: a row without LocationID is a new location');
  const out = join(dir, 'export.csv');
  t.match(await json(['org', 'locations', 'export', '--out', out]), { file: out });
  const rows = (await readFile(out, 'utf8')).split('\r\n');
  t.equal(rows[0], HEADER);
  t.equal(rows.filter((r) => r.includes(',Depot,Co,1234,2 Dock Rd,,,Porto,Porto,PT,4000-001')).length, 2);
  // The seed location (HQ) was made without postal details: its row, empty there, reads back as it is.
  t.same(await json(['org', 'locations', 'import', out]), { import: { ok: true, rows: 3, added: 0, updated: 0, unchanged: 3, divisions: 0 } }, 'the export imports again unchanged');
  const hq = rows.find((r) => r.startsWith('div,loc,'))!;
  const emptied = join(dir, 'emptied.csv');
  await writeFile(emptied, `${HEADER}\n${rows.find((r) => r.includes(',Depot,'))!.replace(',Co,', ',,')}\n${hq}\n`);
  t.match(await json(['org', 'locations', 'import', emptied], 1), { problems: [{ line: 2, column: 'Company', problem: 'required' }] }, 'a required detail a location has cannot be emptied');

  const op = cliIo(env('operator'));
  t.equal(await runAdmin(['org', 'locations', 'export'], op), 1);
  t.match(op.stderr, /FORBIDDEN/);
});
