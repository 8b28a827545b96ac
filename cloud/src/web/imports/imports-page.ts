/**
 * Scheduled imports: `/console/imports`, the address book's SFTP import: the import as set up, its settings form,
 * run now, forget the server's pinned host key, delete, and the latest runs with each one's outcome and row report.
 * Every read and change is the API's (GET, PUT, DELETE /sftp-import, DELETE /sftp-import/host-key,
 * POST /sftp-import/run, GET /sftp-import/runs), which holds every rule (a password or a key, the schedule's syntax,
 * a secret left out kept); the page shows its reason at the field it names. Secrets go one way only: typed into the
 * form and sent to the API, never put back into a page, not even after a refusal.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ImportReply, RunReply, RunsReply } from '../../http/routes/sftp-import.ts';
import type { PublicSftpImport } from '../../sftp/model.ts';
import { apiError, ConsoleApiError, consoleApiOf, type ConsoleApi } from '../console-api.ts';
import { formOf, seeOther, viewerOf, type ConsoleScreen } from '../console.ts';
import { apiFieldError, apiText } from '../form-errors.ts';
import { typedNumber } from '../form-fields.ts';
import { html } from '../html.ts';
import { doneOf, notice } from '../page-notices.ts';
import { SETUP_WORDS } from '../settings/setup-screens.ts';
import { sendConsolePage } from '../shell.ts';
import { DELIMITER_NAMES, PATH, currentPanel, runsTable, settingsForm, valuesOf, type SettingsValues } from './imports-render.ts';
import { IMPORTS_WORDS, type DelimiterName, type ImportDone } from './imports-words.ts';

const DONE = ['saved', 'deleted', 'key-forgotten', 'run-ok', 'run-failed', 'run-skipped'] as const satisfies readonly ImportDone[];
const FIELDS = ['host', 'port', 'username', 'password', 'privateKey', 'passphrase', 'remotePath', 'delimiter', 'mode', 'schedule', 'timezone', 'enabled'] as const;
/** The form as posted; lengths beyond what the API takes are the API's to refuse (these bounds only stop a flood). */
const SettingsForm = z.object({
  host: z.string().max(2000).default(''),
  port: z.string().max(100).default(''),
  username: z.string().max(2000).default(''),
  password: z.string().max(5000).default(''),
  privateKey: z.string().max(40_000).default(''),
  passphrase: z.string().max(5000).default(''),
  remotePath: z.string().max(5000).default(''),
  delimiter: z.enum(Object.keys(DELIMITER_NAMES) as [DelimiterName, ...DelimiterName[]]).default('comma'),
  mode: z.string().max(40).default('merge'),
  schedule: z.string().max(1000).default(''),
  timezone: z.string().max(200).default(''),
  enabled: z.string().max(10).optional(),
});

/** The configuration, or undefined while there is none (the API's 404). */
async function currentOf(api: ConsoleApi): Promise<PublicSftpImport | undefined> {
  const r = await api.raw('GET', '/sftp-import');
  if (r.status === 404) return undefined;
  if (r.status !== 200) throw apiError(r);
  return ImportReply.parse(JSON.parse(r.body)).sftpImport;
}

/** A refusal the page shows: the API's 4xx, and its 503 when this server runs no imports. */
function shown(err: unknown): ConsoleApiError {
  if (err instanceof ConsoleApiError && (err.status < 500 || err.code === 'UNAVAILABLE')) return err;
  throw err;
}

