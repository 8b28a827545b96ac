/**
 * The address book as CSV in the console: the import form (a file and the mode) sent to POST /contacts/import as the
 * API takes it, its answer in the page (what was added, updated, deleted; or every bad row, nothing written), and
 * the template and the export passed on from the API as they are.
 */
import { sendApiFile } from '../api-file.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { importReply } from '../../http/routes/contacts.ts';
import { ImportRejectedSchema } from '../../http/routes/csv-files.ts';
import { apiError, consoleApiOf } from '../console-api.ts';
import { fileOf, formOf, viewerOf } from '../console.ts';
import { errorSummary, type FormError } from '../form-errors.ts';
import { fieldParts } from '../form-fields.ts';
import { flag, html, type SafeHtml } from '../html.ts';
import { csrfField, sendConsolePage, type Viewer } from '../shell.ts';
import { CONTACTS_PATH } from './contacts-views.ts';
import { CONTACTS_WORDS } from './contacts-words.ts';

type ImportDone = z.infer<(typeof importReply)[200]>['import'];
type Rejected = z.infer<typeof ImportRejectedSchema>;
type Mode = 'merge' | 'replace';

const IMPORT_PATH = `${CONTACTS_PATH}/import`;

export function contactFilesRoutes(app: FastifyInstance): void {
  app.get(IMPORT_PATH, { schema: { hide: true } }, async (req, reply) => importPage(req, reply, 200, { mode: 'merge' }));

  app.post(IMPORT_PATH, { schema: { hide: true } }, async (req, reply) => {
    const v = viewerOf(req);
    const w = CONTACTS_WORDS[v.lang];
    const mode: Mode = formOf(req).get('mode') === 'replace' ? 'replace' : 'merge';
    const file = fileOf(req, 'file');
    if (!file) return importPage(req, reply, 400, { mode, errors: [{ field: 'file', message: w.noFile }] });
    const r = await consoleApiOf(req).raw('POST', `/contacts/import?mode=${mode}`, file.data, 'text/csv');
    if (r.status === 200) return importPage(req, reply, 200, { mode, done: importReply[200].parse(JSON.parse(r.body)).import });
    const rejected = r.status === 422 ? ImportRejectedSchema.safeParse(JSON.parse(r.body)) : undefined;
    if (rejected?.success) return importPage(req, reply, 422, { mode, rejected: rejected.data });
    const err = apiError(r);
    // The file refused whole (too large, not readable as CSV): the API's words, next to the file input.
    if (r.status >= 400 && r.status < 500 && r.status !== 404) return importPage(req, reply, r.status, { mode, errors: [{ field: 'file', message: err.message, api: true }] });
    throw err;
  });

  app.get(`${CONTACTS_PATH}/export`, { schema: { hide: true } }, async (req, reply) => sendApiFile(req, reply, '/contacts/export'));
  app.get(`${CONTACTS_PATH}/template`, { schema: { hide: true } }, async (req, reply) => sendApiFile(req, reply, '/contacts/template'));
}

interface ImportState {
  mode: Mode;
  errors?: FormError[];
  done?: ImportDone;
  rejected?: Rejected;
}

function report(v: Viewer, s: ImportState): SafeHtml {
  const w = CONTACTS_WORDS[v.lang];
  if (s.done) {
    const d = s.done;
    return html`<div class="notice ok" role="status"><p>${w.imported}</p><p>${w.importCounts(d)}</p>${
      d.kept.length > 0 ? html`<p>${w.kept}</p><ul>${d.kept.map((k) => html`<li>${k.personnelId ?? k.id}: ${k.reason}</li>`)}</ul>` : ''
    }</div>`;
  }
  if (s.rejected) {
    const r = s.rejected;
    return html`<div class="errors" role="alert" aria-labelledby="errors-h"><h2 id="errors-h">${w.rejected}</h2><p>${r.error.message}</p><p><a href="#problems">${w.problemsCaption}</a></p></div>
<table class="data" id="problems"><caption>${w.problemsCaption}</caption><thead><tr><th scope="col">${w.line}</th><th scope="col">${w.column}</th><th scope="col">${w.problem}</th></tr></thead>
<tbody>${r.problems.map((p) => html`<tr><td>${p.line}</td><td>${p.column ?? ''}</td><td>${p.problem}</td></tr>`)}</tbody></table>`;
  }
  return errorSummary(v.lang, s.errors ?? []);
}

function importPage(req: FastifyRequest, reply: FastifyReply, status: number, s: ImportState): FastifyReply {
  const v = viewerOf(req);
  const w = CONTACTS_WORDS[v.lang];
  const file = fieldParts(v.lang, 'file', w.fileHint, s.errors ?? []);
  // A plain post (no htmx boost): the file goes as the browser sends it, and an answer of 422 is shown as it comes.
  const body = html`<p><a href="${CONTACTS_PATH}">${w.title}</a></p>
${report(v, s)}
<p>${w.importIntro}</p>
<form class="contact-import" method="post" action="${IMPORT_PATH}" enctype="multipart/form-data" hx-boost="false">${csrfField(v)}
<div class="field"><label for="file">${w.file}</label>${file.hint}${file.error}
<input type="file" id="file" name="file" accept=".csv,text/csv"${file.attrs}></div>
<fieldset><legend>${w.mode}</legend>
${(['merge', 'replace'] as const).map((m) => html`<label class="choice" for="mode-${m}"><input type="radio" id="mode-${m}" name="mode" value="${m}"${flag('checked', s.mode === m)}> ${w.modes[m]}</label>`)}
</fieldset>
<button type="submit">${w.importSubmit}</button>
</form>
<h2>${w.downloads}</h2>
<ul><li><a href="${CONTACTS_PATH}/template" hx-boost="false" download>${w.template}</a></li><li><a href="${CONTACTS_PATH}/export" hx-boost="false" download>${w.exportCsv}</a></li></ul>`;
  return sendConsolePage(reply, status, v, { title: w.importTitle, active: 'contacts', body });
}
