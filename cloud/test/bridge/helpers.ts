import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyedCredentialHash, type ControllerFeature, type CredentialKind, type DesiredState } from '@portier/protocol';
import { keyedForm, type CredentialFormSource } from '../../src/bridge/credential-forms.ts';
import { CodeVault } from '../../src/domain/code-vault.ts';
import { LockerService } from '../../src/domain/service.ts';
import { byColumn, type ControllerIdentity } from '../../src/mqtt/identities.ts';
import type { ControllerRoster } from '../../src/bridge/door-map.ts';
import { MemoryStore } from '../../src/store/memory.ts';

/** The cloud's code vault of these tests (what the secrets key file gives the runtime). */
export const VAULT = CodeVault.ephemeral();
/** The credential key of the controller the built states are for (what provisioning writes into its config). */
export const CTL_KEY = Buffer.alloc(32, 7);
/** The keyed form of that controller. */
export const FORM = keyedForm(VAULT, CTL_KEY);
/** Every controller gets FORM (the publisher's credential forms). */
export const FIXED_FORMS: CredentialFormSource = { formFor: async () => FORM };
/** The hash a controller holding CTL_KEY computes for a typed code. */
export function keyedHash(kind: CredentialKind, code: string): string {
  return keyedCredentialHash(kind, code, CTL_KEY);
}

export const admin = { role: 'admin' as const, id: 'admin1' };
export const operator = { role: 'operator' as const, id: 'op1' };

export interface Teardownable {
  teardown(fn: () => unknown): void;
}

export async function tempDir(t: Teardownable, prefix = 'portier-bridge-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  // A cloud on this folder keeps its secrets key beside it (provision/secrets-key.ts).
  t.teardown(() => Promise.all([rm(dir, { recursive: true, force: true }), rm(`${dir}.secrets.key`, { force: true })]));
  return dir;
}

/**
 * Bank `b1` (location with the default reach range, 35..123 cm) with two columns:
 * - column 1 (kiosk, `col1`, board `ctl-1`): lockers 1..4 on doors 1..4, top to bottom: locker 1 high (130..170 cm,
 *   not accessible), 2 at 90..120, 3 at 50..80, 4 rear-loading at 10..40 (not accessible: below 35 cm);
 * - column 2 (plain, `col2`, board `ctl-2`): lockers 11, 12 on doors 1, 2 (both accessible, M).
 * Bank `b2` with one column and locker 1 (`ctl-x`). Contacts `c1`, `c2`; carrier `car`.
 */
export async function bankModel(opts: { service?: ConstructorParameters<typeof LockerService>[0] } = {}): Promise<LockerService> {
  const s = new LockerService(opts.service ?? { store: new MemoryStore(), codeHashN: 1024, vault: VAULT });
  await s.createEnterprise({ id: 'ent', name: 'Acme' }, admin);
  await s.createDivision({ id: 'div', enterpriseId: 'ent', name: 'HQ' }, admin);
  await s.createLocation({ id: 'loc', divisionId: 'div', name: 'Main' }, admin);
  await s.createBank({ id: 'b1', locationId: 'loc', name: 'Lobby', rules: { addToExistingLocker: false, openAllAtOnce: true } }, admin);
  await s.createBank({ id: 'b2', locationId: 'loc', name: 'Annex' }, admin);
  await s.createColumn({ id: 'col1', bankId: 'b1', position: 1, kind: 'kiosk', controllerId: 'ctl-1' }, admin);
  await s.createColumn({ id: 'col2', bankId: 'b1', position: 2, kind: 'plain', controllerId: 'ctl-2' }, admin);
  await s.createColumn({ id: 'colx', bankId: 'b2', position: 1, kind: 'kiosk', controllerId: 'ctl-x' }, admin);
  const front = { loading: 'front' as const };
  await s.createLockers(
    [
      { bankId: 'b1', number: 1, columnId: 'col1', door: 1, size: 'L', bottomCm: 130, topCm: 180, ...front },
      { bankId: 'b1', number: 2, columnId: 'col1', door: 2, size: 'S', bottomCm: 90, topCm: 120, ...front },
      { bankId: 'b1', number: 3, columnId: 'col1', door: 3, size: 'S', bottomCm: 50, topCm: 80, ...front },
      { bankId: 'b1', number: 4, columnId: 'col1', door: 4, size: 'M', bottomCm: 10, topCm: 45, loading: 'rear', shelfBarcode: 'SHELF-4' },
      { bankId: 'b1', number: 11, columnId: 'col2', door: 1, size: 'M', bottomCm: 86, topCm: 120, ...front },
      { bankId: 'b1', number: 12, columnId: 'col2', door: 2, size: 'M', bottomCm: 46, topCm: 80, ...front },
      { bankId: 'b2', number: 1, columnId: 'colx', door: 1, size: 'M', bottomCm: 46, topCm: 80, ...front },
    ],
    admin,
  );
  await s.createContact({ enterpriseId: 'ent', id: 'c1', name: 'Rita' }, admin);
  await s.createContact({ enterpriseId: 'ent', id: 'c2', name: 'Sam' }, admin);
  await s.createCarrier({ enterpriseId: 'ent', id: 'car', name: 'Parcel Co' }, admin);
  return s;
}

function identity(controllerId: string, bankId: string, column: number, revoked = false): ControllerIdentity {
  return {
    kind: 'controller',
    controllerId,
    bankId,
    column,
    secretHash: 'x',
    mosquittoHash: '$7$101$AAAA$AAAA',
    createdAt: 0,
    revokedAt: revoked ? 1 : null,
  };
}

/** A roster like the identity registry's: ctl-1 and ctl-2 on b1, ctl-x on b2, ctl-old (revoked) on b1 column 1. */
export function roster(): ControllerRoster {
  const list = [identity('ctl-1', 'b1', 1), identity('ctl-2', 'b1', 2), identity('ctl-x', 'b2', 1), identity('ctl-old', 'b1', 1, true)];
  return {
    controller: (id) => list.find((c) => c.controllerId === id),
    controllers: () => [...list],
    controllersOfBank: (bankId) => list.filter((c) => c.bankId === bankId && c.revokedAt === null).sort(byColumn),
  };
}

/** A link that records desired states like CloudLink does (version + 1 only when the state hash changes). */
export class FakeLink extends EventEmitter<{ 'controller-online': [{ bankId: string; controllerId: string }] }> {
  readonly sent: Array<{ bankId: string; controllerId: string; version: number; state: DesiredState }> = [];
  private readonly versions = new Map<string, number>();
  /** What each controller announced in its birth; the bank's kiosks of these tests run the current firmware. */
  readonly features = new Map<string, ControllerFeature[]>([['ctl-1', ['branding']], ['ctl-x', ['branding']]]);
  featuresOf(controllerId: string): ControllerFeature[] {
    return this.features.get(controllerId) ?? [];
  }
  async publishDesired(bankId: string, controllerId: string, state: DesiredState): Promise<{ version: number }> {
    const version = (this.versions.get(controllerId) ?? 0) + 1;
    this.versions.set(controllerId, version);
    this.sent.push({ bankId, controllerId, version, state });
    return { version };
  }
  of(controllerId: string): Array<{ version: number; state: DesiredState }> {
    return this.sent.filter((s) => s.controllerId === controllerId);
  }
}
