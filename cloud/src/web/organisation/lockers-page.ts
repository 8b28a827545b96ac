/**
 * A bank's lockers in the organisation: `/console/organisation/banks/:bankId/lockers/new` (one locker), `/batch`
 * (several stacked up one column, in one write), and `/:number` (its size or dimensions, door heights, loading side and
 * shelf barcode, dedication; whether it is accessible; delete). The picker's Find button posts the form back with its
 * matches, so the form works without JavaScript; every change is the API's.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RecipientRef } from '../../domain/model.ts';
import { Replies } from '../../http/schemas.ts';
import { consoleApiOf, type ConsoleApiError } from '../console-api.ts';
import { seeOther, viewerOf } from '../console.ts';
import { apiFieldError, apiRefusal, sameNames } from '../form-errors.ts';
import { typedNumber } from '../form-fields.ts';
import { html } from '../html.ts';
import { mayCall } from '../menu.ts';
import { parseRecipient, recipientValue } from '../reservations/reservations-render.ts';
import { sendConsolePage } from '../shell.ts';
import { BANK_WORDS } from './bank-words.ts';
import { accessibleTag, lockerForm, recipientNames, type LockerValues, type LockerViewData, type Refused } from './lockers-render.ts';
import type { OrgDone } from './organisation-words.ts';
import { ORG_PATH, IdParam, bankPath, deleteAction, doneFrom, doneNotice, formText, lockerPath, parseForm, refusalNotice } from './org-forms.ts';

const LockerForm = z.object({
  number: formText(20),
  columnId: formText(100),
  door: formText(20),
  count: formText(20),
  size: formText(20),
  widthCm: formText(40),
  heightCm: formText(40),
  depthCm: formText(40),
  bottomCm: formText(40),
  topCm: formText(40),
  loading: z.enum(['front', 'rear']).catch('front'),
  shelfBarcode: formText(100),
  recipient: formText(200),
  recipientId: formText(100),
  q: formText(200),
  action: formText(20),
});
const BankParams = z.object({ bankId: IdParam });
const LockerParams = z.object({ bankId: IdParam, number: z.coerce.number().int().min(1).max(9999) });
const FIELDS = { ...sameNames('number', 'columnId', 'door', 'size', 'widthCm', 'heightCm', 'depthCm', 'bottomCm', 'topCm', 'loading', 'shelfBarcode'), dimensions: 'widthCm', dedicatedTo: 'q' };
const BATCH_MAX = 100;
const enc = encodeURIComponent;
type Mode = 'new' | 'batch' | 'edit';

function blank(): LockerValues {
  return LockerForm.parse({});
}

function valuesOf(l: LockerViewData['locker']): LockerValues {
  const d = l.dimensions;
  return {
    ...blank(),
    size: l.size,
    widthCm: d ? String(d.widthCm) : '',
    heightCm: d ? String(d.heightCm) : '',
    depthCm: d ? String(d.depthCm) : '',
    bottomCm: String(l.bottomCm),
    topCm: String(l.topCm),
    loading: l.loading,
    shelfBarcode: l.shelfBarcode ?? '',
    recipient: l.dedicatedTo ? recipientValue(l.dedicatedTo) : 'none',
  };
}

/** The dedication chosen: a contact's ID typed (without the address book), a match of the picker, or nobody (null). */
function dedicationOf(x: LockerValues): RecipientRef | null {
  if (x.recipientId.trim() !== '') return { type: 'contact', id: x.recipientId.trim() };
  return parseRecipient(x.recipient) ?? null;
}

/** Inside dimensions when any is given (the API says what is missing), else none. */
function dimensionsOf(x: LockerValues): Record<string, unknown> | null {
  if ([x.widthCm, x.heightCm, x.depthCm].every((s) => s.trim() === '')) return null;
  return { widthCm: typedNumber(x.widthCm), heightCm: typedNumber(x.heightCm), depthCm: typedNumber(x.depthCm) };
}

