/**
 * The users as CSV (DESIGN.md "CSV formats"): export, the template (the header row alone), and import.
 *
 * An import is read and checked whole (csv/read-table.ts, then every row through the users' one path:
 * UserUseCases.planCreate / planUpdate, against the store's users and the rows before it) before anything is
 * written; any problem rejects it all with the report of every bad row. A good file is written in ONE store commit
 * with one audit entry, computed and applied without yielding to another request.
 *
 * - Merge by e-mail, ignoring case: a row whose e-mail a user of the caller's has updates that user, any other row
 *   adds one. A column left out of the file keeps the users' values; an empty cell in a column of the file clears
 *   it (an empty AccessLevel is the whole enterprise).
 * - Role: a role id or a role name of the caller's enterprise. AccessLevel: `enterprise` or a division or location
 *   id inside the caller's access level (nobody hands out more than they have).
 * - Custom fields: one column per live field on users by English label after the standard ones, as in the contacts
 *   CSV (contacts-csv.ts): checked by type, a column left out keeps the values, a required field asked of new rows.
 * - A new user's user name is their e-mail (or, when the e-mail does not fit a user name, their id); they get no
 *   password, so they cannot sign in until an administrator sets one (`PATCH /users/{id}` with `password`).
 */
import { z } from 'zod';
import { readTable, type RowProblem, type TableSpec } from '../../csv/read-table.ts';
import { csvHeader, toCsv } from '../csv-export.ts';
import type { DomainCore } from '../core.ts';
import { DomainError } from '../errors.ts';
import {
  customValueText,
  ENTERPRISE_LEVEL,
  MAX_CUSTOM_FIELDS,
  PREDEFINED_ROLES,
  userProfileFields,
  type AccessLevel,
  type Actor,
  type CustomInput,
  type RoleRecord,
  type User,
} from '../model.ts';
import { customProblem, type CustomFieldUseCases } from './custom-fields.ts';
import type { UserChange, UserUseCases } from './users.ts';

export const USERS_CSV_MAX_BYTES = 1024 * 1024;

export const USER_COLUMNS = [
  { name: 'Email', required: true },
  { name: 'FirstName', required: true },
  { name: 'LastName', required: true },
  { name: 'Role', required: true },
  { name: 'AccessLevel' },
  { name: 'EmployeeID' },
  { name: 'Language' },
  { name: 'BadgeID' },
] as const;

/** The user name rules of the API (auth/users.ts UserNameSchema): an e-mail that fits them is the new user's name. */
const USER_NAME = /^[A-Za-z0-9._@-]{1,64}$/;

const userRow = z.strictObject({
  Email: userProfileFields.email.unwrap(),
  // Required of a new user, and of a known one that has a name (checked in the import against the stored user).
  FirstName: userProfileFields.firstName,
  LastName: userProfileFields.lastName,
  Role: z.string().max(200),
  AccessLevel: z.string().max(200).optional(),
  EmployeeID: userProfileFields.employeeId,
  Language: z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), userProfileFields.language),
  BadgeID: userProfileFields.badgeId,
  extra: z.record(z.string(), z.string().max(500, 'a custom field holds at most 500 characters')),
});
type UserRow = z.output<typeof userRow>;

const USERS_TABLE: TableSpec<UserRow> = {
  what: 'users',
  columns: USER_COLUMNS,
  row: userRow,
  maxBytes: USERS_CSV_MAX_BYTES,
  unique: [
    { column: 'Email', problem: 'Duplicate e-mail' },
    { column: 'EmployeeID', problem: 'Duplicate employee ID' },
  ],
  maxExtraColumns: MAX_CUSTOM_FIELDS,
};

/** The column of the file a rule of the user path names by its field. */
const FIELD_COLUMN: Record<string, string> = {
  email: 'Email',
  username: 'Email',
  firstName: 'FirstName',
  lastName: 'LastName',
  role: 'Role',
  // The last administrator is demoted by the row's role.
  userId: 'Role',
  accessLevel: 'AccessLevel',
  'accessLevel.id': 'AccessLevel',
  employeeId: 'EmployeeID',
  language: 'Language',
  badgeId: 'BadgeID',
};

/** What the caller may see and change: users and access levels inside their enterprise and access level. */
export interface UserView {
  enterpriseId: string;
  user: (u: User) => boolean;
  /** Whether the caller may give this access level. */
  level: (l: AccessLevel) => boolean;
  /** The rights of this role the caller lacks: such a role is neither given nor taken from anyone by an import. */
  role: (r: RoleRecord) => readonly string[];
}

