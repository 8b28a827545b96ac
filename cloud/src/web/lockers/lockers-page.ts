/**
 * Manage lockers: `/console/lockers` (a bank's grid, its status filter and counts, its controllers online or not) and
 * `/console/lockers/:bankId/:number` (one locker: its contents and the actions the role allows: open remotely with a
 * reason and the door's answer shown as it comes, out of / back in service, end the reservation or remove an expired
 * parcel, reserve). Every action is the API's; a refusal shows the API's reason.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ControllersReply } from '../../http/routes/controllers.ts';
import { RemoteOpenReply } from '../../http/routes/remote-open.ts';
import { Replies } from '../../http/schemas.ts';
import { ConsoleApiError, consoleApiOf } from '../console-api.ts';
import { formOf, isFragmentRequest, seeOther, viewerOf, type ConsoleScreen } from '../console.ts';
import { flag, html, type SafeHtml } from '../html.ts';
import { mayCall } from '../menu.ts';
import { csrfField, sendConsolePage, sendFragment, type Viewer } from '../shell.ts';
import { bankGrid, legend, lockerPath, lockerSummary, statusFilter, LOCKER_STATUSES } from './lockers-grid.ts';
import { LOCKERS_WORDS, type OpenOutcome } from './lockers-words.ts';

const ListQuery = z.looseObject({ bank: z.string().max(100).optional(), status: z.enum(LOCKER_STATUSES as [string, ...string[]]).optional() });
const LockerParams = z.object({ bankId: z.string().max(100), number: z.coerce.number().int().min(1).max(9999) });
const DoneQuery = z.looseObject({ done: z.string().max(20).optional() });

type LockerStatusName = (typeof LOCKER_STATUSES)[number];

export const lockersScreen: ConsoleScreen = (app) => {
  app.get('/console/lockers', { schema: { hide: true } }, async (req, reply) => {
    const v = viewerOf(req);
    const w = LOCKERS_WORDS[v.lang];
    const api = consoleApiOf(req);
    const q = ListQuery.safeParse(req.query);
    const query = q.success ? q.data : {};
    const [{ banks }, { locations }] = await Promise.all([api.get(Replies.banks, '/banks'), api.get(Replies.locations, '/locations')]);
    if (banks.length === 0) return sendConsolePage(reply, 200, v, { title: w.title, active: 'lockers', body: html`<p>${w.noBanks}</p>` });
    const bank = banks.find((b) => b.id === query.bank) ?? banks[0]!;
    const only = query.status as LockerStatusName | undefined;
    const [{ lockers }, { controllers }] = await Promise.all([
      api.get(Replies.lockerViews, `/banks/${encodeURIComponent(bank.id)}/lockers`),
      api.get(ControllersReply, `/banks/${encodeURIComponent(bank.id)}/controllers`),
    ]);
    const placeName = new Map(locations.map((l) => [l.id, l.name]));
    const options = banks.map((b) => html`<option value="${b.id}"${flag('selected', b.id === bank.id)}>${placeName.get(b.locationId) ?? b.locationId} – ${b.name}</option>`);
    const body = html`<form class="toolbar" method="get" action="/console/lockers">
<div class="field"><label for="bank">${w.bank}</label><select id="bank" name="bank">${options}</select></div>
<button type="submit" class="secondary">${w.show}</button>
</form>
<h2>${bank.name}</h2>
${statusFilter(v.lang, bank.id, lockers, only)}
${legend(v.lang)}
${bankGrid(v.lang, bank.name, lockers, controllers, only)}`;
    return sendConsolePage(reply, 200, v, { title: w.title, active: 'lockers', body });
  });

  app.get('/console/lockers/:bankId/:number', { schema: { hide: true } }, async (req, reply) => {
    const { bankId, number } = LockerParams.parse(req.params);
    const done = DoneQuery.safeParse(req.query);
    return lockerPage(req, reply, bankId, number, { done: done.success ? done.data.done : undefined });
  });

  app.post('/console/lockers/:bankId/:number/open', { schema: { hide: true } }, async (req, reply) => {
    const { bankId, number } = LockerParams.parse(req.params);
    const v = viewerOf(req);
    const w = LOCKERS_WORDS[v.lang];
    const reason = (formOf(req).get('reason') ?? '').trim().slice(0, 200);
    let outcome: SafeHtml;
    let status = 200;
    if (reason === '') {
      outcome = html`<div class="notice bad" role="alert"><p>${w.reasonMissing}</p></div>`;
      status = 400;
    } else {
      try {
        const r = await consoleApiOf(req).call(RemoteOpenReply, 'POST', `/banks/${encodeURIComponent(bankId)}/lockers/${number}/open`, { reason });
        outcome = outcomeNotice(v, r.outcome, r.reason);
      } catch (err) {
        if (!(err instanceof ConsoleApiError) || err.status >= 500 && err.status !== 503) throw err;
        outcome = html`<div class="notice bad" role="alert"><p>${err.message}</p></div>`;
        status = err.status;
      }
    }
    if (isFragmentRequest(req)) return sendFragment(reply, status, outcome);
    return lockerPage(req, reply, bankId, number, { outcome, status });
  });

  app.post('/console/lockers/:bankId/:number/service', { schema: { hide: true } }, async (req, reply) => {
    const { bankId, number } = LockerParams.parse(req.params);
    const f = formOf(req);
    const state = f.get('state') === 'in-service' ? 'in-service' : 'out-of-service';
    const reason = (f.get('reason') ?? '').trim().slice(0, 200);
    await consoleApiOf(req).call(Replies.lockerView, 'PUT', `/banks/${encodeURIComponent(bankId)}/lockers/${number}/service`, { state, ...(reason ? { reason } : {}) });
    return seeOther(reply, `${lockerPath(bankId, number)}?done=service`);
  });

  app.post('/console/lockers/:bankId/:number/end', { schema: { hide: true } }, async (req, reply) => {
    const { bankId, number } = LockerParams.parse(req.params);
    const f = formOf(req);
    const id = f.get('reservationId') ?? '';
    const reason = f.get('reason') === 'removed' ? 'removed' : 'cancelled';
    await consoleApiOf(req).call(Replies.reservation, 'POST', `/reservations/${encodeURIComponent(id)}/end`, { reason });
    return seeOther(reply, `${lockerPath(bankId, number)}?done=end`);
  });
};

function outcomeNotice(v: Viewer, outcome: OpenOutcome, reason: string | undefined): SafeHtml {
  const w = LOCKERS_WORDS[v.lang];
  const good = outcome === 'opened' || outcome === 'already_open';
  return html`<div class="notice ${good ? 'ok' : 'bad'}" role="${good ? 'status' : 'alert'}" data-outcome="${outcome}"><p>${w.outcomes[outcome]}${reason ? ` (${reason})` : ''}</p></div>`;
}

/** One locker's page: its summary and the actions the viewer's role allows on it. */
async function lockerPage(
  req: FastifyRequest,
  reply: FastifyReply,
  bankId: string,
  number: number,
  o: { outcome?: SafeHtml; status?: number; done?: string | undefined },
): Promise<FastifyReply> {
  const v = viewerOf(req);
  const w = LOCKERS_WORDS[v.lang];
  const api = consoleApiOf(req);
  const enc = encodeURIComponent(bankId);
  const [view, { bank }, { controllers }] = await Promise.all([
    api.get(Replies.lockerView, `/banks/${enc}/lockers/${number}`),
    api.get(Replies.bank, `/banks/${enc}`),
    api.get(ControllersReply, `/banks/${enc}/controllers`),
  ]);
  const controller = controllers.find((c) => c.columnId === view.locker.columnId);
  const path = lockerPath(bankId, number);
  const p = v.principal;
  const sections: SafeHtml[] = [];
  if (mayCall(p, 'POST', '/console/lockers/:bankId/:number/open')) {
    sections.push(html`<section class="panel" aria-labelledby="open-h"><h2 id="open-h">${w.openHeading}</h2>
${controller && !controller.online ? html`<p class="notice bad">${w.controllerOffline}</p>` : ''}
<form method="post" action="${path}/open" hx-post="${path}/open" hx-target="#open-outcome" hx-swap="innerHTML" hx-disabled-elt="find button">
${csrfField(v)}
<div class="field"><label for="reason">${w.reason}</label><p class="hint" id="reason-hint">${w.reasonHint}</p><input type="text" id="reason" name="reason" maxlength="200" required aria-describedby="reason-hint"></div>
<button type="submit">${w.openSubmit}</button> <span class="htmx-indicator" role="status">${w.opening}</span>
</form>
<div id="open-outcome" class="outcome" aria-live="polite">${o.outcome ?? ''}</div>
</section>`);
  }
  if (mayCall(p, 'POST', '/console/lockers/:bankId/:number/service')) {
    const out = view.status === 'out-of-service';
    sections.push(html`<section class="panel" aria-labelledby="service-h"><h2 id="service-h">${w.serviceHeading}</h2>
<form method="post" action="${path}/service">${csrfField(v)}<input type="hidden" name="state" value="${out ? 'in-service' : 'out-of-service'}">
${out ? '' : html`<div class="field"><label for="service-reason">${w.serviceReason}</label><input type="text" id="service-reason" name="reason" maxlength="200"></div>`}
<button type="submit" class="secondary">${out ? w.backInService : w.outOfService}</button></form></section>`);
  }
  const contents = view.contents;
  if (contents && mayCall(p, 'POST', '/console/lockers/:bankId/:number/end')) {
    const expired = view.status === 'expired';
    sections.push(html`<section class="panel" aria-labelledby="end-h"><h2 id="end-h">${w.endHeading}</h2>
<form method="post" action="${path}/end">${csrfField(v)}<input type="hidden" name="reservationId" value="${contents.reservationId}"><input type="hidden" name="reason" value="${expired ? 'removed' : 'cancelled'}">
<button type="submit" class="danger">${expired ? w.removeExpired : w.endReservation}</button></form></section>`);
  }
  if (view.status === 'available' && mayCall(p, 'GET', '/console/reservations/new')) {
    sections.push(html`<p><a class="button" href="/console/reservations/new?bank=${bankId}&amp;locker=${number}">${w.reserve}</a></p>`);
  }
  const door = controller?.online ? (controller.doors.find((d) => d.door === view.locker.door)?.state ?? 'unknown') : 'unknown';
  const body = html`${o.done ? html`<div class="notice ok" role="status"><p>${w.done}</p></div>` : ''}
<p><a href="/console/lockers?bank=${bankId}">${w.title}: ${bank.name}</a></p>
<section class="panel" aria-labelledby="details-h"><h2 id="details-h">${w.details}</h2>
<p><strong>${w.statuses[view.status]}</strong>${view.accessible ? html` · ${w.accessible}` : ''} · ${w.door[door]}${controller ? html` · <span class="${controller.online ? 'online' : 'offline'}">${controller.online ? w.online : w.offline(undefined)}</span>` : ''}</p>
${lockerSummary(v.lang, view)}
</section>
${sections.length > 0 ? html`<h2>${w.actions}</h2><div class="panels">${sections}</div>` : ''}`;
  return sendConsolePage(reply, o.status ?? 200, v, { title: w.lockerTitle(number, bank.name), active: 'lockers', body });
}
