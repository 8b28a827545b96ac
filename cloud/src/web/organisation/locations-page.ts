/**
 * A location's pages: `/console/organisation/locations/new?division=` and `/locations/:locationId` (every postal field,
 * the reach range as a preset or custom heights in cm, its banks with the link to add one, delete). The API checks
 * every value (country code, phone digits, the range's order) and its words show at the field.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { LOCATION_ADDRESS_KEYS, REACH_PRESETS, type Location, type LocationAddress } from '../../domain/model.ts';
import type { PageLanguage } from '../../http/pages/i18n.ts';
import { Replies } from '../../http/schemas.ts';
import { consoleApiOf, type ConsoleApiError } from '../console-api.ts';
import { seeOther, viewerOf } from '../console.ts';
import { apiFieldError, apiRefusal, errorSummary, type FormError, sameNames } from '../form-errors.ts';
import { inputField, selectField, typedNumber } from '../form-fields.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField, sendConsolePage, type Viewer } from '../shell.ts';
import { SHELL_WORDS } from '../shell-words.ts';
import { ORG_PATH, IdParam, bankPath, deleteAction, divisionPath, doneFrom, doneNotice, formText, locationPath, parseForm, refusalNotice } from './org-forms.ts';
import { ORGANISATION_WORDS, type OrgDone } from './organisation-words.ts';

const PRESETS = ['default', 'ada-2010', 'custom'] as const;
const LocationForm = z.object({
  divisionId: formText(100),
  name: formText(400),
  ...(Object.fromEntries(LOCATION_ADDRESS_KEYS.map((k) => [k, formText(400)])) as Record<keyof LocationAddress, ReturnType<typeof formText>>),
  preset: z.enum(PRESETS).catch('default'),
  minCm: formText(40),
  maxCm: formText(40),
});
type LocationValues = z.infer<typeof LocationForm>;
const LocationParams = z.object({ locationId: IdParam });
const NewQuery = z.looseObject({ division: z.string().max(100).optional() });
/** The API's fields (`reach.minCm`, `address`) as the form's inputs. */
const FIELDS: Record<string, string> = { ...sameNames('divisionId', 'name', ...LOCATION_ADDRESS_KEYS, 'minCm', 'maxCm', 'preset'), reach: 'preset', address: 'addressLine1' };
const enc = encodeURIComponent;
type Refused = FormError & { status: number };

function valuesOf(l: Location): LocationValues {
  const address = Object.fromEntries(LOCATION_ADDRESS_KEYS.map((k) => [k, l[k] ?? ''])) as Record<keyof LocationAddress, string>;
  return { divisionId: l.divisionId, name: l.name, ...address, preset: l.reach.preset, minCm: l.reach.minCm?.toString() ?? '', maxCm: l.reach.maxCm?.toString() ?? '' };
}

/** The reach range as the API takes it: the heights only with a custom range (the form keeps them otherwise unused). */
function reachOf(x: LocationValues): Record<string, unknown> {
  return x.preset === 'custom' ? { preset: 'custom', minCm: typedNumber(x.minCm), maxCm: typedNumber(x.maxCm) } : { preset: x.preset };
}

/** The range a location's lockers are judged by, in words. */
export function reachText(lang: PageLanguage, l: Location): string {
  const r = l.reach.preset === 'custom' ? { minCm: l.reach.minCm ?? 0, maxCm: l.reach.maxCm ?? 0 } : REACH_PRESETS[l.reach.preset];
  return ORGANISATION_WORDS[lang].reachNow(r.minCm, r.maxCm);
}

function locationForm(v: Viewer, o: { action: string; values: LocationValues; error: Refused | undefined; divisions?: ReadonlyArray<{ id: string; name: string }>; submit: string; cancel: string }): SafeHtml {
  const w = ORGANISATION_WORDS[v.lang];
  const x = o.values;
  const e = o.error;
  const text = (id: keyof LocationAddress | 'name', label: string, extra: { hint?: string; maxlength?: number; required?: boolean } = {}) => inputField(v.lang, id, label, x[id], e ? [e] : [], { maxlength: 200, ...extra });
  return html`${errorSummary(v.lang, e ? [e] : [])}<form method="post" action="${o.action}" novalidate>${csrfField(v)}
${o.divisions ? selectField(v.lang, 'divisionId', w.division, o.divisions.map((d) => ({ value: d.id, label: d.name })), x.divisionId, e ? [e] : []) : ''}
${text('name', w.name, { required: true })}
<fieldset><legend>${w.address}</legend>${o.divisions ? '' : html`<p class="hint">${w.emptyRemoves}</p>`}
${text('company', w.company)}
${text('phone', w.phone, { hint: w.phoneHint, maxlength: 25 })}
${text('addressLine1', w.addressLine(1))}
${text('addressLine2', w.addressLine(2))}
${text('addressLine3', w.addressLine(3))}
${text('city', w.city, { maxlength: 100 })}
${text('stateProvince', w.stateProvince, { maxlength: 100 })}
${text('countryCode', w.countryCode, { hint: w.countryHint, maxlength: 2 })}
${text('postalCode', w.postalCode, { maxlength: 25 })}
</fieldset>
<fieldset><legend>${w.reach}</legend><p class="hint">${w.reachHint}</p>
${selectField(v.lang, 'preset', w.preset, PRESETS.map((p) => ({ value: p, label: w.presetLabel(p, p === 'custom' ? undefined : REACH_PRESETS[p]) })), x.preset, e ? [e] : [])}
${inputField(v.lang, 'minCm', w.minCm, x.minCm, e ? [e] : [], { type: 'number', decimal: true, hint: w.customHint, maxlength: 10 })}
${inputField(v.lang, 'maxCm', w.maxCm, x.maxCm, e ? [e] : [], { type: 'number', decimal: true, hint: w.customHint, maxlength: 10 })}
</fieldset>
<div class="actions"><button type="submit">${o.submit}</button><a href="${o.cancel}">${SHELL_WORDS[v.lang].cancel}</a></div>
</form>`;
}

