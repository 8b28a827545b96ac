/**
 * Reservations: `/console/reservations` (the live reservations of the banks the person may see, filtered by bank and
 * status, searched as you type, and the parcels a kiosk took without a recipient) and `/console/reservations/new`
 * (reserve a package, a return, an exchange or day-use storage for a recipient found in the address book). The API
 * chooses the locker: an accessible one for whoever needs it, the recipient's dedicated one first; when none fits the
 * page shows the API's own words. The reservation's own page is reservation-page.ts.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { LOCKER_SIZES } from '@portier/protocol';
import { reservationStatusSchema, RESERVATION_KINDS, type ReservationKind } from '../../domain/model.ts';
import { ReservationsReply } from '../../http/routes/reservations.ts';
import { Replies } from '../../http/schemas.ts';
import { ConsoleApiError, consoleApiOf } from '../console-api.ts';
import { formOf, isFragmentRequest, viewerOf, type ConsoleScreen } from '../console.ts';
import { flag, html, type SafeHtml } from '../html.ts';
import { mayCall } from '../menu.ts';
import { csrfField, sendConsolePage, sendFragment } from '../shell.ts';
import { reservationDetail, reservationScreenDetail } from './reservation-page.ts';
import { maySearch, pickerFor, searchRecipients } from './recipient-search.ts';
import { apiErrorSummary, parseRecipient, pickerResults, recipientPicker, reservationsTable, RESERVATIONS_PATH } from './reservations-render.ts';
import { RESERVATIONS_WORDS, type StorageModeName } from './reservations-words.ts';

const LIST_LIMIT = 200;
const STORAGE_MODES: readonly StorageModeName[] = ['fixed', 'flexible', 'open'];
const ListQuery = z.looseObject({
  bank: z.string().max(64).optional(),
  status: reservationStatusSchema.exclude(['ended']).optional().catch(undefined),
  q: z.string().max(200).optional(),
  unassigned: z.string().max(5).optional(),
});
const NewQuery = z.looseObject({ bank: z.string().max(64).optional(), locker: z.string().regex(/^\d{1,4}$/).optional().catch(undefined) });
const SearchQuery = z.looseObject({ q: z.string().max(200).optional().catch(undefined) });
const Carriers = z.object({ carriers: z.array(z.looseObject({ id: z.string(), name: z.string() })) });

export const reservationsScreen: ConsoleScreen = (app) => {
  app.get(RESERVATIONS_PATH, { schema: { hide: true } }, async (req, reply) => {
    const v = viewerOf(req);
    const w = RESERVATIONS_WORDS[v.lang];
    const api = consoleApiOf(req);
    const parsed = ListQuery.safeParse(req.query);
    const q = parsed.success ? parsed.data : {};
    const unassigned = q.unassigned === '1';
    const { banks } = await api.get(Replies.banks, '/banks');
    const bank = banks.find((b) => b.id === q.bank);
    const qs = new URLSearchParams({ limit: String(LIST_LIMIT) });
    if (bank) qs.set('bankId', bank.id);
    if (q.status) qs.set('status', q.status);
    if (q.q?.trim()) qs.set('q', q.q.trim());
    if (unassigned) qs.set('unassigned', 'true');
    const { reservations } = await api.get(ReservationsReply, `/reservations?${qs}`);
    const names = new Map(banks.map((b) => [b.id, b.name]));
    const bankName = (id: string) => names.get(id) ?? id;
    const results = html`<p>${w.results(reservations.length)}</p>${reservationsTable(v.lang, unassigned ? w.unassignedHeading : w.tableCaption, reservations, bankName, true)}`;
    if (isFragmentRequest(req)) return sendFragment(reply, 200, results);

    let waiting: SafeHtml = html``;
    if (!unassigned) {
      const none = new URLSearchParams({ unassigned: 'true', limit: String(LIST_LIMIT), ...(bank ? { bankId: bank.id } : {}) });
      const parcels = (await api.get(ReservationsReply, `/reservations?${none}`)).reservations;
      waiting = html`<section aria-labelledby="unassigned-h"><h2 id="unassigned-h">${w.unassignedHeading}</h2><p class="hint">${w.unassignedHint}</p>${
        parcels.length === 0 ? html`<p>${w.noneUnassigned}</p>` : reservationsTable(v.lang, w.unassignedHeading, parcels, bankName, true)
      }</section>`;
    }
    const statuses = reservationStatusSchema.exclude(['ended']).options;
    const body = html`${mayCall(v.principal, 'GET', `${RESERVATIONS_PATH}/new`) ? html`<p><a class="button" href="${RESERVATIONS_PATH}/new${bank ? `?bank=${encodeURIComponent(bank.id)}` : ''}">${w.newReservation}</a></p>` : ''}
<form class="toolbar" method="get" action="${RESERVATIONS_PATH}" role="search" aria-label="${w.filter}" hx-get="${RESERVATIONS_PATH}" hx-trigger="input delay:300ms, change" hx-target="#results" hx-push-url="true">
<div class="field"><label for="bank">${w.bank}</label><select id="bank" name="bank"><option value="">${w.allBanks}</option>${banks.map((b) => html`<option value="${b.id}"${flag('selected', b.id === bank?.id)}>${b.name}</option>`)}</select></div>
<div class="field"><label for="status">${w.status}</label><select id="status" name="status"><option value="">${w.allStatuses}</option>${statuses.map((s) => html`<option value="${s}"${flag('selected', s === q.status)}>${w.statuses[s]}</option>`)}</select></div>
<div class="field"><label for="search">${w.search}</label><p class="hint" id="search-hint">${w.searchHint}</p><input type="search" id="search" name="q" value="${q.q ?? ''}" maxlength="200" aria-describedby="search-hint"></div>
<div class="field"><label class="choice" for="unassigned"><input type="checkbox" id="unassigned" name="unassigned" value="1"${flag('checked', unassigned)}> ${w.unassignedOnly}</label></div>
<button type="submit" class="secondary">${w.filter}</button>
</form>
<div id="results" aria-live="polite">${results}</div>
${waiting}`;
    return sendConsolePage(reply, 200, v, { title: unassigned ? w.unassignedHeading : w.title, active: 'reservations', body });
  });

  // The picker's matches, as the person types.
  app.get(`${RESERVATIONS_PATH}/recipients`, { schema: { hide: true } }, async (req, reply) => {
    const v = viewerOf(req);
    const q = SearchQuery.parse(req.query).q ?? '';
    const found = await searchRecipients(consoleApiOf(req), v.principal, q);
    return sendFragment(reply, 200, pickerResults(v.lang, found.contacts, found.departments, undefined, q.trim() !== ''));
  });

  app.get(`${RESERVATIONS_PATH}/new`, { schema: { hide: true } }, async (req, reply) => {
    const q = NewQuery.parse(req.query);
    return newForm(req, reply, { fields: new URLSearchParams(q.bank ? { bank: q.bank } : {}), locker: q.locker, errors: [], status: 200 });
  });

  app.post(`${RESERVATIONS_PATH}/new`, { schema: { hide: true } }, async (req, reply) => {
    const v = viewerOf(req);
    const w = RESERVATIONS_WORDS[v.lang];
    const f = formOf(req);
    if (f.get('action') === 'find') return newForm(req, reply, { fields: f, errors: [], status: 200 });
    const recipient = maySearch(v) ? parseRecipient(f.get('recipient')) : f.get('recipientId')?.trim() ? { type: 'contact' as const, id: f.get('recipientId')!.trim() } : undefined;
    if (!recipient) return newForm(req, reply, { fields: f, errors: [{ field: 'q', message: w.recipientMissing }], status: 400 });
    const kind = (RESERVATION_KINDS as readonly string[]).includes(f.get('kind') ?? '') ? (f.get('kind') as ReservationKind) : 'package';
    const party = (value: string | null) => (value && value !== 'recipient' ? { type: 'carrier' as const, id: value } : recipient);
    const size = f.get('size') ?? '';
    const minutes = Number(f.get('minutes') ?? '');
    const mode = STORAGE_MODES.find((m) => m === f.get('storageMode')) ?? 'fixed';
    const body = {
      bankId: f.get('bank') ?? '',
      kind,
      recipient,
      ...(size !== '' ? { size } : {}),
      ...(kind !== 'storage' && f.get('trackingId')?.trim() ? { trackingId: f.get('trackingId')!.trim() } : {}),
      ...(kind === 'return' || kind === 'exchange' ? { dropOffParty: party(f.get('dropOff')), pickupParty: party(f.get('pickup')) } : {}),
      ...(kind === 'storage' ? { storage: { mode, ...(mode !== 'open' && Number.isInteger(minutes) && minutes > 0 ? { minutes } : {}) } } : {}),
    };
    try {
      const r = await consoleApiOf(req).call(Replies.reserved, 'POST', '/reservations', body);
      // The reservation's page, with the code the API answers this once (never kept anywhere); its address is in
      // the Location header and on the page.
      reply.header('location', `${RESERVATIONS_PATH}/${encodeURIComponent(r.reservation.id)}`);
      return reservationDetail(req, reply, r.reservation.id, { status: 201, justReserved: { addedToExisting: r.addedToExisting, code: r.dropOffCode, expiresAt: r.dropOffCodeExpiresAt } });
    } catch (err) {
      if (!(err instanceof ConsoleApiError) || err.status >= 500) throw err;
      return newForm(req, reply, { fields: f, errors: [{ field: formField(err.field), message: err.message }], status: err.status });
    }
  });

  reservationScreenDetail(app);
};

/** The form's field an API error names (`body.size` -> size), for the error summary's link. */
function formField(apiField: string | undefined): string | undefined {
  const f = apiField?.replace(/^body\./, '');
  if (f === undefined) return undefined;
  if (f.startsWith('recipient')) return 'q';
  if (f.startsWith('storage')) return 'minutes';
  if (f.startsWith('dropOffParty')) return 'dropOff';
  if (f.startsWith('pickupParty')) return 'pickup';
  return ({ bankId: 'bank', size: 'size', dimensions: 'size', trackingId: 'trackingId', kind: 'kind-package' } as Record<string, string>)[f];
}

