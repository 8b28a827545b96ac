/**
 * Divisions and locations as CSV (DESIGN.md "CSV formats", the locations columns): export, the template (the header
 * row alone), and import. The reader is the one every import uses (csv/read-table.ts), the export goes through
 * csv-export.ts, as the address book's (contacts-csv.ts).
 *
 * - A row with a LocationID updates that location (it must be one the caller may see, in the division the row
 *   names: an import does not move a location); a row without one adds a location to its division, which must lie
 *   inside the caller's access level. Divisions are not made by an import: DivisionID names an existing one.
 * - A row holding a DivisionID and nothing else stands for that division without locations: the export writes one
 *   for each division the caller may see that has none, so the export of divisions and locations reads back whole,
 *   and importing it checks the division and changes nothing.
 * - A column left out of the file (only the optional address lines may be) keeps the locations' values; an empty
 *   cell of a column in the file clears it.
 *
 * An import is checked whole (the file, then every row against the store) before anything is written; any problem
 * rejects it all with the report of every bad row. A good file is written in ONE store commit with one audit entry.
 */
import { z } from 'zod';
import { readTable, type RowProblem, type TableSpec } from '../../csv/read-table.ts';
import type { Put } from '../../store/store.ts';
import { auditChanges } from '../audit.ts';
import { csvHeader, toCsv } from '../csv-export.ts';
import type { DomainCore } from '../core.ts';
import { countryCodeSchema } from '../model/country-codes.ts';
import { entityIdSchema, locationAddressFields, type Actor, type Location, type LocationAddress } from '../model.ts';
import { name } from '../model/fields.ts';

export const LOCATIONS_CSV_MAX_BYTES = 5 * 1024 * 1024;

/** The columns in DESIGN's order, each with the location field it fills (DivisionID and LocationID are the keys). */
export const LOCATION_COLUMNS = [
  { name: 'DivisionID', required: true },
  { name: 'LocationID' },
  { name: 'Name', required: true, field: 'name' },
  { name: 'Company', required: true, field: 'company' },
  { name: 'Phone', required: true, field: 'phone' },
  { name: 'AddressLine1', required: true, field: 'addressLine1' },
  { name: 'AddressLine2', field: 'addressLine2' },
  { name: 'AddressLine3', field: 'addressLine3' },
  { name: 'CityTownArea', required: true, field: 'city' },
  { name: 'StateProvinceRegion', required: true, field: 'stateProvince' },
  { name: 'CountryCode', required: true, field: 'countryCode' },
  { name: 'PostalCode', required: true, field: 'postalCode' },
] as const satisfies readonly { name: string; required?: boolean; field?: keyof Location }[];

type FieldColumn = Extract<(typeof LOCATION_COLUMNS)[number], { field: string }>;
const FIELD_COLUMNS = LOCATION_COLUMNS.filter((c): c is FieldColumn => 'field' in c);
type LocationField = FieldColumn['field'];
const FIELDS: LocationField[] = FIELD_COLUMNS.map((c) => c.field);

const cell = <K extends keyof typeof locationAddressFields>(k: K) => locationAddressFields[k].unwrap().optional();
const locationRow = z
  .strictObject({
    DivisionID: entityIdSchema,
    LocationID: entityIdSchema.optional(),
    Name: name.optional(),
    Company: cell('company'),
    Phone: cell('phone'),
    AddressLine1: cell('addressLine1'),
    AddressLine2: cell('addressLine2'),
    AddressLine3: cell('addressLine3'),
    CityTownArea: cell('city'),
    StateProvinceRegion: cell('stateProvince'),
    // Spreadsheets and people write "fr" as often as "FR".
    CountryCode: z.preprocess((v) => (typeof v === 'string' ? v.trim().toUpperCase() : v), countryCodeSchema).optional(),
    PostalCode: cell('postalCode'),
  })
  .superRefine((row, ctx) => {
    // A division's own row (its id alone) needs nothing else; a new location's needs every required cell. A known
    // location's row may leave empty what the location has never had (one made before its postal details were
    // asked for): its export then reads back unchanged. The import checks that against the stored location.
    const divisionOnly = Object.entries(row).every(([k, v]) => k === 'DivisionID' || v === undefined);
    if (divisionOnly) return;
    for (const c of FIELD_COLUMNS) {
      if ('required' in c && row[c.name] === undefined && (row.LocationID === undefined || c.field === 'name')) ctx.addIssue({ code: 'custom', path: [c.name], message: 'required' });
    }
  });
type LocationRow = z.output<typeof locationRow>;

const LOCATIONS_TABLE: TableSpec<LocationRow> = {
  what: 'locations',
  columns: LOCATION_COLUMNS,
  row: locationRow,
  maxBytes: LOCATIONS_CSV_MAX_BYTES,
  unique: [{ column: 'LocationID', problem: 'Duplicate LocationID' }],
};

