/**
 * Record upgrades of the address book and of locations, for the store-upgrade table (store-upgrades.ts): each takes
 * a stored record as any release wrote it and returns it in today's shape; an upgraded record comes back unchanged.
 *
 * - Contact: the single `name` becomes first and last name (`splitName`: split at the last blank; a one-word name
 *   is kept as the last name), and the fields added with them take their defaults: notifications by e-mail, English,
 *   not private.
 * - Location: the single `address` text becomes its first address line.
 */
import { splitName } from '../domain/model.ts';

type StoredRecord = Record<string, unknown>;

export function upgradeContact(record: StoredRecord): StoredRecord {
  if (typeof record.name !== 'string' && 'firstName' in record && 'notifications' in record && 'language' in record && 'private' in record) return record;
  const { name, ...rest } = record;
  const names = typeof name === 'string' && !('lastName' in rest) ? splitName(name) : {};
  return { ...rest, ...names, notifications: rest.notifications ?? 'email', language: rest.language ?? 'en', private: rest.private ?? false };
}

export function upgradeLocation(record: StoredRecord): StoredRecord {
  if (!('address' in record)) return record;
  const { address, ...rest } = record;
  if (typeof address === 'string' && address.trim() !== '' && rest.addressLine1 === undefined) return { ...rest, addressLine1: address.trim().slice(0, 200) };
  return rest;
}
