/**
 * Custom fields: `/console/custom-fields` (the enterprise's live fields: labels, type, options, required, where each
 * appears), `/console/custom-fields/new` and `/console/custom-fields/:customFieldId` (the form; remove behind a
 * disclosure). Every read and change is the API's (GET, POST, PATCH, DELETE /custom-fields), which holds every rule
 * (the limit, unique labels, a type that never changes, options only for a choice); the page shows its reason at the
 * field it names.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CUSTOM_FIELD_RECORDS, CUSTOM_FIELD_TYPES, MAX_CUSTOM_FIELDS, customFieldSchema, type CustomField } from '../../domain/model.ts';
import type { PageLanguage } from '../../http/pages/i18n.ts';
import { ConsoleApiError, consoleApiOf } from '../console-api.ts';
import { formOf, seeOther, viewerOf, type ConsoleScreen } from '../console.ts';
import { apiFieldError, apiRefusal, apiText, errorSummary, type FormError } from '../form-errors.ts';
import { boxId, checkboxField, checkboxGroup, inputField, selectField, textareaField } from '../form-fields.ts';
import { html, type SafeHtml } from '../html.ts';
import { confirmAction, doneOf, notice } from '../page-notices.ts';
import { SETUP_PATHS, SETUP_WORDS } from '../settings/setup-screens.ts';
import { csrfField, sendConsolePage, type Viewer } from '../shell.ts';
import { SHELL_WORDS } from '../shell-words.ts';
import { CUSTOM_FIELDS_WORDS, type FieldDone } from './custom-fields-words.ts';

const PATH = SETUP_PATHS.customFields;
const DONE = ['added', 'saved', 'removed'] as const satisfies readonly FieldDone[];
const FieldsReply = z.object({ customFields: z.array(customFieldSchema) });
const FieldParams = z.object({ customFieldId: z.string().min(1).max(100) });

/** The form as posted: every value text, the records ticked; anything longer than the API would take is cut by the API's own refusal. */
const FieldForm = z.object({
  labelEn: z.string().max(1000).default(''),
  labelFr: z.string().max(1000).default(''),
  type: z.string().max(40).default(''),
  options: z.string().max(20_000).default(''),
  required: z.literal('on').optional(),
  appliesTo: z.array(z.string().max(40)).max(10),
});
type FieldValues = z.infer<typeof FieldForm>;

function fieldPath(id: string): string {
  return `${PATH}/${encodeURIComponent(id)}`;
}

function posted(req: FastifyRequest): FieldValues {
  const f = formOf(req);
  const parsed = FieldForm.safeParse({ ...Object.fromEntries([...f.entries()].filter(([k]) => k !== 'appliesTo')), appliesTo: f.getAll('appliesTo') });
  if (!parsed.success) throw new ConsoleApiError(400, 'BAD_FORM', 'the form could not be read');
  return parsed.data;
}

function valuesOf(f: CustomField): FieldValues {
  return { labelEn: f.label.en, labelFr: f.label.fr, type: f.type, options: (f.options ?? []).join('\n'), ...(f.required ? { required: 'on' as const } : {}), appliesTo: [...f.appliesTo] };
}

/** The options typed, one a line, blank lines left out; none when the box is empty. */
function optionsOf(text: string): string[] | undefined {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines.length > 0 ? lines : undefined;
}

/** The form's inputs the API's fields are (`label.en` is `labelEn`, a record list its first box). */
const FIELDS = { 'label.en': 'labelEn', 'label.fr': 'labelFr', label: 'labelEn', appliesTo: boxId('appliesTo', CUSTOM_FIELD_RECORDS[0]), type: 'type', options: 'options', required: 'required' };

