/**
 * Custom fields of an enterprise (model/custom-fields.ts): their definitions (list, add, edit, remove), and the one
 * place their values on users, contacts and reservations are checked, shown and audited.
 *
 * - At most MAX_CUSTOM_FIELDS live fields per enterprise; labels unique per language (ignoring case) among them, and
 *   none the name of a standard CSV column of a record it appears on (the CSV files name fields by label).
 * - A field's type never changes (values stored under it would no longer fit): remove it and add another.
 * - Removing keeps the definition with `removedAt`: records keep the value, unshown; audit entries still name the
 *   field by its label. Removed fields are neither offered, validated nor exported.
 * - Values: checked by type against the live fields of the record's kind whenever given (create, edit, import); a
 *   key naming no such field is refused. A required field is asked of every new record, and an edit may not clear
 *   it; a record made before the field existed (or became required) is not refused an edit for lacking it.
 * - Every change of a definition is an audit entry (target `custom-field`); value changes are part of the audit entry
 *   of the record's change, one `custom.<field id>` change each (activity-rows.ts shows the label).
 */
import { headerKey, type RowProblem } from '../../csv/read-table.ts';
import type { Put } from '../../store/store.ts';
import { auditChanges } from '../audit.ts';
import type { DomainCore } from '../core.ts';
import { DomainError, notFound, parseInput } from '../errors.ts';
import {
  createCustomFieldInput,
  customInputSchema,
  customValueText,
  findCustomField,
  liveCustomFields,
  MAX_CUSTOM_FIELDS,
  MAX_STORED_CUSTOM_FIELDS,
  parseCustomValue,
  updateCustomFieldInput,
  type Actor,
  type AuditChange,
  type CreateCustomFieldInput,
  type CustomField,
  type CustomFieldRecord,
  type CustomInput,
  type CustomValue,
  type CustomValues,
  type Enterprise,
  type Reservation,
  type UpdateCustomFieldInput,
} from '../model.ts';

/** What the API shows of a record with custom values: the live fields' values by id and by English label. */
export type WithCustom<T> = Omit<T, 'customValues'> & { customValues?: CustomValues; custom?: Record<string, CustomValue> };

/** The audit field a value's change is recorded under. */
export const CUSTOM_AUDIT_PREFIX = 'custom.';


export class CustomFieldUseCases {
  /** `reserved`: per record, the standard CSV column names a label may not take. */
  constructor(
    private readonly core: DomainCore,
    private readonly reserved: Readonly<Record<CustomFieldRecord, readonly string[]>>,
  ) {}

  /** Every field of the enterprise, removed ones included, in the order they were made. */
  all(enterpriseId: string): CustomField[] {
    return this.core.store.get('enterprises', enterpriseId)?.customFields ?? [];
  }

  list(enterpriseId: string, includeRemoved = false): CustomField[] {
    return this.all(enterpriseId).filter((f) => includeRemoved || f.removedAt === undefined);
  }

  /** The live fields appearing on `record`. */
  live(enterpriseId: string, record: CustomFieldRecord): CustomField[] {
    return liveCustomFields(this.all(enterpriseId), record);
  }

  /**
   * The custom field each extra column of a CSV file names (by label or id) among the live fields of `record`; a
   * column naming none is a problem of the header line.
   */
  columns(enterpriseId: string, record: CustomFieldRecord, extraColumns: readonly string[]): { columns: { column: string; field: CustomField }[]; problems: RowProblem[] } {
    const live = this.live(enterpriseId, record);
    const columns: { column: string; field: CustomField }[] = [];
    const problems: RowProblem[] = [];
    for (const column of extraColumns) {
      const field = findCustomField(live, column);
      if (field) columns.push({ column, field });
      else problems.push({ line: 1, column, problem: `no custom field ${JSON.stringify(column)} on ${record}` });
    }
    return { columns, problems };
  }

  /** A live field of the enterprise; another enterprise's or a removed one is not found. */
  get(enterpriseId: string, id: string): CustomField {
    const f = this.all(enterpriseId).find((x) => x.id === id && x.removedAt === undefined);
    if (!f) throw notFound('custom field', id, 'customFieldId');
    return f;
  }

  async create(enterpriseId: string, input: CreateCustomFieldInput, actor: Actor): Promise<CustomField> {
    const req = parseInput(createCustomFieldInput, input);
    const e = this.core.must('enterprises', enterpriseId, 'enterprise', 'enterpriseId');
    const fields = e.customFields ?? [];
    if (fields.filter((f) => f.removedAt === undefined).length >= MAX_CUSTOM_FIELDS)
      throw new DomainError('CONFLICT', `an enterprise has at most ${MAX_CUSTOM_FIELDS} custom fields: remove one first`, 'customFieldId');
    if (fields.length >= MAX_STORED_CUSTOM_FIELDS) throw new DomainError('CONFLICT', `an enterprise keeps at most ${MAX_STORED_CUSTOM_FIELDS} custom fields, removed ones included`, 'customFieldId');
    if (req.id !== undefined && fields.some((f) => f.id === req.id)) throw new DomainError('CONFLICT', `custom field ${JSON.stringify(req.id)} already exists`, 'id');
    const f: CustomField = {
      id: req.id ?? this.core.random.id('f'),
      label: req.label,
      type: req.type,
      ...(req.options !== undefined ? { options: req.options } : {}),
      required: req.required,
      appliesTo: req.appliesTo,
      createdAt: this.core.now(),
    };
    this.checkLabels(fields, f);
    await this.save(e, [...fields, f], actor, f, undefined, `custom field ${f.id} added`);
    return f;
  }

