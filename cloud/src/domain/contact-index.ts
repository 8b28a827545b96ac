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
  /** Normalized "first last", "last first", e-mail, personnel ID and custom values, each after a separator. */
  hay: string;
}

/** The entries packed for a search: their texts joined in order, where each starts, and each one's place key. */
interface Packed {
  text: string;
  /** Where each entry's text starts, then the text's length. */
  offsets: Int32Array;
  /** Each entry's enterprise and location, as a number of `placeKeys`. */
  places: Int32Array;
}

export interface ContactSearch {
  /** Text looked for in first and last name, e-mail, personnel ID and custom values (case and accents ignored); empty: all. */
  q?: string;
  /**
   * Only contacts for which this holds (the caller's enterprise and access level). Its answer must depend on the
   * contact's enterprise and location alone: it is asked once per enterprise and location, not once per contact.
   */
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

function entryOf(c: Contact, more: readonly string[]): Entry {
  const first = normalizeText(c.firstName);
  const last = normalizeText(c.lastName);
  const email = c.email ? normalizeText(c.email) : '';
  const pid = c.personnelId ? normalizeText(c.personnelId) : '';
  let hay = `${SEP}${first} ${last}${SEP}${last} ${first}${SEP}${email}${SEP}${pid}`;
  for (const t of more) hay += `${SEP}${normalizeText(t).replaceAll(SEP, '')}`;
  return { contact: c, sortKey: `${last}${SEP}${first}${SEP}${c.id}`, hay };
}

/** The key of a personnel ID: IDs differing only in case are one ID. */
export function personnelKey(scope: string, personnelId: string): string {
  return `${scope}${SEP}${personnelId.trim().toLowerCase()}`;
}

export class ContactIndex {
  private sorted: Entry[] = [];
  private byId = new Map<string, Entry>();
  private readonly byPersonnelId = new Map<string, string>();
  /** The store's revision of `contacts` the index matches; undefined: build it on next use. */
  private rev: number | undefined;
  private packed: Packed | undefined;
  /** A number per enterprise and location a contact can have (what a search's filter is decided by). */
  private readonly placeKeys = new Map<string, number>();

  /**
   * `scopeOf` names the set personnel IDs are unique within (the contact's enterprise); `textsOf` gives the further
   * texts a search looks through (the contact's shown custom values).
   */
  constructor(
    private readonly store: Store,
    private readonly scopeOf: (c: Contact) => string = () => '',
    private readonly textsOf: (c: Contact) => readonly string[] = () => [],
  ) {}

  /** Contacts matching `s`, in name order, those where a name, e-mail or personnel ID starts with the text first. */
  search(s: ContactSearch): ContactPage {
    this.current();
    const q = normalizeText(s.q?.trim() ?? '').replaceAll(SEP, '');
    const { text, offsets, places } = this.pack();
    const sorted = this.sorted;
    const filter = s.filter;
    // The filter's answer per place (0: not asked yet, 1: shown, 2: hidden): a hit reads no contact unless it is shown.
    const verdicts = new Uint8Array(this.placeKeys.size);
    const shown = (k: number): boolean => {
      if (!filter) return true;
      const place = places[k]!;
      let v = verdicts[place]!;
      if (v === 0) verdicts[place] = v = filter(sorted[k]!.contact) ? 1 : 2;
      return v === 1;
    };
    // Only the contacts a page can show are kept; the others are counted.
    const keep = s.offset + s.limit;
    const starts: Contact[] = [];
    const inside: Contact[] = [];
    let startsCount = 0;
    let insideCount = 0;
    let total = 0;
    if (q === '') {
      for (let k = 0; k < sorted.length; k++) if (shown(k) && total++ < keep) starts.push(sorted[k]!.contact);
      startsCount = total;
    } else {
      // One native search over every contact's text joined in name order, instead of one per contact: a miss
      // costs one pass over the text, and each hit jumps to the next contact. Hits come in text order, so the
      // contact holding one is found by walking forward from the last.
      let k = 0;
      let at = text.indexOf(q);
      while (at >= 0) {
        while (offsets[k + 1]! <= at) k++;
        const end = offsets[k + 1]!;
        // The next hit, when looking for a prefix already found it past this contact.
        let next = -2;
        if (shown(k)) {
          total++;
          // Once a page's worth starts with the text, the page is theirs: the others are only counted.
          if (startsCount < keep) {
            // A prefix: the text found starts a field or a word; a later occurrence in the same contact may.
            // An occurrence never crosses into the next contact, whose text starts with the separator.
            let prefix = false;
            for (let p = at; ; ) {
              const before = text.charCodeAt(p - 1);
              if (before === 1 || before === 32) {
                prefix = true;
                break;
              }
              p = text.indexOf(q, p + 1);
              if (p < 0 || p >= end) {
                next = p;
                break;
              }
            }
            if (prefix) {
              starts.push(sorted[k]!.contact);
              startsCount++;
            } else if (insideCount++ < keep) inside.push(sorted[k]!.contact);
          }
        }
        at = next !== -2 ? next : text.indexOf(q, end);
      }
    }
    const page = s.offset < starts.length ? starts.slice(s.offset, s.offset + s.limit) : [];
    if (page.length < s.limit) {
      const from = Math.max(0, s.offset - startsCount);
      page.push(...inside.slice(from, from + s.limit - page.length));
    }
    return { contacts: page, total };
  }

  /**
   * Every entry's text joined in order, where each starts (the text's length last), and each entry's place: made
   * again after a change, on the next search.
   */
  private pack(): Packed {
    if (this.packed) return this.packed;
    const n = this.sorted.length;
    const offsets = new Int32Array(n + 1);
    const places = new Int32Array(n);
    let at = 0;
    for (let k = 0; k < n; k++) {
      const c = this.sorted[k]!.contact;
      offsets[k] = at;
      at += this.sorted[k]!.hay.length;
      const place = c.locationId === undefined ? c.enterpriseId : `${c.enterpriseId}${SEP}${c.locationId}`;
      let key = this.placeKeys.get(place);
      if (key === undefined) this.placeKeys.set(place, (key = this.placeKeys.size));
      places[k] = key;
    }
    offsets[n] = at;
    this.packed = { text: this.sorted.map((e) => e.hay).join(''), offsets, places };
    return this.packed;
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
    this.packed = undefined;
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

  /** What `textsOf` answers changed for contacts that did not (a custom field removed): every text made again on next use. */
  textsChanged(): void {
    this.byId = new Map();
    this.rev = undefined;
  }

  private current(): void {
    const rev = this.store.revision('contacts');
    if (this.rev === rev) return;
    // A stored contact is never changed in place: an entry made for the same object is still right, and keeping it
    // spares a bulk change (an import) making every contact's texts again.
    const previous = this.byId;
    const entries = this.store.list('contacts').map((c) => {
      const e = previous.get(c.id);
      return e?.contact === c ? e : entryOf(c, this.textsOf(c));
    });
    this.byId = new Map();
    this.byPersonnelId.clear();
    entries.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
    this.sorted = entries;
    this.packed = undefined;
    for (const e of entries) this.track(e);
    this.rev = rev;
  }

  private track(e: Entry): void {
    this.byId.set(e.contact.id, e);
    if (e.contact.personnelId !== undefined) this.byPersonnelId.set(personnelKey(this.scopeOf(e.contact), e.contact.personnelId), e.contact.id);
  }

  private insert(c: Contact): void {
    const e = entryOf(c, this.textsOf(c));
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
