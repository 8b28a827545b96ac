/**
 * Who a message goes to and what it says of places: a contact (a department's key contact), a party of a return, a
 * user; their address, language and name, or why they get nothing; a bank as people know it.
 */
import type { Contact, Party, RecipientRef, User } from '../domain/model.ts';
import { contactDisplayName } from '../domain/model.ts';
import type { Store } from '../store/store.ts';
import type { Place } from './content.ts';
import type { MailLanguage, MailRecord } from './model.ts';

export interface Addressee {
  to: MailRecord['to'];
  address?: string;
  language: MailLanguage;
  name: string;
  /** Why no e-mail goes to them. */
  skip?: string;
}

function ofContact(c: Contact): Addressee {
  const base = { to: { type: 'contact' as const, id: c.id }, language: c.language, name: contactDisplayName(c) || c.lastName };
  if (c.notifications === 'none') return { ...base, skip: 'the contact turned e-mail notices off' };
  if (!c.email) return { ...base, skip: 'the contact has no e-mail address' };
  return { ...base, address: c.email };
}

/** The person a reservation's message goes to: a contact, or a department's key contact. Undefined: a carrier party. */
export function addresseeOf(store: Store, ref: RecipientRef | Party): Addressee | undefined {
  if (ref.type === 'carrier') return undefined;
  if (ref.type === 'contact') {
    const c = store.get('contacts', ref.id);
    return c ? ofContact(c) : { to: { type: 'contact', id: ref.id }, language: 'en', name: '', skip: 'the contact no longer exists' };
  }
  const d = store.get('departments', ref.id);
  const key = d?.keyContactId !== undefined ? store.get('contacts', d.keyContactId) : undefined;
  return key ? ofContact(key) : { to: { type: 'department', id: ref.id }, language: 'en', name: d?.name ?? '', skip: 'the department has no key contact' };
}

/**
 * The key contact of the department of the person a parcel is for (of the department itself when it is for one).
 * Undefined when there is none.
 */
export function keyContactOf(store: Store, ref: RecipientRef | Party): Addressee | undefined {
  const departmentId = ref.type === 'department' ? ref.id : ref.type === 'contact' ? store.get('contacts', ref.id)?.departmentId : undefined;
  const keyId = departmentId !== undefined ? store.get('departments', departmentId)?.keyContactId : undefined;
  const key = keyId !== undefined ? store.get('contacts', keyId) : undefined;
  return key ? ofContact(key) : undefined;
}

/** The user who made a reservation, when it was an active user of the enterprise with an e-mail address. */
export function reserverOf(store: Store, createdBy: { id?: string | undefined }, enterpriseId: string): Addressee | undefined {
  const u = createdBy.id !== undefined ? store.get('users', createdBy.id) : undefined;
  if (!u || u.disabled || u.enterpriseId !== enterpriseId || !u.email) return undefined;
  return userAddressee(u);
}

export function userAddressee(u: User): Addressee {
  const name = [u.firstName, u.lastName].filter((x) => x !== undefined).join(' ') || u.username;
  const base = { to: { type: 'user' as const, id: u.id }, language: u.language ?? 'en', name };
  return u.email ? { ...base, address: u.email } : { ...base, skip: 'the user has no e-mail address' };
}

/** The enterprise a bank belongs to. */
export function enterpriseOfBank(store: Store, bankId: string): string | undefined {
  const bank = store.get('banks', bankId);
  const loc = bank && store.get('locations', bank.locationId);
  return loc && store.get('divisions', loc.divisionId)?.enterpriseId;
}

/** A bank as a message names it: its name, its site's name and address, the locker. */
export function placeOf(store: Store, bankId: string, lockerNumber: number | undefined): Place {
  const bank = store.get('banks', bankId);
  const loc = bank && store.get('locations', bank.locationId);
  const site = loc ? [loc.name, loc.addressLine1, loc.postalCode, loc.city].filter((x) => x !== undefined).join(', ') : '';
  return { bank: bank?.name ?? bankId, location: site, ...(lockerNumber !== undefined ? { lockerNumber } : {}) };
}
