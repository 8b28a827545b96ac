/**
 * The organisation: `/console/organisation` (the tree of the enterprise as the person's access level shows it:
 * divisions > locations > banks, each a link to its page; the enterprise's rename; the locations' CSV files), and a
 * division's pages (`/divisions/new`, `/divisions/:id`: rename, its locations, delete). Locations, banks, columns and
 * lockers have their own modules. Every read and change is the API's; a refusal shows the API's reason.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { PageLanguage } from '../../http/pages/i18n.ts';
import { Replies } from '../../http/schemas.ts';
import { scopeOf } from '../../http/scope.ts';
import type { Bank, Division, Location } from '../../domain/model.ts';
import { consoleApiOf, type ConsoleApiError } from '../console-api.ts';
import { seeOther, viewerOf, type ConsoleScreen } from '../console.ts';
import { apiFieldError, apiRefusal, errorSummary, type FormError, sameNames } from '../form-errors.ts';
import { inputField } from '../form-fields.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField, sendConsolePage } from '../shell.ts';
import { SETUP_WORDS } from '../settings/setup-screens.ts';
import { SHELL_WORDS } from '../shell-words.ts';
import { banksRoutes } from './banks-page.ts';
import { locationFilesRoutes } from './locations-files.ts';
import { locationsRoutes } from './locations-page.ts';
import { lockersRoutes } from './lockers-page.ts';
import { ORG_PATH, IdParam, bankPath, deleteAction, divisionPath, doneFrom, doneNotice, formText, locationPath, parseForm, refusalNotice } from './org-forms.ts';
import { ORGANISATION_WORDS, type OrgDone } from './organisation-words.ts';

const NameForm = z.object({ name: formText(400) });
const DivisionParams = z.object({ divisionId: IdParam });
const enc = encodeURIComponent;

/** Banks under their location, locations under their division: the tree as nested lists of links. */
function tree(lang: PageLanguage, divisions: readonly Division[], locations: readonly Location[], banks: readonly Bank[]): SafeHtml {
  const w = ORGANISATION_WORDS[lang];
  if (divisions.length === 0 && locations.length === 0) return html`<p>${w.noDivisions}</p>`;
  const bankItems = (l: Location) => banks.filter((b) => b.locationId === l.id).map((b) => html`<li><a href="${bankPath(b.id)}">${b.name}</a> <span class="muted">(${w.bank})</span></li>`);
  const locationItems = (ls: readonly Location[]) =>
    ls.map((l) => {
      const items = bankItems(l);
      return html`<li><a href="${locationPath(l.id)}">${l.name}</a> <span class="muted">(${w.location})</span>${items.length > 0 ? html`<ul>${items}</ul>` : ''}</li>`;
    });
  const seen = new Set(divisions.map((d) => d.id));
  // A person whose access level is one location sees it without its division (the API does not show them that).
  const orphans = locations.filter((l) => !seen.has(l.divisionId));
  return html`<ul class="org-tree" aria-label="${w.treeCaption}">${divisions.map((d) => {
    const items = locationItems(locations.filter((l) => l.divisionId === d.id));
    return html`<li><a href="${divisionPath(d.id)}">${d.name}</a> <span class="muted">(${w.division})</span>${items.length > 0 ? html`<ul>${items}</ul>` : ''}</li>`;
  })}${locationItems(orphans)}</ul>`;
}

