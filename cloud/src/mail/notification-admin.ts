/**
 * An enterprise's administrators word its notices and choose who is told: its own subject and body for any kind of
 * message in English and French (checked against the kind's placeholders), back to the built-in words by removing
 * them, a preview with made-up content through the outbox's own renderer, and who gets each event's notice. Every
 * change is an audit entry (target `notification`).
 */
import { auditChanges } from '../domain/audit.ts';
import type { DomainCore } from '../domain/core.ts';
import { DomainError, notFound, parseInput } from '../domain/errors.ts';
import type { Actor } from '../domain/model.ts';
import { BUILT_IN } from './catalogue.ts';
import type { MailKind, MailLanguage } from './model.ts';
import { MAIL_KINDS } from './model.ts';
import {
  DEFAULT_RULES,
  isMailKind,
  isMailLanguage,
  MAIL_LANGUAGES,
  notificationRulesInput,
  NOTIFIED_EVENTS,
  ownTemplate,
  rulesOf,
  sampleContent,
  templateKey,
  type MailTemplateRecord,
  type NotificationRules,
  type NotificationRulesInput,
} from './notification-model.ts';
import { PLACEHOLDERS, templateProblem, templateTextInput, type TemplateText } from './placeholders.ts';
import { renderMail } from './templates.ts';

export interface LanguageTemplates {
  builtIn: TemplateText;
  /** The enterprise's own words, when it has them: what its messages say. */
  own?: TemplateText & { updatedAt: number };
}

export interface KindTemplates {
  kind: MailKind;
  placeholders: string[];
  languages: Record<MailLanguage, LanguageTemplates>;
}

export interface Preview {
  subject: string;
  text: string;
  html: string;
}

/** The kind and language of a URL, or 404 naming the one no message has. */
export function templateAddress(kind: string, language: string): { kind: MailKind; language: MailLanguage } {
  if (!isMailKind(kind)) throw notFound('kind of message', kind, 'kind');
  if (!isMailLanguage(language)) throw notFound('language', language, 'language');
  return { kind, language };
}

/** The words checked for a kind: their shape, then their placeholders (a VALIDATION naming `subject` or `body`). */
export function checkedTemplate(kind: MailKind, input: unknown): TemplateText {
  const t = parseInput(templateTextInput, input);
  const problem = templateProblem(kind, t);
  if (problem) throw new DomainError('VALIDATION', problem.message, problem.field);
  return t;
}

const TARGET = (id: string) => ({ kind: 'notification' as const, id });

export class NotificationAdmin {
  constructor(private readonly core: DomainCore) {}

  /** Every kind of message: its placeholders, its built-in words and the enterprise's own, per language. */
  list(enterpriseId: string): KindTemplates[] {
    this.core.must('enterprises', enterpriseId, 'enterprise', 'enterpriseId');
    return MAIL_KINDS.map((kind) => ({
      kind,
      placeholders: [...PLACEHOLDERS[kind]],
      languages: Object.fromEntries(MAIL_LANGUAGES.map((lang) => [lang, this.languageTemplates(enterpriseId, kind, lang)])) as Record<MailLanguage, LanguageTemplates>,
    }));
  }

  /** Sets the enterprise's words for a kind and language; its next messages of that kind say them. */
  async setTemplate(enterpriseId: string, kind: string, language: string, input: TemplateText, actor: Actor): Promise<LanguageTemplates> {
    const at = templateAddress(kind, language);
    const t = checkedTemplate(at.kind, input);
    this.core.must('enterprises', enterpriseId, 'enterprise', 'enterpriseId');
    const key = templateKey(enterpriseId, at.kind, at.language);
    const old = this.core.store.get('mailTemplates', key);
    const next: MailTemplateRecord = { id: key, enterpriseId, kind: at.kind, language: at.language, subject: t.subject, body: t.body, updatedAt: this.core.now() };
    const changes = auditChanges(old ?? BUILT_IN[at.kind][at.language], next, ['subject', 'body']);
    if (changes.length > 0 || !old) {
      const a = this.core.audit(actor, enterpriseId, TARGET(`template ${at.kind}/${at.language}`), `${at.kind} e-mail in ${at.language} worded by the enterprise`, changes);
      await this.core.commit({ put: [{ c: 'mailTemplates', key, value: next }], activity: [a] });
    }
    return this.languageTemplates(enterpriseId, at.kind, at.language);
  }

