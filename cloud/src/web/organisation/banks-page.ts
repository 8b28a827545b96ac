/**
 * A bank's pages: `/console/organisation/banks/new?location=`, `/banks/:bankId` (its location, the link to its bank
 * settings, rename, its columns and its lockers with whether each is accessible as the API judges it, delete), and a
 * column's (`/banks/:bankId/columns/new`, `/columns/:columnId`: kind, delete). Every change is the API's.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Column } from '../../domain/model.ts';
import { Replies } from '../../http/schemas.ts';
import { consoleApiOf, type ConsoleApiError } from '../console-api.ts';
import { seeOther, viewerOf } from '../console.ts';
import { apiFieldError, apiRefusal, errorSummary, type FormError, sameNames } from '../form-errors.ts';
import { inputField, selectField, typedNumber } from '../form-fields.ts';
import { html, type SafeHtml } from '../html.ts';
import { mayCall } from '../menu.ts';
import { notice } from '../page-notices.ts';
import { SETUP_PATHS } from '../settings/setup-screens.ts';
import { csrfField, sendConsolePage, type Viewer } from '../shell.ts';
import { SHELL_WORDS } from '../shell-words.ts';
import { BANK_WORDS } from './bank-words.ts';
import { lockersTable, recipientNames } from './lockers-render.ts';
import { ORG_PATH, IdParam, bankPath, columnPath, deleteAction, doneFrom, doneNotice, formText, locationPath, parseForm, refusalNotice } from './org-forms.ts';
import { ORGANISATION_WORDS, type OrgDone } from './organisation-words.ts';

const BankForm = z.object({ locationId: formText(100), name: formText(400) });
const ColumnForm = z.object({ position: formText(20), kind: z.enum(['kiosk', 'plain']).catch('plain'), controllerId: formText(100) });
type ColumnValues = z.infer<typeof ColumnForm>;
const BankParams = z.object({ bankId: IdParam });
const ColumnParams = z.object({ columnId: IdParam });
const NewQuery = z.looseObject({ location: z.string().max(100).optional() });
/** After a batch: how many lockers it added. */
const AddedQuery = z.looseObject({ lockers: z.coerce.number().int().min(0).max(500).optional() });
const enc = encodeURIComponent;
type Refused = FormError & { status: number };

