import t from 'tap';
import { desiredStateHash, hashCredential, hashesEqual, newCredentialHashParams } from '../src/index.ts';
import { sampleDesiredState } from './fixtures/samples.ts';

t.test('credential hashes: same code and kind match, anything else does not', async (t) => {
  const params = { ...newCredentialHashParams(), N: 1024 };
  const h = hashCredential('pickup-code', '482913', params);
  t.ok(hashesEqual(h, hashCredential('pickup-code', '482913', params)));
  t.notOk(hashesEqual(h, hashCredential('pickup-code', '482914', params)), 'other code');
  t.notOk(hashesEqual(h, hashCredential('carrier-code', '482913', params)), 'other kind');
  t.notOk(hashesEqual(h, hashCredential('pickup-code', '482913', { ...newCredentialHashParams(), N: 1024 })), 'other salt');
  t.notOk(h.includes('482913'), 'the code does not appear in the hash');
  t.notOk(hashesEqual(h, 'AAAA'), 'different lengths do not match');
});

t.test('desired state hash is stable under key order and changes with content', async (t) => {
  const s = sampleDesiredState();
  const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(s).reverse())));
  t.equal(desiredStateHash(s), desiredStateHash(reordered));
  t.not(desiredStateHash(s), desiredStateHash({ ...s, doors: s.doors.slice(1) }));
  t.match(desiredStateHash(s), /^[0-9a-f]{64}$/);
});