function fieldsTable(lang: PageLanguage, fields: readonly CustomField[]): SafeHtml {
  const w = CUSTOM_FIELDS_WORDS[lang];
  const rows = fields.map(
    (f) =>
      html`<tr><th scope="row"><a href="${fieldPath(f.id)}">${f.label[lang]}</a></th><td lang="${lang === 'en' ? 'fr' : 'en'}">${f.label[lang === 'en' ? 'fr' : 'en']}</td><td>${w.types[f.type]}</td><td>${
        f.options ? html`<ul class="plain">${f.options.map((o) => html`<li>${o}</li>`)}</ul>` : ''
      }</td><td>${f.required ? w.yes : w.no}</td><td>${f.appliesTo.map((r) => w.records[r]).join(', ')}</td></tr>`,
  );
  const other = lang === 'en' ? w.labelFr : w.labelEn;
  return html`<table class="data"><caption>${w.caption}</caption><thead><tr><th scope="col">${lang === 'en' ? w.labelEn : w.labelFr}</th><th scope="col">${other}</th><th scope="col">${w.type}</th><th scope="col">${w.options}</th><th scope="col">${w.required}</th><th scope="col">${w.appliesTo}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function fieldForm(v: Viewer, o: { action: string; values: FieldValues; field?: CustomField; error?: FormError | undefined }): SafeHtml {
  const w = CUSTOM_FIELDS_WORDS[v.lang];
  const e = o.error;
  const x = o.values;
  const types = CUSTOM_FIELD_TYPES.map((t) => ({ value: t, label: w.types[t] }));
  const records = CUSTOM_FIELD_RECORDS.map((r) => ({ value: r, label: w.records[r] }));
  return html`${errorSummary(v.lang, e ? [e] : [])}<form method="post" action="${o.action}" novalidate>${csrfField(v)}
${inputField(v.lang, 'labelEn', w.labelEn, x.labelEn, e ? [e] : [], { hint: w.labelEnHint, required: true, maxlength: 64 })}
${inputField(v.lang, 'labelFr', w.labelFr, x.labelFr, e ? [e] : [], { hint: w.labelFrHint, required: true, maxlength: 64 })}
${o.field ? html`<p class="field"><strong>${w.type}:</strong> ${w.types[o.field.type]} <span class="muted">(${w.typeFixed})</span></p>` : selectField(v.lang, 'type', w.type, types, x.type, e ? [e] : [], { hint: w.typeHint })}
${!o.field || o.field.type === 'choice' ? textareaField(v.lang, 'options', w.options, x.options, e ? [e] : [], { hint: w.optionsHint, max: 20_000, rows: 5 }) : ''}
${checkboxField(v.lang, 'required', w.requiredLabel, x.required === 'on', e ? [e] : [], w.requiredHint)}
${checkboxGroup(v.lang, 'appliesTo', w.appliesTo, records, new Set(x.appliesTo), e ? [e] : [], w.appliesToHint)}
<div class="actions"><button type="submit">${o.field ? SHELL_WORDS[v.lang].save : w.create}</button><a href="${PATH}">${SHELL_WORDS[v.lang].cancel}</a></div>
</form>`;
}

export const customFieldsScreen: ConsoleScreen = (app) => {
  const title = (v: Viewer) => SETUP_WORDS[v.lang].screens.customFields.name;

  app.get(PATH, { schema: { hide: true } }, async (req, reply) => {
    const v = viewerOf(req);
    const w = CUSTOM_FIELDS_WORDS[v.lang];
    const { done } = doneOf(req.query, DONE);
    const { customFields } = await consoleApiOf(req).get(FieldsReply, '/custom-fields');
    const body = html`${notice(done && w.done[done])}<p>${w.intro(MAX_CUSTOM_FIELDS)}</p>
<p class="muted">${w.count(customFields.length, MAX_CUSTOM_FIELDS)}</p>
<p><a class="button" href="${PATH}/new">${w.add}</a></p>
${customFields.length === 0 ? html`<p>${w.none}</p>` : fieldsTable(v.lang, customFields)}`;
    return sendConsolePage(reply, 200, v, { title: title(v), active: 'settings', body });
  });

  const newPage = (req: FastifyRequest, reply: FastifyReply, values: FieldValues, error?: ConsoleApiError): FastifyReply => {
    const v = viewerOf(req);
    const w = CUSTOM_FIELDS_WORDS[v.lang];
    const body = html`<p><a href="${PATH}">${title(v)}</a></p>${fieldForm(v, { action: `${PATH}/new`, values, error: error && apiFieldError(error, FIELDS) })}`;
    return sendConsolePage(reply, error?.status ?? 200, v, { title: w.newTitle, active: 'settings', body });
  };

  app.get(`${PATH}/new`, { schema: { hide: true } }, async (req, reply) => newPage(req, reply, { labelEn: '', labelFr: '', type: 'text', options: '', appliesTo: ['contacts'] }));

  app.post(`${PATH}/new`, { schema: { hide: true } }, async (req, reply) => {
    const x = posted(req);
    const options = optionsOf(x.options);
    const body = { label: { en: x.labelEn, fr: x.labelFr }, type: x.type, ...(options ? { options } : {}), required: x.required === 'on', appliesTo: x.appliesTo };
    try {
      const { customField } = await consoleApiOf(req).call(z.object({ customField: customFieldSchema }), 'POST', '/custom-fields', body);
      return seeOther(reply, `${fieldPath(customField.id)}?done=added`);
    } catch (err) {
      return newPage(req, reply, x, apiRefusal(err));
    }
  });

  /** A live field of the viewer's enterprise (the API lists them: it has no route for one). */
  const fieldOf = async (req: FastifyRequest, id: string): Promise<CustomField> => {
    const { customFields } = await consoleApiOf(req).get(FieldsReply, '/custom-fields');
    const f = customFields.find((x) => x.id === id);
    if (!f) throw new ConsoleApiError(404, 'NOT_FOUND', `custom field ${id} not found`);
    return f;
  };

  const editPage = (req: FastifyRequest, reply: FastifyReply, f: CustomField, o: { values?: FieldValues; done?: FieldDone; error?: ConsoleApiError; formFailed?: boolean } = {}): FastifyReply => {
    const v = viewerOf(req);
    const w = CUSTOM_FIELDS_WORDS[v.lang];
    const path = fieldPath(f.id);
    const form = fieldForm(v, { action: path, values: o.values ?? valuesOf(f), field: f, error: o.formFailed && o.error ? apiFieldError(o.error, FIELDS) : undefined });
    const body = html`${notice(o.done && w.done[o.done])}${o.formFailed || !o.error ? '' : notice(apiText(v.lang, o.error.message), true)}
<p><a href="${PATH}">${title(v)}</a></p>
<div class="layout"><section class="panel setup-panel" aria-labelledby="details-h"><h2 id="details-h">${w.details}</h2>${form}</section>
<section class="panel setup-panel" aria-labelledby="remove-h"><h2 id="remove-h">${w.removeHeading}</h2>${confirmAction(v, 'remove', { summary: w.removeSummary, text: w.removeText(f.label[v.lang]), action: `${path}/delete`, submit: w.removeSubmit, danger: true })}</section></div>`;
    return sendConsolePage(reply, o.error?.status ?? 200, v, { title: w.editTitle(f.label[v.lang]), active: 'settings', body });
  };

  app.get(`${PATH}/:customFieldId`, { schema: { hide: true } }, async (req, reply) => {
    const { customFieldId } = FieldParams.parse(req.params);
    return editPage(req, reply, await fieldOf(req, customFieldId), doneOf(req.query, DONE));
  });

  app.post(`${PATH}/:customFieldId`, { schema: { hide: true } }, async (req, reply) => {
    const { customFieldId } = FieldParams.parse(req.params);
    const f = await fieldOf(req, customFieldId);
    const x = posted(req);
    const options = f.type === 'choice' ? optionsOf(x.options) : undefined;
    // A choice emptied of every option is sent as such, for the API to say a choice needs one.
    const body = { label: { en: x.labelEn, fr: x.labelFr }, ...(f.type === 'choice' ? { options: options ?? [] } : {}), required: x.required === 'on', appliesTo: x.appliesTo };
    try {
      await consoleApiOf(req).call(z.unknown(), 'PATCH', `/custom-fields/${encodeURIComponent(f.id)}`, body);
      return seeOther(reply, `${fieldPath(f.id)}?done=saved`);
    } catch (err) {
      return editPage(req, reply, f, { values: x, error: apiRefusal(err), formFailed: true });
    }
  });

  app.post(`${PATH}/:customFieldId/delete`, { schema: { hide: true } }, async (req, reply) => {
    const { customFieldId } = FieldParams.parse(req.params);
    const f = await fieldOf(req, customFieldId);
    try {
      await consoleApiOf(req).call(z.unknown(), 'DELETE', `/custom-fields/${encodeURIComponent(f.id)}`);
      return seeOther(reply, `${PATH}?done=removed`);
    } catch (err) {
      return editPage(req, reply, f, { error: apiRefusal(err) });
    }
  });
};
