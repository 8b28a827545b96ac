/**
 * History administration: how long an enterprise keeps history (retention), applying it, and erasing one person's
 * personal data from history.
 * - Retention is an enterprise setting (`historyRetentionDays`, absent: for ever). History is one log for the whole
 *   cloud, so the longest retention of its enterprises applies, and none when any keeps it for ever. Applying it
 *   hides older history at once; the file store drops it from disk at its next compaction.
 * - Erasure replaces a contact's links in history (recipient, parties, actor) by a fresh id, drops the notes of
 *   their reservations, and replaces their name and contact details in the contact record; the events stay, linked
 *   to one another, no longer to the person. The erasure itself is recorded in the activity (type `erasure`) of the
 *   person's enterprise, under the fresh id.
 */
import { auditChanges } from '../audit.ts';
import { DomainError, parseInput } from '../errors.ts';
import type { DomainCore } from '../core.ts';
import { setHistoryRetentionInput, type Actor, type Contact, type Enterprise, type SetHistoryRetentionInput } from '../model.ts';

const DAY = 24 * 60 * 60 * 1000;
/** The name an erased contact keeps: the record stays (live reservations may point to it), the person is gone. */
export const ERASED_NAME = 'Erased person';

export interface ErasureResult {
  contact: Contact;
  /** The id that stands in for the person in history from now on. */
  replacementId: string;
  ended: number;
  activity: number;
}

export class HistoryUseCases {
  constructor(private readonly core: DomainCore) {}

  async setHistoryRetention(enterpriseId: string, input: SetHistoryRetentionInput, actor: Actor): Promise<Enterprise> {
    const req = parseInput(setHistoryRetentionInput, input);
    const e = this.core.must('enterprises', enterpriseId, 'enterprise', 'enterpriseId');
    const { historyRetentionDays: _old, ...rest } = e;
    const next: Enterprise = req.historyRetentionDays === null ? rest : { ...rest, historyRetentionDays: req.historyRetentionDays };
    const a = this.core.audit(actor, e.id, { kind: 'enterprise', id: e.id }, 'history retention changed', auditChanges(e, next, ['historyRetentionDays']));
    await this.core.commit({ put: [{ c: 'enterprises', key: e.id, value: next }], activity: [a] });
    await this.applyRetention();
    return next;
  }

  /** The time before which history is out of retention now, or undefined when it is kept for ever. */
  retentionCutoff(): number | undefined {
    const enterprises = this.core.store.list('enterprises');
    if (enterprises.length === 0 || enterprises.some((e) => e.historyRetentionDays === undefined)) return undefined;
    const days = Math.max(...enterprises.map((e) => e.historyRetentionDays ?? 0));
    return this.core.now() - days * DAY;
  }

  async applyRetention(): Promise<void> {
    const cutoff = this.retentionCutoff();
    if (cutoff !== undefined && cutoff > 0) await this.core.store.dropHistoryBefore(cutoff);
  }

  /** Applies retention now and then every `intervalMs`; returns the stop function. */
  startRetention(intervalMs = 60 * 60 * 1000): () => void {
    const run = (): void => void this.applyRetention().catch((err: unknown) => this.core.log.error({ err }, 'history retention run failed'));
    run();
    const timer = setInterval(run, intervalMs);
    timer.unref?.();
    return () => clearInterval(timer);
  }

  async erasePerson(contactId: string, actor: Actor): Promise<ErasureResult> {
    const old = this.core.must('contacts', contactId, 'contact', 'contactId');
    if (old.firstName === '' && old.lastName === ERASED_NAME && old.email === undefined && old.personnelId === undefined) {
      throw new DomainError('CONFLICT', `contact ${contactId} was erased already`, 'contactId');
    }
    const replacementId = this.core.newId('contacts', undefined, 'erased');
    const counted = await this.core.store.erasePerson({ subjectId: contactId, replacementId });
    const { email: _email, personnelId: _personnelId, phone: _phone, badgeId: _badgeId, customValues: _customValues, ...rest } = old;
    const contact: Contact = { ...rest, firstName: '', lastName: ERASED_NAME };
    // The e-mails to the person hold their address (and, until sent, their content): they go with the rest.
    const mails = this.core.store.list('mailOutbox').filter((m) => m.to.type === 'contact' && m.to.id === contactId);
    // The entry names its enterprise: the enterprise's administrators find it, another enterprise's never see it.
    const a = this.core.activity('erasure', actor, {
      enterpriseId: old.enterpriseId,
      recipientId: replacementId,
      detail: `personal data erased: ${counted.ended} ended reservations and ${counted.activity} activity entries unlinked, ${mails.length} e-mail records removed`,
    });
    await this.core.commit({ put: [{ c: 'contacts', key: contact.id, value: contact }], del: mails.map((m) => ({ c: 'mailOutbox' as const, key: m.id })), activity: [a] });
    return { contact, replacementId, ...counted };
  }
}
