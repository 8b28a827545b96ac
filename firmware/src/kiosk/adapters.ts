// Glue from the controller's parts to the kiosk's ports, typed structurally so the kiosk depends on their shape only.
import type { CredentialKind, DesiredCredential } from '@portier/protocol';
import type { CredentialCheck, CredentialPort, KioskDoorEvent, KioskDoorPort, UnlockOutcome } from './ports.ts';

/** The part of `DoorController` (firmware/src/doors) the kiosk uses. */
export interface DoorControllerLike {
  unlock(door: number): Promise<{ outcome: UnlockOutcome }>;
  on(event: 'door-closed' | 'door-opened' | 'door-left-open', listener: (e: { door: number; openMs?: number | undefined }) => void): unknown;
  off(event: 'door-closed' | 'door-opened' | 'door-left-open', listener: (e: { door: number; openMs?: number | undefined }) => void): unknown;
}

/** A kiosk door port over the door controller. */
export function doorPortFromController(ctrl: DoorControllerLike): KioskDoorPort {
  return {
    unlock: async (door) => (await ctrl.unlock(door)).outcome,
    subscribe(listener: (e: KioskDoorEvent) => void) {
      const closed = (e: { door: number }): void => listener({ type: 'door-closed', door: e.door });
      const opened = (e: { door: number }): void => listener({ type: 'door-opened', door: e.door });
      const left = (e: { door: number; openMs?: number | undefined }): void =>
        listener({ type: 'door-left-open', door: e.door, ...(e.openMs !== undefined ? { openForMs: e.openMs } : {}) });
      ctrl.on('door-closed', closed);
      ctrl.on('door-opened', opened);
      ctrl.on('door-left-open', left);
      return () => {
        ctrl.off('door-closed', closed);
        ctrl.off('door-opened', opened);
        ctrl.off('door-left-open', left);
      };
    },
  };
}

/** The part of the offline credential check (firmware/src/offline, `OfflineAccess`) the kiosk uses. */
export interface OfflineAccessLike {
  checkCredential(
    kind: CredentialKind,
    code: string,
    now?: number,
  ): { ok: true; credential: DesiredCredential } | { ok: false; reason: string };
  markUsed(credentialId: string): Promise<void> | void;
}

/** A kiosk credential port over the offline module's durable check. */
export function credentialPortFromOffline(access: OfflineAccessLike): CredentialPort {
  return {
    check(kind, code, now): CredentialCheck {
      const r = access.checkCredential(kind, code, now);
      if (!r.ok) return { ok: false, reason: r.reason === 'expired' ? 'expired' : r.reason === 'used' ? 'used' : 'unknown' };
      const c = r.credential;
      return {
        ok: true,
        match: {
          credentialId: c.id,
          kind: c.kind,
          role: c.role,
          ...(c.subjectId !== undefined ? { subjectId: c.subjectId } : {}),
          doors: [...c.doors],
          reservationIds: [...c.reservationIds],
          oneTime: c.oneTime,
          ...(c.expiresAt !== undefined ? { expiresAt: c.expiresAt } : {}),
        },
      };
    },
    markUsed: (id) => access.markUsed(id),
  };
}
