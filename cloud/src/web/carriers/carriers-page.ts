/**
 * Carriers: `/console/carriers` (the list, and a new carrier), `/console/carriers/:carrierId` (rename, delete, its
 * access codes: issue one, shown once; revoke one) and `/console/carriers/:carrierId/sheet` (a printable sheet of the
 * QR codes of its live codes). Every read and change is the API's, with the person's session: a role that only issues
 * codes sees the codes and not the carrier's forms, and a refusal shows the API's reason at its field.
 *
 * Codes are kept sealed by the cloud, so the API can draw the QR code of any live code again (each print recorded
 * in the activity); the digits themselves are shown only in the answer that issued the code. The sheet therefore
 * prints from the API's images at any time, and a code kept only as a hash (issued by an older release) is listed
 * as not printable, to be issued again.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { updateCarrierInput } from '../../domain/model.ts';
import { Replies } from '../../http/schemas.ts';
import { bankNames } from '../bank-choice.ts';
import { apiError, consoleApiOf, type ConsoleApiError } from '../console-api.ts';
import { formOf, seeOther, viewerOf, type ConsoleScreen } from '../console.ts';
import { apiFieldError, apiRefusal, apiText, type FormError } from '../form-errors.ts';
import { typedNumber } from '../form-fields.ts';
import { html, type SafeHtml } from '../html.ts';
import { CONSOLE_PATHS, mayCall } from '../menu.ts';
import { confirmAction, doneOf, notice } from '../page-notices.ts';
import { SETUP_WORDS } from '../settings/setup-screens.ts';
import { sendConsolePage } from '../shell.ts';
import {
  CARRIERS_PATH,
  carrierPath,
  carriersTable,
  codeState,
  codesTable,
  issuedNotice,
  issueForm,
  nameForm,
  sheetBody,
  type SheetItem,
} from './carriers-render.ts';
import { CARRIERS_WORDS, type CarrierDone } from './carriers-words.ts';

const DONE = ['created', 'saved', 'deleted', 'revoked'] as const satisfies readonly CarrierDone[];
const CarrierParams = z.object({ carrierId: z.string().max(100) });
const CodeParams = CarrierParams.extend({ carrierCodeId: z.string().max(100) });
const SheetQuery = z.looseObject({ code: z.union([z.string().max(100), z.array(z.string().max(100)).max(1000)]).optional() });
/** A code's life in whole days (empty: no end); what else is typed is refused at the field. */
const DaysField = z.union([z.literal(''), z.string().regex(/^\d{1,5}$/).transform(Number).pipe(z.number().int().min(1))]);
const DAY_MS = 24 * 60 * 60 * 1000;

/** How long a carrier's name may be: the API's own schema. */
const NAME = z.toJSONSchema(updateCarrierInput.shape.name) as { minLength?: number; maxLength?: number };

/** The API's refusal at its form field; a name it refused (400: empty or too long) in the page's words, with what is allowed. */
function refusedAt(err: ConsoleApiError, fields: readonly string[], lang: 'en' | 'fr'): FormError[] {
  const error = apiFieldError(err, fields);
  if (err.status === 400 && error.field === 'name') return [{ field: 'name', message: CARRIERS_WORDS[lang].nameRefused(NAME.minLength ?? 1, NAME.maxLength ?? 200) }];
  // The form asks for days, the API for the moment they end.
  return [error.field === 'expiresAt' ? { ...error, field: 'days' } : error];
}

