/**
 * The mail outbox's records (store collection `mailOutbox`): one per message, what it is about and where it stands.
 * What a message says is kept only sealed (`sealed`, under the code vault, bound to the message id) while it waits, and
 * erased once it is sent or has failed: a code, a PIN or a link token never rests in clear.
 */

export const MAIL_KINDS = [
  'parcel-ready',
  'reminder',
  'expiring-soon',
  'expired',
  'picked-up',
  'drop-off-code',
  'storage',
  'welcome',
  'password-reset',
  'mfa-code',
  'import-failed',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/** `skipped`: the person gets no e-mail (no address, or notices turned off); recorded so it is not tried again. */
export type MailStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'skipped';
export type MailLanguage = 'en' | 'fr';

export interface MailRecord {
  id: string;
  enterpriseId: string;
  kind: MailKind;
  /** Who it is for: a contact (a department without a key contact when skipped) or a user (account messages, import failures). */
  to: { type: 'contact' | 'department' | 'user'; id: string };
  /** Absent when skipped for want of one. */
  address?: string;
  language: MailLanguage;
  status: MailStatus;
  attempts: number;
  /** When the next attempt may start (queued, or sending when a crash cut the last one short). */
  nextAttemptAt?: number;
  createdAt: number;
  sentAt?: number;
  /** When it was given up, or skipped. */
  endedAt?: number;
  /** Why the last attempt failed, or why it was skipped: the server's answer, never the message. */
  lastError?: string;
  reservationId?: string;
  bankId?: string;
  /** The message's content (mail/templates.ts `MailContent`), sealed; erased once sent or failed. */
  sealed?: string;
}

/** What a reservation's answer shows of each of its messages: never the address or the content. */
export interface MailStatusView {
  id: string;
  kind: MailKind;
  status: MailStatus;
  attempts: number;
  createdAt: number;
  sentAt?: number;
  endedAt?: number;
  nextAttemptAt?: number;
  lastError?: string;
}

export function mailStatusView(m: MailRecord): MailStatusView {
  return {
    id: m.id,
    kind: m.kind,
    status: m.status,
    attempts: m.attempts,
    createdAt: m.createdAt,
    ...(m.sentAt !== undefined ? { sentAt: m.sentAt } : {}),
    ...(m.endedAt !== undefined ? { endedAt: m.endedAt } : {}),
    ...(m.status === 'queued' || m.status === 'sending' ? { nextAttemptAt: m.nextAttemptAt } : {}),
    ...(m.lastError !== undefined ? { lastError: m.lastError } : {}),
  };
}

/** The messages about one reservation, oldest first. */
export function reservationMail(list: readonly MailRecord[], reservationId: string): MailStatusView[] {
  return list.filter((m) => m.reservationId === reservationId).sort((a, b) => a.createdAt - b.createdAt).map(mailStatusView);
}