function columnsTable(v: Viewer, columns: readonly Column[]): SafeHtml {
  const w = BANK_WORDS[v.lang];
  if (columns.length === 0) return html`<p>${w.noColumns}</p>`;
  const rows = [...columns].sort((a, b) => a.position - b.position).map(
    (c) => html`<tr><th scope="row"><a href="${columnPath(c.id)}">${w.columnTitle(c.position)}</a></th><td>${w.kinds[c.kind]}</td><td>${c.controllerId}</td></tr>`,
  );
  return html`<table class="data"><caption>${w.columnsCaption}</caption><thead><tr><th scope="col">${w.position}</th><th scope="col">${w.kind}</th><th scope="col">${w.controllerId}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function banksRoutes(app: FastifyInstance): void {
  const newBankPage = async (req: FastifyRequest, reply: FastifyReply, values: z.infer<typeof BankForm>, e?: Refused): Promise<FastifyReply> => {
    const v = viewerOf(req);
    const w = BANK_WORDS[v.lang];
    const { locations } = await consoleApiOf(req).get(Replies.locations, '/locations');
    const body = html`<p><a href="${ORG_PATH}">${ORGANISATION_WORDS[v.lang].back}</a></p>${errorSummary(v.lang, e ? [e] : [])}<form method="post" action="${ORG_PATH}/banks/new" novalidate>${csrfField(v)}
${selectField(v.lang, 'locationId', w.location, locations.map((l) => ({ value: l.id, label: l.name })), values.locationId, e ? [e] : [])}
${inputField(v.lang, 'name', w.bankName, values.name, e ? [e] : [], { required: true, maxlength: 200 })}
<div class="actions"><button type="submit">${ORGANISATION_WORDS[v.lang].create}</button><a href="${values.locationId ? locationPath(values.locationId) : ORG_PATH}">${SHELL_WORDS[v.lang].cancel}</a></div></form>`;
    return sendConsolePage(reply, e?.status ?? 200, v, { title: w.newBank, active: 'settings', body });
  };

  const bankPage = async (req: FastifyRequest, reply: FastifyReply, id: string, o: { done?: OrgDone | undefined; addedLockers?: number; name?: string; error?: Refused; refused?: ConsoleApiError } = {}): Promise<FastifyReply> => {
    const v = viewerOf(req);
    const w = BANK_WORDS[v.lang];
    const api = consoleApiOf(req);
    const seesLockers = mayCall(v.principal, 'GET', '/api/v1/banks/:bankId/lockers');
    const [{ bank }, { columns }, { lockers }] = await Promise.all([
      api.get(Replies.bank, `/banks/${enc(id)}`),
      api.get(Replies.columns, `/banks/${enc(id)}/columns`),
      // The lockers with their state are the API's 'lockers.view': a role that manages without it sees none listed.
      seesLockers ? api.get(Replies.lockerViews, `/banks/${enc(id)}/lockers`) : Promise.resolve({ lockers: [] }),
    ]);
    const [{ location }, names] = await Promise.all([api.get(Replies.location, `/locations/${enc(bank.locationId)}`), recipientNames(api, v, lockers.map((l) => l.locker.dedicatedTo))]);
    const path = bankPath(bank.id);
    // Renaming a bank is a change of its settings in the API ('settings'): offered to whoever may make it.
    const mayRename = mayCall(v.principal, 'PATCH', '/api/v1/banks/:bankId');
    const e = o.error;
    const body = html`${o.addedLockers !== undefined ? notice(w.addedLockers(o.addedLockers)) : doneNotice(v.lang, o.done)}${refusalNotice(v.lang, o.refused)}<p><a href="${ORG_PATH}">${ORGANISATION_WORDS[v.lang].back}</a></p>
<dl class="facts"><dt>${w.location}</dt><dd><a href="${locationPath(location.id)}">${location.name}</a></dd></dl>
${mayRename ? html`<p><a href="${SETUP_PATHS.bankSettings}?bank=${enc(bank.id)}">${w.settingsLink}</a></p>
${errorSummary(v.lang, e ? [e] : [])}<form method="post" action="${path}" class="toolbar" novalidate>${csrfField(v)}${inputField(v.lang, 'name', w.bankName, o.name ?? bank.name, e ? [e] : [], { required: true, maxlength: 200 })}<button type="submit">${w.rename}</button></form>` : ''}
<h2>${w.columns}</h2>
<p><a class="button" href="${path}/columns/new">${w.addColumn}</a></p>
${columnsTable(v, columns)}
<h2>${w.lockers}</h2>
<p class="actions"><a class="button" href="${path}/lockers/new">${w.addLocker}</a> <a class="button secondary" href="${path}/lockers/batch">${w.addLockers}</a></p>
${seesLockers ? lockersTable(v, bank, columns, lockers, names) : html`<p>${w.lockersHidden}</p>`}
${deleteAction(v, 'bank', `${path}/delete`)}`;
    return sendConsolePage(reply, o.refused?.status ?? e?.status ?? 200, v, { title: w.bankTitle(bank.name), active: 'settings', body });
  };

  app.get(`${ORG_PATH}/banks/new`, { schema: { hide: true } }, async (req, reply) => {
    const q = NewQuery.safeParse(req.query);
    return newBankPage(req, reply, { locationId: q.success ? (q.data.location ?? '') : '', name: '' });
  });

  app.post(`${ORG_PATH}/banks/new`, { schema: { hide: true } }, async (req, reply) => {
    const x = parseForm(req, BankForm);
    try {
      const { bank } = await consoleApiOf(req).call(Replies.bank, 'POST', '/banks', { locationId: x.locationId, name: x.name });
      return seeOther(reply, `${bankPath(bank.id)}?done=added`);
    } catch (err) {
      return newBankPage(req, reply, x, apiFieldError(apiRefusal(err), sameNames('locationId', 'name')));
    }
  });

  app.get(`${ORG_PATH}/banks/:bankId`, { schema: { hide: true } }, async (req, reply) => {
    const added = AddedQuery.safeParse(req.query);
    return bankPage(req, reply, BankParams.parse(req.params).bankId, { done: doneFrom(req.query), ...(added.success && added.data.lockers !== undefined ? { addedLockers: added.data.lockers } : {}) });
  });

  app.post(`${ORG_PATH}/banks/:bankId`, { schema: { hide: true } }, async (req, reply) => {
    const { bankId } = BankParams.parse(req.params);
    const { name } = parseForm(req, BankForm);
    try {
      await consoleApiOf(req).call(Replies.bank, 'PATCH', `/banks/${enc(bankId)}`, { name });
      return seeOther(reply, `${bankPath(bankId)}?done=renamed`);
    } catch (err) {
      return bankPage(req, reply, bankId, { name, error: apiFieldError(apiRefusal(err), sameNames('name')) });
    }
  });

  app.post(`${ORG_PATH}/banks/:bankId/delete`, { schema: { hide: true } }, async (req, reply) => {
    const { bankId } = BankParams.parse(req.params);
    const api = consoleApiOf(req);
    try {
      const { bank } = await api.call(Replies.bank, 'DELETE', `/banks/${enc(bankId)}`);
      return seeOther(reply, `${locationPath(bank.locationId)}?done=deleted`);
    } catch (err) {
      return bankPage(req, reply, bankId, { refused: apiRefusal(err) });
    }
  });

  // ------------------------------------------------------------------------------------------ columns
  const COLUMN_FIELDS = sameNames('position', 'kind', 'controllerId');

  const newColumnPage = async (req: FastifyRequest, reply: FastifyReply, bankId: string, x: ColumnValues, e?: Refused): Promise<FastifyReply> => {
    const v = viewerOf(req);
    const w = BANK_WORDS[v.lang];
    const { bank } = await consoleApiOf(req).get(Replies.bank, `/banks/${enc(bankId)}`);
    const body = html`<p><a href="${bankPath(bank.id)}">${w.bankTitle(bank.name)}</a></p>${errorSummary(v.lang, e ? [e] : [])}<form method="post" action="${bankPath(bank.id)}/columns/new" novalidate>${csrfField(v)}
${inputField(v.lang, 'position', w.position, x.position, e ? [e] : [], { type: 'number', hint: w.positionHint, required: true, maxlength: 3 })}
${kindField(v, x.kind, e)}
${inputField(v.lang, 'controllerId', w.controllerId, x.controllerId, e ? [e] : [], { hint: w.controllerHint, required: true, maxlength: 64 })}
<div class="actions"><button type="submit">${ORGANISATION_WORDS[v.lang].create}</button><a href="${bankPath(bank.id)}">${SHELL_WORDS[v.lang].cancel}</a></div></form>`;
    return sendConsolePage(reply, e?.status ?? 200, v, { title: w.newColumn(bank.name), active: 'settings', body });
  };

  const columnPage = async (req: FastifyRequest, reply: FastifyReply, id: string, o: { done?: OrgDone | undefined; kind?: Column['kind']; error?: Refused; refused?: ConsoleApiError } = {}): Promise<FastifyReply> => {
    const v = viewerOf(req);
    const w = BANK_WORDS[v.lang];
    const api = consoleApiOf(req);
    const { column } = await api.get(Replies.column, `/columns/${enc(id)}`);
    const { bank } = await api.get(Replies.bank, `/banks/${enc(column.bankId)}`);
    const path = columnPath(column.id);
    const body = html`${doneNotice(v.lang, o.done)}${refusalNotice(v.lang, o.refused)}<p><a href="${bankPath(bank.id)}">${w.bankTitle(bank.name)}</a></p>
<dl class="facts"><dt>${w.position}</dt><dd>${column.position}</dd><dt>${w.controllerId}</dt><dd>${column.controllerId}</dd></dl>
<p class="hint">${w.fixedColumn}</p>
${errorSummary(v.lang, o.error ? [o.error] : [])}<form method="post" action="${path}" novalidate>${csrfField(v)}${kindField(v, o.kind ?? column.kind, o.error)}<button type="submit">${SHELL_WORDS[v.lang].save}</button></form>
${deleteAction(v, 'column', `${path}/delete`)}`;
    return sendConsolePage(reply, o.refused?.status ?? o.error?.status ?? 200, v, { title: `${w.columnTitle(column.position)} – ${bank.name}`, active: 'settings', body });
  };

  app.get(`${ORG_PATH}/banks/:bankId/columns/new`, { schema: { hide: true } }, async (req, reply) => {
    const { bankId } = BankParams.parse(req.params);
    const { columns } = await consoleApiOf(req).get(Replies.columns, `/banks/${enc(bankId)}/columns`);
    const next = columns.reduce((m, c) => Math.max(m, c.position), 0) + 1;
    return newColumnPage(req, reply, bankId, { position: String(next), kind: columns.length === 0 ? 'kiosk' : 'plain', controllerId: '' });
  });

  app.post(`${ORG_PATH}/banks/:bankId/columns/new`, { schema: { hide: true } }, async (req, reply) => {
    const { bankId } = BankParams.parse(req.params);
    const x = parseForm(req, ColumnForm);
    try {
      const { column } = await consoleApiOf(req).call(Replies.column, 'POST', '/columns', { bankId, position: typedNumber(x.position), kind: x.kind, controllerId: x.controllerId.trim() });
      return seeOther(reply, `${columnPath(column.id)}?done=added`);
    } catch (err) {
      return newColumnPage(req, reply, bankId, x, apiFieldError(apiRefusal(err), COLUMN_FIELDS));
    }
  });

  app.get(`${ORG_PATH}/columns/:columnId`, { schema: { hide: true } }, async (req, reply) => columnPage(req, reply, ColumnParams.parse(req.params).columnId, { done: doneFrom(req.query) }));

  app.post(`${ORG_PATH}/columns/:columnId`, { schema: { hide: true } }, async (req, reply) => {
    const { columnId } = ColumnParams.parse(req.params);
    const { kind } = parseForm(req, ColumnForm);
    try {
      await consoleApiOf(req).call(Replies.column, 'PATCH', `/columns/${enc(columnId)}`, { kind });
      return seeOther(reply, `${columnPath(columnId)}?done=saved`);
    } catch (err) {
      return columnPage(req, reply, columnId, { kind, error: apiFieldError(apiRefusal(err), COLUMN_FIELDS) });
    }
  });

  app.post(`${ORG_PATH}/columns/:columnId/delete`, { schema: { hide: true } }, async (req, reply) => {
    const { columnId } = ColumnParams.parse(req.params);
    try {
      const { column } = await consoleApiOf(req).call(Replies.column, 'DELETE', `/columns/${enc(columnId)}`);
      return seeOther(reply, `${bankPath(column.bankId)}?done=deleted`);
    } catch (err) {
      return columnPage(req, reply, columnId, { refused: apiRefusal(err) });
    }
  });
}

function kindField(v: Viewer, kind: string, e: Refused | undefined): SafeHtml {
  const w = BANK_WORDS[v.lang];
  return selectField(v.lang, 'kind', w.kind, (['kiosk', 'plain'] as const).map((k) => ({ value: k, label: w.kinds[k] })), kind, e ? [e] : []);
}