  async update(enterpriseId: string, id: string, input: UpdateCustomFieldInput, actor: Actor): Promise<CustomField> {
    const req = parseInput(updateCustomFieldInput, input);
    const e = this.core.must('enterprises', enterpriseId, 'enterprise', 'enterpriseId');
    const old = this.get(enterpriseId, id);
    if (req.type !== undefined && req.type !== old.type)
      throw new DomainError('VALIDATION', `type: a field's type cannot change (its values would no longer fit): remove the field and add another`, 'type');
    if (req.options !== undefined && old.type !== 'choice') throw new DomainError('VALIDATION', 'options: only a choice has options', 'options');
    const next: CustomField = {
      ...old,
      label: { en: req.label?.en ?? old.label.en, fr: req.label?.fr ?? old.label.fr },
      ...(req.options !== undefined ? { options: req.options } : {}),
      ...(req.required !== undefined ? { required: req.required } : {}),
      ...(req.appliesTo !== undefined ? { appliesTo: req.appliesTo } : {}),
      updatedAt: this.core.now(),
    };
    const fields = (e.customFields ?? []).map((f) => (f.id === id ? next : f));
    this.checkLabels(fields, next);
    await this.save(e, fields, actor, next, old, `custom field ${id} changed`);
    return next;
  }

  /** Marks a field removed: kept so history names it, no longer offered, validated, exported or shown. */
  async remove(enterpriseId: string, id: string, actor: Actor): Promise<CustomField> {
    const e = this.core.must('enterprises', enterpriseId, 'enterprise', 'enterpriseId');
    const old = this.get(enterpriseId, id);
    const next: CustomField = { ...old, removedAt: this.core.now() };
    const fields = (e.customFields ?? []).map((f) => (f.id === id ? next : f));
    await this.save(e, fields, actor, undefined, old, `custom field ${id} (${old.label.en}) removed`);
    return next;
  }

  /**
   * The values a record will hold: `old` with `given` applied, each given value checked against the live fields of
   * `record`. Required fields are asked of a new record (`isNew`), and an edit may not clear one. Throws a
   * VALIDATION DomainError naming the field (`custom.Cost centre: must be a number`).
   */
  values(enterpriseId: string, record: CustomFieldRecord, given: CustomInput | null | undefined, old: CustomValues | undefined, isNew: boolean): CustomValues | undefined {
    const input = given === undefined || given === null ? given : parseInput(customInputSchema, given);
    const fields = this.live(enterpriseId, record);
    const next: CustomValues = { ...(input === null ? keepRemoved(old, fields) : old) };
    for (const [key, raw] of Object.entries(input ?? {})) {
      const f = findCustomField(fields, key);
      if (!f) throw new DomainError('VALIDATION', `custom.${key}: no such custom field on ${record}`, `custom.${key}`);
      const v = parseCustomValue(f, raw);
      if (!v.ok) throw new DomainError('VALIDATION', `custom.${f.label.en}: ${v.problem}`, `custom.${f.label.en}`);
      if (v.value === undefined) delete next[f.id];
      else next[f.id] = v.value;
    }
    for (const f of fields) {
      if (!f.required || next[f.id] !== undefined) continue;
      if (isNew || old?.[f.id] !== undefined) throw new DomainError('VALIDATION', `custom.${f.label.en}: required`, `custom.${f.label.en}`);
    }
    return Object.keys(next).length > 0 ? next : undefined;
  }

  /** `r` as the API shows it: the values of the live fields of `record` by id (`customValues`) and by label (`custom`). */
  shown<T extends { customValues?: CustomValues | undefined }>(enterpriseId: string, record: CustomFieldRecord, r: T): WithCustom<T> {
    const { customValues, ...rest } = r;
    if (customValues === undefined) return rest;
    const byId: CustomValues = {};
    const byLabel: Record<string, CustomValue> = {};
    for (const f of this.live(enterpriseId, record)) {
      const v = customValues[f.id];
      if (v === undefined) continue;
      byId[f.id] = v;
      byLabel[f.label.en] = v;
    }
    return Object.keys(byId).length > 0 ? { ...rest, customValues: byId, custom: byLabel } : rest;
  }

  /** A reservation as the API shows it (its enterprise is its bank's). */
  shownReservation<T extends { bankId: string; customValues?: CustomValues | undefined }>(r: T): WithCustom<T> {
    return this.shown(this.core.enterpriseOf('bank', r.bankId) ?? '', 'reservations', r);
  }

