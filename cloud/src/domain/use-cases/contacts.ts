/**
 * The address book's contacts: add, edit, delete, get, list and search (through the contact index, core.contacts).
 *
 * - A contact's primary department (`departmentId`) is always among that department's members: setting it adds the
 *   contact to the members, moving it takes the contact out of the old department's members.
 * - Personnel IDs are unique (ignoring case): what a CSV import matches contacts by.
 * - A badge ID signs its contact in at a kiosk: no other contact and no live staff badge of the enterprise has it.
 * - A contact is not deleted while anything live names them (a reservation or parcel for them or with them as a
 *   party, a locker dedicated to them, a login account signing in as them); a department they are the key contact
 *   of loses its key contact.
 * - Every add, edit and delete is in the activity log (type `address-book`) with the actor and the fields changed;
 *   values are left out, so erasing the person later leaves nothing of them there.
 * - Custom values are checked against the enterprise's custom fields on contacts (custom-fields.ts `values`).
 */
import type { Change, Put } from '../../store/store.ts';
import type { ContactPage, ContactSearch } from '../contact-index.ts';
import type { DomainCore } from '../core.ts';
import { auditChanges } from '../audit.ts';
import { BadgeRegistry } from '../badges.ts';
import { DomainError, notFound, parseInput } from '../errors.ts';
import type { CustomFieldUseCases } from './custom-fields.ts';
import {
  createContactInput,
  splitName,
  updateContactInput,
  type Actor,
  type ActivityEntry,
  type Contact,
  type CreateContactInput,
  type Department,
  type UpdateContactInput,
  whereIs,
} from '../model.ts';

/** The fields an audit entry names when they change. */
const CONTACT_FIELDS = [
  'firstName',
  'lastName',
  'email',
  'phone',
  'personnelId',
  'departmentId',
  'locationId',
  'needsAccessible',
  'notifications',
  'language',
  'private',
  'badgeId',
] as const;

/** What a contact's edit may change, as stored (`null` of the input: absent). */
type ContactPatch = { [K in keyof Omit<Contact, 'id' | 'enterpriseId' | 'createdAt' | 'updatedAt'>]?: Contact[K] | undefined };

export class ContactUseCases {
  constructor(
    private readonly core: DomainCore,
    private readonly customFields: CustomFieldUseCases,
  ) {}

  async create(input: CreateContactInput, actor: Actor): Promise<Contact> {
    const req = parseInput(createContactInput, input);
    const { id: wantedId, name, firstName, lastName, custom, ...fields } = req;
    const names = name !== undefined ? splitName(name) : { firstName: firstName!, lastName: lastName! };
    this.core.must('enterprises', fields.enterpriseId, 'enterprise', 'enterpriseId');
    const customValues = this.customFields.values(fields.enterpriseId, 'contacts', custom, undefined, true);
    const c = clean({ id: this.core.newId('contacts', wantedId, 'c'), ...fields, ...names, customValues, createdAt: this.core.now() });
    this.checkLinks(c, undefined);
    await this.checkBadge(c, undefined);
    const change: Change = { put: [{ c: 'contacts', key: c.id, value: c }, ...this.membershipPuts(undefined, c)] };
    change.activity = [this.audit(actor, undefined, c, `contact ${c.id} added`)];
    await this.core.commit(change);
    return c;
  }

  async update(id: string, input: UpdateContactInput, actor: Actor): Promise<Contact> {
    const req = parseInput(updateContactInput, input);
    const old = this.core.must('contacts', id, 'contact', 'contactId');
    const { name, custom, ...rest } = req;
    const patch: ContactPatch = name !== undefined ? splitName(name) : {};
    for (const [k, v] of Object.entries(rest)) if (v !== undefined) (patch as Record<string, unknown>)[k] = v === null ? undefined : v;
    if (custom !== undefined) patch.customValues = this.customFields.values(old.enterpriseId, 'contacts', custom, old.customValues, false);
    const next = clean({ ...old, ...patch, updatedAt: this.core.now() });
    this.checkLinks(next, old);
    await this.checkBadge(next, old);
    const changed = changedFields(old, next);
    if (changed.length === 0) return old;
    await this.core.commit({
      put: [{ c: 'contacts', key: id, value: next }, ...this.membershipPuts(old, next)],
      activity: [this.audit(actor, old, next, `contact ${id} edited: ${changed.join(', ')}`)],
    });
    return next;
  }

  async get(id: string, visible?: (c: Contact) => boolean): Promise<Contact> {
    const c = this.core.must('contacts', id, 'contact', 'contactId');
    if (visible && !visible(c)) throw notFound('contact', id, 'contactId');
    return c;
  }

  list(): Contact[] {
    return this.core.store.list('contacts');
  }

  search(s: ContactSearch): ContactPage {
    return this.core.contacts.search(s);
  }

  async delete(id: string, actor: Actor): Promise<Contact> {
    const c = this.core.must('contacts', id, 'contact', 'contactId');
    const busy = this.inUse(new Set([id])).get(id);
    if (busy) throw new DomainError('CONFLICT', `contact ${id} cannot be deleted while ${busy}`, 'contactId');
    await this.core.commit({
      del: [{ c: 'contacts', key: id }],
      put: this.detachPuts(new Set([id])),
      activity: [this.audit(actor, c, undefined, `contact ${id} deleted`)],
    });
    return c;
  }

