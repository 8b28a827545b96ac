/**
 * Custom fields: an enterprise's own typed fields on users, contacts and reservations.
 *
 * The definitions live in the enterprise's record (`Enterprise.customFields`); a record holds its values by field id
 * (`customValues`), so relabelling a field keeps every value, and the API shows them by label (`custom`). A removed
 * field keeps its definition with `removedAt`: it is no longer offered, validated, exported or shown, but audit
 * entries and old records still name it by its label.
 */
import { z } from 'zod';
import { entityIdSchema, epochMs } from './common.ts';

/** Live (not removed) custom fields an enterprise may have. */
export const MAX_CUSTOM_FIELDS = 10;
/** Definitions an enterprise keeps, removed ones included (a removed field stays so history names it). */
export const MAX_STORED_CUSTOM_FIELDS = 100;
export const CUSTOM_FIELD_TYPES = ['text', 'number', 'date', 'choice'] as const;
export const customFieldTypeSchema = z.enum(CUSTOM_FIELD_TYPES);
export type CustomFieldType = z.infer<typeof customFieldTypeSchema>;
/** The records a custom field may appear on. */
export const CUSTOM_FIELD_RECORDS = ['users', 'contacts', 'reservations'] as const;
export const customFieldRecordSchema = z.enum(CUSTOM_FIELD_RECORDS);
export type CustomFieldRecord = z.infer<typeof customFieldRecordSchema>;

const labelText = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64)
  .regex(/^[^\p{Cc}]*$/u, 'must not hold control characters');
export const customFieldLabelSchema = z.strictObject({ en: labelText, fr: labelText });
const optionText = z.string().trim().min(1, 'must not be empty').max(100);
const options = z
  .array(optionText)
  .min(1)
  .max(50)
  .refine((o) => new Set(o.map((x) => x.toLowerCase())).size === o.length, 'options must differ (ignoring case)');
const appliesTo = z
  .array(customFieldRecordSchema)
  .min(1)
  .max(CUSTOM_FIELD_RECORDS.length)
  .refine((a) => new Set(a).size === a.length, 'each record once');

export const customFieldSchema = z.strictObject({
  id: entityIdSchema,
  label: customFieldLabelSchema,
  type: customFieldTypeSchema,
  /** A choice's options, in the order they are offered. */
  options: options.optional(),
  /** Asked of every new record, and never cleared by an edit (records made before stay as they are until given one). */
  required: z.boolean(),
  appliesTo,
  createdAt: epochMs,
  updatedAt: epochMs.optional(),
  /** When the field was removed: kept for history, no longer offered, validated, exported or shown. */
  removedAt: epochMs.optional(),
});
export type CustomField = z.infer<typeof customFieldSchema>;
export const customFieldsListSchema = z.array(customFieldSchema).max(MAX_STORED_CUSTOM_FIELDS);

/** A value as stored: text, a choice's option and a date (`YYYY-MM-DD`) as text; a number as a number. */
export const customValueSchema = z.union([z.string().max(500), z.number().finite()]);
export type CustomValue = z.infer<typeof customValueSchema>;
/** A record's values by field id (a removed field's value stays, unshown). */
export const customValuesSchema = z.record(entityIdSchema, customValueSchema).refine((r) => Object.keys(r).length <= MAX_STORED_CUSTOM_FIELDS, 'too many custom values');
export type CustomValues = z.infer<typeof customValuesSchema>;

/**
 * Custom values as a request gives them: by field id, English or French label; a number, or text parsed by the
 * field's type; `null` or an empty text clears one.
 */
export const customInputSchema = z
  .record(z.string().trim().min(1).max(100), z.union([z.string().max(500), z.number(), z.null()]))
  .refine((r) => Object.keys(r).length <= MAX_CUSTOM_FIELDS, `at most ${MAX_CUSTOM_FIELDS} custom fields`)
  .describe('custom field values by field id or label (English or French); null or "" clears one');
export type CustomInput = z.infer<typeof customInputSchema>;
/** What the API shows of a record's values: by English label. */
export const customShownSchema = z.record(z.string(), customValueSchema).describe("the record's custom field values by English label (by id: customValues)");

