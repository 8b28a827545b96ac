/**
 * The upgrade of contacts' free-form custom fields (a `custom` record keyed by label, before custom fields had
 * definitions) for the store-upgrade table (store-upgrades.ts):
 *
 * - Each enterprise gets a text custom field on contacts for each label its contacts use (labels differing only in
 *   case and blanks around them are one field, spelled as most contacts spell it), English and French label alike,
 *   not required. The MAX_CUSTOM_FIELDS labels used by most contacts become live fields; any further ones become
 *   removed fields, so their values stay stored (unshown) and nothing is lost. A label an enterprise already has a
 *   field for (the step run again) keeps that field.
 * - Each contact's values move from `custom` (by label) to `customValues` (by the field's id).
 */
import { MAX_CUSTOM_FIELDS, type CustomField } from '../domain/model.ts';

type StoredRecord = Record<string, unknown>;

export interface CustomFieldPlan {
  /** The enterprises whose fields the step adds, as they are to be stored. */
  enterprises: StoredRecord[];
  /** The field holding `label`'s values in `enterpriseId`. */
  fieldId(enterpriseId: string, label: string): string | undefined;
}

const keyOf = (label: string): string => label.trim().toLowerCase();
/** A label as a definition takes it: no control characters, at most 64 characters. */
const cleanLabel = (label: string): string => label.replace(/\p{Cc}+/gu, ' ').trim().slice(0, 64) || 'Field';

function freeForm(contact: StoredRecord): Record<string, unknown> | undefined {
  const c = contact['custom'];
  return c !== null && typeof c === 'object' && !Array.isArray(c) ? (c as Record<string, unknown>) : undefined;
}

/**
 * The fields each enterprise needs for the labels its contacts use. `enterpriseOf` names a contact's enterprise as
 * the upgrade will store it (a contact written before enterprises joins the default one).
 */
export function planCustomFields(enterprises: readonly StoredRecord[], contacts: readonly StoredRecord[], enterpriseOf: (c: StoredRecord) => string, now: number): CustomFieldPlan {
  // Per enterprise, per label key: how many contacts use each spelling.
  const used = new Map<string, Map<string, Map<string, number>>>();
  for (const c of contacts) {
    const custom = freeForm(c);
    if (!custom) continue;
    const ent = enterpriseOf(c);
    let labels = used.get(ent);
    if (!labels) used.set(ent, (labels = new Map()));
    for (const label of Object.keys(custom)) {
      if (keyOf(label) === '') continue;
      let spellings = labels.get(keyOf(label));
      if (!spellings) labels.set(keyOf(label), (spellings = new Map()));
      spellings.set(label.trim(), (spellings.get(label.trim()) ?? 0) + 1);
    }
  }
  const ids = new Map<string, Map<string, string>>();
  const out: StoredRecord[] = [];
  for (const e of enterprises) {
    const entId = e['id'] as string;
    const labels = used.get(entId);
    if (!labels) continue;
    const fields = [...((e['customFields'] as CustomField[] | undefined) ?? [])];
    const byKey = new Map<string, string>();
    for (const f of fields) if (f.removedAt === undefined || !byKey.has(keyOf(f.label.en))) byKey.set(keyOf(f.label.en), f.id);
    const total = (spellings: Map<string, number>): number => [...spellings.values()].reduce((a, b) => a + b, 0);
    const wanted = [...labels.entries()].filter(([k]) => !byKey.has(k)).sort(([ka, a], [kb, b]) => total(b) - total(a) || (ka < kb ? -1 : ka > kb ? 1 : 0));
    let live = fields.filter((f) => f.removedAt === undefined).length;
    let n = 0;
    for (const [k, spellings] of wanted) {
      const spelling = cleanLabel([...spellings.entries()].sort(([sa, a], [sb, b]) => b - a || (sa < sb ? -1 : 1))[0]![0]);
      let id: string;
      do id = `f-${++n}`;
      while (fields.some((f) => f.id === id));
      const f: CustomField = { id, label: { en: spelling, fr: spelling }, type: 'text', required: false, appliesTo: ['contacts'], createdAt: now };
      if (live < MAX_CUSTOM_FIELDS) live++;
      else f.removedAt = now;
      fields.push(f);
      byKey.set(k, id);
    }
    ids.set(entId, byKey);
    if (wanted.length > 0) out.push({ ...e, customFields: fields });
  }
  return { enterprises: out, fieldId: (enterpriseId, label) => ids.get(enterpriseId)?.get(keyOf(label)) };
}

/** A contact's free-form values moved to its enterprise's fields, by id; an upgraded contact comes back unchanged. */
export function moveCustomValues(contact: StoredRecord, fieldId: (enterpriseId: string, label: string) => string | undefined): StoredRecord {
  const custom = freeForm(contact);
  if (!('custom' in contact)) return contact;
  const { custom: _custom, ...rest } = contact;
  const values: Record<string, string> = { ...((rest['customValues'] as Record<string, string> | undefined) ?? {}) };
  for (const [label, v] of Object.entries(custom ?? {})) {
    const id = fieldId(rest['enterpriseId'] as string, label);
    if (id !== undefined && typeof v === 'string' && v.trim() !== '') values[id] = v.trim().slice(0, 500);
  }
  return Object.keys(values).length > 0 ? { ...rest, customValues: values } : rest;
}
