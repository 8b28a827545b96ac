/**
 * One reservation, `/console/reservations/:id`: its facts (which locker, whether accessible, whether it is the
 * recipient's dedicated locker), its timeline (the activity log about it, or its own milestones when the role may not
 * read the log, and every e-mail about it with where it stands), and what the role may do: a new pickup code (shown
 * once), a recipient for a parcel a kiosk took without one, the end of the reservation.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ActivityReply } from '../../http/routes/activity.ts';
import { ReservationReply } from '../../http/routes/reservations.ts';
import { Replies } from '../../http/schemas.ts';
import { ConsoleApiError, consoleApiOf } from '../console-api.ts';
import { formOf, seeOther, viewerOf } from '../console.ts';
import { formatDateTime } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { mayCall } from '../menu.ts';
import { csrfField, sendConsolePage } from '../shell.ts';
import { maySearch, pickerFor } from './recipient-search.ts';
import {
  codeNotice,
  apiErrorSummary,
  lockerText,
  parseRecipient,
  recipientPicker,
  recipientText,
  reservationPath,
  RESERVATIONS_PATH,
  timeline,
  type ReservationData,
} from './reservations-render.ts';
import { RESERVATIONS_WORDS } from './reservations-words.ts';

const Params = z.object({ id: z.string().min(1).max(64) });
const DoneQuery = z.looseObject({ done: z.string().max(20).optional() });
const TIMELINE_LIMIT = 500;

export interface DetailOptions {
  status?: number;
  /** Just reserved: whether it joined the recipient's locker, and the drop-off code answered this once. */
  justReserved?: { addedToExisting: boolean; code?: string | undefined; expiresAt?: number | undefined };
  /** A code answered this once by an action (a new pickup code, a recipient assigned). */
  code?: { label: string; code: string; hint: string };
  errors?: Array<{ field: string | undefined; message: string }>;
  /** The picker's search on the assign form (its Find button). */
  q?: string;
  chosen?: string | undefined;
  done?: string | undefined;
}

/** The path of a reservation's action, as its route's pattern names it. */
const action = (name: string) => `${RESERVATIONS_PATH}/:id/${name}`;

function canReissue(r: ReservationData): boolean {
  const heldForDropOff = r.status === 'reserved' && (r.kind === 'return' || r.kind === 'exchange' || r.kind === 'storage');
  return r.pickupCodeExpiresAt !== undefined && (r.status === 'occupied' || heldForDropOff);
}

