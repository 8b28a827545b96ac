// The contact index's search against the plain rule it implements, on random address books kept current through
// random edits: every visible contact whose name, e-mail or personnel ID holds the text (case and accents ignored),
// those where a field or a word starts with it first, each group in name order, paged, and `total` counting them all.
import t from 'tap';
import fc from 'fast-check';
import { ContactIndex, normalizeText, type ContactSearch } from '../../src/domain/contact-index.ts';
import type { Contact } from '../../src/domain/model.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import type { Change } from '../../src/store/store.ts';

// Few letters, so that queries hit many contacts, in several fields and several times in one.
const wordArb = fc.oneof(
  fc.constantFrom('Anna', 'Ann', 'Léa', 'LEA', 'Émile', 'Zoë', 'Marie Claire', "O'Neil", 'de la Cruz', 'an', 'Éa'),
  fc.string({ unit: fc.constantFrom('a', 'n', 'e', 'é', 'A', 'É', ' ', '.', '-'), minLength: 1, maxLength: 6 }),
);
const contactArb = fc.record({
  id: fc.integer({ min: 1, max: 30 }).map((n) => `c-${n}`),
  enterpriseId: fc.constantFrom('e1', 'e1', 'e2'),
  firstName: fc.oneof(wordArb, fc.constant('')),
  lastName: wordArb,
  email: fc.option(fc.tuple(wordArb, wordArb).map(([a, b]) => `${a}@${b}.org`.replaceAll(' ', '')), { nil: undefined }),
  personnelId: fc.option(fc.string({ unit: fc.constantFrom('A', 'n', 'e', '1', '-'), minLength: 1, maxLength: 5 }), { nil: undefined }),
  locationId: fc.constantFrom(undefined, 'l1', 'l2'),
});
type Spec = typeof contactArb extends fc.Arbitrary<infer S> ? S : never;

function contactOf(s: Spec): Contact {
  const c: Contact = { ...s, needsAccessible: false, notifications: 'email', language: 'en', private: false, createdAt: 1 };
  for (const k of Object.keys(c) as (keyof Contact)[]) if (c[k] === undefined) delete c[k];
  return c;
}

const stepArb = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), contacts: fc.array(contactArb, { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('del' as const), ids: fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 3 }) }),
);
const queryArb = fc.oneof(
  wordArb,
  fc.string({ unit: fc.constantFrom('a', 'n', 'e', 'É', ' ', '@', '.', '1', '-', '\u0001'), maxLength: 4 }),
  fc.constant(''),
);
const scopeArb = fc.option(fc.record({ enterpriseId: fc.constantFrom('e1', 'e2'), locations: fc.subarray(['l1', 'l2']) }), { nil: undefined });

/** The rule, over every contact one by one. */
function expected(all: Contact[], q: string, visible: ((c: Contact) => boolean) | undefined, offset: number, limit: number): { ids: string[]; total: number } {
  const text = normalizeText(q.trim()).replaceAll('\u0001', '');
  const byName = (a: Contact, b: Contact): number => {
    const ka = [normalizeText(a.lastName), normalizeText(a.firstName), a.id];
    const kb = [normalizeText(b.lastName), normalizeText(b.firstName), b.id];
    for (let i = 0; i < 3; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
    return 0;
  };
  const shown = all.filter((c) => !visible || visible(c)).sort(byName);
  const fields = (c: Contact): string[] => {
    const first = normalizeText(c.firstName);
    const last = normalizeText(c.lastName);
    return [`${first} ${last}`, `${last} ${first}`, normalizeText(c.email ?? ''), normalizeText(c.personnelId ?? '')];
  };
  const hits = shown.filter((c) => fields(c).some((f) => f.includes(text)));
  const starts = (c: Contact): boolean => text === '' || fields(c).some((f) => f.startsWith(text) || f.includes(` ${text}`));
  const ordered = [...hits.filter(starts), ...hits.filter((c) => !starts(c))];
  return { ids: ordered.slice(offset, offset + limit).map((c) => c.id), total: hits.length };
}

t.test('a search answers what a filter over every contact answers, after any edits', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(contactArb, { maxLength: 30 }),
      fc.array(stepArb, { maxLength: 6 }),
      fc.array(fc.record({ q: queryArb, scope: scopeArb, offset: fc.nat(12), limit: fc.integer({ min: 1, max: 12 }) }), { minLength: 1, maxLength: 6 }),
      fc.boolean(),
      async (initial, steps, searches, unseen) => {
        const store = new MemoryStore();
        const index = new ContactIndex(store, (c) => c.enterpriseId);
        // The index's write path: the store takes the change, then the index is told (or, for one of them, not).
        const write = async (change: Change, tell: boolean): Promise<void> => {
          const before = store.revision('contacts');
          const done = store.commit(change);
          if (tell) index.applied(change, before);
          await done;
        };
        await write({ put: initial.map((s) => ({ c: 'contacts', key: s.id, value: contactOf(s) })) }, true);
        const check = (): void => {
          for (const s of searches) {
            const visible = s.scope && ((c: Contact) => c.enterpriseId === s.scope!.enterpriseId && (c.locationId === undefined || s.scope!.locations.includes(c.locationId)));
            const search: ContactSearch = { q: s.q, offset: s.offset, limit: s.limit, ...(visible ? { filter: visible } : {}) };
            const got = index.search(search);
            const want = expected(store.list('contacts'), s.q, visible, s.offset, s.limit);
            if (got.total !== want.total || JSON.stringify(got.contacts.map((c) => c.id)) !== JSON.stringify(want.ids))
              throw new Error(`search ${JSON.stringify(search)}: got ${JSON.stringify([got.total, got.contacts.map((c) => c.id)])}, want ${JSON.stringify([want.total, want.ids])}`);
          }
        };
        check();
        for (const [i, step] of steps.entries()) {
          const change: Change =
            step.kind === 'put' ? { put: step.contacts.map((s) => ({ c: 'contacts', key: s.id, value: contactOf(s) })) } : { del: step.ids.map((n) => ({ c: 'contacts', key: `c-${n}` })) };
          await write(change, !(unseen && i === 0));
          check();
        }
      },
    ),
    { numRuns: 300 },
  );
  t.pass('every search matched the plain rule');
});
