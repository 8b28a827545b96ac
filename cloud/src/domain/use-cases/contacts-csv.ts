/**
 * The address book as CSV (DESIGN.md "CSV formats"): export, the template (the header row alone), and import.
 *
 * An import is checked whole (csv/read-table.ts, then every row against the store: its department and location)
 * before anything is written, and any problem rejects it all with the report of every bad row. A good file is
 * written in ONE store commit (contacts, the departments whose members change, the audit entry): the store makes a
 * commit durable entirely or not at all, so a crash cannot leave half an import, and nothing can interleave with it
 * (the whole import is computed and applied without yielding to another request).
 *
 * - merge: a row whose PersonnelID a contact has (ignoring case) updates that contact, any other row adds one. A
 *   column left out of the file keeps the contact's value; an empty cell in a column of the file clears it.
 * - replace: as merge, and contacts the caller may see that the file does not name are deleted, except those
 *   something live names (contacts.ts `inUse`): they are kept and reported.
 * - Custom fields: one column per live field on contacts, named by its English label (an import also takes the
 *   French label or the field's id), after the standard columns. A column naming no such field is reported. Each
 *   cell is checked by the field's type (custom-fields.ts `values`); a column of the file sets the field (an empty
 *   cell clears it), a column left out keeps it; a required field is asked of every new row and never cleared.
 */
import { z } from 'zod';
import { readTable, yesNo, yesNoCell, type Delimiter, type RowProblem, type TableSpec } from '../../csv/read-table.ts';
import type { Put } from '../../store/store.ts';
import { csvHeader, toCsv } from '../csv-export.ts';
import { BadgeRegistry } from '../badges.ts';
import type { DomainCore } from '../core.ts';
import {
  badgeIdSchema,
  contactEmailSchema,
  contactLanguageSchema,
  customValueText,
  entityIdSchema,
  MAX_CUSTOM_FIELDS,
  notificationPreferenceSchema,
  personNameSchema,
  personnelIdSchema,
  phoneSchema,
  type Actor,
  type Contact,
  type CustomInput,
  type Department,
  type ImportMode,
} from '../model.ts';
import { changedFields, clean, type ContactUseCases } from './contacts.ts';
import { customProblem, type CustomFieldUseCases } from './custom-fields.ts';
import type { DepartmentUseCases } from './departments.ts';

export const CONTACTS_CSV_MAX_BYTES = 5 * 1024 * 1024;

export const CONTACT_COLUMNS = [
  { name: 'PersonnelID', required: true },
  { name: 'FirstName', required: true },
  { name: 'LastName', required: true },
  { name: 'Email' },
  { name: 'Phone' },
  { name: 'Department' },
  { name: 'Location' },
  { name: 'NeedsAccessibility' },
  { name: 'Notifications' },
  { name: 'Language' },
  { name: 'Private' },
  { name: 'BadgeID' },
] as const;

/** A cell compared ignoring case. */
const lower = <S extends z.ZodType>(s: S) => z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), s);

const contactRow = z.strictObject({
  PersonnelID: personnelIdSchema,
  FirstName: personNameSchema,
  LastName: personNameSchema,
  Email: contactEmailSchema.optional(),
  Phone: phoneSchema.optional(),
  Department: z.string().max(200).optional(),
  Location: entityIdSchema.optional(),
  NeedsAccessibility: yesNoCell,
  Notifications: lower(notificationPreferenceSchema).optional(),
  Language: lower(contactLanguageSchema).optional(),
  Private: yesNoCell,
  BadgeID: badgeIdSchema.optional(),
  extra: z.record(z.string(), z.string().max(500, 'a custom field holds at most 500 characters')),
});
type ContactRow = z.output<typeof contactRow>;

const CONTACTS_TABLE: TableSpec<ContactRow> = {
  what: 'contacts',
  columns: CONTACT_COLUMNS,
  row: contactRow,
  maxBytes: CONTACTS_CSV_MAX_BYTES,
  unique: [{ column: 'PersonnelID', problem: 'Duplicate Personnel ID' }],
  maxExtraColumns: MAX_CUSTOM_FIELDS,
};


/** What the caller may see and change: contacts, departments and locations inside their enterprise and access level. */
export interface AddressBookView {
  /** The caller's enterprise: where new contacts go and personnel IDs are unique. */
  enterpriseId: string;
  contact: (c: Contact) => boolean;
  department: (d: Department) => boolean;
  location: (locationId: string) => boolean;
}
/** Everything of one enterprise (the cloud's own jobs, tests of the domain). */
export function wholeEnterprise(enterpriseId: string): AddressBookView {
  return { enterpriseId, contact: (c) => c.enterpriseId === enterpriseId, department: (d) => d.enterpriseId === enterpriseId, location: () => true };
}