export async function reservationDetail(req: FastifyRequest, reply: FastifyReply, id: string, o: DetailOptions = {}): Promise<FastifyReply> {
  const v = viewerOf(req);
  const w = RESERVATIONS_WORDS[v.lang];
  const p = v.principal;
  const api = consoleApiOf(req);
  const { reservation: r, messages } = await api.get(ReservationReply, `/reservations/${encodeURIComponent(id)}`);
  const enc = encodeURIComponent(r.bankId);
  const mayLocker = r.lockerNumber !== undefined && mayCall(p, 'GET', '/api/v1/banks/:bankId/lockers/:number');
  // The activity log holds who did what; the window starts with the reservation, in its bank (the log's filters).
  const activityQs = new URLSearchParams({ reservationId: r.id, bankId: r.bankId, from: String(r.createdAt), limit: String(TIMELINE_LIMIT) });
  const [{ bank }, view, activity] = await Promise.all([
    api.get(Replies.bank, `/banks/${enc}`),
    mayLocker ? api.get(Replies.lockerView, `/banks/${enc}/lockers/${r.lockerNumber}`) : Promise.resolve(undefined),
    mayCall(p, 'GET', '/api/v1/activity') ? api.get(ActivityReply, `/activity?${activityQs}`).then((a) => a.activity) : Promise.resolve(undefined),
  ]);
  const at = (ms: number | undefined) => (ms === undefined ? undefined : formatDateTime(v.lang, ms));
  const dedicated = view?.locker.dedicatedTo;
  const lockerFacts = view
    ? [view.accessible ? w.accessibleLocker : w.standardLocker, dedicated && dedicated.type === r.recipient.type && dedicated.id === r.recipient.id ? w.dedicatedToRecipient : w.notDedicated]
    : [];
  const facts: Array<[string, string | SafeHtml | undefined]> = [
    [w.kind, w.kinds[r.kind]],
    [w.status, html`<span class="rs rs-${r.status}">${w.statuses[r.status]}${r.endReason ? ` (${w.endReasons[r.endReason]})` : ''}</span>`],
    [w.bank, bank.name],
    [w.locker, html`<span id="locker-fact">${lockerText(v.lang, r)}${lockerFacts.length > 0 ? `: ${lockerFacts.join(', ')}` : ''}</span>`],
    [w.recipient, recipientText(v.lang, r)],
    [w.trackingIds, r.packages.flatMap((x) => (x.trackingId ? [x.trackingId] : [])).join(', ') || undefined],
    [w.created, at(r.createdAt)],
    [w.holdUntil, r.status === 'reserved' ? at(r.holdUntil) : undefined],
    [w.occupiedAt, at(r.occupiedAt)],
    [w.endsAt, at(r.endsAt)],
    [r.status === 'reserved' ? w.dropOffCodeExpires : w.pickupCodeExpires, r.status !== 'ended' ? at(r.pickupCodeExpiresAt) : undefined],
  ];
  const path = reservationPath(r.id);
  const sections: SafeHtml[] = [];
  if (canReissue(r) && mayCall(p, 'POST', action('pickup-code'))) {
    sections.push(html`<section class="panel" aria-labelledby="code-h"><h3 id="code-h">${r.status === 'reserved' ? w.newDropOffCode : w.codeAction}</h3><p class="hint">${w.codeActionHint}</p>
<form method="post" hx-boost="false" action="${path}/pickup-code">${csrfField(v)}<button type="submit" class="secondary">${w.codeSubmit}</button></form></section>`);
  }
  if (r.kind === 'package' && (r.status === 'occupied' || r.status === 'expired') && mayCall(p, 'POST', action('recipient'))) {
    const results = await pickerFor(api, v, o.q ?? '', o.chosen);
    const err = o.errors?.find((e) => e.field === 'q')?.message;
    sections.push(html`<section class="panel" aria-labelledby="assign-h"><h3 id="assign-h">${w.assignAction}</h3><p class="hint">${w.assignHint}</p>
<form method="post" hx-boost="false" action="${path}/recipient">${csrfField(v)}
${recipientPicker(v.lang, { q: o.q ?? '', results, error: err, searchable: maySearch(v), chosen: o.chosen })}
<button type="submit">${w.assignSubmit}</button></form></section>`);
  }
  if (r.status !== 'ended' && mayCall(p, 'POST', action('end'))) {
    const expired = r.status === 'expired';
    sections.push(html`<section class="panel" aria-labelledby="end-h"><h3 id="end-h">${w.endAction}</h3>
<form method="post" hx-boost="false" action="${path}/end">${csrfField(v)}<input type="hidden" name="reason" value="${expired ? 'removed' : 'cancelled'}"><button type="submit" class="danger">${expired ? w.removeSubmit : w.endSubmit}</button></form></section>`);
  }
  const just = o.justReserved;
  const notices: SafeHtml[] = [];
  if (just) notices.push(html`<div class="notice ok" role="status"><p>${w.reserved} ${lockerText(v.lang, r)}${lockerFacts.length > 0 ? `: ${lockerFacts.join(', ')}` : ''}.${just.addedToExisting ? ` ${w.addedToExisting}` : ''}</p></div>`);
  if (just?.code !== undefined) notices.push(codeNotice(w.dropOffCode, just.code, w.dropOffCodeHint(at(just.expiresAt) ?? '')));
  if (o.done === 'end' || o.done === 'assigned') notices.push(html`<div class="notice ok" role="status"><p>${o.done === 'end' ? w.ended : w.assigned}</p></div>`);
  if (o.code) notices.push(codeNotice(o.code.label, o.code.code, o.code.hint));
  const body = html`${apiErrorSummary(v.lang, o.errors ?? [])}${notices}
<p><a href="${RESERVATIONS_PATH}">${w.backToList}</a>${r.lockerNumber !== undefined && mayCall(p, 'GET', '/console/lockers/:bankId/:number') ? html` · <a href="/console/lockers/${enc}/${r.lockerNumber}">${w.lockerPage}</a>` : ''}</p>
<section class="panel" aria-labelledby="details-h"><h2 id="details-h">${w.details}</h2>
<dl class="facts">${facts.filter(([, val]) => val !== undefined && val !== '').map(([k, val]) => html`<dt>${k}</dt><dd>${val}</dd>`)}</dl></section>
<section aria-labelledby="timeline-h"><h2 id="timeline-h">${w.timeline}</h2>${timeline(v.lang, r, activity, messages)}</section>
${sections.length > 0 ? html`<section aria-labelledby="actions-h"><h2 id="actions-h">${w.actions}</h2><div class="layout">${sections}</div></section>` : ''}`;
  return sendConsolePage(reply, o.status ?? 200, v, { title: w.detailTitle(lockerText(v.lang, r), bank.name), active: 'reservations', body });
}

