/**
 * The kiosk serves the whole bank: the desired state of the controller of a bank's KIOSK column also carries the
 * doors of the bank's other columns, so a recipient whose parcel is in a plain column signs in at the kiosk, and an
 * operator or carrier at the kiosk can use every locker of the bank.
 *
 * Each such door gets a kiosk-local alias door number, numbered after the kiosk's own doors (highest own door + 1,
 * then on): other columns by position, then by door. It carries `remote: { controllerId, door }` (the real
 * column's controller and door). Their live reservations and pickup / drop-off credentials come with them, with the
 * alias in place of the real door. Carrier and staff credentials are bank-wide (`doors: []`): the kiosk's own state
 * already has them. The protocol's `doors` list holds at most 160 doors: doors past that (a bank of more than 160
 * doors in all) are left out of the kiosk's view, with their reservations and codes (counted in `outOfView`).
 *
 * The kiosk never drives an alias door: it sends `kiosk-open-request`, and the cloud (kiosk-relay.ts) opens the real
 * door with a signed `open-door` to its column. A hardware report from the kiosk (door forced, left open, jammed, lock
 * fault) is about its own board: an alias number there is an unused board door, never the remote locker.
 * `kioskAliases` is the one numbering, shared by the builder, the door map (`lockerAt(kiosk, alias)`, so kiosk
 * transactions on remote lockers reach the right reservations) and the relay.
 */
import type { DesiredCredential, DesiredDoor, DesiredReservation } from '@portier/protocol';
import type { Column } from '../domain/model.ts';
import { buildDesiredState, columnAt, columnLockers, type BuildDesiredOptions, type BuiltDesired, type DesiredSource } from './desired-builder.ts';

/** The protocol's limit on `state.doors`. */
export const MAX_DESIRED_DOORS = 160;
const MAX_RESERVATIONS = 2000;

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

/**
 * `built` (the state of one column) with the rest of the bank added when that column is the bank's kiosk column;
 * unchanged otherwise. Called once at the end of `buildDesiredState`.
 */
export function withKioskBankView(src: DesiredSource, opts: BuildDesiredOptions, built: BuiltDesired): BuiltDesired {
  const kiosk = columnAt(src, opts.bankId, opts.column);
  if (!kiosk || kiosk.kind !== 'kiosk') return built;
  const aliases = kioskAliases(src, opts.bankId, kiosk);
  if (aliases.length === 0) return built;

  const doors: DesiredDoor[] = [...built.state.doors];
  const reservations: DesiredReservation[] = [...built.state.reservations];
  const credentials: DesiredCredential[] = [...built.state.credentials];
  const skipped = [...built.skipped];
  const byColumn = new Map<string, KioskAlias[]>();
  for (const a of aliases) byColumn.set(a.columnId, [...(byColumn.get(a.columnId) ?? []), a]);

  for (const [columnId, list] of byColumn) {
    // The plain column's own state (never a kiosk: no recursion), its doors renumbered into the kiosk's view.
    const other = buildDesiredState(src, { ...opts, column: list[0]!.columnPosition });
    if (other.columnId !== columnId) continue;
    const aliasOf = new Map(list.map((a) => [a.door, a]));
    for (const d of other.state.doors) {
      const a = aliasOf.get(d.door);
      if (a) doors.push({ ...d, door: a.alias, remote: { controllerId: a.controllerId, door: a.door } });
    }
    for (const r of other.state.reservations) {
      const a = aliasOf.get(r.door);
      if (a) reservations.push({ ...r, door: a.alias });
    }
    for (const c of other.state.credentials) {
      // Carrier / staff credentials (no doors) are bank-wide: already in the kiosk's own state.
      if (c.doors.length === 0) continue;
      const mapped = c.doors.map((d) => aliasOf.get(d)?.alias);
      if (mapped.some((d) => d === undefined)) continue;
      credentials.push({ ...c, doors: mapped as number[] });
    }
    for (const s of other.skipped) if (!skipped.some((k) => k.id === s.id)) skipped.push(s);
  }

  const byId = <T extends { id: string }>(a: T, b: T): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  reservations.sort(byId);
  credentials.sort(byId);
  skipped.sort((a, b) => (a.id < b.id ? -1 : 1));
  return {
    ...built,
    state: { ...built.state, doors, reservations: reservations.slice(0, MAX_RESERVATIONS), credentials },
    skipped,
  };
}