/** What of the organisation the caller may see and change: their enterprise's divisions and locations inside their access level. */
export interface OrganisationView {
  enterpriseId: string;
  division: (divisionId: string) => boolean;
  location: (locationId: string) => boolean;
}

export type LocationImportResult =
  | { ok: true; rows: number; added: number; updated: number; unchanged: number; divisions: number }
  | { ok: false; problems: RowProblem[] };

export class LocationCsv {
  constructor(private readonly core: DomainCore) {}

  template(): string {
    return csvHeader(LOCATION_COLUMNS.map((c) => c.name));
  }

  /**
   * The locations `view` lets the caller see, by division (in id order) and then by name; a division the caller may
   * see that has no location is one row of its id alone.
   */
  export(view: OrganisationView): string {
    const locations = this.core.store
      .list('locations')
      .filter((l) => view.location(l.id))
      .sort((a, b) => a.name.localeCompare(b.name) || cmp(a.id, b.id));
    const byDivision = new Map<string, Location[]>();
    for (const l of locations) byDivision.set(l.divisionId, [...(byDivision.get(l.divisionId) ?? []), l]);
    for (const d of this.core.store.list('divisions')) if (d.enterpriseId === view.enterpriseId && view.division(d.id) && !byDivision.has(d.id)) byDivision.set(d.id, []);
    const rows: string[][] = [];
    for (const divisionId of [...byDivision.keys()].sort(cmp)) {
      const list = byDivision.get(divisionId)!;
      if (list.length === 0) rows.push([divisionId, '', ...FIELDS.map(() => '')]);
      for (const l of list) rows.push([divisionId, l.id, ...FIELDS.map((f) => l[f] ?? '')]);
    }
    return toCsv(
      LOCATION_COLUMNS.map((c) => c.name),
      rows,
    );
  }

  /** Reads, checks and (when every row is good) writes an import. Throws TableTooLarge over the byte limit. */
  async import(input: Uint8Array | string, actor: Actor, view: OrganisationView): Promise<LocationImportResult> {
    const table = readTable(LOCATIONS_TABLE, input);
    const header = new Set(table.ok ? table.columns : []);
    // Rows good on their own are checked against the store even when others are bad: the report names every bad row.
    const problems: RowProblem[] = table.ok ? [] : [...table.problems];
    const now = this.core.now();
    const puts: Put[] = [];
    let added = 0;
    let updated = 0;
    let unchanged = 0;
    let divisions = 0;
    for (const { line, value: row } of table.rows) {
      const division = this.core.store.get('divisions', row.DivisionID);
      const old = row.LocationID !== undefined ? this.core.store.get('locations', row.LocationID) : undefined;
      if (row.LocationID !== undefined) {
        // Outside the access level or absent: the same answer, as the API's 404.
        if (!old || !view.location(old.id)) problems.push({ line, column: 'LocationID', problem: `no location ${JSON.stringify(row.LocationID)}` });
        else if (old.divisionId !== row.DivisionID) problems.push({ line, column: 'DivisionID', problem: `location ${old.id} is in division ${old.divisionId}: an import does not move a location` });
        else {
          for (const c of FIELD_COLUMNS) if ('required' in c && row[c.name] === undefined && old[c.field] !== undefined) problems.push({ line, column: c.name, problem: 'required' });
        }
      } else if (!division || division.enterpriseId !== view.enterpriseId || !view.division(division.id)) {
        problems.push({ line, column: 'DivisionID', problem: `no division ${JSON.stringify(row.DivisionID)}` });
      }
      if (problems.length > 0) continue;
      if (row.Name === undefined) {
        divisions++;
        continue;
      }
      const base: Location = old ?? { id: this.core.random.id('loc'), divisionId: row.DivisionID, name: row.Name, reach: { preset: 'default' }, createdAt: now };
      const next: Location = { ...base, name: row.Name };
      for (const c of FIELD_COLUMNS) {
        if (c.field === 'name' || !header.has(c.name)) continue;
        const v = row[c.name];
        if (v === undefined) delete next[c.field as keyof LocationAddress];
        else next[c.field as keyof LocationAddress] = v;
      }
      if (old && auditChanges(old, next, FIELDS).length === 0) {
        unchanged++;
        continue;
      }
      if (old) updated++;
      else added++;
      puts.push({ c: 'locations', key: next.id, value: next });
    }
    if (problems.length > 0) return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };
    if (!table.ok) return { ok: false, problems: table.problems };
    const result = { ok: true as const, rows: table.rows.length, added, updated, unchanged, divisions };
    const detail = `locations imported: ${table.rows.length} rows, ${added} added, ${updated} updated, ${unchanged} unchanged, ${divisions} divisions without locations`;
    const audit = this.core.audit(actor, view.enterpriseId, { kind: 'import', id: 'locations' }, detail, []);
    await this.core.commit({ put: puts, activity: [audit] });
    return result;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
