// Standalone demo parts for the terminal kiosk: a desired state with known codes and a door port over the
// simulator's virtual doors, shaped like the kiosk engine's door port.
import { EventEmitter } from 'node:events';
import {
  DEFAULT_BANK_RULES,
  DEFAULT_KIOSK_TIMERS,
  hashCredential,
  newCredentialHashParams,
  type BankRules,
  type DesiredCredential,
  type DesiredState,
} from '@portier/protocol';
import { VirtualDoor } from '@portier/sim';

/** Codes of the demo state, in clear, to print for the person trying the kiosk. */
export const DEMO_CODES = {
  pickup: '482913',
  pickupQr: 'QR-DEMO-1',
  returnCode: '111222',
  exchange: '333444',
  operatorPin: '9876',
  operatorBadge: 'BADGE-OP-1',
  carrier: '55501234',
} as const;

/** A small bank with a package for pickup, a return, an exchange, reservations to drop into and free lockers. */
export function demoDesiredState(rules: Partial<BankRules> = {}, now = Date.now()): DesiredState {
  // The demo runs on a laptop: a cheap scrypt cost keeps typing responsive.
  const params = { ...newCredentialHashParams(), N: 1024 };
  const cred = (id: string, kind: DesiredCredential['kind'], code: string, rest: Partial<DesiredCredential>): DesiredCredential => ({
    id,
    kind,
    hash: hashCredential(kind, code, params),
    role: 'recipient',
    doors: [],
    reservationIds: [],
    oneTime: false,
    ...rest,
  });
  const door = (n: number, locker: number, size: 'S' | 'M' | 'L', column: number, fromTop: number, accessible: boolean) =>
    ({ door: n, locker, size, column, fromTop, accessible, service: 'in-service' as const });
  return {
    doors: [
      door(1, 101, 'S', 1, 1, false),
      door(2, 102, 'M', 1, 2, true),
      door(3, 103, 'M', 1, 3, true),
      door(4, 104, 'L', 1, 4, true),
      { ...door(5, 105, 'S', 2, 1, false), rearShelfBarcode: 'SHELF-105' },
      door(6, 106, 'S', 2, 2, true),
      door(7, 107, 'M', 2, 3, true),
      door(8, 108, 'L', 2, 4, false),
    ],
    credentialHash: params,
    credentials: [
      cred('demo-pickup', 'pickup-code', DEMO_CODES.pickup, { subjectId: 'alice', doors: [2], reservationIds: ['res-a1', 'res-a2'], oneTime: true, expiresAt: now + 72 * 3_600_000 }),
      cred('demo-qr', 'qr', DEMO_CODES.pickupQr, { subjectId: 'alice', reservationIds: ['res-a1', 'res-a2'] }),
      cred('demo-return', 'pickup-code', DEMO_CODES.returnCode, { subjectId: 'bob', reservationIds: ['res-ret'] }),
      cred('demo-exchange', 'pickup-code', DEMO_CODES.exchange, { subjectId: 'carol', reservationIds: ['res-ex'] }),
      cred('demo-op-pin', 'staff-pin', DEMO_CODES.operatorPin, { role: 'operator', subjectId: 'op-1' }),
      cred('demo-op-badge', 'badge', DEMO_CODES.operatorBadge, { role: 'operator', subjectId: 'op-1' }),
      cred('demo-carrier', 'carrier-code', DEMO_CODES.carrier, { role: 'carrier', subjectId: 'carrier-1' }),
    ],
    reservations: [
      { id: 'res-a1', kind: 'package', status: 'occupied', door: 2, trackingIds: ['1Z-DEMO-1'], recipientId: 'alice' },
      { id: 'res-a2', kind: 'package', status: 'occupied', door: 3, trackingIds: ['1Z-DEMO-2'], departmentId: 'finance' },
      { id: 'res-in', kind: 'package', status: 'reserved', door: 4, trackingIds: ['TRK-100'], recipientId: 'dave' },
      { id: 'res-ret', kind: 'return', status: 'reserved', door: 6, trackingIds: ['RET-1'], recipientId: 'bob' },
      { id: 'res-ex', kind: 'exchange', status: 'occupied', door: 7, trackingIds: ['EX-1'], recipientId: 'carol' },
    ],
    timers: { ...DEFAULT_KIOSK_TIMERS },
    rules: { ...DEFAULT_BANK_RULES, ...rules },
  };
}

export type DemoDoorEvent = { type: 'door-closed'; door: number } | { type: 'door-opened'; door: number };

/**
 * A kiosk door port straight over virtual doors: energise the solenoid for `pulseMs`, then answer with what the door
 * did (opened / already_open / jammed). For the standalone demo only: on a controller the door controller does this,
 * with its safety rules.
 */
export class VirtualDoorsPort {
  readonly doors: Map<number, VirtualDoor>;
  private readonly bus = new EventEmitter<{ e: [DemoDoorEvent] }>();

  constructor(doorNumbers: number[], private readonly pulseMs = 300) {
    this.doors = new Map(doorNumbers.map((n) => [n, new VirtualDoor(n)]));
    for (const d of this.doors.values()) {
      d.on('moved', (m) => this.bus.emit('e', { type: m.open ? 'door-opened' : 'door-closed', door: m.door }));
    }
  }

  async unlock(door: number): Promise<'opened' | 'already_open' | 'jammed' | 'unknown'> {
    const d = this.doors.get(door);
    if (!d) return 'unknown';
    if (d.open) return 'already_open';
    d.setLock(true);
    await new Promise((r) => setTimeout(r, this.pulseMs));
    d.setLock(false);
    // A released latch whose spring has not pushed the door yet (a busy machine runs the timers late) still opens.
    // The bound is due after the spring's own timer, which therefore fires first unless a person held the door.
    if (!d.open && d.springing) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(bound);
          d.off('moved', done);
          resolve();
        };
        const bound = setTimeout(done, d.behaviour.springDelayMs);
        d.on('moved', done);
      });
    }
    return d.open ? 'opened' : 'jammed';
  }

  subscribe(listener: (e: DemoDoorEvent) => void): () => void {
    this.bus.on('e', listener);
    return () => this.bus.off('e', listener);
  }

  /** A person shuts every open door. Returns how many. */
  closeAll(): number {
    let n = 0;
    for (const d of this.doors.values()) {
      if (d.open) {
        d.close();
        n++;
      }
    }
    return n;
  }

  dispose(): void {
    for (const d of this.doors.values()) d.dispose();
  }
}
