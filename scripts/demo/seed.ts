// The demo organisation: one enterprise, division, location (default reach range), a bank of two columns (the kiosk
// column and a plain one) with lockers of every size at realistic heights, two recipients (one needs accessible
// lockers) and a carrier. Idempotent: a second run of the demo finds it and only adds a new parcel.
import type { LockerService } from '@portier/cloud';
import type { LockerSize } from '@portier/protocol';

export const DEMO_ADMIN = { user: 'admin', password: 'portier-demo' };
const ACTOR = { role: 'admin' as const, id: 'demo-seed' };
const BANK_ID = 'demo-bank';
const DEMO_LABEL = 'make demo';

/**
 * Column layout: doors top to bottom, each with its size and the height of its opening, never less than the inside
 * height of its size (the cloud refuses a new door that is). Each column's doors are stacked one on another from its
 * plinth up.
 * Only locker 4 of the kiosk column and locker 11 of the plain column lie inside the default reach range (35 to 123 cm
 * from the floor): the accessible ones.
 */
const LAYOUT: Array<{ position: number; kind: 'kiosk' | 'plain'; controllerId: string; doors: Array<[LockerSize, number]> }> = [
  { position: 1, kind: 'kiosk', controllerId: 'demo-col-1', doors: [['S', 20], ['S', 20], ['M', 35], ['M', 35], ['L', 50]] },
  {
    position: 2,
    kind: 'plain',
    controllerId: 'demo-col-2',
    doors: [['XS', 8], ['S', 16], ['S', 16], ['M', 32], ['M', 32], ['L', 48], ['XL', 64]],
  },
];
/** Columns are 230 cm tall (the plain column's seven doors need 216 cm) and stand on a 10 cm plinth. */
export const DEMO_COLUMN = { topCm: 230, plinthCm: 10 };

export interface SeededDemo {
  bankId: string;
  lockerCount: number;
  columns: Array<{ position: number; kind: 'kiosk' | 'plain'; controllerId: string; doors: number }>;
  /** Reserves a locker for a parcel, drops it off and returns the one-time pickup code (shown once). */
  makeParcel(): Promise<{ lockerNumber: number; trackingId: string; recipient: string; code: string }>;
  /**
   * Fresh kiosk codes for this run: an operator PIN (for the admin user) and a carrier access code, valid for a day.
   * The previous run's demo PIN is revoked first (codes are stored hashed: they cannot be shown again).
   */
  makeStaffCodes(adminUsername: string): Promise<{ operatorPin: string; carrierCode: string }>;
}

export async function seedDemo(service: LockerService): Promise<SeededDemo> {
  const banks = await service.listBanks();
  if (!banks.some((b) => b.id === BANK_ID)) {
    // The configured admin joined the cloud's first enterprise when the cloud started: the demo fills that one.
    const ent = (await service.listEnterprises())[0] ?? (await service.createEnterprise({ id: 'demo-ent', name: 'Demo Enterprise' }, ACTOR));
    const div = await service.createDivision({ id: 'demo-div', enterpriseId: ent.id, name: 'Headquarters' }, ACTOR);
    const loc = await service.createLocation({ id: 'demo-loc', divisionId: div.id, name: 'Mailroom, ground floor' }, ACTOR);
    await service.createBank({ id: BANK_ID, locationId: loc.id, name: 'Mailroom bank' }, ACTOR);
    let number = 1;
    for (const col of LAYOUT) {
      const column = await service.createColumn({ id: `${BANK_ID}-c${col.position}`, bankId: BANK_ID, position: col.position, kind: col.kind, controllerId: col.controllerId }, ACTOR);
      // Doors are stacked from the plinth up: the last door of the list stands on the plinth.
      let top = DEMO_COLUMN.plinthCm + col.doors.reduce((sum, [, height]) => sum + height, 0);
      if (top > DEMO_COLUMN.topCm) throw new Error(`demo layout: the doors of column ${col.position} do not fit a ${DEMO_COLUMN.topCm} cm column`);
      const lockers = col.doors.map(([size, height], i) => {
        const locker = { bankId: BANK_ID, number: number++, columnId: column.id, door: i + 1, size, bottomCm: top - height, topCm: top, loading: 'front' as const };
        top -= height;
        return locker;
      });
      await service.createLockers(lockers, ACTOR);
    }
    await service.createContact({ enterpriseId: ent.id, id: 'alice', name: 'Alice Martin', email: 'alice@example.com', personnelId: 'E1001' }, ACTOR);
    await service.createContact({ enterpriseId: ent.id, id: 'bob', name: 'Bob Nguyen', email: 'bob@example.com', personnelId: 'E1002', needsAccessible: true }, ACTOR);
    await service.createCarrier({ enterpriseId: ent.id, id: 'demo-carrier', name: 'Demo Parcel Co.' }, ACTOR);
  }
  const lockerCount = (await service.listLockers(BANK_ID)).length;
  return {
    bankId: BANK_ID,
    lockerCount,
    columns: LAYOUT.map((c) => ({ position: c.position, kind: c.kind, controllerId: c.controllerId, doors: c.doors.length })),
    async makeParcel() {
      const trackingId = `DEMO${Date.now().toString(36).toUpperCase()}`;
      const { reservation } = await service.reserve(
        { bankId: BANK_ID, kind: 'package', recipient: { type: 'contact', id: 'alice' }, size: 'S', trackingId },
        ACTOR,
      );
      const dropped = await service.dropOff({ reservationId: reservation.id, trackingIds: [trackingId] }, { role: 'operator', id: 'demo-mailroom' });
      return { lockerNumber: reservation.lockerNumber, trackingId, recipient: 'Alice Martin', code: dropped.pickupCode ?? '(none)' };
    },
    async makeStaffCodes(adminUsername: string) {
      const admin = (await service.listUsers()).find((u) => u.username === adminUsername);
      if (!admin) throw new Error(`no user ${adminUsername}`);
      for (const c of await service.listStaffCredentials()) {
        if (c.label === DEMO_LABEL && c.revokedAt === undefined) await service.revokeStaffCredential(c.id, ACTOR);
      }
      const expiresAt = Date.now() + 24 * 3600_000;
      const pin = await service.issueStaffCredential({ role: 'operator', subjectId: admin.id, kind: 'staff-pin', bankIds: [BANK_ID], expiresAt, label: DEMO_LABEL }, ACTOR);
      const carrier = await service.issueCarrierCode('demo-carrier', { digits: 8, bankIds: [BANK_ID], expiresAt }, ACTOR);
      return { operatorPin: pin.code, carrierCode: carrier.code };
    },
  };
}