export type ContactImportResult =
  | { ok: true; mode: ImportMode; rows: number; added: number; updated: number; unchanged: number; removed: number; kept: { id: string; personnelId?: string; reason: string }[] }
  | { ok: false; problems: RowProblem[] };

export class ContactCsv {
  constructor(
    private readonly core: DomainCore,
    private readonly contacts: ContactUseCases,
    private readonly departments: DepartmentUseCases,
    private readonly customFields: CustomFieldUseCases,
  ) {}

  /** The header row: the standard columns, then the enterprise's custom fields on contacts by English label. */
  template(enterpriseId: string): string {
    return csvHeader([...CONTACT_COLUMNS.map((c) => c.name), ...this.customFields.live(enterpriseId, 'contacts').map((f) => f.label.en)]);
  }

  /** Every contact `view` lets the caller see, in name order; custom fields as columns after the standard ones. */
  export(view: AddressBookView): string {
    const { contacts } = this.contacts.search({ filter: view.contact, offset: 0, limit: Number.MAX_SAFE_INTEGER });
    const fields = this.customFields.live(view.enterpriseId, 'contacts');
    const deptName = new Map(this.core.store.list('departments').map((d) => [d.id, d.name]));
    const rows = contacts.map((c) => [
      c.personnelId ?? '',
      c.firstName,
      c.lastName,
      c.email ?? '',
      c.phone ?? '',
      c.departmentId !== undefined ? (deptName.get(c.departmentId) ?? c.departmentId) : '',
      c.locationId ?? '',
      yesNo(c.needsAccessible),
      c.notifications,
      c.language,
      yesNo(c.private),
      c.badgeId ?? '',
      ...fields.map((f) => ((v) => (v === undefined ? '' : customValueText(v)))(c.customValues?.[f.id])),
    ]);
    return toCsv([...CONTACT_COLUMNS.map((c) => c.name), ...fields.map((f) => f.label.en)], rows);
  }