export const organisationScreen: ConsoleScreen = (app, deps) => {
  const treePage = async (req: FastifyRequest, reply: FastifyReply, o: { done?: OrgDone | undefined; name?: string; error?: FormError & { status: number } } = {}): Promise<FastifyReply> => {
    const v = viewerOf(req);
    const w = ORGANISATION_WORDS[v.lang];
    const api = consoleApiOf(req);
    const [{ enterprises }, { divisions }, { locations }, { banks }] = await Promise.all([
      api.get(Replies.enterprises, '/enterprises'),
      api.get(Replies.divisions, '/divisions'),
      api.get(Replies.locations, '/locations'),
      api.get(Replies.banks, '/banks'),
    ]);
    const enterprise = enterprises.find((e) => e.id === v.principal.enterpriseId);
    // The enterprise is renamed, and divisions added, only by someone whose access level is all of it (the API's rule).
    const whole = scopeOf(req, deps.store).holdsLevel({ kind: 'enterprise' });
    const e = o.error;
    const body = html`${doneNotice(v.lang, o.done)}
<section class="panel" aria-labelledby="enterprise-h"><h2 id="enterprise-h">${w.enterprise}</h2>${
      whole && enterprise
        ? html`${errorSummary(v.lang, e ? [e] : [])}<form method="post" action="${ORG_PATH}/enterprise" class="toolbar" novalidate>${csrfField(v)}${inputField(v.lang, 'name', w.enterpriseName, o.name ?? enterprise.name, e ? [e] : [], { required: true, maxlength: 200 })}<button type="submit">${w.renameEnterprise}</button></form>`
        : html`<p>${enterprise?.name ?? ''}</p>`
    }</section>
<h2>${w.divisions}</h2>
${whole ? html`<p><a class="button" href="${ORG_PATH}/divisions/new">${w.addDivision}</a></p>` : ''}
${tree(v.lang, divisions, locations, banks)}
<section class="panel" aria-labelledby="files-h"><h2 id="files-h">${w.files}</h2>
<ul class="actions plain"><li><a href="${ORG_PATH}/locations/template" hx-boost="false" download>${w.template}</a></li><li><a href="${ORG_PATH}/locations/export" hx-boost="false" download>${w.exportCsv}</a></li><li><a href="${ORG_PATH}/locations/import">${w.importCsv}</a></li></ul></section>`;
    return sendConsolePage(reply, e?.status ?? 200, v, { title: SETUP_WORDS[v.lang].screens.organisation.name, active: 'settings', body });
  };

  app.get(ORG_PATH, { schema: { hide: true } }, async (req, reply) => treePage(req, reply, { done: doneFrom(req.query) }));

  app.post(`${ORG_PATH}/enterprise`, { schema: { hide: true } }, async (req, reply) => {
    const { name } = parseForm(req, NameForm);
    const v = viewerOf(req);
    try {
      await consoleApiOf(req).call(Replies.enterprise, 'PATCH', `/enterprises/${enc(v.principal.enterpriseId)}`, { name });
      return seeOther(reply, `${ORG_PATH}?done=renamed`);
    } catch (err) {
      return treePage(req, reply, { name, error: apiFieldError(apiRefusal(err), sameNames('name')) });
    }
  });

  // ------------------------------------------------------------------------------------------ divisions
  const newDivisionPage = (req: FastifyRequest, reply: FastifyReply, name: string, e?: FormError & { status: number }): FastifyReply => {
    const v = viewerOf(req);
    const w = ORGANISATION_WORDS[v.lang];
    const body = html`<p><a href="${ORG_PATH}">${w.back}</a></p>${errorSummary(v.lang, e ? [e] : [])}<form method="post" action="${ORG_PATH}/divisions/new" novalidate>${csrfField(v)}
${inputField(v.lang, 'name', w.divisionName, name, e ? [e] : [], { required: true, maxlength: 200 })}
<div class="actions"><button type="submit">${w.create}</button><a href="${ORG_PATH}">${SHELL_WORDS[v.lang].cancel}</a></div></form>`;
    return sendConsolePage(reply, e?.status ?? 200, v, { title: w.newDivision, active: 'settings', body });
  };

  const divisionPage = async (req: FastifyRequest, reply: FastifyReply, id: string, o: { done?: OrgDone | undefined; name?: string; error?: FormError & { status: number }; refused?: ConsoleApiError } = {}): Promise<FastifyReply> => {
    const v = viewerOf(req);
    const w = ORGANISATION_WORDS[v.lang];
    const api = consoleApiOf(req);
    const [{ division }, { locations }] = await Promise.all([api.get(Replies.division, `/divisions/${enc(id)}`), api.get(Replies.locations, `/locations?divisionId=${enc(id)}`)]);
    const e = o.error;
    const path = divisionPath(division.id);
    const body = html`${doneNotice(v.lang, o.done)}${refusalNotice(v.lang, o.refused)}<p><a href="${ORG_PATH}">${w.back}</a></p>
<section class="panel" aria-labelledby="details-h"><h2 id="details-h">${w.details}</h2>${errorSummary(v.lang, e ? [e] : [])}<form method="post" action="${path}" novalidate>${csrfField(v)}
${inputField(v.lang, 'name', w.divisionName, o.name ?? division.name, e ? [e] : [], { required: true, maxlength: 200 })}
<button type="submit">${SHELL_WORDS[v.lang].save}</button></form></section>
<h2>${w.locations}</h2>
<p><a class="button" href="${ORG_PATH}/locations/new?division=${enc(division.id)}">${w.addLocation}</a></p>
${locations.length === 0 ? html`<p>${w.noLocations}</p>` : html`<ul>${locations.map((l) => html`<li><a href="${locationPath(l.id)}">${l.name}</a></li>`)}</ul>`}
${deleteAction(v, 'division', `${path}/delete`)}`;
    return sendConsolePage(reply, o.refused?.status ?? e?.status ?? 200, v, { title: w.divisionTitle(division.name), active: 'settings', body });
  };

  app.get(`${ORG_PATH}/divisions/new`, { schema: { hide: true } }, async (req, reply) => newDivisionPage(req, reply, ''));

  app.post(`${ORG_PATH}/divisions/new`, { schema: { hide: true } }, async (req, reply) => {
    const { name } = parseForm(req, NameForm);
    const v = viewerOf(req);
    try {
      const { division } = await consoleApiOf(req).call(Replies.division, 'POST', '/divisions', { enterpriseId: v.principal.enterpriseId, name });
      return seeOther(reply, `${divisionPath(division.id)}?done=added`);
    } catch (err) {
      return newDivisionPage(req, reply, name, apiFieldError(apiRefusal(err), sameNames('name')));
    }
  });

  app.get(`${ORG_PATH}/divisions/:divisionId`, { schema: { hide: true } }, async (req, reply) =>
    divisionPage(req, reply, DivisionParams.parse(req.params).divisionId, { done: doneFrom(req.query) }),
  );

  app.post(`${ORG_PATH}/divisions/:divisionId`, { schema: { hide: true } }, async (req, reply) => {
    const { divisionId } = DivisionParams.parse(req.params);
    const { name } = parseForm(req, NameForm);
    try {
      await consoleApiOf(req).call(Replies.division, 'PATCH', `/divisions/${enc(divisionId)}`, { name });
      return seeOther(reply, `${divisionPath(divisionId)}?done=saved`);
    } catch (err) {
      return divisionPage(req, reply, divisionId, { name, error: apiFieldError(apiRefusal(err), sameNames('name')) });
    }
  });

  app.post(`${ORG_PATH}/divisions/:divisionId/delete`, { schema: { hide: true } }, async (req, reply) => {
    const { divisionId } = DivisionParams.parse(req.params);
    try {
      await consoleApiOf(req).call(Replies.division, 'DELETE', `/divisions/${enc(divisionId)}`);
      return seeOther(reply, `${ORG_PATH}?done=deleted`);
    } catch (err) {
      return divisionPage(req, reply, divisionId, { refused: apiRefusal(err) });
    }
  });

  locationFilesRoutes(app);
  locationsRoutes(app);
  banksRoutes(app);
  lockersRoutes(app);
};
