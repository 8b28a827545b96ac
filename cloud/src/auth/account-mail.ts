/**
 * The e-mails of a user account (a welcome with a link to set the password, a password reset link), as the account
 * flows hand them to the mail outbox. The link carries a single-use token: the outbox seals it at rest and erases it
 * once sent, and it never reaches a log.
 */
export interface AccountMessage {
  kind: 'welcome' | 'password-reset';
  enterpriseId: string;
  userId: string;
  /** The user's e-mail address. */
  to: string;
  /** How the user is greeted (first and last name, or the user name). */
  name: string;
  language: 'en' | 'fr';
  /** The absolute link to the page that sets the password (its token in it). */
  link: string;
  /** When the link stops working (epoch ms). */
  expiresAt: number;
}

export interface AccountMail {
  /** Queues the message durably: it resolves once the message is stored, and is sent (and retried) from the outbox. */
  queue(message: AccountMessage): Promise<void>;
}