  /**
   * Reads, checks and (when every row is good) writes an import. Throws TableTooLarge over the byte limit. `delimiter`:
   * the one the file is known to use, instead of the one its header suggests.
   */
  async import(input: Uint8Array | string, mode: ImportMode, actor: Actor, view: AddressBookView, delimiter?: Delimiter): Promise<ContactImportResult> {
    const table = readTable(CONTACTS_TABLE, input, delimiter);
    // The columns the file has: a column left out keeps the contacts' values.
    const header = new Set(table.ok ? table.columns : []);
    const extraColumns = table.ok ? table.extraColumns : [];
    const has = (col: string): boolean => header.has(col);
    // Rows good on their own are checked against the store even when others are bad: the report names every bad row.
    const problems: RowProblem[] = table.ok ? [] : [...table.problems];
    // Each custom column of the file and the field it names.
    const { columns: customColumns, problems: headerProblems } = this.customFields.columns(view.enterpriseId, 'contacts', extraColumns);
    problems.push(...headerProblems);
    const now = this.core.now();
    const depts = new Map<string, Department>();
    const deptOf = (id: string): Department | undefined => depts.get(id) ?? this.core.store.get('departments', id);
    const touch = (d: Department): Department => {
      const copy = depts.get(d.id) ?? { ...d, memberIds: [...d.memberIds] };
      depts.set(d.id, copy);
      return copy;
    };
    const puts: Put[] = [];
    const badges = BadgeRegistry.of(this.core, view.enterpriseId);
    const named = new Set<string>();
    let added = 0;
    let updated = 0;
    let unchanged = 0;
    for (const { line, value: row } of table.rows) {
      let departmentId: string | undefined;
      if (row.Department !== undefined) {
        const d = this.departments.findByIdOrName(row.Department, view.department);
        if (!d) problems.push({ line, column: 'Department', problem: `no department ${JSON.stringify(row.Department)}` });
        else departmentId = d.id;
      }
      if (row.Location !== undefined && (this.core.enterpriseOf('location', row.Location) !== view.enterpriseId || !view.location(row.Location)))
        problems.push({ line, column: 'Location', problem: `no location ${JSON.stringify(row.Location)}` });
      const holderId = this.core.contacts.byPersonnel(view.enterpriseId, row.PersonnelID);
      const old = holderId !== undefined ? this.core.store.get('contacts', holderId) : undefined;
      if (old && !view.contact(old)) problems.push({ line, column: 'PersonnelID', problem: 'Duplicate Personnel ID (a contact outside your access level has it)' });
      // A badge signs one person in at a kiosk (badges.ts): not another contact's, an earlier row's, or a staff badge.
      if (has('BadgeID') && row.BadgeID !== undefined && row.BadgeID !== old?.badgeId) {
        const holder = await badges.holder(row.BadgeID, old?.id);
        if (holder !== undefined) problems.push({ line, column: 'BadgeID', problem: `this badge ID is already used by ${holder}` });
        else badges.claim(old ? { contactId: old.id, previous: old.badgeId } : { said: `line ${line} of this file` }, row.BadgeID);
      }
      const given: CustomInput = {};
      for (const { column, field } of customColumns) given[field.id] = row.extra[column] ?? null;
      let customValues: Contact['customValues'];
      try {
        customValues = this.customFields.values(view.enterpriseId, 'contacts', given, old?.customValues, old === undefined);
      } catch (err) {
        problems.push(customProblem(err, line, customColumns));
      }
      if (problems.length > 0) continue;
      const fields: Partial<Contact> = { personnelId: row.PersonnelID, firstName: row.FirstName, lastName: row.LastName };
      const set = <K extends keyof Contact>(col: string, key: K, v: Contact[K] | undefined): void => {
        if (has(col)) (fields as Record<string, unknown>)[key] = v;
      };
      set('Email', 'email', row.Email);
      set('Phone', 'phone', row.Phone);
      set('Department', 'departmentId', departmentId);
      set('Location', 'locationId', row.Location);
      set('NeedsAccessibility', 'needsAccessible', row.NeedsAccessibility);
      set('Notifications', 'notifications', row.Notifications ?? 'email');
      set('Language', 'language', row.Language ?? 'en');
      set('Private', 'private', row.Private);
      set('BadgeID', 'badgeId', row.BadgeID);
      fields.customValues = customValues;
      const base: Contact = old ?? { id: this.core.random.id('c'), enterpriseId: view.enterpriseId, firstName: '', lastName: '', needsAccessible: false, notifications: 'email', language: 'en', private: false, createdAt: now };
      const next = clean({ ...base, ...fields, ...(old ? { updatedAt: now } : {}) } as Contact);
      named.add(next.id);
      if (old && changedFields(old, next).length === 0) {
        unchanged++;
        continue;
      }
      if (old) updated++;
      else added++;
      puts.push({ c: 'contacts', key: next.id, value: next });
      if (old?.departmentId !== next.departmentId) {
        if (old?.departmentId !== undefined) {
          const d = deptOf(old.departmentId);
          if (d) touch(d).memberIds = touch(d).memberIds.filter((m) => m !== next.id);
        }
        if (next.departmentId !== undefined) {
          const d = touch(deptOf(next.departmentId)!);
          if (!d.memberIds.includes(next.id)) d.memberIds.push(next.id);
        }
      }
    }
    if (problems.length > 0) return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };
    if (!table.ok) return { ok: false, problems: table.problems };
    const kept: { id: string; personnelId?: string; reason: string }[] = [];
    const dels: { c: 'contacts'; key: string }[] = [];
    if (mode === 'replace') {
      const gone = new Set(this.contacts.list().filter((c) => !named.has(c.id) && view.contact(c)).map((c) => c.id));
      const busy = this.contacts.inUse(gone);
      for (const [id, reason] of busy) {
        gone.delete(id);
        const c = this.core.store.get('contacts', id)!;
        kept.push({ id, ...(c.personnelId !== undefined ? { personnelId: c.personnelId } : {}), reason });
      }
      for (const id of gone) dels.push({ c: 'contacts', key: id });
      for (const d of this.core.store.list('departments')) {
        const cur = depts.get(d.id) ?? d;
        const keyGone = cur.keyContactId !== undefined && gone.has(cur.keyContactId);
        if (!keyGone && !cur.memberIds.some((m) => gone.has(m))) continue;
        const next = touch(cur);
        next.memberIds = next.memberIds.filter((m) => !gone.has(m));
        if (keyGone) delete next.keyContactId;
      }
    }
    for (const d of depts.values()) puts.push({ c: 'departments', key: d.id, value: { ...d, updatedAt: now } });
    const result = { ok: true as const, mode, rows: table.rows.length, added, updated, unchanged, removed: dels.length, kept };
    const detail = `contacts imported (${mode}): ${table.rows.length} rows, ${added} added, ${updated} updated, ${unchanged} unchanged, ${dels.length} removed, ${kept.length} kept`;
    const audit = this.core.audit(actor, view.enterpriseId, { kind: 'import', id: 'contacts' }, detail, []);
    await this.core.commit({ put: puts, del: dels, activity: [audit] });
    return result;
  }
}
