/**
 * The notifications screen's pieces, pure rendering of what the API answered (notifications-page.ts asks): the kinds
 * of e-mail with the words each language uses, the form of who is told of what, the words form with its placeholders
 * explained, and a preview. The preview is shown as text (the e-mail's text part, and its HTML as escaped source):
 * an e-mail's HTML rendered in the console would be markup of another origin under the console's policy.
 */
import type { z } from 'zod';
import type { PageLanguage } from '../../http/pages/i18n.ts';
import type { ListReply, PreviewReply, RulesReply } from '../../http/routes/notifications.ts';
import type { MailKind, MailLanguage } from '../../mail/model.ts';
import { AUDIENCES, MAIL_LANGUAGES, NOTIFIED_EVENTS } from '../../mail/notification-model.ts';
import { MAX_BODY, MAX_SUBJECT, REQUIRED_PLACEHOLDERS, SECRET_PLACEHOLDERS, type Placeholder } from '../../mail/placeholders.ts';
import { checkboxGroup, inputField, textareaField } from '../form-fields.ts';
import { errorSummary, type FormError } from '../form-errors.ts';
import { html, type SafeHtml } from '../html.ts';
import { SETUP_PATHS } from '../settings/setup-screens.ts';
import { csrfField, type Viewer } from '../shell.ts';
import { SHELL_WORDS } from '../shell-words.ts';
import { NOTIFICATIONS_WORDS } from './notifications-words.ts';

export const PATH = SETUP_PATHS.notifications;
export type KindData = z.infer<typeof ListReply>['templates'][number];
export type Rules = z.infer<typeof RulesReply>['rules'];
export type PreviewData = z.infer<typeof PreviewReply>;

export function templatePath(kind: string, language: string): string {
  return `${PATH}/${encodeURIComponent(kind)}/${encodeURIComponent(language)}`;
}

/** A language's name in the page's language. */
function languageName(lang: PageLanguage, l: MailLanguage): string {
  return NOTIFICATIONS_WORDS[lang].languages[l];
}

export function templatesTable(lang: PageLanguage, kinds: readonly KindData[]): SafeHtml {
  const w = NOTIFICATIONS_WORDS[lang];
  const rows = kinds.map((k) => {
    const name = w.kinds[k.kind as MailKind]?.name ?? k.kind;
    const cells = MAIL_LANGUAGES.map((l) => {
      const own = k.languages[l].own !== undefined;
      return html`<td><a href="${templatePath(k.kind, l)}">${w.edit}<span class="visually-hidden">${w.editWhat(name, languageName(lang, l))}</span></a> ${own ? html`<span class="tag own">${w.own}</span>` : html`<span class="muted">${w.builtIn}</span>`}</td>`;
    });
    return html`<tr><th scope="row">${name}<p class="hint">${w.kinds[k.kind as MailKind]?.about ?? ''}</p></th>${cells}</tr>`;
  });
  return html`<table class="data"><caption>${w.caption}</caption><thead><tr><th scope="col">${w.kind}</th>${MAIL_LANGUAGES.map((l) => html`<th scope="col">${languageName(lang, l)}</th>`)}</tr></thead><tbody>${rows}</tbody></table>`;
}

/** Who is told of each event: a group of boxes per event (none ticked: nobody). */
export function rulesForm(v: Viewer, rules: Rules, error?: FormError): SafeHtml {
  const w = NOTIFICATIONS_WORDS[v.lang];
  const audiences = AUDIENCES.map((a) => ({ value: a, label: w.audiences[a] }));
  return html`${errorSummary(v.lang, error ? [error] : [])}<form method="post" action="${PATH}/rules" novalidate>${csrfField(v)}
<p>${w.rulesIntro} ${w.rulesNobody}</p>
${NOTIFIED_EVENTS.map((e) => checkboxGroup(v.lang, `rule-${e}`, w.kinds[e].name, audiences, new Set(rules[e]), error ? [error] : []))}
<div class="actions"><button type="submit">${w.saveRules}</button></div>
</form>`;
}

export function placeholdersTable(lang: PageLanguage, kind: MailKind, names: readonly string[]): SafeHtml {
  const w = NOTIFICATIONS_WORDS[lang];
  const required: readonly string[] = REQUIRED_PLACEHOLDERS[kind] ?? [];
  const rows = names.map((n) => {
    const notes = [SECRET_PLACEHOLDERS.has(n) ? w.notInSubject : '', required.includes(n) ? w.requiredIn : ''].filter((x) => x !== '');
    return html`<tr><th scope="row"><code>{{${n}}}</code></th><td>${w.placeholders[n as Placeholder] ?? ''}${notes.length > 0 ? html` <strong>${notes.join(' ')}</strong>` : ''}</td></tr>`;
  });
  return html`<table class="data"><caption>${w.placeholdersCaption}</caption><thead><tr><th scope="col">${w.placeholder}</th><th scope="col">${w.meaning}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The words form: Save keeps them, Preview shows them with made-up content without saving. */
export function wordsForm(v: Viewer, o: { action: string; subject: string; body: string; error?: FormError | undefined }): SafeHtml {
  const w = NOTIFICATIONS_WORDS[v.lang];
  return html`${errorSummary(v.lang, o.error ? [o.error] : [])}<form method="post" action="${o.action}" novalidate>${csrfField(v)}
${inputField(v.lang, 'subject', w.subject, o.subject, o.error ? [o.error] : [], { hint: w.subjectHint, required: true, maxlength: MAX_SUBJECT })}
${textareaField(v.lang, 'body', w.body, o.body, o.error ? [o.error] : [], { hint: w.bodyHint, required: true, max: MAX_BODY, rows: 12 })}
<div class="actions"><button type="submit" name="intent" value="save">${w.save}</button><button type="submit" name="intent" value="preview" class="secondary">${w.preview}</button><a href="${PATH}">${SHELL_WORDS[v.lang].cancel}</a></div>
</form>`;
}

/** The e-mail as it would be sent: subject, text part, and the HTML part as source (never run as markup here). */
export function previewSection(lang: PageLanguage, language: MailLanguage, p: PreviewData): SafeHtml {
  const w = NOTIFICATIONS_WORDS[lang];
  return html`<section id="preview" class="panel setup-panel" aria-labelledby="preview-h" tabindex="-1"><h2 id="preview-h">${w.previewHeading}</h2><div role="status"><p>${w.previewIntro}</p></div>
<dl class="facts"><dt>${w.previewSubject}</dt><dd lang="${language}">${p.subject}</dd></dl>
<h3>${w.previewText}</h3><pre class="mail-preview" lang="${language}">${p.text}</pre>
<details><summary>${w.previewHtml}</summary><pre class="mail-preview" lang="${language}">${p.html}</pre></details></section>`;
}

/** The built-in words of a kind and language, to read (or copy from) when writing one's own. */
export function builtInWords(lang: PageLanguage, language: MailLanguage, words: { subject: string; body: string }): SafeHtml {
  const w = NOTIFICATIONS_WORDS[lang];
  return html`<details><summary>${w.builtInHeading}</summary><dl class="facts"><dt>${w.subject}</dt><dd lang="${language}">${words.subject}</dd></dl><pre class="mail-preview" lang="${language}">${words.body}</pre></details>`;
}