export const importsScreen: ConsoleScreen = (app) => {
  const page = async (req: FastifyRequest, reply: FastifyReply, o: { done?: ImportDone; values?: SettingsValues; error?: ConsoleApiError; formFailed?: boolean } = {}): Promise<FastifyReply> => {
    const v = viewerOf(req);
    const w = IMPORTS_WORDS[v.lang];
    const api = consoleApiOf(req);
    const [current, { runs }] = await Promise.all([currentOf(api), api.get(RunsReply, '/sftp-import/runs')]);
    const error = o.formFailed && o.error ? apiFieldError(o.error, FIELDS) : undefined;
    const done = o.done === 'run-failed' ? notice(w.done[o.done], true) : notice(o.done && w.done[o.done]);
    const body = html`${done}${o.formFailed || !o.error ? '' : notice(apiText(v.lang, o.error.message), true)}
<p>${w.intro}</p>
${current ? currentPanel(v, current) : html`<p>${w.notSetUp}</p>`}
${settingsForm(v, { values: o.values ?? valuesOf(current), current, error })}
<section class="panel setup-panel" id="runs" aria-labelledby="runs-h"><h2 id="runs-h">${w.runsHeading}</h2>${runsTable(v.lang, runs)}</section>`;
    return sendConsolePage(reply, o.error?.status ?? 200, v, { title: SETUP_WORDS[v.lang].screens.imports.name, active: 'settings', body });
  };

  app.get(PATH, { schema: { hide: true } }, async (req, reply) => page(req, reply, doneOf(req.query, DONE)));

  app.post(PATH, { schema: { hide: true } }, async (req, reply) => {
    const parsed = SettingsForm.safeParse(Object.fromEntries(formOf(req)));
    if (!parsed.success) throw new ConsoleApiError(400, 'BAD_FORM', 'the form could not be read');
    const x = parsed.data;
    const text = (s: string) => s.trim();
    // A port that is not a number goes as typed, for the API to say what it takes.
    const port = typedNumber(x.port) ?? '';
    const body = {
      host: text(x.host),
      port,
      username: text(x.username),
      // An empty secret field is left out: the API keeps the stored secret.
      ...(x.password !== '' ? { password: x.password } : {}),
      // A browser sends a text area's lines parted by CRLF; a PEM file's are LF.
      ...(text(x.privateKey) !== '' ? { privateKey: `${x.privateKey.replace(/\r\n/g, '\n').trim()}\n` } : {}),
      ...(x.passphrase !== '' ? { passphrase: x.passphrase } : {}),
      remotePath: text(x.remotePath),
      delimiter: DELIMITER_NAMES[x.delimiter],
      mode: x.mode,
      schedule: text(x.schedule),
      ...(text(x.timezone) !== '' ? { timezone: text(x.timezone) } : {}),
      enabled: x.enabled === 'on',
    };
    const values: SettingsValues = { host: x.host, port: x.port, username: x.username, remotePath: x.remotePath, delimiter: x.delimiter, mode: x.mode, schedule: x.schedule, timezone: x.timezone, enabled: x.enabled === 'on' };
    try {
      await consoleApiOf(req).call(ImportReply, 'PUT', '/sftp-import', body);
      return seeOther(reply, `${PATH}?done=saved`);
    } catch (err) {
      return page(req, reply, { values, error: shown(err), formFailed: true });
    }
  });

  app.post(`${PATH}/run`, { schema: { hide: true } }, async (req, reply) => {
    try {
      const { run } = await consoleApiOf(req).call(RunReply, 'POST', '/sftp-import/run');
      return seeOther(reply, `${PATH}?done=run-${run.outcome}#runs`);
    } catch (err) {
      return page(req, reply, { error: shown(err) });
    }
  });

  const change = (suffix: string, method: 'DELETE', apiPath: string, done: ImportDone) => {
    app.post(`${PATH}/${suffix}`, { schema: { hide: true } }, async (req, reply) => {
      try {
        await consoleApiOf(req).call(z.unknown(), method, apiPath);
        return seeOther(reply, `${PATH}?done=${done}`);
      } catch (err) {
        return page(req, reply, { error: shown(err) });
      }
    });
  };
  change('host-key', 'DELETE', '/sftp-import/host-key', 'key-forgotten');
  change('delete', 'DELETE', '/sftp-import', 'deleted');
};
