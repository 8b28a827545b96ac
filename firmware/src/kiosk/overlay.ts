// The kiosk's data: the desired state it runs on plus what it did itself since (reservations changed or created,
// service states set), and the reconciliation that drops a local change once the cloud's state shows it was heard.
import type { DesiredDoor, DesiredReservation, DesiredState, ServiceState } from '@portier/protocol';
import type { KioskCore } from './core.ts';
import type { KioskMemory } from './memory.ts';

export class ReservationOverlay {
  /** What this kiosk did since the desired state it runs on: reservations changed or created, service states. */
  private readonly reservationsById = new Map<string, DesiredReservation | null>();
  private readonly service = new Map<number, ServiceState>();

  constructor(private readonly core: KioskCore) {}

  doorInfo(door: number): DesiredDoor | undefined {
    const d = this.core.state()?.doors.find((x) => x.door === door);
    if (!d) return undefined;
    const svc = this.service.get(door);
    return svc ? { ...d, service: svc } : d;
  }

  allDoors(): DesiredDoor[] {
    return (this.core.state()?.doors ?? []).map((d) => this.doorInfo(d.door) ?? d);
  }

  /** The locker number of a door (its door number when the desired state does not list it). */
  lockerOf(door: number): number {
    return this.doorInfo(door)?.locker ?? door;
  }

  reservations(): DesiredReservation[] {
    const base = this.core.state()?.reservations ?? [];
    const out: DesiredReservation[] = [];
    const seen = new Set<string>();
    for (const r of base) {
      seen.add(r.id);
      const o = this.reservationsById.get(r.id);
      if (o === null) continue;
      out.push(o ?? r);
    }
    for (const [id, r] of this.reservationsById) if (!seen.has(id) && r) out.push(r);
    return out;
  }

  setReservation(r: DesiredReservation): void {
    this.reservationsById.set(r.id, r);
    this.core.dirty = true;
  }

  removeReservation(id: string): void {
    this.reservationsById.set(id, null);
    this.core.dirty = true;
  }

  setService(door: number, state: ServiceState): void {
    this.service.set(door, state);
    this.core.dirty = true;
  }

  /**
   * A new desired state arrived. A local change is dropped once the cloud's state shows it was heard: a picked-up
   * reservation is gone from it, a changed one has our status and door, a drop-off with no reservation sits in a locker
   * the cloud now fills. Until then ours stands, because a desired state may be issued before the cloud has processed
   * our events (a package shown again as waiting would open an empty locker). `local` reservations (day-use storage:
   * its PIN exists only here) stay.
   */
  reconcile(s: DesiredState, local: (id: string) => boolean): void {
    const cloud = new Map(s.reservations.map((r) => [r.id, r]));
    const cloudDoors = new Set(s.reservations.map((r) => r.door));
    for (const [id, r] of [...this.reservationsById]) {
      if (local(id)) continue;
      const c = cloud.get(id);
      const heard = r === null ? c === undefined : c ? c.status === r.status && c.door === r.door : cloudDoors.has(r.door);
      if (heard) this.reservationsById.delete(id);
    }
    for (const [door, svc] of [...this.service]) {
      if (s.doors.find((d) => d.door === door)?.service === svc) this.service.delete(door);
    }
    this.core.dirty = true;
  }

  restore(m: KioskMemory): void {
    for (const [id, r] of m.reservations) this.reservationsById.set(id, r);
    for (const [door, svc] of m.service) this.service.set(door, svc);
  }

  snapshot(): Pick<KioskMemory, 'reservations' | 'service'> {
    return { reservations: [...this.reservationsById.entries()], service: [...this.service.entries()] };
  }
}
