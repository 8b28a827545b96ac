// A data folder written by the previous release (the whole cloud: store, keys, identities, sync state) starts, and
// the cloud answers through the HTTP API what it answered when the folder was written: every field with the same value
// and every list as long (a field added to an answer since is allowed: clients of the API ignore what they do not read).
import t from 'tap';
import { DATA_FORMAT, readDataVersion } from '../../src/data-folder/data-folder.ts';
import { answersOf, askAll, copyFixture, readExpected, startOn } from './helpers.ts';

t.test('the previous release\'s data folder starts and serves the same lockers and reservations', async (t) => {
  const expected = await readExpected();
  const { data, secretsKey } = await copyFixture(t);
  const rt = await startOn(t, data, secretsKey, expected.now);
  const found = await askAll(rt.httpUrl, expected);
  const wanted = answersOf(expected);
  t.has(found, wanted);
  t.same(listLengths(found), listLengths(wanted), 'every list as long as it was');
  t.equal((await readDataVersion(data))?.format, DATA_FORMAT, 'the folder now says its format');
});

/** The length of every list in an answer, by its path. */
function listLengths(v: unknown, path = '', out: Record<string, number> = {}): Record<string, number> {
  if (Array.isArray(v)) {
    out[path] = v.length;
    v.forEach((x, i) => listLengths(x, `${path}.${i}`, out));
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) listLengths(x, `${path}.${k}`, out);
  }
  return out;
}