export const createCustomFieldInput = z
  .strictObject({
    id: entityIdSchema.optional(),
    label: customFieldLabelSchema,
    type: customFieldTypeSchema,
    options: options.optional(),
    required: z.boolean().default(false),
    appliesTo,
  })
  .superRefine(optionsFitType);
export type CreateCustomFieldInput = z.input<typeof createCustomFieldInput>;
/** An edit: labels (either language), options of a choice, required, the records it appears on. Its type stays. */
export const updateCustomFieldInput = z
  .strictObject({
    label: z.strictObject({ en: labelText.optional(), fr: labelText.optional() }).optional(),
    type: customFieldTypeSchema.optional(),
    options: options.optional(),
    required: z.boolean().optional(),
    appliesTo: appliesTo.optional(),
  })
  .refine((o) => Object.values(o).some((v) => v !== undefined), { message: 'give at least one field to change' });
export type UpdateCustomFieldInput = z.input<typeof updateCustomFieldInput>;

function optionsFitType(f: { type: CustomFieldType; options?: string[] | undefined }, ctx: z.RefinementCtx): void {
  if (f.type === 'choice' && f.options === undefined) ctx.addIssue({ code: 'custom', path: ['options'], message: 'required for a choice' });
  if (f.type !== 'choice' && f.options !== undefined) ctx.addIssue({ code: 'custom', path: ['options'], message: 'only a choice has options' });
}

/** The live fields of `fields` that appear on `record`, in the order they were made. */
export function liveCustomFields(fields: readonly CustomField[] | undefined, record: CustomFieldRecord): CustomField[] {
  return (fields ?? []).filter((f) => f.removedAt === undefined && f.appliesTo.includes(record));
}

/** A value as text (a CSV cell, a search's haystack). */
export function customValueText(v: CustomValue): string {
  return typeof v === 'number' ? String(v) : v;
}

/** The texts of a record's shown values (what a search looks through): live fields of `record` only. */
export function customTexts(fields: readonly CustomField[] | undefined, record: CustomFieldRecord, values: CustomValues | undefined): string[] {
  if (values === undefined) return [];
  const out: string[] = [];
  for (const f of liveCustomFields(fields, record)) {
    const v = values[f.id];
    if (v !== undefined) out.push(customValueText(v));
  }
  return out;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * One value checked against its field's type: the stored value, undefined for "cleared" (null or empty text), or
 * the problem (`must be a number`).
 */
export function parseCustomValue(f: CustomField, raw: string | number | null): { ok: true; value: CustomValue | undefined } | { ok: false; problem: string } {
  if (raw === null) return { ok: true, value: undefined };
  const text = typeof raw === 'string' ? raw.trim() : undefined;
  if (text === '') return { ok: true, value: undefined };
  switch (f.type) {
    case 'text':
      return text !== undefined ? { ok: true, value: text } : { ok: false, problem: 'must be text' };
    case 'number': {
      const n = typeof raw === 'number' ? raw : text !== undefined && NUMBER.test(text) ? Number(text) : NaN;
      return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, problem: 'must be a number' };
    }
    case 'date': {
      const m = text !== undefined ? DATE.exec(text) : null;
      if (m) {
        const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
        if (d.toISOString().slice(0, 10) === text) return { ok: true, value: text };
      }
      return { ok: false, problem: 'must be a date (YYYY-MM-DD)' };
    }
    case 'choice': {
      const hit = text !== undefined ? (f.options ?? []).find((o) => o.toLowerCase() === text.toLowerCase()) : undefined;
      return hit !== undefined ? { ok: true, value: hit } : { ok: false, problem: `must be one of: ${(f.options ?? []).join(', ')}` };
    }
  }
}

/** The field a request's key names among `fields`: by id, else English label, else French label (any case). */
export function findCustomField(fields: readonly CustomField[], key: string): CustomField | undefined {
  const k = key.trim().toLowerCase();
  return fields.find((f) => f.id === key) ?? fields.find((f) => f.label.en.toLowerCase() === k) ?? fields.find((f) => f.label.fr.toLowerCase() === k);
}