interface FormState {
  fields: URLSearchParams;
  locker?: string | undefined;
  errors: Array<{ field: string | undefined; message: string }>;
  status: number;
}

async function newForm(req: FastifyRequest, reply: FastifyReply, s: FormState): Promise<FastifyReply> {
  const v = viewerOf(req);
  const w = RESERVATIONS_WORDS[v.lang];
  const api = consoleApiOf(req);
  const f = s.fields;
  const mayCarriers = mayCall(v.principal, 'GET', '/api/v1/carriers');
  const [{ banks }, carriers] = await Promise.all([api.get(Replies.banks, '/banks'), mayCarriers ? api.get(Carriers, '/carriers').then((c) => c.carriers) : Promise.resolve([])]);
  const kind = f.get('kind') ?? 'package';
  const chosen = f.get('recipient') ?? undefined;
  const results = await pickerFor(api, v, f.get('q') ?? '', chosen);
  const err = (field: string) => s.errors.find((e) => e.field === field);
  const invalid = (field: string) => (err(field) ? html` aria-invalid="true"` : '');
  const errText = (field: string) => (err(field) ? html`<p class="field-error" id="${field}-error">${err(field)!.message}</p>` : '');
  const described = (field: string, hint?: string) => [hint, err(field) ? `${field}-error` : undefined].filter(Boolean).join(' ');
  const partyOptions = (sel: string | null, dflt: string) =>
    html`<option value="recipient"${flag('selected', (sel ?? dflt) === 'recipient')}>${w.theRecipient}</option>${carriers.map((c) => html`<option value="${c.id}"${flag('selected', (sel ?? dflt) === c.id)}>${w.carrier(c.name)}</option>`)}`;
  const firstCarrier = carriers[0]?.id ?? 'recipient';
  const body = html`${apiErrorSummary(v.lang, s.errors)}
${s.locker ? html`<p class="notice">${w.lockerFromGrid(s.locker)}</p>` : ''}
<form method="post" action="${RESERVATIONS_PATH}/new" class="reserve" hx-boost="false">
${csrfField(v)}
<fieldset><legend>${w.kind}</legend>${RESERVATION_KINDS.map(
    (k) => html`<label class="choice" for="kind-${k}"><input type="radio" id="kind-${k}" name="kind" value="${k}"${flag('checked', kind === k)}> ${w.kinds[k]}</label>`,
  )}</fieldset>
<div class="field"><label for="bank">${w.bank}</label>${errText('bank')}<select id="bank" name="bank"${invalid('bank')}${described('bank') ? html` aria-describedby="${described('bank')}"` : ''}>${banks.map(
    (b) => html`<option value="${b.id}"${flag('selected', b.id === f.get('bank'))}>${b.name}</option>`,
  )}</select></div>
${recipientPicker(v.lang, { q: f.get('q') ?? '', results, error: err('q')?.message, searchable: maySearch(v), chosen })}
<div class="field"><label for="size">${w.size}</label><p class="hint" id="size-hint">${w.sizeHint}</p>${errText('size')}<select id="size" name="size" aria-describedby="${described('size', 'size-hint')}"${invalid('size')}><option value="">–</option>${LOCKER_SIZES.map(
    (z) => html`<option value="${z}"${flag('selected', (f.get('size') ?? 'S') === z)}>${z}</option>`,
  )}</select></div>
<div class="field"><label for="trackingId">${w.trackingId}</label><p class="hint" id="tracking-hint">${w.trackingHint}</p>${errText('trackingId')}<input type="text" id="trackingId" name="trackingId" value="${f.get('trackingId') ?? ''}" maxlength="100" aria-describedby="${described('trackingId', 'tracking-hint')}"${invalid('trackingId')}></div>
<fieldset><legend>${w.partiesLegend}</legend><p class="hint">${w.partiesHint}</p>
<div class="field"><label for="dropOff">${w.broughtBy}</label>${errText('dropOff')}<select id="dropOff" name="dropOff"${invalid('dropOff')}>${partyOptions(f.get('dropOff'), 'recipient')}</select></div>
<div class="field"><label for="pickup">${w.collectedBy}</label>${errText('pickup')}<select id="pickup" name="pickup"${invalid('pickup')}>${partyOptions(f.get('pickup'), firstCarrier)}</select></div>
</fieldset>
<fieldset><legend>${w.storageLegend}</legend><p class="hint">${w.storageHint}</p>
<div class="field"><label for="storageMode">${w.storageMode}</label><select id="storageMode" name="storageMode">${STORAGE_MODES.map(
    (m) => html`<option value="${m}"${flag('selected', f.get('storageMode') === m)}>${w.storageModes[m]}</option>`,
  )}</select></div>
<div class="field"><label for="minutes">${w.minutes}</label><p class="hint" id="minutes-hint">${w.minutesHint}</p>${errText('minutes')}<input type="number" id="minutes" name="minutes" min="1" max="43200" value="${f.get('minutes') ?? '60'}" aria-describedby="${described('minutes', 'minutes-hint')}"${invalid('minutes')}></div>
</fieldset>
<button type="submit">${w.reserve}</button>
</form>`;
  return sendConsolePage(reply, s.status, v, { title: w.newTitle, active: 'reservations', body });
}