export const carriersScreen: ConsoleScreen = (app) => {
  const title = (req: FastifyRequest) => SETUP_WORDS[viewerOf(req).lang].screens.carriers.name;

  const listPage = async (req: FastifyRequest, reply: FastifyReply, o: { done?: CarrierDone; values?: URLSearchParams; errors?: FormError[]; status?: number } = {}) => {
    const v = viewerOf(req);
    const w = CARRIERS_WORDS[v.lang];
    const api = consoleApiOf(req);
    const { carriers } = await api.get(Replies.carriers, '/carriers');
    // The live codes of each carrier, for whoever may see codes.
    let live: Map<string, number> | undefined;
    if (mayCall(v.principal, 'GET', '/console/carriers/:carrierId/sheet')) {
      const now = Date.now();
      const counts = await Promise.all(
        carriers.map(async (c) => [c.id, (await api.get(Replies.carrierCodes, `/carriers/${encodeURIComponent(c.id)}/codes`)).carrierCodes.filter((x) => codeState(x, now) === 'live').length] as const),
      );
      live = new Map(counts);
    }
    const add = mayCall(v.principal, 'POST', '/console/carriers/new')
      ? html`<section class="panel setup-panel" aria-labelledby="add-h"><h2 id="add-h">${w.add}</h2>${nameForm(v, { action: `${CARRIERS_PATH}/new`, value: o.values?.get('name') ?? '', submit: w.addSubmit, errors: o.errors })}</section>`
      : '';
    const body = html`${notice(o.done ? w.done[o.done] : undefined)}<p><a href="${CONSOLE_PATHS.settings}">${SETUP_WORDS[v.lang].title}</a></p>
<p>${w.intro}</p>
${carriersTable(v.lang, carriers, live)}
${add}`;
    return sendConsolePage(reply, o.status ?? 200, v, { title: title(req), active: 'settings', body });
  };

  const carrierPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    id: string,
    o: { done?: CarrierDone; issued?: { id: string; code: string }; rename?: { values: URLSearchParams; errors: FormError[] }; issue?: { values: URLSearchParams; errors: FormError[] }; refused?: ConsoleApiError; status?: number } = {},
  ) => {
    const v = viewerOf(req);
    const w = CARRIERS_WORDS[v.lang];
    const api = consoleApiOf(req);
    const enc = encodeURIComponent(id);
    const p = v.principal;
    const mayCodes = mayCall(p, 'POST', '/console/carriers/:carrierId/codes');
    const [{ carrier }, codes, names] = await Promise.all([
      api.get(Replies.carrier, `/carriers/${enc}`),
      mayCodes ? api.get(Replies.carrierCodes, `/carriers/${enc}/codes`).then((r) => r.carrierCodes) : Promise.resolve([]),
      Promise.all([api.get(Replies.banks, '/banks'), api.get(Replies.locations, '/locations')]).then(([b, l]) => bankNames(b.banks, l.locations)),
    ]);
    const path = carrierPath(carrier.id);
    const sections: SafeHtml[] = [];
    if (mayCall(p, 'POST', '/console/carriers/:carrierId')) {
      sections.push(html`<section class="panel setup-panel" aria-labelledby="name-h"><h2 id="name-h">${w.details}</h2>${nameForm(v, { action: path, value: o.rename?.values.get('name') ?? carrier.name, submit: w.renameSubmit, errors: o.rename?.errors })}
${confirmAction(v, 'delete', { summary: w.deleteSummary, text: w.deleteText(carrier.name), action: `${path}/delete`, submit: w.deleteSubmit, danger: true })}</section>`);
    }
    if (mayCodes) {
      sections.push(html`<section class="panel setup-panel" aria-labelledby="codes-h"><h2 id="codes-h">${w.codes}</h2><p>${w.codesIntro}</p>
<p><a href="${path}/sheet">${w.sheetLink}</a></p>
${codesTable(v, carrier.id, codes, names, { now: Date.now(), mayRevoke: mayCall(p, 'POST', '/console/carriers/:carrierId/codes/:carrierCodeId/revoke') })}
<h3 id="issue-h">${w.issue}</h3>${issueForm(v, carrier.id, { banks: names, values: o.issue?.values ?? new URLSearchParams(), errors: o.issue?.errors })}</section>`);
    }
    const body = html`${notice(o.done ? w.done[o.done] : undefined)}${o.refused ? notice(apiText(v.lang, o.refused.message), true) : ''}${o.issued ? issuedNotice(v.lang, carrier.id, o.issued) : ''}
<p><a href="${CARRIERS_PATH}">${w.back}</a></p>
${sections}`;
    return sendConsolePage(reply, o.status ?? 200, v, { title: w.carrierTitle(carrier.name), active: 'settings', body });
  };

  app.get(CARRIERS_PATH, { schema: { hide: true } }, async (req, reply) => listPage(req, reply, doneOf(req.query, DONE)));

  app.post(`${CARRIERS_PATH}/new`, { schema: { hide: true } }, async (req, reply) => {
    const f = formOf(req);
    try {
      const { carrier } = await consoleApiOf(req).call(Replies.carrier, 'POST', '/carriers', { name: (f.get('name') ?? '').trim() });
      return seeOther(reply, `${carrierPath(carrier.id)}?done=created`);
    } catch (err) {
      const e = apiRefusal(err);
      return listPage(req, reply, { values: f, errors: refusedAt(e, ['name'], viewerOf(req).lang), status: e.status });
    }
  });

  // The addresses of the posts, asked for again (a reload after htmx showed a post's answer): the pages they belong to.
  app.get(`${CARRIERS_PATH}/new`, { schema: { hide: true } }, async (_req, reply) => seeOther(reply, CARRIERS_PATH));
  app.get(`${CARRIERS_PATH}/:carrierId/codes`, { schema: { hide: true } }, async (req, reply) => seeOther(reply, carrierPath(CarrierParams.parse(req.params).carrierId)));

  app.get(`${CARRIERS_PATH}/:carrierId`, { schema: { hide: true } }, async (req, reply) => carrierPage(req, reply, CarrierParams.parse(req.params).carrierId, doneOf(req.query, DONE)));

  app.post(`${CARRIERS_PATH}/:carrierId`, { schema: { hide: true } }, async (req, reply) => {
    const { carrierId } = CarrierParams.parse(req.params);
    const f = formOf(req);
    try {
      await consoleApiOf(req).call(Replies.carrier, 'PATCH', `/carriers/${encodeURIComponent(carrierId)}`, { name: (f.get('name') ?? '').trim() });
      return seeOther(reply, `${carrierPath(carrierId)}?done=saved`);
    } catch (err) {
      const e = apiRefusal(err);
      return carrierPage(req, reply, carrierId, { rename: { values: f, errors: refusedAt(e, ['name'], viewerOf(req).lang) }, status: e.status });
    }
  });

  app.post(`${CARRIERS_PATH}/:carrierId/delete`, { schema: { hide: true } }, async (req, reply) => {
    const { carrierId } = CarrierParams.parse(req.params);
    try {
      await consoleApiOf(req).call(Replies.carrier, 'DELETE', `/carriers/${encodeURIComponent(carrierId)}`);
      return seeOther(reply, `${CARRIERS_PATH}?done=deleted`);
    } catch (err) {
      const e = apiRefusal(err);
      return carrierPage(req, reply, carrierId, { refused: e, status: e.status });
    }
  });

  // Answered with the page itself, not a redirect: the code in clear is in this answer only, never in an address.
  app.post(`${CARRIERS_PATH}/:carrierId/codes`, { schema: { hide: true } }, async (req, reply) => {
    const { carrierId } = CarrierParams.parse(req.params);
    const v = viewerOf(req);
    const f = formOf(req);
    const days = DaysField.safeParse((f.get('days') ?? '').trim());
    if (!days.success) {
      return carrierPage(req, reply, carrierId, { issue: { values: f, errors: [{ field: 'days', message: CARRIERS_WORDS[v.lang].daysInvalid }] }, status: 400 });
    }
    const body = {
      digits: typedNumber(f.get('digits')),
      bankIds: f.getAll('bankIds'),
      ...(days.data !== '' ? { expiresAt: Date.now() + days.data * DAY_MS } : {}),
    };
    try {
      const r = await consoleApiOf(req).call(Replies.carrierCode, 'POST', `/carriers/${encodeURIComponent(carrierId)}/codes`, body);
      return carrierPage(req, reply, carrierId, { issued: { id: r.carrierCode.id, code: r.code } });
    } catch (err) {
      const e = apiRefusal(err);
      return carrierPage(req, reply, carrierId, { issue: { values: f, errors: refusedAt(e, ['digits', 'bankIds', 'expiresAt'], v.lang) }, status: e.status });
    }
  });

  app.post(`${CARRIERS_PATH}/:carrierId/codes/:carrierCodeId/revoke`, { schema: { hide: true } }, async (req, reply) => {
    const { carrierId, carrierCodeId } = CodeParams.parse(req.params);
    try {
      await consoleApiOf(req).call(Replies.revokedCarrierCode, 'POST', `/carrier-codes/${encodeURIComponent(carrierCodeId)}/revoke`);
      return seeOther(reply, `${carrierPath(carrierId)}?done=revoked`);
    } catch (err) {
      const e = apiRefusal(err);
      return carrierPage(req, reply, carrierId, { refused: e, status: e.status });
    }
  });

  app.get(`${CARRIERS_PATH}/:carrierId/sheet`, { schema: { hide: true } }, async (req, reply) => {
    const { carrierId } = CarrierParams.parse(req.params);
    const v = viewerOf(req);
    const api = consoleApiOf(req);
    const q = SheetQuery.safeParse(req.query);
    const only = q.success && q.data.code !== undefined ? new Set([q.data.code].flat()) : undefined;
    const enc = encodeURIComponent(carrierId);
    const [{ carrier }, { carrierCodes }, { banks }, { locations }] = await Promise.all([
      api.get(Replies.carrier, `/carriers/${enc}`),
      api.get(Replies.carrierCodes, `/carriers/${enc}/codes`),
      api.get(Replies.banks, '/banks'),
      api.get(Replies.locations, '/locations'),
    ]);
    const now = Date.now();
    const printable = carrierCodes.filter((c) => codeState(c, now) === 'live' && (!only || only.has(c.id))).sort((a, b) => a.createdAt - b.createdAt);
    const items = await Promise.all(printable.map((c) => qrOf(req, c)));
    const body = sheetBody(v.lang, carrier, items, bankNames(banks, locations), { filtered: only !== undefined });
    return sendConsolePage(reply, 200, v, { title: CARRIERS_WORDS[v.lang].sheetTitle(carrier.name), active: 'settings', body });
  });
};

/** A live code's label: the API's QR image (its SVG, drawn by the API) as a data: address, or the API's refusal. */
async function qrOf(req: FastifyRequest, code: SheetItem['code']): Promise<SheetItem> {
  const r = await consoleApiOf(req).raw('GET', `/carrier-codes/${encodeURIComponent(code.id)}/qr.svg`);
  if (r.status === 200) return { code, image: `data:image/svg+xml;base64,${Buffer.from(r.body, 'utf8').toString('base64')}` };
  const err = apiError(r);
  if (err.status >= 500) throw err;
  return { code, refused: err.message };
}

