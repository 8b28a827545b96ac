/**
 * The address book's in-memory index: every contact in name order (last name, first name, id) with the text a search
 * looks through, and each contact's personnel ID, so a search or a uniqueness check at 100k contacts reads no store.
 *
 * Kept current from the store's changes: the domain's one write path hands it every change it commits (`applied`),
 * and the store's revision of `contacts` tells it when something else changed the collection (a restore, a change
 * made around the domain): it is then built again from the store on its next use.
 */
import type { Change, Store } from '../store/store.ts';
import type { Contact } from './model.ts';

interface Entry {
  contact: Contact;
  sortKey: string;
  /** Normalized "first last", "last first", e-mail and personnel ID, each after a separator. */
  hay: string;
}

export interface ContactSearch {
  /** Text looked for in first and last name, e-mail and personnel ID (case and accents ignored); empty: all. */
  q?: string;
  /** Only contacts for which this holds (the caller's enterprise and access level). */
  filter?: (c: Contact) => boolean;
  offset: number;
  limit: number;
}

export interface ContactPage {
  contacts: Contact[];
  /** How many contacts match in all. */
  total: number;
}

/** Lower case without accents: what searches and name order compare. */
export function normalizeText(s: string): string {
  return s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

const SEP = '\u0001';
/** A change touching more contacts than this rebuilds the order at once (one sort) instead of moving entries one by one. */
const REBUILD_OVER = 2000;

function entryOf(c: Contact): Entry {
  const first = normalizeText(c.firstName);
  const last = normalizeText(c.lastName);
  const email = c.email ? normalizeText(c.email) : '';
  const pid = c.personnelId ? normalizeText(c.personnelId) : '';
  return { contact: c, sortKey: `${last}${SEP}${first}${SEP}${c.id}`, hay: `${SEP}${first} ${last}${SEP}${last} ${first}${SEP}${email}${SEP}${pid}` };
}

/** The key of a personnel ID: IDs differing only in case are one ID. */
export function personnelKey(scope: string, personnelId: string): string {
  return `${scope}${SEP}${personnelId.trim().toLowerCase()}`;
}

export class ContactIndex {
  private sorted: Entry[] = [];
  private readonly byId = new Map<string, Entry>();
  private readonly byPersonnelId = new Map<string, string>();
  /** The store's revision of `contacts` the index matches; undefined: build it on next use. */
  private rev: number | undefined;

  /** `scopeOf` names the set personnel IDs are unique within (the contact's enterprise). */
  constructor(
    private readonly store: Store,
    private readonly scopeOf: (c: Contact) => string = () => '',
  ) {}

  /** Contacts matching `s`, in name order, those where a name, e-mail or personnel ID starts with the text first. */
  search(s: ContactSearch): ContactPage {
    this.current();
    const q = normalizeText(s.q?.trim() ?? '');
    const starts: Contact[] = [];
    const inside: Contact[] = [];
    const filter = s.filter;
    const word = ` ${q}`;
    const field = `${SEP}${q}`;
    for (const e of this.sorted) {
      if (q !== '') {
        if (!e.hay.includes(q)) continue;
        if (filter && !filter(e.contact)) continue;
        (e.hay.includes(field) || e.hay.includes(word) ? starts : inside).push(e.contact);
      } else if (!filter || filter(e.contact)) starts.push(e.contact);
    }
    const total = starts.length + inside.length;
    const page = s.offset < starts.length ? starts.slice(s.offset, s.offset + s.limit) : [];
    if (page.length < s.limit) {
      const from = Math.max(0, s.offset - starts.length);
      page.push(...inside.slice(from, from + s.limit - page.length));
    }
    return { contacts: page, total };
  }

  /** The contact holding this personnel ID in `scope`, if any. */
  byPersonnel(scope: string, personnelId: string): string | undefined {
    this.current();
    return this.byPersonnelId.get(personnelKey(scope, personnelId));
  }

  /**
   * Called by the write path right after the store took `change` in memory; `before` is the store's revision of
   * `contacts` just before. A change the index did not see in between makes it build again on next use.
   */
  applied(change: Change, before: number): void {
    const puts = (change.put ?? []).filter((p) => p.c === 'contacts');
    const dels = (change.del ?? []).filter((d) => d.c === 'contacts');
    if (puts.length === 0 && dels.length === 0) return;
    if (this.rev === undefined || this.rev !== before) {
      this.rev = undefined;
      return;
    }
    if (puts.length + dels.length > REBUILD_OVER) {
      this.rev = undefined;
      return;
    }
    for (const d of dels) this.remove(d.key);
    for (const p of puts) {
      this.remove(p.key);
      this.insert(p.value as Contact);
    }
    this.rev = this.store.revision('contacts');
  }

  /** Forgets everything (memory and disk may disagree after a failed commit): built again on next use. */
  clear(): void {
    this.rev = undefined;
  }

  private current(): void {
    const rev = this.store.revision('contacts');
    if (this.rev === rev) return;
    this.byId.clear();
    this.byPersonnelId.clear();
    const entries = this.store.list('contacts').map(entryOf);
    entries.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
    this.sorted = entries;
    for (const e of entries) this.track(e);
    this.rev = rev;
  }

  private track(e: Entry): void {
    this.byId.set(e.contact.id, e);
    if (e.contact.personnelId !== undefined) this.byPersonnelId.set(personnelKey(this.scopeOf(e.contact), e.contact.personnelId), e.contact.id);
  }

  private insert(c: Contact): void {
    const e = entryOf(c);
    this.sorted.splice(this.position(e.sortKey), 0, e);
    this.track(e);
  }

  private remove(id: string): void {
    const e = this.byId.get(id);
    if (!e) return;
    this.byId.delete(id);
    if (e.contact.personnelId !== undefined) {
      const key = personnelKey(this.scopeOf(e.contact), e.contact.personnelId);
      if (this.byPersonnelId.get(key) === id) this.byPersonnelId.delete(key);
    }
    const at = this.position(e.sortKey);
    if (this.sorted[at] === e) this.sorted.splice(at, 1);
  }

  /** The first position whose key is not below `key` (binary search). */
  private position(key: string): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid]!.sortKey < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
