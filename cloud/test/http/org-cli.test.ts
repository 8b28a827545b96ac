/**
 * `portier org`, `portier lockers` and `portier carriers` against the API on a real port, their `--json` output parsed
 * and checked; the barcode images they write read back to the stored values.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { runAdmin } from '../../src/cli/admin.ts';
import { decodePng } from './barcode-decode.ts';
import { cliIo, listeningCliApp } from './helpers.ts';

type Env = Record<string, string>;

/** Runs `portier --json ...args` as `env`; its exit code and parsed output. */
async function json<T = Record<string, unknown>>(t: Test, env: Env, args: string[], code = 0): Promise<{ out: T; stderr: string }> {
  const io = cliIo(env);
  t.equal(await runAdmin(['--json', ...args], io), code, `${args.join(' ')}: ${io.stderr}`);
  return { out: (code === 0 ? JSON.parse(io.stdout) : undefined) as T, stderr: io.stderr };
}

async function outDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'portier-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('portier org: divisions, locations, banks, columns list|get|add|edit|delete', async (t) => {
  const { env } = await listeningCliApp(t);
  const admin = env('admin');

  const added = await json<{ division: { id: string; enterpriseId: string; name: string } }>(t, admin, ['org', 'divisions', 'add', '--enterprise', 'ent', '--name', 'South', '--id', 'south']);
  t.match(added.out.division, { id: 'south', enterpriseId: 'ent', name: 'South' });
  const list = await json<{ divisions: Array<{ id: string }> }>(t, admin, ['org', 'divisions', 'list', '--enterprise', 'ent']);
  t.same(list.out.divisions.map((d) => d.id), ['div', 'south']);
  t.equal((await json<{ division: { name: string } }>(t, admin, ['org', 'divisions', 'edit', 'south', '--name', 'Southern'])).out.division.name, 'Southern');
  t.equal((await json<{ division: { name: string } }>(t, admin, ['org', 'divisions', 'get', 'south'])).out.division.name, 'Southern');

  const loc = await json<{ location: { id: string; reach: unknown; address: string } }>(t, admin, [
    'org', 'locations', 'add', '--division', 'south', '--name', 'Depot', '--id', 'depot', '--address', '2 Dock Rd', '--reach', '40-120',
  ]);
  t.same(loc.out.location.reach, { preset: 'custom', minCm: 40, maxCm: 120 });
  const edited = await json<{ location: Record<string, unknown> }>(t, admin, ['org', 'locations', 'edit', 'depot', '--no-address', '--reach', 'ada-2010']);
  t.notOk('address' in edited.out.location);
  t.same(edited.out.location.reach, { preset: 'ada-2010' });

  await json(t, admin, ['org', 'banks', 'add', '--location', 'depot', '--name', 'Dock', '--id', 'dock']);
  t.same((await json<{ banks: Array<{ id: string }> }>(t, admin, ['org', 'banks', 'list', '--location', 'depot'])).out.banks.map((b) => b.id), ['dock']);
  t.equal((await json<{ bank: { name: string } }>(t, admin, ['org', 'banks', 'edit', 'dock', '--name', 'Dock A'])).out.bank.name, 'Dock A');

  await json(t, admin, ['org', 'columns', 'add', '--bank', 'dock', '--position', '1', '--kind', 'plain', '--controller', 'ctl-dock', '--id', 'dock-1']);
  const columns = await json<{ columns: Array<Record<string, unknown>> }>(t, admin, ['org', 'columns', 'list', '--bank', 'dock']);
  t.match(columns.out.columns, [{ id: 'dock-1', bankId: 'dock', position: 1, kind: 'plain', controllerId: 'ctl-dock' }]);
  t.equal(columns.out.columns.length, 1);
  t.equal((await json<{ column: { kind: string } }>(t, admin, ['org', 'columns', 'edit', 'dock-1', '--kind', 'kiosk'])).out.column.kind, 'kiosk');
  t.equal((await json<{ column: { id: string } }>(t, admin, ['org', 'columns', 'get', 'dock-1'])).out.column.id, 'dock-1');

  // Refused while in use: the error names what depends on it, exit 1.
  const inUse = await json(t, admin, ['org', 'locations', 'delete', 'depot'], 1);
  t.match(inUse.stderr, /CONFLICT: location depot cannot be deleted: it still has 1 bank \(dock\)/);

  for (const [level, id] of [['columns', 'dock-1'], ['banks', 'dock'], ['locations', 'depot'], ['divisions', 'south']] as const) {
    const r = await json<Record<string, { id: string }>>(t, admin, ['org', level, 'delete', id]);
    t.equal(Object.values(r.out)[0]!.id, id, `deleted ${level} ${id}`);
  }
  await json(t, admin, ['org', 'divisions', 'get', 'south'], 1);

  const human = cliIo(admin);
  t.equal(await runAdmin(['org', 'divisions', 'list'], human), 0);
  t.match(human.stdout, /^id\s+name\s+enterpriseId\ndiv\s+North\s+ent\n$/);
  const nothing = cliIo(admin);
  t.equal(await runAdmin(['org', 'divisions', 'edit', 'div'], nothing), 2, 'an edit without a change is a usage error');
  t.match(nothing.stderr, /nothing to change/);
  const op = cliIo(env('operator'));
  t.equal(await runAdmin(['org', 'divisions', 'edit', 'div', '--name', 'X'], op), 1);
  t.match(op.stderr, /FORBIDDEN/);
});

