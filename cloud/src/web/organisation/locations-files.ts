/**
 * Divisions and locations as CSV in the console: the import page (a file sent to POST /locations/import as the API
 * takes it, its answer shown: the counts, or every bad row by line and column with nothing written), and the template
 * and the export passed on from the API as they are.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ImportRejectedSchema, importReplies } from '../../http/routes/csv-files.ts';
import { sendApiFile } from '../api-file.ts';
import { apiError, consoleApiOf } from '../console-api.ts';
import { fileOf, viewerOf } from '../console.ts';
import { errorSummary } from '../form-errors.ts';
import { fieldParts } from '../form-fields.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField, sendConsolePage } from '../shell.ts';
import { importReport } from '../users/users-render.ts';
import { ORG_PATH } from './org-forms.ts';
import { ORGANISATION_WORDS } from './organisation-words.ts';

const IMPORT_PATH = `${ORG_PATH}/locations/import`;
const ImportDone = importReplies({ divisions: z.number().int() })[200];

export function locationFilesRoutes(app: FastifyInstance): void {
  app.get(`${ORG_PATH}/locations/template`, { schema: { hide: true } }, async (req, reply) => sendApiFile(req, reply, '/locations/template'));
  app.get(`${ORG_PATH}/locations/export`, { schema: { hide: true } }, async (req, reply) => sendApiFile(req, reply, '/locations/export'));
  app.get(IMPORT_PATH, { schema: { hide: true } }, async (req, reply) => importPage(req, reply, 200, {}));

  app.post(IMPORT_PATH, { schema: { hide: true } }, async (req, reply) => {
    const v = viewerOf(req);
    const w = ORGANISATION_WORDS[v.lang];
    const file = fileOf(req, 'file');
    if (!file || file.data.length === 0) return importPage(req, reply, 400, { fileError: w.noFile });
    const r = await consoleApiOf(req).raw('POST', '/locations/import', file.data, 'text/csv');
    if (r.status === 200) {
      const done = ImportDone.parse(JSON.parse(r.body)).import;
      return importPage(req, reply, 200, { report: html`${importReport(v.lang, { done })}${done.divisions > 0 ? html`<p>${w.importedDivisions(done.divisions)}</p>` : ''}` });
    }
    const rejected = r.status === 422 ? ImportRejectedSchema.safeParse(JSON.parse(r.body)) : undefined;
    if (rejected?.success) return importPage(req, reply, 422, { report: importReport(v.lang, { message: rejected.data.error.message, problems: rejected.data.problems }) });
    const err = apiError(r);
    // The file refused whole (too large, not readable as CSV): the API's words, next to the file input.
    if (r.status >= 400 && r.status < 500 && r.status !== 404) return importPage(req, reply, r.status, { fileError: err.message, apiWords: true });
    throw err;
  });
}

interface ImportState {
  report?: SafeHtml;
  fileError?: string;
  /** Whether the file's error is the API's (English) words. */
  apiWords?: boolean;
}

function importPage(req: FastifyRequest, reply: FastifyReply, status: number, s: ImportState): FastifyReply {
  const v = viewerOf(req);
  const w = ORGANISATION_WORDS[v.lang];
  const errors = s.fileError !== undefined ? [{ field: 'file', message: s.fileError, api: s.apiWords }] : [];
  const file = fieldParts(v.lang, 'file', w.fileHint, errors);
  // A plain post (no htmx boost): the file goes as the browser sends it, and a refusal's page is shown as it comes.
  const body = html`<p><a href="${ORG_PATH}">${w.back}</a></p>
${errorSummary(v.lang, errors)}
<div id="import-report">${s.report ?? ''}</div>
<p>${w.importIntro}</p>
<form method="post" action="${IMPORT_PATH}" enctype="multipart/form-data" hx-boost="false">${csrfField(v)}
<div class="field"><label for="file">${w.file}</label>${file.hint}${file.error}
<input type="file" id="file" name="file" accept=".csv,text/csv"${file.attrs}></div>
<button type="submit">${w.importSubmit}</button>
</form>
<ul class="actions plain"><li><a href="${ORG_PATH}/locations/template" hx-boost="false" download>${w.template}</a></li><li><a href="${ORG_PATH}/locations/export" hx-boost="false" download>${w.exportCsv}</a></li></ul>`;
  return sendConsolePage(reply, status, v, { title: w.importTitle, active: 'settings', body });
}