function createBody(bankId: string, x: LockerValues): Record<string, unknown> {
  const dimensions = dimensionsOf(x);
  const dedicatedTo = dedicationOf(x);
  return {
    bankId,
    number: typedNumber(x.number),
    columnId: x.columnId,
    door: typedNumber(x.door),
    size: x.size,
    ...(dimensions ? { dimensions } : {}),
    bottomCm: typedNumber(x.bottomCm),
    topCm: typedNumber(x.topCm),
    loading: x.loading,
    ...(x.shelfBarcode.trim() !== '' ? { shelfBarcode: x.shelfBarcode.trim() } : {}),
    ...(dedicatedTo ? { dedicatedTo } : {}),
  };
}

/** Lockers stacked up a column: numbers and doors one after the other, each door starting where the one below ends. */
function batchBody(bankId: string, x: LockerValues, count: number): Array<Record<string, unknown>> {
  const [number, door, bottom, top] = [typedNumber(x.number), typedNumber(x.door), typedNumber(x.bottomCm), typedNumber(x.topCm)];
  const step = typeof bottom === 'number' && typeof top === 'number' ? top - bottom : 0;
  const plus = (n: unknown, i: number, by = 1) => (typeof n === 'number' ? Math.round((n + i * by) * 10) / 10 : n);
  return Array.from({ length: count }, (_, i) => ({
    ...createBody(bankId, { ...x, shelfBarcode: '', recipient: 'none', recipientId: '' }),
    number: plus(number, i),
    door: plus(door, i),
    bottomCm: plus(bottom, i, step),
    topCm: plus(top, i, step),
    loading: 'front',
  }));
}

