// A data folder written by the previous release (the whole cloud: store, keys, identities, sync state) starts, and
// the cloud answers through the HTTP API exactly what it answered when the folder was written.
import t from 'tap';
import { DATA_FORMAT, readDataVersion } from '../../src/data-folder/data-folder.ts';
import { answersOf, askAll, copyFixture, readExpected, startOn } from './helpers.ts';

t.test('the previous release\'s data folder starts and serves the same lockers and reservations', async (t) => {
  const expected = await readExpected();
  const { data, secretsKey } = await copyFixture(t);
  const rt = await startOn(t, data, secretsKey, expected.now);
  t.same(await askAll(rt.httpUrl, expected), answersOf(expected));
  t.equal((await readDataVersion(data))?.format, DATA_FORMAT, 'the folder now says its format');
});
