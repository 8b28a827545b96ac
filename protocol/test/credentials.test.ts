import t from 'tap';
import {
  credentialHasher,
  credentialKeyId,
  desiredStateHash,
  hashCredential,
  hashesEqual,
  keyedCredentialHash,
  keyedCredentialHashParams,
  newCredentialHashParams,
  newCredentialKey,
  parseCredentialKey,
} from '../src/index.ts';
import { sampleDesiredState } from './fixtures/samples.ts';

t.test('legacy credential hashes: same code and kind match, anything else does not', async (t) => {
  const params = { ...newCredentialHashParams(), N: 1024 };
  const h = hashCredential('pickup-code', '482913', params);
  t.ok(hashesEqual(h, hashCredential('pickup-code', '482913', params)));
  t.notOk(hashesEqual(h, hashCredential('pickup-code', '482914', params)), 'other code');
  t.notOk(hashesEqual(h, hashCredential('carrier-code', '482913', params)), 'other kind');
  t.notOk(hashesEqual(h, hashCredential('pickup-code', '482913', { ...newCredentialHashParams(), N: 1024 })), 'other salt');
  t.notOk(h.includes('482913'), 'the code does not appear in the hash');
  t.notOk(hashesEqual(h, 'AAAA'), 'different lengths do not match');
});

t.test('keyed credential hashes depend on the key, the kind and the code', async (t) => {
  const key = newCredentialKey();
  const params = keyedCredentialHashParams(key);
  const h = hashCredential('pickup-code', '482913', params, key);
  t.equal(h, keyedCredentialHash('pickup-code', '482913', key));
  t.match(h, /^[A-Za-z0-9_-]{43}$/);
  t.notOk(hashesEqual(h, keyedCredentialHash('pickup-code', '482914', key)), 'other code');
  t.notOk(hashesEqual(h, keyedCredentialHash('staff-pin', '482913', key)), 'other kind');
  t.notOk(hashesEqual(h, keyedCredentialHash('pickup-code', '482913', newCredentialKey())), 'other key');
  t.not(params.keyId, credentialKeyId(newCredentialKey()), 'each key has its own id');
  t.notOk(params.keyId.includes(key.toString('base64url').slice(0, 8)), 'the id is not a piece of the key');

  t.same(credentialHasher(params, undefined), { ok: false, reason: 'no-key' }, 'a controller without a key cannot check a keyed document');
  t.same(credentialHasher(params, newCredentialKey()), { ok: false, reason: 'other-key' }, 'nor one holding another key');
  t.throws(() => hashCredential('pickup-code', '482913', params), /needs the credential key/);
});

t.test('credential keys in config files: 32 bytes base64url, nothing else', async (t) => {
  const key = newCredentialKey();
  t.same(parseCredentialKey(key.toString('base64url')), key);
  t.equal(parseCredentialKey(key.toString('base64url').slice(1)), undefined);
  t.equal(parseCredentialKey(key.toString('hex')), undefined);
});

t.test('desired state hash is stable under key order and changes with content', async (t) => {
  const s = sampleDesiredState();
  const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(s).reverse())));
  t.equal(desiredStateHash(s), desiredStateHash(reordered));
  t.not(desiredStateHash(s), desiredStateHash({ ...s, doors: s.doors.slice(1) }));
  t.match(desiredStateHash(s), /^[0-9a-f]{64}$/);
});
