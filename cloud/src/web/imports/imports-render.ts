/**
 * The scheduled imports screen's pieces, pure rendering of what the API answered (imports-page.ts asks): the import
 * as set up (its secrets only as "stored"), its settings form (secret fields always empty: a saved or typed secret is
 * never sent back to the browser), and the runs with each one's outcome and row report.
 */
import type { PageLanguage } from '../../http/pages/i18n.ts';
import { type SFTP_DELIMITERS, type PublicSftpImport, type SftpImportRun } from '../../sftp/model.ts';
import { apiText, errorSummary, type FormError } from '../form-errors.ts';
import { checkboxField, inputField, selectField, textareaField } from '../form-fields.ts';
import { formatDateTime, formatNumber } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { confirmAction } from '../page-notices.ts';
import { SETUP_PATHS } from '../settings/setup-screens.ts';
import { csrfField, type Viewer } from '../shell.ts';
import { IMPORTS_WORDS, type DelimiterName } from './imports-words.ts';

export const PATH = SETUP_PATHS.imports;
/** The form's names of the delimiters the API takes (a tab is no value a person reads in a list). */
export const DELIMITER_NAMES: Record<DelimiterName, (typeof SFTP_DELIMITERS)[number]> = { comma: ',', semicolon: ';', tab: '\t' };

export function delimiterName(d: string): DelimiterName {
  return (Object.keys(DELIMITER_NAMES) as DelimiterName[]).find((k) => DELIMITER_NAMES[k] === d) ?? 'comma';
}

/** The settings form's values: text as typed, never a secret. */
export interface SettingsValues {
  host: string;
  port: string;
  username: string;
  remotePath: string;
  delimiter: string;
  mode: string;
  schedule: string;
  timezone: string;
  enabled: boolean;
}

export function valuesOf(s: PublicSftpImport | undefined): SettingsValues {
  if (!s) return { host: '', port: '22', username: '', remotePath: '', delimiter: 'comma', mode: 'merge', schedule: '0 2 * * *', timezone: '', enabled: true };
  return { host: s.host, port: String(s.port), username: s.username, remotePath: s.remotePath, delimiter: delimiterName(s.delimiter), mode: s.mode, schedule: s.schedule, timezone: s.timezone ?? '', enabled: s.enabled };
}

/** The import as set up, and what may be done with it: run now, forget the host key, delete. */
export function currentPanel(v: Viewer, s: PublicSftpImport): SafeHtml {
  const w = IMPORTS_WORDS[v.lang];
  const signIn = s.hasPassword ? w.passwordStored : s.hasPassphrase ? w.keyWithPassphrase : w.keyStored;
  return html`<section class="panel setup-panel" aria-labelledby="current-h"><h2 id="current-h">${w.currentHeading}</h2><dl class="facts">
<dt>${w.server}</dt><dd>${s.host}:${s.port}</dd>
<dt>${w.user}</dt><dd>${s.username}</dd>
<dt>${w.signIn}</dt><dd>${signIn}</dd>
<dt>${w.file}</dt><dd>${s.remotePath} (${w.delimiters[delimiterName(s.delimiter)]}, ${w.modes[s.mode]})</dd>
<dt>${w.schedule}</dt><dd><code>${w.scheduleIn(s.schedule, s.timezone ?? 'UTC')}</code></dd>
<dt>${w.state}</dt><dd>${s.enabled ? w.enabled : w.disabled}</dd>
<dt>${w.nextRun}</dt><dd>${s.nextRunAt !== undefined ? formatDateTime(v.lang, s.nextRunAt) : w.none}</dd>
<dt>${w.hostKey}</dt><dd>${s.hostKey ? html`<code>${w.hostKeyPinned(s.hostKey.fingerprint, formatDateTime(v.lang, s.hostKey.pinnedAt))}</code>` : w.hostKeyNone}</dd>
</dl>
<form method="post" action="${PATH}/run" class="actions" hx-disabled-elt="find button">${csrfField(v)}<button type="submit" aria-describedby="run-hint">${w.runNow}</button><p class="hint" id="run-hint">${w.runNowHint}</p><span class="htmx-indicator" role="status">${w.running}</span></form>
${s.hostKey ? confirmAction(v, 'forget', { summary: w.forgetSummary, text: w.forgetText, action: `${PATH}/host-key`, submit: w.forgetSubmit }) : ''}
${confirmAction(v, 'delete', { summary: w.deleteSummary, text: w.deleteText, action: `${PATH}/delete`, submit: w.deleteSubmit, danger: true })}
</section>`;
}

