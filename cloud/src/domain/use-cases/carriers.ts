/**
 * Carriers after creation: read, renamed, deleted (refused while a live reservation names the carrier as its drop-off
 * or pick-up party, or a login belongs to it; its access codes and kiosk badges are revoked with it), and the clear
 * value of a carrier access code for its printable QR code.
 *
 * A carrier code is kept sealed under the cloud's secrets key (code-vault.ts), so it can be opened again to print it
 * while it is live: a carrier who lost the printout gets the same code again instead of a new one for every kiosk.
 * A code issued by an older release is kept only as a hash and cannot be printed: it has to be issued again.
 */
import { isSealed } from '../codes.ts';
import { CREDENTIALS_LOCK, type DomainCore, type DomainEvent, type Locked } from '../core.ts';
import { DomainError, notFound, parseInput } from '../errors.ts';
import { updateCarrierInput, type Actor, type Carrier, type CarrierCode, type StaffCredential, type UpdateCarrierInput } from '../model.ts';
import type { Put } from '../../store/store.ts';
import { auditChanges } from '../audit.ts';
import { dependents, inUse } from './organisation-admin.ts';

export class CarrierAdmin {
  constructor(private readonly core: DomainCore) {}

  async getCarrier(id: string): Promise<Carrier> {
    return this.core.must('carriers', id, 'carrier', 'carrierId');
  }

  async updateCarrier(id: string, input: UpdateCarrierInput, actor: Actor): Promise<Carrier> {
    const req = parseInput(updateCarrierInput, input);
    const c = this.core.must('carriers', id, 'carrier', 'carrierId');
    const next: Carrier = { ...c, name: req.name };
    const a = this.core.audit(actor, c.enterpriseId, { kind: 'carrier', id }, 'carrier renamed', auditChanges(c, next, ['name']));
    await this.core.commit({ put: [{ c: 'carriers', key: id, value: next }], activity: [a] });
    return next;
  }

  /**
   * Deletes a carrier and revokes its access codes and the kiosk credentials issued to it (under the credentials'
   * lock: no code of it is issued meanwhile).
   */
  async deleteCarrier(id: string, actor: Actor): Promise<Carrier> {
    this.core.must('carriers', id, 'carrier', 'carrierId');
    return this.core.change(CREDENTIALS_LOCK, (): Locked<Carrier> => {
      const c = this.core.must('carriers', id, 'carrier', 'carrierId');
      const reservations = this.core.store
        .list('reservations')
        .filter((r) => [r.dropOffParty, r.pickupParty].some((p) => p?.type === 'carrier' && p.id === id))
        .map((r) => r.id);
      const users = this.core.store.list('users').filter((u) => u.carrierId === id).map((u) => u.id);
      const deps = [
        ...(reservations.length > 0 ? [dependents('live reservation', reservations)] : []),
        ...(users.length > 0 ? [dependents('login', users)] : []),
      ];
      if (deps.length > 0) throw inUse(`carrier ${id}`, deps, 'carrierId');
      const now = this.core.now();
      const codes = this.core.store.list('carrierCodes').filter((cc) => cc.carrierId === id && !cc.revoked).map((cc): CarrierCode => ({ ...cc, revoked: true }));
      const staff = this.core.store
        .list('staffCredentials')
        .filter((sc) => sc.role === 'carrier' && sc.subjectId === id && sc.revokedAt === undefined)
        .map((sc): StaffCredential => ({ ...sc, revokedAt: now }));
      const put: Put[] = [
        ...codes.map((cc): Put => ({ c: 'carrierCodes', key: cc.id, value: cc })),
        ...staff.map((sc): Put => ({ c: 'staffCredentials', key: sc.id, value: sc })),
      ];
      const revoked = [...codes.map((cc) => cc.id), ...staff.map((sc) => sc.id)];
      const a = this.core.audit(actor, c.enterpriseId, { kind: 'carrier', id }, revoked.length > 0 ? `carrier deleted; revoked ${revoked.join(', ')}` : 'carrier deleted', auditChanges(c, undefined, ['name']));
      const done = this.core.write({ put, del: [{ c: 'carriers', key: id }], activity: [a] });
      const events: DomainEvent[] = [
        ...codes.map((cc): DomainEvent => ['carrier-code-changed', { carrierCode: cc, change: 'revoked' }]),
        ...staff.map((sc): DomainEvent => ['staff-credential-changed', { staffCredential: sc, change: 'revoked' }]),
      ];
      return { result: c, done, events };
    });
  }

  /**
   * A live carrier code in clear, for its printable QR code: exactly what the carrier types on the kiosk keypad or
   * shows to its scanner. The printing is recorded in the activity log (never the code).
   */
  async carrierCodeForPrint(carrierCodeId: string, actor: Actor): Promise<{ carrierCode: CarrierCode; code: string }> {
    const cc = typeof carrierCodeId === 'string' ? this.core.store.get('carrierCodes', carrierCodeId) : undefined;
    if (!cc) throw notFound('carrier code', carrierCodeId, 'carrierCodeId');
    if (cc.revoked) throw new DomainError('INVALID_STATE', `carrier code ${cc.id} is revoked`, 'carrierCodeId');
    if (cc.expiresAt !== undefined && cc.expiresAt <= this.core.now()) throw new DomainError('INVALID_STATE', `carrier code ${cc.id} has expired`, 'carrierCodeId');
    const code = isSealed(cc.code) ? this.core.vault.open('carrier-code', cc.code.sealed) : undefined;
    if (code === undefined)
      throw new DomainError('INVALID_STATE', `carrier code ${cc.id} was issued by an older release and is kept only as a hash: issue a new code to print it`, 'carrierCodeId');
    const a = this.core.audit(actor, this.core.store.get('carriers', cc.carrierId)?.enterpriseId ?? '', { kind: 'carrier-code', id: cc.id }, `QR code of carrier code ${cc.id} of carrier ${cc.carrierId} printed`, []);
    await this.core.commit({ activity: [a] });
    return { carrierCode: cc, code };
  }
}