  /**
   * The audit entry of a contact's change (core.audit): the fields changed (each custom field as `custom.<id>`),
   * without their values, so that erasing the person later leaves none of their data in the log.
   */
  audit(actor: Actor, before: Contact | undefined, after: Contact | undefined, detail: string): ActivityEntry {
    const c = (after ?? before)!;
    const changes = [...auditChanges<Contact>(before, after, CONTACT_FIELDS), ...this.customFields.auditValues(before?.customValues, after?.customValues, false)].map((x) => ({ field: x.field }));
    return { ...this.core.audit(actor, c.enterpriseId, { kind: 'contact', id: c.id }, detail.slice(0, 500), changes), recipientId: c.id };
  }

  /**
   * Of `ids`, the contacts something live names, each with why (the first reason found): a live reservation for or
   * with them, a locker dedicated to them, a login account signing in as them.
   */
  inUse(ids: ReadonlySet<string>): Map<string, string> {
    const why = new Map<string, string>();
    const note = (id: string, reason: string): void => {
      if (ids.has(id) && !why.has(id)) why.set(id, reason);
    };
    for (const r of this.core.store.list('reservations')) {
      if (r.recipient.type === 'contact') note(r.recipient.id, `reservation ${r.id} (${whereIs(r)}) is for them`);
      for (const p of [r.dropOffParty, r.pickupParty]) if (p?.type === 'contact') note(p.id, `reservation ${r.id} (${whereIs(r)}) names them as a party`);
    }
    for (const l of this.core.store.list('lockers'))
      if (l.dedicatedTo?.type === 'contact') note(l.dedicatedTo.id, `locker ${l.number} of bank ${l.bankId} is dedicated to them`);
    for (const u of this.core.store.list('users')) if (u.contactId !== undefined) note(u.contactId, `user ${u.username} signs in as them`);
    return why;
  }

  /** Puts taking the contacts `ids` (about to be deleted) out of every department's members and key contact. */
  detachPuts(ids: ReadonlySet<string>): Put[] {
    const puts: Put[] = [];
    for (const d of this.core.store.list('departments')) {
      const members = d.memberIds.filter((m) => !ids.has(m));
      const keyGone = d.keyContactId !== undefined && ids.has(d.keyContactId);
      if (members.length === d.memberIds.length && !keyGone) continue;
      const next: Department = { ...d, memberIds: members, updatedAt: this.core.now() };
      if (keyGone) delete next.keyContactId;
      puts.push({ c: 'departments', key: d.id, value: next });
    }
    return puts;
  }

  /** Refuses a contact whose department or location does not exist, or whose personnel ID another contact has. */
  checkLinks(c: Contact, old: Contact | undefined): void {
    if (c.departmentId !== undefined && c.departmentId !== old?.departmentId) this.core.mustIn(c.enterpriseId, 'departments', c.departmentId, 'department', 'departmentId');
    if (c.locationId !== undefined && c.locationId !== old?.locationId && this.core.enterpriseOf('location', c.locationId) !== c.enterpriseId)
      throw notFound('location', c.locationId, 'locationId');
    if (c.personnelId !== undefined) {
      const holder = this.core.contacts.byPersonnel(c.enterpriseId, c.personnelId);
      if (holder !== undefined && holder !== c.id)
        throw new DomainError('CONFLICT', `personnel ID ${JSON.stringify(c.personnelId)} is already used by contact ${holder}`, 'personnelId');
    }
  }

  /** Refuses a badge number another contact or a live staff badge of the enterprise signs in with (badges.ts). */
  async checkBadge(c: Contact, old: Contact | undefined): Promise<void> {
    if (c.badgeId === undefined || c.badgeId === old?.badgeId) return;
    const holder = await BadgeRegistry.of(this.core, c.enterpriseId).holder(c.badgeId, c.id);
    // The number itself is not repeated: error answers end up in logs.
    if (holder !== undefined) throw new DomainError('CONFLICT', `this badge ID is already used by ${holder}`, 'badgeId');
  }

  /** The department puts keeping `next`'s primary department among its members (and `old`'s no longer). */
  membershipPuts(old: Contact | undefined, next: Contact): Put[] {
    if (old?.departmentId === next.departmentId) return [];
    const puts: Put[] = [];
    if (old?.departmentId !== undefined) {
      const d = this.core.store.get('departments', old.departmentId);
      if (d?.memberIds.includes(next.id)) puts.push({ c: 'departments', key: d.id, value: { ...d, memberIds: d.memberIds.filter((m) => m !== next.id) } });
    }
    if (next.departmentId !== undefined) {
      const d = this.core.store.get('departments', next.departmentId);
      if (d && !d.memberIds.includes(next.id)) puts.push({ c: 'departments', key: d.id, value: { ...d, memberIds: [...d.memberIds, next.id] } });
    }
    return puts;
  }
}

/** `c` without its undefined fields (a stored record holds no `undefined`). */
export function clean(c: Contact): Contact {
  const out = { ...c };
  for (const k of Object.keys(out) as (keyof Contact)[]) if (out[k] === undefined) delete out[k];
  return out;
}

/** The names of the fields whose values differ (the audit's "what changed"). */
export function changedFields(old: Contact, next: Contact): string[] {
  const keys = new Set([...Object.keys(old), ...Object.keys(next)]);
  keys.delete('updatedAt');
  return [...keys].filter((k) => canonical(old[k as keyof Contact]) !== canonical(next[k as keyof Contact])).sort();
}

/** JSON with object keys in order: custom fields read from a file in another column order are the same fields. */
function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return JSON.stringify(v) ?? 'undefined';
  return `{${Object.entries(v as Record<string, unknown>)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`)
    .join(',')}}`;
}
