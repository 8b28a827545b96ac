/**
 * The layout of a bank as its controllers see it: which column a controller identity drives, each column's lockers by
 * door, and the kiosk column's alias doors for the lockers of the other columns (kiosk-bank-view.ts). The one
 * numbering shared by the desired-state builder, the door map and the kiosk relay.
 */
import type { Column, Locker } from '../domain/model.ts';
import type { Store } from '../store/store.ts';

/** The reads the builder needs (a `Store` has them). */
export type DesiredSource = Pick<Store, 'get' | 'list'>;

/** The domain column a controller identity (bank + column position) drives, if the domain has it. */
export function columnAt(src: DesiredSource, bankId: string, position: number): Column | undefined {
  return src.list('columns').find((c) => c.bankId === bankId && c.position === position);
}

/** Lockers of a column, by door number. */
export function columnLockers(src: DesiredSource, bankId: string, columnId: string): Locker[] {
  return src
    .list('lockers')
    .filter((l) => l.bankId === bankId && l.columnId === columnId)
    .sort((a, b) => a.door - b.door || a.number - b.number);
}

/** 1-based place from the top of each locker of a column: highest top edge first (ties: lower door number first). */
export function fromTopPositions(lockers: readonly Locker[]): Map<number, number> {
  const order = [...lockers].sort((a, b) => b.topCm - a.topCm || b.bottomCm - a.bottomCm || a.door - b.door);
  return new Map(order.map((l, i) => [l.number, i + 1]));
}

/** The protocol's limit on `state.doors`. */
export const MAX_DESIRED_DOORS = 160;

/** One door of another column as the kiosk sees it. */
export interface KioskAlias {
  /** Kiosk-local door number. */
  alias: number;
  columnId: string;
  columnPosition: number;
  /** The column's controller as the domain names it. */
  controllerId: string;
  /** The real door on that column. */
  door: number;
  lockerNumber: number;
}

/** The kiosk column of a bank (the first by position if, against the physical model, there are several). */
export function kioskColumnOf(src: DesiredSource, bankId: string): Column | undefined {
  return src
    .list('columns')
    .filter((c) => c.bankId === bankId && c.kind === 'kiosk')
    .sort((a, b) => a.position - b.position)[0];
}

/**
 * The alias doors of a kiosk column, deterministic: after the kiosk's highest own door, the other (plain) columns of
 * the bank by position, each by door number; at most `MAX_DESIRED_DOORS` doors in all counting the kiosk's own.
 * Empty for a column that is not the bank's kiosk column.
 */
export function kioskAliases(src: DesiredSource, bankId: string, kiosk: Column): KioskAlias[] {
  if (kiosk.kind !== 'kiosk' || kioskColumnOf(src, bankId)?.id !== kiosk.id) return [];
  const own = columnLockers(src, bankId, kiosk.id);
  let next = own.reduce((m, l) => Math.max(m, l.door), 0) + 1;
  let room = MAX_DESIRED_DOORS - own.length;
  const others = src
    .list('columns')
    .filter((c) => c.bankId === bankId && c.id !== kiosk.id && c.kind !== 'kiosk')
    .sort((a, b) => a.position - b.position);
  const out: KioskAlias[] = [];
  for (const col of others) {
    for (const l of columnLockers(src, bankId, col.id)) {
      if (room <= 0 || next > MAX_DESIRED_DOORS) return out;
      out.push({ alias: next, columnId: col.id, columnPosition: col.position, controllerId: col.controllerId, door: l.door, lockerNumber: l.number });
      next++;
      room--;
    }
  }
  return out;
}

/** The alias of one door of a kiosk's view, if the view has it. */
export function aliasAt(src: DesiredSource, bankId: string, kiosk: Column, aliasDoor: number): KioskAlias | undefined {
  return kioskAliases(src, bankId, kiosk).find((a) => a.alias === aliasDoor);
}