export function locationsRoutes(app: FastifyInstance): void {
  const newPage = async (req: FastifyRequest, reply: FastifyReply, values: LocationValues, e?: Refused): Promise<FastifyReply> => {
    const v = viewerOf(req);
    const w = ORGANISATION_WORDS[v.lang];
    const { divisions } = await consoleApiOf(req).get(Replies.divisions, '/divisions');
    const back = values.divisionId ? divisionPath(values.divisionId) : ORG_PATH;
    const body = html`<p><a href="${ORG_PATH}">${w.back}</a></p>${locationForm(v, { action: `${ORG_PATH}/locations/new`, values, error: e, divisions, submit: w.create, cancel: back })}`;
    return sendConsolePage(reply, e?.status ?? 200, v, { title: w.newLocation, active: 'settings', body });
  };

  const locationPage = async (req: FastifyRequest, reply: FastifyReply, id: string, o: { done?: OrgDone | undefined; values?: LocationValues; error?: Refused; refused?: ConsoleApiError } = {}): Promise<FastifyReply> => {
    const v = viewerOf(req);
    const w = ORGANISATION_WORDS[v.lang];
    const api = consoleApiOf(req);
    const [{ location }, { banks }] = await Promise.all([api.get(Replies.location, `/locations/${enc(id)}`), api.get(Replies.banks, `/banks?locationId=${enc(id)}`)]);
    const path = locationPath(location.id);
    const body = html`${doneNotice(v.lang, o.done)}${refusalNotice(v.lang, o.refused)}<p><a href="${ORG_PATH}">${w.back}</a></p>
<p>${reachText(v.lang, location)}</p>
<section class="panel" aria-labelledby="details-h"><h2 id="details-h">${w.details}</h2>${locationForm(v, { action: path, values: o.values ?? valuesOf(location), error: o.error, submit: SHELL_WORDS[v.lang].save, cancel: ORG_PATH })}</section>
<h2>${w.banks}</h2>
<p><a class="button" href="${ORG_PATH}/banks/new?location=${enc(location.id)}">${w.addBank}</a></p>
${banks.length === 0 ? html`<p>${w.noBanks}</p>` : html`<ul>${banks.map((b) => html`<li><a href="${bankPath(b.id)}">${b.name}</a></li>`)}</ul>`}
${deleteAction(v, 'location', `${path}/delete`)}`;
    return sendConsolePage(reply, o.refused?.status ?? o.error?.status ?? 200, v, { title: w.locationTitle(location.name), active: 'settings', body });
  };

  app.get(`${ORG_PATH}/locations/new`, { schema: { hide: true } }, async (req, reply) => {
    const q = NewQuery.safeParse(req.query);
    return newPage(req, reply, LocationForm.parse({ divisionId: q.success ? (q.data.division ?? '') : '' }));
  });

  app.post(`${ORG_PATH}/locations/new`, { schema: { hide: true } }, async (req, reply) => {
    const x = parseForm(req, LocationForm);
    const address = Object.fromEntries(LOCATION_ADDRESS_KEYS.flatMap((k) => (x[k].trim() !== '' ? [[k, x[k]]] : [])));
    try {
      const { location } = await consoleApiOf(req).call(Replies.location, 'POST', '/locations', { divisionId: x.divisionId, name: x.name, ...address, reach: reachOf(x) });
      return seeOther(reply, `${locationPath(location.id)}?done=added`);
    } catch (err) {
      return newPage(req, reply, x, apiFieldError(apiRefusal(err), FIELDS));
    }
  });

  app.get(`${ORG_PATH}/locations/:locationId`, { schema: { hide: true } }, async (req, reply) => locationPage(req, reply, LocationParams.parse(req.params).locationId, { done: doneFrom(req.query) }));

  app.post(`${ORG_PATH}/locations/:locationId`, { schema: { hide: true } }, async (req, reply) => {
    const { locationId } = LocationParams.parse(req.params);
    const x = parseForm(req, LocationForm);
    // An emptied postal field is removed (null), as the API's edit takes it.
    const address = Object.fromEntries(LOCATION_ADDRESS_KEYS.map((k) => [k, x[k].trim() !== '' ? x[k] : null]));
    try {
      await consoleApiOf(req).call(Replies.location, 'PATCH', `/locations/${enc(locationId)}`, { name: x.name, ...address, reach: reachOf(x) });
      return seeOther(reply, `${locationPath(locationId)}?done=saved`);
    } catch (err) {
      return locationPage(req, reply, locationId, { values: x, error: apiFieldError(apiRefusal(err), FIELDS) });
    }
  });

  app.post(`${ORG_PATH}/locations/:locationId/delete`, { schema: { hide: true } }, async (req, reply) => {
    const { locationId } = LocationParams.parse(req.params);
    try {
      await consoleApiOf(req).call(Replies.location, 'DELETE', `/locations/${enc(locationId)}`);
      return seeOther(reply, `${ORG_PATH}?done=deleted`);
    } catch (err) {
      return locationPage(req, reply, locationId, { refused: apiRefusal(err) });
    }
  });
}