  /** The changes of a record's values for its audit entry: `custom.<id>` each, with the values unless `withValues` is false. */
  auditValues(before: CustomValues | undefined, after: CustomValues | undefined, withValues = true): AuditChange[] {
    const ids = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].sort();
    const out: AuditChange[] = [];
    for (const id of ids) {
      const from = before?.[id];
      const to = after?.[id];
      if (from === to) continue;
      const field = `${CUSTOM_AUDIT_PREFIX}${id}`;
      if (!withValues) out.push({ field });
      else out.push({ field, ...(from !== undefined ? { from: customValueText(from).slice(0, 200) } : {}), ...(to !== undefined ? { to: customValueText(to).slice(0, 200) } : {}) });
    }
    return out;
  }

  /** Sets a live reservation's custom values (under its bank's lock), audited. */
  async setReservationValues(id: string, custom: CustomInput | null, actor: Actor): Promise<Reservation> {
    const first = await this.core.mustLive(id, 'reservationId');
    return this.core.change(first.bankId, () => {
      const r = this.core.store.get('reservations', id);
      if (!r) throw notFound('reservation', id, 'reservationId');
      const enterpriseId = this.core.enterpriseOf('bank', r.bankId) ?? '';
      const values = this.values(enterpriseId, 'reservations', custom, r.customValues, false);
      const changes = this.auditValues(r.customValues, values);
      if (changes.length === 0) return { result: r };
      const next: Reservation = { ...r };
      if (values === undefined) delete next.customValues;
      else next.customValues = values;
      const a = { ...this.core.audit(actor, enterpriseId, { kind: 'reservation', id }, `reservation ${id} custom fields changed`, changes, r.bankId), reservationId: id };
      return { result: next, done: this.core.write({ put: [{ c: 'reservations', key: id, value: next }], activity: [a] }) };
    });
  }

  /** Refuses a label another live field has in the same language, or one naming a standard CSV column. */
  private checkLabels(fields: readonly CustomField[], f: CustomField): void {
    for (const lang of ['en', 'fr'] as const) {
      const mine = f.label[lang].toLowerCase();
      const other = fields.find((x) => x.id !== f.id && x.removedAt === undefined && x.label[lang].toLowerCase() === mine);
      if (other) throw new DomainError('CONFLICT', `label.${lang}: custom field ${other.id} is already labelled ${JSON.stringify(other.label[lang])}`, `label.${lang}`);
      for (const record of f.appliesTo) {
        if (this.reserved[record].some((c) => headerKey(c) === headerKey(f.label[lang])))
          throw new DomainError('VALIDATION', `label.${lang}: ${JSON.stringify(f.label[lang])} is a standard column of the ${record} CSV`, `label.${lang}`);
      }
    }
  }

  private async save(e: Enterprise, fields: CustomField[], actor: Actor, after: CustomField | undefined, before: CustomField | undefined, detail: string): Promise<void> {
    const put: Put = { c: 'enterprises', key: e.id, value: { ...e, customFields: fields } };
    const id = (after ?? before)!.id;
    const a = this.core.audit(actor, e.id, { kind: 'custom-field', id }, detail.slice(0, 500), auditChanges(before && flat(before), after && flat(after), FLAT_FIELDS));
    await this.core.commit({ put: [put], activity: [a] });
    // What a contact search finds depends on which fields are live and where they appear.
    this.core.contacts.textsChanged();
  }
}

/**
 * A refused custom value of an import's row as the row's problem: the column of the file naming the field, and what
 * is wrong with its cell (`must be a number`, `required`). Anything else is thrown again.
 */
export function customProblem(err: unknown, line: number, columns: readonly { column: string; field: CustomField }[]): RowProblem {
  if (!(err instanceof DomainError) || err.field === undefined || !err.field.startsWith(CUSTOM_AUDIT_PREFIX)) throw err;
  const label = err.field.slice(CUSTOM_AUDIT_PREFIX.length);
  const column = columns.find((c) => c.field.label.en === label)?.column ?? label;
  return { line, column, problem: err.message.slice(err.field.length + 2) };
}

/** The values of removed fields and of fields not on this record: what clearing every value keeps (unshown). */
function keepRemoved(old: CustomValues | undefined, live: readonly CustomField[]): CustomValues {
  const ids = new Set(live.map((f) => f.id));
  return Object.fromEntries(Object.entries(old ?? {}).filter(([id]) => !ids.has(id)));
}

const FLAT_FIELDS = ['label.en', 'label.fr', 'type', 'options', 'required', 'appliesTo'] as const;
function flat(f: CustomField): Record<(typeof FLAT_FIELDS)[number], string | boolean | undefined> {
  return { 'label.en': f.label.en, 'label.fr': f.label.fr, type: f.type, options: f.options?.join(', '), required: f.required, appliesTo: f.appliesTo.join(', ') };
}