export type UserImportResult =
  | {
      ok: true;
      rows: number;
      added: number;
      updated: number;
      unchanged: number;
      /** Users whose role or access level changed: their sessions end, as after an edit. */
      signOut: string[];
      /** The ids of the users added (each is welcomed). */
      created: string[];
    }
  | { ok: false; problems: RowProblem[] };

export class UserCsv {
  constructor(
    private readonly core: DomainCore,
    private readonly users: UserUseCases,
    private readonly customFields: CustomFieldUseCases,
  ) {}

  /** The header row: the standard columns, then the enterprise's custom fields on users by English label. */
  template(enterpriseId: string): string {
    return csvHeader([...USER_COLUMNS.map((c) => c.name), ...this.customFields.live(enterpriseId, 'users').map((f) => f.label.en)]);
  }

  /**
   * Every user `view` lets the caller see that has an e-mail, by user name. The file is keyed by e-mail: a user
   * without one (the first administrator, one made through the API without it) has no row. A user without a name
   * has empty name cells, which an import of that user accepts as they are.
   */
  async export(view: UserView): Promise<string> {
    const users = (await this.users.listUsers(view.enterpriseId)).filter((u) => u.email !== undefined && view.user(u));
    const fields = this.customFields.live(view.enterpriseId, 'users');
    const rows = users.map((u) => [
      u.email ?? '',
      u.firstName ?? '',
      u.lastName ?? '',
      u.role,
      u.accessLevel.kind === 'enterprise' ? 'enterprise' : u.accessLevel.id,
      u.employeeId ?? '',
      u.language ?? '',
      u.badgeId ?? '',
      ...fields.map((f) => ((v) => (v === undefined ? '' : customValueText(v)))(u.customValues?.[f.id])),
    ]);
    return toCsv([...USER_COLUMNS.map((c) => c.name), ...fields.map((f) => f.label.en)], rows);
  }

