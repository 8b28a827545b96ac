// The in-memory credential check over the desired state (simulator's terminal kiosk, tests): one-time use, keys.
import t from 'tap';
import { hashCredential, newCredentialKey } from '@portier/protocol';
import { DesiredStateCredentials } from '../../src/kiosk/desired-credentials.ts';
import { CODES, CREDENTIAL_KEY, FakeState, T0, credentialHash, desiredState } from './helpers.ts';

t.test('a used one-time code is refused; a new code issued under the same credential id works', async (t) => {
  const base = desiredState();
  const state = new FakeState(base);
  const creds = new DesiredStateCredentials(state, CREDENTIAL_KEY);
  const first = creds.check('pickup-code', CODES.pickup, T0);
  t.ok(first.ok, 'the pickup code opens');
  if (!first.ok) return;
  t.ok(first.match.oneTime);
  await creds.markUsed(first.match.credentialId);
  t.same(creds.check('pickup-code', CODES.pickup, T0), { ok: false, reason: 'used' }, 'used up');
  // The cloud issues a new code under the same id (the collector's code of an exchange, a reissued code).
  const id = first.match.credentialId;
  state.set({
    ...base,
    credentials: base.credentials.map((c) => (c.id === id ? { ...c, hash: credentialHash('pickup-code', '909090') } : c)),
  });
  t.ok(creds.check('pickup-code', '909090', T0).ok, 'the new code works');
  t.same(creds.check('pickup-code', CODES.pickup, T0), { ok: false, reason: 'unknown' }, 'the old one is gone');
});

t.test('a keyed state is checked only with the key it was made for', async (t) => {
  const state = new FakeState(desiredState());
  t.same(new DesiredStateCredentials(state).check('pickup-code', CODES.pickup, T0), { ok: false, reason: 'unknown' }, 'no key: refused');
  t.same(new DesiredStateCredentials(state, newCredentialKey()).check('pickup-code', CODES.pickup, T0), { ok: false, reason: 'unknown' }, 'another key: refused');
  t.ok(new DesiredStateCredentials(state, CREDENTIAL_KEY).check('pickup-code', CODES.pickup, T0).ok, 'its own key: opens');
});

t.test('a legacy bank-salt state (cached by an older release, or sent to a controller without a key) still works', async (t) => {
  const params = { alg: 'scrypt' as const, salt: 'c2FsdHNhbHRzYWx0c2FsdA', N: 1024, r: 8, p: 1, keyLen: 32 };
  const base = desiredState();
  const legacy = {
    ...base,
    credentialHash: params,
    credentials: base.credentials.map((c) => (c.id === 'cred-pickup' ? { ...c, hash: hashCredential('pickup-code', CODES.pickup, params) } : c)),
  };
  t.ok(new DesiredStateCredentials(new FakeState(legacy)).check('pickup-code', CODES.pickup, T0).ok, 'without a key');
  t.ok(new DesiredStateCredentials(new FakeState(legacy), CREDENTIAL_KEY).check('pickup-code', CODES.pickup, T0).ok, 'with a key');
});
