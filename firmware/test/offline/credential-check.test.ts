// One contract for the controller's credential check, run against both of its uses.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { signMessage, type DesiredState } from '@portier/protocol';
import { credentialPortFromOffline } from '../../src/kiosk/adapters.ts';
import { DesiredStateCredentials } from '../../src/kiosk/desired-credentials.ts';
import { OfflineAccess } from '../../src/offline/credentials.ts';
import { DesiredStore } from '../../src/store/desired-store.ts';
import { FakeState, T0 } from '../kiosk/helpers.ts';
import { CREDENTIAL_KEY, credentialCheckContract } from './credential-check.contract.ts';

const { privateKey } = generateKeyPairSync('ed25519');

credentialCheckContract(t, {
  name: 'offline (durable, persisted desired state)',
  async make(t, opts = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'portier-credcheck-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const store = await DesiredStore.open(dir);
    const key = opts.key === null ? undefined : (opts.key ?? CREDENTIAL_KEY);
    let version = 0;
    return {
      port: credentialPortFromOffline(new OfflineAccess(store, { cloudNow: () => T0, credentialKey: key })),
      async apply(state: DesiredState) {
        version += 1;
        await store.apply(signMessage({ v: 1 as const, bankId: 'bank-1', controllerId: 'col-1', version, issuedAt: T0, state }, privateKey));
      },
    };
  },
});

credentialCheckContract(t, {
  name: 'kiosk (in memory, desired-state port)',
  async make(_t, opts = {}) {
    const state = new FakeState(undefined);
    const key = opts.key === null ? undefined : (opts.key ?? CREDENTIAL_KEY);
    return {
      port: new DesiredStateCredentials(state, key),
      async apply(s: DesiredState) {
        state.set(s);
      },
    };
  },
});