  /** Back to the built-in words (nothing to do when the enterprise has none of its own). */
  async resetTemplate(enterpriseId: string, kind: string, language: string, actor: Actor): Promise<LanguageTemplates> {
    const at = templateAddress(kind, language);
    this.core.must('enterprises', enterpriseId, 'enterprise', 'enterpriseId');
    const key = templateKey(enterpriseId, at.kind, at.language);
    const old = this.core.store.get('mailTemplates', key);
    if (old) {
      const changes = auditChanges(old, BUILT_IN[at.kind][at.language], ['subject', 'body']);
      const a = this.core.audit(actor, enterpriseId, TARGET(`template ${at.kind}/${at.language}`), `${at.kind} e-mail in ${at.language} back to the built-in words`, changes);
      await this.core.commit({ del: [{ c: 'mailTemplates', key }], activity: [a] });
    }
    return this.languageTemplates(enterpriseId, at.kind, at.language);
  }

  /**
   * A message of the kind with made-up content, as the outbox would send it: in `words` when given (not saved), else
   * in the enterprise's own words or the built-in ones.
   */
  async preview(enterpriseId: string, kind: string, language: string, words: Partial<TemplateText>): Promise<Preview> {
    const at = templateAddress(kind, language);
    this.core.must('enterprises', enterpriseId, 'enterprise', 'enterpriseId');
    const current = ownTemplate(this.core.store, enterpriseId, at.kind, at.language) ?? BUILT_IN[at.kind][at.language];
    const t = words.subject === undefined && words.body === undefined ? current : checkedTemplate(at.kind, { ...current, ...words });
    const r = await renderMail(sampleContent(at.kind, at.language), t);
    return { subject: r.subject, text: r.text, html: r.html };
  }

  rules(enterpriseId: string): NotificationRules {
    this.core.must('enterprises', enterpriseId, 'enterprise', 'enterpriseId');
    return rulesOf(this.core.store, enterpriseId);
  }

  /** Replaces the rules: an event left out follows the default (its recipient alone), an empty list tells nobody. */
  async setRules(enterpriseId: string, input: NotificationRulesInput, actor: Actor): Promise<NotificationRules> {
    const req = parseInput(notificationRulesInput, input);
    this.core.must('enterprises', enterpriseId, 'enterprise', 'enterpriseId');
    const before = rulesOf(this.core.store, enterpriseId);
    const rules = Object.fromEntries(Object.entries(req.rules).filter(([, v]) => v !== undefined)) as Partial<NotificationRules>;
    const after: NotificationRules = { ...DEFAULT_RULES, ...rules };
    const flat = (r: NotificationRules) => Object.fromEntries(NOTIFIED_EVENTS.map((e) => [e, r[e].join(', ') || 'nobody'])) as Record<(typeof NOTIFIED_EVENTS)[number], string>;
    const changes = auditChanges(flat(before), flat(after), NOTIFIED_EVENTS);
    const a = this.core.audit(actor, enterpriseId, TARGET('rules'), 'who is told of which event changed', changes);
    await this.core.commit({ put: [{ c: 'notificationRules', key: enterpriseId, value: { enterpriseId, rules, updatedAt: this.core.now() } }], activity: [a] });
    return after;
  }

  private languageTemplates(enterpriseId: string, kind: MailKind, language: MailLanguage): LanguageTemplates {
    const own = this.core.store.get('mailTemplates', templateKey(enterpriseId, kind, language));
    return { builtIn: BUILT_IN[kind][language], ...(own ? { own: { subject: own.subject, body: own.body, updatedAt: own.updatedAt } } : {}) };
  }
}
