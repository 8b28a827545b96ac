/**
 * Notifications: `/console/notifications` (every kind of e-mail with the words each language uses, and who is told of
 * each event of a parcel), `/console/notifications/:kind/:language` (the words form with the kind's placeholders
 * explained, a preview with made-up content, back to the built-in words). Every read and change is the API's
 * (GET /notification-templates, PUT and DELETE /notification-templates/:kind/:language, POST .../preview,
 * GET and PUT /notification-rules), which checks the words against the kind's placeholders; the page shows its reason
 * at the subject or the body.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ListReply, PreviewReply, RulesReply } from '../../http/routes/notifications.ts';
import { MAIL_KINDS, type MailKind, type MailLanguage } from '../../mail/model.ts';
import { AUDIENCES, MAIL_LANGUAGES, NOTIFIED_EVENTS } from '../../mail/notification-model.ts';
import { ConsoleApiError, consoleApiOf } from '../console-api.ts';
import { formOf, seeOther, viewerOf, type ConsoleScreen } from '../console.ts';
import { apiFieldError, apiRefusal, apiText, type FormError } from '../form-errors.ts';
import { boxId } from '../form-fields.ts';
import { html } from '../html.ts';
import { confirmAction, doneOf, notice } from '../page-notices.ts';
import { SETUP_WORDS } from '../settings/setup-screens.ts';
import { sendConsolePage, type Viewer } from '../shell.ts';
import { NOTIFICATIONS_WORDS, type NotificationDone } from './notifications-words.ts';
import { PATH, builtInWords, placeholdersTable, previewSection, rulesForm, templatePath, templatesTable, wordsForm, type KindData, type PreviewData } from './notifications-render.ts';

const DONE = ['saved', 'reset', 'rules-saved'] as const satisfies readonly NotificationDone[];
const TemplateParams = z.object({ kind: z.enum(MAIL_KINDS), language: z.enum(MAIL_LANGUAGES) });
/** The words form as posted; what is too long for the API is the API's to refuse (these bounds only stop a flood). */
const WordsForm = z.object({ subject: z.string().max(10_000).default(''), body: z.string().max(100_000).default(''), intent: z.enum(['save', 'preview']).default('save') });
const RulesForm = z.record(z.string().max(100), z.array(z.enum(AUDIENCES)).max(AUDIENCES.length));

/** The kind and language of a template page; another is not found (a 404 page, as the API says). */
function addressOf(req: FastifyRequest): { kind: MailKind; language: MailLanguage } {
  const p = TemplateParams.safeParse(req.params);
  if (!p.success) throw new ConsoleApiError(404, 'NOT_FOUND', 'no such kind of e-mail or language');
  return p.data;
}