t.test('portier lockers: list (the default), get, edit, delete, barcodes generated and written as images', async (t) => {
  const { env } = await listeningCliApp(t);
  const admin = env('admin');
  const dir = await outDir(t);

  const plain = cliIo(admin);
  t.equal(await runAdmin(['lockers', '--bank', 'bank'], plain), 0, plain.stderr);
  t.match(plain.stdout, /^number\s+size\s+status/, '`portier lockers -b BANK` still lists');
  t.equal((await json<{ lockers: unknown[] }>(t, admin, ['lockers', 'list', '-b', 'bank'])).out.lockers.length, 6);

  const edited = await json<{ locker: Record<string, unknown> }>(t, admin, ['lockers', 'edit', '-b', 'bank', '-l', '6', '--loading', 'rear', '--dedicate', 'department:dep']);
  t.match(edited.out.locker, { number: 6, loading: 'rear', shelfBarcode: /^RS-/, dedicatedTo: { type: 'department', id: 'dep' } });
  await json(t, admin, ['lockers', 'edit', '-b', 'bank', '-l', '5', '--loading', 'rear', '--shelf-barcode', 'SHELF-5', '--dedicate', 'none']);
  t.match((await json<{ locker: Record<string, unknown> }>(t, admin, ['lockers', 'get', '-b', 'bank', '-l', '5'])).out.locker, { shelfBarcode: 'SHELF-5' });

  const gen = await json<{ lockers: Array<{ number: number; shelfBarcode: string; file: string }> }>(t, admin, [
    'lockers', 'barcodes', '-b', 'bank', '--generate', '--out-dir', dir,
  ]);
  t.same(gen.out.lockers.map((l) => l.number), [5, 6]);
  for (const l of gen.out.lockers) {
    t.match(l.shelfBarcode, /^RS-[0-9A-Z]{10}$/);
    t.equal(l.file, join(dir, `bank-${l.number}.png`));
    t.same(decodePng(await readFile(l.file)), { text: l.shelfBarcode, format: 'code128' }, `the label of locker ${l.number} reads back`);
  }
  const qr = await json<{ lockers: Array<{ shelfBarcode: string; file: string }> }>(t, admin, [
    'lockers', 'barcodes', '-b', 'bank', '-l', '6', '--out-dir', dir, '--symbology', 'qrcode', '--format', 'svg',
  ]);
  t.equal(qr.out.lockers.length, 1);
  t.match(await readFile(qr.out.lockers[0]!.file, 'utf8'), /^<svg /);

  const deleted = await json<{ locker: { number: number } }>(t, admin, ['lockers', 'delete', '-b', 'bank', '-l', '4']);
  t.equal(deleted.out.locker.number, 4);
  const gone = await json(t, admin, ['lockers', 'get', '-b', 'bank', '-l', '4'], 1);
  t.match(gone.stderr, /NOT_FOUND/);
  const bad = cliIo(admin);
  t.equal(await runAdmin(['lockers', 'edit', '-b', 'bank', '-l', '1', '--dimensions', 'big'], bad), 2);
  t.match(bad.stderr, /--dimensions: expected WxHxD/);
});

t.test('portier carriers: list, add, edit, codes (--issue), qr, delete', async (t) => {
  const { env } = await listeningCliApp(t);
  const admin = env('admin');
  const dir = await outDir(t);

  t.match((await json(t, admin, ['carriers', 'add', '--name', 'Swift', '--id', 'swift'])).out, { carrier: { id: 'swift', name: 'Swift' } });
  t.same((await json<{ carriers: Array<{ id: string }> }>(t, admin, ['carriers', 'list'])).out.carriers.map((c) => c.id), ['car', 'swift']);
  t.match((await json(t, admin, ['carriers', 'edit', 'swift', '--name', 'Swift Ltd'])).out, { carrier: { name: 'Swift Ltd' } });

  const issued = await json<{ carrierCode: { id: string }; code: string }>(t, admin, ['carriers', 'codes', 'swift', '--issue', '--digits', '8', '--bank', 'bank']);
  t.match(issued.out.code, /^\d{8}$/);
  const codes = await json<{ carrierCodes: Array<{ id: string; revoked: boolean }> }>(t, admin, ['carriers', 'codes', 'swift']);
  t.same(codes.out.carrierCodes.map((c) => [c.id, c.revoked]), [[issued.out.carrierCode.id, false]]);
  t.notOk(JSON.stringify(codes.out).includes(issued.out.code), 'the list never shows the code');

  const file = join(dir, 'swift.png');
  const qr = await json<{ file: string; symbology: string }>(t, admin, ['carriers', 'qr', issued.out.carrierCode.id, '--out', file]);
  t.match(qr.out, { file, symbology: 'qrcode', format: 'png' });
  t.same(decodePng(await readFile(file)), { text: issued.out.code, format: 'qrcode' }, 'the QR code holds the code the kiosk takes');

  t.match((await json(t, admin, ['carriers', 'delete', 'swift'])).out, { carrier: { id: 'swift' } });
  const after = await json<{ carrierCodes: Array<{ revoked: boolean }> }>(t, env('operator'), ['carriers', 'codes', 'swift'], 1);
  t.match(after.stderr, /NOT_FOUND/);
  const refused = await json(t, admin, ['carriers', 'qr', issued.out.carrierCode.id, '--out', join(dir, 'again.png')], 1);
  t.match(refused.stderr, /NOT_FOUND: carrier code .* not found/);
});

t.test('--help on each group and command', async (t) => {
  for (const args of [
    ['org', '--help'],
    ['org', 'divisions', '--help'],
    ['org', 'columns', 'delete', '--help'],
    ['lockers', '--help'],
    ['lockers', 'edit', '--help'],
    ['lockers', 'barcodes', '--help'],
    ['carriers', '--help'],
    ['carriers', 'qr', '--help'],
  ]) {
    const io = cliIo({});
    t.equal(await runAdmin(args, io), 0, args.join(' '));
    t.match(io.stdout, /^Usage: portier /, args.join(' '));
  }
});
