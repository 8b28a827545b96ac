// The in-memory credential check over the desired state (simulator's terminal kiosk, tests): one-time use.
import t from 'tap';
import { hashCredential } from '@portier/protocol';
import { DesiredStateCredentials } from '../../src/kiosk/desired-credentials.ts';
import { CODES, FakeState, HASH_PARAMS, T0, desiredState } from './helpers.ts';

t.test('a used one-time code is refused; a new code issued under the same credential id works', async (t) => {
  const base = desiredState();
  const state = new FakeState(base);
  const creds = new DesiredStateCredentials(state);
  const first = creds.check('pickup-code', CODES.pickup, T0);
  t.ok(first.ok, 'the pickup code opens');
  if (!first.ok) return;
  t.ok(first.match.oneTime);
  creds.markUsed(first.match.credentialId);
  t.same(creds.check('pickup-code', CODES.pickup, T0), { ok: false, reason: 'used' }, 'used up');
  // The cloud issues a new code under the same id (the collector's code of an exchange, a reissued code).
  const id = first.match.credentialId;
  state.set({
    ...base,
    credentials: base.credentials.map((c) => (c.id === id ? { ...c, hash: hashCredential('pickup-code', '909090', HASH_PARAMS) } : c)),
  });
  t.ok(creds.check('pickup-code', '909090', T0).ok, 'the new code works');
  t.same(creds.check('pickup-code', CODES.pickup, T0), { ok: false, reason: 'unknown' }, 'the old one is gone');
});