/** A refusal of the API shown on the reservation's page (a 5xx is the console's error page). */
function refusal(err: unknown): { status: number; field: string | undefined; message: string } {
  if (!(err instanceof ConsoleApiError) || err.status >= 500) throw err;
  return { status: err.status, field: err.field?.startsWith('body.recipient') ? 'q' : undefined, message: err.message };
}

export function reservationScreenDetail(app: FastifyInstance): void {
  app.get(`${RESERVATIONS_PATH}/:id`, { schema: { hide: true } }, async (req, reply) => {
    const { id } = Params.parse(req.params);
    const done = DoneQuery.safeParse(req.query);
    return reservationDetail(req, reply, id, { done: done.success ? done.data.done : undefined });
  });

  app.post(`${RESERVATIONS_PATH}/:id/pickup-code`, { schema: { hide: true } }, async (req, reply) => {
    const { id } = Params.parse(req.params);
    const v = viewerOf(req);
    const w = RESERVATIONS_WORDS[v.lang];
    try {
      const r = await consoleApiOf(req).call(Replies.codeReissued, 'POST', `/reservations/${encodeURIComponent(id)}/pickup-code`);
      const label = r.reservation.status === 'reserved' ? w.newDropOffCode : w.newPickupCode;
      return reservationDetail(req, reply, id, { code: { label, code: r.code, hint: w.newPickupCodeHint(formatDateTime(v.lang, r.expiresAt)) } });
    } catch (err) {
      const e = refusal(err);
      return reservationDetail(req, reply, id, { status: e.status, errors: [e] });
    }
  });

  app.post(`${RESERVATIONS_PATH}/:id/recipient`, { schema: { hide: true } }, async (req, reply) => {
    const { id } = Params.parse(req.params);
    const v = viewerOf(req);
    const w = RESERVATIONS_WORDS[v.lang];
    const f = formOf(req);
    const q = f.get('q') ?? '';
    const chosen = f.get('recipient') ?? undefined;
    if (f.get('action') === 'find') return reservationDetail(req, reply, id, { q, chosen });
    const recipient = maySearch(v) ? parseRecipient(chosen) : f.get('recipientId')?.trim() ? { type: 'contact' as const, id: f.get('recipientId')!.trim() } : undefined;
    if (!recipient) return reservationDetail(req, reply, id, { status: 400, q, chosen, errors: [{ field: 'q', message: w.recipientMissing }] });
    try {
      const r = await consoleApiOf(req).call(Replies.codeReissued, 'POST', `/reservations/${encodeURIComponent(id)}/recipient`, { recipient });
      return reservationDetail(req, reply, id, { done: 'assigned', code: { label: w.newPickupCode, code: r.code, hint: w.newPickupCodeHint(formatDateTime(v.lang, r.expiresAt)) } });
    } catch (err) {
      const e = refusal(err);
      return reservationDetail(req, reply, id, { status: e.status, q, chosen, errors: [e] });
    }
  });

  app.post(`${RESERVATIONS_PATH}/:id/end`, { schema: { hide: true } }, async (req, reply) => {
    const { id } = Params.parse(req.params);
    const reason = formOf(req).get('reason') === 'removed' ? 'removed' : 'cancelled';
    await consoleApiOf(req).call(Replies.reservation, 'POST', `/reservations/${encodeURIComponent(id)}/end`, { reason });
    return seeOther(reply, `${reservationPath(id)}?done=end`);
  });
}
