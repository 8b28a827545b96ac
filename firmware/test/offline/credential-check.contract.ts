// The contract of the controller's one credential check, as the kiosk sees it (`CredentialPort`): run against each use
// of the checker (the durable offline check over the persisted desired state, the kiosk's in-memory one over a
// desired-state port) by credential-check.test.ts.
import type { Test } from 'tap';
import { hashCredential, newCredentialKey, type DesiredState } from '@portier/protocol';
import type { CredentialPort } from '../../src/kiosk/ports.ts';
import { CODES, CREDENTIAL_KEY, T0, credentialHash, desiredState } from '../kiosk/helpers.ts';

/** One use of the checker, fresh for each case. */
export interface CheckerUse {
  name: string;
  /** A checker with `key` (the kiosk's credential key unless given) and no desired state yet. */
  make(t: Test, opts?: { key?: Buffer | null }): Promise<{ port: CredentialPort; apply(s: DesiredState): Promise<void> }>;
}

export function credentialCheckContract(t: Test, use: CheckerUse): void {
  t.test(`${use.name}: nothing opens before a desired state; the right code opens what its credential lists`, async (t) => {
    const { port, apply } = await use.make(t);
    t.same(await port.check('pickup-code', CODES.pickup, T0), { ok: false, reason: 'unknown' }, 'no state yet');
    await apply(desiredState());
    t.same(await port.check('pickup-code', CODES.pickup, T0), {
      ok: true,
      match: { credentialId: 'cred-pickup', kind: 'pickup-code', role: 'recipient', subjectId: 'r-1', doors: [2], reservationIds: ['res-1', 'res-2'], oneTime: true, expiresAt: T0 + 72 * 3_600_000 },
    });
    t.match(await port.check('badge', CODES.adminBadge, T0), { ok: true, match: { credentialId: 'cred-admin', role: 'admin' } });
    t.same(await port.check('pickup-code', '482914', T0), { ok: false, reason: 'unknown' }, 'a wrong code');
    t.same(await port.check('carrier-code', CODES.pickup, T0), { ok: false, reason: 'unknown' }, 'the kind is part of the hash');
  });

  t.test(`${use.name}: expiry at the time given`, async (t) => {
    const { port, apply } = await use.make(t);
    await apply(desiredState());
    t.same(await port.check('pickup-code', CODES.expired, T0), { ok: false, reason: 'expired' });
    t.ok((await port.check('pickup-code', CODES.pickup, T0 + 72 * 3_600_000 - 1)).ok, 'a moment before its expiry');
    t.same(await port.check('pickup-code', CODES.pickup, T0 + 72 * 3_600_000), { ok: false, reason: 'expired' }, 'at its expiry');
  });

  t.test(`${use.name}: one-time use; a new code under the same id works; reusable codes stay usable`, async (t) => {
    const { port, apply } = await use.make(t);
    const base = desiredState();
    await apply(base);
    t.match(await port.check('pickup-code', CODES.pickup, T0), { ok: true, match: { credentialId: 'cred-pickup', oneTime: true } }, 'opens once');
    await port.markUsed('cred-pickup');
    t.same(await port.check('pickup-code', CODES.pickup, T0), { ok: false, reason: 'used' });
    await apply({ ...base });
    t.same(await port.check('pickup-code', CODES.pickup, T0), { ok: false, reason: 'used' }, 'still used in a state that still lists it');
    await apply({ ...base, credentials: base.credentials.map((c) => (c.id === 'cred-pickup' ? { ...c, hash: credentialHash('pickup-code', '909090') } : c)) });
    t.ok((await port.check('pickup-code', '909090', T0)).ok, 'the new code under the same id opens');
    t.same(await port.check('pickup-code', CODES.pickup, T0), { ok: false, reason: 'unknown' }, 'the old one no longer does');
    await port.markUsed('cred-qr');
    t.ok((await port.check('qr', CODES.qr, T0)).ok, 'marking a reusable code changes nothing');
  });

  t.test(`${use.name}: a keyed state is checked only with its key; a legacy scrypt state with or without one`, async (t) => {
    const none = await use.make(t, { key: null });
    await none.apply(desiredState());
    t.same(await none.port.check('pickup-code', CODES.pickup, T0), { ok: false, reason: 'unknown' }, 'no key: refused');
    const other = await use.make(t, { key: newCredentialKey() });
    await other.apply(desiredState());
    t.same(await other.port.check('pickup-code', CODES.pickup, T0), { ok: false, reason: 'unknown' }, 'another key: refused');

    const params = { alg: 'scrypt' as const, salt: 'c2FsdHNhbHRzYWx0c2FsdA', N: 1024, r: 8, p: 1, keyLen: 32 };
    const base = desiredState();
    const legacy = {
      ...base,
      credentialHash: params,
      credentials: base.credentials.map((c) => (c.id === 'cred-pickup' ? { ...c, hash: hashCredential('pickup-code', CODES.pickup, params) } : c)),
    };
    await none.apply(legacy);
    t.ok((await none.port.check('pickup-code', CODES.pickup, T0)).ok, 'legacy without a key');
    const own = await use.make(t);
    await own.apply(legacy);
    t.ok((await own.port.check('pickup-code', CODES.pickup, T0)).ok, 'legacy with a key');
  });

  t.test(`${use.name}: odd input is refused without throwing`, async (t) => {
    const { port, apply } = await use.make(t);
    await apply(desiredState());
    for (const code of ['', ' ', `${CODES.pickup} `, '\u0000', 'x'.repeat(300), '４８２９１３']) {
      t.equal((await port.check('pickup-code', code, T0)).ok, false, JSON.stringify(code).slice(0, 20));
    }
  });
}

export { CREDENTIAL_KEY };