export const notificationsScreen: ConsoleScreen = (app) => {
  const title = (v: Viewer) => SETUP_WORDS[v.lang].screens.notifications.name;

  const listPage = async (req: FastifyRequest, reply: FastifyReply, o: { done?: NotificationDone; rulesError?: ConsoleApiError } = {}): Promise<FastifyReply> => {
    const v = viewerOf(req);
    const w = NOTIFICATIONS_WORDS[v.lang];
    const api = consoleApiOf(req);
    const [{ templates }, { rules }] = await Promise.all([api.get(ListReply, '/notification-templates'), api.get(RulesReply, '/notification-rules')]);
    const rulesError: FormError | undefined = o.rulesError && { message: o.rulesError.message, field: boxId(`rule-${NOTIFIED_EVENTS[0]}`, AUDIENCES[0]) };
    const body = html`${notice(o.done && w.done[o.done])}
<section class="panel setup-panel" aria-labelledby="templates-h"><h2 id="templates-h">${w.templatesHeading}</h2><p>${w.templatesIntro}</p>${templatesTable(v.lang, templates)}</section>
<section class="panel setup-panel" aria-labelledby="rules-h"><h2 id="rules-h">${w.rulesHeading}</h2>${rulesForm(v, rules, rulesError)}</section>`;
    return sendConsolePage(reply, o.rulesError?.status ?? 200, v, { title: title(v), active: 'settings', body });
  };

  app.get(PATH, { schema: { hide: true } }, async (req, reply) => listPage(req, reply, doneOf(req.query, DONE)));

  app.post(`${PATH}/rules`, { schema: { hide: true } }, async (req, reply) => {
    const f = formOf(req);
    // Every event is sent: an event with no box ticked tells nobody, as the form says.
    const parsed = RulesForm.safeParse(Object.fromEntries(NOTIFIED_EVENTS.map((e) => [e, f.getAll(`rule-${e}`)])));
    if (!parsed.success) throw new ConsoleApiError(400, 'BAD_FORM', 'the form could not be read');
    try {
      await consoleApiOf(req).call(RulesReply, 'PUT', '/notification-rules', { rules: parsed.data });
      return seeOther(reply, `${PATH}?done=rules-saved`);
    } catch (err) {
      return listPage(req, reply, { rulesError: apiRefusal(err) });
    }
  });

  const templatePage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    o: { values?: { subject: string; body: string }; done?: NotificationDone; error?: ConsoleApiError; formFailed?: boolean; preview?: PreviewData } = {},
  ): Promise<FastifyReply> => {
    const v = viewerOf(req);
    const w = NOTIFICATIONS_WORDS[v.lang];
    const { kind, language } = addressOf(req);
    const { templates } = await consoleApiOf(req).get(ListReply, '/notification-templates');
    const k: KindData | undefined = templates.find((x) => x.kind === kind);
    if (!k) throw new ConsoleApiError(404, 'NOT_FOUND', `no e-mail of kind ${kind}`);
    const words = k.languages[language];
    const current = words.own ?? words.builtIn;
    const path = templatePath(kind, language);
    const form = wordsForm(v, {
      action: path,
      subject: o.values?.subject ?? current.subject,
      body: o.values?.body ?? current.body,
      error: o.formFailed && o.error ? apiFieldError(o.error, ['subject', 'body']) : undefined,
    });
    const body = html`${notice(o.done && w.done[o.done])}${o.formFailed || !o.error ? '' : notice(apiText(v.lang, o.error.message), true)}
<p><a href="${PATH}">${title(v)}</a></p>
<p>${words.own ? html`<span class="tag own">${w.own}</span> ${w.usingOwn}` : w.usingBuiltIn}</p>
<p class="hint">${w.kinds[kind].about}</p>
${form}
${o.preview ? previewSection(v.lang, language, o.preview) : ''}
<section class="panel setup-panel" aria-labelledby="placeholders-h"><h2 id="placeholders-h">${w.placeholdersHeading}</h2><p>${w.placeholdersIntro}</p>${placeholdersTable(v.lang, kind, k.placeholders)}${builtInWords(v.lang, language, words.builtIn)}</section>
${
  words.own
    ? html`<section class="panel setup-panel" aria-labelledby="reset-h"><h2 id="reset-h">${w.resetHeading}</h2>${confirmAction(v, 'reset', { summary: w.resetSummary, text: w.resetText, action: `${path}/reset`, submit: w.resetSubmit })}</section>`
    : ''
}`;
    return sendConsolePage(reply, o.error?.status ?? 200, v, { title: w.editTitle(w.kinds[kind].name, w.languages[language]), active: 'settings', body });
  };

  app.get(`${PATH}/:kind/:language`, { schema: { hide: true } }, async (req, reply) => templatePage(req, reply, doneOf(req.query, DONE)));

  app.post(`${PATH}/:kind/:language`, { schema: { hide: true } }, async (req, reply) => {
    const { kind, language } = addressOf(req);
    const parsed = WordsForm.safeParse(Object.fromEntries(formOf(req)));
    if (!parsed.success) throw new ConsoleApiError(400, 'BAD_FORM', 'the form could not be read');
    const { subject, body, intent } = parsed.data;
    const api = consoleApiOf(req);
    try {
      if (intent === 'preview') {
        const preview = await api.call(PreviewReply, 'POST', `/notification-templates/${kind}/${language}/preview`, { subject, body });
        return await templatePage(req, reply, { values: { subject, body }, preview });
      }
      await api.call(z.unknown(), 'PUT', `/notification-templates/${kind}/${language}`, { subject, body });
      return seeOther(reply, `${templatePath(kind, language)}?done=saved`);
    } catch (err) {
      return templatePage(req, reply, { values: { subject, body }, error: apiRefusal(err), formFailed: true });
    }
  });

  app.post(`${PATH}/:kind/:language/reset`, { schema: { hide: true } }, async (req, reply) => {
    const { kind, language } = addressOf(req);
    try {
      await consoleApiOf(req).call(z.unknown(), 'DELETE', `/notification-templates/${kind}/${language}`);
      return seeOther(reply, `${templatePath(kind, language)}?done=reset`);
    } catch (err) {
      return templatePage(req, reply, { error: apiRefusal(err) });
    }
  });
};
