// Which lockers are free to fill (staff drop-off without reservation, day-use storage) and the size choices they make.
import { LOCKER_SIZES, type LockerSize } from '@portier/protocol';
import { msg, type MessageKey, type MessageRef } from '../i18n/index.ts';
import type { KioskCore } from './core.ts';
import type { DoorWatch } from './door-watch.ts';
import type { DoorOpener } from './open-door.ts';
import type { ReservationOverlay } from './overlay.ts';

/** What the free-locker search reads of its neighbours: the reservations and doors, which stand open or out of reach. */
export interface FreeLockersNeighbours {
  core: KioskCore;
  overlay: Pick<ReservationOverlay, 'reservations' | 'allDoors'>;
  doors: Pick<DoorWatch, 'isOpen'>;
  opener: Pick<DoorOpener, 'remoteUnreachable'>;
}

export class FreeLockers {
  constructor(private readonly k: FreeLockersNeighbours) {}

  /** Doors a staff member may use: a carrier's credential may restrict them. */
  allowedDoor(door: number): boolean {
    const c = this.k.core.session.credential;
    if (!c || c.role !== 'carrier' || c.doors.length === 0) return true;
    return c.doors.includes(door);
  }

  /**
   * Free lockers of a size: in service, nothing reserved or stored in them, not standing open. `own`: this column's
   * doors only, for day-use storage: its PIN exists only on this kiosk, so no credential the cloud knows could have
   * a door of another column opened for it.
   */
  doors(size?: LockerSize, own = false): number[] {
    const { core, overlay } = this.k;
    // Expired reservations still hold a package until staff remove it.
    const busy = new Set(overlay.reservations().map((r) => r.door));
    // Someone using the audio interface is offered lockers within the reach range first (DESIGN.md "Accessibility").
    const preferAccessible = core.audio && !core.staffSession();
    return overlay
      .allDoors()
      .filter((d) => d.service === 'in-service' && !busy.has(d.door) && (size === undefined || d.size === size) && !(own && d.remote))
      .filter((d) => this.allowedDoor(d.door) && !this.k.doors.isOpen(d.door) && !this.k.opener.remoteUnreachable(d.door))
      .sort((a, b) => (preferAccessible ? Number(b.accessible) - Number(a.accessible) : 0) || a.door - b.door)
      .map((d) => d.door);
  }

  /**
   * Free lockers of a size in the whole bank as the kiosk knows it (every column, reachable or not): what the delivery
   * quota is counted against, online or offline.
   */
  freeOfSize(size: LockerSize): number {
    const { overlay } = this.k;
    const busy = new Set(overlay.reservations().map((r) => r.door));
    return overlay.allDoors().filter((d) => d.service === 'in-service' && d.size === size && !busy.has(d.door) && !this.k.doors.isOpen(d.door)).length;
  }

  sizeOptions(own = false): Array<{ id: string; label: MessageRef }> {
    const sizes = [...LOCKER_SIZES, 'custom'] as LockerSize[];
    return sizes
      .map((size) => ({ size, count: this.doors(size, own).length }))
      .filter((x) => x.count > 0)
      .map((x) => ({ id: `size-${x.size}`, label: msg('size.option', { size: msg(`size.${x.size}` as MessageKey), count: x.count }) }));
  }
}
