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
 * The aliases are numbered once, in bank-layout.ts (`kioskAliases`), shared by this view, the door map
 * (`lockerAt(kiosk, alias)`, so kiosk transactions on remote lockers reach the right reservations) and the relay.
 */
import type { DesiredCredential, DesiredDoor, DesiredReservation } from '@portier/protocol';
import { columnAt, kioskAliases, type DesiredSource, type KioskAlias } from './bank-layout.ts';
import { buildColumnState, type BuildDesiredOptions, type BuiltDesired } from './column-state.ts';

const MAX_RESERVATIONS = 2000;

/**
 * `built` (the state of one column) with the rest of the bank added when that column is the bank's kiosk column;
 * unchanged otherwise.
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
    const other = buildColumnState(src, { ...opts, column: list[0]!.columnPosition });
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
      // A recipient's badge is one credential per person: parcels in several columns join into the one the kiosk checks.
      const same = credentials.findIndex((x) => x.id === c.id);
      if (same < 0) credentials.push({ ...c, doors: mapped as number[] });
      else {
        const joined = credentials[same]!;
        credentials[same] = {
          ...joined,
          doors: [...new Set([...joined.doors, ...(mapped as number[])])].sort((a, b) => a - b),
          reservationIds: [...new Set([...joined.reservationIds, ...c.reservationIds])].sort().slice(0, 160),
        };
      }
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