export function lockersRoutes(app: FastifyInstance): void {
  const formPage = async (req: FastifyRequest, reply: FastifyReply, bankId: string, mode: Mode, o: { values?: LockerValues; number?: number; error?: Refused; refused?: ConsoleApiError; done?: OrgDone | undefined } = {}): Promise<FastifyReply> => {
    const v = viewerOf(req);
    const w = BANK_WORDS[v.lang];
    const api = consoleApiOf(req);
    const [{ bank }, { columns }] = await Promise.all([api.get(Replies.bank, `/banks/${enc(bankId)}`), api.get(Replies.columns, `/banks/${enc(bankId)}/columns`)]);
    let view: LockerViewData | undefined;
    let values = o.values;
    if (mode === 'edit') {
      view = await api.get(Replies.lockerView, `/banks/${enc(bankId)}/lockers/${o.number}`);
      values ??= valuesOf(view.locker);
    } else if (!values) {
      const { lockers } = mayCall(v.principal, 'GET', '/api/v1/banks/:bankId/lockers') ? await api.get(Replies.lockerViews, `/banks/${enc(bankId)}/lockers`) : { lockers: [] };
      const first = [...columns].sort((a, b) => a.position - b.position)[0];
      const doors = lockers.filter((l) => l.locker.columnId === first?.id).map((l) => l.locker.door);
      values = { ...blank(), number: String(lockers.reduce((m, l) => Math.max(m, l.locker.number), 0) + 1), columnId: first?.id ?? '', door: String(Math.max(0, ...doors) + 1), size: 'M', count: '4', recipient: 'none' };
    }
    const ref = view?.locker.dedicatedTo;
    const current = ref ? { value: recipientValue(ref), name: (await recipientNames(api, v, [ref])).get(recipientValue(ref)) ?? ref.id } : undefined;
    const action = mode === 'edit' ? lockerPath(bank.id, o.number!) : `${bankPath(bank.id)}/lockers/${mode}`;
    const form = await lockerForm(api, v, { mode, action, bank, columns, values, current, error: o.error });
    const facts = view
      ? html`<dl class="facts"><dt>${w.column}</dt><dd>${columns.find((c) => c.id === view.locker.columnId)?.position ?? view.locker.columnId}</dd><dt>${w.door}</dt><dd>${view.locker.door}</dd><dt>${w.accessible}</dt><dd>${accessibleTag(v, view.accessible)}</dd></dl>`
      : '';
    const body = html`${doneNotice(v.lang, o.done)}${refusalNotice(v.lang, o.refused)}<p><a href="${bankPath(bank.id)}">${w.bankTitle(bank.name)}</a></p>${facts}${form}${view ? deleteAction(v, 'locker', `${lockerPath(bank.id, view.locker.number)}/delete`) : ''}`;
    const title = mode === 'edit' ? `${w.lockerTitle(o.number!)} – ${bank.name}` : mode === 'batch' ? w.newLockers(bank.name) : w.newLocker(bank.name);
    return sendConsolePage(reply, o.refused?.status ?? o.error?.status ?? 200, v, { title, active: 'settings', body });
  };

  for (const mode of ['new', 'batch'] as const) {
    app.get(`${ORG_PATH}/banks/:bankId/lockers/${mode}`, { schema: { hide: true } }, async (req, reply) => formPage(req, reply, BankParams.parse(req.params).bankId, mode));

    app.post(`${ORG_PATH}/banks/:bankId/lockers/${mode}`, { schema: { hide: true } }, async (req, reply) => {
      const { bankId } = BankParams.parse(req.params);
      const x = parseForm(req, LockerForm);
      const lang = viewerOf(req).lang;
      if (x.action === 'find') return formPage(req, reply, bankId, mode, { values: x });
      const count = Number(x.count);
      // How many lockers a batch makes is the form's own question, not a field of the API.
      if (mode === 'batch' && !(Number.isInteger(count) && count >= 1 && count <= BATCH_MAX)) {
        return formPage(req, reply, bankId, mode, { values: x, error: { field: 'count', message: BANK_WORDS[lang].countRefused, status: 400 } });
      }
      try {
        const api = consoleApiOf(req);
        if (mode === 'new') {
          const { locker } = await api.call(Replies.locker, 'POST', '/lockers', createBody(bankId, x));
          return seeOther(reply, `${lockerPath(bankId, locker.number)}?done=added`);
        }
        const { lockers } = await api.call(Replies.lockers, 'POST', '/lockers/batch', { lockers: batchBody(bankId, x, count) });
        return seeOther(reply, `${bankPath(bankId)}?done=added&lockers=${lockers.length}`);
      } catch (err) {
        return formPage(req, reply, bankId, mode, { values: x, error: apiFieldError(apiRefusal(err), FIELDS) });
      }
    });
  }

  app.get(`${ORG_PATH}/banks/:bankId/lockers/:number`, { schema: { hide: true } }, async (req, reply) => {
    const { bankId, number } = LockerParams.parse(req.params);
    return formPage(req, reply, bankId, 'edit', { number, done: doneFrom(req.query) });
  });

  app.post(`${ORG_PATH}/banks/:bankId/lockers/:number`, { schema: { hide: true } }, async (req, reply) => {
    const { bankId, number } = LockerParams.parse(req.params);
    const x = parseForm(req, LockerForm);
    if (x.action === 'find') return formPage(req, reply, bankId, 'edit', { number, values: x });
    const shelfBarcode = x.shelfBarcode.trim() !== '' ? x.shelfBarcode.trim() : x.loading === 'front' ? null : undefined;
    const body = {
      size: x.size,
      dimensions: dimensionsOf(x),
      bottomCm: typedNumber(x.bottomCm),
      topCm: typedNumber(x.topCm),
      loading: x.loading,
      // Left empty on a rear-loading locker: kept, or generated by the API when it turns rear-loading.
      ...(shelfBarcode !== undefined ? { shelfBarcode } : {}),
      dedicatedTo: dedicationOf(x),
    };
    try {
      await consoleApiOf(req).call(Replies.lockerView, 'PATCH', `/banks/${enc(bankId)}/lockers/${number}`, body);
      return seeOther(reply, `${lockerPath(bankId, number)}?done=saved`);
    } catch (err) {
      return formPage(req, reply, bankId, 'edit', { number, values: x, error: apiFieldError(apiRefusal(err), FIELDS) });
    }
  });

  app.post(`${ORG_PATH}/banks/:bankId/lockers/:number/delete`, { schema: { hide: true } }, async (req, reply) => {
    const { bankId, number } = LockerParams.parse(req.params);
    try {
      await consoleApiOf(req).call(Replies.locker, 'DELETE', `/banks/${enc(bankId)}/lockers/${number}`);
      return seeOther(reply, `${bankPath(bankId)}?done=deleted`);
    } catch (err) {
      return formPage(req, reply, bankId, 'edit', { number, refused: apiRefusal(err) });
    }
  });
}