/** The settings form. Secret fields start empty, always: left empty, the stored secret stays (the API's rule). */
export function settingsForm(v: Viewer, o: { values: SettingsValues; current: PublicSftpImport | undefined; error?: FormError | undefined }): SafeHtml {
  const w = IMPORTS_WORDS[v.lang];
  const e = o.error;
  const x = o.values;
  const c = o.current;
  const secret = (id: string, label: string, hint: string) => inputField(v.lang, id, label, '', e ? [e] : [], { type: 'password', hint, maxlength: 1000, autocomplete: 'new-password' });
  return html`<section class="panel setup-panel" aria-labelledby="settings-h"><h2 id="settings-h">${c ? w.formHeadingEdit : w.formHeadingNew}</h2>
${errorSummary(v.lang, e ? [e] : [])}<form method="post" action="${PATH}" novalidate>${csrfField(v)}
${inputField(v.lang, 'host', w.host, x.host, e ? [e] : [], { hint: w.hostHint, required: true, maxlength: 253 })}
${inputField(v.lang, 'port', w.port, x.port, e ? [e] : [], { required: true, maxlength: 5 })}
${inputField(v.lang, 'username', w.username, x.username, e ? [e] : [], { required: true, maxlength: 100 })}
<p class="hint">${w.secretsRetype}</p>
${secret('password', w.password, c?.hasPassword ? w.passwordKeep : w.passwordHint)}
${textareaField(v.lang, 'privateKey', w.privateKey, '', e ? [e] : [], { hint: c?.hasPrivateKey ? w.privateKeyKeep : w.privateKeyHint, max: 16_000, rows: 4, mono: true })}
${secret('passphrase', w.passphrase, w.passphraseHint)}
${inputField(v.lang, 'remotePath', w.remotePath, x.remotePath, e ? [e] : [], { hint: w.remotePathHint, required: true, maxlength: 1024 })}
${selectField(v.lang, 'delimiter', w.delimiter, (Object.keys(DELIMITER_NAMES) as DelimiterName[]).map((d) => ({ value: d, label: w.delimiters[d] })), x.delimiter, e ? [e] : [])}
${selectField(v.lang, 'mode', w.mode, [{ value: 'merge', label: w.modes.merge }, { value: 'replace', label: w.modes.replace }], x.mode, e ? [e] : [], { hint: w.modeHint })}
${inputField(v.lang, 'schedule', w.schedule, x.schedule, e ? [e] : [], { hint: w.scheduleHint, required: true, maxlength: 200 })}
${inputField(v.lang, 'timezone', w.timezone, x.timezone, e ? [e] : [], { hint: w.timezoneHint, maxlength: 64 })}
${checkboxField(v.lang, 'enabled', w.enabledLabel, x.enabled, e ? [e] : [], w.enabledHint)}
<div class="actions"><button type="submit">${w.save}</button></div>
</form></section>`;
}

function runReport(lang: PageLanguage, r: SftpImportRun): SafeHtml {
  const w = IMPORTS_WORDS[lang];
  const problems =
    r.errors.length === 0
      ? ''
      : html`<details><summary>${w.problems(r.errors.length)}</summary><ul class="plain">${r.errors.map((p) => {
          const at = w.problemAt(p.line, p.column);
          return html`<li>${at ? `${at}${w.colon}` : ''}${apiText(lang, p.problem)}</li>`;
        })}</ul></details>`;
  const kept =
    r.kept.length === 0
      ? ''
      : html`<details><summary>${w.kept(r.kept.length)}</summary><ul class="plain">${r.kept.map((k) => html`<li>${k.personnelId ?? k.id}${w.colon}${apiText(lang, k.reason)}</li>`)}</ul></details>`;
  return html`${problems}${kept}`;
}

export function runsTable(lang: PageLanguage, runs: readonly SftpImportRun[]): SafeHtml {
  const w = IMPORTS_WORDS[lang];
  if (runs.length === 0) return html`<p>${w.runsNone}</p>`;
  const n = (x: number) => formatNumber(lang, x);
  const rows = runs.map(
    (r) =>
      html`<tr><th scope="row">${formatDateTime(lang, r.startedAt)}</th><td>${w.triggers[r.trigger]}</td><td><span class="tag${r.outcome === 'failed' ? ' bad' : ''}">${w.outcomes[r.outcome]}</span></td><td class="num">${n(r.rows)}</td><td class="num">${n(r.added)}</td><td class="num">${n(r.changed)}</td><td class="num">${n(r.removed)}</td><td class="num">${n(r.unchanged)}</td><td>${runReport(lang, r)}</td></tr>`,
  );
  return html`<table class="data"><caption>${w.runsCaption}</caption><thead><tr><th scope="col">${w.started}</th><th scope="col">${w.trigger}</th><th scope="col">${w.outcome}</th><th scope="col" class="num">${w.rows}</th><th scope="col" class="num">${w.added}</th><th scope="col" class="num">${w.changed}</th><th scope="col" class="num">${w.removed}</th><th scope="col" class="num">${w.unchanged}</th><th scope="col">${w.report}</th></tr></thead><tbody>${rows}</tbody></table>`;
}