  /** Reads, checks and (when every row is good) writes an import. Throws TableTooLarge over the byte limit. */
  async import(input: Uint8Array | string, actor: Actor, view: UserView): Promise<UserImportResult> {
    const table = readTable(USERS_TABLE, input);
    const header = new Set(table.ok ? table.columns : []);
    const has = (col: string): boolean => header.has(col);
    // Rows good on their own are checked against the store even when others are bad: the report names every bad row.
    const problems: RowProblem[] = table.ok ? [] : [...table.problems];
    const { columns: customColumns, problems: headerProblems } = this.customFields.columns(view.enterpriseId, 'users', table.ok ? table.extraColumns : []);
    problems.push(...headerProblems);
    const set = this.users.userSet();
    const roles = this.rolesOf(view.enterpriseId);
    const planned = new Map<string, UserChange & { old?: User }>();
    for (const { line, value: row } of table.rows) {
      const before = problems.length;
      const role = findRole(roles, row.Role);
      const beyond = role ? view.role(role) : [];
      if (!role) problems.push({ line, column: 'Role', problem: `no role ${JSON.stringify(row.Role)}` });
      else if (beyond.length > 0) problems.push({ line, column: 'Role', problem: `role ${JSON.stringify(row.Role)} grants ${beyond.join(', ')}, which you do not hold yourself` });
      const holder = set.byEmail(row.Email);
      // A user of another enterprise or outside the caller's access level is not revealed: the e-mail is just taken.
      const old = holder && holder.enterpriseId === view.enterpriseId && view.user(holder) ? holder : undefined;
      if (holder && !old) problems.push({ line, column: 'Email', problem: `e-mail ${JSON.stringify(row.Email)} is used by another user` });
      const held = old ? roles.find((r) => r.id === old.role) : undefined;
      const heldBeyond = held ? view.role(held) : [];
      if (heldBeyond.length > 0) problems.push({ line, column: 'Email', problem: `the user of ${JSON.stringify(row.Email)} holds rights you do not hold yourself (${heldBeyond.join(', ')})` });
      // A user added by a file without the column gets the whole enterprise, which the caller must hold too.
      const level = has('AccessLevel') || !holder ? this.accessLevel(view, row.AccessLevel) : old?.accessLevel;
      if (!level) problems.push({ line, column: 'AccessLevel', problem: `no access level ${JSON.stringify(row.AccessLevel ?? 'enterprise')} inside yours` });
      for (const [column, value, stored] of [
        ['FirstName', row.FirstName, old?.firstName],
        ['LastName', row.LastName, old?.lastName],
      ] as const) {
        if (value === undefined && (!old || stored !== undefined)) problems.push({ line, column, problem: 'required' });
      }
      if (problems.length > before || !role || !level) continue;
      const optional = <V>(col: string, v: V | undefined): { set: V | null } | undefined => (has(col) ? { set: v ?? null } : undefined);
      const fields = {
        // The stored spelling of a matching e-mail stays: only the case differs.
        email: old?.email !== undefined && old.email.toLowerCase() === row.Email.toLowerCase() ? old.email : row.Email,
        ...(row.FirstName !== undefined ? { firstName: row.FirstName } : {}),
        ...(row.LastName !== undefined ? { lastName: row.LastName } : {}),
        role: role.id,
        ...(has('AccessLevel') ? { accessLevel: level } : {}),
      };
      const clearable = { employeeId: optional('EmployeeID', row.EmployeeID), language: optional('Language', row.Language), badgeId: optional('BadgeID', row.BadgeID) };
      // A custom column of the file sets its field (an empty cell clears it); a new user is asked for the required ones.
      const custom: CustomInput = {};
      for (const { column, field } of customColumns) custom[field.id] = row.extra[column] ?? null;
      const customGiven = customColumns.length > 0 || !old ? { custom } : {};
      try {
        let change: UserChange;
        if (old) {
          const patch: Record<string, unknown> = { ...fields, ...customGiven };
          for (const [k, v] of Object.entries(clearable)) if (v) patch[k] = v.set;
          change = this.users.planUpdate(old, patch, set);
        } else {
          const id = this.core.random.id('u');
          const input: Record<string, unknown> = { id, enterpriseId: view.enterpriseId, username: USER_NAME.test(row.Email) ? row.Email.toLowerCase() : id, ...fields, ...customGiven };
          for (const [k, v] of Object.entries(clearable)) if (v && v.set !== null) input[k] = v.set;
          change = this.users.planCreate(input as Parameters<UserUseCases['planCreate']>[0], set);
        }
        set.put(change.next);
        planned.set(change.next.id, { ...change, ...(old ? { old } : {}) });
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        if (err.field?.startsWith('custom.')) {
          problems.push(customProblem(err, line, customColumns));
          continue;
        }
        const column = err.field !== undefined ? FIELD_COLUMN[err.field] : undefined;
        problems.push({ line, ...(column !== undefined ? { column } : {}), problem: err.message });
      }
    }
    if (problems.length > 0) return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };
    if (!table.ok) return { ok: false, problems: table.problems };
    const created: string[] = [];
    let updated = 0;
    let unchanged = 0;
    const puts: { c: 'users'; key: string; value: User }[] = [];
    const signOut: string[] = [];
    for (const { next, changes, old } of planned.values()) {
      if (old && changes.length === 0) {
        unchanged++;
        continue;
      }
      if (old) updated++;
      else created.push(next.id);
      puts.push({ c: 'users', key: next.id, value: next });
      if (old && changes.some((c) => c.field === 'role' || c.field === 'accessLevel')) signOut.push(next.id);
    }
    const added = created.length;
    const detail = `users imported: ${table.rows.length} rows, ${added} added, ${updated} updated, ${unchanged} unchanged`;
    const audit = this.core.audit(actor, view.enterpriseId, { kind: 'import', id: 'users' }, detail, []);
    await this.core.commit({ put: puts, activity: [audit] });
    return { ok: true, rows: table.rows.length, added, updated, unchanged, signOut, created };
  }

  /** The predefined roles, then the enterprise's own. */
  private rolesOf(enterpriseId: string): RoleRecord[] {
    return [...Object.values(PREDEFINED_ROLES), ...this.core.store.list('roles').filter((r) => r.enterpriseId === enterpriseId)];
  }

  /** A cell of AccessLevel as the level it names, when that lies inside the caller's; empty is the enterprise. */
  private accessLevel(view: UserView, cell: string | undefined): AccessLevel | undefined {
    let level: AccessLevel | undefined;
    if (cell === undefined || cell.toLowerCase() === 'enterprise') level = ENTERPRISE_LEVEL;
    else if (this.core.enterpriseOf('division', cell) === view.enterpriseId) level = { kind: 'division', id: cell };
    else if (this.core.enterpriseOf('location', cell) === view.enterpriseId) level = { kind: 'location', id: cell };
    return level && view.level(level) ? level : undefined;
  }
}

/** A role by id, else by name ignoring case. */
function findRole(roles: readonly RoleRecord[], cell: string): RoleRecord | undefined {
  const lower = cell.toLowerCase();
  return roles.find((r) => r.id === cell) ?? roles.find((r) => r.name.toLowerCase() === lower);
}
