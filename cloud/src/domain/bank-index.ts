/**
 * One index per bank over the store: its lockers by number, the one live reservation holding each locker, the parcels
 * held at the mailroom desk for want of a locker, and the lockers prepared for allocation. Kept in step with every change the domain commits (both change synchronously), so
 * allocation reads the free lockers without scanning the store.
 */
import type { Change, Store } from '../store/store.ts';
import type { ReachLimits } from './accessibility.ts';
import { bankSlots, type BankSlots } from './allocation.ts';
import { isPlaced, type Locker, type PlacedReservation, type Reservation } from './model.ts';

export interface BankIndex {
  lockers: Map<number, Locker>;
  /** The one live reservation holding each locker. */
  live: Map<number, PlacedReservation>;
  /** Reservations `held` at the mailroom desk (no locker), by id. */
  held: Map<string, Reservation>;
  /** Lockers prepared for allocation; dropped whenever a locker of the bank changes. */
  slots?: { reach: ReachLimits; value: BankSlots };
}

export class BankIndexes {
  private readonly indexes = new Map<string, BankIndex>();

  constructor(private readonly store: Store) {}

  /** The bank's index, built from the store on first use (and after `clear`). */
  of(bankId: string): BankIndex {
    let idx = this.indexes.get(bankId);
    if (!idx) {
      idx = { lockers: new Map(), live: new Map(), held: new Map() };
      for (const l of this.store.list('lockers')) if (l.bankId === bankId) idx.lockers.set(l.number, l);
      for (const r of this.store.list('reservations')) {
        if (r.bankId !== bankId) continue;
        if (isPlaced(r)) idx.live.set(r.lockerNumber, r);
        else idx.held.set(r.id, r);
      }
      this.indexes.set(bankId, idx);
    }
    return idx;
  }

  /** The bank's lockers prepared for allocation under `reach`, made again only when a locker or the reach changed. */
  slots(idx: BankIndex, reach: ReachLimits): BankSlots {
    if (!idx.slots || idx.slots.reach.minCm !== reach.minCm || idx.slots.reach.maxCm !== reach.maxCm)
      idx.slots = { reach, value: bankSlots(idx.lockers.values(), reach) };
    return idx.slots.value;
  }

  /** Applies a change about to be committed; throws, before anything is written, if it would break the invariant. */
  apply(change: Change): void {
    for (const d of change.del ?? []) {
      if (d.c === 'lockers') {
        const old = this.store.get('lockers', d.key);
        const idx = old && this.indexes.get(old.bankId);
        if (old && idx) {
          idx.lockers.delete(old.number);
          delete idx.slots;
        }
        continue;
      }
      if (d.c !== 'reservations') continue;
      const old = this.store.get('reservations', d.key);
      const idx = old && this.indexes.get(old.bankId);
      if (old && idx) forget(idx, old);
    }
    for (const p of change.put ?? []) {
      if (p.c === 'lockers') {
        const idx = this.indexes.get(p.value.bankId);
        if (idx) {
          idx.lockers.set(p.value.number, p.value);
          delete idx.slots;
        }
      } else if (p.c === 'reservations') {
        const r = p.value;
        const idx = this.of(r.bankId);
        if (!isPlaced(r)) {
          idx.held.set(r.id, r);
          continue;
        }
        const holder = idx.live.get(r.lockerNumber);
        // The invariant allocation exists for: never two live reservations on one locker.
        if (holder && holder.id !== r.id) throw new Error(`invariant: locker ${r.lockerNumber} of bank ${r.bankId} is held by ${holder.id}, not ${r.id}`);
        // A held reservation placed into a locker leaves the desk.
        idx.held.delete(r.id);
        idx.live.set(r.lockerNumber, r);
      }
    }
  }

  /** Forgets every index (memory and disk may disagree after a failed commit): each is built again on next use. */
  clear(): void {
    this.indexes.clear();
  }
}

/** Takes a reservation out of its bank's index (it ended, or left the live state). */
function forget(idx: BankIndex, r: Reservation): void {
  if (!isPlaced(r)) idx.held.delete(r.id);
  else if (idx.live.get(r.lockerNumber)?.id === r.id) idx.live.delete(r.lockerNumber);
}
