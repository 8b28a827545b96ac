// Glue from the controller's parts to the kiosk's ports, typed structurally so the kiosk depends on their shape only.
import type { CredentialKind, DesiredCredential, DesiredState, DoorOutcome, EventBody } from '@portier/protocol';
import type { AudioOut } from '../hal/audio.ts';
import type { LineReader, SwitchInput } from '../hal/inputs.ts';
import type { Logger } from '../util/logger.ts';
import { AudioAssistant } from './audio/assistant.ts';
import { KioskEngine, type KioskEngineOptions } from './engine.ts';
import { attachKioskInputs } from './inputs.ts';
import type { CredentialCheck, CredentialPort, DesiredStatePort, KioskDoorEvent, KioskDoorPort } from './ports.ts';
import { bankDoorPort, type RemoteDoors } from './remote-doors.ts';

/** The part of `DoorController` (firmware/src/doors) the kiosk uses. */
export interface DoorControllerLike {
  unlock(door: number): Promise<{ outcome: DoorOutcome }>;
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

/** The kiosk's form of an answer of the credential check (`offline/credential-checker.ts`). */
export function kioskCredentialCheck(r: ReturnType<OfflineAccessLike['checkCredential']>): CredentialCheck {
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
}

/** A kiosk credential port over the offline module's durable check. */
export function credentialPortFromOffline(access: OfflineAccessLike): CredentialPort {
  return {
    check: (kind, code, now) => kioskCredentialCheck(access.checkCredential(kind, code, now)),
    markUsed: (id) => access.markUsed(id),
  };
}

/** The part of `ControllerLink` (firmware/src/link) the kiosk uses. */
export interface LinkLike {
  publishEvent(body: EventBody): Promise<unknown>;
  status(): { state: string };
  cloudNow(): number;
  readonly desired: { readonly desired: { state: DesiredState } | null };
  on(event: 'desired', listener: () => void): unknown;
  off(event: 'desired', listener: () => void): unknown;
}

/** The cached desired state and connection state, from the link. */
export function statePortFromLink(link: LinkLike): DesiredStatePort {
  return {
    current: () => link.desired.desired?.state,
    isOnline: () => link.status().state === 'online',
    subscribe(listener) {
      const l = (): void => listener();
      link.on('desired', l);
      return () => link.off('desired', l);
    },
  };
}

export interface ControllerKioskParts {
  doorController: DoorControllerLike;
  link: LinkLike;
  offlineAccess: OfflineAccessLike;
  audio?: AudioOut;
  scanner?: LineReader;
  badgeReader?: LineReader;
  headphoneDetect?: SwitchInput;
  logger?: Logger;
  /** Passed on to the engine (language, throttle, storage day end, ...). */
  engine?: Partial<KioskEngineOptions>;
  /** Doors of other columns of the bank (`remote` in the desired state) are opened through the cloud with this. */
  remoteDoors?: RemoteDoors;
}

export interface ControllerKiosk {
  engine: KioskEngine;
  assistant: AudioAssistant | undefined;
  /** Detaches the devices, silences the audio and stops the engine (timers cleared). */
  stop(): Promise<void>;
}

/**
 * The kiosk of a controller, wired: engine over the door controller, the offline credential check, the link's desired
 * state, outbox and cloud clock; the audio assistant on the jack; the scanner, badge reader and headphone switch.
 * The door controller reports left-open doors itself, so the kiosk only warns about them.
 */
export function createControllerKiosk(parts: ControllerKioskParts): ControllerKiosk {
  const state = statePortFromLink(parts.link);
  const local = doorPortFromController(parts.doorController);
  const engine = new KioskEngine({
    doors: parts.remoteDoors ? bankDoorPort(local, parts.remoteDoors, state) : local,
    credentials: credentialPortFromOffline(parts.offlineAccess),
    state,
    sink: parts.link,
    clock: { now: () => parts.link.cloudNow() },
    reportDoorLeftOpen: false,
    ...(parts.logger ? { logger: parts.logger } : {}),
    ...parts.engine,
  });
  const assistant = parts.audio ? new AudioAssistant({ engine, audio: parts.audio, ...(parts.logger ? { logger: parts.logger } : {}) }) : undefined;
  const detach = attachKioskInputs(engine, {
    ...(parts.scanner ? { scanner: parts.scanner } : {}),
    ...(parts.badgeReader ? { badgeReader: parts.badgeReader } : {}),
    ...(parts.headphoneDetect ? { headphoneDetect: parts.headphoneDetect } : {}),
    ...(parts.logger ? { logger: parts.logger } : {}),
  });
  engine.start();
  return {
    engine,
    assistant,
    async stop() {
      detach();
      // A wait for the cloud's answer ends now (`unknown`), so the engine's queue can drain.
      parts.remoteDoors?.close();
      await assistant?.close();
      await engine.stop();
    },
  };
}
