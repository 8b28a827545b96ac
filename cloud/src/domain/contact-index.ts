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
  // Most names are ASCII: the decomposition is only paid for the others.
  return /^[\x00-\x7f]*$/.test(s) ? s.toLowerCase() : s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
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

/** The index of the entry whose text holds position `at` (binary search over the starts). */
function entryAt(offsets: readonly number[], at: number): number {
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (offsets[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
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
  private text: { text: string; offsets: number[] } | undefined;

  /** `scopeOf` names the set personnel IDs are unique within (the contact's enterprise). */
  constructor(
    private readonly store: Store,
    private readonly scopeOf: (c: Contact) => string = () => '',
  ) {}

  /** Contacts matching `s`, in name order, those where a name, e-mail or personnel ID starts with the text first. */
  search(s: ContactSearch): ContactPage {
    this.current();
    const q = normalizeText(s.q?.trim() ?? '').replaceAll(SEP, '');
    const starts: Contact[] = [];
    const inside: Contact[] = [];
    const filter = s.filter;
    // Only the contacts a page can show are kept; the others are counted.
    const keep = s.offset + s.limit;
    let startsCount = 0;
    let insideCount = 0;
    const add = (c: Contact, prefix: boolean): void => {
      if (prefix) {
        if (startsCount++ < keep) starts.push(c);
      } else if (insideCount++ < keep) inside.push(c);
    };
    if (q === '') {
      for (const e of this.sorted) if (!filter || filter(e.contact)) add(e.contact, true);
    } else {
      // One native search over every contact's text joined in name order, instead of one per contact: a miss
      // costs one pass over the text, and each hit jumps to the next contact.
      const { text, offsets } = this.joined();
      let at = text.indexOf(q);
      while (at >= 0) {
        const k = entryAt(offsets, at);
        const e = this.sorted[k]!;
        const end = k + 1 < offsets.length ? offsets[k + 1]! : text.length;
        if (!filter || filter(e.contact)) {
          // A prefix: the text found starts a field or a word; a later occurrence in the same contact may.
          let prefix = false;
          for (let p = at; p >= 0 && p + q.length <= end && !prefix; p = text.indexOf(q, p + 1)) {
            const before = text.charCodeAt(p - 1);
            prefix = before === 1 || before === 32;
          }
          add(e.contact, prefix);
        }
        at = end < text.length ? text.indexOf(q, end) : -1;
      }
    }
    const total = startsCount + insideCount;
    const page = s.offset < starts.length ? starts.slice(s.offset, s.offset + s.limit) : [];
    if (page.length < s.limit) {
      const from = Math.max(0, s.offset - startsCount);
      page.push(...inside.slice(from, from + s.limit - page.length));
    }
    return { contacts: page, total };
  }

  /** Every entry's text in order, and where each starts (made again after a change, on the next search). */
  private joined(): { text: string; offsets: number[] } {
    if (this.text) return this.text;
    const offsets: number[] = [];
    let at = 0;
    for (const e of this.sorted) {
      offsets.push(at);
      at += e.hay.length;
    }
    this.text = { text: this.sorted.map((e) => e.hay).join(''), offsets };
    return this.text;
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
    this.text = undefined;
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
    this.text = undefined;
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
